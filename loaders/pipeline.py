"""The one load pipeline: read → validate → atomic replace of one named graph.

A source's graph carries its own provenance (docs/model.md, "Named graphs"), so
the data and the description of where it came from are replaced together.
Violations stop the load before the store is touched; warnings are reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.config import Settings
from kg.namespaces import RDF_TYPE, Iris, ckg, prov, void, xsd
from kg.store import Store
from kg.validation import ValidationResult, Validator, to_rdflib
from loaders import rdf_files, rdmkit
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

    def summary(self) -> str:
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
    """A configured source: how to read it, which graph it fills, whether to validate."""

    name: str
    read: Callable[[Settings, str | None], SourceData]
    validate: bool
    help: str


def _read_rdmkit(settings: Settings, location: str | None) -> SourceData:
    path = location or _in_sources(settings, "rdmkit")
    return rdmkit.read(path, Iris(settings.base_iri))


def _in_sources(settings: Settings, name: str) -> str:
    if not settings.sources_dir:
        raise LoadError(
            f"no location given for {name} and no sources directory configured (KG_SOURCES_DIR)"
        )
    path = Path(settings.sources_dir) / name
    if not path.exists():
        raise LoadError(f"{name}: {path} does not exist (KG_SOURCES_DIR={settings.sources_dir})")
    return str(path)


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "ontology",
            lambda st, loc: rdf_files.read_dir("ontology", loc or st.ontology_dir),
            False,
            "the OWL ontology and SKOS schemes (ontology/*.ttl)",
        ),
        Source(
            "shapes",
            lambda st, loc: rdf_files.read_dir("shapes", loc or st.shapes_dir),
            False,
            "the SHACL shapes (shapes/*.ttl)",
        ),
        Source("rdmkit", _read_rdmkit, True, "RDMkit tool list and pages (an RDMkit checkout)"),
    )
}


def provenance(
    graph: ox.NamedNode, data: SourceData, result: ValidationResult | None
) -> list[ox.Triple]:
    """The graph's self-description (docs/model.md)."""
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
    return out


def load(
    store: Store,
    settings: Settings,
    source: str,
    location: str | None = None,
    *,
    validator: Validator | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> LoadReport:
    """Read one source, validate it, and replace its named graph atomically."""
    spec = SOURCES.get(source)
    if spec is None:
        raise LoadError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    progress(f"{source}: reading")
    data = spec.read(settings, location)
    data.triples = list(dict.fromkeys(data.triples))  # a graph is a set: count each once
    graph = Iris(settings.base_iri).graph(source)
    report = LoadReport(
        source=source,
        graph=graph.value,
        location=data.location,
        version=data.version,
        triples=len(data.triples),
        issues=data.issues,
        stats=data.stats,
    )
    if spec.validate:
        progress(f"{source}: validating {len(data.triples)} triples")
        validator = validator or Validator(settings)
        report.validation = validator.validate(to_rdflib(data.triples))
        if not report.validation.conforms:
            raise ValidationFailed(report)
    progress(f"{source}: writing")
    store.replace_graph(graph, [*data.triples, *provenance(graph, data, report.validation)])
    return report
