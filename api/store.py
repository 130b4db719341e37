"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (indirect graph identification).

``?graph=<absolute IRI>`` names a named graph, ``?default`` the store's real default
graph (not the union of named graphs that ``/sparql`` queries see); exactly one of them.

- GET/HEAD: the graph as Turtle (default), N-Triples, JSON-LD or RDF/XML by ``Accept``;
  404 for a named graph that does not exist.
- PUT: replace the graph with the body; POST: merge the body into it. The body is
  parsed completely before the store is touched (a malformed body changes nothing),
  then written in one transaction. 201 when this created the graph, 204 otherwise.
- DELETE: drop the graph; 204, or 404 for a named graph that does not exist.

Writes need the bearer token (``require_write``). Named graph IRIs reach the store only
as validated ``NamedNode`` objects through ``replace_graph``/``load``/``query``; the
default graph is written by SPARQL Update built from pyoxigraph-serialised terms only.
The store keeps no empty named graphs: a graph emptied by PUT or DELETE no longer exists.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, request

from api.http.auth import require_write
from api.http.context import get_store
from api.http.errors import ApiError, as_api_error, bad_request, unsupported_media_type
from api.http.openapi import errors, rdf_content, ref
from api.http.rdf import choose_graph_format, graph_response
from kg.errors import QuerySyntaxError, ReadOnlyError
from kg.rdf_guards import check_input
from kg.sparql import formats
from kg.store.base import STAGING_PREFIX, Store
from kg.store.updates import has_triple_term, in_graph, insert_data

bp = Blueprint("store", __name__)

Target = ox.NamedNode | ox.DefaultGraph

#: What PUT and POST accept, by Content-Type (GET answers every graph format).
PARSERS: dict[str, ox.RdfFormat] = {
    formats.BY_NAME[name].media_type: formats.BY_NAME[name].rdf
    for name in ("turtle", "ntriples", "jsonld", "rdfxml")
}

_ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _target() -> Target:
    """The graph the request names: ``?graph=IRI`` or ``?default``, exactly one."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if default and graphs:
        raise bad_request("use either 'graph' or 'default', not both")
    if default:
        return ox.DefaultGraph()
    if not graphs:
        raise bad_request("name a graph: '?graph=<absolute IRI>' or '?default'")
    if len(graphs) > 1:
        raise bad_request("exactly one 'graph' parameter is allowed")
    try:
        graph = ox.NamedNode(graphs[0])
    except ValueError as exc:
        raise bad_request(f"'graph' must be an absolute IRI ({graphs[0]!r}: {exc})") from None
    if graph.value.startswith(STAGING_PREFIX):
        raise bad_request(f"graph IRIs starting with {STAGING_PREFIX} are reserved")
    return graph


def _exists(store: Store, graph: Target) -> bool:
    """A named graph exists when the store lists it; the default graph when it has triples."""
    if isinstance(graph, ox.DefaultGraph):
        return bool(store.query("ASK { ?s ?p ?o }", default_graph=[graph]))
    return graph in store.named_graphs()


def _not_found(graph: ox.NamedNode) -> ApiError:
    return ApiError(404, f"no graph named <{graph.value}>")


def _body_triples(graph: Target) -> list[ox.Triple]:
    """Parse the whole request body (blank nodes renamed apart from the store's)."""
    mimetype = request.mimetype
    fmt = PARSERS.get(mimetype)
    if fmt is None:
        raise unsupported_media_type(
            f"send the graph as {', '.join(PARSERS)}, not {mimetype or 'no media type'}"
        )
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise unsupported_media_type(f"RDF bodies must be UTF-8, not {charset}")
    body = request.get_data(cache=False)
    # Relative IRIs resolve against the named graph's IRI; the default graph has no base.
    base = graph.value if isinstance(graph, ox.NamedNode) else None
    try:
        check_input(body, fmt)
        quads = ox.parse(
            body,
            format=fmt,
            base_iri=base,
            without_named_graphs=True,
            rename_blank_nodes=True,
        )
        return [quad.triple for quad in quads]
    except (SyntaxError, ValueError) as exc:
        raise bad_request(f"malformed {mimetype} body: {exc}") from None


def _insert_data(triples: list[ox.Triple]) -> str:
    """An ``INSERT DATA`` operation for the default graph, from serialised terms only."""
    if has_triple_term(triples):
        raise bad_request("triple terms cannot be stored in the default graph")
    return insert_data(in_graph(triples, ox.DefaultGraph()))


def _update_default(store: Store, text: str) -> None:
    try:
        store.update(text)
    except QuerySyntaxError as exc:
        raise bad_request(f"the body cannot be stored in the default graph: {exc}") from None


def _no_content(status: int) -> Response:
    response = Response(status=status)
    del response.headers["Content-Type"]
    return response


def _write(replace: bool) -> Response:
    require_write()
    graph = _target()
    triples = _body_triples(graph)
    store = get_store()
    existed = _exists(store, graph)
    try:
        if isinstance(graph, ox.DefaultGraph):
            text = _insert_data(triples)
            _update_default(store, f"DROP SILENT DEFAULT ;\n{text}" if replace else text)
        elif replace:
            store.replace_graph(graph, triples)
        else:
            store.load(triples, graph)
    except ReadOnlyError as exc:
        raise as_api_error(exc) from None
    return _no_content(201 if not existed and triples else 204)


@bp.route("/store", methods=["GET"])
def get_graph() -> Response:
    graph = _target()
    store = get_store()
    if isinstance(graph, ox.NamedNode) and not _exists(store, graph):
        raise _not_found(graph)
    # By Accept only: GET /store has never read its documented 'format' parameter.
    fmt = choose_graph_format()
    return graph_response(store.query(_ALL_TRIPLES, default_graph=[graph]), fmt)


@bp.route("/store", methods=["PUT"])
def put_graph() -> Response:
    return _write(replace=True)


@bp.route("/store", methods=["POST"])
def post_graph() -> Response:
    return _write(replace=False)


@bp.route("/store", methods=["DELETE"])
def delete_graph() -> Response:
    require_write()
    graph = _target()
    store = get_store()
    try:
        if isinstance(graph, ox.DefaultGraph):
            _update_default(store, "DROP SILENT DEFAULT")
        elif not _exists(store, graph):
            raise _not_found(graph)
        else:
            # Replacing with nothing drops the graph, atomically.
            store.replace_graph(graph, [])
    except ReadOnlyError as exc:
        raise as_api_error(exc) from None
    return _no_content(204)


_TARGET = [
    {
        "name": "graph",
        "in": "query",
        "description": "The named graph (an absolute IRI); give it or 'default'",
        "schema": {"type": "string", "format": "iri"},
    },
    {
        "name": "default",
        "in": "query",
        "description": "The store's own default graph (a flag, no value)",
        "schema": {"type": "string", "enum": [""]},
        "allowEmptyValue": True,
    },
]
_BODY = {
    "required": True,
    "content": {media_type: {"schema": {"type": "string"}} for media_type in PARSERS},
}
_WRITE_ERRORS = errors(
    {400: "No graph named, a bad IRI, or a malformed body (with its position)"},
    401,
    403,
    413,
    415,
)


def _write_operation(what: str, done: str) -> dict[str, Any]:
    return {
        "summary": f"Graph Store: {what} (token)",
        "tags": ["sparql"],
        "requestBody": _BODY,
        "security": [{"bearer": []}],
        "responses": {
            "201": {"description": "The graph was created"},
            "204": {"description": done},
            **_WRITE_ERRORS,
        },
    }


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/store": {
        "parameters": _TARGET,
        "get": {
            "summary": "Graph Store: read a graph",
            "tags": ["sparql"],
            "parameters": [ref("parameters", "GraphFormat")],
            "responses": {
                "200": {"description": "The graph (Turtle by default)", "content": rdf_content()},
                **errors({400: "No graph named, or a bad IRI", 404: "No such named graph"}, 406),
            },
        },
        "put": _write_operation("replace a graph with the body", "The graph was replaced"),
        "post": _write_operation("merge the body into a graph", "The triples were added"),
        "delete": {
            "summary": "Graph Store: drop a graph (token)",
            "tags": ["sparql"],
            "security": [{"bearer": []}],
            "responses": {
                "204": {"description": "The graph was dropped"},
                **errors(
                    {400: "No graph named, or a bad IRI", 404: "No such named graph"}, 401, 403
                ),
            },
        },
    }
}
