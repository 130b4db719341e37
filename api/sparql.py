"""``/sparql``: the SPARQL 1.1 Protocol, query and update operations.

Query by GET (``?query=``), POST form (``application/x-www-form-urlencoded``) or
POST direct (``application/sparql-query``); update by POST form (``update=``) or
POST direct (``application/sparql-update``), with a bearer token. The dataset
of a query can be set with ``default-graph-uri`` / ``named-graph-uri``, that of
an update's WHERE clauses with ``using-graph-uri`` / ``using-named-graph-uri``
(rejected, as the protocol says, when the update has USING or WITH itself).
SELECT/ASK answer SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE answer
Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML, by ``Accept`` or by a
``format`` parameter. ``GET /sparql`` without a query answers the service
description (:func:`kg.records.service.service_description`), also served at
``GET /sparql/description``. Every ``SERVICE`` endpoint is checked against the allowlist
first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from flask import Blueprint, Response, request

from api.http.auth import require_write
from api.http.context import get_settings, get_store
from api.http.errors import ApiError, bad_request, unsupported_media_type
from api.http.execution import TRUNCATED_HEADER, check_service_clauses, run_query
from api.http.negotiation import format_offers, negotiate
from api.http.openapi import errors, rdf_content, rdf_operation, ref, results_content
from api.http.rdf import choose_graph_format, endpoint_url, graph_response
from kg.errors import QuerySyntaxError
from kg.records.service import service_description
from kg.sparql import formats
from kg.sparql.rewrite import UpdateDatasetConflict, with_update_dataset

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")
UPDATE_DATASET_PARAMETERS = ("using-graph-uri", "using-named-graph-uri")


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


def _choice(kind: str, params: dict[str, list[str]]) -> formats.Format | ApiError:
    """The format for a result of ``kind``, or the 406 to raise if the result is of it."""
    try:
        return negotiate(format_offers(kind), (params.get("format") or [None])[0]).format
    except ApiError as exc:
        return exc


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    op = _operation()
    if op.kind == "description":
        triples = service_description(endpoint_url(), get_settings(), get_store())
        return graph_response(triples, choose_graph_format(request.args.get("format")))
    if op.kind == "update":
        return _update(op)
    return _query(op)


def _query(op: Operation) -> Response:
    outcome = run_query(
        op.text,
        {kind: _choice(kind, op.params) for kind in ("solutions", "graph")},
        default_graph=op.iris("default-graph-uri"),
        named_graphs=op.iris("named-graph-uri"),
    )
    response = Response(outcome.body, content_type=outcome.format.content_type)
    response.vary.add("Accept")
    if outcome.truncated:
        response.headers[TRUNCATED_HEADER] = str(get_settings().max_rows)
    return response


def _update(op: Operation) -> Response:
    require_write()
    text = op.text
    using, using_named = (op.iris(name) or [] for name in UPDATE_DATASET_PARAMETERS)
    try:
        text = with_update_dataset(text, using, using_named)
    except UpdateDatasetConflict as exc:
        raise bad_request(str(exc)) from None
    check_service_clauses(text, is_update=True)
    try:
        get_store().update(text)
    except QuerySyntaxError as exc:
        raise bad_request(f"malformed SPARQL update: {exc}") from None
    return Response(status=204)


@bp.get("/sparql/description")
def sparql_description() -> Response:
    fmt = choose_graph_format(request.args.get("format"))  # a 406 before any work
    triples = service_description(endpoint_url(), get_settings(), get_store())
    return graph_response(triples, fmt)


_DATASET_PARAMETERS = [
    {
        "name": name,
        "in": "query",
        "description": f"{what} (absolute IRIs; repeatable)",
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "style": "form",
        "explode": True,
    }
    for name, what in (
        ("default-graph-uri", "Queries: the graphs merged into the default graph"),
        ("named-graph-uri", "Queries: the named graphs of the dataset"),
        ("using-graph-uri", "Updates: the default graph of the WHERE clauses"),
        ("using-named-graph-uri", "Updates: the named graphs of the WHERE clauses"),
    )
]
_ANSWER = {
    "description": "SELECT/ASK: SPARQL results (JSON by default); CONSTRUCT/DESCRIBE: RDF "
    "(Turtle by default); without a query (GET): the service description (RDF)",
    "headers": {"KG-Results-Truncated": ref("headers", "Truncated")},
    "content": {**results_content(), **rdf_content()},
}
_FORM_FIELDS = {
    "query": {"type": "string", "description": "a SPARQL 1.1 query"},
    "update": {"type": "string", "description": "a SPARQL 1.1 update (needs the token)"},
    **{p["name"]: p["schema"] for p in _DATASET_PARAMETERS},
}
OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/sparql": {
        "get": {
            "summary": "SPARQL 1.1 query (or, without a query, the service description)",
            "tags": ["sparql"],
            "parameters": [
                {
                    "name": "query",
                    "in": "query",
                    "description": "A SPARQL 1.1 query; without it, the service description",
                    "schema": {"type": "string"},
                    "example": "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }",
                },
                *_DATASET_PARAMETERS[:2],
                ref("parameters", "SparqlFormat"),
            ],
            "responses": {
                "200": _ANSWER,
                **errors(
                    {
                        400: "Malformed SPARQL (line:column), a repeated 'query', a bad IRI",
                        405: "An update by GET (updates must be POSTed)",
                    },
                    403,
                    406,
                    503,
                ),
            },
        },
        "post": {
            "summary": "SPARQL 1.1 query or update (updates need the bearer token)",
            "tags": ["sparql"],
            "parameters": [*_DATASET_PARAMETERS, ref("parameters", "SparqlFormat")],
            "requestBody": {
                "required": True,
                "content": {
                    FORM: {"schema": {"type": "object", "properties": _FORM_FIELDS}},
                    QUERY: {"schema": {"type": "string"}},
                    UPDATE: {"schema": {"type": "string"}},
                },
            },
            "security": [{}, {"bearer": []}],
            "responses": {
                "200": _ANSWER,
                "204": {"description": "The update was applied"},
                **errors(
                    {400: "Malformed SPARQL (line:column), both or neither of query/update"},
                    401,
                    403,
                    406,
                    413,
                    415,
                    503,
                ),
            },
        },
    },
    "/sparql/description": rdf_operation(
        "SPARQL 1.1 Service Description of /sparql",
        "Languages, result formats, features and the dataset, with each named graph "
        "and its live size (also answered by GET /sparql without a query).",
    ),
}
