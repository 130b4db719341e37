"""The store protocol and its embedded Oxigraph backend.

The protocol is deliberately small so that a remote SPARQL 1.1 backend fits it:

- ``query(text, bindings)`` → pyoxigraph ``QuerySolutions`` | ``QueryBoolean`` |
  an iterable of ``Triple`` (CONSTRUCT/DESCRIBE); the default graph is the union
  of all named graphs unless ``default_graph`` names some;
- ``update(text)``;
- ``load(triples, graph)`` adds triples to one named graph, atomically;
- ``replace_graph(graph, triples)`` swaps one named graph for new content, atomically:
  if anything fails half-way the old graph is left exactly as it was;
- ``named_graphs()``, ``dump(out)`` (N-Quads), ``restore(inp, force=False)``;
- ``read_only``.

pyoxigraph terms (``NamedNode``, ``Literal``, ``Triple``, ``Quad``…) are the common
currency: loaders produce them, the API serialises them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import BinaryIO, Protocol

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
QueryResult = ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]

#: Named graphs whose IRI starts with this are scratch space for atomic replaces.
STAGING_PREFIX = "urn:converge-kg:staging:"


class Store(Protocol):
    read_only: bool
    generation: int  # increases with every write
    changed_at: dt.datetime  # time of the last write (or of opening)

    def query(
        self,
        text: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> QueryResult: ...

    def update(self, text: str) -> None: ...

    def load(self, triples: Iterable[ox.Triple], graph: ox.NamedNode) -> int: ...

    def replace_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> int: ...

    def named_graphs(self) -> list[ox.NamedNode]: ...

    def __len__(self) -> int: ...

    def dump(self, out: BinaryIO) -> None: ...

    def restore(self, inp: BinaryIO, *, force: bool = False) -> int: ...

    def close(self) -> None: ...
