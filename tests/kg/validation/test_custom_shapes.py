"""Your own shapes (kg.validation.custom): the same verdict and results as pySHACL run directly.

Each case of tests/support/custom_shapes.py (node and property shapes; sequence, inverse,
alternative, zeroOrMore, oneOrMore, zeroOrOne paths; sh:not, sh:or, sh:and, sh:xone,
sh:node; qualified value shapes; closed shapes; sh:class, datatype, pattern, sh:in,
pairs of properties; SPARQL constraints; blank-node focus nodes) is validated by the
service — parsed by pyoxigraph, checked and validated in a worker process — and by
pySHACL on the same texts parsed by rdflib: the same ``conforms`` and the same multiset
of (focus, path, value, severity, source shape, component), blank nodes normalised. Then
the errors: unparseable shapes (line and column), shapes that are not SHACL, SPARQL that
would reach outside, documents the shapes cannot judge, the time limit.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.errors import ValidationTimeout
from kg.validation.checker import Service
from kg.validation.custom import (
    ShapesInputError,
    UserShapes,
    read_shapes,
    validate_with_shapes,
)
from kg.validation.documents import DocumentError
from tests.support.custom_shapes import (
    CASES,
    pyshacl_report,
    report_conforms,
    result_keys,
    text,
)


@pytest.fixture(scope="module")
def service(settings):
    service = Service(settings)
    yield service
    service.workers.close()


def _validate(service, shapes: str, document: str, *, fmt="turtle", shapes_fmt="turtle", **kw):
    user = read_shapes(shapes, shapes_fmt, "shapes.ttl", service.settings, base=kw.get("base"))
    return validate_with_shapes(service, user, document, fmt, "document.ttl", timeout=30)


# --------------------------------------------------------------------------- agreement


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_same_results_as_pyshacl_run_directly(service, case):
    shapes, document = text(case)
    outcome = _validate(service, shapes, document)
    conforms, expected = pyshacl_report(shapes, document)
    ours = outcome.result.report
    assert outcome.profile == "custom" and not outcome.in_context
    assert report_conforms(ours) is conforms
    assert outcome.result.conforms is conforms  # no Violation, as pySHACL with warnings allowed
    assert result_keys(ours) == result_keys(expected)
    assert len(outcome.result.findings) == sum(result_keys(expected).values())


def test_the_cases_exercise_what_they_claim(service):
    """Each family of constraints the cases are for gives at least one result."""
    components = set()
    for case in CASES:
        shapes, document = text(case)
        components |= {f.component for f in _validate(service, shapes, document).result.findings}
    assert {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "DatatypeConstraintComponent",
        "PatternConstraintComponent",
        "InConstraintComponent",
        "ClassConstraintComponent",
        "NotConstraintComponent",
        "OrConstraintComponent",
        "AndConstraintComponent",
        "XoneConstraintComponent",
        "QualifiedMinCountConstraintComponent",
        "QualifiedMaxCountConstraintComponent",
        "ClosedConstraintComponent",
        "SPARQLConstraintComponent",
        "NodeConstraintComponent",
        "NodeKindConstraintComponent",
        "LessThanConstraintComponent",
        "DisjointConstraintComponent",
        "EqualsConstraintComponent",
        "HasValueConstraintComponent",
        "UniqueLangConstraintComponent",
        "LanguageInConstraintComponent",
    } <= components
    severities = {
        f.severity for f in _validate(service, *text("node-and-property-shapes")).result.findings
    }
    assert severities == {"Violation", "Warning", "Info"}


def test_findings_write_paths_the_sparql_way(service):
    paths = {f.path for f in _validate(service, *text("paths")).result.findings}
    ex = "http://example.org/ns#"
    assert {
        f"^{ex}author",
        f"{ex}author/{ex}name",
        f"({ex}title|http://www.w3.org/2000/01/rdf-schema#label)",
        f"{ex}child*",
        f"{ex}child+",
        f"{ex}child?",
    } <= paths


def test_shapes_in_other_formats_and_relative_iris_resolved_against_base(service):
    shapes, document = text("paths")
    graph = list(ox.parse(shapes.encode(), format=ox.RdfFormat.TURTLE))
    expected = result_keys(_validate(service, shapes, document).result.report)
    for fmt, rdf_format in (("ntriples", ox.RdfFormat.N_TRIPLES), ("trig", ox.RdfFormat.TRIG)):
        serialized = ox.serialize(graph, format=rdf_format).decode()
        outcome = _validate(service, serialized, document, shapes_fmt=fmt)
        assert result_keys(outcome.result.report) == expected
    relative_shapes = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<#S> sh:targetClass <#Thing> ; sh:property [ sh:path <#name> ; sh:minCount 1 ] .\n"
    )
    relative_document = "<#a> a <#Thing> .\n<#b> a <#Thing> ; <#name> 'b' .\n"
    outcome = _validate(service, relative_shapes, relative_document, base="http://example.org/x")
    assert [(f.focus, f.path, f.shape) for f in outcome.result.findings] == [
        ("http://example.org/x#a", "http://example.org/x#name", outcome.result.findings[0].shape)
    ]
    jsonld = json.dumps(
        {
            "@context": {"sh": "http://www.w3.org/ns/shacl#"},
            "@id": "http://example.org/S",
            "sh:targetNode": {"@id": "http://example.org/x#a"},
            "sh:property": {"sh:path": {"@id": "http://example.org/x#name"}, "sh:minCount": 1},
        }
    )
    outcome = _validate(
        service, jsonld, relative_document, shapes_fmt="jsonld", base="http://example.org/x"
    )
    assert [f.component for f in outcome.result.findings] == ["MinCountConstraintComponent"]


def test_shapes_run_in_the_service_workers_not_in_this_process(service):
    shapes, document = text("conforming")
    _validate(service, shapes, document)
    (worker,) = service.workers._idle
    _validate(service, *text("logic"))
    assert service.workers._idle == [worker]  # the same worker, kept for the next document
    assert UserShapes.serial is None  # never registered: sent along with each job


# --------------------------------------------------------------------------- errors


def _error(
    service, shapes: str, document: str = "<http://example.org/a> a <http://example.org/C> .", **kw
) -> str:
    with pytest.raises(DocumentError) as caught:
        _validate(service, shapes, document, **kw)
    return str(caught.value)


def test_unparseable_shapes_name_file_line_and_column(service):
    message = _error(service, "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<a> sh:path <b\n")
    assert message.startswith("shapes.ttl: invalid turtle:") and "line 3" in message
    assert "column" in message
    message = _error(service, '{"@id": "x",\n  "a": }', shapes_fmt="jsonld")
    assert message.startswith("shapes.ttl:2:") and "invalid JSON" in message
    assert "empty" in _error(service, "   \n")


def test_shapes_that_are_not_shacl_are_named(service):
    message = _error(service, "<http://example.org/a> <http://example.org/b> 1 .")
    assert "no SHACL shapes found" in message
    broken = text("node-and-property-shapes")[0].replace("sh:maxCount 1 ;", 'sh:maxCount "one" ;')
    message = _error(service, broken)
    line = next(n for n, t in enumerate(broken.splitlines(), 1) if t.startswith("ex:PersonShape"))
    assert message.startswith(f"shapes.ttl line {line} (a blank node with sh:path")
    assert "<http://example.org/ns#PersonShape>" in message and "sh:maxCount" in message
    bad_sparql = text("sparql")[0].replace("FILTER (?other != $this)", "FILTER (?other !=")
    message = _error(service, bad_sparql)
    assert "unusable SHACL shapes" in message and "TitleShape" in message


@pytest.mark.parametrize(
    "shape, problem",
    [
        ('sh:property [ sh:path "x" ; sh:minCount 1 ]', "property path cannot be a Literal"),
        (
            'sh:rule [ a sh:SPARQLRule ; sh:construct "CONSTRUCT { $this ex:q 1 } WHERE { $this" ]',
            "ParseException",
        ),
    ],
)
def test_shapes_pyshacl_fails_on_while_validating_are_named_too(service, shape, problem):
    shapes = text("conforming")[0] + f"ex:Broken sh:targetClass ex:Thing ; {shape} .\n"
    message = _error(service, shapes, text("conforming")[1])
    assert message.startswith("shapes.ttl: SHACL validation failed") and problem in message
    assert _validate(service, *text("conforming")).result.conforms  # the worker goes on


@pytest.mark.parametrize(
    "keyword", ["SERVICE <http://127.0.0.1:9/sparql>", "FROM <http://127.0.0.1:9/g>"]
)
def test_sparql_reaching_outside_is_refused_before_it_runs(service, keyword):
    shapes = text("sparql")[0]
    if keyword.startswith("SERVICE"):
        shapes = shapes.replace(
            "?other a ex:Book ; ex:title ?value .", f"{keyword} {{ ?other ex:title ?value }}"
        )
    else:
        shapes = shapes.replace(
            "SELECT $this ?value WHERE {\n", f"SELECT $this ?value {keyword} WHERE {{\n"
        )
    message = _error(service, shapes)
    assert keyword.split()[0] + " refused" in message and "TitleShape" in message


def test_documents_the_shapes_cannot_judge(service):
    shapes = text("conforming")[0]
    assert "send RDF" in _error(service, shapes, "name: x\n", fmt="yaml")
    assert "not an absolute IRI" in _error(service, shapes, base="no-scheme")
    with pytest.raises(DocumentError) as caught:
        _validate(service, shapes, "<a> <b> .\n")
    assert str(caught.value).startswith("document.ttl: invalid turtle")
    assert not isinstance(caught.value, ShapesInputError)  # the document's error, not the shapes'


def test_a_validation_past_the_timeout_is_stopped(service):
    shapes, document = text("paths")
    user = read_shapes(shapes, "turtle", "shapes.ttl", service.settings)
    with pytest.raises(ValidationTimeout):
        validate_with_shapes(service, user, document, "turtle", "d.ttl", timeout=1e-9)
    assert _validate(service, *text("conforming")).result.conforms  # the service goes on
