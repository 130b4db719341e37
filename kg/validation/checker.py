"""The data stewards' validation service: one document, one profile, standalone or in context.

*Standalone*: the document alone is validated against the profile's shapes (with the
ontology mixed in).

*In context*: the document as if added to the store's graph, without validating the
whole graph. A small data graph is built from the document and the neighbourhood it
touches, read from the store with bound SPARQL queries (never by pasting text):

- every IRI the document mentions (subject or object): its triples in the store, so that
  references to existing Nodes, resources and indicators resolve (``sh:class``) and a
  subject that already exists is validated with everything the graph says of it;
- the nodes that point at the document's subjects (their *dependents*, e.g. an
  observation citing an indicator the document redefines) and their own triples;
- one more hop from there (the types and values of what those triples point at), for
  the shapes' two-step paths.

The focus nodes are the document's subjects and their dependents; only they are
validated (pySHACL's ``focus_nodes``; when the document has blank-node subjects, which
``focus_nodes`` cannot name, the small graph is validated whole and the findings are
kept for those focus nodes only). Two checks SHACL cannot make from the document are
added to the report: an identifier (``dct:identifier``) the graph already gives to
another thing is a Violation (``ckgsh:DuplicateIdentifier``); a subject the graph
already describes is a Warning (``ckgsh:AlreadyInGraph``); an IRI under the graph's base
that neither the document nor the graph describes is a Violation
(``ckgsh:DanglingReference``).

The pySHACL run happens in a worker process (:class:`Workers`), forked once with the
profiles already parsed and kept for the next documents; a worker still running after
``KG_VALIDATE_TIMEOUT`` seconds is killed (:class:`ValidationTimeout`), so a runaway
validation frees its CPU, and replaced on the next demand. The worker validates the
document's few hundred triples together with the profile's ontology, prepared once per
profile (:meth:`kg.validation.profiles.LoadedProfile.data_graph`): forking a process per document
and copying the ontology into each data graph cost more than the validation itself.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import RDF, SH, BNode, Graph, Literal, Namespace, URIRef

from kg.namespaces import CKG, DCT
from kg.processes import PipedProcess
from kg.settings import Settings
from kg.store.base import Store
from kg.validation.documents import Document, DocumentError, YamlReader, document_from_text
from kg.validation.profiles import LoadedProfile, ProfileCache, get_profile
from kg.validation.shapes import (
    ShapesError,
    ValidationResult,
    findings_from_report,
    to_rdflib,
    validate,
)

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


class ValidationTimeout(Exception):
    """The validation ran past its time limit and was stopped."""


@dataclass
class Outcome:
    """A document's validation: the result, the profile and mode, the focus nodes."""

    result: ValidationResult
    profile: str
    in_context: bool
    document: Document
    focus: list[str] = field(default_factory=list)
    context_triples: int = 0


# --------------------------------------------------------------------------- the store


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
    """Duplicates of existing identifiers, subjects already in the graph, dangling references."""
    identifier = ox.NamedNode(DCT + "identifier")
    doc_subjects = {t.subject.value for t in document.triples}
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


# --------------------------------------------------------------------------- running


def _answer(job: tuple) -> tuple[str, str]:
    """One validation in the worker: ``(status, N-Triples report or message)``."""
    serial, triples, focus, keep = job
    try:
        loaded = _LOADED[serial]
        with loaded.data_graph(triples) as work:
            result = validate(
                work,
                loaded.shapes,
                inference=loaded.profile.inference,
                focus_nodes=focus,
                inplace=True,
            )
        if keep is not None:
            _keep_focus(result.report, keep)
        return ("ok", result.report.serialize(format="nt"))
    except ShapesError as exc:
        return ("shapes", str(exc))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        return ("error", f"{type(exc).__name__}: {exc}")


def _serve(parent: int, conn) -> None:  # runs in the worker process
    _detach(conn.fileno())
    # Everything inherited from the parent goes to the permanent generation: a collection
    # here then never walks (and so never copies, page by page) the parent's whole heap.
    gc.freeze()
    while True:  # ends when the parent closes the pipe, kills the worker or is gone
        try:
            if not conn.poll(1.0):
                if os.getppid() != parent:
                    return
                continue
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_answer(job))


def _detach(keep: int) -> None:
    """Point every inherited descriptor but stdio and ``keep`` at /dev/null.

    A worker lives on beside its parent: it must not hold the server's listening socket,
    the store's files or the other workers' pipes open. Pointing them at /dev/null, rather
    than closing them, leaves no free number behind for an inherited file object to
    write to by mistake.
    """
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    null = os.open(os.devnull, os.O_RDWR)
    for fd in fds:
        if fd > 2 and fd not in (keep, null):
            try:
                os.dup2(null, fd)
            except OSError:
                pass  # the listing's own descriptor, already closed
    os.close(null)


#: The loaded profiles a worker may be asked for, by serial (filled before each fork).
_LOADED: weakref.WeakValueDictionary[int, LoadedProfile] = weakref.WeakValueDictionary()
_LOADED_LOCK = threading.Lock()  # services in other threads register and fork too


class _Worker(PipedProcess):
    """A validation process forked from this one: it knows the profiles loaded before."""

    def __init__(self) -> None:
        with _LOADED_LOCK:
            self.serials = frozenset(_LOADED.keys())
        self.born = time.monotonic()
        super().__init__(multiprocessing.get_context("fork"), _serve, os.getpid())


class Workers:
    """Validation worker processes, forked on demand and kept for the next documents.

    A worker is forked after the profiles are loaded, so it starts with them parsed and
    prepared (:class:`~kg.validation.profiles.LoadedProfile`); each document's data goes to it over a
    pipe and its SHACL report comes back. A worker that runs past the time limit is killed
    (its CPU is freed at once) and replaced on the next demand. One document at a time
    per worker: a busy pool forks another. At most :attr:`MAX_IDLE` stay idle; a worker
    older than :attr:`MAX_AGE` seconds, or forked before the profile was (re)loaded, is
    replaced — a forked process keeps the pages its parent has since changed, so an old
    one would hold on to memory the server no longer uses.
    """

    MAX_IDLE = 2
    MAX_AGE = 300.0

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def _take(self, loaded: LoadedProfile) -> _Worker:
        stale = []
        with _LOADED_LOCK:
            _LOADED[loaded.serial] = loaded
        with self._lock:
            usable = None
            while self._idle and usable is None:  # bounded: each idle worker once
                worker = self._idle.pop()
                if (
                    loaded.serial in worker.serials
                    and time.monotonic() - worker.born < self.MAX_AGE
                    and worker.process.is_alive()
                ):
                    usable = worker
                else:
                    stale.append(worker)
        for worker in stale:
            worker.kill()
        return usable if usable is not None else _Worker()  # forked outside the lock

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if len(self._idle) < self.MAX_IDLE:
                self._idle.append(worker)
                return
        worker.kill()

    def run(
        self,
        data: Graph,
        loaded: LoadedProfile,
        focus: list[URIRef] | None,
        timeout: float | None,
        keep: set | None = None,
    ) -> Graph:
        """pySHACL on ``data`` in a worker, killed after ``timeout`` seconds.

        ``focus``: pySHACL's focus nodes; ``keep``: the focus nodes (rdflib terms of
        ``data``) whose results are kept, when blank nodes are among them.
        """
        worker = self._take(loaded)
        try:
            worker.conn.send((loaded.serial, list(data), focus, keep))
            if not worker.conn.poll(timeout):
                raise ValidationTimeout(
                    f"the validation ran longer than {timeout:g} s and was stopped"
                )
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            worker.kill()
            raise ShapesError("the validation process ended without an answer") from None
        except BaseException:
            worker.kill()
            raise
        self._give_back(worker)
        if status == "shapes":
            raise ShapesError(payload)
        if status != "ok":
            raise RuntimeError(f"validation failed: {payload}")
        report = Graph()
        report.parse(data=payload, format="nt")
        return report

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


def check(
    document: Document,
    loaded: LoadedProfile,
    settings: Settings,
    *,
    store: Store | None = None,
    in_context: bool = False,
    timeout: float | None = None,
    workers: Workers | None = None,
) -> Outcome:
    """Validate a document against a loaded profile, standalone or in the store's context.

    ``workers``: the pool to validate in (a :class:`Service` keeps one); without it the
    validation gets a process of its own.
    """
    triples = canonical(document.triples) if in_context else document.triples
    data = to_rdflib(triples)
    focus: list[URIRef] | None = None
    keep: set | None = None
    hood = None
    context_triples: list[ox.Triple] = []
    subjects = list(dict.fromkeys(data.subjects()))  # rdflib terms: blank ids as in data
    focus_names = [f"_:{s}" if isinstance(s, BNode) else str(s) for s in subjects]
    if in_context:
        if store is None:
            raise ValueError("in-context validation needs a store")
        context_triples, dependents, hood = build_context(document, store)
        data += to_rdflib(context_triples)
        focus_names += [d.value for d in dependents]
        if any(isinstance(s, BNode) for s in subjects):
            # pySHACL's focus_nodes cannot name blank nodes: validate all, keep these
            keep = {*subjects, *(URIRef(d.value) for d in dependents)}
        else:
            focus = [URIRef(name) for name in focus_names]
    if in_context and not focus_names:
        report = _empty_report()
    else:
        pool = workers if workers is not None else Workers()
        try:
            report = pool.run(data, loaded, focus, timeout, keep)
        finally:
            if workers is None:
                pool.close()
    if hood is not None:
        context_checks(document, hood, settings.base_iri, report)
    result = ValidationResult(findings=findings_from_report(report), report=report)
    return Outcome(
        result=result,
        profile=loaded.profile.name,
        in_context=in_context,
        document=document,
        focus=focus_names,
        context_triples=len(context_triples),
    )


def canonical(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples as the store keeps them (e.g. ``100.0``^^xsd:decimal becomes ``100``),
    so that a value the graph already holds is not counted twice."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return [q.triple for q in scratch]


def _empty_report() -> Graph:
    report = Graph()
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.add((node, SH.conforms, Literal(True)))
    return report


def _keep_focus(report: Graph, keep: set) -> None:
    """Drop the results whose focus node is not one of ``keep`` (rdflib terms)."""
    for result in list(report.subjects(RDF.type, SH.ValidationResult)):
        if report.value(result, SH.focusNode) not in keep:
            for report_node in report.subjects(SH.result, result):
                report.remove((report_node, SH.result, result))
            _remove_tree(report, result)
    conforms = not any(
        report.value(r, SH.resultSeverity) == SH.Violation
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))


def _remove_tree(graph: Graph, node) -> None:
    for _, p, o in list(graph.triples((node, None, None))):
        graph.remove((node, p, o))
        if isinstance(o, BNode) and p != SH.focusNode and p != SH.value:
            _remove_tree(graph, o)


def _name(term: ox.Term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


# --------------------------------------------------------------------------- the service


class Service:
    """What the API and the CLI share: profiles loaded once, documents validated on demand.

    The profile's shapes are loaded and checked first (a broken shapes file is a
    ShapesError naming file and line), then the document is read, then validated.
    """

    def __init__(self, settings: Settings, *, read_yaml: YamlReader | None = None) -> None:
        self.settings = settings
        self.read_yaml = read_yaml  # YAML catalogue documents: the loaders' reader
        self.profiles = ProfileCache(settings.shapes_dir, settings.ontology_dir)
        self.workers = Workers()
        weakref.finalize(self, self.workers.close)

    def _check(self, document, loaded, store, in_context, timeout) -> Outcome:
        return check(
            document,
            loaded,
            self.settings,
            store=store,
            in_context=in_context,
            timeout=timeout,
            workers=self.workers,
        )

    def validate_text(
        self,
        text: str,
        fmt: str,
        name: str,
        *,
        profile: str | None = None,
        store: Store | None = None,
        in_context: bool = False,
        context_urls: set[str] | None = None,
        timeout: float | None = None,
    ) -> Outcome:
        loaded = self.profiles.get(get_profile(profile))
        known = None
        if in_context and store is not None and loaded.profile.yaml == "impact" and fmt == "yaml":
            known = known_indicators(store)
        document = document_from_text(
            text,
            fmt,
            name,
            self.settings,
            yaml_kind=loaded.profile.yaml,
            context_urls=context_urls,
            known_indicators=known,
            read_yaml=self.read_yaml,
        )
        return self._check(document, loaded, store, in_context, timeout)

    def validate_graph(
        self,
        graph: str,
        store: Store,
        *,
        profile: str | None = None,
        in_context: bool = False,
        timeout: float | None = None,
    ) -> Outcome:
        """Validate a named graph of the store (in context: against the rest of the graph)."""
        loaded = self.profiles.get(get_profile(profile))
        try:
            node = ox.NamedNode(graph)
        except ValueError:
            raise DocumentError(f"graph {graph!r} is not an IRI") from None
        if node not in store.named_graphs():
            raise DocumentError(f"graph <{graph}> is not in the store")
        rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": node})
        triples = [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
        document = Document(graph, "graph", triples, source_graph=graph)
        return self._check(document, loaded, store, in_context, timeout)
