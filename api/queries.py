"""``/queries``: the named queries of ``queries/`` as a REST API with typed parameters.

- ``GET /queries``: every query with its title, description, keywords, parameters
  (name, type, required, default, enum values, description), returned variables, and
  its URL and example URL.
- ``GET /queries/<name>?param=value&limit=&offset=&format=``: runs one. Each parameter
  is checked against its declared type and bound as an RDF term (never formatted into
  the SPARQL text, see :mod:`kg.queries.parameters`); a missing required parameter, an unknown
  parameter, a repeated one or a value not of its type is a 400 naming the parameter.
  An unknown query is a 404.

Answers, by ``format`` (a name or a media type) or ``Accept``:
``application/json`` (default; ``format=json``)::

    {"query": name, "total": N | null, "limit": L, "offset": O,
     "variables": [...], "rows": [{var: value, ...}, ...]}

with JSON-native values (:func:`kg.queries.pages.native`: numbers for numeric literals,
true/false for booleans, strings otherwise, null when unbound; an ASK query answers
``{"query": name, "boolean": …}``); ``text/csv`` (``csv``), ``text/tab-separated-values``
(``tsv``), ``application/sparql-results+json`` (``sparql-json``) and
``application/sparql-results+xml`` (``sparql-xml``); a CONSTRUCT or DESCRIBE query also
answers in the RDF formats of ``/sparql`` (``turtle``, ``ntriples``, ``jsonld``…), and
its rows are its triples (subject, predicate, object).

Paging: ``offset`` (default 0) skips solutions and ``limit`` (default and maximum
``KG_MAX_ROWS``) keeps that many; the query text is not changed, the solutions are read
in order and sliced. They are read up to ``KG_MAX_ROWS`` and counted on the way, so
``total`` is exact up to that cap and null beyond it (then ``KG-Results-Truncated`` is
set and pages reach no further than the cap). ``Link`` headers give the ``first``,
``prev``, ``next`` and (when the total is known) ``last`` pages; ``KG-Results-Total``
repeats the total for the non-JSON formats. The limits of ``/sparql`` apply
(:mod:`api.http.execution`): SERVICE check, concurrency slots, worker timeouts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for

from api.http.context import get_catalog, get_settings
from api.http.errors import ApiError, bad_request
from api.http.execution import TRUNCATED_HEADER, run_query
from api.http.negotiation import QUERY_OFFERS, format_offers, negotiate, query_offers
from api.http.openapi import errors, json_content, media_content, path_parameter, ref
from api.http.params import count, other_args, single
from kg.queries.catalog import RESERVED, NamedQuery, UnknownQuery
from kg.queries.pages import TRANSPORT, Page
from kg.queries.parameters import ParameterError

bp = Blueprint("queries", __name__)

TOTAL_HEADER = "KG-Results-Total"


@bp.get("/queries")
def list_queries() -> Response:
    return jsonify([_describe(q) for q in get_catalog()])


def _describe(query: NamedQuery) -> dict:
    url = url_for("queries.run", name=query.name, _external=True)
    return {
        **query.to_dict(),
        "url": url,
        "example_url": f"{url}?{urlencode(query.example)}" if query.example else url,
    }


@bp.get("/queries/<path:name>")
def run(name: str) -> Response:
    try:
        query = get_catalog().query(name)
    except UnknownQuery:
        shown = name if len(name) <= 100 else name[:100] + "…"
        raise ApiError(404, f"no query named '{shown}'; GET /queries lists them") from None
    max_rows = get_settings().max_rows
    limit = count("limit", max_rows, 0, max_rows)
    offset = count("offset", 0)
    output = negotiate(query_offers(query.kind), single("format"), where="for this query")
    given = {key: single(key) for key in request.args if key not in RESERVED}
    try:
        bindings = query.bind(given)
    except ParameterError as exc:
        raise bad_request(str(exc)) from None
    outcome = run_query(query.text, TRANSPORT, bindings=bindings, offset=offset, limit=limit)
    page = Page.decode(
        query.name,
        outcome.kind,
        outcome.body,
        total=outcome.total,
        limit=limit,
        offset=offset,
        truncated=outcome.truncated,
    )
    if output.format is None:  # rows as JSON objects
        response = jsonify(page.document())
    else:
        fmt = output.format
        response = Response(page.serialize(fmt), content_type=fmt.content_type)
    response.vary.add("Accept")
    if page.kind != "boolean":
        links = _links(page, max_rows)
        if links:
            response.headers["Link"] = ", ".join(links)
        if page.total is not None:
            response.headers[TOTAL_HEADER] = str(page.total)
    if page.truncated:
        response.headers[TRUNCATED_HEADER] = str(max_rows)
    return response


def _links(page: Page, max_rows: int) -> list[str]:
    """``Link`` header values for the first, previous, next and last pages."""
    if page.limit == 0:
        return []
    end = page.total if page.total is not None else max_rows
    rels: list[tuple[str, int]] = []
    if page.offset > 0:
        rels += [("first", 0), ("prev", max(0, page.offset - page.limit))]
    if page.offset + page.limit < end:
        rels.append(("next", page.offset + page.limit))
    if page.total is not None:
        last = max(0, (page.total - 1) // page.limit * page.limit)
        if last != page.offset:
            rels.append(("last", last))
    kept = other_args()
    return [
        f"<{request.base_url}?{urlencode([*kept, ('limit', page.limit), ('offset', offset)])}>; "
        f'rel="{rel}"'
        for rel, offset in rels
    ]


_ALL_OFFERS = QUERY_OFFERS + format_offers("graph")
OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/queries": {
        "get": {
            "summary": "The catalog of named questions",
            "tags": ["queries"],
            "responses": {
                "200": {
                    "description": "Every named query with its metadata and URLs",
                    "content": json_content(
                        {"type": "array", "items": ref("schemas", "NamedQuery")}
                    ),
                }
            },
        }
    },
    # Each query also has its own path (/queries/<area>/<name>), generated from the catalog
    # by api.openapi with its typed parameters.
    "/queries/{name}": {
        "get": {
            "summary": "Run a named query (each one is also documented at its own path)",
            "tags": ["queries"],
            "parameters": [
                path_parameter(
                    "name",
                    "The query's name: its path under queries/ without .rq "
                    "(it contains a '/', e.g. rdmkit/resources_for_stage)",
                ),
                ref("parameters", "Limit"),
                ref("parameters", "Offset"),
                {
                    "name": "format",
                    "in": "query",
                    "description": "The answer's format, by name or media type",
                    "schema": {"type": "string", "examples": [o.name for o in _ALL_OFFERS]},
                },
            ],
            "responses": {
                "200": {
                    "description": "The answer (rows as JSON objects by default)",
                    "content": {
                        **media_content([o.media_type for o in _ALL_OFFERS]),
                        "application/json": {
                            "schema": {"oneOf": [ref("schemas", "Page"), ref("schemas", "Answer")]}
                        },
                    },
                },
                **errors({404: "No query of that name"}, 400, 403, 406, 503),
            },
        }
    },
}
