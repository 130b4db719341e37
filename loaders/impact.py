"""Node impact indicators and their observations (``impact/*.yaml``).

A file of the catalogue format (loaders/catalogue_format.py, docs/catalogues.md) defines
``indicators`` (each with an impact category and a logic-model stage, closed lists whose
values are the ``skos:notation`` of the concepts in ontology/schemes.ttl) and records
``observations`` of indicators defined in any impact file. An indicator id is defined
once; an observation is unique per indicator, Node and period; an example indicator
(``example: true``) may only be observed in an example file.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import QB, RDF_TYPE, Iris, ckg, dct, schema
from loaders.catalogue_format import (
    KEY,
    Entry,
    allowed,
    decimal_literal,
    emit_period,
    period_bounds,
)
from loaders.common import Collector

IMPACT_CATEGORIES = {
    "research_efficiency": ckg.researchEfficiency,
    "resource_uptake": ckg.resourceUptake,
    "infrastructure_sustainability": ckg.infrastructureSustainability,
    "skills_development": ckg.skillsDevelopment,
    "equal_opportunity": ckg.equalOpportunity,
    "policy_influence": ckg.policyInfluence,
    "public_awareness": ckg.publicAwareness,
    "working_together": ckg.workingTogether,
    "scientific_legacy": ckg.scientificLegacy,
}
LOGIC_MODEL_STAGES = {
    "output": ckg.outputStage,
    "outcome": ckg.outcomeStage,
    "impact": ckg.impactStage,
}

QB_OBSERVATION = ox.NamedNode(QB + "Observation")

IMPACT_FIELDS = {"example", "indicators", "observations"}
INDICATOR_FIELDS = {"id", "name", "description", "category", "stage", "unit", "method"}
INDICATOR_REQUIRED = {"id", "name", "category", "stage", "unit", "method"}
OBSERVATION_FIELDS = {"indicator", "node", "period", "value", "source", "note"}
OBSERVATION_REQUIRED = {"indicator", "node", "period", "value", "source"}


def checked_impact_entry(entry: Entry) -> Entry:
    """An impact file's top mapping, its fields and its ``example`` flag checked."""
    entry.check_keys(IMPACT_FIELDS, {"example"})
    entry.boolean("example")
    return entry


class ImpactReader:
    """Reads impact files into the triples, issues and counts of ``collector``.

    Read the indicators of every file before the observations of any, so that an
    observation may cite an indicator of another file.
    """

    def __init__(self, collector: Collector, iris: Iris):
        self.collector = collector
        self.iris = iris
        self.indicator_nodes: dict[str, tuple[ox.NamedNode, bool, str]] = {}
        self.observation_keys: dict[tuple[str, str, str, str], str] = {}
        #: indicators defined outside the files read (single documents checked in context)
        self.known_indicators: dict[str, tuple[ox.NamedNode, bool, str]] = {}

    def indicators(self, entry: Entry) -> None:
        example = bool(entry.boolean("example"))
        add = self.collector.out.add
        for ind in entry.entries("indicators", INDICATOR_FIELDS, INDICATOR_REQUIRED):
            key = ind.text("id")
            if not KEY.match(key):
                raise ind.error("id", f"{key!r}: use lower-case letters, digits and '-'")
            if key in self.indicator_nodes:
                raise ind.error(
                    "id", f"indicator {key!r} is already defined at {self.indicator_nodes[key][2]}"
                )
            node = self.iris.impact("indicator", key)
            self.collector.record_line(node, ind.start)
            self.indicator_nodes[key] = (node, example, ind.at("id"))
            add(node, RDF_TYPE, ckg.ImpactIndicator)
            add(node, dct.identifier, key)
            add(node, schema.name, ind.text("name"))
            add(node, schema.description, ind.text("description"))
            add(node, ckg.impactCategory, ind.notation("category", IMPACT_CATEGORIES))
            add(node, ckg.logicModelStage, ind.notation("stage", LOGIC_MODEL_STAGES))
            add(node, ckg.unit, ind.text("unit"))
            add(node, ckg.method, ind.text("method"))
            add(node, ckg.isExample, example)
            self.collector.stats["impact indicators"] += 1

    def observations(self, entry: Entry) -> None:
        example = bool(entry.boolean("example"))
        add = self.collector.out.add
        for obs in entry.entries("observations", OBSERVATION_FIELDS, OBSERVATION_REQUIRED):
            key = obs.text("indicator")
            indicator = self.observed_indicator(obs, key, example)
            code = obs.node_code("node")
            start, end = period_bounds(obs.mapping("period"), require_end=True)
            self.check_unique(obs, (key, code, start, end))
            node = self.iris.impact("observation", key, code, f"{start}_{end}")
            self.collector.record_line(node, obs.start)
            add(node, RDF_TYPE, ckg.ImpactObservation)
            add(node, RDF_TYPE, QB_OBSERVATION)
            add(node, ckg.indicator, indicator)
            add(node, ckg.node, self.iris.node(code))
            emit_period(self.collector.out, node, (start, end))
            add(node, ckg.value, decimal_literal(obs.decimal("value")))
            add(node, dct.source, obs.iri("source"))
            add(node, schema.description, obs.text("note"))
            add(node, ckg.isExample, example)
            self.collector.stats["impact observations"] += 1

    def observed_indicator(self, obs: Entry, key: str, example: bool) -> ox.NamedNode:
        """The indicator an observation cites: defined, and no example in a real file."""
        defined = {**self.known_indicators, **self.indicator_nodes}
        if key not in defined:
            known = allowed(sorted(defined)) or "(none)"
            raise obs.error("indicator", f"unknown indicator {key!r}; defined: {known}")
        indicator, indicator_example, _ = defined[key]
        if indicator_example and not example:
            raise obs.error(
                "indicator",
                f"{key!r} is an example indicator: only an example file"
                " (example: true) may record observations of it",
            )
        return indicator

    def check_unique(self, obs: Entry, dims: tuple[str, str, str, str]) -> None:
        """One observation per indicator, Node and period (``dims``)."""
        if dims in self.observation_keys:
            key, code, start, end = dims
            raise obs.error(
                "period",
                f"indicator {key!r}, Node {code}, period {start}–{end} already has an"
                f" observation at {self.observation_keys[dims]}",
            )
        self.observation_keys[dims] = obs.at()
