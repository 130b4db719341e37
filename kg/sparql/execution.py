"""Running a query under every limit, for every caller: the HTTP routes and the CLI.

One path for ``/sparql``, the named queries (``/queries/<name>``), the query page and
``kg query`` / ``kg queries run``:

- every ``SERVICE`` endpoint is checked first (:func:`kg.sparql.service.check_services`:
  :class:`~kg.errors.ServiceRefused`), then asked ``ASK {}``: an unreachable one is
  :class:`~kg.errors.ServiceFailed`, or under ``SERVICE SILENT`` a partial answer named in
  :attr:`Outcome.partial` (:mod:`kg.sparql.probe`);
- the text's nesting and size are checked before any parser runs
  (:func:`kg.sparql.guards.check_nesting`);
- at most ``KG_MAX_CONCURRENT_QUERIES`` queries run at once; more are
  :class:`~kg.errors.Saturated`;
- with an on-disk store the query runs in a worker process killed at
  ``KG_QUERY_TIMEOUT`` (:class:`~kg.errors.QueryTimeout`) or when it holds more than
  ``KG_QUERY_MEMORY_MB`` (:class:`~kg.errors.QueryTooLarge`); with a memory store in the
  caller's thread;
- at most ``KG_MAX_ROWS`` solutions or triples are read; a page (offset, limit) of them is
  serialised, and the total counted up to that cap;
- malformed SPARQL is :class:`~kg.errors.QuerySyntaxError`, an evaluation failure
  :class:`~kg.errors.QueryFailed` (:class:`~kg.errors.ServiceFailed` when a SERVICE failed).

Callers map these errors to what they speak: HTTP statuses (``api/http/errors.py``) or
the CLI's exit codes.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pyoxigraph as ox

from kg.errors import (
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    Saturated,
    ServiceFailed,
)
from kg.sparql import formats
from kg.sparql.guards import check_nesting
from kg.sparql.probe import bind_service_endpoints, probe, services
from kg.sparql.rewrite import Term, bind
from kg.sparql.service import check_services, service_endpoints
from kg.sparql.workers import QueryPool, Task, WorkerError
from kg.store.base import Store

#: The format to answer in, per result kind ("solutions", "graph"), or the exception to
#: raise (e.g. the HTTP layer's 406) if the query turns out to be of that kind.
Choice = Mapping[str, formats.Format | Exception]


@dataclass(frozen=True)
class Outcome:
    kind: str  # "solutions" | "graph"
    format: formats.Format
    body: bytes
    truncated: bool  # the result had more than KG_MAX_ROWS items
    total: int | None  # items in the result; None when truncated (or ASK)
    partial: str | None = None  # SERVICE SILENT endpoints that were down, and why


class Events(Protocol):
    """What the executor reports (the API's metrics); every method may do nothing."""

    def event(self, name: str) -> None: ...

    def query_started(self) -> None: ...

    def query_finished(self) -> None: ...


class _NoEvents:
    def event(self, name: str) -> None:
        pass

    def query_started(self) -> None:
        pass

    def query_finished(self) -> None:
        pass


class Executor:
    """Runs queries over ``store`` under the limits of ``settings``.

    An on-disk store gets a pool of worker processes (``KG_QUERY_WORKERS``), so that a
    query past ``KG_QUERY_TIMEOUT`` is killed; ``close()`` stops them.
    """

    def __init__(self, store: Store, settings: Any, *, events: Events | None = None):
        self.store = store
        self.settings = settings
        self.events: Events = events or _NoEvents()
        self.slots = threading.BoundedSemaphore(settings.max_concurrent_queries)
        path = getattr(store, "path", None)
        self.pool: QueryPool | None = None
        if path is not None:
            self.pool = QueryPool(
                str(path),
                settings.query_workers,
                settings.query_timeout,
                max_memory=settings.query_memory_mb * 2**20,
            )

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def check_services(self, text: str, *, is_update: bool) -> None:
        """Raise :class:`~kg.errors.ServiceRefused` unless every SERVICE may be called."""
        check_services(text, self.settings, is_update=is_update)

    def run(
        self,
        text: str,
        choice: Choice,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> Outcome:
        """Run ``text`` with typed ``bindings`` under every limit; one page of its result.

        The SERVICE check reads ``text`` alone: bindings are RDF terms, rendered as a
        ``VALUES`` block (:func:`kg.sparql.rewrite.bind`) that cannot hold a ``SERVICE`` —
        except that ``SERVICE ?param`` is first given the IRI bound to ``?param``
        (:func:`kg.sparql.probe.bind_service_endpoints`), so the check sees that endpoint.
        """
        text = bind_service_endpoints(text, bindings)  # SERVICE ?param → the bound IRI
        self.check_services(text, is_update=False)
        check_nesting(text)  # before a worker (or this process) parses it
        partial = self._probe_services(text)
        if not self.slots.acquire(blocking=False):
            self.events.event("query_rejections")
            raise Saturated("too many queries running; retry shortly")
        self.events.query_started()
        try:
            run = self._run_in_pool if self.pool is not None else self._run_here
            dataset = dict(default_graph=default_graph, named_graphs=named_graphs)
            outcome = run(text, choice, bindings or {}, dataset, offset, limit)
        except QueryTimeout:
            self.events.event("query_timeouts")
            raise
        except QueryTooLarge:
            self.events.event("query_memory_stops")
            raise
        except OSError as exc:  # pyoxigraph reports evaluation and SERVICE failures so
            raise _failure(str(exc)) from None
        finally:
            self.events.query_finished()
            self.slots.release()
        if partial:
            outcome = dataclasses.replace(outcome, partial=partial)
        return outcome

    def _probe_services(self, text: str) -> str | None:
        """Ask each (allowed) SERVICE endpoint first: an unreachable one fails the query,
        or, under SERVICE SILENT, makes the answer partial (the endpoints and why)."""
        endpoints = service_endpoints(text, is_update=False)  # memoised per text
        if not endpoints:
            return None  # no SERVICE clause: nothing to ask
        found = services(text, endpoints)
        if not found:
            return None
        down = probe([s.endpoint for s in found], min(5.0, self.settings.query_timeout))
        for s in found:
            if s.endpoint in down and not s.silent:
                raise ServiceFailed(f"SERVICE <{s.endpoint}> failed: {down[s.endpoint]}")
        return ", ".join(f"<{e}> {why}" for e, why in down.items()) or None

    def _run_here(self, text, choice, bindings, dataset, offset, limit) -> Outcome:
        """In the caller's thread (memory and remote stores): no hard time limit here."""
        result = self.store.query(text, bindings, **dataset)
        try:
            kind = formats.result_kind(result)
            fmt = _chosen(choice, kind)
            body, truncated, total = formats.serialize_page(
                result, fmt, self.settings.max_rows, offset=offset, limit=limit
            )
        finally:
            # pyoxigraph results must be freed by the thread that made them; an exception's
            # traceback would otherwise keep this frame's reference for the cyclic
            # collector, which may run in any thread.
            del result
        return Outcome(kind, fmt, body, truncated, total)

    def _run_in_pool(self, text, choice, bindings, dataset, offset, limit) -> Outcome:
        """In a worker process that is killed at the timeout (on-disk stores). The
        bindings travel bound into the text, as the store binds them."""

        def name(kind: str) -> str | None:
            fmt = choice.get(kind)
            return fmt.name if isinstance(fmt, formats.Format) else None

        task = Task(
            text=bind(text, bindings),
            default_graph=_values(dataset["default_graph"]),
            named_graphs=_values(dataset["named_graphs"]),
            solutions_format=name("solutions"),
            graph_format=name("graph"),
            generation=self.store.generation,
            max_rows=self.settings.max_rows,
            offset=offset,
            limit=limit,
        )
        try:
            answer = self.pool.run(task)
        except WorkerError as exc:
            if exc.kind == "syntax":
                raise QuerySyntaxError(str(exc)) from None
            raise _failure(str(exc)) from None
        fmt = _chosen(choice, answer.kind)
        return Outcome(answer.kind, fmt, answer.body, answer.truncated, answer.total)


def _failure(message: str) -> QueryFailed:
    return (ServiceFailed if "SERVICE" in message.upper() else QueryFailed)(message)


def _chosen(choice: Choice, kind: str) -> formats.Format:
    fmt = choice[kind]
    if isinstance(fmt, Exception):
        raise fmt
    return fmt


def _values(nodes: list[ox.NamedNode] | None) -> tuple[str, ...] | None:
    return tuple(n.value for n in nodes) if nodes is not None else None
