"""bio.tools and EDAM linked to RDMkit, and the curation worklist that finds every known quirk.

Expected values come from the source files, read here independently of the loaders.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import rdflib
import yaml

from kg.queries.files import query_text


@pytest.fixture(scope="module")
def tools(shared_data):
    return yaml.safe_load((shared_data / "rdmkit/_data/tool_and_resource_list.yml").read_text())


@pytest.fixture(scope="module")
def worklist(full_build, settings):
    store, _ = full_build
    rows = store.query(query_text(settings, "curation/worklist"))
    return [(r["kind"].value, r["location"].value, r["message"].value) for r in rows]


def kinds(worklist) -> Counter:
    return Counter(kind for kind, _, _ in worklist)


def test_biotools_and_edam_graphs_hold_their_files(full_build, shared_data):
    _, reports = full_build
    biotools = rdflib.Graph().parse(shared_data / "biotools/biotools-dump-20171129.ttl")
    assert reports["biotools"].triples == len(biotools)
    edam = rdflib.Graph().parse(shared_data / "edam/EDAM_1.25.owl", format="xml")
    assert reports["edam"].triples == len(edam)


def test_biotools_link_report_says_which_links_resolve(full_build, settings, tools, shared_data):
    store, _ = full_build
    dump = (shared_data / "biotools/biotools-dump-20171129.ttl").read_text()
    records = set(re.findall(r"^<https://bio\.tools/([^>]+)> a ", dump, re.M))
    first = {}
    for t in tools:
        first.setdefault(str(t["id"]), t)
    linked = {
        rid: str(t["registry"]["biotools"])
        for rid, t in first.items()
        if (t.get("registry") or {}).get("biotools") not in (None, "NA")
    }
    rows = list(store.query(query_text(settings, "curation/biotools_links")))
    assert {r["id"].value for r in rows} == set(linked)
    resolved = {r["id"].value for r in rows if r["resolves"].value == "true"}
    assert resolved == {rid for rid, bt in linked.items() if bt in records}
    assert 0 < len(resolved) < len(linked)
    # through a resolved record, EDAM topics are reachable
    assert sum(int(r["topics"].value) for r in rows if r["resolves"].value == "true") > 0
    topics = list(
        store.query(
            """PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
            PREFIX edam: <http://edamontology.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT DISTINCT ?label WHERE { ?r ckg:biotoolsRecord ?rec . ?rec edam:has_topic ?t .
              ?t rdfs:label ?label }"""
        )
    )
    assert len(topics) > 10  # EDAM labels reached from RDMkit through bio.tools


def test_unresolved_biotools_ids_are_on_the_worklist(worklist, full_build, settings):
    store, _ = full_build
    rows = list(store.query(query_text(settings, "curation/biotools_links")))
    unresolved = {"resource/" + r["id"].value for r in rows if r["resolves"].value == "false"}
    listed = {loc for kind, loc, _ in worklist if kind == "biotools-id-not-in-biotools"}
    assert listed == unresolved


def test_worklist_finds_every_quirk_of_sources_md(worklist, tools):
    k = kinds(worklist)
    text = "\n".join(f"{kind} {loc} {msg}" for kind, loc, msg in worklist)
    # 20 registry values 'NA': 10 biotools, 10 fairsharing
    na = [v for t in tools for v in (t.get("registry") or {}).values() if str(v) == "NA"]
    assert k["not-registered"] == len(na) == 20
    # duplicate ids, and one resource under two ids
    dups = [rid for rid, n in Counter(str(t["id"]) for t in tools).items() if n > 1]
    assert sorted(dups) == ["chebi", "international-nucleotide-sequence-database-collaboration"]
    assert all(f"resource id '{rid}' already defined" in text for rid in dups)
    assert "resources 'bio-formats' and 'bioformats' look like one resource" in text
    # FAIRsharing: YAML integers, a legacy numeric id, a full DOI URL
    assert k["fairsharing-yaml-number"] == 2 and "847069" in text and "11889" in text
    assert "FAIRsharing value '298' looks like a legacy numeric id" in text
    assert "resource 'sdrf': FAIRsharing value is a full DOI" in text
    # URL typo and http:// URLs
    http = [t for t in tools if str(t.get("url", "")).startswith("http://")]
    assert "'hhttps://www.dublincore.org/'" in text
    assert k["http-url"] >= 38 and len({t["id"] for t in http}) <= k["http-url"]
    # dangling related pages, instance_of, ref_to_main_resources
    for target in (
        "data_transfer",
        "plant sciences",
        "human data",
        "covid-19",
        "sensitive_data",
        "data_protection",
        "brokering",
    ):
        assert f"related page '{target}'" in text, target
    assert "instance_of 'udata' is not a resource id" in text
    assert "ref_to_main_resources 'covid-19-disease-map' is not a resource id" in text
    # national page quirks
    assert "unexpected key 'id'" in text and "'inistance_of' read as 'instance_of'" in text
    assert k["empty-registry-value"] > 0 and "ch_resources.md" in text
    assert "page 'cy_resources': training is null" in text
    assert "related_pages group 'tool_assembly'; expected 'Tool_assembly'" in text


def test_national_pages_and_resources_reach_their_node(full_build, shared_data):
    store, _ = full_build
    rows = list(
        store.query(
            """PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
            PREFIX schema: <https://schema.org/>
            SELECT ?thing ?country ?nodeName WHERE {
              ?thing ckg:country ?country ; ckg:node ?node .
              FILTER NOT EXISTS { ?thing a ckg:Node }
              OPTIONAL { ?node a ckg:Node ; schema:name ?nodeName } }"""
        )
    )
    pages = [
        p
        for p in (shared_data / "rdmkit/pages/national_resources").glob("*.md")
        if not p.name.startswith("TEMPLATE_")
    ]
    assert len({r["thing"].value for r in rows if "/page/" in r["thing"].value}) == len(pages)
    unresolved = sorted({r["country"].value for r in rows if r["nodeName"] is None})
    assert unresolved == [], f"national pages of countries with no Node: {unresolved}"
    # a national resource that is an instance of a toolkit resource reaches both
    counts = list(
        store.query(
            """PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
            SELECT (COUNT(?x) AS ?instances) (COUNT(?node) AS ?linked) WHERE {
              ?x a ckg:NationalResource ; ckg:instanceOf ?r .
              OPTIONAL { ?x ckg:node ?node . ?r a ckg:ToolkitResource . ?node a ckg:Node } }"""
        )
    )[0]
    assert int(counts["instances"].value) > 0
    assert counts["linked"].value == counts["instances"].value
