"""Dereferenceable IRIs over real HTTP on the graph built from ../shared/data."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
import requests

from tests.support.paths import BASE

TIMEOUT = 60
SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def src(rdmkit_src):
    return rdmkit_src


@pytest.fixture(scope="module")
def site(full_site):
    return full_site


def get(site, path, accept=None):
    base, session = site
    headers = {"Accept": accept} if accept else {}
    return session.get(base + path, headers=headers, timeout=TIMEOUT)


def turtle(response) -> rdflib.Graph:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/turtle")
    return rdflib.Graph().parse(data=response.text, format="turtle")


def test_every_resource_of_the_source_dereferences_as_turtle(site, src):
    for rid, entry in src.resources.items():
        g = turtle(get(site, f"/resource/{rid}.ttl"))
        iri = rdflib.URIRef(BASE + "resource/" + requests.utils.quote(rid, safe=""))
        assert (iri, rdflib.URIRef(SCHEMA + "name"), rdflib.Literal(str(entry["name"]))) in g, rid
        assert (iri, rdflib.URIRef("http://purl.org/dc/terms/identifier"), rdflib.Literal(rid)) in g


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_content_negotiation_and_suffixes_give_the_same_triples(site, accept, media, rdflib_format):
    by_accept = get(site, "/resource/galaxy", accept)
    assert by_accept.status_code == 200
    assert by_accept.headers["Content-Type"].startswith(media)
    assert "Accept" in by_accept.headers["Vary"]
    suffix = {"turtle": ".ttl", "json-ld": ".jsonld", "nt": ".nt", "xml": ".rdf"}[rdflib_format]
    assert by_accept.headers["Content-Location"] == "/resource/galaxy" + suffix
    links = {
        link["url"]: link.get("type")
        for link in requests.utils.parse_header_links(by_accept.headers["Link"])
    }
    assert links["/resource/galaxy.ttl"] == "text/turtle" and "/resource/galaxy.html" in links
    by_suffix = get(site, "/resource/galaxy" + suffix)
    assert by_suffix.headers["Content-Type"].startswith(media)
    a = rdflib.Graph().parse(data=by_accept.content, format=rdflib_format)
    b = rdflib.Graph().parse(data=by_suffix.content, format=rdflib_format)
    assert len(a) == len(b) > 5
    galaxy = rdflib.URIRef(BASE + "resource/galaxy")
    assert (
        galaxy,
        rdflib.URIRef("https://w3id.org/elixir-converge/ontology#biotoolsRecord"),
        rdflib.URIRef("https://bio.tools/galaxy"),
    ) in a
    # labels of the IRIs it links to come along
    assert any(a.triples((rdflib.URIRef("https://bio.tools/galaxy"), None, None)))


def test_browsers_get_html_with_bioschemas(site, src):
    r = get(
        site, "/resource/galaxy", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    )
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert src.resources["galaxy"]["name"] in r.text
    assert "application/ld+json" in r.text
    for path in (
        "/node/PT",
        "/page/preserve",
        "/",
        "/resources?stage=preserve",
        "/nodes",
        "/pages",
        "/standards",
    ):
        page = get(site, path, "text/html")
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html"), (
            path
        )


def test_other_minted_iris_dereference(site, full_build):
    store, _ = full_build
    kinds = (
        "national-resource",
        "institute",
        "person",
        "organisation",
        "business-model",
        "impact",
        "maturity",
        "graph",
        "node",
        "page",
    )
    for kind in kinds:
        rows = list(
            store.query(
                "SELECT ?s WHERE { ?s ?p ?o FILTER (STRSTARTS(STR(?s), ?prefix)) } ORDER BY ?s LIMIT 1",
                {"prefix": ox.Literal(BASE + kind + "/")},
            )
        )
        assert rows, kind
        iri = rows[0]["s"].value
        path = "/" + iri[len(BASE) :]
        g = turtle(get(site, path + ".ttl"))
        assert any(g.triples((rdflib.URIRef(iri), None, None))), iri
        html = get(site, path, "text/html")
        assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html"), (
            path
        )
    # a Node's description carries its memberships (minted beneath it)
    g = turtle(get(site, "/node/PT.ttl"))
    assert any(
        g.triples(
            (
                None,
                rdflib.URIRef("http://www.w3.org/ns/org#member"),
                rdflib.URIRef(BASE + "node/PT"),
            )
        )
    )


def test_unknown_iris_are_404_with_the_error_shape(site):
    for path, accept in (
        ("/resource/no-such-thing", "text/turtle"),
        ("/resource/no-such-thing", "text/html"),
        ("/node/ZZ.ttl", None),
        ("/person/nobody-at-all", None),
        ("/standard/nope", None),
    ):
        r = get(site, path, accept)
        assert r.status_code == 404, path
        assert (
            r.json() == {"error": r.json()["error"], "status": 404} and "no " in r.json()["error"]
        )
    assert get(site, "/resource/galaxy", "image/png").status_code == 406


def test_iris_follow_the_base_not_the_host(site):
    r = get(site, "/resource/galaxy.nt")
    assert f"<{BASE}resource/galaxy>" in r.text and "127.0.0.1" not in r.text
