"""The toolkit as a DCAT 3 catalog for harvesters: ``/catalog.ttl``, ``/catalog.jsonld``
(and ``/catalog`` by ``Accept``). The catalog's content is :mod:`kg.records.dcat`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from api.http.context import get_settings, get_store
from api.http.openapi import errors, rdf_content
from api.http.rdf import choose_graph_format, graph_response
from kg.records.dcat import catalog
from kg.sparql import formats

bp = Blueprint("catalog", __name__)


def _catalog(fmt: formats.Format) -> Response:
    return graph_response(catalog(get_store(), get_settings().base_iri), fmt)


@bp.get("/catalog.ttl")
def catalog_turtle() -> Response:
    return _catalog(formats.BY_NAME["turtle"])


@bp.get("/catalog.jsonld")
def catalog_jsonld() -> Response:
    return _catalog(formats.BY_NAME["jsonld"])


@bp.get("/catalog")
def catalog_negotiated() -> Response:
    return _catalog(choose_graph_format())  # by Accept only


def _op(summary: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "tags": ["linked data"],
            "responses": {
                "200": {"description": "The DCAT catalog", "content": content},
                **errors(None, 406),
            },
        }
    }


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/catalog.ttl": _op("The toolkit as a DCAT catalog (Turtle)", {"text/turtle": {}}),
    "/catalog.jsonld": _op("The toolkit as a DCAT catalog (JSON-LD)", {"application/ld+json": {}}),
    "/catalog": _op("The toolkit as a DCAT catalog, by Accept", rdf_content()),
}
