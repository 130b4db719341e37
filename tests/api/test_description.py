"""The SPARQL Service Description and the VoID description, over real HTTP.

Every statistic is checked against counts the test computes itself through ``/sparql``.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib import RDF, Namespace, URIRef

from kg.records.service import FORMAT_IRIS, service_description, void_description
from kg.sparql import formats
from kg.store import open_store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FMT = "http://www.w3.org/ns/formats/"
BASE = "https://w3id.org/elixir-converge/"

#: The W3C IRI (http://www.w3.org/ns/formats/) of every format of kg.sparql.formats.
W3C_FORMAT_NAMES = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
    "nquads": "N-Quads",
    "trig": "TriG",
}
RESULT_FORMAT_IRIS = {URIRef(FMT + W3C_FORMAT_NAMES[name]) for name in formats.BY_NAME}
RDF_FORMATS = [
    # (Accept, expected media type, rdflib parser)
    (None, "text/turtle", "turtle"),
    ("*/*", "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("text/plain", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/trig", "application/trig", "trig"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "text/turtle", "turtle"),
]
PATHS = ["/sparql/description", "/.well-known/void"]


def sparql(server: str, query: str) -> list[dict[str, str]]:
    """Run a SELECT through /sparql (POST, application/sparql-query); rows of plain values."""
    r = requests.post(
        f"{server}/sparql",
        data=query.encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def scalar(server: str, query: str) -> int:
    (row,) = sparql(server, query)
    return int(row["n"])


def fetch(server: str, path: str, accept: str | None = None, **params) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(f"{server}{path}", headers=headers, params=params, timeout=60)


def graph_of(r: requests.Response, rdflib_format: str = "turtle") -> rdflib.Graph:
    assert r.status_code == 200, r.text
    return rdflib.Graph().parse(data=r.content, format=rdflib_format)


def number(g: rdflib.Graph, node, prop) -> int:
    values = list(g.objects(node, prop))
    assert len(values) == 1, f"{node} {prop}: {values}"
    return int(values[0].toPython())


def graph_triples(server: str) -> dict[str, int]:
    rows = sparql(server, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: int(row["n"]) for row in rows}


DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


# -- the service description -----------------------------------------------------------


def test_service_description_in_turtle_by_default(live_server):
    r = fetch(live_server, "/sparql/description")
    assert r.headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in r.headers["Vary"]
    g = graph_of(r)
    (service,) = g.subjects(RDF.type, SD.Service)
    assert set(g.objects(service, SD.endpoint)) == {URIRef(f"{live_server}/sparql")}
    assert set(g.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query, SD.SPARQL11Update}
    assert set(g.objects(service, SD.resultFormat)) == RESULT_FORMAT_IRIS
    assert {SD.UnionDefaultGraph, SD.BasicFederatedQuery} <= set(g.objects(service, SD.feature))
    (dataset,) = g.objects(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    (default_graph,) = g.objects(dataset, SD.defaultGraph)
    assert default_graph == URIRef(BASE + "void")
    assert (default_graph, RDF.type, VOID.Dataset) in g
    assert number(g, default_graph, VOID.triples) == scalar(live_server, DISTINCT_TRIPLES)


def test_service_description_has_each_named_graph_with_its_live_count(live_server, built):
    store, _ = built
    g = graph_of(fetch(live_server, "/sparql/description"))
    (dataset,) = g.subjects(RDF.type, SD.Dataset)
    counted = graph_triples(live_server)
    described = {}
    for named in g.objects(dataset, SD.namedGraph):
        (name,) = g.objects(named, SD.name)
        (node,) = g.objects(named, SD.graph)
        assert str(node).startswith(BASE + "void/graph/")
        described[str(name)] = number(g, node, VOID.triples)
    assert set(described) == {graph.value for graph in store.named_graphs()}
    assert described == counted
    # and against the store itself, without SPARQL
    assert described == {graph.value: store.count(graph) for graph in store.named_graphs()}
    assert described[BASE + "graph/rdmkit"] > 1000


def test_every_result_format_has_a_w3c_format_iri():
    assert set(FORMAT_IRIS) == set(formats.BY_NAME)
    assert {name: iri.removeprefix(FMT) for name, iri in FORMAT_IRIS.items()} == {
        name: W3C_FORMAT_NAMES[name] for name in formats.BY_NAME
    }


def test_service_description_is_a_function_the_endpoint_can_call(settings, built):
    store, _ = built
    # a function of the core (kg.records.service): no app, no request
    triples = service_description("http://example.org/sparql", settings, store)
    assert triples and all(isinstance(t, ox.Triple) for t in triples)
    sd_endpoint = ox.NamedNode(str(SD.endpoint))
    assert [t.object for t in triples if t.predicate == sd_endpoint] == [
        ox.NamedNode("http://example.org/sparql")
    ]
    with pytest.raises(ValueError, match="not an IRI"):
        service_description("http://exa mple/sparql>", settings, store)
    with pytest.raises(ValueError, match="not an IRI"):
        void_description("no iri", settings, store)


# -- VoID ------------------------------------------------------------------------------


def test_void_statistics_equal_independent_counts(live_server):
    g = graph_of(fetch(live_server, "/.well-known/void"))
    root = URIRef(BASE + "void")
    assert (root, RDF.type, VOID.Dataset) in g
    assert set(g.objects(root, VOID.sparqlEndpoint)) == {URIRef(f"{live_server}/sparql")}
    assert number(g, root, VOID.triples) == scalar(live_server, DISTINCT_TRIPLES)
    assert number(g, root, VOID.classes) == scalar(
        live_server, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"
    )
    assert number(g, root, VOID.properties) == scalar(
        live_server, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"
    )
    assert number(g, root, VOID.distinctSubjects) == scalar(
        live_server, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
    )
    assert number(g, root, VOID.distinctObjects) == scalar(
        live_server, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"
    )


def _subsets(g: rdflib.Graph) -> dict[str, URIRef]:
    """Named graph IRI → its VoID subset node, through the sd:NamedGraph pairing."""
    root = URIRef(BASE + "void")
    out = {}
    for node in g.objects(root, VOID.subset):
        assert str(node).startswith(BASE + "void/graph/")
        (named,) = g.subjects(SD.graph, node)
        (name,) = g.objects(named, SD.name)
        out[str(name)] = node
    return out


def test_void_has_a_subset_per_graph_with_its_statistics(live_server):
    g = graph_of(fetch(live_server, "/.well-known/void"))
    subsets = _subsets(g)
    triples = graph_triples(live_server)
    assert set(subsets) == set(triples)
    assert subsets[BASE + "graph/rdmkit"] == URIRef(BASE + "void/graph/rdmkit")
    classes = {
        row["g"]: int(row["n"])
        for row in sparql(
            live_server,
            "SELECT ?g (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g",
        )
    }
    properties = {
        row["g"]: int(row["n"])
        for row in sparql(
            live_server,
            "SELECT ?g (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        )
    }
    for name, node in subsets.items():
        assert (node, RDF.type, VOID.Dataset) in g
        assert number(g, node, VOID.triples) == triples[name], name
        assert number(g, node, VOID.classes) == classes.get(name, 0), name
        assert number(g, node, VOID.properties) == properties[name], name


def test_void_class_and_property_partitions(live_server):
    g = graph_of(fetch(live_server, "/.well-known/void"))
    subsets = _subsets(g)
    rdmkit = subsets[BASE + "graph/rdmkit"]
    partitions = {
        str(g.value(p, VOID["class"])): number(g, p, VOID.entities)
        for p in g.objects(rdmkit, VOID.classPartition)
    }
    expected = sparql(
        live_server,
        f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
              GRAPH <{BASE}graph/rdmkit> {{ ?s a ?c }} }} GROUP BY ?c""",
    )
    assert partitions == {row["c"]: int(row["n"]) for row in expected}
    assert partitions["https://w3id.org/elixir-converge/ontology#ToolkitResource"] == 631
    partitions = {
        str(g.value(p, VOID.property)): number(g, p, VOID.triples)
        for p in g.objects(rdmkit, VOID.propertyPartition)
    }
    expected = sparql(
        live_server,
        f"""SELECT ?p (COUNT(*) AS ?n) WHERE {{
              GRAPH <{BASE}graph/rdmkit> {{ ?s ?p ?o }} }} GROUP BY ?p""",
    )
    assert partitions == {row["p"]: int(row["n"]) for row in expected}
    assert sum(partitions.values()) == number(g, rdmkit, VOID.triples)
    # every graph has partitions adding up to its size
    for node in subsets.values():
        sizes = [number(g, p, VOID.triples) for p in g.objects(node, VOID.propertyPartition)]
        assert sum(sizes) == number(g, node, VOID.triples)


# -- content negotiation and errors ----------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own parsers
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("accept", "media_type", "rdflib_format"), RDF_FORMATS)
def test_content_negotiation(live_server, path, accept, media_type, rdflib_format):
    r = fetch(live_server, path, accept)
    assert r.headers["Content-Type"].split(";")[0] == media_type
    g = graph_of(r, rdflib_format)
    reference = graph_of(fetch(live_server, path, "text/turtle"))
    assert len(g) == len(reference) > 20
    assert set(g.subjects(RDF.type, VOID.Dataset)) == set(
        reference.subjects(RDF.type, VOID.Dataset)
    )


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("ntriples", "application/n-triples"), ("jsonld", "application/ld+json")],
)
def test_format_parameter(live_server, path, fmt, media_type):
    r = fetch(live_server, path, "text/turtle", format=fmt)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == media_type


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [({"accept": "image/png"}, "image/png"), ({"format": "csv"}, "csv")],
)
def test_unacceptable_format_is_406_with_the_json_error_shape(live_server, path, kwargs, fragment):
    r = fetch(live_server, path, **kwargs)
    assert r.status_code == 406
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error", "status"} and body["status"] == 406
    assert fragment in body["error"]


@pytest.mark.parametrize("path", PATHS)
def test_only_get(live_server, path):
    r = requests.post(f"{live_server}{path}", timeout=10)
    assert r.status_code == 405 and r.json()["status"] == 405


# -- live statistics and IRIs ----------------------------------------------------------


def test_statistics_are_live_and_iris_stay_under_the_base(settings, serve):
    from api import create_app

    store = open_store("memory")
    server = serve(create_app(settings=settings, store=store))

    g = graph_of(fetch(server, "/.well-known/void"))
    root = URIRef(BASE + "void")
    assert number(g, root, VOID.triples) == 0 and number(g, root, VOID.classes) == 0
    assert not list(g.objects(root, VOID.subset))

    ex = "http://example.org/"
    a, b = ox.NamedNode(ex + "a"), ox.NamedNode(ex + "b")
    thing, name = ox.NamedNode(ex + "Thing"), ox.NamedNode(ex + "name")
    rdf_type = ox.NamedNode(str(RDF.type))
    shared = ox.Triple(a, rdf_type, thing)
    store.load([shared, ox.Triple(a, name, ox.Literal("A"))], ox.NamedNode(BASE + "graph/one"))
    foreign = ox.NamedNode("http://example.org/graphs?id=2#x")
    store.load([shared, ox.Triple(b, rdf_type, thing)], foreign)

    g = graph_of(fetch(server, "/.well-known/void"))
    assert number(g, root, VOID.triples) == 3  # `shared` is in both graphs: counted once
    assert number(g, root, VOID.classes) == 1 and number(g, root, VOID.properties) == 2
    assert number(g, root, VOID.distinctSubjects) == 2
    subsets = _subsets(g)
    assert subsets == {
        BASE + "graph/one": URIRef(BASE + "void/graph/one"),
        foreign.value: URIRef(BASE + "void/graph/http%3A%2F%2Fexample.org%2Fgraphs%3Fid%3D2%23x"),
    }
    assert number(g, subsets[foreign.value], VOID.triples) == 2
    (part,) = g.objects(subsets[foreign.value], VOID.classPartition)
    assert g.value(part, VOID["class"]) == URIRef(ex + "Thing")
    assert number(g, part, VOID.entities) == 2

    sd = graph_of(fetch(server, "/sparql/description"))
    (default_graph,) = sd.objects(None, SD.defaultGraph)
    assert number(sd, default_graph, VOID.triples) == 3
    assert len(list(sd.objects(None, SD.namedGraph))) == 2


def test_the_host_header_only_reaches_the_endpoint_iri(live_server):
    r = requests.get(
        f"{live_server}/.well-known/void", headers={"Host": "kg.example.org:8443"}, timeout=30
    )
    g = graph_of(r)
    root = URIRef(BASE + "void")
    assert set(g.objects(root, VOID.sparqlEndpoint)) == {
        URIRef("http://kg.example.org:8443/sparql")
    }
    datasets = set(g.subjects(RDF.type, VOID.Dataset))
    assert datasets and all(str(d).startswith(BASE + "void") for d in datasets)


@pytest.mark.parametrize("path", PATHS)
def test_an_invalid_host_header_is_400(live_server, path):
    r = requests.get(f"{live_server}{path}", headers={"Host": "a>b"}, timeout=30)
    assert r.status_code == 400
    assert r.json() == {"error": "the request has no valid Host header", "status": 400}
