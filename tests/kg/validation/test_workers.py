"""The validation service's worker processes (kg.validation.workers.Workers) and prepared profiles.

A worker is forked once and validates document after document against a profile's
ontology, prepared once (``LoadedProfile.base``): each document's triples are added to
that graph and taken out again. These tests check that what one document brings never
reaches the next one, that a changed shapes file is used at once, and that a timeout
leaves the service usable — each result compared with a run that shares nothing (plain
``kg.validation.validate`` on a private copy of the ontology, or a fresh service).
"""

from __future__ import annotations

import multiprocessing
import shutil

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal
from rdflib.compare import isomorphic

from kg.errors import ValidationTimeout
from kg.namespaces import Iris
from kg.validation.checker import Service
from kg.validation.documents import document_from_text
from kg.validation.profiles import PROFILES
from kg.validation.shapes import load_ontology, load_rdf_files, to_rdflib, validate

PREFIXES = """@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
PROFILE = "impact-report"


def _documents(iris: Iris) -> dict[str, str]:
    """An observation citing an indicator, the indicator alone, and a blank-node record."""
    obs = iris.impact("observation", "worker-test", "BE", "2020").value
    indicator = iris.impact("indicator", "worker-test").value
    return {
        "observation": PREFIXES + f"<{obs}> a ckg:ImpactObservation ; ckg:indicator <{indicator}> ;"
        f" ckg:node <{iris.node('BE').value}> ; ckg:period <{obs}#period> ; ckg:value 3.0 .\n"
        f'<{obs}#period> a dct:PeriodOfTime ; dcat:startDate "2020-01-01"^^xsd:date .\n',
        "indicator": PREFIXES + f'<{indicator}> a ckg:ImpactIndicator ; dct:identifier "x" .\n',
        "blank": PREFIXES + "[] a ckg:ImpactObservation ; ckg:value 1.0 .\n",
    }


def _keys(findings) -> list[tuple]:
    """Findings without blank-node ids (those differ from run to run)."""
    return sorted(
        (
            f.severity,
            "_:" if f.focus.startswith("_:") else f.focus,
            f.path or "",
            "_:" if (f.shape or "").startswith("_:") else f.shape or "",
            f.component,
        )
        for f in findings
    )


def _alone(text: str, settings, shapes_dir=None) -> list[tuple]:
    """The findings of plain kg.validation on the document, with fresh copies of everything."""
    document = document_from_text(text, "turtle", "doc.ttl", settings)
    files = PROFILES[PROFILE].files(shapes_dir or settings.shapes_dir)
    result = validate(
        to_rdflib(document.triples), load_rdf_files(files), load_ontology(settings.ontology_dir)
    )
    return _keys(result.findings)


def test_documents_in_turn_never_see_each_other(settings, built):
    store, _ = built
    iris = Iris(settings.base_iri)
    documents = _documents(iris)
    expected = {name: _alone(text, settings) for name, text in documents.items()}
    assert expected["observation"] != expected["indicator"]
    assert any(
        key[2] == "https://w3id.org/elixir-converge/ontology#indicator"
        for key in expected["observation"]
    )  # the indicator is not described
    in_context = {
        name: _keys(
            Service(settings)
            .validate_text(text, "turtle", "doc.ttl", profile=PROFILE, store=store, in_context=True)
            .result.findings
        )
        for name, text in documents.items()
    }
    service = Service(settings)
    before = len(multiprocessing.active_children())
    order = ["observation", "indicator", "observation", "blank", "indicator", "blank"]
    for name in order * 2:  # bounded: 12 validations, standalone then in context
        got = service.validate_text(documents[name], "turtle", "doc.ttl", profile=PROFILE)
        assert _keys(got.result.findings) == expected[name], name
        got = service.validate_text(
            documents[name], "turtle", "doc.ttl", profile=PROFILE, store=store, in_context=True
        )
        assert _keys(got.result.findings) == in_context[name], name
    # the workers are reused, not one per document
    assert len(multiprocessing.active_children()) <= before + service.workers.MAX_IDLE
    service.workers.close()


def test_a_changed_shapes_file_is_used_by_the_next_validation(settings, tmp_path):
    shapes = tmp_path / "shapes"
    shutil.copytree(settings.shapes_dir, shapes)
    local = settings.with_overrides(shapes_dir=str(shapes))
    text = _documents(Iris(settings.base_iri))["observation"]
    service = Service(local)
    first = _keys(service.validate_text(text, "turtle", "doc.ttl", profile=PROFILE).result.findings)
    assert first == _alone(text, local, shapes)
    catalogue = shapes / "catalogues.shapes.ttl"
    catalogue.write_text(
        catalogue.read_text()
        + "\nckgsh:WorkerTestShape a sh:NodeShape ; sh:targetClass ckg:ImpactObservation ;"
        " sh:property ckgsh:WorkerTestProperty .\nckgsh:WorkerTestProperty a sh:PropertyShape ;"
        " sh:path ckg:workerTest ; sh:minCount 1 ; sh:severity sh:Warning .\n"
    )
    second = service.validate_text(text, "turtle", "doc.ttl", profile=PROFILE).result.findings
    assert _keys(second) == _alone(text, local, shapes)
    added = [f for f in second if f.path == "https://w3id.org/elixir-converge/ontology#workerTest"]
    assert len(added) == 1 and added[0].severity == "Warning"
    assert sorted(set(_keys(second)) - set(first)) == _keys(added)
    service.workers.close()


def test_after_a_timeout_the_service_validates_again(settings):
    text = _documents(Iris(settings.base_iri))["observation"]
    service = Service(settings)
    with pytest.raises(ValidationTimeout):
        service.validate_text(text, "turtle", "doc.ttl", profile=PROFILE, timeout=1e-9)
    got = service.validate_text(text, "turtle", "doc.ttl", profile=PROFILE, timeout=60)
    assert _keys(got.result.findings) == _alone(text, settings)
    service.workers.close()


def test_validate_in_place_uses_the_given_graph(settings):
    text = _documents(Iris(settings.base_iri))["observation"]
    document = document_from_text(text, "turtle", "doc.ttl", settings)
    shapes = load_rdf_files(PROFILES[PROFILE].files(settings.shapes_dir))
    ontology = load_ontology(settings.ontology_dir)
    data = to_rdflib(document.triples)
    copied = validate(data, shapes, ontology)
    assert len(data) == len(document.triples)  # not modified
    work = Graph()
    work += data
    in_place = validate(work, shapes, ontology, inplace=True)
    assert len(work) == len(data | ontology)  # the ontology went into the graph itself
    assert _keys(in_place.findings) == _keys(copied.findings)


def test_to_rdflib_reads_terms_as_rdflibs_n_triples_parser_does():
    text = PREFIXES + (
        '_:a ckg:value "3.0"^^xsd:decimal , "x" , "y"@en-GB , "tab\\there \\\\u0041 \\"q\\"" ;'
        " ckg:node _:b , <https://example.org/a%20b#c> .\n"
        '_:b ckg:value "1"^^xsd:integer , "2020-01-01"^^xsd:date , "é ✓" ; ckg:node _:a .\n'
    )
    triples = [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    parsed = Graph().parse(data=nt, format="nt")
    converted = to_rdflib(triples)
    assert len(converted) == len(triples) == 10
    assert isomorphic(converted, parsed)
    assert {
        (type(o), o, o.datatype, o.language) for o in converted.objects() if isinstance(o, Literal)
    } == {(type(o), o, o.datatype, o.language) for o in parsed.objects() if isinstance(o, Literal)}
    blanks = {s for s in converted.subjects() if isinstance(s, BNode)}
    assert len(blanks) == 2  # each blank node one rdflib node, throughout the call
