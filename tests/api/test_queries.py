"""The named-query REST API and ``kg queries``, over real HTTP and as a real process."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from api import create_app
from kg.queries.catalog import CatalogError
from kg.queries.parameters import MAX_VALUE_LENGTH
from kg.settings import Settings
from kg.store import open_store

QUERIES_DIR = Path(Settings.load(environ={}).queries_dir)
NAMES = sorted(
    p.relative_to(QUERIES_DIR).with_suffix("").as_posix() for p in QUERIES_DIR.rglob("*.rq")
)
KG = str(Path(sys.executable).parent / "kg")
CKG = "https://w3id.org/elixir-converge/ontology#"
STAGE = {"stage": CKG + "preserve"}

# A catalog of probes: one parameter of every type, echoed back as one row; lookups by
# name in every query form; a SERVICE call.
ECHO = """\
# title: Echo every parameter type
# description: Answers its parameters as one row, unbound when not given.
# param: s (string, optional) — text
# param: i (integer, optional) — an integer
# param: d (decimal, optional) — a decimal
# param: b (boolean, optional) — a boolean
# param: day (date, optional) — a date
# param: iri (iri, optional) — an IRI
# param: lang (language, optional) — a language tag
# param: kind (enum: tool|database, optional) — a kind
# param: node (enum: https://w3id.org/elixir-converge/node/BE|urn:x:no, optional) — a node
# returns: s, i, d, b, day, iri, lang, kind, node
SELECT ?s ?i ?d ?b ?day ?iri ?lang ?kind ?node WHERE { }
"""
LOOKUP = """\
# title: Things by exact name
# description: Every thing whose schema:name is the given text.
# param: name (string, required) — the name
# returns: thing
# example: name=Zenodo
PREFIX schema: <https://schema.org/>
SELECT ?thing WHERE { ?thing schema:name ?name } ORDER BY ?thing
"""
ASK = """\
# title: Is there a thing with this name?
# description: ASK form.
# param: name (string, required) — the name
# returns: boolean
# example: name=Zenodo
PREFIX schema: <https://schema.org/>
ASK { ?thing schema:name ?name }
"""
CONSTRUCT = """\
# title: Names of things with this name
# description: CONSTRUCT form.
# param: name (string, required) — the name
# returns: subject, predicate, object
# example: name=Zenodo
PREFIX schema: <https://schema.org/>
CONSTRUCT { ?thing schema:name ?name } WHERE { ?thing schema:name ?name }
"""
CONTAINS = """\
# title: Names containing a text
# description: A parameter used in a FILTER only.
# param: q (string, required) — the text, any case
# returns: name
# example: q=zenodo
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?name WHERE {
  ?thing schema:name ?name .
  FILTER (CONTAINS(LCASE(STR(?name)), LCASE(?q)))
}
"""
SERVICE = """\
# title: Federated
# description: Calls another endpoint.
# returns: s
SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }
"""
RUNAWAY = """\
# title: Runaway
# description: Does not finish in time.
# returns: n
SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }
"""
TYPED = ["s", "i", "d", "b", "day", "iri", "lang", "kind", "node"]
EVIL = [
    '"',
    "'",
    ">",
    "}",
    "#",
    "\n",
    "\r\n",
    '") } ; DROP ALL ; #',
    "') } ; DROP ALL ; #",
    "> } ; DROP ALL ; #",
    '"""',
    "'''",
    "\\",
    '\\"',
    "\\u0022) } DROP ALL #",
    "x\n} DELETE WHERE { ?s ?p ?o } #",
    '" . } SELECT * WHERE { ?s ?p ?o } #',
    "http://example.org/> } ; DROP ALL ; #",
    "<http://example.org/a>",
    "?s",
    "%22%7D",
    "ünïcödé ☃ 𝄞 \u2028 \u0000",
    "x" * MAX_VALUE_LENGTH,
]


def write_catalog(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def probe_dir(tmp_path_factory) -> Path:
    return write_catalog(
        tmp_path_factory.mktemp("probe-queries"),
        {
            "probe/echo.rq": ECHO,
            "probe/lookup.rq": LOOKUP,
            "probe/ask.rq": ASK,
            "probe/construct.rq": CONSTRUCT,
            "probe/service.rq": SERVICE,
            "probe/contains.rq": CONTAINS,
        },
    )


@pytest.fixture(scope="module")
def served():
    """Servers shared by this module's tests (one per catalog), stopped at its end."""
    from tests.support.servers import Served

    servers = Served()
    yield servers
    servers.close()


@pytest.fixture(scope="module")
def base(settings, full_build, served) -> str:
    """The API over every source, with the real catalog."""
    return served(create_app(settings=settings, store=full_build[0]))


@pytest.fixture(scope="module")
def probe(settings, full_build, served, probe_dir) -> str:
    """The API over every source, with the probe catalog."""
    app = create_app(
        settings=settings.with_overrides(queries_dir=str(probe_dir)), store=full_build[0]
    )
    return served(app)


def get(url: str, params=None, **kwargs) -> requests.Response:
    return requests.get(url, params=params, timeout=60, **kwargs)


def assert_error(response: requests.Response, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "status"} and body["status"] == status
    assert fragment in body["error"], body["error"]


# -- listing ----------------------------------------------------------------------------


def test_list_describes_every_query(base):
    r = get(f"{base}/queries")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    listing = r.json()
    assert [q["name"] for q in listing] == NAMES
    for q in listing:
        assert set(q) >= {
            "name",
            "title",
            "description",
            "keywords",
            "parameters",
            "returns",
            "url",
            "example_url",
        }
        assert q["title"] and q["description"] and q["returns"]
        assert q["url"] == f"{base}/queries/{q['name']}"
        assert q["example_url"].startswith(q["url"])
        for p in q["parameters"]:
            assert set(p) == {"name", "type", "required", "default", "values", "description"}
    stage = next(q for q in listing if q["name"] == "rdmkit/resources_for_stage")
    assert stage["parameters"][0] | {"description": ""} == {
        "name": "stage",
        "type": "iri",
        "required": True,
        "default": None,
        "values": None,
        "description": "",
    }
    assert parse_qs(urlsplit(stage["example_url"]).query) == {"stage": [CKG + "preserve"]}
    assert get(stage["example_url"]).status_code == 200


@pytest.mark.parametrize("name", NAMES)
def test_every_query_answers_its_example(base, name):
    listing = {q["name"]: q for q in get(f"{base}/queries").json()}
    r = get(listing[name]["example_url"])
    if name.startswith("federated-"):  # this server allows no SERVICE endpoint (empty allowlist)
        assert r.status_code == 403 and "KG_SERVICE_ALLOWLIST" in r.json()["error"], r.text
        return  # answered across Nodes in tests/api/test_federation_nodes.py
    assert r.status_code == 200, r.text
    doc = r.json()
    if "boolean" in doc:
        assert doc == {"query": name, "boolean": doc["boolean"]}
        return
    assert doc["query"] == name and doc["offset"] == 0
    assert doc["total"] == len(doc["rows"])
    assert set(doc["variables"]) == set(listing[name]["returns"])
    assert all(set(row) == set(doc["variables"]) for row in doc["rows"])


# -- results ----------------------------------------------------------------------------


def test_json_rows_hold_native_values(base):
    r = get(f"{base}/queries/rdmkit/most_mentioned_resources")
    doc = r.json()
    assert doc["variables"] == ["name", "pages"] and doc["total"] == len(doc["rows"]) == 5
    assert all(isinstance(row["name"], str) and type(row["pages"]) is int for row in doc["rows"])
    pages = [row["pages"] for row in doc["rows"]]
    assert pages == sorted(pages, reverse=True) and pages[0] > 1
    assert "Link" not in r.headers and r.headers["KG-Results-Total"] == "5"
    assert "Accept" in r.headers["Vary"]


def test_iris_are_strings(base):
    doc = get(f"{base}/queries/admin/void_graph_counts").json()
    assert doc["rows"] and all(row["graph"].startswith("https://") for row in doc["rows"])
    assert all(type(row["triples"]) is int for row in doc["rows"])


@pytest.mark.parametrize(
    "how",
    [{"headers": {"Accept": "text/csv"}}, {"params": {"format": "csv"}}],
    ids=["accept", "format"],
)
def test_csv(base, how):
    params = {**STAGE, **how.get("params", {})}
    r = get(f"{base}/queries/rdmkit/resources_for_stage", params, headers=how.get("headers"))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    doc = get(f"{base}/queries/rdmkit/resources_for_stage", STAGE).json()
    assert rows[0] == ["name", "tasks"]
    assert rows[1:] == [[row["name"], str(row["tasks"])] for row in doc["rows"]]
    assert r.headers["KG-Results-Total"] == str(doc["total"])


@pytest.mark.parametrize(
    "how",
    [{"headers": {"Accept": "text/tab-separated-values"}}, {"params": {"format": "tsv"}}],
    ids=["accept", "format"],
)
def test_tsv(base, how):
    params = {**STAGE, **how.get("params", {})}
    r = get(f"{base}/queries/rdmkit/resources_for_stage", params, headers=how.get("headers"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/tab-separated-values")
    lines = r.text.splitlines()
    assert lines[0] == "?name\t?tasks" and len(lines) > 1
    assert all(line.startswith('"') for line in lines[1:])


def test_sparql_result_formats(base):
    url = f"{base}/queries/rdmkit/resources_for_stage"
    r = get(url, STAGE, headers={"Accept": "application/sparql-results+json"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert r.json()["head"]["vars"] == ["name", "tasks"]
    assert r.json()["results"]["bindings"][0]["tasks"]["datatype"].endswith("#integer")
    r = get(url, {**STAGE, "format": "sparql-xml"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+xml")
    assert ET.fromstring(r.content).tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    r = get(url, {**STAGE, "format": "application/sparql-results+json"})
    assert "head" in r.json()


def test_no_acceptable_format_is_406(base):
    url = f"{base}/queries/rdmkit/resources_for_stage"
    assert_error(get(url, STAGE, headers={"Accept": "image/png"}), 406, "image/png")
    assert_error(get(url, {**STAGE, "format": "turtle"}), 406, "not available for this query")
    r = get(url, STAGE, headers={"Accept": "text/html, */*;q=0.1"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")


def test_ask_and_construct_queries(probe):
    doc = get(f"{probe}/queries/probe/ask", {"name": "Zenodo"}).json()
    assert doc == {"query": "probe/ask", "boolean": True}
    doc = get(f"{probe}/queries/probe/ask", {"name": "No Such Thing"}).json()
    assert doc["boolean"] is False
    r = get(f"{probe}/queries/probe/construct", {"name": "Zenodo"})
    doc = r.json()
    assert doc["variables"] == ["subject", "predicate", "object"] and doc["total"] >= 1
    assert doc["rows"][0]["predicate"] == "https://schema.org/name"
    assert doc["rows"][0]["object"] == "Zenodo"
    r = get(f"{probe}/queries/probe/construct", {"name": "Zenodo", "format": "turtle"})
    assert r.headers["Content-Type"].startswith("text/turtle") and '"Zenodo"' in r.text
    r = get(f"{probe}/queries/probe/construct", {"name": "Zenodo"}, headers={"Accept": "text/csv"})
    assert r.text.splitlines()[0] == "subject,predicate,object"


def test_bound_parameters_narrow_filters_and_groups_like_inlined_values(base):
    """A parameter is bound before FILTERs and grouping: as if its value were in the text."""
    text = (QUERIES_DIR / "rdmkit/resources_for_stage.rq").read_text(encoding="utf-8")
    inlined = text.replace("?stage ;", f"<{CKG}preserve> ;")
    assert inlined != text
    expected = get(f"{base}/sparql", {"query": inlined}).json()["results"]["bindings"]
    doc = get(f"{base}/queries/rdmkit/resources_for_stage", STAGE).json()
    assert doc["rows"] == [
        {"name": b["name"]["value"], "tasks": int(b["tasks"]["value"])} for b in expected
    ]
    other = get(f"{base}/queries/rdmkit/resources_for_stage", {"stage": CKG + "plan"}).json()
    assert other["rows"] != doc["rows"]


def test_a_parameter_used_in_a_filter_narrows(probe):
    everything = get(f"{probe}/queries/probe/contains", {"q": ""}).json()
    some = get(f"{probe}/queries/probe/contains", {"q": "zenodo"}).json()
    assert 0 < some["total"] < everything["total"]
    assert all("zenodo" in row["name"].lower() for row in some["rows"])


# -- pagination -------------------------------------------------------------------------


def test_pages_walked_by_link_headers_make_the_whole_result(base):
    url = f"{base}/queries/admin/void_property_partitions"
    whole = get(url).json()
    assert whole["total"] == len(whole["rows"]) > 20 and whole["offset"] == 0
    rows, page_url, pages = [], f"{url}?limit=7", 0
    while page_url:
        r = get(page_url)
        doc = r.json()
        assert doc["limit"] == 7 and doc["total"] == whole["total"]
        assert doc["offset"] == 7 * pages
        if pages:
            assert r.links["prev"]["url"].endswith(f"limit=7&offset={7 * (pages - 1)}")
            assert r.links["first"]["url"].endswith("limit=7&offset=0")
        rows += doc["rows"]
        pages += 1
        page_url = r.links.get("next", {}).get("url")
    assert rows == whole["rows"]
    assert pages == -(-whole["total"] // 7)
    first = get(url, {"limit": 7})
    assert "prev" not in first.links
    last_offset = (whole["total"] - 1) // 7 * 7
    assert first.links["last"]["url"].endswith(f"offset={last_offset}")


def test_page_links_keep_the_other_parameters(base):
    r = get(f"{base}/queries/rdmkit/resources_for_stage", {**STAGE, "limit": 1, "format": "csv"})
    query = parse_qs(urlsplit(r.links["next"]["url"]).query)
    assert query == {
        **{k: [v] for k, v in STAGE.items()},
        "format": ["csv"],
        "limit": ["1"],
        "offset": ["1"],
    }
    assert len(list(csv.reader(io.StringIO(r.text)))) == 2


def test_offset_past_the_end_and_limit_zero(base):
    url = f"{base}/queries/rdmkit/most_mentioned_resources"
    doc = get(url, {"offset": 100}).json()
    assert doc["rows"] == [] and doc["total"] == 5 and doc["offset"] == 100
    r = get(url, {"limit": 0})
    assert r.json()["rows"] == [] and r.json()["total"] == 5 and "Link" not in r.headers


def test_total_is_null_past_the_row_cap(settings, full_build, serve):
    base = serve(create_app(settings=settings.with_overrides(max_rows=10), store=full_build[0]))
    url = f"{base}/queries/admin/void_property_partitions"
    r = get(url)
    doc = r.json()
    assert doc["total"] is None and len(doc["rows"]) == 10 and doc["limit"] == 10
    assert r.headers["KG-Results-Truncated"] == "10" and "KG-Results-Total" not in r.headers
    assert "next" not in r.links
    r = get(url, {"limit": 4, "offset": 4})
    assert r.links["next"]["url"].endswith("limit=4&offset=8") and "last" not in r.links
    r = get(url, {"limit": 4, "offset": 8})
    assert len(r.json()["rows"]) == 2 and "next" not in r.links
    assert_error(
        get(url, {"limit": 11}), 400, "parameter 'limit': expected an integer from 0 to 10"
    )


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"limit": "abc"}, "parameter 'limit': expected an integer from 0 to 100000, got 'abc'"),
        ({"limit": "-1"}, "parameter 'limit': expected an integer"),
        ({"limit": "100001"}, "parameter 'limit': expected an integer from 0 to 100000"),
        ({"limit": "1e3"}, "parameter 'limit'"),
        ({"offset": "1.5"}, "parameter 'offset': expected an integer of 0 or more, got '1.5'"),
        ({"offset": "9" * 40}, "parameter 'offset'"),
        ({"offset": ""}, "parameter 'offset'"),
        ({"limit": ["1", "2"]}, "parameter 'limit': given 2 times"),
        ({"format": ["csv", "tsv"]}, "parameter 'format': given 2 times"),
    ],
)
def test_paging_parameter_errors(base, params, fragment):
    assert_error(get(f"{base}/queries/rdmkit/most_mentioned_resources", params), 400, fragment)


# -- parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({}, "parameter 'stage': required (an absolute http(s) or urn IRI), but not given"),
        ({"stage": "abc"}, "parameter 'stage': expected an absolute http(s) or urn IRI, got 'abc'"),
        ({"stage": ""}, "parameter 'stage': expected an absolute http(s) or urn IRI, got ''"),
        (
            {**STAGE, "stag": "x"},
            "parameter 'stag': unknown for query 'rdmkit/resources_for_stage'",
        ),
        ({"stage": ["http://x/a", "http://x/b"]}, "parameter 'stage': given 2 times"),
    ],
)
def test_parameter_errors_name_the_parameter(base, params, fragment):
    assert_error(get(f"{base}/queries/rdmkit/resources_for_stage", params), 400, fragment)


@pytest.mark.parametrize(
    "path",
    [
        "/queries/no/such_query",
        "/queries/rdmkit",
        "/queries/rdmkit/resources_for_stage.rq",
        "/queries/..%2Fsparql",
        "/queries/rdmkit/%2E%2E/admin/list_sources",
        "/queries/rdmkit/resources_for_stage/",
    ],
)
def test_unknown_queries_are_404(base, path):
    r = requests.get(base + path, timeout=30)
    assert r.status_code == 404, r.text
    assert r.json()["status"] == 404


def test_every_type_binds_as_a_typed_value(probe):
    given = {
        "s": 'say "hi"',
        "i": "-007",
        "d": "1.50",
        "b": "TRUE",
        "day": "2024-02-29",
        "iri": "urn:isbn:0451450523",
        "lang": "en-GB",
        "kind": "database",
        "node": "https://w3id.org/elixir-converge/node/BE",
    }
    doc = get(f"{probe}/queries/probe/echo", given).json()
    assert doc["rows"] == [
        {
            "s": 'say "hi"',
            "i": -7,
            "d": 1.5,
            "b": True,
            "day": "2024-02-29",
            "iri": "urn:isbn:0451450523",
            "lang": "en-gb",
            "kind": "database",
            "node": "https://w3id.org/elixir-converge/node/BE",
        }
    ]
    r = get(
        f"{probe}/queries/probe/echo", given, headers={"Accept": "application/sparql-results+json"}
    )
    binding = r.json()["results"]["bindings"][0]
    assert binding["i"] == {
        "type": "literal",
        "value": "-7",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }
    assert binding["day"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"
    assert binding["b"]["datatype"] == "http://www.w3.org/2001/XMLSchema#boolean"
    assert binding["d"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    assert binding["iri"]["type"] == "uri" and binding["node"]["type"] == "uri"
    assert binding["lang"] == {"type": "literal", "value": "en-gb"}
    assert binding["kind"] == {"type": "literal", "value": "database"}
    unbound = get(f"{probe}/queries/probe/echo").json()
    assert unbound["rows"] == [dict.fromkeys(TYPED)]


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("i", "abc", "an integer"),
        ("i", "1.5", "an integer"),
        ("d", "1e5", "a decimal number"),
        ("b", "yes", "true or false"),
        ("day", "2023-02-29", "a date (YYYY-MM-DD)"),
        ("iri", "ftp://example.org/", "an absolute http(s) or urn IRI"),
        ("lang", "en_GB", "a BCP 47 language tag"),
        ("kind", "standard", "one of tool, database"),
        ("node", "BE", "one of https://w3id.org/elixir-converge/node/BE, urn:x:no"),
    ],
)
def test_bad_values_are_400_naming_parameter_and_type(probe, name, value, expected):
    r = get(f"{probe}/queries/probe/echo", {name: value})
    assert_error(r, 400, f"parameter '{name}': expected {expected}, got {value!r}")


@pytest.mark.parametrize("evil", EVIL, ids=range(len(EVIL)))
def test_injection_through_every_parameter_type(probe, full_build, evil):
    store = full_build[0]
    size = len(store)
    for name in TYPED:
        r = get(f"{probe}/queries/probe/echo", {name: evil})
        if name == "s":  # any text is a string: it comes back as it went in
            assert r.status_code == 200, r.text
            assert r.json()["rows"] == [{**dict.fromkeys(TYPED), "s": evil}]
        else:
            assert_error(r, 400, f"parameter '{name}': expected ")
    r = get(f"{probe}/queries/probe/lookup", {"name": evil})
    assert r.status_code == 200 and r.json()["rows"] == [] and r.json()["total"] == 0
    assert len(store) == size


def test_injection_through_names_and_paging(probe, full_build):
    store = full_build[0]
    size = len(store)
    evil = '") } ; DROP ALL ; #'
    assert_error(get(f"{probe}/queries/probe/echo", {evil: "x"}), 400, "unknown for query")
    assert_error(get(f"{probe}/queries/probe/echo", {"limit": evil}), 400, "parameter 'limit'")
    assert_error(get(f"{probe}/queries/probe/echo", {"offset": evil}), 400, "parameter 'offset'")
    r = requests.get(f"{probe}/queries/probe/echo%22%7D", timeout=30)
    assert r.status_code == 404
    assert len(store) == size


@pytest.mark.parametrize("length", [MAX_VALUE_LENGTH + 1, 100_000])
def test_very_long_values_are_400(probe, length):
    r = get(f"{probe}/queries/probe/lookup", {"name": "x" * length})
    assert_error(r, 400, f"parameter 'name': expected at most {MAX_VALUE_LENGTH} characters")


def test_lookup_finds_a_real_name(probe):
    doc = get(f"{probe}/queries/probe/lookup", {"name": "Zenodo"}).json()
    assert doc["total"] >= 1 and all(row["thing"].startswith("http") for row in doc["rows"])


# -- the limits of /sparql --------------------------------------------------------------


def test_service_in_a_named_query_is_checked(probe):
    r = get(f"{probe}/queries/probe/service")
    assert_error(r, 403, "SERVICE <http://127.0.0.1:9/sparql> refused")


def test_saturated_server_answers_503(settings, full_build, serve):
    app = create_app(settings=settings, store=full_build[0])
    base = serve(app)
    slots = threading.BoundedSemaphore(1)
    app.extensions["kg.executor"].slots = slots
    slots.acquire()
    try:
        r = get(f"{base}/queries/rdmkit/most_mentioned_resources")
        assert_error(r, 503, "too many queries")
        assert r.headers["Retry-After"] == "1"
    finally:
        slots.release()
    assert get(f"{base}/queries/rdmkit/most_mentioned_resources").status_code == 200


def test_a_broken_catalog_stops_the_app(settings, tmp_path):
    write_catalog(
        tmp_path, {"x/broken.rq": "# title: T\n# description: D\n# returns: s\nSELECT ?s WHERE {\n"}
    )
    with pytest.raises(CatalogError, match=r"broken\.rq:\d+: malformed SPARQL"):
        create_app(
            settings=settings.with_overrides(queries_dir=str(tmp_path)), store=open_store("memory")
        )


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory, settings) -> Path:
    """An on-disk store with RDMkit loaded by the real pipeline, closed again."""
    from loaders.pipeline import load

    path = tmp_path_factory.mktemp("queries-disk") / "store"
    store = open_store(f"oxigraph:{path}")
    load(store, settings, "rdmkit")
    store.close()
    return path


def test_named_queries_run_in_killable_workers(settings, disk_store, probe_dir, tmp_path, serve):
    queries = write_catalog(
        tmp_path,
        {"probe/echo.rq": ECHO, "probe/lookup.rq": LOOKUP, "probe/runaway.rq": RUNAWAY},
    )
    store = open_store(f"oxigraph:{disk_store}", read_only=True)
    app = create_app(
        settings=settings.with_overrides(
            store=f"oxigraph:{disk_store}", queries_dir=str(queries), query_timeout=2.0
        ),
        store=store,
    )
    try:
        assert app.extensions["kg.executor"].pool is not None
        base = serve(app)
        evil = '") } ; DROP ALL ; #'
        doc = get(f"{base}/queries/probe/echo", {"s": evil, "i": "3"}).json()
        assert doc["rows"] == [{**dict.fromkeys(TYPED), "s": evil, "i": 3}]
        doc = get(f"{base}/queries/probe/lookup", {"name": "Zenodo", "limit": 1}).json()
        assert doc["total"] >= 1 and len(doc["rows"]) == 1
        r = get(f"{base}/queries/probe/runaway")
        assert_error(r, 503, "longer than 2 s")
        assert r.headers["Retry-After"] == "5"
        assert get(f"{base}/queries/probe/lookup", {"name": "Zenodo"}).status_code == 200
    finally:
        app.extensions["kg.executor"].close()
        store.close()


# -- kg queries -------------------------------------------------------------------------


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [KG, *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def assert_clean_error(proc: subprocess.CompletedProcess, fragment: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), proc.stderr
    assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def cli_env(disk_store, shared_data) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("KG_")},
        "KG_STORE": f"oxigraph:{disk_store}",
        "KG_SOURCES_DIR": str(shared_data),
    }


def test_kg_queries_list(cli_env):
    proc = run("queries", "list", env=cli_env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["name", "parameters", "title"]
    assert [line.split()[0] for line in lines[1:-1]] == NAMES
    assert re.search(r"^rdmkit/resources_for_stage +stage:iri +Toolkit", proc.stdout, re.M)
    assert lines[-1].startswith(f"({len(NAMES)} queries")
    proc = run("queries", "list", "--format", "json", env=cli_env)
    assert [q["name"] for q in __import__("json").loads(proc.stdout)] == NAMES


def test_kg_queries_run_in_every_format(cli_env, settings):
    import json

    stage = f"stage={CKG}preserve"
    args = ("queries", "run", "rdmkit/resources_for_stage", "--param", stage)
    doc = json.loads(run(*args, "--format", "json", env=cli_env).stdout)
    assert doc["query"] == "rdmkit/resources_for_stage" and doc["total"] == len(doc["rows"]) > 1
    assert all(type(row["tasks"]) is int for row in doc["rows"])
    table = run(*args, env=cli_env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["name", "|", "tasks"]
    assert f"({doc['total']} rows)" in table.stdout
    rows = list(csv.reader(io.StringIO(run(*args, "--format", "csv", env=cli_env).stdout)))
    assert rows == [["name", "tasks"]] + [[r["name"], str(r["tasks"])] for r in doc["rows"]]
    tsv = run(*args, "--format", "tsv", env=cli_env).stdout.splitlines()
    assert tsv[0] == "?name\t?tasks" and len(tsv) == doc["total"] + 1
    page = json.loads(
        run(*args, "--format", "json", "--limit", "2", "--offset", "1", env=cli_env).stdout
    )
    assert page["rows"] == doc["rows"][1:3] and page["total"] == doc["total"]
    assert page["limit"] == 2 and page["offset"] == 1
    paged = run(*args, "--limit", "2", "--offset", "1", env=cli_env).stdout
    assert f"(rows 2-3 of {doc['total']})" in paged


def test_kg_queries_run_treats_text_as_a_value(cli_env, probe_dir, monkeypatch, capsys):
    """The real ``kg`` entry point, called in-process (one interpreter for every value)."""
    from cli.main import main

    for name, value in {**cli_env, "KG_QUERIES_DIR": str(probe_dir)}.items():
        if name.startswith("KG_"):
            monkeypatch.setenv(name, value)
    for evil in (e for e in EVIL if "\0" not in e):  # no NUL in a command line
        code = main(
            ["queries", "run", "probe/lookup", "--param", f"name={evil}", "--format", "json"]
        )
        out, err = capsys.readouterr()
        assert code == 0, err
        assert json.loads(out)["rows"] == []
    assert main(["queries", "run", "probe/lookup", "--param", "name=Zenodo"]) == 0
    assert "(0 rows)" not in capsys.readouterr().out
    # And once through the installed command, as a user runs it.
    proc = run(
        "queries",
        "run",
        "probe/lookup",
        "--param",
        'name=") } ; DROP ALL ; #',
        env=cli_env | {"KG_QUERIES_DIR": str(probe_dir)},
    )
    assert proc.returncode == 0 and "(0 rows)" in proc.stdout, proc.stderr


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("queries", "run", "no/such_query"), "no query named 'no/such_query'"),
        (("queries", "run", "rdmkit/resources_for_stage"), "parameter 'stage': required"),
        (
            ("queries", "run", "rdmkit/resources_for_stage", "--param", "stage=abc"),
            "parameter 'stage': expected an absolute http(s) or urn IRI, got 'abc'",
        ),
        (
            ("queries", "run", "rdmkit/most_mentioned_resources", "--param", "x=1"),
            "parameter 'x': unknown for query",
        ),
        (
            ("queries", "run", "rdmkit/most_mentioned_resources", "--param", "x"),
            "expected NAME=VALUE",
        ),
        (("queries", "run", "rdmkit/most_mentioned_resources", "--limit", "-1"), "--limit"),
    ],
)
def test_kg_queries_errors_are_one_line(cli_env, args, fragment):
    assert_clean_error(run(*args, env=cli_env), fragment)


def test_kg_queries_reports_a_broken_catalog_with_file_and_line(cli_env, tmp_path):
    write_catalog(
        tmp_path,
        {
            "x/bad.rq": "# title: T\n# description: D\n# param: p (int, required) — p\n# returns: p\nSELECT ?p {}\n"
        },
    )
    env = {**cli_env, "KG_QUERIES_DIR": str(tmp_path)}
    for args in (("queries", "list"), ("queries", "run", "x/bad")):
        assert_clean_error(
            run(*args, env=env), f"{tmp_path / 'x' / 'bad.rq'}:3: parameter 'p': unknown type 'int'"
        )
