"""Child processes that answer over a pipe and are killed at a time limit."""

from __future__ import annotations


class PipedProcess:
    """A child process running ``target(*args, conn)``, ``conn`` its end of a pipe to us.

    Shared by the query workers (:mod:`kg.sparql.workers`) and the validation workers (:mod:`kg.validation.checker`): both
    send a task down the pipe, wait for the answer within a time limit, and kill the
    process when it runs past it.
    """

    def __init__(self, context, target, *args) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=target, args=(*args, child), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()
