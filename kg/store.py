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
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pyoxigraph as ox

from kg.sparql_text import outer_where_brace

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
    brace = outer_where_brace(text)
    if brace is None:
        raise QuerySyntaxError("cannot bind parameters: the query has no WHERE group")
    return f"{text[: brace + 1]} {values_clause(bindings)} {text[brace + 1 :]}"


#: Deepest bracket nesting accepted in SPARQL: Oxigraph's parser recurses on the native
#: stack, and a query nested some ten thousand levels deep crashes the whole process.
MAX_SPARQL_DEPTH = 200
_SPARQL_SKIP = re.compile(
    r"""\#[^\n\r]*|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?'''|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'|<[^<>"{}|^`\\\s]*>""",
    re.DOTALL,
)
_SPARQL_BRACKETS = re.compile(r"[{}()\[\]]")


#: Most triple patterns (counted by their ``.`` separators) in one query: Oxigraph plans
#: a long join recursively too, and thirty thousand patterns crash the process.
MAX_SPARQL_PATTERNS = 1000
_PATTERN_END = re.compile(r"\.(?=[\s}]|$)")


def check_nesting(text: str, *, query: bool = True) -> None:
    """Raise :class:`QuerySyntaxError` for SPARQL nested deeper than :data:`MAX_SPARQL_DEPTH`
    or, for a query, with more than :data:`MAX_SPARQL_PATTERNS` patterns (an update's
    ``INSERT DATA`` may hold any number of triples)."""
    code = _SPARQL_SKIP.sub(" ", text)
    if query and len(_PATTERN_END.findall(code)) > MAX_SPARQL_PATTERNS:
        raise QuerySyntaxError(f"more than {MAX_SPARQL_PATTERNS} triple patterns; not accepted")
    depth = 0
    for bracket in _SPARQL_BRACKETS.findall(code):
        depth += 1 if bracket in "{([" else -1
        if depth > MAX_SPARQL_DEPTH:
            raise QuerySyntaxError(
                f"brackets nested more than {MAX_SPARQL_DEPTH} levels deep; not accepted"
            )


def _in_graph(triples: Iterable[ox.Triple | ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """``triples`` (or quads, e.g. a parser's, moved whatever their graph) as quads of
    ``graph``."""
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, graph)


def _has_triple_term(triples: Iterable[ox.Triple | ox.Quad]) -> bool:
    """Whether any triple holds an RDF 1.2 triple term (which ``INSERT DATA`` cannot spell)."""
    return any(isinstance(t.object, ox.Triple) or isinstance(t.subject, ox.Triple) for t in triples)


def _delete_blank(graph: ox.NamedNode, triples: Iterable[ox.Triple | ox.Quad]) -> str:
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


def _insert_data(quads: Iterable[ox.Quad], operation: str = "INSERT DATA") -> str:
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


class OxigraphStore:
    """The embedded store: in memory (``path=None``) or on disk."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        # Whole-graph swaps look at the graph, then write (a difference is computed from
        # what they read): every write takes this lock, one at a time in this process.
        self._write_lock = threading.Lock()
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
        # At opening (no generation yet) nothing is flushed: ``flush``/``close`` will.
        self._unflushed = not hasattr(self, "generation")
        if self.path is not None and not self.read_only and not self._unflushed:
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
        check_nesting(text)
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
        check_nesting(text, query=False)
        try:
            with self._write_lock:
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
            with self._write_lock:
                self._store.extend(quads)
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        finally:
            self._changed()
        return len(quads)

    def replace_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> int:
        """Swap ``graph``'s content for ``triples``; all or nothing, never seen half-done.

        The triples are read completely first (a failure while reading them leaves
        ``graph`` untouched), then one write, one transaction, swaps the content: a
        reader (or a crash) sees the old graph or the new one, never a mix, and never
        extra triples in the union default graph. The write depends on what is there:

        - an empty graph of an on-disk store, fewer than :data:`BULK_BATCH` quads:
          Oxigraph's bulk loader, whose one batch is ingested into every index by one
          atomic RocksDB ingestion (all index files or none, also across a crash); a
          read snapshot is held meanwhile so that the ingested files get a sequence
          number of their own and a query already running does not see them;
        - any other empty graph: one transactional ``extend``;
        - a non-empty graph: one SPARQL update with the difference, from validated
          terms only: ``DELETE DATA`` of the triples that went, ``INSERT DATA`` of the
          new ones; triples with a blank node cannot be named in ``DELETE DATA``, so
          the graph's blank-node triples are all deleted by patterns and the new ones
          inserted (``INSERT DATA`` mints fresh blank nodes); an empty new content is
          a ``DROP``.

        Content with RDF 1.2 triple terms (which ``INSERT DATA`` cannot spell) goes
        through a private staging graph instead: still atomic against failures and
        crashes, but the staging graph is visible to concurrent union queries for a
        moment; a crash leaves only the staging graph, removed at the next open. An
        old graph with triple terms is dropped whole and the new content inserted.
        """
        self._check_writable()
        items = list(triples)  # read completely before the store is touched
        try:
            with self._write_lock:
                # Held open across an empty graph's bulk write: a live read snapshot.
                probe = self._store.quads_for_pattern(None, None, None, graph)
                if next(probe, None) is None:
                    quads = list(_in_graph(items, graph))
                    if not quads:
                        pass  # nothing to write
                    elif self.path is not None and len(quads) < BULK_BATCH:
                        self._store.bulk_extend(quads)
                    else:
                        self._store.extend(quads)
                elif _has_triple_term(items):
                    self._replace_by_staging(graph, items)
                else:
                    del probe
                    self._replace_by_difference(graph, items)
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        except SyntaxError as exc:
            raise StoreError(f"cannot write the graph {graph}: {exc}") from None
        finally:
            self._changed()
        return len(items)

    def _replace_by_difference(
        self, graph: ox.NamedNode, triples: list[ox.Triple | ox.Quad]
    ) -> None:
        """One update that turns the non-empty ``graph`` into ``triples`` (no triple terms).

        The old content is read as Oxigraph's N-Triples dump of the graph (decoded in
        Rust, much faster than one Python object per quad) and compared line by line
        with the new triples in the same N-Triples form. The lines that went are parsed
        back into terms before they are written into ``DELETE DATA`` (or, with a blank
        node, matched by :func:`_delete_blank`; the new blank-node triples are all
        inserted again, since a stored blank node cannot be named).
        """
        if not triples:
            self._store.update(f"DROP SILENT GRAPH {graph}")
            return
        dump = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        old = dump.decode("utf-8").splitlines()
        new = {f"{t.subject} {t.predicate} {t.object} .": t for t in triples}
        gone, old_blank = [], []
        for line in old:
            if "_:" in line or "<<" in line:  # may hold a blank node or a triple term
                # subject and predicate hold no space (IRIs or blank node labels)
                subject, _, rest = line.split(" ", 2)
                if subject.startswith("<<") or rest.startswith("<<"):
                    # an old triple term: DELETE DATA cannot spell it either
                    everything = _insert_data(_in_graph(triples, graph))
                    self._store.update(f"DROP SILENT GRAPH {graph} ;\n" + everything)
                    return
                if subject.startswith("_:") or rest.startswith("_:"):
                    old_blank.append(line)
                    continue
            if line not in new:
                gone.append(line)
        kept = set(old)
        # Every new blank-node triple goes in again (the old ones are all deleted); a line
        # with "_:" inside a literal or IRI is inserted again too, which changes nothing.
        added = [t for line, t in new.items() if line not in kept or "_:" in line]
        operations = []
        if gone:
            parsed = ox.parse("\n".join(gone), format=ox.RdfFormat.N_TRIPLES)
            operations.append(_insert_data(_in_graph(parsed, graph), "DELETE DATA"))
        if old_blank:
            parsed = ox.parse("\n".join(old_blank), format=ox.RdfFormat.N_TRIPLES)
            operations.append(_delete_blank(graph, parsed))
        if added:
            operations.append(_insert_data(_in_graph(added, graph)))
        if operations:
            # Every term is a validated pyoxigraph term written in its N-Triples form.
            self._store.update(" ;\n".join(operations))

    def _replace_by_staging(self, graph: ox.NamedNode, triples: list[ox.Triple | ox.Quad]) -> None:
        staging = ox.NamedNode(STAGING_PREFIX + uuid.uuid4().hex)
        try:
            self._store.extend(_in_graph(triples, staging))
            self._store.update(f"DROP SILENT GRAPH {graph} ; MOVE SILENT {staging} TO {graph}")
        finally:
            self._store.remove_graph(staging)

    def restore(self, inp: BinaryIO, *, force: bool = False) -> int:
        """Load an N-Quads dump. Refuses a non-empty store unless ``force``.

        The whole dump is parsed before the store is touched, so a malformed dump
        changes nothing; the old content is dropped and the dump inserted in one
        transaction, so a crash half-way leaves the old content.
        """
        self._check_writable()
        quads = list(ox.parse(inp, format=ox.RdfFormat.N_QUADS))
        if len(self._store) and not force:
            raise NotEmptyError(
                f"the store holds {len(self._store)} quads; restore refuses to "
                "overwrite them (use --force)"
            )
        try:
            with self._write_lock:
                if not len(self._store):
                    self._store.extend(quads)  # one transaction: nothing to drop first
                elif _has_triple_term(quads):
                    self._store.clear()
                    self._store.extend(quads)
                else:
                    self._store.update("DROP SILENT ALL ;\n" + _insert_data(quads))
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        except SyntaxError as exc:
            raise StoreError(f"cannot restore the dump: {exc}") from None
        finally:
            self._changed()
        return len(quads)

    def _drop_staging(self) -> None:
        """Remove what an interrupted write left: staging graphs, and the index files of
        a bulk write killed before their ingestion (``bulk-*.sst``: never part of the
        store; only the process holding the store's lock, this one now, writes them)."""
        for g in list(self._store.named_graphs()):
            if isinstance(g, ox.NamedNode) and g.value.startswith(STAGING_PREFIX):
                self._store.remove_graph(g)
        if self.path is not None:
            for leftover in self.path.glob("bulk-*.sst"):
                leftover.unlink(missing_ok=True)

    def flush(self) -> None:
        """Write memory tables to disk; a no-op when every write since was flushed already
        (each write flushes itself, see ``_changed``)."""
        if self.path is not None and not self.read_only and self._unflushed:
            self._store.flush()
            self._unflushed = False

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
