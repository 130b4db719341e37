"""``/.well-known/sparql-examples``: the named-query catalog as SHACL SPARQL executables.

Expectations come from the catalog and the query files themselves: one node per file,
typed by its query form, carrying the file's text, title, description and keywords, and
targeting the service's own ``/sparql``, where every example runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.namespace import RDF, RDFS, SH

from api import create_app
from kg.queries.catalog import load_catalog
from kg.store import open_store

SCHEMA = rdflib.Namespace("https://schema.org/")
PATH = "/.well-known/sparql-examples"
FORM_CLASSES = {
    "select": (SH.SPARQLSelectExecutable, SH.select),
    "construct": (SH.SPARQLConstructExecutable, SH.construct),
    "ask": (SH.SPARQLAskExecutable, SH.ask),
}


@pytest.fixture(scope="module")
def base(settings):
    from tests.support.servers import Served

    served = Served()
    yield served(create_app(settings=settings, store=open_store("memory")))
    served.close()


@pytest.fixture(scope="module")
def catalog(settings):
    return load_catalog(settings.queries_dir)


def fetch(base: str, accept: str = "text/turtle", **params) -> rdflib.Graph:
    r = requests.get(base + PATH, headers={"Accept": accept}, params=params, timeout=30)
    assert r.status_code == 200, r.text
    fmt = {
        "text/turtle": "turtle",
        "application/ld+json": "json-ld",
        "application/n-triples": "nt",
        "application/rdf+xml": "xml",
    }[r.headers["Content-Type"].split(";")[0]]
    return rdflib.Graph().parse(data=r.text, format=fmt)


@pytest.fixture(scope="module")
def graph(base) -> rdflib.Graph:
    return fetch(base)


def test_one_executable_per_query_file(graph, settings):
    files = list(Path(settings.queries_dir).rglob("*.rq"))
    assert len(files) >= 25
    executables = set(graph.subjects(RDF.type, SH.SPARQLExecutable))
    assert len(executables) == len(files)


def test_each_node_carries_its_query(base, graph, catalog):
    target = rdflib.URIRef(f"{base}/sparql")
    for query in catalog:
        node = rdflib.URIRef(f"{base}{PATH}/{query.name}")
        form_class, text_property = FORM_CLASSES[query.form]
        assert set(graph.objects(node, RDF.type)) == {SH.SPARQLExecutable, form_class}
        # The text is the file's, header comments included: it runs as it is.
        assert [str(t) for t in graph.objects(node, text_property)] == [
            query.path.read_text(encoding="utf-8")
        ]
        assert graph.value(node, RDFS.label) == rdflib.Literal(query.title, lang="en")
        assert graph.value(node, RDFS.comment) == rdflib.Literal(query.description, lang="en")
        assert {str(k) for k in graph.objects(node, SCHEMA.keywords)} == set(query.keywords)
        assert list(graph.objects(node, SCHEMA.target)) == [target]
        assert graph.value(node, RDFS.seeAlso) == rdflib.URIRef(f"{base}/queries/{query.name}")
    assert any(q.keywords for q in catalog)


@pytest.mark.parametrize(
    "accept", ["application/ld+json", "application/n-triples", "application/rdf+xml"]
)
def test_every_rdf_format_says_the_same(base, graph, accept):
    other = fetch(base, accept)
    assert len(other) == len(graph)
    assert set(other) == set(graph)


def test_format_parameter_and_406(base, graph):
    assert set(fetch(base, "*/*", format="ntriples")) == set(graph)
    r = requests.get(base + PATH, headers={"Accept": "image/png"}, timeout=30)
    assert r.status_code == 406
    assert r.json()["status"] == 406 and "image/png" in r.json()["error"]


def test_target_follows_the_host_the_client_used(base):
    r = requests.get(
        base + PATH,
        headers={"Accept": "application/n-triples", "Host": "kg.example.org:8443"},
        timeout=30,
    )
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="nt")
    assert set(g.objects(None, SCHEMA.target)) == {
        rdflib.URIRef("http://kg.example.org:8443/sparql")
    }


def test_every_example_runs_at_its_target(graph):
    """Each executable's text, sent to its schema:target, is a query the service answers."""
    ran = 0
    for node in graph.subjects(RDF.type, SH.SPARQLExecutable):
        target = graph.value(node, SCHEMA.target)
        texts = [graph.value(node, p) for p in (SH.select, SH.construct, SH.ask)]
        (text,) = [t for t in texts if t is not None]
        r = requests.post(str(target), data={"query": str(text)}, timeout=60)
        if str(node).rsplit("/", 1)[-1].startswith("federated-"):
            # SERVICE ?node: the endpoints are parameters of the named query (GET /queries/…)
            assert r.status_code == 403 and "variable endpoint" in r.json()["error"], r.text
            ran += 1
            continue
        assert r.status_code == 200, (node, r.text)
        ran += 1
    assert ran == len(set(graph.subjects(RDF.type, SH.SPARQLExecutable)))
