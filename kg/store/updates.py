"""SPARQL update text for whole-graph writes, from validated pyoxigraph terms only."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox


def in_graph(triples: Iterable[ox.Triple | ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """``triples`` (or quads, e.g. a parser's, moved whatever their graph) as quads of
    ``graph``."""
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, graph)


def has_triple_term(triples: Iterable[ox.Triple | ox.Quad]) -> bool:
    """Whether any triple holds an RDF 1.2 triple term (which ``INSERT DATA`` cannot spell)."""
    return any(isinstance(t.object, ox.Triple) or isinstance(t.subject, ox.Triple) for t in triples)


def delete_blank(graph: ox.NamedNode, triples: Iterable[ox.Triple | ox.Quad]) -> str:
    """One ``DELETE … WHERE`` for the blank-node ``triples`` of ``graph`` (which ``DELETE
    DATA`` cannot name), from validated terms only.

    A blank node is matched by pattern, so each triple is found through its other terms
    (an index lookup, not a scan of the graph): by subject when that is an IRI, else by
    predicate and object, else (blank to blank) by predicate; the filters keep every other
    triple of those subjects and predicates.
    """
    by_subject, by_predicate_object, by_predicate = {}, {}, {}
    for t in triples:
        if not isinstance(t.subject, ox.BlankNode):
            by_subject[str(t.subject)] = None
        elif not isinstance(t.object, ox.BlankNode):
            by_predicate_object[f"({t.predicate} {t.object})"] = None
        else:
            by_predicate[str(t.predicate)] = None
    groups = [
        f"{{ VALUES {variables} {{ {' '.join(values)} }} "
        f"GRAPH {graph} {{ ?s ?p ?o FILTER({condition}) }} }}"
        for variables, values, condition in (
            ("?s", by_subject, "isBlank(?o)"),
            ("(?p ?o)", by_predicate_object, "isBlank(?s)"),
            ("?p", by_predicate, "isBlank(?s) && isBlank(?o)"),
        )
        if values
    ]
    return f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ {' UNION '.join(groups)} }}"


#: Oxigraph's bulk loader ingests up to this many quads as one batch, in one atomic
#: RocksDB ingestion of all its index files; more are ingested batch by batch.
BULK_BATCH = 1_000_000


def insert_data(quads: Iterable[ox.Quad], operation: str = "INSERT DATA") -> str:
    """One ``INSERT DATA`` (or ``DELETE DATA``) operation for ``quads``, from validated
    terms only.

    pyoxigraph terms print in their N-Triples form, which SPARQL reads back
    unchanged, so no text is pasted into the update unescaped.
    """
    by_graph: dict[ox.NamedNode | ox.DefaultGraph, list[str]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name, []).append(f"{q.subject} {q.predicate} {q.object} .")
    blocks = [
        "\n".join(lines)
        if isinstance(g, ox.DefaultGraph)
        else f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}"
        for g, lines in by_graph.items()
    ]
    return operation + " {\n" + "\n".join(blocks) + "\n}"
