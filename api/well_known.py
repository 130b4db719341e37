"""``/.well-known/``: descriptions of this service for machines that look there, as RDF.

``GET /.well-known/void`` — a VoID description of the whole store with live statistics
(:func:`kg.records.service.void_description`).

``GET /.well-known/sparql-examples`` — the catalog of named queries as RDF.

Follows the SIB ``sparql-examples`` convention (SHACL's SPARQL executables described with
RDFS and schema.org), so tools that read those examples read this catalog too. One node
per named query, ``<root>.well-known/sparql-examples/<name>``, with:

- ``rdf:type`` ``sh:SPARQLExecutable`` and, by the query's form,
  ``sh:SPARQLSelectExecutable``, ``sh:SPARQLConstructExecutable``,
  ``sh:SPARQLAskExecutable`` (or, for DESCRIBE, ``spex:DescribeExecutable`` of the SIB
  sparql-examples ontology, as SHACL has none);
- ``rdfs:label`` (the title) and ``rdfs:comment`` (the description), both ``@en``;
- the query's text (as in its file: header comments, PREFIX lines and all) as
  ``sh:select`` / ``sh:construct`` / ``sh:ask`` (``spex:describe`` for DESCRIBE);
- one ``schema:keywords`` per keyword, and ``schema:target``: this service's SPARQL
  endpoint (the request's root URL + ``sparql``, validated as an IRI; a bad ``Host`` is 400);
- ``rdfs:seeAlso``: the query's REST URL (``/queries/<name>``).

Both answer every RDF format of ``kg.sparql.formats.GRAPH_FORMATS`` by ``Accept`` or
``format`` (Turtle by default); 406 otherwise.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, request

from api.http.context import get_catalog, get_settings, get_store
from api.http.openapi import rdf_operation
from api.http.rdf import choose_graph_format, endpoint_url, graph_response
from kg.namespaces import RDF_TYPE, SH, rdfs, schema
from kg.queries.catalog import Catalog
from kg.records.service import void_description

bp = Blueprint("well_known", __name__)

PATH = "/.well-known/sparql-examples"
SPEX = "https://purl.expasy.org/sparql-examples/ontology#"
#: query form → (its executable class, the property holding its text)
FORMS: dict[str, tuple[str, str]] = {
    "select": (SH + "SPARQLSelectExecutable", SH + "select"),
    "construct": (SH + "SPARQLConstructExecutable", SH + "construct"),
    "ask": (SH + "SPARQLAskExecutable", SH + "ask"),
    "describe": (SPEX + "DescribeExecutable", SPEX + "describe"),
}


def examples(catalog: Catalog, root: str, endpoint: str) -> list[ox.Triple]:
    """The catalog as SPARQL examples: ``root`` is the service's root URL (ends with /)."""
    target = ox.NamedNode(endpoint)
    out: list[ox.Triple] = []
    for query in catalog:
        node = ox.NamedNode(f"{root}.well-known/sparql-examples/{query.name}")
        cls, text = FORMS[query.form]
        out += [
            ox.Triple(node, RDF_TYPE, ox.NamedNode(SH + "SPARQLExecutable")),
            ox.Triple(node, RDF_TYPE, ox.NamedNode(cls)),
            ox.Triple(node, rdfs.label, ox.Literal(query.title, language="en")),
            ox.Triple(node, rdfs.comment, ox.Literal(query.description, language="en")),
            ox.Triple(node, ox.NamedNode(text), ox.Literal(query.text)),
            ox.Triple(node, schema.target, target),
            ox.Triple(node, rdfs.seeAlso, ox.NamedNode(f"{root}queries/{query.name}")),
        ]
        out += [ox.Triple(node, schema.keywords, ox.Literal(k)) for k in query.keywords]
    return out


@bp.get("/.well-known/void")
def void() -> Response:
    fmt = choose_graph_format(request.args.get("format"))  # a 406 before any work
    return graph_response(void_description(endpoint_url(), get_settings(), get_store()), fmt)


@bp.get(PATH)
def sparql_examples() -> Response:
    fmt = choose_graph_format(request.args.get("format"))  # a 406 before any work
    endpoint = endpoint_url()  # the root URL checked as an IRI (400 otherwise)
    return graph_response(examples(get_catalog(), request.url_root, endpoint), fmt)


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/.well-known/void": rdf_operation(
        "VoID description of the data, with live statistics",
        "Triples, classes, properties, distinct subjects and objects; one void:subset "
        "per named graph with its class and property partitions.",
    ),
    PATH: rdf_operation(
        "The catalog of named queries as SPARQL examples (RDF)",
        "One sh:SPARQLExecutable per named query (typed by its form) with "
        "rdfs:label, rdfs:comment, its text (sh:select, sh:construct, sh:ask), "
        "schema:keywords and schema:target (this service's /sparql), after the SIB "
        "sparql-examples convention.",
        tag="queries",
        answer="The examples (Turtle by default)",
    ),
}
