"""The data stewards' validation service: one document, one profile, standalone or in context.

*Standalone*: the document alone is validated against the profile's shapes (with the
ontology mixed in).

*In context*: the document judged against the live graph, and only the document. The
document replaces what the graph says of its subjects; a neighbourhood read from the store
(:mod:`kg.validation.context`: as far as the shapes can look, :mod:`kg.validation.reach`)
gives the shapes the rest. Only the document's records (the subjects it types, or that
the graph lacks, and its blank-node subjects) are judged: the small graph is validated
whole and their findings kept (pySHACL's ``focus_nodes`` is not used: it also narrows the
shapes nested in ``sh:not``), so a record submitted unchanged gets exactly the findings
the whole-graph validation gives it. Graph nodes are reported only where the document
breaks them: an identifier the graph already gives to another thing
(``ckgsh:DuplicateIdentifier``) and an IRI under the graph's base that nothing describes
(``ckgsh:DanglingReference``), both on the document's own triple.

The pySHACL run happens in a worker process (:mod:`kg.validation.workers`), forked once with the
profiles already parsed and kept for the next documents; a worker still running after
``KG_VALIDATE_TIMEOUT`` seconds is killed (:class:`ValidationTimeout`), so a runaway
validation frees its CPU, and replaced on the next demand. The worker validates the
document's few hundred triples together with the profile's ontology, prepared once per
profile (:meth:`kg.validation.profiles.LoadedProfile.data_graph`): forking a process per document
and copying the ontology into each data graph cost more than the validation itself.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef

from kg.errors import ValidationTimeout
from kg.settings import Settings
from kg.store.base import Store
from kg.validation.context import build_context, canonical, context_checks, known_indicators
from kg.validation.documents import Document, DocumentError, YamlReader, document_from_text
from kg.validation.profiles import LoadedProfile, ProfileCache, get_profile
from kg.validation.shapes import ValidationResult, findings_from_report, to_rdflib
from kg.validation.workers import Workers

__all__ = ["Outcome", "Service", "ValidationTimeout", "check"]


@dataclass
class Outcome:
    """A document's validation: the result, the profile and mode, the focus nodes."""

    result: ValidationResult
    profile: str
    in_context: bool
    document: Document
    focus: list[str] = field(default_factory=list)
    context_triples: int = 0


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
    keep: dict | None = None
    hood = None
    subjects = list(dict.fromkeys(data.subjects()))  # rdflib terms: blank ids as in data
    focus_names = [f"_:{s}" if isinstance(s, BNode) else str(s) for s in subjects]
    if in_context:
        if store is None:
            raise ValueError("in-context validation needs a store")
        hood = build_context(document, store, loaded.reach)
        data += to_rdflib(sorted(hood.triples, key=str))
        # The whole small graph is validated and the records' findings kept: pySHACL's
        # focus_nodes also narrows the shapes nested in sh:not (which then fail every value).
        keep = {s: _paths(hood.added.get(str(s))) for s in subjects}
    if in_context and not focus_names:
        report = _empty_report()
    else:
        report = _shacl_report(data, loaded, timeout, keep, workers)
    if hood is not None:
        context_checks(document, hood, settings.base_iri, report)
    result = ValidationResult(findings=findings_from_report(report), report=report)
    return Outcome(
        result=result,
        profile=loaded.profile.name,
        in_context=in_context,
        document=document,
        focus=focus_names,
        context_triples=len(hood.triples) if hood is not None else 0,
    )


def _paths(predicates: set[str] | None) -> set[URIRef] | None:
    return None if predicates is None else {URIRef(p) for p in predicates}


def _shacl_report(data, loaded, timeout, keep, workers: Workers | None) -> Graph:
    """pySHACL's report, in ``workers`` or in a process of its own."""
    pool = workers if workers is not None else Workers()
    try:
        return pool.run(data, loaded, timeout, keep)
    finally:
        if workers is None:
            pool.close()


def _empty_report() -> Graph:
    report = Graph()
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.add((node, SH.conforms, Literal(True)))
    return report


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
