"""Building blocks of the OpenAPI document: what route modules use in their ``OPENAPI_PATHS``.

``ref("parameters", "GraphFormat")`` → ``{"$ref": "#/components/parameters/GraphFormat"}``
names a shared component (:mod:`api.http.openapi_components`); the helpers below build the
common pieces (error responses with the ``{"error", "status"}`` schema, RDF and
SPARQL-results content, query parameters). The document itself is assembled by
:mod:`api.openapi`, which says how to document a route.
"""

from __future__ import annotations

from typing import Any

from kg.queries.parameters import MAX_VALUE_LENGTH
from kg.sparql import formats

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


def query_parameter(name: str, description: str) -> dict[str, Any]:
    """An optional string parameter of the query string."""
    return _string_parameter(name, "query", description)


def path_parameter(name: str, description: str) -> dict[str, Any]:
    """A string parameter of the path (``/api/nodes/{code}``): always required."""
    return _string_parameter(name, "path", description)


def _string_parameter(name: str, where: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": {"type": "string"},
    }


def rdf_operation(
    summary: str, description: str, *, tag: str = "service", answer: str = "RDF (Turtle by default)"
) -> dict[str, Any]:
    """A ``GET`` answering RDF in every graph format, about this server's endpoint (a 400
    when the request's ``Host`` makes no IRI)."""
    return {
        "get": {
            "summary": summary,
            "description": description,
            "tags": [tag],
            "parameters": [ref("parameters", "GraphFormat")],
            "responses": {
                "200": {"description": answer, "content": rdf_content()},
                **errors({400: "The request's Host is not valid in an IRI"}, 406),
            },
        }
    }
