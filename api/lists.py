"""The home page and the HTML lists of the toolkit: ``/`` (live counts), ``/resources``
(filters, search, pagination), ``/nodes``, ``/pages`` (``kind=``), ``/standards``.

Each row links to the thing's own page (its IRI, see :mod:`api.linked_data`); the JSON of
the same lists is ``/api/...`` (:mod:`api.json_api`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template

from api.http.context import get_settings, get_store
from api.http.errors import bad_request
from api.http.openapi import errors, query_parameter
from api.http.params import RESOURCE_FILTER_PARAMETERS, page_links, paging, resource_filters, single
from kg import records

bp = Blueprint("lists", __name__)

HTML = "text/html"


def _html(template: str, **context: Any) -> Response:
    return Response(render_template(template, **context), content_type="text/html; charset=utf-8")


@bp.get("/")
def home() -> Response:
    store, base = get_store(), get_settings().base_iri
    return _html("home.html", counts=records.home_counts(store, base))


@bp.get("/resources")
def resources_page() -> Response:
    store, base = get_store(), get_settings().base_iri
    limit, offset = paging()
    filters = resource_filters()
    try:
        total, rows = records.resources(store, base, filters, limit, offset)
    except records.FilterError as exc:
        raise bad_request(str(exc)) from None
    links = page_links(total, limit, offset)
    pagination = {"offset": offset, "limit": limit, **{k: links.get(k) for k in ("prev", "next")}}
    return _html(
        "resources.html",
        rows=rows,
        total=total,
        filters=filters,
        facets=records.facets(store, base),
        pagination=pagination,
    )


@bp.get("/nodes")
def nodes_page() -> Response:
    return _html("nodes.html", rows=records.nodes(get_store(), get_settings().base_iri))


@bp.get("/pages")
def pages_page() -> Response:
    kind = single("kind") or None
    try:
        rows = records.pages(get_store(), get_settings().base_iri, kind)
    except records.FilterError as exc:
        raise bad_request(str(exc)) from None
    return _html("pages.html", rows=rows, kind=kind, kinds=list(records.PAGE_KINDS))


@bp.get("/standards")
def standards_page() -> Response:
    return _html("standards.html", rows=records.standards(get_store(), get_settings().base_iri))


def _html_page(summary: str, parameters: list[dict] | None = None) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "tags": ["web pages"],
            **({"parameters": parameters} if parameters else {}),
            "responses": {
                "200": {"description": "HTML", "content": {HTML: {}}},
                **errors(None, 400),
            },
        }
    }


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/": _html_page("Home page with live counts"),
    "/resources": _html_page(
        "Toolkit resources, filtered and paged (HTML)", RESOURCE_FILTER_PARAMETERS
    ),
    "/nodes": _html_page("ELIXIR Nodes (HTML)"),
    "/pages": _html_page(
        "RDMkit pages (HTML)",
        [query_parameter("kind", "Page kind: " + ", ".join(records.PAGE_KINDS))],
    ),
    "/standards": _html_page("FAIRsharing records of the toolkit (HTML)"),
}
