"""RDM maturity assessments: files rating an organisation on the model's indicators.

One ``*.yaml`` file per assessment, in the catalogue format (loaders/catalogue_format.py,
docs/catalogues.md); its file name is its id. Each rating names an indicator of the
model (by id or number) and a level of it; an unreadable assessment is a
:class:`LoadError` naming the file, the line and the field.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import ORG, RDF_TYPE, ckg, dct, schema, slug
from loaders.catalogue_format import Entry, date_literal, file_key, read_entry
from loaders.common import LoadError
from loaders.maturity_model import ModelIndicator, ModelReader

ORG_ORGANIZATION = ox.NamedNode(ORG + "Organization")

ASSESSMENT_FIELDS = {
    "example",
    "title",
    "organisation",
    "date",
    "model_version",
    "source",
    "description",
    "ratings",
}
ASSESSMENT_REQUIRED = {"example", "title", "organisation", "date", "ratings"}
ORGANISATION_FIELDS = {"name", "url", "node"}
RATING_FIELDS = {"indicator", "level", "note"}


class AssessmentReader(ModelReader):
    """Reads assessments against the model (call :meth:`model` first)."""

    def assessment(self, path: Path, folder: Path) -> None:
        where = f"{folder.name}/{path.name}"
        self.assessment_entry(read_entry(path, where), file_key(path, where, "assessment"))

    def assessment_entry(self, entry: Entry, key: str) -> None:
        entry.check_keys(ASSESSMENT_FIELDS, ASSESSMENT_REQUIRED)
        node = self.iris.maturity("assessment", key)
        self.record_line(node, entry.start)
        add = self.out.add
        add(node, RDF_TYPE, ckg.MaturityAssessment)
        add(node, dct.identifier, key)
        add(node, schema.name, entry.text("title"))
        add(node, schema.description, entry.text("description"))
        add(node, ckg.isExample, entry.boolean("example"))
        add(node, ckg.maturityModel, self.model_node)
        add(node, dct.date, date_literal(entry.date("date", ("date",))))
        add(node, dct.source, entry.iri("source"))
        add(node, ckg.assessedOrganisation, self.organisation(entry.mapping("organisation")))
        version = entry.text("model_version")
        if version and self.version and version != self.version:
            self.issue(
                "assessment-model-version",
                entry.at("model_version"),
                f"assessment {key!r} was made with model version {version}; the loaded model"
                f" is version {self.version}",
            )
        rated = len(self.ratings(entry, node, key))
        if not rated:
            raise entry.error("ratings", "an assessment needs at least one rating")
        self.stats["assessments"] += 1
        unrated = len(self.indicators) - rated
        if unrated:
            self.issue(
                "partial-assessment",
                entry.at("ratings"),
                f"assessment {key!r} rates {rated} of {len(self.indicators)} indicators",
            )

    def ratings(self, entry: Entry, node: ox.NamedNode, key: str) -> dict[str, str]:
        """Read the ratings of assessment ``key``: indicator id → where it is rated."""
        add = self.out.add
        seen: dict[str, str] = {}
        for rating in entry.entries("ratings", RATING_FIELDS, {"indicator", "level"}):
            ind = self.resolve_indicator(rating)
            if ind.key in seen:
                raise rating.error(
                    "indicator",
                    f"indicator {ind.number} ({ind.key}) is rated twice (also at {seen[ind.key]})",
                )
            seen[ind.key] = rating.at()
            level = self.resolve_level(rating, ind)
            iri = self.iris.maturity("assessment", key, "rating", ind.key)
            self.record_line(iri, rating.start)
            add(node, ckg.rating, iri)
            add(iri, RDF_TYPE, ckg.MaturityRating)
            add(iri, ckg.indicator, ind.node)
            add(iri, ckg.ratedLevel, level)
            add(iri, schema.description, rating.text("note"))
            self.stats["ratings"] += 1
        return seen

    def organisation(self, org: Entry) -> ox.NamedNode:
        org.check_keys(ORGANISATION_FIELDS)
        code = org.node_code("node")
        name = org.text("name")
        if (code is None) == (name is None):
            raise LoadError(
                f"{org.at()}: field '{org.field}': give either 'node' (an ELIXIR Node code)"
                " or 'name' (with an optional 'url') of the assessed organisation"
            )
        if code is not None:
            if org.text("url"):
                raise org.error("url", "a Node is described by the nodes graph: give no url")
            return self.iris.node(code)
        node = self.iris.maturity("organisation", slug(name))
        self.out.add(node, RDF_TYPE, ORG_ORGANIZATION)
        self.out.add(node, schema.name, name)
        self.out.add(node, schema.url, org.iri("url"))
        return node

    def resolve_indicator(self, rating: Entry) -> ModelIndicator:
        value = rating.text("indicator")
        ind = self.indicators.get(value) or self.by_number.get(value)
        if ind is None:
            raise rating.error(
                "indicator",
                f"unknown indicator {value!r}; use an indicator id (e.g. mm-strategy-funding)"
                f" or number (e.g. 1.7) of the model: {', '.join(self.by_number)}",
            )
        return ind

    def resolve_level(self, rating: Entry, ind: ModelIndicator) -> ox.NamedNode:
        value = rating.text("level")
        n = len(ind.levels)
        if value is None or not value.isdigit() or not 1 <= int(value) <= n:
            raise rating.error(
                "level",
                f"level {value!r} is out of range: indicator {ind.number} ({ind.key}) has"
                f" levels 1 to {n}",
            )
        return ind.levels[int(value) - 1]
