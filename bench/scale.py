"""bio.tools scaled ×N by a deterministic generator.

Copy 0 is the dump as it is (so the toolkit's links into bio.tools still resolve); copy
``k`` ≥ 1 rewrites every subject IRI of the dump ``s`` to ``s~k`` wherever it occurs
(as subject or object), so links between the dump's own records stay inside the copy,
while links to the outside (EDAM terms, PubMed, DOIs) are kept as they are. Blank nodes
get one fresh label per copy. The output is N-Triples, in the same order every time.

    .venv/bin/python -m bench.scale 10 var/bench/biotools-x10.nt
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from bench.common import BIOTOOLS


def read(path: Path = BIOTOOLS, limit: int | None = None) -> list[ox.Triple]:
    """The dump's triples in file order (the first ``limit`` only, if given)."""
    out: list[ox.Triple] = []
    with path.open("rb") as f:
        for quad in ox.parse(f, format=ox.RdfFormat.TURTLE):
            if limit is not None and len(out) >= limit:
                break
            out.append(quad.triple)
    return out


def copies(triples: list[ox.Triple], factor: int) -> Iterator[ox.Triple]:
    """``factor`` copies of ``triples``, the subjects' IRIs rewritten per copy."""
    subjects = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    labels: dict[str, int] = {}  # blank node → stable number, by first appearance

    def term(node, k: int):
        if isinstance(node, ox.NamedNode):
            return ox.NamedNode(f"{node.value}~{k}") if k and node.value in subjects else node
        if isinstance(node, ox.BlankNode):
            n = labels.setdefault(node.value, len(labels))
            return ox.BlankNode(f"b{n}c{k}")
        return node

    for k in range(factor):
        for t in triples:
            yield ox.Triple(term(t.subject, k), t.predicate, term(t.object, k))


def write(out: Path, factor: int, *, source: Path = BIOTOOLS, limit: int | None = None) -> int:
    """Write bio.tools ×``factor`` as N-Triples to ``out``; returns the triple count."""
    triples = read(source, limit)
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0

    def counted() -> Iterator[ox.Triple]:
        nonlocal count
        for t in copies(triples, factor):
            count += 1
            yield t

    with out.open("wb") as f:
        ox.serialize(counted(), f, format=ox.RdfFormat.N_TRIPLES)
    return count


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("factor", type=int, help="number of copies (1, 10, 100…)")
    p.add_argument("out", type=Path, help="the N-Triples file to write")
    p.add_argument("--limit", type=int, default=None, help="use only the dump's first N triples")
    args = p.parse_args(argv)
    if args.factor < 1:
        p.error("factor: at least 1")
    n = write(args.out, args.factor, limit=args.limit)
    print(f"{args.out}: bio.tools ×{args.factor}: {n:,} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
