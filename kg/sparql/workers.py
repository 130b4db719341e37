"""Query workers: SPARQL queries in processes that can be killed at a timeout.

pyoxigraph cannot interrupt a running query, so a query with a time limit runs
in a worker process that opens the on-disk store read-only (RocksDB allows
read-only opens beside the writer). A worker reopens the store whenever the
store's generation has changed, so each query reads one consistent snapshot
of the latest committed state. When a query outlives the timeout its worker is
killed (the CPU is freed at once) and replaced on the next demand; the other
workers, and so other clients' queries, carry on.

A memory store cannot be shared with another process: it runs its queries in
the server's own threads, without a hard time limit.

There are ``size`` workers (``KG_QUERY_WORKERS``, one per CPU by default): each is a
process with its own store reader and the working memory of the queries it ran, so
more workers than CPUs cost memory and buy no speed. A query waiting for a free
worker spends its time limit waiting. After an answer that left a worker holding
more than :data:`TRIM_ABOVE` bytes over its starting size, the worker returns the
freed memory to the system (glibc keeps freed heap pages otherwise: a worker that
once ran a large query would hold that peak for good). A worker whose resident memory
passes ``max_memory`` bytes while it runs a query (``KG_QUERY_MEMORY_MB``, read every
:data:`MEMORY_CHECK_EVERY` seconds) is killed like a query past its time limit, so the
service's memory stays within about workers × that limit plus the server's own.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from kg.errors import QueryTimeout, QueryTooLarge
from kg.processes import PipedProcess
from kg.sparql import formats

_CONTEXT = mp.get_context("spawn")


class WorkerError(Exception):
    """The worker reported an error; ``kind`` is 'syntax' or 'evaluation'."""

    def __init__(self, kind: str, message: str):
        super().__init__(kind, message)  # both in args, so it pickles across the pipe
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Task:
    text: str
    default_graph: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    solutions_format: str | None  # format names (kg.sparql.formats), chosen by the caller
    graph_format: str | None
    generation: int
    max_rows: int
    offset: int = 0  # a page of the result (kg.sparql.formats.serialize_page)
    limit: int | None = None


@dataclass(frozen=True)
class Answer:
    kind: str  # "solutions" | "graph"
    format: str | None  # None: no acceptable format for this kind
    body: bytes
    truncated: bool
    total: int | None = None  # solutions or triples, counted up to max_rows


#: Messages of errors a read-only open may meet while the writer compacts files away.
_RACES = ("No such file or directory", "Corruption")
_ATTEMPTS = 6


#: Memory a worker may keep over its starting size before it gives freed memory back.
TRIM_ABOVE = 64 * 2**20


#: Seconds between two reads of a running worker's memory.
MEMORY_CHECK_EVERY = 0.02


def _resident(pid: int | str = "self") -> int:
    """A process's resident memory in bytes (Linux), 0 where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _trimmer():
    """glibc's ``malloc_trim`` (returns freed heap pages to the system), or None."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def _serve(path: str, conn: Connection) -> None:  # runs in the worker process
    store, generation = None, None
    trim, floor = _trimmer(), 0  # floor: resident size after the store opened or a trim
    while True:
        if trim is not None and floor and _resident() > floor + TRIM_ABOVE:
            trim(0)  # after the answer was sent: off the client's path
            floor = max(floor, _resident())  # what stays (store caches) is not trimmed again
        try:
            task: Task = conn.recv()
        except EOFError:
            return
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                if store is None or generation != task.generation:
                    store = ox.Store.read_only(path)
                    generation = task.generation
                    floor = floor or _resident()
                conn.send(_answer(store, task))
                break
            except SyntaxError as exc:
                conn.send(WorkerError("syntax", str(exc)))
                break
            except Exception as exc:  # noqa: BLE001 - reported to the caller, worker lives on
                if attempt < _ATTEMPTS and any(r in str(exc) for r in _RACES):
                    store = None  # the snapshot lost files to a compaction: reopen
                    time.sleep(0.05 * attempt)  # bounded: at most ~0.75 s in all
                    continue
                conn.send(WorkerError("evaluation", f"{type(exc).__name__}: {exc}"))
                break


def _answer(store: ox.Store, task: Task) -> Answer:
    result = store.query(
        task.text,
        use_default_graph_as_union=task.default_graph is None,
        default_graph=[ox.NamedNode(g) for g in task.default_graph]
        if task.default_graph is not None
        else None,
        named_graphs=[ox.NamedNode(g) for g in task.named_graphs]
        if task.named_graphs is not None
        else None,
    )
    kind = formats.result_kind(result)
    name = task.solutions_format if kind == "solutions" else task.graph_format
    if name is None:
        return Answer(kind, None, b"", False)
    body, truncated, total = formats.serialize_page(
        result, formats.BY_NAME[name], task.max_rows, offset=task.offset, limit=task.limit
    )
    return Answer(kind, name, body, truncated, total)


class _Worker(PipedProcess):
    def __init__(self, path: str):
        super().__init__(_CONTEXT, _serve, path)


class QueryPool:
    """At most ``size`` worker processes over the on-disk store at ``path``."""

    def __init__(self, path: str, size: int, timeout: float, max_memory: int = 0):
        self.path = path
        self.timeout = timeout
        self.max_memory = max_memory  # bytes a worker may hold while it runs a query; 0: any
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self.timeouts = 0
        self.memory_stops = 0

    def run(self, task: Task) -> Answer:
        """Run ``task`` on a free worker; the time limit covers waiting for one."""
        deadline = time.monotonic() + self.timeout
        if not self._slots.acquire(timeout=self.timeout):
            self.timeouts += 1
            raise QueryTimeout(f"no query worker came free within {self.timeout:g} s")
        try:
            worker = self._take()
            try:
                worker.conn.send(task)
                self._wait(worker, deadline)
                reply = worker.conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                self._discard(worker)
                raise WorkerError("evaluation", "the query worker died") from None
            except (QueryTimeout, QueryTooLarge):
                raise
            except BaseException:
                self._discard(worker)
                raise
            self._idle.put(worker)
        finally:
            self._slots.release()
        if isinstance(reply, WorkerError):
            raise reply
        return reply

    def _wait(self, worker: _Worker, deadline: float) -> None:
        """Until ``worker`` answers; killed past ``deadline`` or past ``max_memory``."""
        step = MEMORY_CHECK_EVERY if self.max_memory else None
        while True:  # bounded by the deadline
            left = deadline - time.monotonic()
            if worker.conn.poll(max(0.0, left if step is None else min(step, left))):
                return
            if time.monotonic() >= deadline:
                self._discard(worker)
                self.timeouts += 1
                raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped")
            if self.max_memory and _resident(worker.process.pid) > self.max_memory:
                self._discard(worker)
                self.memory_stops += 1
                raise QueryTooLarge(
                    f"the query needed more than {self.max_memory // 2**20} MiB "
                    "and was stopped (KG_QUERY_MEMORY_MB)"
                )

    def _take(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            worker = _Worker(self.path)
            with self._lock:
                self._all.add(worker)
            return worker

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()
