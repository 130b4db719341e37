"""A document in the graph's context: its neighbourhood read from the store, and the
checks SHACL cannot make from the document alone.

The neighbourhood is read with bound SPARQL queries (never by pasting text): the
document's subjects and the IRIs it mentions with their outgoing triples, the nodes that
point at its subjects (its dependents) with theirs, and one more hop. Three checks are
added to the SHACL report: an identifier (``dct:identifier``) the graph already gives to
another thing is a Violation (``ckgsh:DuplicateIdentifier``); a subject the graph already
describes is a Warning (``ckgsh:AlreadyInGraph``); an IRI under the graph's base that
neither the document nor the graph describes is a Violation (``ckgsh:DanglingReference``).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import RDF, SH, BNode, Graph, Literal, Namespace, URIRef

from kg.namespaces import CKG, DCT
from kg.store.base import Store
from kg.validation.documents import Document

CKGSH = Namespace("https://w3id.org/elixir-converge/shapes#")
SHAPES_NS = str(CKGSH)
#: Incoming triples read per node (a hub node is cited by many; enough to validate).
MAX_INCOMING = 1000

_OUTGOING = "SELECT ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_INCOMING = f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {MAX_INCOMING}"
_SAME_ID = "SELECT ?s ?g WHERE { GRAPH ?g { ?s <" + DCT + "identifier> ?id } }"
_KNOWN_INDICATORS = f"""
SELECT ?i ?id ?example WHERE {{
  ?i a <{CKG}ImpactIndicator> ; <{DCT}identifier> ?id .
  OPTIONAL {{ ?i <{CKG}isExample> ?example }}
}}"""


class Neighbourhood:
    """Reads a document's neighbourhood from the store (one bound query per node)."""

    def __init__(self, store: Store, exclude_graph: str | None = None) -> None:
        self.store = store
        self.exclude = exclude_graph
        self.seen_out: set[ox.NamedNode] = set()
        self.triples: set[ox.Triple] = set()
        self.described: set[str] = set()  # IRIs with outgoing triples in the store

    def _keep(self, graph: ox.NamedNode) -> bool:
        return self.exclude is None or graph.value != self.exclude

    def outgoing(self, node: ox.NamedNode) -> list[ox.Triple]:
        if node in self.seen_out:
            return []
        self.seen_out.add(node)
        found = [
            ox.Triple(node, row["p"], row["o"])
            for row in self.store.query(_OUTGOING, {"s": node})
            if self._keep(row["g"])
        ]
        if found:
            self.described.add(node.value)
        self.triples.update(found)
        return found

    def incoming(self, node: ox.NamedNode) -> list[ox.Triple]:
        found = [
            ox.Triple(row["s"], row["p"], node)
            for row in self.store.query(_INCOMING, {"o": node})
            if self._keep(row["g"]) and row["p"].value != RDF.type
        ]
        self.triples.update(found)
        return found

    def others_with_identifier(self, value: ox.Literal, subject: ox.NamedNode) -> list[str]:
        return sorted(
            {
                row["s"].value
                for row in self.store.query(_SAME_ID, {"id": value})
                if self._keep(row["g"]) and row["s"] != subject
            }
        )


def known_indicators(store: Store) -> dict[str, tuple[ox.NamedNode, bool]]:
    """The impact indicators of the graph, by id (observations in a document may cite them)."""
    out: dict[str, tuple[ox.NamedNode, bool]] = {}
    for row in store.query(_KNOWN_INDICATORS):
        example = row["example"]
        out[row["id"].value] = (row["i"], example is not None and example.value == "true")
    return out


def _iris(terms: Iterable[ox.Term]) -> list[ox.NamedNode]:
    return [t for t in terms if isinstance(t, ox.NamedNode)]


def build_context(
    document: Document, store: Store
) -> tuple[list[ox.Triple], list[ox.NamedNode], Neighbourhood]:
    """The neighbourhood triples, the dependents of the document's subjects, the reader."""
    hood = Neighbourhood(store, document.source_graph)
    subjects = list(dict.fromkeys(_iris(t.subject for t in document.triples)))
    mentioned = list(dict.fromkeys(_iris(t.object for t in document.triples)))
    hop1: list[ox.Triple] = []
    for node in [*subjects, *mentioned]:
        hop1.extend(hood.outgoing(node))
    dependents: list[ox.NamedNode] = []
    for node in subjects:
        for triple in hood.incoming(node):
            if isinstance(triple.subject, ox.NamedNode):
                dependents.append(triple.subject)
                hop1.extend(hood.outgoing(triple.subject))
    for triple in list(hop1):
        if isinstance(triple.object, ox.NamedNode) and triple.predicate.value != RDF.type:
            hood.outgoing(triple.object)
    dependents = [d for d in dict.fromkeys(dependents) if d not in set(subjects)]
    return sorted(hood.triples, key=str), dependents, hood


def _add_result(
    report: Graph, severity: URIRef, focus: URIRef, path: URIRef | None, value, shape, message
) -> None:
    result = BNode()
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.resultSeverity, severity))
    report.add((result, SH.focusNode, focus))
    if path is not None:
        report.add((result, SH.resultPath, path))
    if value is not None:
        report.add((result, SH.value, value))
    report.add((result, SH.sourceShape, shape))
    report.add(
        (result, SH.sourceConstraintComponent, CKGSH[str(shape)[len(SHAPES_NS) :] + "Component"])
    )
    report.add((result, SH.resultMessage, Literal(message)))
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.add((node, SH.result, result))
        if severity == SH.Violation:
            report.set((node, SH.conforms, Literal(False)))


def context_checks(document: Document, hood: Neighbourhood, base_iri: str, report: Graph) -> None:
    """Duplicates of existing identifiers, subjects already in the graph, dangling references."""
    _duplicate_identifiers(document, hood, report)
    _already_in_graph(document, hood, report)
    _dangling_references(document, hood, base_iri, report)


def _duplicate_identifiers(document: Document, hood: Neighbourhood, report: Graph) -> None:
    identifier = ox.NamedNode(DCT + "identifier")
    for triple in document.triples:
        if triple.predicate == identifier and isinstance(triple.subject, ox.NamedNode):
            others = hood.others_with_identifier(triple.object, triple.subject)
            if others:
                _add_result(
                    report,
                    SH.Violation,
                    URIRef(triple.subject.value),
                    URIRef(DCT + "identifier"),
                    Literal(triple.object.value),
                    CKGSH.DuplicateIdentifier,
                    f"identifier {triple.object.value!r} is already the identifier of "
                    f"{', '.join(others[:5])}{' …' if len(others) > 5 else ''} in the graph",
                )


def _already_in_graph(document: Document, hood: Neighbourhood, report: Graph) -> None:
    doc_subjects = {t.subject.value for t in document.triples}
    for subject in sorted(doc_subjects & hood.described):
        if "#" in subject and subject.split("#", 1)[0] in doc_subjects:
            continue  # a part of a record (<record>#period): the record is reported
        _add_result(
            report,
            SH.Warning,
            URIRef(subject),
            None,
            None,
            CKGSH.AlreadyInGraph,
            f"{subject} is already described in the graph: the document adds to that description",
        )


def _dangling_references(
    document: Document, hood: Neighbourhood, base_iri: str, report: Graph
) -> None:
    doc_subjects = {t.subject.value for t in document.triples}
    own = (CKG, SHAPES_NS)
    dangling = set()
    for triple in document.triples:
        obj = triple.object
        if (
            isinstance(obj, ox.NamedNode)
            and obj.value.startswith(base_iri)
            and not obj.value.startswith(own)
            and triple.predicate.value != RDF.type
            and obj.value not in doc_subjects
            and obj.value not in hood.described
        ):
            dangling.add((_name(triple.subject), triple.predicate.value, obj.value))
    for subject, predicate, obj in sorted(dangling):
        _add_result(
            report,
            SH.Violation,
            BNode(subject[2:]) if subject.startswith("_:") else URIRef(subject),
            URIRef(predicate),
            URIRef(obj),
            CKGSH.DanglingReference,
            f"{obj} is described neither by the document nor by the graph",
        )


def _name(term: ox.Term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def canonical(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples as the store keeps them (e.g. ``100.0``^^xsd:decimal becomes ``100``),
    so that a value the graph already holds is not counted twice."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return [q.triple for q in scratch]
