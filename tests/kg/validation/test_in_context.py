"""In context, the validator gives the whole-graph answer, about the document's records only.

Every toolkit resource, national resource, Node, institute and page of the real built graph,
fetched as served at its IRI (Turtle, over HTTP) and submitted unchanged in context, gets
exactly the findings that validating the whole graph gives that record; records broken on
purpose get exactly the findings the whole graph gives once the broken record replaces the
real one.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest

from kg.settings import Settings
from kg.validation.checker import Service
from kg.validation.shapes import Validator, to_rdflib
from loaders.yaml_documents import read_yaml_document

CKG = "https://w3id.org/elixir-converge/ontology#"
SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: The kinds of record a steward submits, by class.
KINDS = ("ToolkitResource", "NationalResource", "Node", "Institute", "Page")


def key(finding) -> tuple:
    return (
        finding.severity,
        finding.focus,
        finding.path,
        finding.value,
        finding.shape,
        finding.message,
    )


def graph_triples(store, settings: Settings) -> list[ox.Triple]:
    """Every triple of the store but the shapes (what an in-context validation can read)."""
    shapes = ox.NamedNode(settings.base_iri + "graph/shapes")
    return [
        q.triple
        for q in store.quads_for_pattern(None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != shapes
    ]


def whole_graph_findings(settings: Settings, triples: list[ox.Triple]) -> dict[str, set]:
    result = Validator(settings).validate(to_rdflib(triples))
    by_focus: dict[str, set] = defaultdict(set)
    for finding in result.findings:
        by_focus[finding.focus].add(key(finding))
    return by_focus


@pytest.fixture(scope="module")
def store(full_build):
    return full_build[0]._store  # the pyoxigraph store under the memory OxigraphStore


@pytest.fixture(scope="module")
def whole_graph(settings, store) -> dict[str, set]:
    return whole_graph_findings(settings, graph_triples(store, settings))


@pytest.fixture(scope="module")
def service(settings):
    service = Service(settings, read_yaml=read_yaml_document)
    yield service
    service.workers.close()


def records(store, kind: str) -> list[str]:
    query = f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a <{CKG}{kind}> }} }} ORDER BY ?s"
    return [row["s"].value for row in store.query(query)]


def served(full_site, settings: Settings, iri: str) -> str:
    base, session = full_site
    r = session.get(
        base + "/" + iri.removeprefix(settings.base_iri),
        headers={"Accept": "text/turtle"},
        timeout=30,
    )
    assert r.status_code == 200, (iri, r.status_code)
    return r.text


def expected(text: str, focus: list[str], whole_graph: dict[str, set]) -> set:
    """The whole graph's findings about what the document says: all of those about a
    record it types, those on the predicates it adds for a subject it only adds to."""
    doc = [q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]
    typed = {t.subject.value for t in doc if t.predicate.value == RDF_TYPE}
    want = set()
    for node in focus:
        added = {t.predicate.value for t in doc if t.subject.value == node}
        want |= {f for f in whole_graph.get(node, set()) if node in typed or f[2] in added}
    return want


def in_context(service, full_build, text: str, name: str):
    return service.validate_text(text, "turtle", name, store=full_build[0], in_context=True)


def test_every_served_record_unchanged_gets_its_whole_graph_findings(
    full_site, full_build, settings, store, whole_graph, service, rdmkit_src
):
    counts, differ, reported = {}, [], set()
    for kind in KINDS:
        iris = records(store, kind)
        counts[kind] = len(iris)
        for iri in iris:
            text = served(full_site, settings, iri)
            outcome = in_context(service, full_build, text, iri)
            got = {key(f) for f in outcome.result.findings}
            want = expected(text, outcome.focus, whole_graph)
            assert iri in outcome.focus  # the record itself is judged
            reported |= got
            if got != want:
                differ.append((iri, sorted(got - want)[:2], sorted(want - got)[:2]))
    assert differ == []
    # every record of the sources was tried: as many resources as RDMkit lists
    assert counts["ToolkitResource"] == len(rdmkit_src.resources) > 600
    assert counts["Page"] == len(rdmkit_src.pages) > 100
    assert counts["NationalResource"] > 100 and counts["Node"] > 20 and counts["Institute"] > 100
    # every whole-graph finding about these records was reported by its own submission
    tried = set().union(*(records(store, kind) for kind in KINDS))
    assert set().union(*(whole_graph.get(i, set()) for i in tried)) <= reported


def _turtle(triples: list[ox.Triple]) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE).decode("utf-8")


def _drop(predicate: str):
    def apply(record: ox.NamedNode, triples: list[ox.Triple]) -> list[ox.Triple]:
        return [t for t in triples if not (t.subject == record and t.predicate.value == predicate)]

    return apply


def _replace(predicate: str, value: ox.Term):
    def apply(record: ox.NamedNode, triples: list[ox.Triple]) -> list[ox.Triple]:
        kept = _drop(predicate)(record, triples)
        return [*kept, ox.Triple(record, ox.NamedNode(predicate), value)]

    return apply


#: (class of the record, what is broken, how): one record of each, the first in IRI order
#: that has the property.
BREAKAGES = (
    ("ToolkitResource", SCHEMA + "url", _drop(SCHEMA + "url")),
    ("ToolkitResource", SCHEMA + "name", _drop(SCHEMA + "name")),
    ("ToolkitResource", SCHEMA + "url", _replace(SCHEMA + "url", ox.Literal("zenodo.org"))),
    (
        "Page",
        CKG + "lifeCycleStage",
        _replace(CKG + "lifeCycleStage", ox.NamedNode(CKG + "archiving")),
    ),
    ("Institute", SCHEMA + "latitude", _replace(SCHEMA + "latitude", ox.Literal("north"))),
    (
        "NationalResource",
        CKG + "instanceOf",
        _replace(CKG + "instanceOf", ox.NamedNode(CKG + "Node")),
    ),
)


def test_broken_records_get_the_findings_the_whole_graph_would_give(
    full_site, full_build, settings, store, service
):
    triples = graph_triples(store, settings)
    broken: dict[str, list[ox.Triple]] = {}  # record → the broken document
    for kind, predicate, breakage in BREAKAGES:
        candidates = [
            row["s"]
            for row in store.query(
                f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a <{CKG}{kind}> ; <{predicate}> ?v }} }}"
                " ORDER BY ?s"
            )
            if row["s"].value not in broken
        ]
        assert candidates, (kind, predicate)
        record = candidates[0]
        served_doc = list(
            ox.parse(served(full_site, settings, record.value), format=ox.RdfFormat.TURTLE)
        )
        broken[record.value] = breakage(record, [q.triple for q in served_doc])
    # the whole graph with each broken record in place of the real one
    replaced = {ox.NamedNode(iri) for iri in broken}
    graph = [t for t in triples if t.subject not in replaced]
    for doc in broken.values():
        graph += [t for t in doc if t.subject in replaced]
    whole = whole_graph_findings(settings, graph)
    for iri, doc in broken.items():
        outcome = in_context(service, full_build, _turtle(doc), iri)
        got = {key(f) for f in outcome.result.findings}
        assert got == whole.get(iri, set()), iri
        assert got, iri  # each breakage is found (a missing URL is a Warning: RDMkit asks)
