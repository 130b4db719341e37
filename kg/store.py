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
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
QueryResult = ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]

#: Named graphs whose IRI starts with this are scratch space for atomic replaces.
STAGING_PREFIX = "urn:converge-kg:staging:"


class StoreError(Exception):
    """The store could not do what was asked (I/O, lock, corrupt data)."""


class ReadOnlyError(StoreError):
    """A write was attempted on a read-only store."""


class QuerySyntaxError(ValueError):
    """A SPARQL query or update does not parse; the message is the parser's."""


class NotEmptyError(StoreError):
    """A restore into a non-empty store was refused."""


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


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def values_clause(bindings: Mapping[str, Term]) -> str:
    """Typed bindings as a SPARQL ``VALUES`` block, from validated terms only.

    The terms are pyoxigraph objects (validated on construction) written in
    their N-Triples form, so no text from a user reaches the query unescaped.
    """
    names, terms = [], []
    for name, term in bindings.items():
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"binding ?{name}: expected an IRI or a literal, got {term!r}")
        names.append("?" + name)
        terms.append(str(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def bind(text: str, bindings: Mapping[str, Term] | None) -> str:
    """The query with ``bindings`` as a ``VALUES`` block opening its outer WHERE group.

    This is how every backend binds parameters. Placed first in the group, the
    block joins with the whole pattern, so FILTERs, OPTIONALs, grouping and
    projection all see the bound values (a trailing VALUES clause would join
    only after grouping). A bound variable need not be projected.
    """
    if not bindings:
        return text
    brace = _outer_where_brace(text)
    if brace is None:
        raise QuerySyntaxError("cannot bind parameters: the query has no WHERE group")
    return f"{text[: brace + 1]} {values_clause(bindings)} {text[brace + 1 :]}"


_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?'''
                 |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\s]*>)
    | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    | (?P<open>\{)
    | (?P<close>\})
    """,
    re.VERBOSE | re.DOTALL,
)


def _outer_where_brace(text: str) -> int | None:
    """Offset of the ``{`` that opens the query's WHERE group (comments, strings, IRIs skipped).

    The group follows the first top-level ``WHERE`` keyword; a query written
    without the keyword (``SELECT * { … }``, ``ASK { … }``) opens it with its
    first top-level brace, unless it is a CONSTRUCT (whose first brace opens
    the template).
    """
    depth, first_brace, after_where, form = 0, None, False, None
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "word":
            word = match.group().upper()
            if depth == 0 and form is None and word in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
                form = word
            after_where = depth == 0 and word == "WHERE"
        elif kind == "open":
            if depth == 0:
                if after_where:
                    return match.start()
                if first_brace is None:
                    first_brace = match.start()
            depth += 1
            after_where = False
        elif kind == "close":
            depth -= 1
    return first_brace if form in ("SELECT", "ASK", "DESCRIBE") else None


def _in_graph(triples: Iterable[ox.Triple], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, graph)


class OxigraphStore:
    """The embedded store: in memory (``path=None``) or on disk."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from None
        if not read_only:
            self._drop_staging()
        self._changed()

    def _changed(self) -> None:
        """Record a change: ``generation`` counts writes, ``changed_at`` is when (UTC).

        An on-disk store is flushed, so that read-only readers in other processes
        (query workers) see every committed write.
        """
        if self.path is not None and not self.read_only and hasattr(self, "generation"):
            self._store.flush()
        self.generation = getattr(self, "generation", -1) + 1
        self.changed_at = dt.datetime.now(dt.UTC)

    def __repr__(self) -> str:
        where = "memory" if self.path is None else f"oxigraph:{self.path}"
        return f"<OxigraphStore {where}{' read-only' if self.read_only else ''}>"

    # -- reading ---------------------------------------------------------------

    def query(
        self,
        text: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> QueryResult:
        try:
            return self._store.query(
                bind(text, bindings),
                use_default_graph_as_union=default_graph is None,
                default_graph=default_graph,
                named_graphs=named_graphs,
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def named_graphs(self) -> list[ox.NamedNode]:
        return sorted(
            (
                g
                for g in self._store.named_graphs()
                if isinstance(g, ox.NamedNode) and not g.value.startswith(STAGING_PREFIX)
            ),
            key=lambda g: g.value,
        )

    def __len__(self) -> int:
        return len(self._store)

    def count(self, graph: ox.NamedNode) -> int:
        """Number of triples in one named graph."""
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, graph))

    def dump(self, out: BinaryIO) -> None:
        """Write every quad as N-Quads (staging graphs excluded)."""
        quads = (
            q
            for q in self._store
            if not (
                isinstance(q.graph_name, ox.NamedNode)
                and q.graph_name.value.startswith(STAGING_PREFIX)
            )
        )
        ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)

    # -- writing ---------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError("the store is read-only")

    def update(self, text: str) -> None:
        self._check_writable()
        try:
            self._store.update(text)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        finally:
            self._changed()

    def load(self, triples: Iterable[ox.Triple], graph: ox.NamedNode) -> int:
        """Add triples to ``graph`` in one transaction; returns how many were given."""
        self._check_writable()
        quads = list(_in_graph(triples, graph))
        try:
            self._store.extend(quads)
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        finally:
            self._changed()
        return len(quads)

    def replace_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> int:
        """Swap ``graph``'s content for ``triples``; all or nothing.

        The new content is first written to a private staging graph (one
        transaction), then a single SPARQL update drops the old graph and moves
        the staging graph in its place (a second, atomic transaction). A failure
        while reading ``triples`` or writing the staging graph leaves ``graph``
        untouched; a crash between the two steps leaves only a staging graph,
        removed the next time the store is opened for writing.
        """
        self._check_writable()
        staging = ox.NamedNode(STAGING_PREFIX + uuid.uuid4().hex)
        try:
            quads = list(_in_graph(triples, staging))
            self._store.extend(quads)
            # Both IRIs are NamedNode-validated, so their N-Triples form is safe.
            self._store.update(f"DROP SILENT GRAPH {graph} ; MOVE SILENT {staging} TO {graph}")
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        finally:
            self._store.remove_graph(staging)
            self._changed()
        return len(quads)

    def restore(self, inp: BinaryIO, *, force: bool = False) -> int:
        """Load an N-Quads dump. Refuses a non-empty store unless ``force``.

        The whole dump is parsed before the store is touched, so a malformed dump
        changes nothing.
        """
        self._check_writable()
        quads = list(ox.parse(inp, format=ox.RdfFormat.N_QUADS))
        if len(self._store) and not force:
            raise NotEmptyError(
                f"the store holds {len(self._store)} quads; restore refuses to "
                "overwrite them (use --force)"
            )
        try:
            self._store.clear()
            self._store.extend(quads)
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        finally:
            self._changed()
        return len(quads)

    def _drop_staging(self) -> None:
        for g in list(self._store.named_graphs()):
            if isinstance(g, ox.NamedNode) and g.value.startswith(STAGING_PREFIX):
                self._store.remove_graph(g)

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()

    def close(self) -> None:
        self.flush()
        del self._store


def open_store(url: str, *, read_only: bool = False, settings: Any = None) -> Store:
    """Open a store from its location: ``memory``, ``oxigraph:PATH`` or ``sparql:URL``.

    ``sparql:QUERY_URL`` is a remote SPARQL 1.1 engine (:mod:`kg.remote_store`); its
    update and Graph Store URLs and credentials come from ``settings`` (``remote_*``).
    """
    if url.startswith("sparql:"):
        from kg.remote_store import open_sparql_store

        return open_sparql_store(url, settings, read_only=read_only)
    if url == "memory":
        if read_only:
            raise StoreError("a memory store cannot be opened read-only")
        return OxigraphStore()
    if url.startswith("oxigraph:"):
        path = url.removeprefix("oxigraph:")
        if not path:
            raise StoreError("oxigraph: needs a path, e.g. oxigraph:var/store")
        return OxigraphStore(path, read_only=read_only)
    raise StoreError(
        f"unknown store location {url!r}: expected 'memory', 'oxigraph:PATH' or 'sparql:URL'"
    )
