"""Running a query under the service's limits, for every endpoint that runs one.

One path for ``/sparql`` and the named queries (``/queries/<name>``):

- every ``SERVICE`` endpoint is checked first (:func:`kg.sparql.service.check_services`),
  refused with 403, then asked ``ASK {}``: unreachable is 502, or under ``SERVICE SILENT``
  a partial answer named in the ``KG-Partial`` header (:mod:`kg.sparql.probe`);
- at most ``KG_MAX_CONCURRENT_QUERIES`` queries run at once (``kg.query_slots``),
  more are answered 503 with ``Retry-After``;
- with an on-disk store the query runs in a worker process killed at
  ``KG_QUERY_TIMEOUT`` (``kg.query_pool``; 503 with ``Retry-After``) or when it holds
  more than ``KG_QUERY_MEMORY_MB`` (503), with a memory store in this thread;
- at most ``KG_MAX_ROWS`` solutions or triples are read; a page (offset, limit) of
  them is serialised, and the total counted up to that cap;
- malformed SPARQL is 400, evaluation failures 500 (502 when a SERVICE failed).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox
from flask import after_this_request, current_app

from api.context import get_settings, get_store
from api.errors import ApiError, bad_request
from api.metrics import get_metrics
from kg.errors import QuerySyntaxError, QueryTimeout, QueryTooLarge, ServiceRefused
from kg.sparql import formats
from kg.sparql.guards import check_nesting
from kg.sparql.probe import PARTIAL_HEADER, bind_service_endpoints, probe, services
from kg.sparql.rewrite import bind
from kg.sparql.service import check_services, service_endpoints
from kg.sparql.workers import QueryPool, Task, WorkerError
from kg.store.base import Term

#: Set (to the row limit) when a result was cut at KG_MAX_ROWS.
TRUNCATED_HEADER = "KG-Results-Truncated"

#: The format to answer in, per result kind ("solutions", "graph"), or the error
#: (typically 406) to raise if the query turns out to be of that kind.
Choice = Mapping[str, formats.Format | ApiError]


@dataclass(frozen=True)
class Outcome:
    kind: str  # "solutions" | "graph"
    format: formats.Format
    body: bytes
    truncated: bool  # the result had more than KG_MAX_ROWS items
    total: int | None  # items in the result; None when truncated (or ASK)


class Saturated(ApiError):
    def __init__(self) -> None:
        super().__init__(503, "too many queries running; retry shortly", {"Retry-After": "1"})


def check_service_clauses(text: str, *, is_update: bool) -> None:
    try:
        check_services(text, get_settings(), is_update=is_update)
    except ServiceRefused as exc:
        raise ApiError(403, str(exc)) from None


def _probe_services(text: str) -> None:
    """Ask each (allowed) SERVICE endpoint first: an unreachable one is a 502 naming it, or,
    under SERVICE SILENT, a partial answer named in the ``KG-Partial`` header."""
    endpoints = service_endpoints(text, is_update=False)  # memoised per text
    if not endpoints:
        return  # no SERVICE clause: nothing to ask, and no need to read the text again
    found = services(text, endpoints)
    if not found:
        return
    timeout = min(5.0, get_settings().query_timeout)
    down = probe([s.endpoint for s in found], timeout)
    for s in found:
        if s.endpoint in down and not s.silent:
            raise ApiError(502, f"SERVICE <{s.endpoint}> failed: {down[s.endpoint]}")
    if down:
        partial = ", ".join(f"<{e}> {why}" for e, why in down.items())

        @after_this_request
        def _signal(response):
            response.headers[PARTIAL_HEADER] = partial
            return response


def _slots() -> threading.BoundedSemaphore:
    return current_app.extensions["kg.query_slots"]


def run_query(
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
    ``VALUES`` block (:func:`kg.sparql.rewrite.bind`) that cannot hold a ``SERVICE`` — except that
    ``SERVICE ?param`` is first given the IRI bound to ``?param``
    (:func:`kg.sparql.probe.bind_service_endpoints`), so the check sees that endpoint.
    SERVICE endpoints are then asked first (:func:`_probe_services`).
    """
    text = bind_service_endpoints(text, bindings)  # SERVICE ?param → the bound IRI
    check_service_clauses(text, is_update=False)
    try:
        check_nesting(text)  # before a worker (or this process) parses it
    except QuerySyntaxError as exc:
        raise bad_request(f"malformed SPARQL query: {exc}") from None
    _probe_services(text)
    slots = _slots()
    metrics = get_metrics()
    if not slots.acquire(blocking=False):
        metrics.event("query_rejections")
        raise Saturated()
    metrics.query_started()
    try:
        pool: QueryPool | None = current_app.extensions.get("kg.query_pool")
        run = _run_in_pool if pool is not None else _run_here
        return run(
            text,
            choice,
            bindings=bindings or {},
            default_graph=default_graph,
            named_graphs=named_graphs,
            offset=offset,
            limit=limit,
        )
    except QuerySyntaxError as exc:
        raise bad_request(f"malformed SPARQL query: {exc}") from None
    except QueryTimeout as exc:
        metrics.event("query_timeouts")
        raise ApiError(503, str(exc), {"Retry-After": "5"}) from None
    except QueryTooLarge as exc:
        metrics.event("query_memory_stops")
        raise ApiError(503, str(exc)) from None
    except OSError as exc:  # pyoxigraph reports evaluation and SERVICE failures this way
        raise ApiError(502 if "SERVICE" in str(exc).upper() else 500, str(exc)) from None
    finally:
        metrics.query_finished()
        slots.release()


def _chosen(choice: Choice, kind: str) -> formats.Format:
    fmt = choice[kind]
    if isinstance(fmt, ApiError):
        raise fmt
    return fmt


def _run_here(
    text: str,
    choice: Choice,
    *,
    bindings: Mapping[str, Term],
    default_graph: list[ox.NamedNode] | None,
    named_graphs: list[ox.NamedNode] | None,
    offset: int,
    limit: int | None,
) -> Outcome:
    """In the server's thread (memory stores): no hard time limit."""
    result = get_store().query(
        text, bindings, default_graph=default_graph, named_graphs=named_graphs
    )
    try:
        kind = formats.result_kind(result)
        fmt = _chosen(choice, kind)
        body, truncated, total = formats.serialize_page(
            result, fmt, get_settings().max_rows, offset=offset, limit=limit
        )
    finally:
        # pyoxigraph results must be freed by the thread that made them; an exception's
        # traceback would otherwise keep this frame's reference for the cyclic collector,
        # which may run in any thread.
        del result
    return Outcome(kind, fmt, body, truncated, total)


def _run_in_pool(
    text: str,
    choice: Choice,
    *,
    bindings: Mapping[str, Term],
    default_graph: list[ox.NamedNode] | None,
    named_graphs: list[ox.NamedNode] | None,
    offset: int,
    limit: int | None,
) -> Outcome:
    """In a worker process that is killed at the timeout (on-disk stores).

    The bindings travel bound into the text, as the store binds them (:func:`kg.sparql.rewrite.bind`).
    """

    def name(kind: str) -> str | None:
        fmt = choice.get(kind)
        return fmt.name if isinstance(fmt, formats.Format) else None

    task = Task(
        text=bind(text, bindings),
        default_graph=_values(default_graph),
        named_graphs=_values(named_graphs),
        solutions_format=name("solutions"),
        graph_format=name("graph"),
        generation=get_store().generation,
        max_rows=get_settings().max_rows,
        offset=offset,
        limit=limit,
    )
    pool: QueryPool = current_app.extensions["kg.query_pool"]
    try:
        answer = pool.run(task)
    except WorkerError as exc:
        if exc.kind == "syntax":
            raise QuerySyntaxError(str(exc)) from None
        raise ApiError(502 if "SERVICE" in str(exc).upper() else 500, str(exc)) from None
    fmt = _chosen(choice, answer.kind)
    return Outcome(answer.kind, fmt, answer.body, answer.truncated, answer.total)


def _values(nodes: list[ox.NamedNode] | None) -> tuple[str, ...] | None:
    return tuple(n.value for n in nodes) if nodes is not None else None
