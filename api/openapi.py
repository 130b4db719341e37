"""``GET /openapi.json``: the OpenAPI 3.1 document of the whole API.

The document is built once per app from two sources:

1. **Every registered blueprint's module** (``sys.modules[bp.import_name]``) declares the
   routes it serves in a module-level ``OPENAPI_PATHS`` dict: OpenAPI path template →
   path item (operations by lower-case method). **Adding a route? Add its entry there**:
   a test checks that every route of ``app.url_map`` (but Flask's ``static``, OPTIONS
   and HEAD) is documented with its methods, and that every documented path and method
   is served. A Flask rule ``/vendor/<package>/<path:filename>`` is written
   ``/vendor/{package}/{filename}``. For example::

       from api.openapi import errors, json_content

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

   Path items may reference the shared ``components`` by name (``ref("parameters",
   "GraphFormat")`` → ``{"$ref": "#/components/parameters/GraphFormat"}``); the helpers
   below build the common pieces (error responses with the ``{"error", "status"}`` schema,
   RDF and SPARQL-results content). A 4xx/5xx ``application/json`` response declared
   without a schema gets the shared ``Error`` schema. Two modules declaring the same path
   and method is an error when the document is built.

2. **The catalog of named queries** (:mod:`kg.queries.catalog`): one ``GET`` operation per query at
   its own path (``/queries/rdmkit/resources_for_stage``), tagged with its area, with
   its typed parameters (schema type, format, enum, default, required, description and
   the example call's value as the parameter's example), ``limit``/``offset``/``format``,
   its response media types (the JSON rows' object has one property per returned
   variable), paging headers and its errors. ``/queries/{name}`` documents the generic
   route too.

Parameter types map to JSON Schema as :data:`PARAMETER_SCHEMAS` says. Nothing from a
request goes into the document: it is the same for every client, so it is cached.
"""

from __future__ import annotations

import copy
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from kg.queries.catalog import Catalog, NamedQuery
from kg.queries.parameters import MAX_VALUE_LENGTH, Parameter
from kg.sparql import formats

bp = Blueprint("openapi", __name__)

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"

#: HTTP status → the default description of its error response.
ERROR_STATUSES: dict[int, str] = {
    400: "Bad request: the message names the parameter or the position in the text",
    401: "A write without 'Authorization: Bearer <token>'",
    403: "Refused (wrong token, writes disabled, read-only, or a SERVICE not allowed)",
    404: "Not found",
    405: "Method not allowed",
    406: "None of the accepted media types is available",
    413: "The request body is larger than KG_MAX_QUERY_BYTES",
    415: "The request body's media type is not accepted",
    503: "Saturated (KG_MAX_CONCURRENT_QUERIES) or timed out (KG_QUERY_TIMEOUT): retry later",
}

#: How each parameter type of :mod:`kg.queries.parameters` is described as a JSON Schema.
PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri", "maxLength": MAX_VALUE_LENGTH},
    "string": {"type": "string", "maxLength": MAX_VALUE_LENGTH},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "language": {"type": "string", "format": "bcp47", "maxLength": MAX_VALUE_LENGTH},
    "enum": {"type": "string"},
}


# -- helpers for OPENAPI_PATHS ------------------------------------------------------------


def ref(kind: str, name: str) -> dict[str, str]:
    """A reference to a shared component: ``ref("schemas", "Error")``."""
    return {"$ref": f"#/components/{kind}/{name}"}


def json_content(schema: str | dict[str, Any]) -> dict[str, Any]:
    """``application/json`` content with a schema (a component name or a schema)."""
    return {JSON: {"schema": ref("schemas", schema) if isinstance(schema, str) else schema}}


def errors(described: dict[int, str] | None = None, *statuses: int) -> dict[str, Any]:
    """Error responses (``{"error", "status"}`` JSON), by status.

    ``described`` maps statuses to their own description; ``statuses`` get the default
    one of :data:`ERROR_STATUSES`. Each is a reference to a shared response (a 401 carries
    ``WWW-Authenticate``, a 503 ``Retry-After``) with its own description.
    """
    all_statuses = {**{s: ERROR_STATUSES[s] for s in statuses}, **(described or {})}
    shared = {401: "Unauthorized", 503: "Unavailable"}
    return {
        str(status): {
            **ref("responses", shared.get(status, "Error")),
            "description": all_statuses[status],
        }
        for status in sorted(all_statuses)
    }


def media_content(fmts: tuple[formats.Format, ...] | list[str]) -> dict[str, Any]:
    """Content in each format (formats or media types), described by the media type only."""
    return {f if isinstance(f, str) else f.media_type: {} for f in fmts}


def rdf_content() -> dict[str, Any]:
    """An RDF graph in every format of :data:`kg.sparql.formats.GRAPH_FORMATS` (Turtle first)."""
    return media_content(formats.GRAPH_FORMATS)


def results_content() -> dict[str, Any]:
    """SPARQL results in every format of :data:`kg.sparql.formats.RESULT_FORMATS`."""
    return media_content(formats.RESULT_FORMATS)


def flask_path(rule: str) -> str:
    """The OpenAPI template of a Flask rule: ``/a/<path:b>`` → ``/a/{b}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^:<>]+)>", r"{\1}", rule)


# -- the document -------------------------------------------------------------------------


def _components(max_rows: int) -> dict[str, Any]:
    graph_names = [f.name for f in formats.GRAPH_FORMATS]
    sparql_names = sorted(
        {*formats.FORMAT_PARAMETER["solutions"], *formats.FORMAT_PARAMETER["graph"]}
    )
    return {
        "schemas": {
            "Error": {
                "type": "object",
                "description": "Every error answers this shape with the matching HTTP status.",
                "required": ["error", "status"],
                "properties": {
                    "error": {"type": "string", "description": "what went wrong, and where"},
                    "status": {"type": "integer", "minimum": 400, "maximum": 599},
                },
                "additionalProperties": False,
            },
            "Value": {
                "description": "A value as JSON: numbers for numeric literals, true/false "
                "for booleans, strings otherwise (IRIs too), null when unbound",
                "type": ["string", "number", "boolean", "null"],
            },
            "Page": {
                "type": "object",
                "required": ["query", "total", "limit", "offset", "variables", "rows"],
                "properties": {
                    "query": {"type": "string"},
                    "total": {
                        "type": ["integer", "null"],
                        "description": "all solutions, counted up to KG_MAX_ROWS; null beyond it",
                    },
                    "limit": {"type": "integer"},
                    "offset": {"type": "integer"},
                    "variables": {"type": "array", "items": {"type": "string"}},
                    "rows": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": ref("schemas", "Value"),
                        },
                    },
                },
            },
            "Answer": {
                "type": "object",
                "description": "The answer of an ASK query.",
                "required": ["query", "boolean"],
                "properties": {"query": {"type": "string"}, "boolean": {"type": "boolean"}},
            },
            "QueryParameter": {
                "type": "object",
                "required": ["name", "type", "required", "default", "values", "description"],
                "properties": {
                    "name": {"type": "string"},
                    "type": {"type": "string", "enum": list(PARAMETER_SCHEMAS)},
                    "required": {"type": "boolean"},
                    "default": {"type": ["string", "null"]},
                    "values": {"type": ["array", "null"], "items": {"type": "string"}},
                    "description": {"type": "string"},
                },
            },
            "NamedQuery": {
                "type": "object",
                "required": ["name", "title", "description", "parameters", "returns", "url"],
                "properties": {
                    "name": {"type": "string", "examples": ["rdmkit/resources_for_stage"]},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "keywords": {"type": "array", "items": {"type": "string"}},
                    "parameters": {"type": "array", "items": ref("schemas", "QueryParameter")},
                    "returns": {"type": "array", "items": {"type": "string"}},
                    "example": {"type": "object", "additionalProperties": {"type": "string"}},
                    "url": {"type": "string", "format": "uri"},
                    "example_url": {"type": "string", "format": "uri"},
                },
            },
        },
        "parameters": {
            "Limit": {
                "name": "limit",
                "in": "query",
                "description": "Keep this many solutions (or triples) of the page.",
                "schema": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": max_rows,
                    "default": max_rows,
                },
            },
            "Offset": {
                "name": "offset",
                "in": "query",
                "description": "Skip this many solutions (or triples) first.",
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
            **{
                name: {
                    "name": "format",
                    "in": "query",
                    "description": "The answer's format, by name or media type "
                    f"(wins over Accept){what}.",
                    "schema": {"type": "string", "enum": list(_outputs(kind))},
                }
                for name, kind, what in (
                    ("Output", "solutions", ""),
                    ("GraphOutput", "graph", " (CONSTRUCT and DESCRIBE queries)"),
                )
            },
            "GraphFormat": {
                "name": "format",
                "in": "query",
                "description": "The RDF format, by name or media type (wins over Accept).",
                "schema": {"type": "string", "examples": graph_names},
            },
            "SparqlFormat": {
                "name": "format",
                "in": "query",
                "description": "The result format, by name or media type (wins over Accept); "
                "SELECT/ASK: json, xml, csv, tsv; CONSTRUCT/DESCRIBE: turtle, ntriples, "
                "jsonld, rdfxml, nquads, trig.",
                "schema": {"type": "string", "examples": sparql_names},
            },
        },
        "responses": {
            "Error": {"description": "An error", "content": json_content("Error")},
            "Unauthorized": {
                "description": ERROR_STATUSES[401],
                "headers": {"WWW-Authenticate": ref("headers", "WWWAuthenticate")},
                "content": json_content("Error"),
            },
            "Unavailable": {
                "description": ERROR_STATUSES[503],
                "headers": {"Retry-After": ref("headers", "RetryAfter")},
                "content": json_content("Error"),
            },
        },
        "headers": {
            "RetryAfter": {
                "description": "Seconds to wait before retrying",
                "schema": {"type": "integer"},
            },
            "WWWAuthenticate": {"description": "Bearer challenge", "schema": {"type": "string"}},
            "Link": {
                "description": 'Pages: rel="first", "prev", "next", "last" (RFC 8288)',
                "schema": {"type": "string"},
            },
            "Total": {
                "description": "All solutions, when counted (up to KG_MAX_ROWS)",
                "schema": {"type": "integer"},
            },
            "Truncated": {
                "description": "Set to KG_MAX_ROWS when the result was cut there",
                "schema": {"type": "integer"},
            },
        },
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "KG_WRITE_TOKEN; writes only (reads are anonymous)",
            }
        },
    }


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


def _outputs(kind: str) -> dict[str, str]:
    """The output names and media types of a named query of ``kind``."""
    from api.queries import GRAPH_OUTPUTS, SOLUTION_OUTPUTS

    return {**SOLUTION_OUTPUTS, **(GRAPH_OUTPUTS if kind == "graph" else {})}


def query_operation(query: NamedQuery) -> dict[str, Any]:
    """The ``GET`` operation of one named query."""
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
    if query.form == "ask":
        rows: dict[str, Any] = ref("schemas", "Answer")
    else:
        row = {
            "type": "object",
            "required": list(query.returns),
            "propertyNames": {"enum": list(query.returns)},
        }
        rows = {"allOf": [ref("schemas", "Page"), {"properties": {"rows": {"items": row}}}]}
    content = media_content(list(_outputs(query.kind).values()))
    content["application/json"] = {"schema": rows}
    example = "&".join(f"{k}={v}" for k, v in query.example.items())
    description = f"{query.description}\n\nReturns: {', '.join(query.returns)}."
    if example:
        description += f"\n\nExample: `GET /queries/{query.name}?{example}`"
    operation: dict[str, Any] = {
        "operationId": "query_" + re.sub(r"[^A-Za-z0-9_]", "_", query.name),
        "summary": query.title,
        "description": description,
        "tags": [query.name.split("/")[0]],
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "The answer (rows as JSON objects by default)",
                "headers": {
                    "Link": ref("headers", "Link"),
                    "KG-Results-Total": ref("headers", "Total"),
                    "KG-Results-Truncated": ref("headers", "Truncated"),
                },
                "content": content,
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
        "components": _components(settings.max_rows),
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
