"""``GET /openapi.json``: the OpenAPI 3.1 document of the whole API.

The document is built once per app from two sources:

1. **Every registered blueprint's module** (``sys.modules[bp.import_name]``) declares the
   routes it serves in a module-level ``OPENAPI_PATHS`` dict: OpenAPI path template →
   path item (operations by lower-case method). **Adding a route? Add its entry there**:
   a test checks that every route of ``app.url_map`` (but Flask's ``static``, OPTIONS
   and HEAD) is documented with its methods, and that every documented path and method
   is served. A Flask rule ``/vendor/<package>/<path:filename>`` is written
   ``/vendor/{package}/{filename}``. For example::

       from api.http.openapi import errors, json_content

       OPENAPI_PATHS = {
           "/health": {
               "get": {
                   "summary": "Is the service up",
                   "tags": ["service"],
                   "responses": {
                       "200": {"description": "Up", "content": json_content("Health")},
                       **errors({503: "The store cannot be read"}),
                   },
               }
           }
       }

   Path items may reference the shared ``components``
   (:mod:`api.http.openapi_components`) by name (``ref("parameters", "GraphFormat")`` →
   ``{"$ref": "#/components/parameters/GraphFormat"}``); the helpers of
   :mod:`api.http.openapi` build the common pieces (error responses with the
   ``{"error", "status"}`` schema, RDF and SPARQL-results content). A 4xx/5xx ``application/json`` response declared
   without a schema gets the shared ``Error`` schema. Two modules declaring the same path
   and method is an error when the document is built.

2. **The catalog of named queries** (:mod:`kg.queries.catalog`): one ``GET`` operation per query at
   its own path (``/queries/rdmkit/resources_for_stage``), tagged with its area, with
   its typed parameters (schema type, format, enum, default, required, description and
   the example call's value as the parameter's example), ``limit``/``offset``/``format``,
   its response media types (the JSON rows' object has one property per returned
   variable), paging headers and its errors. ``/queries/{name}`` documents the generic
   route too.

Parameter types map to JSON Schema as :data:`api.http.openapi.PARAMETER_SCHEMAS` says. Nothing from a
request goes into the document: it is the same for every client, so it is cached.
"""

from __future__ import annotations

import copy
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from api.http.negotiation import query_offers
from api.http.openapi import (
    JSON,
    PARAMETER_SCHEMAS,
    errors,
    json_content,
    media_content,
    ref,
)
from api.http.openapi_components import components
from kg.queries.catalog import Catalog, NamedQuery
from kg.queries.parameters import Parameter

bp = Blueprint("openapi", __name__)

OPENAPI_VERSION = "3.1.0"


def parameter_schema(p: Parameter) -> dict[str, Any]:
    """The JSON Schema of a named query's parameter (type, format, enum, default)."""
    schema = dict(PARAMETER_SCHEMAS[p.type])
    if p.type == "enum":
        schema["enum"] = list(p.values or ())
    if p.default is not None:
        schema["default"] = typed_value(p, p.default)
    return schema


def typed_value(p: Parameter, text: str) -> Any:
    """A parameter's text value as the JSON value of its schema type."""
    if p.type == "integer":
        return int(text)
    if p.type == "decimal":
        return float(text)
    if p.type == "boolean":
        return text.lower() == "true"
    return text


def query_operation(query: NamedQuery) -> dict[str, Any]:
    """The ``GET`` operation of one named query."""
    example = "&".join(f"{k}={v}" for k, v in query.example.items())
    description = f"{query.description}\n\nReturns: {', '.join(query.returns)}."
    if example:
        description += f"\n\nExample: `GET /queries/{query.name}?{example}`"
    operation: dict[str, Any] = {
        "operationId": "query_" + re.sub(r"[^A-Za-z0-9_]", "_", query.name),
        "summary": query.title,
        "description": description,
        "tags": [query.name.split("/")[0]],
        "parameters": _query_parameters(query),
        "responses": {
            "200": {
                "description": "The answer (rows as JSON objects by default)",
                "headers": {
                    "Link": ref("headers", "Link"),
                    "KG-Results-Total": ref("headers", "Total"),
                    "KG-Results-Truncated": ref("headers", "Truncated"),
                },
                "content": _query_content(query),
            },
            **errors(
                {400: "A parameter missing, unknown, repeated or not of its type (named)"},
                403,
                406,
                503,
            ),
        },
    }
    if query.keywords:
        operation["x-keywords"] = list(query.keywords)
    return operation


def _query_parameters(query: NamedQuery) -> list[dict[str, Any]]:
    """A named query's own typed parameters, then paging and ``format``."""
    parameters: list[dict[str, Any]] = []
    for p in query.parameters:
        item: dict[str, Any] = {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": f"{p.description} ({p.expected})",
            "schema": parameter_schema(p),
        }
        if p.name in query.example:
            item["example"] = typed_value(p, query.example[p.name])
        parameters.append(item)
    if query.form != "ask":
        parameters += [ref("parameters", "Limit"), ref("parameters", "Offset")]
    parameters.append(ref("parameters", "GraphOutput" if query.kind == "graph" else "Output"))
    return parameters


def _query_content(query: NamedQuery) -> dict[str, Any]:
    """Every media type a named query answers; its JSON rows have one property per variable."""
    if query.form == "ask":
        rows: dict[str, Any] = ref("schemas", "Answer")
    else:
        row = {
            "type": "object",
            "required": list(query.returns),
            "propertyNames": {"enum": list(query.returns)},
        }
        rows = {"allOf": [ref("schemas", "Page"), {"properties": {"rows": {"items": row}}}]}
    content = media_content([o.media_type for o in query_offers(query.kind)])
    content["application/json"] = {"schema": rows}
    return content


def _merge(paths: dict[str, dict[str, Any]], more: dict[str, dict[str, Any]], origin: str) -> None:
    for path, item in copy.deepcopy(more).items():
        held = paths.setdefault(path, {})
        for key, value in item.items():
            if key in held:
                raise ValueError(f"{origin}: OPENAPI_PATHS[{path!r}][{key!r}] is declared twice")
            if isinstance(value, dict) and "responses" in value:
                _error_schemas(value["responses"])
            held[key] = value


def _error_schemas(responses: dict[str, Any]) -> None:
    """A 4xx/5xx JSON response declared without a schema gets the shared Error schema."""
    for status, response in responses.items():
        content = response.get("content", {})
        json_error = content.get(JSON)
        if status[:1] in "45" and json_error is not None and "schema" not in json_error:
            json_error["schema"] = ref("schemas", "Error")


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app``: its blueprints' ``OPENAPI_PATHS`` and its catalog."""
    settings = app.extensions["kg.settings"]
    catalog: Catalog = app.extensions["kg.queries.catalog"]
    paths: dict[str, dict[str, Any]] = {}
    for blueprint in app.blueprints.values():
        module = sys.modules[blueprint.import_name]
        _merge(paths, getattr(module, "OPENAPI_PATHS", {}), blueprint.import_name)
    for query in catalog:
        _merge(paths, {f"/queries/{query.name}": {"get": query_operation(query)}}, query.name)
    areas = sorted({q.name.split("/")[0] for q in catalog})
    try:
        release = version("converge-kg")
    except PackageNotFoundError:  # pragma: no cover - the project is always installed
        release = "0"
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "converge-kg",
            "version": release,
            "summary": "The knowledge graph of the ELIXIR-CONVERGE data-management toolkit",
            "description": "SPARQL 1.1 Protocol, Graph Store, named questions as REST, and "
            "descriptions of the service. Reads are anonymous; writes need "
            "`Authorization: Bearer <KG_WRITE_TOKEN>`. Every error answers "
            '`{"error": "<message>", "status": <code>}`.',
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "tags": [
            {"name": "sparql", "description": "SPARQL 1.1 Protocol and Graph Store"},
            {"name": "queries", "description": "The catalog of named questions"},
            {"name": "service", "description": "Descriptions, health, metrics, documentation"},
            *({"name": a, "description": f"Named questions: {a}"} for a in areas),
        ],
        "paths": dict(sorted(paths.items())),
        "components": components(settings.max_rows),
    }


def get_document() -> dict[str, Any]:
    """The app's document, built on first use."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    document = app.extensions.get("kg.openapi")
    if document is None:
        document = app.extensions["kg.openapi"] = build_document(app)
    return document


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(get_document())


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/openapi.json": {
        "get": {
            "summary": "This OpenAPI document",
            "tags": ["service"],
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 document of the whole API",
                    "content": json_content({"type": "object"}),
                }
            },
        }
    }
}
