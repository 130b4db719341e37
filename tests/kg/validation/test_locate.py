"""Every finding on its line: the line of the offending triple, in every RDF format."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.validation.checker import Service
from kg.validation.locate import finding_line, subject_line
from kg.validation.reports import Report

BASE = "https://w3id.org/elixir-converge/"
CKG = "https://w3id.org/elixir-converge/ontology#"
SCHEMA = "https://schema.org/"
TOOL = BASE + "resource/new-tool"

#: A new toolkit resource and an addition to a real page, broken on purpose; the comment
#: of each broken line names what is wrong there.
BROKEN = f"""@prefix ckg: <{CKG}> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <{SCHEMA}> .

<{TOOL}> a ckg:ToolkitResource ;
    dct:identifier "zenodo" ;
    schema:name "New tool" ;
    schema:url "new-tool.org" ;
    ckg:relatedPage <{BASE}page/no-such-page> .

<{BASE}page/plan> ckg:lifeCycleStage ckg:archiving .

<{BASE}institute/new> a ckg:Institute ;
    schema:name "New institute" ;
    schema:latitude "north" .
"""
#: (what is broken, the shape's local name, the path, the line, what the message names)
EXPECTED = [
    ("duplicate id", "DuplicateIdentifier", "http://purl.org/dc/terms/identifier", 6, "zenodo"),
    ("URL not an IRI", "url", SCHEMA + "url", 8, "new-tool.org"),
    ("dangling reference", "DanglingReference", CKG + "relatedPage", 9, "no-such-page"),
    ("unknown concept", "lifeCycleStage-inScheme", CKG + "lifeCycleStage", 11, "archiving"),
    ("wrong datatype", "Institute-latitude", SCHEMA + "latitude", 15, "north"),
    ("missing required field", "description-required", SCHEMA + "description", 5, "description"),
]


@pytest.fixture(scope="module")
def report(settings, built):
    service = Service(settings)
    try:
        outcome = service.validate_text(
            BROKEN, "turtle", "doc.ttl", store=built[0], in_context=True
        )
    finally:
        service.workers.close()
    return Report(outcome, 100).to_dict()["findings"]


@pytest.mark.parametrize(("what", "shape", "path", "line", "named"), EXPECTED)
def test_a_broken_record_is_reported_on_its_line_naming_the_value(
    report, what, shape, path, line, named
):
    rows = [r for r in report if r["path"] == path]
    assert rows, what
    assert {r["line"] for r in rows} == {line}, what
    row = next(r for r in rows if r["shape"].rsplit("#", 1)[1] == shape)
    assert named in row["message"], (what, row["message"])


def _doc(fmt: str) -> str:
    triples = list(ox.parse(BROKEN, format=ox.RdfFormat.TURTLE))
    out = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt)).decode()
    return json.dumps(json.loads(out), indent=2) if fmt == "JSON_LD" else out


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("N_TRIPLES", "ntriples"),
        ("N_QUADS", "nquads"),
        ("JSON_LD", "jsonld"),
        ("RDF_XML", "rdfxml"),
    ],
)
def test_the_triple_is_found_in_every_format(fmt, name):
    text = _doc(fmt)
    start = subject_line(text, TOOL, name)
    assert start is not None
    at = finding_line(text, name, start, SCHEMA + "url", "new-tool.org")
    assert "new-tool.org" in text.splitlines()[at - 1]
    # a missing property is on the line of the subject
    assert finding_line(text, name, start, SCHEMA + "license", None) == start


def test_turtle_looks_no_further_than_the_subjects_block():
    text = BROKEN + f'\n<{BASE}resource/other> schema:url "new-tool.org" .\n'
    page = subject_line(text, BASE + "page/plan", "turtle")
    assert finding_line(text, "turtle", page, SCHEMA + "url", "new-tool.org") == page
