"""A document in the graph's context: its neighbourhood read from the store, and the
checks SHACL cannot make from the document alone.

In context, the document replaces what the graph says of its subjects: a record submitted
unchanged is judged exactly as the whole graph judges it, and an edited one as it would be
once loaded. The neighbourhood is read with bound SPARQL queries (never by pasting text):
breadth-first from the IRIs the document mentions (and the nodes pointing at its subjects
by a predicate a shape follows backwards), as many steps along the predicates the shapes
follow as the deepest shape looks (:mod:`kg.validation.reach`), every node read with its
types — enough for ``sh:class``, ``sh:not``, qualified shapes and property paths to give
the whole-graph answer. Two checks are added to the SHACL report, about graph nodes the
document breaks: an identifier (``dct:identifier``) the graph already gives to another
thing is a Violation (``ckgsh:DuplicateIdentifier``); an IRI under the graph's base that
neither the document nor the graph describes is a Violation (``ckgsh:DanglingReference``).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import RDF, SH, BNode, Graph, Literal, Namespace, URIRef

from kg.namespaces import CKG, DCT, RDF_TYPE
from kg.store.base import Store
from kg.validation.documents import Document
from kg.validation.reach import Reach

CKGSH = Namespace("https://w3id.org/elixir-converge/shapes#")
SHAPES_NS = str(CKGSH)
#: Incoming triples read per node (a hub node is cited by many; enough to validate).
MAX_INCOMING = 1000

#: A node's triples, and those of its blank-node values (which a later query cannot name).
_OUTGOING = """SELECT ?p ?o ?p2 ?o2 ?g WHERE { GRAPH ?g {
  ?s ?p ?o OPTIONAL { FILTER(isBlank(?o)) ?o ?p2 ?o2 } } }"""
#: Things of one type with one identifier (identifiers are unique per kind: a page and a
#: resource may both be "galaxy").
_SAME_ID = "SELECT ?s ?g WHERE { GRAPH ?g { ?s <" + DCT + "identifier> ?id } ?s a ?type }"
_KNOWN_INDICATORS = f"""
SELECT ?i ?id ?example WHERE {{
  ?i a <{CKG}ImpactIndicator> ; <{DCT}identifier> ?id .
  OPTIONAL {{ ?i <{CKG}isExample> ?example }}
}}"""


class Neighbourhood:
    """Reads a document's neighbourhood from the store, with bound queries only.

    ``replaced``: the IRIs the document describes; what the store says of them is not read
    (the document replaces it). ``exclude_graph``: a graph of the store that is the
    document itself.
    """

    def __init__(
        self,
        store: Store,
        reach: Reach,
        *,
        replaced: Iterable[str] = (),
        exclude_graph: str | None = None,
    ) -> None:
        self.store = store
        self.reach = reach
        self.exclude = exclude_graph
        self.replaced = set(replaced)
        self.read: set[ox.NamedNode] = set()
        self.records: list[str] = []  # the document's subjects (all judged)
        self.added: dict[str, set[str]] = {}  # subjects only added to → the predicates added
        self.triples: set[ox.Triple] = set()
        self.described: set[str] = set()  # IRIs with outgoing triples in the store
        self._incoming = _incoming_query(reach.backward)

    def _keep(self, graph: ox.NamedNode, subject: ox.Term) -> bool:
        if isinstance(subject, ox.NamedNode) and subject.value in self.replaced:
            return False
        return self.exclude is None or graph.value != self.exclude

    def outgoing(self, node: ox.NamedNode) -> list[ox.Triple]:
        """The node's triples (with those of its blank-node values), once."""
        if node in self.read or node.value in self.replaced:
            return []
        self.read.add(node)
        found = []
        for row in self.store.query(_OUTGOING, {"s": node}):
            if not self._keep(row["g"], node):
                continue
            found.append(ox.Triple(node, row["p"], row["o"]))
            if row["p2"] is not None:
                found.append(ox.Triple(row["o"], row["p2"], row["o2"]))
        if found:
            self.described.add(node.value)
        self.triples.update(found)
        return found

    def incoming(self, node: ox.NamedNode) -> list[ox.Triple]:
        """Triples pointing at ``node`` by a predicate some shape follows backwards."""
        if self._incoming is None:
            return []
        found = [
            ox.Triple(row["s"], row["p"], node)
            for row in self.store.query(self._incoming, {"o": node})
            if self._keep(row["g"], row["s"])
        ]
        self.triples.update(found)
        return found

    def others_with_identifier(
        self, value: ox.Literal, subject: ox.NamedNode, kind: ox.NamedNode
    ) -> list[str]:
        """Other things of type ``kind`` with the identifier ``value``."""
        return sorted(
            {
                row["s"].value
                for row in self.store.query(_SAME_ID, {"id": value, "type": kind})
                if (self.exclude is None or row["g"].value != self.exclude) and row["s"] != subject
            }
        )


def _incoming_query(predicates: Iterable[str]) -> str | None:
    """A query for the triples pointing at ``?o`` by one of ``predicates`` (IRIs of the
    shapes, written as validated terms)."""
    terms = sorted(str(ox.NamedNode(p)) for p in predicates)
    if not terms:
        return None
    return (
        "SELECT ?s ?p ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?p IN ({', '.join(terms)})) }} LIMIT {MAX_INCOMING}"
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


def build_context(document: Document, store: Store, shapes: Reach) -> Neighbourhood:
    """The store's part of the document's context.

    Every subject of the document is judged. One the document gives a type (or one the
    graph lacks) is a record the document describes: its description replaces the graph's,
    and it is judged whole. One the document only adds statements to (a page listing the
    submitted resource, a class with its label) keeps what the graph says of it and is
    judged on the predicates the document adds (``added``). From the IRIs the document
    mentions, the graph is read breadth-first up to ``shapes.depth`` steps along the
    predicates the shapes follow (and backwards along those they follow backwards).
    """
    typed = {
        t.subject.value
        for t in document.triples
        if isinstance(t.subject, ox.NamedNode) and t.predicate == RDF_TYPE
    }
    subjects = dict.fromkeys(_iris(t.subject for t in document.triples))
    own = document.source_graph is None
    hood = Neighbourhood(
        store, shapes, replaced=typed if own else (), exclude_graph=document.source_graph
    )
    frontier: set = set(_iris(t.object for t in document.triples))
    for subject in subjects:
        if own and subject.value not in typed:  # added to, unless the graph lacks it
            if hood.outgoing(subject):
                hood.added[subject.value] = {
                    t.predicate.value for t in document.triples if t.subject == subject
                }
            else:
                hood.replaced.add(subject.value)
        frontier.update(t.subject for t in hood.incoming(subject))
    hood.records = [s.value for s in subjects]
    for _ in range(shapes.depth):  # bounded: at most the shapes' depth
        following: set = set()
        for node in frontier:
            if not isinstance(node, ox.NamedNode):
                continue
            for t in hood.outgoing(node):
                if t.predicate.value in shapes.forward and not isinstance(t.object, ox.Literal):
                    following.add(t.object)
            following.update(t.subject for t in hood.incoming(node))
        frontier = following - hood.read
    return hood


# --------------------------------------------------------------------------- extra checks


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
    """Duplicates of existing identifiers and dangling references: graph nodes that the
    document breaks, reported on the document's own triple."""
    _duplicate_identifiers(document, hood, report)
    _dangling_references(document, hood, base_iri, report)


def _duplicate_identifiers(document: Document, hood: Neighbourhood, report: Graph) -> None:
    identifier = ox.NamedNode(DCT + "identifier")
    types: dict[ox.Term, list[ox.NamedNode]] = {}
    for t in document.triples:
        if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            types.setdefault(t.subject, []).append(t.object)
    for triple in document.triples:
        if triple.predicate == identifier and isinstance(triple.subject, ox.NamedNode):
            others = sorted(
                {
                    other
                    for kind in types.get(triple.subject, ())
                    for other in hood.others_with_identifier(triple.object, triple.subject, kind)
                }
            )
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
