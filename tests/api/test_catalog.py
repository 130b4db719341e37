"""The DCAT catalog over real HTTP, checked against the RDMkit source files."""

from __future__ import annotations

import pytest
import rdflib
import requests
from rdflib.namespace import DCAT, DCTERMS, RDF

from tests.support.paths import BASE
from tests.support.rdmkit_source import read
from tests.support.servers import Served

TIMEOUT = 60
CKG = "https://w3id.org/elixir-converge/ontology#"


@pytest.fixture(scope="module")
def catalogs(settings, full_build):
    from api import create_app

    store, _ = full_build
    served = Served()
    base = served(create_app(settings=settings, store=store))
    try:
        ttl = requests.get(base + "/catalog.ttl", timeout=TIMEOUT)
        jsonld = requests.get(base + "/catalog.jsonld", timeout=TIMEOUT)
        negotiated = requests.get(
            base + "/catalog", headers={"Accept": "application/n-triples"}, timeout=TIMEOUT
        )
    finally:
        served.close()
    return ttl, jsonld, negotiated


def test_catalog_lists_every_resource_with_its_fields(catalogs, shared_data):
    src = read(shared_data / "rdmkit")
    ttl, jsonld, negotiated = catalogs
    assert ttl.headers["Content-Type"].startswith("text/turtle")
    assert jsonld.headers["Content-Type"].startswith("application/ld+json")
    assert negotiated.headers["Content-Type"].startswith("application/n-triples")
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    g_json = rdflib.Graph().parse(data=jsonld.text, format="json-ld")
    g_nt = rdflib.Graph().parse(data=negotiated.text, format="nt")
    assert len(g) == len(g_json) == len(g_nt)
    catalog = rdflib.URIRef(BASE + "catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in g
    elixir = rdflib.URIRef(BASE + "organisation/elixir")
    assert (catalog, DCTERMS.publisher, elixir) in g
    listed = set(g.objects(catalog, rdflib.URIRef(str(DCAT) + "resource"))) | set(
        g.objects(catalog, DCAT.service)
    )
    assert len(listed) == len(src.resources)
    assert set(g.subjects(RDF.type, DCAT.Resource)) == listed
    with_biotools = {r for r in src.resources if src.registry(r, "biotools")}
    assert len(set(g.objects(catalog, DCAT.service))) == len(with_biotools)
    assert len(set(g.subjects(RDF.type, DCAT.DataService))) == len(with_biotools)
    for resource in listed:
        assert (resource, DCTERMS.publisher, elixir) in g
        assert len(list(g.objects(resource, DCTERMS.title))) == 1
    titles = {str(t) for r in listed for t in g.objects(r, DCTERMS.title)}
    assert titles == {str(e["name"]) for e in src.resources.values()}
    described = {r for r in listed if any(g.objects(r, DCTERMS.description))}
    assert len(described) == sum(1 for e in src.resources.values() if e.get("description"))
    # themes: the life-cycle stages (through their task pages), and the domain pages
    stage = rdflib.URIRef(CKG + "preserve")
    themed = {str(r).rsplit("/", 1)[-1] for r in g.subjects(DCAT.theme, stage)}
    assert themed == {requests.utils.quote(r, safe="") for r in src.stage("preserve")}
    plants = rdflib.URIRef(BASE + "page/plants")
    assert len(set(g.subjects(DCAT.theme, plants))) == len(src.mentioned_by("domain", "plants"))
    landing = {r for r in listed if any(g.objects(r, DCAT.landingPage))}
    assert len(landing) > 0.9 * len(listed)
