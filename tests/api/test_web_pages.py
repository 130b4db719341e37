"""The web pages over plain HTTP: escaping of hostile data, links, accessibility basics.

The app serves every source plus a graph of hostile names (``hostile_site``); expected
values are computed from the store with SPARQL, never written here.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
import requests

from kg.queries.catalog import load_catalog

TIMEOUT = 30
PREFIXES = """PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX edam: <http://edamontology.org/>
"""
HOSTILE_RESOURCE = "hostile-tool"
HOSTILE_NODE = "ZZ"
HOSTILE_PAGE = "hostile_page"
#: The dangerous parts of the hostile names, as they must appear in the raw HTML.
ESCAPED = (
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#34;quotes&#39;",
    "&lt;/script&gt;",
    "{{7*7}}",
)
RAW = ("<script>alert(1)</script>", "<img src=x onerror", "alert(2)</script>")


class Page(HTMLParser):
    """What the accessibility and link checks need from one HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.images: list[dict[str, str | None]] = []
        self.hrefs: list[str] = []
        self.scripts: list[tuple[str | None, str]] = []
        self.landmarks: set[str] = set()
        self._heading: list | None = None
        self._script: list | None = None
        self._label_depth = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = [int(tag[1]), ""]
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.controls.append(
                {**a, "_tag": tag, "_wrapped": "yes" if self._label_depth else None}
            )
        elif tag == "img":
            self.images.append(a)
        elif tag == "a" and a.get("href") is not None:
            self.hrefs.append(a["href"])
        elif tag == "script":
            self._script = [a.get("type"), ""]
        if tag in ("main", "nav", "header", "footer"):
            self.landmarks.add(tag)

    def handle_endtag(self, tag):
        if self._heading is not None and tag == f"h{self._heading[0]}":
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None
        elif tag == "label":
            self._label_depth -= 1
        elif tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], self._script[1]))
            self._script = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data
        if self._script is not None:
            self._script[1] += data

    def json_ld(self) -> list[dict]:
        return [json.loads(text) for kind, text in self.scripts if kind == "application/ld+json"]


def select(store, text: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + text)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def count(store, text: str) -> int:
    return int(select(store, text)[0]["n"])


@pytest.fixture(scope="module")
def site(hostile_site):
    return hostile_site


def get(base: str, path: str, status: int = 200) -> tuple[str, Page]:
    response = requests.get(base + path, timeout=TIMEOUT)
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("text/html"), path
    return response.text, Page(response.text)


@pytest.fixture(scope="module")
def standard_id(site) -> str:
    _, store = site
    doi = select(
        store,
        "SELECT ?rec WHERE { ?r a ckg:ToolkitResource ; ckg:fairsharingRecord ?rec } "
        "ORDER BY ?rec LIMIT 1",
    )[0]["rec"]
    return doi.split("FAIRsharing.", 1)[1]


@pytest.fixture(scope="module")
def linked_resource(site) -> dict[str, str]:
    """A resource with pages, a national instance, a bio.tools record with EDAM topics and a
    FAIRsharing record, if one exists; else the one with the most of these."""
    _, store = site
    rows = select(
        store,
        """SELECT ?id ((IF(BOUND(?topic), 1, 0) + IF(BOUND(?fs), 1, 0) + IF(BOUND(?node), 1, 0)
                        + IF(BOUND(?page), 1, 0)) AS ?score) WHERE {
          ?r a ckg:ToolkitResource ; dct:identifier ?id .
          OPTIONAL { ?r ckg:biotoolsRecord/edam:has_topic ?topic }
          OPTIONAL { ?r ckg:fairsharingRecord ?fs }
          OPTIONAL { ?i ckg:instanceOf ?r ; ckg:node ?node }
          OPTIONAL { ?page ckg:mentions ?r }
        } ORDER BY DESC(?score) ?id LIMIT 1""",
    )
    return rows[0]


def all_paths(standard_id: str) -> list[str]:
    return [
        "/",
        "/resources",
        "/resources?stage=preserve",
        f"/resource/{HOSTILE_RESOURCE}",
        "/resource/zenodo",
        f"/node/{HOSTILE_NODE}",
        "/node/SE",
        "/nodes",
        "/pages",
        f"/page/{HOSTILE_PAGE}",
        "/page/data_publication",
        "/standards",
        f"/standard/{standard_id}",
        "/query",
        "/query?example=rdmkit/most_mentioned_resources",
    ]


def test_pages_are_accessible_basics(site, standard_id):
    base, _ = site
    for path in all_paths(standard_id):
        text, page = get(base, path)
        assert page.lang == "en", path
        assert [h for h in page.headings if h[0] == 1].__len__() == 1, (path, page.headings)
        levels = [level for level, _ in page.headings]
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (path, levels)
        assert {"main", "nav", "header", "footer"} <= page.landmarks, path
        for control in page.controls:
            named = (
                control.get("id") in page.label_for
                or control.get("aria-label")
                or control.get("aria-labelledby")
                or control.get("_wrapped")
            )
            assert named, (path, control)
        assert all(img.get("alt") is not None for img in page.images), path
        assert not any(h.lower().startswith("javascript:") for h in page.hrefs), path
        assert page.ids, path


@pytest.mark.parametrize(
    "path",
    [
        f"/resource/{HOSTILE_RESOURCE}",
        f"/node/{HOSTILE_NODE}",
        f"/page/{HOSTILE_PAGE}",
        "/resources?q=Hostile",
        "/nodes",
        "/pages?kind=task",
        f"/query?example=nodes/list_node_institutes&node={HOSTILE_NODE}",
    ],
)
def test_hostile_names_are_escaped(site, path):
    base, _ = site
    if path.startswith("/query"):
        # The example binds its own parameter: ask for the hostile Node's institutes instead.
        text, page = post_query(
            base,
            'SELECT ?name WHERE { ?i a ckg:Institute ; schema:name ?name . FILTER(CONTAINS(?name, "Hostile")) }',
        )
    else:
        text, page = get(base, path)
    for escaped in ESCAPED:
        assert escaped in text, (path, escaped)
    for raw in RAW:
        assert raw not in text, (path, raw)
    assert 'href="javascript:' not in text.lower()
    for kind, body in page.scripts:
        assert "alert(" not in body or kind in ("application/ld+json", "application/json"), path
        assert "</" not in body, (path, "a script body may not hold '</'")


def post_query(base: str, query: str, status: int = 200) -> tuple[str, Page]:
    response = requests.post(base + "/query", data={"query": PREFIXES + query}, timeout=TIMEOUT)
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text, Page(response.text)


def test_bioschemas_json_ld_carries_the_names_as_data(site, standard_id):
    base, store = site
    names = {
        f"/resource/{HOSTILE_RESOURCE}": select(
            store, 'SELECT ?n WHERE { ?r dct:identifier "hostile-tool" ; schema:name ?n }'
        )[0]["n"],
        f"/node/{HOSTILE_NODE}": select(
            store, 'SELECT ?n WHERE { ?r a ckg:Node ; dct:identifier "ZZ" ; schema:name ?n }'
        )[0]["n"],
        f"/page/{HOSTILE_PAGE}": select(
            store,
            'SELECT ?n WHERE { ?r a ckg:Page ; dct:identifier "hostile_page" ; schema:name ?n }',
        )[0]["n"],
        "/resource/zenodo": select(
            store,
            'SELECT ?n WHERE { ?r a ckg:ToolkitResource ; dct:identifier "zenodo" ; schema:name ?n }',
        )[0]["n"],
    }
    for path, name in names.items():
        _, page = get(base, path)
        (doc,) = page.json_ld()
        assert doc["name"] == name, path
        assert doc["@id"].endswith(path), path
        assert doc["@type"], path


def test_resource_page_links(site, linked_resource):
    base, store = site
    rid = linked_resource["id"]
    _, page = get(base, f"/resource/{rid}")
    hrefs = set(page.hrefs)
    iri = f"<https://w3id.org/elixir-converge/resource/{rid}>"
    expected_pages = {
        "/page/" + r["key"]
        for r in select(
            store,
            f"SELECT DISTINCT ?key WHERE {{ {{ ?p ckg:mentions {iri} }} UNION "
            f"{{ ?p ckg:refersToResource {iri} }} ?p dct:identifier ?key }}",
        )
    }
    expected_nodes = {
        "/node/" + r["code"]
        for r in select(
            store,
            f"SELECT DISTINCT ?code WHERE {{ ?i ckg:instanceOf {iri} ; ckg:node ?n . "
            "?n dct:identifier ?code }",
        )
    }
    registries = select(
        store,
        f"SELECT ?b ?f WHERE {{ OPTIONAL {{ {iri} ckg:biotoolsRecord ?b }} "
        f"OPTIONAL {{ {iri} ckg:fairsharingRecord ?f }} }}",
    )[0]
    topics = {
        r["t"]
        for r in select(
            store, f"SELECT DISTINCT ?t WHERE {{ {iri} ckg:biotoolsRecord/edam:has_topic ?t }}"
        )
    }
    assert expected_pages and expected_pages <= hrefs, expected_pages - hrefs
    assert expected_nodes <= hrefs, expected_nodes - hrefs
    assert topics <= hrefs, topics - hrefs
    if registries["b"]:
        assert registries["b"] in hrefs
    if registries["f"]:
        assert registries["f"] in hrefs
        assert "/standard/" + registries["f"].split("FAIRsharing.", 1)[1] in hrefs
    # This resource was chosen to have every kind of link the data offers.
    assert expected_nodes and topics and registries["f"], linked_resource


def test_node_page_map_data_and_history(site):
    base, store = site
    code = "SE"
    node = f"<https://w3id.org/elixir-converge/node/{code}>"
    text, page = get(base, f"/node/{code}")
    (data,) = [json.loads(body) for kind, body in page.scripts if kind == "application/json"]
    located = count(
        store,
        f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?m org:organization {node} ; org:member ?i . "
        "?i a ckg:Institute ; schema:latitude ?lat ; schema:longitude ?lon }",
    )
    assert len(data["markers"]) == located > 0
    assert all(isinstance(m["lat"], float | int) and m["name"] for m in data["markers"])
    assert "/vendor/leaflet/leaflet.js" in text and "/vendor/leaflet/leaflet.css" in text
    assert "/static/node-map.js" in text
    memberships = count(
        store,
        f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a ckg:Membership ; org:member {node} }}",
    )
    assert text.count("<tr><td>") >= memberships > 0
    sources = {
        r["s"]
        for r in select(
            store, f"SELECT DISTINCT ?s WHERE {{ ?m org:member {node} ; dct:source ?s }}"
        )
    }
    assert sources <= set(page.hrefs)
    national = count(
        store,
        f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ ?r a ckg:NationalResource ; ckg:node {node} }}",
    )
    assert national > 0
    assert f"/resources?node={code}" in page.hrefs


def test_home_counts_are_live(site):
    base, store = site
    text, _ = get(base, "/")
    shown = {}
    for part in text.split('data-count="')[1:]:
        key, rest = part.split('"', 1)
        shown[key] = int(rest.split(">", 1)[1].split("<", 1)[0])
    for key, cls in (
        ("resources", "ckg:ToolkitResource"),
        ("nodes", "ckg:Node"),
        ("pages", "ckg:Page"),
        ("institutes", "ckg:Institute"),
        ("nationalResources", "ckg:NationalResource"),
    ):
        assert shown[key] == count(
            store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}"
        ), key


def stage_total(store, stage: str) -> int:
    return count(
        store,
        f"""SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{
          ?sp ckg:lifeCycleStage ckg:{stage} ; ckg:relatedPage ?t .
          ?t ckg:pageKind ckg:taskPage ; ckg:mentions ?r . ?r a ckg:ToolkitResource }}""",
    )


def test_resource_list_filters_and_search(site):
    base, store = site
    text, page = get(base, "/resources?stage=preserve")
    total = int(text.split('data-total="', 1)[1].split('"', 1)[0])
    assert total == stage_total(store, "preserve") > 0
    # the filter form keeps the choice, every filter has a labelled control
    assert 'value="preserve" selected' in text
    for name in ("q", "stage", "task", "domain", "role", "node", "registry", "missing"):
        assert f'id="f-{name}"' in text and f"f-{name}" in page.label_for, name
    text, _ = get(base, "/resources?missing=biotools&stage=preserve")
    missing = int(text.split('data-total="', 1)[1].split('"', 1)[0])
    assert missing == count(
        store,
        """SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {
          ?sp ckg:lifeCycleStage ckg:preserve ; ckg:relatedPage ?t .
          ?t ckg:pageKind ckg:taskPage ; ckg:mentions ?r . ?r a ckg:ToolkitResource
          FILTER NOT EXISTS { ?r ckg:biotoolsId ?b } }""",
    )
    text, page = get(base, "/resources?q=zenodo")
    assert "/resource/zenodo" in page.hrefs


def test_query_page_runs_examples_and_shows_errors(site, settings, run_named):
    base, store = site
    catalog = load_catalog(settings.queries_dir)
    query = catalog.query("rdmkit/most_mentioned_resources")
    expected = run_named(
        store,
        query,
        query.bind(query.example),
    )
    text, page = get(base, "/query?example=" + query.name)
    assert text.count("<tr><td>") == len(expected.rows) > 0
    for row in expected.rows:
        assert str(row[expected.variables[0]]["value"]).replace("&", "&amp;") in text
    assert f'<option value="{query.name}" selected>' in text
    assert len(catalog) == text.count("<option value=")
    # a big result is capped with a visible note of how many more there are
    total = count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?r a ckg:ToolkitResource }")
    text, _ = post_query(base, "SELECT ?r WHERE { ?r a ckg:ToolkitResource }")
    from api.query_page import SHOWN_ROWS

    assert text.count("<tr><td>") == min(total, SHOWN_ROWS)
    assert f"{total - SHOWN_ROWS} more not shown" in text
    # errors are messages on the page with the error's status, never a 500
    text, page = post_query(base, "SELEC nothing", status=400)
    assert 'role="alert"' in text and "malformed SPARQL query" in text
    assert "SELEC nothing" in text  # the text is kept for correcting
    text, _ = get(base, "/query?example=no/such_query", status=404)
    assert "no/such_query" in text


def test_unknown_records_are_404(site):
    base, _ = site
    for path in ("/resource/no-such-resource", "/node/QQ", "/page/no_such_page"):
        response = requests.get(base + path, timeout=TIMEOUT, headers={"Accept": "text/html"})
        assert response.status_code == 404, path


def test_leaflet_and_site_assets_are_served(site):
    base, _ = site
    for path in (
        "/vendor/leaflet/leaflet.js",
        "/vendor/leaflet/leaflet.css",
        "/static/node-map.js",
    ):
        response = requests.get(base + path, timeout=TIMEOUT)
        assert response.status_code == 200, (path, response.text[:200])
