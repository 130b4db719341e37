"""``/sparql``: the SPARQL 1.1 Protocol, query and update operations.

Query by GET (``?query=``), POST form (``application/x-www-form-urlencoded``) or
POST direct (``application/sparql-query``); update by POST form (``update=``) or
POST direct (``application/sparql-update``), with a bearer token. The dataset
of a query can be set with ``default-graph-uri`` / ``named-graph-uri``.
SELECT/ASK answer SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE answer
Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML, by ``Accept`` or by a
``format`` parameter. ``GET /sparql`` without a query answers the service
description. Every ``SERVICE`` endpoint is checked against the allowlist first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from api.auth import require_write
from api.context import get_settings, get_store
from api.description import endpoint_url, graph_response, service_description
from api.errors import ApiError, bad_request, unsupported_media_type
from api.metrics import get_metrics
from api.negotiation import choose_format
from kg import formats
from kg.federation import ServiceRefused, check_services
from kg.store import QuerySyntaxError
from kg.workers import QueryPool, QueryTimeout, Task, WorkerError

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")
UPDATE_DATASET_PARAMETERS = ("using-graph-uri", "using-named-graph-uri")
#: Set (to the row limit) when a result was cut at KG_MAX_ROWS.
TRUNCATED_HEADER = "KG-Results-Truncated"


@dataclass
class Operation:
    kind: str  # "query" | "update" | "description"
    text: str = ""
    params: dict[str, list[str]] = field(default_factory=dict)

    def iris(self, name: str) -> list[ox.NamedNode] | None:
        values = self.params.get(name)
        if not values:
            return None
        try:
            return [ox.NamedNode(v) for v in values]
        except ValueError:
            raise bad_request(f"'{name}' must be absolute IRIs, got {values!r}") from None


def _body_text() -> str:
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"the request body is not UTF-8: {exc}") from None


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    if len(values) > 1:
        raise bad_request(f"exactly one '{name}' parameter is allowed")
    return values[0]


def _operation() -> Operation:
    """What the request asks for, read per the SPARQL 1.1 Protocol."""
    url_params = {k: request.args.getlist(k) for k in request.args}
    if request.method == "GET":
        if "update" in url_params:
            raise ApiError(405, "SPARQL updates must be POSTed", {"Allow": "POST"})
        if "query" not in url_params:
            return Operation("description")
        return Operation("query", _one(url_params, "query"), url_params)
    mimetype = request.mimetype
    if mimetype == FORM:
        params = parse_qs(_body_text(), keep_blank_values=True)
        if "query" in params and "update" in params:
            raise bad_request("a request carries either 'query' or 'update', not both")
        for kind in ("query", "update"):
            if kind in params:
                return Operation(kind, _one(params, kind), params)
        raise bad_request("missing 'query' or 'update' parameter")
    if mimetype in (QUERY, UPDATE):
        kind = "query" if mimetype == QUERY else "update"
        return Operation(kind, _body_text(), url_params)
    raise unsupported_media_type(
        f"POST a query as {FORM} or {QUERY}, an update as {FORM} or {UPDATE}; "
        f"not {mimetype or 'no media type'}"
    )


def _choose_format(kind: str, params: dict[str, list[str]]) -> formats.Format:
    return choose_format(kind, (params.get("format") or [None])[0])


def _check_services(text: str, *, is_update: bool) -> None:
    try:
        check_services(text, get_settings(), is_update=is_update)
    except ServiceRefused as exc:
        raise ApiError(403, str(exc)) from None


class Saturated(ApiError):
    def __init__(self) -> None:
        super().__init__(503, "too many queries running; retry shortly", {"Retry-After": "1"})


def _slots() -> threading.BoundedSemaphore:
    return current_app.extensions["kg.query_slots"]


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    op = _operation()
    if op.kind == "description":
        return graph_response(service_description(endpoint_url(), get_settings()))
    if op.kind == "update":
        return _update(op)
    return _query(op)


def _query(op: Operation) -> Response:
    _check_services(op.text, is_update=False)
    slots = _slots()
    metrics = get_metrics()
    if not slots.acquire(blocking=False):
        metrics.event("query_rejections")
        raise Saturated()
    metrics.query_started()
    try:
        pool: QueryPool | None = current_app.extensions.get("kg.query_pool")
        body, fmt, truncated = _run_in_pool(pool, op) if pool is not None else _run_here(op)
    except QuerySyntaxError as exc:
        raise bad_request(f"malformed SPARQL query: {exc}") from None
    except QueryTimeout as exc:
        metrics.event("query_timeouts")
        raise ApiError(503, str(exc), {"Retry-After": "5"}) from None
    except OSError as exc:  # pyoxigraph reports evaluation and SERVICE failures this way
        raise ApiError(502 if "SERVICE" in str(exc).upper() else 500, str(exc)) from None
    finally:
        metrics.query_finished()
        slots.release()
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    if truncated:
        response.headers[TRUNCATED_HEADER] = str(get_settings().max_rows)
    return response


def _run_here(op: Operation) -> tuple[bytes, formats.Format, bool]:
    """In the server's thread (memory stores): no hard time limit."""
    result = get_store().query(
        op.text,
        default_graph=op.iris("default-graph-uri"),
        named_graphs=op.iris("named-graph-uri"),
    )
    fmt = _choose_format(formats.result_kind(result), op.params)
    body, truncated = formats.serialize_limited(result, fmt, get_settings().max_rows)
    return body, fmt, truncated


def _run_in_pool(pool: QueryPool, op: Operation) -> tuple[bytes, formats.Format, bool]:
    """In a worker process that is killed at the timeout (on-disk stores)."""
    chosen: dict[str, formats.Format | ApiError] = {}
    for kind in ("solutions", "graph"):
        try:
            chosen[kind] = _choose_format(kind, op.params)
        except ApiError as exc:
            chosen[kind] = exc

    def name(kind: str) -> str | None:
        fmt = chosen[kind]
        return fmt.name if isinstance(fmt, formats.Format) else None

    graphs = {k: op.iris(k) for k in DATASET_PARAMETERS}
    task = Task(
        text=op.text,
        default_graph=_values(graphs["default-graph-uri"]),
        named_graphs=_values(graphs["named-graph-uri"]),
        solutions_format=name("solutions"),
        graph_format=name("graph"),
        generation=get_store().generation,
        max_rows=get_settings().max_rows,
    )
    try:
        answer = pool.run(task)
    except WorkerError as exc:
        if exc.kind == "syntax":
            raise QuerySyntaxError(str(exc)) from None
        raise ApiError(502 if "SERVICE" in str(exc).upper() else 500, str(exc)) from None
    fmt = chosen[answer.kind]
    if isinstance(fmt, ApiError):
        raise fmt
    return answer.body, fmt, answer.truncated


def _values(nodes: list[ox.NamedNode] | None) -> tuple[str, ...] | None:
    return tuple(n.value for n in nodes) if nodes is not None else None


def _update(op: Operation) -> Response:
    require_write()
    for name in UPDATE_DATASET_PARAMETERS:
        if op.params.get(name):
            raise bad_request(f"'{name}' is not supported; put USING / WITH in the update")
    _check_services(op.text, is_update=True)
    try:
        get_store().update(op.text)
    except QuerySyntaxError as exc:
        raise bad_request(f"malformed SPARQL update: {exc}") from None
    return Response(status=204)
