"""The validation service over real HTTP: inputs, formats, profiles, modes, reports, limits.

Expected findings are computed from the sources (the shapes files, the loaders, the store),
never written down: the service must agree with kg.validation run on the same triples.
The broken-fixture tables of tests/shapes/test_shapes.py are reused (one row per constraint
component) so each broken constraint yields exactly its expected finding over HTTP too.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import RDF, SH, Graph, Literal, Namespace, URIRef

from api import create_app
from kg.namespaces import CKG, Iris
from kg.settings import Settings
from kg.store import open_store
from kg.validation.documents import CONTEXT_FILE
from kg.validation.profiles import PROFILES
from kg.validation.shapes import Validator, load_ontology, load_rdf_dir, load_rdf_files, to_rdflib
from kg.validation.shapes import validate as shacl_validate
from loaders import catalogues, maturity, nodes
from loaders.pipeline import load
from tests.shapes.test_shapes import CASES, FIXTURES, NS
from tests.support.paths import ROOT
from tests.support.servers import Served
from tests.support.shapecases import BLANK, broken, expand, expand_path

CKGSH = Namespace("https://w3id.org/elixir-converge/shapes#")
DATA = ROOT / "data"
TIMEOUT = 120


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def graph(built, settings):
    """The RDMkit graph of ``built`` copied, plus Nodes, maturity and the catalogues."""
    store, _ = built
    dump = io.BytesIO()
    store.dump(dump)
    dump.seek(0)
    copy = open_store("memory")
    copy.restore(dump)
    validator = Validator(settings)
    for name in ("nodes", "maturity", "catalogues"):
        load(copy, settings, name, validator=validator)
    return copy


@pytest.fixture(scope="module")
def base(settings, graph):
    served = Served()
    yield served(create_app(settings=settings, store=graph))
    served.close()


@pytest.fixture(scope="module")
def iris(settings) -> Iris:
    return Iris(settings.base_iri)


def post(url: str, **kwargs) -> requests.Response:
    return requests.post(url + "/validate", timeout=TIMEOUT, **kwargs)


def findings(response: requests.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["findings"]


def keys(rows, *, blank: bool = False) -> set[tuple]:
    """(severity, focus, path, shape, component), blank focus nodes as ``_:``."""
    out = set()
    for r in rows:
        row = r if isinstance(r, dict) else r.to_dict()
        focus = "_:" if row["focus"].startswith("_:") else row["focus"]
        out.add((row["severity"], focus, row["path"], row["shape"], row["component"]))
    return out


def expected(triples_graph: Graph, profile: str, settings: Settings) -> set[tuple]:
    """What kg.validation finds with the profile's shapes files and the ontology."""
    shapes = load_rdf_files(PROFILES[profile].files(settings.shapes_dir))
    ontology = load_ontology(settings.ontology_dir)
    return keys(shacl_validate(triples_graph, shapes, ontology).findings)


@pytest.fixture(scope="module")
def baseline() -> Graph:
    return load_rdf_dir(FIXTURES)


def turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


# --------------------------------------------------------------------------- profiles


def test_profiles_are_listed(base):
    response = requests.get(base + "/validate/profiles", timeout=TIMEOUT)
    assert response.status_code == 200
    listed = response.json()["profiles"]
    assert [p["name"] for p in listed] == list(PROFILES)
    assert {"toolkit-resource", "node", "business-model", "impact-report"} <= set(PROFILES)
    assert {"maturity-assessment", "all"} <= set(PROFILES)
    for p in listed:
        assert p["shapes"] and p["ontology"] in (True, False) and p["inference"]


# --------------------------------------------------------------------------- broken fixtures


def _one_per_component(cases):
    seen, out = set(), []
    for case in cases:
        if case.component not in seen:
            seen.add(case.component)
            out.append(case)
    return out


@pytest.mark.parametrize("case", _one_per_component(CASES), ids=lambda c: c.id)
def test_a_broken_fixture_gives_exactly_its_finding(base, baseline, case):
    document = turtle(broken(baseline, case.update, NS))
    rows = findings(post(base, data={"text": document, "format": "turtle", "profile": "all"}))
    assert len(rows) == 1, rows
    (row,) = rows
    focus = BLANK if row["focus"].startswith("_:") else row["focus"]
    assert (row["severity"], row["component"], row["shape"], row["path"], focus) == (
        case.severity,
        case.component + "ConstraintComponent",
        str(CKGSH[case.shape]),
        expand_path(case.path, NS) if case.path else None,
        BLANK if case.focus == BLANK else expand(case.focus, NS),
    )


# --------------------------------------------------------------------------- inputs


@pytest.fixture(scope="module")
def faulty(baseline) -> Graph:
    """The RDMkit fixtures with two defects (a name dropped, a name added)."""
    update = (
        "DELETE WHERE { res:galaxy schema:name ?n } ;"
        ' INSERT DATA { res:dublin-core schema:name "Two" }'
    )
    return broken(baseline, update, NS)


def _serialised(graph: Graph) -> dict[str, str]:
    """The graph written in every RDF input format (by pyoxigraph)."""
    triples = [q.triple for q in ox.parse(turtle(graph).encode(), format=ox.RdfFormat.TURTLE)]
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:g")) for t in triples]
    out = {}
    for name, fmt, items in (
        ("turtle", ox.RdfFormat.TURTLE, triples),
        ("ntriples", ox.RdfFormat.N_TRIPLES, triples),
        ("rdfxml", ox.RdfFormat.RDF_XML, triples),
        ("jsonld", ox.RdfFormat.JSON_LD, triples),
        ("trig", ox.RdfFormat.TRIG, quads),
        ("nquads", ox.RdfFormat.N_QUADS, quads),
    ):
        out[name] = ox.serialize(items, format=fmt).decode("utf-8")
    return out


@pytest.mark.parametrize("fmt", ["turtle", "trig", "ntriples", "nquads", "rdfxml", "jsonld"])
def test_each_rdf_format_gives_the_findings_of_the_shapes(base, settings, faulty, fmt):
    text = _serialised(faulty)[fmt]
    rows = findings(post(base, data={"text": text, "format": fmt, "profile": "toolkit-resource"}))
    want = expected(faulty, "toolkit-resource", settings)
    assert len(want) == 2
    assert keys(rows) == want


def test_inputs_upload_paste_raw_body_and_named_graph(base, settings, faulty, graph):
    text = turtle(faulty)
    want = expected(faulty, "toolkit-resource", settings)
    params = {"profile": "toolkit-resource"}
    upload = post(base, files={"file": ("fixture.ttl", text.encode())}, data=params)
    pasted = post(base, data={"text": text, **params})
    raw = post(base, data=text.encode(), headers={"Content-Type": "text/turtle"}, params=params)
    for response in (upload, pasted, raw):
        assert keys(findings(response)) == want
        assert response.headers["KG-Validation-Conforms"] == "false"
    assert upload.json()["document"]["name"] == "fixture.ttl"
    # a named graph of the store, standalone: the same as validating its triples
    name = Iris(settings.base_iri).graph("catalogues").value
    response = post(base, data={"graph": name, "profile": "business-model"})
    triples = to_rdflib(
        graph.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
    )
    assert keys(findings(response)) == expected(triples, "business-model", settings)
    assert response.json()["document"]["graph"] == name
    missing = post(base, data={"graph": name + "-nowhere"})
    assert missing.status_code == 400 and "not in the store" in missing.json()["error"]


def test_raw_body_in_an_unknown_media_type_is_415(base):
    response = post(base, data=b"hello", headers={"Content-Type": "application/pdf"})
    assert response.status_code == 415
    assert response.json()["status"] == 415


# --------------------------------------------------------------------------- YAML and profiles

YAML_DOCUMENTS = {
    "business-model": (DATA / "business-models" / "example-central.yaml", "business-model"),
    "impact-report": (DATA / "impact" / "example-indicators.yaml", "impact"),
    "maturity-assessment": (
        DATA / "maturity-assessments" / "example-assessment.yaml",
        "maturity-assessment",
    ),
    "node": (DATA / "nodes.yaml", "nodes"),
}


def _converted(profile: str, settings: Settings, iris: Iris) -> Graph:
    path, kind = YAML_DOCUMENTS[profile]
    text = path.read_text(encoding="utf-8")
    if kind == "business-model":
        data = catalogues.read_business_model_text(text, path.name, iris)
    elif kind == "impact":
        data = catalogues.read_impact_text(text, path.name, iris)
    elif kind == "maturity-assessment":
        model = Path(settings.sources_dir) / "rdm-maturity-model" / "maturity_model.json"
        data = maturity.read_assessment_text(text, path.name, model, iris)
    else:
        data = nodes.read_nodes_text(text, path.name, iris)
    return to_rdflib(data.triples)


@pytest.mark.parametrize("profile", sorted(YAML_DOCUMENTS))
def test_each_yaml_profile_converts_with_the_loader(base, settings, iris, profile):
    path, _ = YAML_DOCUMENTS[profile]
    upload = post(base, files={"file": (path.name, path.read_bytes())}, data={"profile": profile})
    body = upload.json()
    assert keys(findings(upload)) == expected(
        _converted(profile, settings, iris), profile, settings
    )
    assert body["document"]["format"] == "yaml" and body["document"]["triples"] > 0
    assert body["profile"] == profile
    # the line of each finding's focus is the line of its YAML entry (when it has one)
    for row in body["findings"]:
        assert row["line"] is None or 1 <= row["line"] <= len(path.read_text().splitlines())


def test_toolkit_and_all_profiles_accept_the_valid_fixtures(base, baseline):
    for profile in ("toolkit-resource", "all"):
        response = post(base, data={"text": turtle(baseline), "profile": profile})
        assert findings(response) == [] and response.json()["conforms"] is True


def test_yaml_needs_a_catalogue_profile_and_unknown_profile_is_400(base):
    path, _ = YAML_DOCUMENTS["business-model"]
    response = post(base, files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 400 and "business-model" in response.json()["error"]
    response = post(base, data={"text": "<a:b> <a:c> <a:d> .", "profile": "nope"})
    assert response.status_code == 400 and "unknown profile 'nope'" in response.json()["error"]


# --------------------------------------------------------------------------- in context

TTL = """@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{obs}> a ckg:ImpactObservation ;
    ckg:indicator <{indicator}> ;
    ckg:node <{node}> ;
    ckg:period <{obs}#period> ;
    ckg:value 3.0 ; ckg:isExample true ; dct:source <https://example.org/report> .
<{obs}#period> a dct:PeriodOfTime ;
    dcat:startDate "2020-01-01"^^xsd:date ; dcat:endDate "2020-12-31"^^xsd:date .
"""


def _observation(iris: Iris, indicator: str, node: str) -> str:
    obs = iris.impact("observation", "steward-test", "BE", "2020").value
    return TTL.format(obs=obs, indicator=indicator, node=node)


def _by_shape(rows) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows:
        out[row["shape"]] = out.get(row["shape"], 0) + 1
    return out


def test_in_context_references_resolve_and_dangling_ones_are_caught(base, graph, iris):
    existing = graph.query(
        "SELECT ?i WHERE { ?i a <https://w3id.org/elixir-converge/ontology#ImpactIndicator> ;"
        " <https://w3id.org/elixir-converge/ontology#isExample> true } ORDER BY ?i LIMIT 1"
    )
    indicator = next(iter(existing))["i"].value
    node = iris.node("BE").value
    assert bool(graph.query("ASK { ?n ?p ?o }", {"n": ox.NamedNode(node)}))  # BE is in the graph
    document = _observation(iris, indicator, node)
    class_shape = str(CKGSH["ImpactObservation-indicator"])
    alone = findings(post(base, data={"text": document, "profile": "impact-report"}))
    assert class_shape in _by_shape(alone)  # standalone: the indicator is not described
    in_context = post(
        base, data={"text": document, "profile": "impact-report", "mode": "in-context"}
    )
    assert findings(in_context) == [] and in_context.json()["conforms"] is True
    assert in_context.json()["context_triples"] > 0
    dangling = _observation(
        iris, iris.impact("indicator", "no-such-indicator").value, iris.node("ZZ").value
    )
    rows = findings(
        post(base, data={"text": dangling, "profile": "impact-report", "mode": "in-context"})
    )
    shapes = _by_shape(rows)
    assert shapes.get(class_shape) == 1
    assert shapes.get(str(CKGSH.DanglingReference)) == 2  # the indicator and Node ZZ
    assert {r["value"] for r in rows if r["shape"] == str(CKGSH.DanglingReference)} == {
        iris.impact("indicator", "no-such-indicator").value,
        iris.node("ZZ").value,
    }


def graph_has(graph, iri: str) -> bool:
    return bool(graph.query("ASK { ?n ?p ?o }", {"n": ox.NamedNode(iri)}))


def test_in_context_duplicates_of_existing_identifiers_are_reported(base, graph, iris):
    row = next(iter(graph.query(
        "SELECT ?bm ?id WHERE { ?bm a <https://w3id.org/elixir-converge/ontology#BusinessModel> ;"
        " <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?bm LIMIT 1"
    )))  # fmt: skip
    existing, identifier = row["bm"].value, row["id"].value
    document = graph.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": row["bm"]})
    described = to_rdflib(document)
    copy = Graph()
    new = URIRef(iris.business_model("copy-of-" + identifier).value)
    for s, p, o in described:
        copy.add((new if str(s) == existing else s, p, o))
    rows = findings(
        post(base, data={"text": turtle(copy), "profile": "business-model", "mode": "in-context"})
    )
    duplicates = [r for r in rows if r["shape"] == str(CKGSH.DuplicateIdentifier)]
    assert [(d["focus"], d["value"], d["severity"]) for d in duplicates] == [
        (str(new), identifier, "Violation")
    ]
    assert existing in duplicates[0]["message"]
    # the existing record itself, submitted unchanged in context, replaces its own
    # description: no duplicate of itself, nothing "already in the graph"; only what the
    # graph lacks for it too (the illustrative entries name a Node XX that does not exist)
    rows = findings(
        post(
            base,
            data={"text": turtle(described), "profile": "business-model", "mode": "in-context"},
        )
    )
    nodes = {str(o) for o in described.objects(None, URIRef(CKG + "node"))}
    assert [(r["shape"], r["value"]) for r in rows] == [
        (str(CKGSH.DanglingReference), n) for n in sorted(nodes) if not graph_has(graph, n)
    ]


# --------------------------------------------------------------------------- reports


class _Rows(HTMLParser):
    """The HTML report's rows of the counts table and of findings (a row of identical
    findings counts each: ``data-count``), and the headings of its severities."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = 0
        self.in_tbody = False
        self.table = ""
        self.text: list[str] = []
        self.h2: list[str] = []
        self._h2 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._h2 = tag == "h2" and (a.get("id") or "").startswith("severity-")
        if tag == "table":
            self.table = a.get("class") or ""
        if tag == "tr" and self.in_tbody:
            if self.table == "counts":
                self.rows += 1
            elif "finding" in (a.get("class") or "").split():
                self.rows += int(a.get("data-count") or 1)
        if tag == "tbody":
            self.in_tbody = True

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_tbody = False
        if tag == "h2":
            self._h2 = False

    def handle_data(self, data):
        self.text.append(data)
        if self._h2:
            self.h2.append(data.strip())


@pytest.fixture(scope="module")
def noisy(baseline) -> str:
    """Several findings, one of them showing a value with markup in it."""
    update = (
        "DELETE WHERE { res:galaxy schema:name ?n } ;"
        ' INSERT DATA { res:dublin-core schema:name "Two" ;'
        ' schema:description "<script>alert(1)</script>"@en }'
    )
    return turtle(broken(baseline, update, NS))


def test_each_report_format_parses_as_what_it_claims(base, noisy):
    data = {"text": noisy, "profile": "toolkit-resource"}
    as_json = post(base, data={**data, "report": "json"}).json()
    total = as_json["total"]
    assert total >= 3 and as_json["more"] == 0 and len(as_json["findings"]) == total
    assert sum(as_json["counts"].values()) == total
    want = keys(as_json["findings"])
    # CSV
    response = post(base, data={**data, "report": "csv"})
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert keys([{**r, "path": r["path"] or None} for r in rows]) == want
    # Turtle and JSON-LD SHACL reports
    for fmt, rdflib_format, media in (
        ("turtle", "turtle", "text/turtle"),
        ("jsonld", "json-ld", "application/ld+json"),
    ):
        response = post(base, data={**data, "report": fmt})
        assert response.headers["Content-Type"].startswith(media)
        report = Graph().parse(data=response.text, format=rdflib_format)
        assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == total
        assert (None, SH.conforms, Literal(False)) in report
    # Accept negotiation picks CSV too
    response = post(base, data=data, headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"].startswith("text/csv")
    # HTML: grouped by severity, one table row per finding, markup escaped
    response = post(base, data={**data, "report": "html"})
    assert response.headers["Content-Type"].startswith("text/html")
    parser = _Rows()
    parser.feed(response.text)
    severities = [c for c, n in as_json["counts"].items() if n]
    assert parser.rows == total + 3  # the counts table has a row per severity
    assert [h.split()[0] for h in parser.h2 if h] == severities
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_large_reports_are_capped_with_n_more(base, noisy):
    data = {"text": noisy, "profile": "toolkit-resource", "limit": "1"}
    as_json = post(base, data={**data, "report": "json"})
    body = as_json.json()
    assert body["limit"] == 1 and len(body["findings"]) == 1 and body["more"] == body["total"] - 1
    assert as_json.headers["KG-Findings-More"] == str(body["more"])
    rows = list(csv.reader(io.StringIO(post(base, data={**data, "report": "csv"}).text)))
    assert len(rows) == 3 and rows[-1][0] == f"# {body['more']} more findings not shown (limit 1)"
    report = Graph().parse(data=post(base, data={**data, "report": "turtle"}).text, format="turtle")
    assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == 1
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, CKGSH.omittedResults) == Literal(body["more"])
    html = post(base, data={**data, "report": "html"}).text
    assert f"{body['more']} more findings not shown" in html


# --------------------------------------------------------------------------- bad input


def test_a_malformed_document_is_400_with_line_and_column(base):
    bad_turtle = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n"
    response = post(base, data={"text": bad_turtle, "format": "turtle"})
    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert "line 3" in response.json()["error"] and "column" in response.json()["error"]
    bad_json = '{"@id": "http://example.org/a",\n  "http://example.org/p": }'
    response = post(base, data=bad_json.encode(), headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 400 and ":2:" in response.json()["error"]
    bad_yaml = "example: true\ntitle: [unclosed\n"
    response = post(base, data={"text": bad_yaml, "format": "yaml", "profile": "business-model"})
    assert response.status_code == 400
    assert "invalid YAML" in response.json()["error"] and ":3:" in response.json()["error"]


def test_remote_json_ld_context_is_refused_and_ours_is_local(base, settings, iris):
    remote = '{\n  "@context": "https://example.org/context.jsonld",\n  "@id": "http://a/b"\n}'
    response = post(base, data=remote.encode(), headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "https://example.org/context.jsonld" in error and ":2:" in error and "refused" in error
    ours = json.loads((Path(settings.ontology_dir) / CONTEXT_FILE).read_text())["@context"]
    node = iris.resource("steward-jsonld").value
    document = {"@id": node, "@type": "ToolkitResource", "name": "Steward test"}
    want = Graph().parse(data=json.dumps({"@context": ours, **document}), format="json-ld")
    for context in (settings.base_iri + CONTEXT_FILE, base + "/context.jsonld"):
        response = post(
            base,
            data=json.dumps({"@context": context, **document}).encode(),
            headers={"Content-Type": "application/ld+json"},
            params={"profile": "toolkit-resource"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["document"]["triples"] == len(want) == 2
        assert keys(response.json()["findings"]) == expected(
            want, "toolkit-resource", Settings.load(environ={})
        )


def test_oversize_documents_are_413(settings, graph, serve):
    url = serve(create_app(settings=settings.with_overrides(validate_max_bytes=500), store=graph))
    response = post(url, data=b"# " + b"x" * 1000, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 413 and response.json()["status"] == 413
    assert post(url, data=b"<a:b> <a:c> <a:d> .", headers={"Content-Type": "text/turtle"}).ok


def test_a_validation_past_its_timeout_is_503(settings, graph, serve, baseline):
    url = serve(create_app(settings=settings.with_overrides(validate_timeout=1e-9), store=graph))
    response = post(url, data={"text": turtle(baseline)})
    assert response.status_code == 503 and "longer than" in response.json()["error"]
    assert response.headers["Retry-After"]


def test_a_broken_shapes_file_is_reported_with_file_and_line(settings, graph, serve, tmp_path):
    syntax = tmp_path / "syntax"
    shutil.copytree(settings.shapes_dir, syntax)
    (syntax / "rdmkit.shapes.ttl").write_text(
        (syntax / "rdmkit.shapes.ttl").read_text() + "\nckgsh:x ckgsh:y .\nckgsh:broken ckgsh:z\n"
    )
    sparql = tmp_path / "sparql"
    shutil.copytree(settings.shapes_dir, sparql)
    text = (sparql / "provenance.shapes.ttl").read_text()
    assert "SELECT $this ?path ?value WHERE {" in text
    (sparql / "provenance.shapes.ttl").write_text(
        text.replace(
            "SELECT $this ?path ?value WHERE {", "SELECT $this ?path ?value WHERE { VALUES ?x { 1 }"
        )
    )
    line = next(
        n
        for n, t in enumerate(text.splitlines(), 1)
        if t.startswith("ckgsh:SourceGraphConformsConsistently")
    )
    for folder, where in (
        (syntax, "rdmkit.shapes.ttl line"),
        (sparql, f"provenance.shapes.ttl line {line}"),
    ):
        url = serve(
            create_app(settings=settings.with_overrides(shapes_dir=str(folder)), store=graph)
        )
        response = post(url, data={"text": "<a:b> <a:c> <a:d> ."})
        assert response.status_code == 500
        assert where in response.json()["error"], response.json()["error"]


# --------------------------------------------------------------------------- the web page


def test_the_web_page_has_the_form_and_the_navigation_link(base):
    response = requests.get(base + "/validate", timeout=TIMEOUT)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert '<form method="post" action="/validate" enctype="multipart/form-data">' in page
    assert 'href="/validate"' in page and 'name="text"' in page and 'name="file"' in page
    for name in PROFILES:
        assert f'value="{name}"' in page
    assert 'value="in-context"' in page and "<script" not in page
