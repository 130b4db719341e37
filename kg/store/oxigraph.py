"""The embedded store: pyoxigraph in memory or on disk (see :mod:`kg.store.base`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import NotEmptyError, QuerySyntaxError, ReadOnlyError, StoreError
from kg.sparql.guards import check_nesting
from kg.sparql.rewrite import bind
from kg.store.base import STAGING_PREFIX, QueryResult, Term
from kg.store.updates import BULK_BATCH, delete_blank, has_triple_term, in_graph, insert_data


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

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """One write under the write lock: an I/O error, or a SyntaxError of the update text
        we wrote, is a StoreError (naming ``what``); the change is recorded either way."""
        try:
            with self._write_lock:
                yield
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        except SyntaxError as exc:
            raise StoreError(f"cannot {what}: {exc}") from None
        finally:
            self._changed()

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
        quads = list(in_graph(triples, graph))
        with self._writing(f"load into the graph {graph}"):
            self._store.extend(quads)
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
        with self._writing(f"write the graph {graph}"):
            # Held open across an empty graph's bulk write: a live read snapshot.
            probe = self._store.quads_for_pattern(None, None, None, graph)
            if next(probe, None) is None:
                self._write_empty(graph, items)
            elif has_triple_term(items):
                self._replace_by_staging(graph, items)
            else:
                del probe
                self._replace_by_difference(graph, items)
        return len(items)

    def _write_empty(self, graph: ox.NamedNode, triples: list[ox.Triple | ox.Quad]) -> None:
        """Fill the empty ``graph`` in one atomic write (the caller holds a read snapshot)."""
        quads = list(in_graph(triples, graph))
        if not quads:
            return  # nothing to write
        if self.path is not None and len(quads) < BULK_BATCH:
            self._store.bulk_extend(quads)
        else:
            self._store.extend(quads)

    def _replace_by_difference(
        self, graph: ox.NamedNode, triples: list[ox.Triple | ox.Quad]
    ) -> None:
        """One update that turns the non-empty ``graph`` into ``triples`` (no triple terms).

        The old content is read as Oxigraph's N-Triples dump of the graph (decoded in
        Rust, much faster than one Python object per quad) and compared line by line
        with the new triples in the same N-Triples form. The lines that went are parsed
        back into terms before they are written into ``DELETE DATA`` (or, with a blank
        node, matched by :func:`delete_blank`; the new blank-node triples are all
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
                    everything = insert_data(in_graph(triples, graph))
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
            operations.append(insert_data(in_graph(parsed, graph), "DELETE DATA"))
        if old_blank:
            parsed = ox.parse("\n".join(old_blank), format=ox.RdfFormat.N_TRIPLES)
            operations.append(delete_blank(graph, parsed))
        if added:
            operations.append(insert_data(in_graph(added, graph)))
        if operations:
            # Every term is a validated pyoxigraph term written in its N-Triples form.
            self._store.update(" ;\n".join(operations))

    def _replace_by_staging(self, graph: ox.NamedNode, triples: list[ox.Triple | ox.Quad]) -> None:
        staging = ox.NamedNode(STAGING_PREFIX + uuid.uuid4().hex)
        try:
            self._store.extend(in_graph(triples, staging))
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
        with self._writing("restore the dump"):
            if not len(self._store):
                self._store.extend(quads)  # one transaction: nothing to drop first
            elif has_triple_term(quads):
                self._store.clear()
                self._store.extend(quads)
            else:
                self._store.update("DROP SILENT ALL ;\n" + insert_data(quads))
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
