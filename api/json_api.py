"""The JSON API for services: ``/api/...`` and the JSON-LD context ``/context.jsonld``.

Every answer is JSON-LD: it carries ``"@context": "<this server>/context.jsonld"`` (the
file ``ontology/context.jsonld``, which maps each field name to an ontology IRI), and each
thing its IRI as ``"@id"``.

- ``GET /api/resources``: filters ``stage``, ``task``, ``domain``, ``role``,
  ``node``/``country``, ``registry=biotools|fairsharing`` (registered), ``missing=…``
  (not registered), ``q`` (text); ``limit`` (1–1000, default 50), ``offset``. Answers
  ``{"@context", "total", "limit", "offset", "items": [...]}`` with ``Link`` headers
  (``first``, ``prev``, ``next``, ``last``). A bad or repeated filter → 400 naming it.
- ``GET /api/resources/<id>``, ``/api/nodes``, ``/api/nodes/<code>``, ``/api/pages``
  (``kind=``), ``/api/pages/<key>``, ``/api/standards``, ``/api/standards/<id>``.
- ``GET /api/resolve?biotools=ID | fairsharing=ID | url=URL``: our IRIs for an external
  identifier, ``{"@context", "query": {name: value}, "matches": [{"@id", "kind", "name"}]}``;
  404 when nothing matches; exactly one parameter, else 400.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api.http.context import get_settings, get_store
from api.http.errors import ApiError, bad_request
from api.http.openapi import errors, json_content, path_parameter, query_parameter
from api.http.params import (
    RESOURCE_FILTER_PARAMETERS,
    page_links,
    paging,
    resource_filters,
    single,
)
from kg import records
from kg.records.resolve import RESOLVERS, resolve

bp = Blueprint("json_api", __name__)

CONTEXT_FILE = "context.jsonld"
JSONLD = "application/ld+json"


def context_url() -> str:
    return request.host_url + CONTEXT_FILE


def _answer(document: dict[str, Any], status: int = 200) -> Response:
    response = jsonify({"@context": context_url(), **document})
    response.status_code = status
    return response


def _base() -> str:
    return get_settings().base_iri


def _one(record: dict | None, what: str, key: str) -> Response:
    if record is None:
        shown = key if len(key) <= 100 else key[:100] + "…"
        raise ApiError(404, f"no {what} '{shown}' in the graph")
    return _answer(record)


@bp.get("/context.jsonld")
def context() -> Response:
    path = Path(get_settings().ontology_dir) / CONTEXT_FILE
    cache = current_app.extensions.setdefault("kg.jsonld_context", {})
    if "body" not in cache:
        try:
            cache["body"] = json.dumps(
                json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False
            )
        except (OSError, ValueError) as exc:
            raise ApiError(500, f"the JSON-LD context {path} cannot be read: {exc}") from None
    return Response(cache["body"], content_type=f"{JSONLD}; charset=utf-8")


@bp.get("/api/resources")
def list_resources() -> Response:
    unknown = [k for k in request.args if k not in (*records.FILTER_NAMES, "limit", "offset")]
    if unknown:
        raise bad_request(
            f"parameter '{unknown[0][:60]}': not a filter; use {', '.join(records.FILTER_NAMES)}, limit, offset"
        )
    limit, offset = paging()
    try:
        total, items = records.resources(get_store(), _base(), resource_filters(), limit, offset)
    except records.FilterError as exc:
        raise bad_request(str(exc)) from None
    response = _answer({"total": total, "limit": limit, "offset": offset, "items": items})
    response.headers["Link"] = ", ".join(
        f'<{request.host_url.rstrip("/")}{url}>; rel="{rel}"'
        for rel, url in page_links(total, limit, offset).items()
    )
    return response


@bp.get("/api/resources/<path:resource_id>")
def get_resource(resource_id: str) -> Response:
    return _one(records.resource(get_store(), _base(), resource_id), "resource", resource_id)


@bp.get("/api/nodes")
def list_nodes() -> Response:
    items = records.nodes(get_store(), _base())
    return _answer({"total": len(items), "items": items})


@bp.get("/api/nodes/<code>")
def get_node(code: str) -> Response:
    return _one(records.node(get_store(), _base(), code), "Node", code)


@bp.get("/api/pages")
def list_pages() -> Response:
    try:
        items = records.pages(get_store(), _base(), single("kind"))
    except records.FilterError as exc:
        raise bad_request(str(exc)) from None
    return _answer({"total": len(items), "items": items})


@bp.get("/api/pages/<key>")
def get_page(key: str) -> Response:
    return _one(records.page(get_store(), _base(), key), "page", key)


@bp.get("/api/standards")
def list_standards() -> Response:
    items = records.standards(get_store(), _base())
    return _answer({"total": len(items), "items": items})


@bp.get("/api/standards/<standard_id>")
def get_standard(standard_id: str) -> Response:
    return _one(records.standard(get_store(), _base(), standard_id), "standard", standard_id)


@bp.get("/api/resolve")
def resolve_identifier() -> Response:
    given = [(k, v) for k in request.args for v in request.args.getlist(k)]
    unknown = [k for k, _ in given if k not in RESOLVERS]
    if unknown:
        raise bad_request(
            f"parameter '{unknown[0][:60]}': not known; give one of {', '.join(RESOLVERS)}"
        )
    if len(given) != 1:
        raise bad_request(
            f"give exactly one of {', '.join(RESOLVERS)} (got {len(given)} parameters)"
        )
    by, value = given[0]
    try:
        matches = resolve(get_store(), by, value)
    except records.FilterError as exc:
        raise bad_request(str(exc)) from None
    if not matches:
        raise ApiError(404, f"nothing in the graph has {by} {value[:100]!r}")
    return _answer({"query": {by: value}, "matches": matches})


# -- OpenAPI ---------------------------------------------------------------------------

_THING = {
    "type": "object",
    "required": ["@id"],
    "properties": {"@id": {"type": "string", "format": "iri"}},
    "additionalProperties": True,
}


def _list_schema(paged: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "@context": {"type": "string", "format": "uri"},
        "total": {"type": "integer"},
        "items": {"type": "array", "items": _THING},
    }
    if paged:
        props |= {"limit": {"type": "integer"}, "offset": {"type": "integer"}}
    return {"type": "object", "required": ["@context", "total", "items"], "properties": props}


def _get(
    summary: str,
    schema: dict[str, Any],
    parameters: list[dict] | None = None,
    extra_errors: dict[int, str] | None = None,
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "tags": ["JSON API"],
            **({"parameters": parameters} if parameters else {}),
            "responses": {
                "200": {
                    "description": "JSON-LD (application/json)",
                    "content": json_content(schema),
                },
                **errors(extra_errors),
            },
        }
    }


_LINK_HEADER = {
    "Link": {"description": 'first, prev, next, last pages (rel="…")', "schema": {"type": "string"}}
}
_resources = _get(
    "Toolkit resources, filtered and paged",
    _list_schema(True),
    RESOURCE_FILTER_PARAMETERS,
    {400: "A filter, limit or offset is not acceptable (the message names it)"},
)
_resources["get"]["responses"]["200"]["headers"] = _LINK_HEADER

OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/context.jsonld": {
        "get": {
            "summary": "The JSON-LD context of the JSON API and the ontology",
            "tags": ["JSON API"],
            "responses": {"200": {"description": "JSON-LD context", "content": {JSONLD: {}}}},
        }
    },
    "/api/resources": _resources,
    "/api/resources/{resource_id}": _get(
        "One toolkit resource",
        _THING,
        [path_parameter("resource_id", "RDMkit id, e.g. galaxy")],
        {404: "No such resource"},
    ),
    "/api/nodes": _get("ELIXIR Nodes", _list_schema(False)),
    "/api/nodes/{code}": _get(
        "One ELIXIR Node",
        _THING,
        [path_parameter("code", "Node code, e.g. PT or EMBL")],
        {404: "No such Node"},
    ),
    "/api/pages": _get(
        "RDMkit pages",
        _list_schema(False),
        [query_parameter("kind", "Page kind: " + ", ".join(records.PAGE_KINDS))],
        {400: "Unknown kind"},
    ),
    "/api/pages/{key}": _get(
        "One RDMkit page",
        _THING,
        [path_parameter("key", "Page id, e.g. data_publication")],
        {404: "No such page"},
    ),
    "/api/standards": _get("FAIRsharing records of the toolkit resources", _list_schema(False)),
    "/api/standards/{standard_id}": _get(
        "One FAIRsharing record",
        _THING,
        [path_parameter("standard_id", "The id after 'FAIRsharing.'")],
        {404: "No such record"},
    ),
    "/api/resolve": _get(
        "Our IRIs for a bio.tools id, a FAIRsharing id or a URL",
        {
            "type": "object",
            "required": ["@context", "query", "matches"],
            "properties": {
                "query": {"type": "object"},
                "matches": {"type": "array", "items": _THING},
            },
        },
        [
            query_parameter(name, f"Give exactly one of {', '.join(RESOLVERS)}")
            for name in RESOLVERS
        ],
        {400: "Not exactly one parameter, or a malformed value", 404: "Nothing matches"},
    ),
}
