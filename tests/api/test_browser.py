"""End-to-end in a real browser: headless Chromium (Debian) driven by playwright-core (npm).

One browser session (``tests/api/browser/e2e.mjs``) runs every scenario against the app
serving every source plus a graph of hostile names (and, for the validation page's 413
and 503, the same app with tiny limits); this test computes what each scenario must
observe from the store and the data files and checks it. Screenshots go to
``test-artifacts/browser/`` (the validation page's at 1366×900 and, ``*_390``, 390 px wide;
the report's line followed from a finding, ``validate_report_lines*_line``). A missing
Chromium, Node.js or playwright-core is a failure with the reason, never a skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from api import create_app
from kg.queries.catalog import load_catalog
from kg.validation.shapes import Validator, to_rdflib
from tests.support.paths import ROOT
from tests.support.servers import Served

DRIVER = ROOT / "tests" / "api" / "browser" / "e2e.mjs"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
RUN_TIMEOUT = 240  # the whole browser session, seconds
PREFIXES = """PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
"""
STAGE = "preserve"
EXAMPLE = "rdmkit/most_mentioned_resources"
HOSTILE_TEXT = ["<script>alert(1)</script>", "\"quotes'", "</script>", "{{7*7}}"]
HOSTILE_PAGES = [
    "/resource/hostile-tool",
    "/node/ZZ",
    "/page/hostile_page",
    "/resources?q=Hostile",
    "/nodes",
]
#: A steward's document with one violation: a toolkit resource without its RDMkit id.
#: The validation page's error states (e2e.mjs, "validate_*"): a URL on a host that is not
#: allowed, with the fields the steward filled in, all to be kept.
REFUSED = {
    "refused_url": "https://example.org/steward/business-model.yaml",
    "name": "business-model.yaml",
    "format": "yaml",
    "profile": "business-model",
}
LIMITED_MAX_BYTES = 4096
INVALID_DOCUMENT = """@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .
@prefix schema: <https://schema.org/> .
<https://w3id.org/elixir-converge/resource/steward-example> a ckg:ToolkitResource ;
    schema:name "Steward example" .
"""


#: The report's document line by line (e2e.mjs, "validate_report_lines"): twelve toolkit
#: resources without their RDMkit id (one row of 12), then one broken in other ways.
REPORT_LINES = "\n".join(
    [
        "@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .",
        "@prefix schema: <https://schema.org/> .",
        *(
            f"\n<https://w3id.org/elixir-converge/resource/steward-{i:02d}> a ckg:ToolkitResource ;"
            f'\n    schema:name "Steward tool {i} </textarea><script>alert(1)</script>" .'
            for i in range(1, 13)
        ),
        "",
        "<https://w3id.org/elixir-converge/resource/steward-broken> a ckg:ToolkitResource ;",
        '    schema:name "One" , "Two" ;',
        '    ckg:fairsharingId "not a FAIRsharing id" .',
        "",
    ]
)


def select(store, text: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + text)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def tools() -> tuple[str, Path]:
    """Node.js and the driver's prerequisites, or a failure that names what is missing."""
    node = shutil.which("node")
    problems = []
    if node is None:
        problems.append("Node.js (`node`) is not on PATH — `make test` installs it (Debian nodejs)")
    if not Path(CHROMIUM).is_file():
        problems.append(f"{CHROMIUM} is missing — `make test` installs it (Debian chromium)")
    if not (ROOT / "node_modules" / "playwright-core" / "package.json").is_file():
        problems.append("node_modules/playwright-core is missing — run `make test` (npm ci)")
    if problems:
        pytest.fail("the browser tests cannot run: " + "; ".join(problems))
    return node, DRIVER


@pytest.fixture(scope="module")
def limited_site(hostile_site, settings):
    """The same app with tiny limits: a body over 4 KiB is a 413, every validation a 503."""
    _, store = hostile_site
    limits = settings.with_overrides(validate_max_bytes=LIMITED_MAX_BYTES, validate_timeout=1e-9)
    served = Served()
    yield served(create_app(settings=limits, store=store))
    served.close()


@pytest.fixture(scope="module")
def session(hostile_site, limited_site, settings):
    """Run every scenario once in one browser session; the plan and the observed facts."""
    node, driver = tools()
    base, store = hostile_site
    # The resource to open: on the stage's first result page (ordered by name), with a
    # national instance in a Node that has institutes with coordinates.
    pick = select(
        store,
        f"""SELECT ?id ?code (COUNT(DISTINCT ?inst) AS ?markers) WHERE {{
          ?sp ckg:lifeCycleStage ckg:{STAGE} ; ckg:relatedPage ?t .
          ?t ckg:pageKind ckg:taskPage ; ckg:mentions ?r .
          ?r a ckg:ToolkitResource ; dct:identifier ?id ; schema:name ?name .
          ?i ckg:instanceOf ?r ; ckg:node ?n . ?n dct:identifier ?code .
          ?m org:organization ?n ; org:member ?inst . ?inst a ckg:Institute ; schema:latitude ?lat
        }} GROUP BY ?id ?code ?name ORDER BY LCASE(?name) ?code LIMIT 1""",
    )[0]
    catalog = load_catalog(settings.queries_dir)
    validator = Validator(settings)
    triples = list(ox.parse(INVALID_DOCUMENT.encode(), format=ox.RdfFormat.TURTLE))
    violation = validator.validate(to_rdflib(triples)).violations[0]
    plan = {
        "base": base,
        "artifacts": str(ARTIFACTS),
        "chromium": CHROMIUM,
        "stage": STAGE,
        "resource": pick["id"],
        "node": pick["code"],
        "node_markers": int(pick["markers"]),
        "example": EXAMPLE,
        "validation": {
            "document": INVALID_DOCUMENT,
            "format": "turtle",
            "message": violation.message,
        },
        "hostile": {"text": HOSTILE_TEXT, "pages": HOSTILE_PAGES, "map_pages": ["/node/ZZ"]},
        "validate_page": {
            "limited_base": limited_site,
            "limited_max_bytes": LIMITED_MAX_BYTES,
            **REFUSED,
        },
        "report_lines": {"document": REPORT_LINES, "profile": "toolkit-resource"},
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    plan_file = ARTIFACTS / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    try:
        done = subprocess.run(
            [node, str(driver), str(plan_file)],
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the browser session ran past {RUN_TIMEOUT}s: {exc.stderr}")
    (ARTIFACTS / "results.json").write_text(done.stdout, encoding="utf-8")
    assert done.stdout.strip(), (
        f"the driver printed nothing (exit {done.returncode}): {done.stderr}"
    )
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert "launch" not in facts, f"Chromium did not start: {facts['launch']['error']}"
    return plan, facts, store, catalog


def scenario(session, name: str) -> dict:
    _, facts, _, _ = session
    result = facts[name]
    assert result["ok"], f"scenario {name} failed at {result.get('url')}: {result['error']}"
    return result


def test_home_shows_live_counts(session):
    _, _, store, _ = session
    home = scenario(session, "home")
    assert len(home["h1"]) == 1
    for key, cls in (
        ("resources", "ckg:ToolkitResource"),
        ("nodes", "ckg:Node"),
        ("pages", "ckg:Page"),
    ):
        expected = select(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")[0][
            "n"
        ]
        assert home["counts"][key] == expected, key


def test_filter_resources_by_stage(session):
    plan, _, store, _ = session
    result = scenario(session, "filter_stage")
    expected = select(
        store,
        f"""SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{
          ?sp ckg:lifeCycleStage ckg:{STAGE} ; ckg:relatedPage ?t .
          ?t ckg:pageKind ckg:taskPage ; ckg:mentions ?r . ?r a ckg:ToolkitResource }}""",
    )[0]["n"]
    assert result["total"] == int(expected) > 0
    assert result["selected"] == STAGE
    assert result["links"] and len(result["links"]) <= result["total"]


def test_open_resource_and_follow_to_its_node(session):
    plan, _, store, _ = session
    opened = scenario(session, "open_resource")
    assert opened["clicked"], "the resource was not on the filtered list's first page"
    name = select(
        store,
        f'SELECT ?n WHERE {{ ?r a ckg:ToolkitResource ; dct:identifier "{plan["resource"]}" ; schema:name ?n }}',
    )[0]["n"]
    assert opened["h1"] == [name]
    assert [d["name"] for d in opened["jsonld"]] == [name]
    assert f"/node/{plan['node']}" in opened["node_links"]
    node = scenario(session, "follow_node")
    assert node["clicked"]
    assert node["url"].endswith(f"/node/{plan['node']}")
    assert node["markers"] == plan["node_markers"] > 0
    assert any(node["popup"].startswith(title) for title in node["marker_titles"]), node["popup"]
    assert node["jsonld"][0]["identifier"] == plan["node"]


def test_run_example_query(session, run_named):
    _, _, store, catalog = session
    result = scenario(session, "example_query")
    query = catalog.query(EXAMPLE)
    expected = run_named(store, query, query.bind(query.example), max_rows=1000)
    assert result["header"] == expected.variables
    assert [r[0] for r in result["rows"]] == [
        str(row[expected.variables[0]]["value"]) for row in expected.rows
    ]
    assert result["textarea_has_query"]
    assert result["rerun_rows"] == min(2, len(expected.rows))


def test_api_docs_render_the_operations(session):
    plan, _, _, _ = session
    result = scenario(session, "api_docs")
    document = requests.get(plan["base"] + "/openapi.json", timeout=30).json()
    methods = {"get", "post", "put", "delete", "head", "patch", "options"}
    expected = sum(1 for item in document["paths"].values() for m in item if m in methods)
    assert len(result["operations"]) == expected > 0
    assert ["GET", "/query"] in result["operations"]


def test_validation_page_shows_the_violation(session):
    plan, _, _, _ = session
    result = scenario(session, "validate")
    assert result["shows_message"], result["text"][:2000]


def error_next_to(state: dict, field: str) -> str:
    """The one error on the page: next to ``field``, tied to it, visible, focused."""
    (error,) = state["errors"]
    assert error["id"] == f"{field}-error" and error["visible"], error
    assert error["described_by"] == field and error["next_to_field"], error
    assert state["invalid"] == [field] and state["focused"] == field, state
    assert state["title"].startswith("Error: ") and not state["overflow_x"]
    return error["text"]


def general_error(state: dict) -> str:
    """The one error about the whole form: above it, visible, focused."""
    (error,) = state["errors"]
    assert error["id"] == "form-error" and error["visible"], error
    assert state["focused"] == "form-error" and not state["overflow_x"], state
    return error["text"]


def example_text(settings, *parts: str) -> str:
    return Path(settings.data_dir, *parts).read_text(encoding="utf-8")


def test_validation_page_unreadable_example_shows_its_line_in_the_page(session, settings):
    result = scenario(session, "validate_example_unreadable")
    text = example_text(settings, "validation-examples", "unreadable.ttl")
    assert result["example"]["text"] == text and result["example"]["errors"] == []
    assert result["status"] == 400
    state = result["form"]
    assert "line 11" in error_next_to(state, "text")
    assert (state["text"], state["name"], state["format"]) == (text, "unreadable.ttl", "turtle")
    assert (state["profile"], state["mode"]) == ("toolkit-resource", "standalone")
    assert not result["narrow"]["overflow_x"]


def test_validation_page_empty_form_asks_for_a_document(session):
    result = scenario(session, "validate_empty_form")
    assert result["status"] == 400
    assert "no document" in error_next_to(result["form"], "text")
    assert not result["narrow"]["overflow_x"]


def test_validation_page_refused_url_names_the_allowed_hosts(session, settings):
    result = scenario(session, "validate_url_refused")
    assert result["status"] == 400
    state = result["form"]
    message = error_next_to(state, "url")
    allowed = [h.strip() for h in settings.allowed_hosts.split(",") if h.strip()]
    assert "example.org" in message and all(host in message for host in allowed)
    assert state["url"] == REFUSED["refused_url"] and state["text"] == ""
    assert (state["name"], state["format"]) == (REFUSED["name"], REFUSED["format"])
    assert (state["profile"], state["mode"]) == (REFUSED["profile"], "in-context")
    assert not result["narrow"]["overflow_x"]


def test_validation_page_too_large_is_413_and_back_keeps_the_form(session):
    result = scenario(session, "validate_too_large")
    assert result["status"] == 413
    message = general_error(result["form"])
    assert f"larger than {LIMITED_MAX_BYTES:,} bytes" in message and "Back" in message
    back = scenario(session, "validate_too_large_back")["form"]
    assert len(back["text"]) == result["sent_length"] and back["profile"] == "node"


def test_validation_page_timeout_is_503_with_the_input_kept(session, settings):
    result = scenario(session, "validate_timeout")
    assert result["status"] == 503
    assert "longer than" in general_error(result["form"])
    assert result["form"]["text"] == result["example"]["text"]
    assert "resource/zenodo>" in result["example"]["text"]
    assert result["form"]["profile"] == "toolkit-resource"


def test_validation_report_keeps_the_document_to_validate_again(session, settings):
    result = scenario(session, "validate_report_again")
    text = example_text(settings, "validation-examples", "broken-resource.ttl")
    assert result["status"] == 200 and "does not conform" in result["verdict"]
    assert result["again"]["text"] == text and result["again"]["errors"] == []
    assert result["again"]["profile"] == "toolkit-resource"
    assert not result["narrow"]["overflow_x"]


def test_validation_report_marks_the_lines_and_links_findings_to_them(session):
    plan, facts, _, _ = session
    result = scenario(session, "validate_report_lines")
    report = requests.post(
        plan["base"] + "/validate",
        data={"text": REPORT_LINES, "profile": "toolkit-resource", "report": "json"},
        timeout=60,
    ).json()
    lines = {f"L{f['line']}" for f in report["findings"] if f["line"]}
    assert result["status"] == 200 and set(result["marked"]) == lines
    alike = Counter(
        (f["shape"], f["path"], f["message"], f["severity"], f["component"])
        for f in report["findings"]
    )
    assert sorted(result["groups"]) == sorted(n for n in alike.values() if n > 1)
    assert max(result["groups"]) == 13  # the twelve and the broken one lack their RDMkit id
    for width in ("desktop", "narrow"):
        followed = result[width]
        assert followed["line"]["hash"][1:] in lines and followed["line"]["in_view"], width
        assert followed["back"]["hash"].startswith("#F") and followed["back"]["in_view"], width
    assert not result["narrow"]["overflow_x"]
    assert facts["browser"]["dialogs"] == []


def test_hostile_data_is_shown_escaped_in_the_browser(session):
    plan, facts, _, _ = session
    result = scenario(session, "hostile")
    for path in HOSTILE_PAGES:
        seen = result["pages"][path]
        assert seen["status"] == 200, path
        assert seen["dialogs"] == 0, path
        assert seen["injected_scripts"] == 0, path
        assert sorted(seen["visible"]) == sorted(HOSTILE_TEXT), (path, seen["visible"])
    assert facts["browser"]["dialogs"] == []
    assert facts["browser"]["offsite"] == [], "a page asked for something off 127.0.0.1"
    assert facts["browser"]["page_errors"] == []
