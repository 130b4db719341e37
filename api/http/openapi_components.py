"""The shared components of the OpenAPI document (``#/components/...``), as data.

Route modules refer to them with :func:`api.http.openapi.ref`. Only the ``Limit``
parameter depends on the app (its maximum and default are ``KG_MAX_ROWS``):
:func:`components` fills it in.
"""

from __future__ import annotations

import copy
from typing import Any

from api.http.negotiation import format_offers, parameter_words, query_offers
from api.http.openapi import ERROR_STATUSES, PARAMETER_SCHEMAS, json_content, ref
from kg.sparql import formats

COMPONENTS: dict[str, Any] = {
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
                "maximum": None,  # KG_MAX_ROWS, set by components()
                "default": None,
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
                "schema": {"type": "string", "enum": [o.name for o in query_offers(kind)]},
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
            "schema": {"type": "string", "examples": [f.name for f in formats.GRAPH_FORMATS]},
        },
        "SparqlFormat": {
            "name": "format",
            "in": "query",
            "description": "The result format, by name or media type (wins over Accept); "
            "SELECT/ASK: json, xml, csv, tsv; CONSTRUCT/DESCRIBE: turtle, ntriples, "
            "jsonld, rdfxml, nquads, trig.",
            "schema": {
                "type": "string",
                "examples": parameter_words(format_offers("solutions") + format_offers("graph")),
            },
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


def components(max_rows: int) -> dict[str, Any]:
    """:data:`COMPONENTS` with the app's row limit (``KG_MAX_ROWS``) in ``Limit``."""
    out = copy.deepcopy(COMPONENTS)
    out["parameters"]["Limit"]["schema"].update(maximum=max_rows, default=max_rows)
    return out
