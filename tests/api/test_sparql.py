"""The SPARQL endpoint over real HTTP (requests and SPARQLWrapper as clients)."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
import rdflib
import requests
import yaml
from SPARQLWrapper import CSV, JSON, JSONLD, N3, TSV, TURTLE, XML, SPARQLWrapper

PREFIXES = """PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""
SELECT = (
    PREFIXES
    + """SELECT ?id ?name WHERE { GRAPH ?g { ?r a ckg:ToolkitResource ;
  dct:identifier ?id ; schema:name ?name } } ORDER BY ?id LIMIT 5"""
)
ASK = PREFIXES + 'ASK { GRAPH ?g { ?r dct:identifier "zenodo" } }'
CONSTRUCT = (
    PREFIXES
    + """CONSTRUCT { ?r schema:name ?name } WHERE { GRAPH ?g {
  ?r a ckg:ToolkitResource ; schema:name ?name } } ORDER BY ?name LIMIT 7"""
)


def get(server, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return requests.get(
        f"{server}/sparql", params={"query": query, **params}, headers=headers, timeout=30
    )


def test_health(live_server):
    r = requests.get(f"{live_server}/health", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["quads"] > 0
    assert any(g.endswith("graph/rdmkit") for g in body["graphs"])


def test_every_rdmkit_resource_id_can_be_found_over_http(live_server, shared_data):
    tools = yaml.safe_load((shared_data / "rdmkit/_data/tool_and_resource_list.yml").read_text())
    expected = {str(t["id"]) for t in tools}
    q = PREFIXES + "SELECT ?id WHERE { GRAPH ?g { ?r a ckg:ToolkitResource ; dct:identifier ?id } }"
    r = get(live_server, q)
    assert r.status_code == 200
    found = {b["id"]["value"] for b in r.json()["results"]["bindings"]}
    assert found == expected and len(found) == 631


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
    ],
)
def test_select_content_negotiation(live_server, accept, content_type):
    r = get(live_server, SELECT, accept)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == content_type
    assert "Accept" in r.headers.get("Vary", "")
    rows = parse_solutions(r.content, content_type)
    assert len(rows) == 5 and all(row["id"] and row["name"] for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)


def parse_solutions(body: bytes, content_type: str) -> list[dict]:
    text = body.decode("utf-8")
    if content_type.endswith("json"):
        data = json.loads(text)
        return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
    if content_type.endswith("xml"):
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(text)
        return [
            {b.get("name"): "".join(b.itertext()) for b in result.findall("s:binding", ns)}
            for result in root.iter("{http://www.w3.org/2005/sparql-results#}result")
        ]
    if content_type == "text/csv":
        return list(csv.DictReader(io.StringIO(text)))
    lines = text.splitlines()
    names = [n.lstrip("?") for n in lines[0].split("\t")]
    return [
        dict(zip(names, (c.strip('"').split('"^^')[0] for c in line.split("\t")), strict=True))
        for line in lines[1:]
    ]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("json", "application/sparql-results+json"),
        ("csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_format_parameter_overrides_accept(live_server, fmt, content_type):
    r = get(live_server, SELECT, "application/sparql-results+xml", format=fmt)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == content_type


@pytest.mark.parametrize(
    ("accept", "content_type", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_content_negotiation(live_server, accept, content_type, rdflib_format):
    headers = {"Content-Type": "application/sparql-query"}
    if accept:
        headers["Accept"] = accept
    r = requests.post(f"{live_server}/sparql", data=CONSTRUCT.encode(), headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == content_type
    g = rdflib.Graph().parse(data=r.content, format=rdflib_format)
    assert len(g) == 7


def test_get_without_a_query_describes_the_service(live_server):
    r = requests.get(f"{live_server}/sparql", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(f"{live_server}/sparql")) in g


def test_post_form(live_server):
    r = requests.post(f"{live_server}/sparql", data={"query": ASK}, timeout=30)
    assert r.status_code == 200
    assert r.json() == {"head": {}, "boolean": True}


def test_malformed_sparql_is_400_with_the_parser_message(live_server):
    r = get(live_server, "SELECT ?x WHERE { ?x ?y }")
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == 400
    assert body["error"].startswith("malformed SPARQL query:")
    assert re.search(r"\b1:\d+\b", body["error"])  # line:column of the error


@pytest.mark.parametrize(
    ("kwargs", "status", "fragment"),
    [
        ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "exactly one"),
        ({"params": {"query": SELECT}, "headers": {"Accept": "image/png"}}, 406, "image/png"),
        ({"params": {"query": SELECT, "format": "turtle"}}, 406, "turtle"),
        ({"params": {"query": CONSTRUCT, "format": "csv"}}, 406, "csv"),
        ({"params": {"query": SELECT, "format": "n3"}}, 406, "n3"),
    ],
)
def test_get_errors_use_the_json_error_shape(live_server, kwargs, status, fragment):
    r = requests.get(f"{live_server}/sparql", timeout=30, **kwargs)
    assert r.status_code == status
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error", "status"} and body["status"] == status
    assert fragment in body["error"]


def test_post_with_wrong_media_type_is_415(live_server):
    r = requests.post(
        f"{live_server}/sparql", data=ASK, headers={"Content-Type": "text/plain"}, timeout=30
    )
    assert r.status_code == 415 and r.json()["status"] == 415


def test_post_direct_non_utf8_is_400(live_server):
    body = 'ASK { ?s ?p "é" }'.encode("latin-1")
    r = requests.post(
        f"{live_server}/sparql",
        data=body,
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]


@pytest.mark.parametrize(
    ("path", "method", "status"), [("/nowhere", "get", 404), ("/sparql", "put", 405)]
)
def test_routing_errors_use_the_json_error_shape(live_server, path, method, status):
    r = getattr(requests, method)(live_server + path, timeout=10)
    assert r.status_code == status
    assert r.json() == {"error": r.json()["error"], "status": status}


# -- SPARQLWrapper as a client ---------------------------------------------------


def wrapper(server, query, fmt):
    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw.query()


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(live_server, fmt):
    result = wrapper(live_server, SELECT, fmt)
    converted = result.convert()
    if fmt == JSON:
        assert len(converted["results"]["bindings"]) == 5
    elif fmt == XML:
        assert len(converted.getElementsByTagName("result")) == 5
    else:
        lines = converted.decode().strip().splitlines()
        assert len(lines) == 6  # header + 5 rows


def test_sparqlwrapper_ask(live_server):
    assert wrapper(live_server, ASK, JSON).convert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, XML, JSONLD])
def test_sparqlwrapper_construct(live_server, fmt):
    result = wrapper(live_server, CONSTRUCT, fmt)
    converted = result.convert()
    if isinstance(converted, rdflib.Graph):
        graph = converted
    else:
        parse_as = {TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}[fmt]
        graph = rdflib.Graph().parse(data=converted, format=parse_as)
    assert len(graph) == 7
