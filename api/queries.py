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
(:mod:`api.execution`): SERVICE check, concurrency slots, worker timeouts.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.blueprints import BlueprintSetupState

from api.context import get_settings
from api.errors import ApiError, bad_request, not_acceptable
from api.execution import TRUNCATED_HEADER, run_query
from api.openapi import errors, json_content, media_content, ref
from kg.queries.catalog import RESERVED, Catalog, NamedQuery, UnknownQuery, load_catalog
from kg.queries.pages import TRANSPORT, Page
from kg.queries.parameters import ParameterError
from kg.sparql import formats

bp = Blueprint("queries", __name__)

TOTAL_HEADER = "KG-Results-Total"
ROWS = "json"
#: Output names and media types for every named query, the default first.
SOLUTION_OUTPUTS: dict[str, str] = {
    ROWS: "application/json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "sparql-json": "application/sparql-results+json",
    "sparql-xml": "application/sparql-results+xml",
}
#: Output names for CONSTRUCT and DESCRIBE queries, beside the ones above.
GRAPH_OUTPUTS: dict[str, str] = {f.name: f.media_type for f in formats.GRAPH_FORMATS}
_ALIASES = {
    "srj": "sparql-json",
    "srx": "sparql-xml",
    "xml": "sparql-xml",
    "ttl": "turtle",
    "nt": "ntriples",
    "json-ld": "jsonld",
    "nq": "nquads",
}
_FORMAT_OF = {
    "csv": formats.BY_NAME["csv"],
    "tsv": formats.BY_NAME["tsv"],
    "sparql-json": formats.BY_NAME["json"],
    "sparql-xml": formats.BY_NAME["xml"],
    **{f.name: f for f in formats.GRAPH_FORMATS},
}
_COUNT = re.compile(r"[0-9]{1,18}")


@bp.record_once
def _load_catalog(state: BlueprintSetupState) -> None:
    """Read the catalog at start-up: a malformed query file stops ``create_app``."""
    settings = state.app.extensions["kg.settings"]
    state.app.extensions["kg.queries.catalog"] = load_catalog(settings.queries_dir)


def get_catalog() -> Catalog:
    return current_app.extensions["kg.queries.catalog"]


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
    limit = _count("limit", max_rows, max_rows)
    offset = _count("offset", 0)
    output = _output(query, _single("format"))
    given = {key: _single(key) for key in request.args if key not in RESERVED}
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
    if output == ROWS:
        response = jsonify(page.document())
    else:
        fmt = _FORMAT_OF[output]
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


def _single(key: str) -> str | None:
    values = request.args.getlist(key)
    if len(values) > 1:
        shown = key if len(key) <= 60 else key[:60] + "…"
        raise bad_request(f"parameter '{shown}': given {len(values)} times; give it once")
    return values[0] if values else None


def _count(key: str, default: int, maximum: int | None = None) -> int:
    value = _single(key)
    if value is None:
        return default
    upper = f" from 0 to {maximum}" if maximum is not None else " of 0 or more"
    if not _COUNT.fullmatch(value) or (maximum is not None and int(value) > maximum):
        shown = value if len(value) <= 60 else value[:60] + "…"
        raise bad_request(f"parameter '{key}': expected an integer{upper}, got {shown!r}")
    return int(value)


def _output(query: NamedQuery, requested: str | None) -> str:
    """The output name for ``query``: the ``format`` parameter, else ``Accept``; 406 if none."""
    offered = dict(SOLUTION_OUTPUTS)
    if query.kind == "graph":
        offered.update(GRAPH_OUTPUTS)
    if requested is not None:
        key = requested.strip().lower()
        key = _ALIASES.get(key, key)
        if key in offered:
            return key
        by_type = next((n for n, t in offered.items() if t == key), None)
        if by_type is not None:
            return by_type
        raise not_acceptable(
            f"format {requested!r} is not available for this query; "
            f"use one of {', '.join(offered)} (or their media types)"
        )
    if not request.accept_mimetypes:
        return ROWS
    best = request.accept_mimetypes.best_match(list(offered.values()))
    if best is None:
        raise not_acceptable(
            f"none of the accepted media types ({request.headers.get('Accept')}) is "
            f"available; offered: {', '.join(offered.values())}"
        )
    return next(n for n, t in offered.items() if t == best)


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
    kept = [
        (k, v)
        for k in request.args
        if k not in ("limit", "offset")
        for v in request.args.getlist(k)
    ]
    return [
        f"<{request.base_url}?{urlencode([*kept, ('limit', page.limit), ('offset', offset)])}>; "
        f'rel="{rel}"'
        for rel, offset in rels
    ]


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
                {
                    "name": "name",
                    "in": "path",
                    "required": True,
                    "description": "The query's name: its path under queries/ without .rq "
                    "(it contains a '/', e.g. rdmkit/resources_for_stage)",
                    "schema": {"type": "string"},
                },
                ref("parameters", "Limit"),
                ref("parameters", "Offset"),
                {
                    "name": "format",
                    "in": "query",
                    "description": "The answer's format, by name or media type",
                    "schema": {"type": "string", "examples": [*SOLUTION_OUTPUTS, *GRAPH_OUTPUTS]},
                },
            ],
            "responses": {
                "200": {
                    "description": "The answer (rows as JSON objects by default)",
                    "content": {
                        **media_content([*SOLUTION_OUTPUTS.values(), *GRAPH_OUTPUTS.values()]),
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
