"""Validation worker processes: pySHACL forked with the profiles already prepared.

A worker is forked once the profiles are loaded, so it starts with them parsed and
prepared (:class:`~kg.validation.profiles.LoadedProfile`), and it is kept for the next
documents; a worker still running after the time limit is killed, which frees its CPU,
and replaced on the next demand. The worker validates the document's few hundred triples
together with the profile's ontology, prepared once per profile: forking a process per
document and copying the ontology into each data graph cost more than the validation.
A user's own shapes (:mod:`kg.validation.custom`) are not known to any worker: they go
down the pipe with the document, and the worker checks them before validating.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
import weakref
from typing import Protocol

from rdflib import RDF, SH, BNode, Graph, Literal

from kg.errors import ValidationTimeout
from kg.processes import PipedProcess
from kg.validation.profiles import LoadedProfile
from kg.validation.shapes import ShapesError, validate


class SentShapes(Protocol):
    """Shapes that travel with each job (a user's own, :mod:`kg.validation.custom`).

    Never registered (``serial`` is None): any worker takes them, and :meth:`load` builds
    and checks them in the worker, under the job's time limit.
    """

    serial: None

    def load(self) -> LoadedProfile: ...


def _answer(job: tuple) -> tuple[str, str]:
    """One validation in the worker: ``(status, N-Triples report or message)``."""
    which, triples, keep = job  # which: a profile's serial, or SentShapes
    try:
        loaded = _LOADED[which] if isinstance(which, int) else which.load()
        with loaded.data_graph(triples) as work:
            result = validate(
                work,
                loaded.shapes,
                inference=loaded.profile.inference,
                inplace=True,
            )
        if keep is not None:
            _keep_focus(result.report, keep)
        return ("ok", result.report.serialize(format="nt"))
    except ShapesError as exc:
        return ("shapes", str(exc))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        # pySHACL failing on shapes sent with the job (a user's own): the shapes' fault
        status = "error" if isinstance(which, int) else "shapes"
        return (status, f"{type(exc).__name__}: {exc}")


def _serve(parent: int, conn) -> None:  # runs in the worker process
    _detach(conn.fileno())
    # Everything inherited from the parent goes to the permanent generation: a collection
    # here then never walks (and so never copies, page by page) the parent's whole heap.
    gc.freeze()
    while True:  # ends when the parent closes the pipe, kills the worker or is gone
        try:
            if not conn.poll(1.0):
                if os.getppid() != parent:
                    return
                continue
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_answer(job))


def _detach(keep: int) -> None:
    """Point every inherited descriptor but stdio and ``keep`` at /dev/null.

    A worker lives on beside its parent: it must not hold the server's listening socket,
    the store's files or the other workers' pipes open. Pointing them at /dev/null, rather
    than closing them, leaves no free number behind for an inherited file object to
    write to by mistake.
    """
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    null = os.open(os.devnull, os.O_RDWR)
    for fd in fds:
        if fd > 2 and fd not in (keep, null):
            try:
                os.dup2(null, fd)
            except OSError:
                pass  # the listing's own descriptor, already closed
    os.close(null)


#: The loaded profiles a worker may be asked for, by serial (filled before each fork).
_LOADED: weakref.WeakValueDictionary[int, LoadedProfile] = weakref.WeakValueDictionary()
_LOADED_LOCK = threading.Lock()  # services in other threads register and fork too


class _Worker(PipedProcess):
    """A validation process forked from this one: it knows the profiles loaded before."""

    def __init__(self) -> None:
        with _LOADED_LOCK:
            self.serials = frozenset(_LOADED.keys())
        self.born = time.monotonic()
        super().__init__(multiprocessing.get_context("fork"), _serve, os.getpid())


class Workers:
    """Validation worker processes, forked on demand and kept for the next documents.

    A worker is forked after the profiles are loaded, so it starts with them parsed and
    prepared (:class:`~kg.validation.profiles.LoadedProfile`); each document's data goes to it over a
    pipe and its SHACL report comes back. A worker that runs past the time limit is killed
    (its CPU is freed at once) and replaced on the next demand. One document at a time
    per worker: a busy pool forks another. At most :attr:`MAX_IDLE` stay idle; a worker
    older than :attr:`MAX_AGE` seconds, or forked before the profile was (re)loaded, is
    replaced — a forked process keeps the pages its parent has since changed, so an old
    one would hold on to memory the server no longer uses.
    """

    MAX_IDLE = 2
    MAX_AGE = 300.0

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def _take(self, loaded: LoadedProfile | SentShapes) -> _Worker:
        stale = []
        if loaded.serial is not None:
            with _LOADED_LOCK:
                _LOADED[loaded.serial] = loaded
        with self._lock:
            usable = None
            while self._idle and usable is None:  # bounded: each idle worker once
                worker = self._idle.pop()
                if (
                    (loaded.serial is None or loaded.serial in worker.serials)
                    and time.monotonic() - worker.born < self.MAX_AGE
                    and worker.process.is_alive()
                ):
                    usable = worker
                else:
                    stale.append(worker)
        for worker in stale:
            worker.kill()
        return usable if usable is not None else _Worker()  # forked outside the lock

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if len(self._idle) < self.MAX_IDLE:
                self._idle.append(worker)
                return
        worker.kill()

    def run(
        self,
        data: Graph,
        loaded: LoadedProfile | SentShapes,
        timeout: float | None,
        keep: dict | None = None,
    ) -> Graph:
        """pySHACL on ``data`` in a worker, killed after ``timeout`` seconds.

        ``keep``: the focus nodes (rdflib terms of ``data``) whose results are kept, each
        with None (all) or the paths kept (see :func:`_keep_focus`); None keeps every
        result. Shapes sent with the job (``serial`` None) go down the pipe themselves.
        """
        worker = self._take(loaded)
        which = loaded if loaded.serial is None else loaded.serial
        try:
            worker.conn.send((which, list(data), keep))
            if not worker.conn.poll(timeout):
                raise ValidationTimeout(
                    f"the validation ran longer than {timeout:g} s and was stopped"
                )
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            worker.kill()
            raise ShapesError("the validation process ended without an answer") from None
        except BaseException:
            worker.kill()
            raise
        self._give_back(worker)
        if status == "shapes":
            raise ShapesError(payload)
        if status != "ok":
            raise RuntimeError(f"validation failed: {payload}")
        report = Graph()
        report.parse(data=payload, format="nt")
        return report

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


def _keep_focus(report: Graph, keep: dict) -> None:
    """Keep the results about ``keep``'s focus nodes (rdflib terms): all of them where the
    focus maps to None, else only those whose path is one of its paths."""
    for result in list(report.subjects(RDF.type, SH.ValidationResult)):
        focus = report.value(result, SH.focusNode)
        paths = keep.get(focus, ())
        if paths is not None and report.value(result, SH.resultPath) not in paths:
            for report_node in report.subjects(SH.result, result):
                report.remove((report_node, SH.result, result))
            _remove_tree(report, result)
    conforms = not any(
        report.value(r, SH.resultSeverity) == SH.Violation
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))


def _remove_tree(graph: Graph, node) -> None:
    for _, p, o in list(graph.triples((node, None, None))):
        graph.remove((node, p, o))
        if isinstance(o, BNode) and p != SH.focusNode and p != SH.value:
            _remove_tree(graph, o)
