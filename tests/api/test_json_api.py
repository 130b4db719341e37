"""The JSON API over real HTTP on the graph built from ../shared/data, checked against
counts computed from the RDMkit source files (tests/support/rdmkit_source.py)."""

from __future__ import annotations

import json
import re

import pytest
import rdflib
import requests

CKG = "https://w3id.org/elixir-converge/ontology#"
SCHEMA = "https://schema.org/"
TIMEOUT = 60


@pytest.fixture(scope="module")
def src(rdmkit_src):
    return rdmkit_src


@pytest.fixture(scope="module")
def api(full_site):
    return full_site


def get(api, path, **params):
    base, session = api
    return session.get(base + path, params=params, timeout=TIMEOUT)


def total(api, **filters) -> int:
    r = get(api, "/api/resources", limit=1, **filters)
    assert r.status_code == 200, r.text
    return r.json()["total"]


def ids(api, **filters) -> set[str]:
    r = get(api, "/api/resources", limit=1000, **filters)
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["items"]}


def test_unfiltered_total_is_every_resource_of_the_tool_list(api, src):
    assert total(api) == len(src.resources)


def test_stage_task_domain_filters_match_the_pages(api, src):
    stages = [k for k, p in src.pages.items() if p["kind"] == "stage"]
    assert len(stages) == 7
    for key in stages:
        assert ids(api, stage=key) == src.stage(key), key
    for kind in ("task", "domain"):
        keys = [k for k, p in src.pages.items() if p["kind"] == kind]
        assert keys
        for key in keys:
            assert total(api, **{kind: key}) == len(src.mentioned_by(kind, key)), (kind, key)


def test_role_and_country_filters_match_the_national_resources(api, src):
    roles = [k for k, p in src.pages.items() if p["kind"] == "role"]
    assert roles
    for role in roles:
        expected = {
            src.instance_of(i)
            for i in src.national
            if src.instance_of(i) in src.resources
            and role in {t for ts in (i.get("related_pages") or {}).values() for t in ts or []}
        }
        assert ids(api, role=role) == expected, role
    countries = sorted({i["country"] for i in src.national})
    for country in countries:
        expected = {
            src.instance_of(i)
            for i in src.national
            if i["country"] == country and src.instance_of(i) in src.resources
        }
        assert ids(api, country=country) == expected, country
        assert ids(api, node=country.lower()) == expected, country


def test_registry_filters_and_text_search(api, src):
    for name in ("biotools", "fairsharing"):
        present = {r for r in src.resources if src.registry(r, name)}
        assert ids(api, registry=name) == present
        assert total(api, missing=name) == len(src.resources) - len(present)
    for text in ("galaxy", "Metadata"):
        expected = {
            r
            for r, e in src.resources.items()
            if text.lower()
            in (str(e.get("name", "")) + "\0" + str(e.get("description") or "")).lower()
        }
        assert expected and ids(api, q=text) == expected
    both = ids(api, stage="preserve", registry="biotools")
    assert both == src.stage("preserve") & {r for r in src.resources if src.registry(r, "biotools")}


def test_pagination_walks_every_resource_with_link_headers(api, src):
    seen: list[str] = []
    base, session = api
    url = base + "/api/resources?registry=fairsharing&limit=40"
    first = session.get(url, timeout=TIMEOUT)
    links = requests.utils.parse_header_links(first.headers["Link"])
    rels = {link["rel"]: link["url"] for link in links}
    assert {"first", "next", "last"} <= set(rels) and "prev" not in rels
    expected_total = first.json()["total"]
    for _ in range(expected_total // 40 + 2):
        r = session.get(url, timeout=TIMEOUT)
        assert r.status_code == 200 and r.json()["limit"] == 40
        seen += [item["id"] for item in r.json()["items"]]
        rels = {
            link["rel"]: link["url"]
            for link in requests.utils.parse_header_links(r.headers["Link"])
        }
        if r.json()["offset"] > 0:
            assert "prev" in rels
        if "next" not in rels:
            assert r.url == rels["last"] or r.json()["offset"] == int(
                re.search(r"offset=(\d+)", rels["last"]).group(1)
            )
            break
        url = rels["next"]
    assert len(seen) == len(set(seen)) == expected_total
    assert set(seen) == {r for r in src.resources if src.registry(r, "fairsharing")}


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"stage": "bogus"}, "stage"),
        ({"task": "not_a_task"}, "task"),
        ({"domain": "preserve"}, "domain"),  # a page, but not a domain page
        ({"node": "ZZ"}, "node"),
        ({"registry": "tess"}, "registry"),
        ({"missing": "x"}, "missing"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"colour": "red"}, "colour"),
        ({"stage": ["plan", "share"]}, "stage"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(api, params, named):
    r = get(api, "/api/resources", **params)
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == 400 and f"'{named}'" in body["error"]


def test_one_resource_node_page_standard_and_404s(api, src):
    galaxy = get(api, "/api/resources/galaxy").json()
    assert galaxy["name"] == src.resources["galaxy"]["name"]
    assert galaxy["biotoolsRecord"]["id"] == src.registry("galaxy", "biotools")
    assert {p["id"] for p in galaxy["pages"]} >= {
        k for k, p in src.pages.items() if "galaxy" in p["mentions"]
    }
    assert galaxy["topics"] and all(
        t["@id"].startswith("http://edamontology.org/topic_") for t in galaxy["topics"]
    )
    assert {n["id"] for n in galaxy["nodes"]} == {
        i["country"] for i in src.national if src.instance_of(i) == "galaxy"
    }
    nodes = get(api, "/api/nodes").json()
    assert nodes["total"] == len(nodes["items"]) > 20
    pt = get(api, "/api/nodes/PT").json()
    assert pt["memberships"] and pt["institutes"] and pt["name"] == "ELIXIR Portugal"
    assert {r["name"] for r in pt["nationalResources"]} == {
        i["name"] for i in src.national if i["country"] == "PT"
    }
    pages = get(api, "/api/pages").json()
    assert pages["total"] == len(src.pages)
    tasks = get(api, "/api/pages", kind="task").json()
    assert tasks["total"] == sum(p["kind"] == "task" for p in src.pages.values())
    standards = get(api, "/api/standards").json()
    assert standards["total"] > 0
    one = standards["items"][0]
    assert get(api, f"/api/standards/{one['id']}").json()["@id"] == one["@id"]
    for path in (
        "/api/resources/no-such-thing",
        "/api/nodes/ZZ",
        "/api/pages/nope",
        "/api/standards/nope",
    ):
        r = get(api, path)
        assert r.status_code == 404 and r.json()["status"] == 404, path
    assert get(api, "/api/pages", kind="nonsense").status_code == 400


def test_resolver_finds_every_biotools_id_of_the_source(api, src):
    for rid in src.resources:
        value = src.registry(rid, "biotools")
        if value is None:
            continue
        r = get(api, "/api/resolve", biotools=value)
        assert r.status_code == 200, (rid, value, r.text)
        assert any(m["@id"].endswith("/resource/" + rid) for m in r.json()["matches"]), rid


def test_resolver_fairsharing_url_and_errors(api, src):
    rid = next(r for r in src.resources if (src.registry(r, "fairsharing") or "").isalnum())
    fs = src.registry(rid, "fairsharing")
    for value in (fs, f"10.25504/FAIRsharing.{fs}", f"https://doi.org/10.25504/FAIRsharing.{fs}"):
        matches = get(api, "/api/resolve", fairsharing=value).json()["matches"]
        assert any(m["@id"].endswith("/resource/" + rid) for m in matches), value
    url = src.resources["galaxy"]["url"]
    body = get(api, "/api/resolve", url=url).json()
    assert body["query"] == {"url": url}
    assert any(
        m["@id"].endswith("/resource/galaxy") and m["kind"] == "resource" for m in body["matches"]
    )
    assert get(api, "/api/resolve").status_code == 400
    assert get(api, "/api/resolve", biotools="galaxy", url=url).status_code == 400
    assert get(api, "/api/resolve", biotools="a b").status_code == 400
    missing = get(api, "/api/resolve", biotools="no-such-tool-anywhere")
    assert missing.status_code == 404 and missing.json()["status"] == 404


def _expand(api, document: dict) -> rdflib.Graph:
    """Parse a JSON answer as JSON-LD, with the server's context loaded here (no fetch)."""
    context = get(api, "/context.jsonld").json()
    assert document["@context"].endswith("/context.jsonld")
    local = {**document, "@context": context["@context"]}
    graph = rdflib.Graph()
    graph.parse(data=json.dumps(local), format="json-ld")
    return graph


def test_json_answers_are_json_ld_in_our_vocabulary(api, src):
    galaxy = get(api, "/api/resources/galaxy").json()
    g = _expand(api, galaxy)
    subject = rdflib.URIRef(galaxy["@id"])
    assert (subject, rdflib.URIRef(SCHEMA + "name"), rdflib.Literal(galaxy["name"])) in g
    assert (subject, rdflib.RDF.type, rdflib.URIRef(CKG + "ToolkitResource")) in g
    assert (
        subject,
        rdflib.URIRef(CKG + "biotoolsRecord"),
        rdflib.URIRef(galaxy["biotoolsRecord"]["@id"]),
    ) in g
    page = rdflib.URIRef(galaxy["pages"][0]["@id"])
    assert (page, rdflib.URIRef(CKG + "mentions"), subject) in g
    stage = rdflib.URIRef(galaxy["stages"][0]["@id"])
    assert (subject, rdflib.URIRef(CKG + "lifeCycleStage"), stage) in g
    listing = get(api, "/api/resources", stage="preserve", limit=5).json()
    g = _expand(api, listing)
    named = {str(s) for s in g.subjects(rdflib.URIRef(SCHEMA + "name"), None)}
    assert named == {item["@id"] for item in listing["items"]}
    pt = get(api, "/api/nodes/PT").json()
    g = _expand(api, pt)
    membership = rdflib.URIRef(pt["memberships"][0]["@id"])
    assert (
        membership,
        rdflib.URIRef("http://www.w3.org/ns/org#member"),
        rdflib.URIRef(pt["@id"]),
    ) in g
