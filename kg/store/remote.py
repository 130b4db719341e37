"""``SparqlStore``: the store protocol over any SPARQL 1.1 engine (Virtuoso, QLever, GraphDB…).

Opened by ``open_store("sparql:QUERY_URL", settings=…)``. It speaks three W3C protocols
with ``requests`` (:mod:`kg.store.remote_http`):

- **SPARQL 1.1 Protocol** (``QUERY_URL``) for queries: results come back as SPARQL JSON
  (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE) and are parsed into the very pyoxigraph
  types the embedded store returns (``QuerySolutions``, ``QueryBoolean``, ``Triple``);
- **SPARQL 1.1 Update** (``KG_REMOTE_UPDATE_URL``, default the query URL) for updates;
- **Graph Store HTTP Protocol** (``KG_REMOTE_STORE_URL``) for bulk loads: a graph's triples
  are POSTed as N-Triples in one request. Without a Graph Store URL, loads are one
  ``INSERT DATA`` update.

Credentials (``KG_REMOTE_USER`` / ``KG_REMOTE_PASSWORD``, basic or digest auth by
``KG_REMOTE_AUTH``) go with every request. Every request has a timeout (queries
``KG_QUERY_TIMEOUT``, writes ``KG_REMOTE_TIMEOUT``); an endpoint that is down or answers
with an error raises :class:`RemoteStoreError` naming the endpoint.

Semantics kept equal to the embedded store (see docs/deploy.md, "Engine differences"):

- **The default graph is the union of the store's named graphs.** Every query is sent with
  ``default-graph-uri`` and ``named-graph-uri`` set to the store's named graphs (or to the
  graphs the caller names), so an engine's own system graphs (Virtuoso's ``virtrdf#``…)
  and the staging graphs never show. The store's named graphs are every graph the engine
  lists except staging graphs and ``KG_REMOTE_IGNORE_GRAPHS`` prefixes (plus the
  engine's ``<origin>/sparql`` and ``<origin>/DAV/`` graphs); the list is cached until
  this process writes.
- **Atomic replace.** ``replace_graph`` POSTs the new content into a staging graph, then
  sends one update ``DROP SILENT GRAPH g ; MOVE SILENT staging TO g``. A failure while
  reading the triples or loading the staging graph leaves ``g`` as it was; the swap is a
  single request (Virtuoso runs it in one transaction; engines that apply the two
  operations separately have a window in which ``g`` is empty).
- **Result caps.** An engine that cuts a result (Virtuoso's ``ResultSetMaxRows``, signalled
  by the ``X-SPARQL-MaxRows`` header) raises an error instead of answering partially.
- **Blank nodes.** Engine labels (Virtuoso's ``nodeID://b10000``) become valid blank node
  labels (``b10000``).
- ``generation`` and ``changed_at`` count this process's writes (a write by another
  client of the engine is not seen; ETags then change only with our writes).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import pyoxigraph as ox

from kg.errors import (
    NotEmptyError,
    QuerySyntaxError,
    ReadOnlyError,
    RemoteStoreError,
    StoreError,
)
from kg.settings import REMOTE_SYSTEM_GRAPHS
from kg.sparql.lexer import QUERY_FORMS, tokens
from kg.sparql.rewrite import bind
from kg.store.base import STAGING_PREFIX, QueryResult, Term
from kg.store.remote_http import JSON, NTRIPLES, SparqlHttp, normalise_results

#: Named in the dataset of a query over a store that has no named graph yet: a graph that
#: does not exist, so that the engine's default dataset (all its graphs) is never used.
EMPTY_GRAPH = ox.NamedNode("urn:converge-kg:empty")

_GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside strings and IRIs."""
    for tok in tokens(text):
        if tok.depth == 0 and tok.is_keyword(*QUERY_FORMS):
            return tok.text.upper()
    raise QuerySyntaxError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")


def _quad_rows(result: ox.QuerySolutions) -> Iterable[ox.Quad]:
    for row in result:
        yield ox.Quad(row["s"], row["p"], row["o"], row["g"])


class SparqlStore(SparqlHttp):
    """The store protocol over a remote SPARQL 1.1 engine."""

    def __init__(
        self,
        query_url: str,
        *,
        ignore_graphs: Iterable[str] = REMOTE_SYSTEM_GRAPHS,
        read_only: bool = False,
        **http: Any,
    ):
        """``http``: the endpoints, credentials and timeouts (:class:`SparqlHttp`)."""
        super().__init__(query_url, **http)
        parts = urlsplit(query_url)
        self.read_only = read_only
        origin = f"{parts.scheme}://{parts.netloc}"
        self._ignored = (*tuple(ignore_graphs), STAGING_PREFIX)
        self._engine_graphs = {f"{origin}/sparql", f"{origin}/DAV/"}
        self._graphs: list[ox.NamedNode] | None = None
        self.generation = 0
        self.changed_at = dt.datetime.now(dt.UTC)

    def __repr__(self) -> str:
        return f"<SparqlStore {self.query_url}{' read-only' if self.read_only else ''}>"

    def _changed(self, graph: ox.NamedNode | None = None, *, exists: bool = True) -> None:
        """Record a write. Knowing the one graph written (and whether it now exists)
        keeps the graph list; anything else has it listed again at the next query."""
        if graph is None or self._graphs is None:
            self._graphs = None
        elif exists and graph not in self._graphs:
            self._graphs = sorted([*self._graphs, graph], key=lambda g: g.value)
        elif not exists and graph in self._graphs:
            self._graphs.remove(graph)
        self.generation += 1
        self.changed_at = dt.datetime.now(dt.UTC)

    # -- reading ----------------------------------------------------------------------

    def query(
        self,
        text: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> QueryResult:
        text = bind(text, bindings)
        form = query_form(text)
        ours = None
        if default_graph is None or named_graphs is None:
            ours = self.named_graphs() or [EMPTY_GRAPH]
        default = default_graph if default_graph is not None else ours
        named = named_graphs if named_graphs is not None else ours
        # An empty list would mean "the engine's default" to the engine: name no real graph.
        default = default or [EMPTY_GRAPH]
        named = named or [EMPTY_GRAPH]
        if form in _GRAPH_FORMS:
            response = self._post_query(text, NTRIPLES, default, named)
            try:
                quads = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
                return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
            except SyntaxError as exc:
                raise RemoteStoreError(
                    f"the SPARQL endpoint {self.query_url} answered unreadable N-Triples: {exc}"
                ) from None
        response = self._post_query(text, JSON, default, named)
        try:
            return ox.parse_query_results(
                io.BytesIO(normalise_results(response.content)),
                format=ox.QueryResultsFormat.JSON,
            )
        except (SyntaxError, ValueError) as exc:
            raise RemoteStoreError(
                f"the SPARQL endpoint {self.query_url} answered unreadable results: {exc}"
            ) from None

    def _all_graphs(self) -> list[ox.NamedNode]:
        rows = self._raw_select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [r["g"] for r in rows if isinstance(r["g"], ox.NamedNode)]

    def _staging_graphs(self) -> list[ox.NamedNode]:
        return [g for g in self._all_graphs() if g.value.startswith(STAGING_PREFIX)]

    def named_graphs(self) -> list[ox.NamedNode]:
        if self._graphs is None:
            self._graphs = sorted(
                (
                    g
                    for g in self._all_graphs()
                    if not g.value.startswith(self._ignored) and g.value not in self._engine_graphs
                ),
                key=lambda g: g.value,
            )
        return list(self._graphs)

    def _count(self, graphs: list[ox.NamedNode]) -> int:
        if not graphs:
            return 0
        rows = list(
            self._raw_select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", graphs)
        )
        return int(rows[0]["n"].value)

    def __len__(self) -> int:
        return self._count(self.named_graphs())

    def count(self, graph: ox.NamedNode) -> int:
        """Number of triples in one named graph."""
        return self._count([graph])

    def quads(self, *, staging: bool = False) -> list[ox.Quad]:
        """Every quad of the store's named graphs (and of staging graphs if ``staging``)."""
        graphs = self.named_graphs() + (self._staging_graphs() if staging else [])
        if not graphs:
            return []
        return list(
            _quad_rows(
                self._raw_select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", graphs)
            )
        )

    def dump(self, out: BinaryIO) -> None:
        """Write every quad of the store's named graphs as N-Quads."""
        ox.serialize(self.quads(), out, format=ox.RdfFormat.N_QUADS)

    # -- writing ----------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError("the store is read-only")

    def _update(self, text: str) -> None:
        self._request(
            "POST",
            self.update_url,
            timeout=self.timeout,
            syntax_errors=True,
            data={"update": text},
            headers={"Accept": "*/*"},
        )

    def update(self, text: str) -> None:
        self._check_writable()
        try:
            self._update(text)
        finally:
            self._changed()

    def _post_graph(self, triples: list[ox.Triple], graph: ox.NamedNode) -> None:
        """Add ``triples`` to ``graph`` in one request."""
        if not triples:
            return
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        if self.graph_store_url is None:
            # Every term is a pyoxigraph object, written in its N-Triples form.
            self._update(f"INSERT DATA {{ GRAPH {graph} {{\n{body.decode()}\n}} }}")
            return
        self._request(
            "POST",
            self.graph_store_url,
            timeout=self.timeout,
            params={"graph": graph.value},
            data=body,
            headers={"Content-Type": NTRIPLES},
        )

    def load(self, triples: Iterable[ox.Triple], graph: ox.NamedNode) -> int:
        """Add triples to ``graph`` in one request; returns how many were given."""
        self._check_writable()
        triples = list(triples)
        try:
            self._post_graph(triples, graph)
        except BaseException:
            self._changed()
            raise
        self._changed(graph, exists=bool(triples) or graph in (self._graphs or ()))
        return len(triples)

    def replace_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> int:
        """Swap ``graph``'s content for ``triples``: staging graph, then one swapping update."""
        self._check_writable()
        triples = list(triples)  # a source failing half-way fails before the engine is touched
        staging = ox.NamedNode(STAGING_PREFIX + uuid.uuid4().hex)
        try:
            self._post_graph(triples, staging)
            # Both IRIs are NamedNode-validated, so their N-Triples form is safe.
            self._update(
                f"DROP SILENT GRAPH {graph} ;\nMOVE SILENT GRAPH {staging} TO GRAPH {graph}"
            )
        except BaseException:
            try:
                self._update(f"DROP SILENT GRAPH {staging}")
            except (StoreError, QuerySyntaxError):
                pass  # the first error is the one to report; the garbage is only a staging graph
            self._changed()
            raise
        self._changed(graph, exists=bool(triples))
        return len(triples)

    def restore(self, inp: BinaryIO, *, force: bool = False) -> int:
        """Load an N-Quads dump: parsed whole first; refuses a non-empty store unless ``force``.

        Not atomic across graphs on a remote engine: each graph is one request. Quads in
        the default graph are refused (a remote store has only named graphs).
        """
        self._check_writable()
        quads = list(ox.parse(inp, format=ox.RdfFormat.N_QUADS))
        by_graph: dict[ox.NamedNode, list[ox.Triple]] = {}
        for q in quads:
            if not isinstance(q.graph_name, ox.NamedNode):
                raise StoreError(
                    f"restore: a remote store has only named graphs; the dump holds {q} "
                    "in the default graph"
                )
            by_graph.setdefault(q.graph_name, []).append(q.triple)
        size = len(self)
        if size and not force:
            raise NotEmptyError(
                f"the store holds {size} quads; restore refuses to overwrite them (use --force)"
            )
        self.clear()
        try:
            for graph, triples in by_graph.items():
                self._post_graph(triples, graph)
        finally:
            self._changed()
        return len(quads)

    def clear(self) -> None:
        """Drop every graph of the store, staging graphs included (never the engine's own)."""
        self._check_writable()
        graphs = self.named_graphs() + self._staging_graphs()
        try:
            if graphs:
                self._update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs))
        finally:
            self._changed()

    def flush(self) -> None:
        """Nothing to flush: every write is committed by the engine when it answers."""


def open_sparql_store(url: str, settings: Any = None, *, read_only: bool = False) -> SparqlStore:
    """``sparql:QUERY_URL`` with the ``remote_*`` settings (if ``settings`` is given)."""
    query_url = url.removeprefix("sparql:")
    if not query_url:
        raise StoreError("sparql: needs a query URL, e.g. sparql:http://127.0.0.1:8890/sparql")
    if settings is None:
        return SparqlStore(query_url, read_only=read_only)
    ignored = [g.strip() for g in settings.remote_ignore_graphs.split(",") if g.strip()]
    return SparqlStore(
        query_url,
        update_url=settings.remote_update_url or None,
        graph_store_url=settings.remote_store_url or None,
        user=settings.remote_user or None,
        password=settings.remote_password or None,
        auth=settings.remote_auth,
        query_timeout=settings.query_timeout,
        timeout=settings.remote_timeout,
        ignore_graphs=ignored,
        read_only=read_only,
    )
