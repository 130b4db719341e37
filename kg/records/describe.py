"""The description of one IRI of the graph: a bounded Concise Bounded Description.

``describe(store, iri)`` answers the triples that have the IRI as subject, the triples of
the blank nodes they point to (one level), the labels of every IRI they point to
(``rdfs:label``, ``schema:name``, ``skos:prefLabel``, ``dct:title``), and the same for the
IRIs minted *beneath* it (``<iri>#…`` or ``<iri>/…`` linked to or from it: a page's
training items, a Node's memberships and their periods), at most :data:`MAX_DEPTH` levels
down and :data:`MAX_SUBJECTS` subjects in all. The IRI is bound as a term; the query text
is fixed.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.records.common import PREFIXES, select
from kg.store.base import Store

MAX_DEPTH = 2
MAX_SUBJECTS = 500

_CBD = (
    PREFIXES
    + """
CONSTRUCT { ?s ?p ?o . ?o ?lp ?lo . ?o ?bp ?bo } WHERE {
  ?s ?p ?o .
  OPTIONAL { ?o ?lp ?lo FILTER (isIRI(?o) && ?lp IN (rdfs:label, schema:name, skos:prefLabel,
                                                     dct:title)) }
  OPTIONAL { ?o ?bp ?bo FILTER (isBlank(?o)) }
}"""
)
_BENEATH = """
SELECT DISTINCT ?x WHERE {
  { ?s ?p ?x } UNION { ?x ?p ?s }
  FILTER (isIRI(?x) && (STRSTARTS(STR(?x), CONCAT(STR(?s), "#"))
                        || STRSTARTS(STR(?x), CONCAT(STR(?s), "/"))))
} ORDER BY ?x"""


def describe(store: Store, iri: ox.NamedNode) -> list[ox.Triple]:
    """The bounded description of ``iri``; empty when the graph says nothing about it."""
    seen: set[ox.Triple] = set()
    out: list[ox.Triple] = []
    done: set[str] = set()
    level = [iri]
    for _ in range(MAX_DEPTH + 1):
        following: list[ox.NamedNode] = []
        for subject in level:
            if subject.value in done or len(done) >= MAX_SUBJECTS:
                continue
            done.add(subject.value)
            for t in store.query(_CBD, {"s": subject}):
                if t not in seen:
                    seen.add(t)
                    out.append(t)
            if subject == iri and not out:
                return []
            following += [ox.NamedNode(r["x"]) for r in select(store, _BENEATH, {"s": subject})]
        level = following
        if not level:
            break
    return out
