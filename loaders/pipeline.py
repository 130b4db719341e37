"""The one load pipeline: read → validate → atomic replace of one named graph.

A source's graph carries its own provenance (docs/model.md, "Named graphs"), so
the data and the description of where it came from are replaced together.
Violations stop the load before the store is touched; warnings are reported.
Loading a source whose version (commit or checksum) is already in the store
changes nothing unless forced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE, Iris, ckg, prov, rdfs, void, xsd
from kg.settings import Settings
from kg.store.base import Store
from loaders import fetch, rdf_files, rdmkit

if TYPE_CHECKING:  # the validation machinery (pyshacl, rdflib) loads only to validate
    from kg.validation.shapes import ValidationResult, Validator
from loaders.common import Issue, LoadError, SourceData


@dataclass
class LoadReport:
    source: str
    graph: str
    location: str
    version: str
    triples: int
    issues: list[Issue] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    validation: ValidationResult | None = None
    unchanged: bool = False

    def summary(self) -> str:
        if self.unchanged:
            return f"{self.source}: unchanged ({self.version[:19]}…), nothing written"
        checked = f"; {self.validation.summary()}" if self.validation else ""
        quirks = f"; {len(self.issues)} source quirks reported" if self.issues else ""
        return f"{self.source}: {self.triples} triples into <{self.graph}>{checked}{quirks}"

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "graph": self.graph,
            "location": self.location,
            "version": self.version,
            "triples": self.triples,
            "unchanged": self.unchanged,
            "stats": self.stats,
            "issues": [i.to_dict() for i in self.issues],
            "validation": (
                {
                    "conforms": self.validation.conforms,
                    "findings": [f.to_dict() for f in self.validation.findings],
                }
                if self.validation
                else None
            ),
        }


class ValidationFailed(Exception):
    """The data violates the shapes; nothing was written."""

    def __init__(self, report: LoadReport):
        self.report = report
        assert report.validation is not None
        violations = report.validation.violations
        shown = "; ".join(f"{v.focus} {v.path or ''}: {v.message}".strip() for v in violations[:5])
        more = f" (+{len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(
            f"{report.source}: {len(violations)} SHACL violation(s), nothing loaded: {shown}{more}"
        )


@dataclass(frozen=True)
class Source:
    """A configured source: where it is by default, how to read it, whether to validate."""

    name: str
    default_location: Callable[[Settings], str]
    read: Callable[[Settings, str], SourceData]
    validate: bool
    help: str


def _in_sources(*parts: str, pattern: str | None = None) -> Callable[[Settings], str]:
    """A default location under KG_SOURCES_DIR (optionally the one file matching pattern)."""

    def locate(settings: Settings) -> str:
        if not settings.sources_dir:
            raise LoadError(
                f"no location given and no sources directory configured (KG_SOURCES_DIR) "
                f"to find {'/'.join(parts)}"
            )
        path = Path(settings.sources_dir, *parts)
        if pattern:
            matches = sorted(path.glob(pattern))
            if not matches:
                raise LoadError(f"no {pattern} file in {path}")
            path = matches[-1]
        if not path.exists():
            raise LoadError(f"{path} does not exist (KG_SOURCES_DIR={settings.sources_dir})")
        return str(path)

    return locate


def _read_nodes(settings: Settings, location: str) -> SourceData:
    from loaders import nodes

    return nodes.read(Path(settings.data_dir) / "nodes.yaml", location, Iris(settings.base_iri))


def _read_maturity(settings: Settings, location: str) -> SourceData:
    from loaders import maturity

    assessments = Path(settings.data_dir) / "maturity-assessments"
    return maturity.read(
        location, Iris(settings.base_iri), assessments if assessments.is_dir() else None
    )


def _read_catalogues(settings: Settings, location: str) -> SourceData:
    from loaders import catalogues

    return catalogues.read(location, Iris(settings.base_iri))


def _read_rdf(name: str) -> Callable[[Settings, str], SourceData]:
    def read(settings: Settings, location: str) -> SourceData:
        return rdf_files.read_path(name, location)

    return read


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "ontology",
            lambda st: st.ontology_dir,
            _read_rdf("ontology"),
            False,
            "the OWL ontology and SKOS schemes (ontology/*.ttl)",
        ),
        Source(
            "shapes",
            lambda st: st.shapes_dir,
            _read_rdf("shapes"),
            False,
            "the SHACL shapes (shapes/*.ttl)",
        ),
        Source(
            "rdmkit",
            _in_sources("rdmkit"),
            lambda st, loc: rdmkit.read(loc, Iris(st.base_iri)),
            True,
            "RDMkit tool list and pages (a checkout, or its GitHub archive URL)",
        ),
        Source(
            "nodes",
            _in_sources("elixir-nodes", "institutes.geojson"),
            _read_nodes,
            True,
            "ELIXIR Nodes (data/nodes.yaml) and the node map's institutes (GeoJSON)",
        ),
        Source(
            "biotools",
            _in_sources("biotools", pattern="*.ttl"),
            _read_rdf("biotools"),
            False,
            "the bio.tools registry RDF dump (Turtle)",
        ),
        Source(
            "edam",
            _in_sources("edam", pattern="EDAM*.owl"),
            _read_rdf("edam"),
            False,
            "the EDAM ontology (OWL, RDF/XML)",
        ),
        Source(
            "maturity",
            _in_sources("rdm-maturity-model", "maturity_model.json"),
            _read_maturity,
            True,
            "the ELIXIR RDM maturity model (JSON) and assessments (data/maturity-assessments)",
        ),
        Source(
            "catalogues",
            lambda st: st.data_dir,
            _read_catalogues,
            True,
            "business models and impact indicators (data/business-models, data/impact)",
        ),
    )
}


def provenance(
    graph: ox.NamedNode, data: SourceData, result: ValidationResult | None
) -> list[ox.Triple]:
    """The graph's self-description (docs/model.md), with the source's quirks."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    location = data.location
    if "://" not in location:
        location = Path(location).resolve().as_uri()
    out = [
        ox.Triple(graph, RDF_TYPE, prov.Entity),
        ox.Triple(graph, RDF_TYPE, void.Dataset),
        ox.Triple(graph, prov.wasDerivedFrom, ox.NamedNode(location)),
        ox.Triple(graph, ckg.sourceVersion, ox.Literal(data.version)),
        ox.Triple(graph, prov.generatedAtTime, ox.Literal(now, datatype=xsd.dateTime)),
        ox.Triple(graph, void.triples, ox.Literal(len(data.triples))),
    ]
    if result is not None:
        out += [
            ox.Triple(graph, ckg.validationConforms, ox.Literal(result.conforms)),
            ox.Triple(graph, ckg.violationCount, ox.Literal(len(result.violations))),
            ox.Triple(graph, ckg.warningCount, ox.Literal(len(result.warnings))),
        ]
    for n, issue in enumerate(data.issues, start=1):
        node = ox.NamedNode(f"{graph.value}#issue-{n}")
        out += [
            ox.Triple(graph, ckg.hasCurationIssue, node),
            ox.Triple(node, RDF_TYPE, ckg.CurationIssue),
            ox.Triple(node, ckg.issueKind, ox.Literal(issue.kind)),
            ox.Triple(node, ckg.issueLocation, ox.Literal(issue.where)),
            ox.Triple(node, rdfs.comment, ox.Literal(issue.message)),
        ]
    return out


def stored_version(store: Store, graph: ox.NamedNode) -> str | None:
    rows = list(
        store.query(
            f"SELECT ?v WHERE {{ GRAPH ?g {{ ?g <{ckg.sourceVersion.value}> ?v }} }}",
            {"g": graph},
        )
    )
    return rows[0]["v"].value if rows else None


def load(
    store: Store,
    settings: Settings,
    source: str,
    location: str | None = None,
    *,
    validator: Validator | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> LoadReport:
    """Read one configured source, validate it, and replace its named graph atomically."""
    spec = SOURCES.get(source)
    if spec is None:
        raise LoadError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    progress(f"{source}: reading")
    location = location or spec.default_location(settings)
    with fetch.local_copy(location, settings) as local:
        data = spec.read(settings, str(local))
    if fetch.is_url(location):
        data.location = location
    graph = Iris(settings.base_iri).graph(source)
    return ingest(
        store,
        settings,
        data,
        graph,
        validate=spec.validate,
        validator=validator,
        force=force,
        progress=progress,
    )


def load_rdf(
    store: Store,
    settings: Settings,
    location: str,
    graph: str,
    *,
    validator: Validator | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> LoadReport:
    """Import any RDF file (Turtle, JSON-LD, RDF/XML, N-Triples, N-Quads, TriG) into ``graph``."""
    try:
        graph_node = ox.NamedNode(graph)
    except ValueError:
        raise LoadError(f"--graph {graph!r} is not an IRI") from None
    if not graph.startswith(("http://", "https://", "urn:")):
        raise LoadError(f"--graph {graph!r}: use an http(s) or urn IRI")
    progress(f"rdf: reading {location}")
    with fetch.local_copy(location, settings) as local:
        data = rdf_files.read_path("rdf", str(local))
    if fetch.is_url(location):
        data.location = location
    return ingest(
        store,
        settings,
        data,
        graph_node,
        validate=True,
        validator=validator,
        force=force,
        progress=progress,
    )


def ingest(
    store: Store,
    settings: Settings,
    data: SourceData,
    graph: ox.NamedNode,
    *,
    validate: bool,
    validator: Validator | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> LoadReport:
    """Validate what a loader read and swap it in as ``graph``, with its provenance."""
    data.triples = list(dict.fromkeys(data.triples))  # a graph is a set: count each once
    report = LoadReport(
        source=data.name,
        graph=graph.value,
        location=data.location,
        version=data.version,
        triples=len(data.triples),
        issues=data.issues,
        stats=data.stats,
    )
    if not force and stored_version(store, graph) == data.version:
        report.unchanged = True
        return report
    if validate:
        from kg.validation.shapes import Validator, to_rdflib

        progress(f"{data.name}: validating {len(data.triples)} triples")
        validator = validator or Validator(settings)
        report.validation = validator.validate(to_rdflib(data.triples))
        if not report.validation.conforms:
            raise ValidationFailed(report)
    progress(f"{data.name}: writing")
    store.replace_graph(graph, [*data.triples, *provenance(graph, data, report.validation)])
    return report
