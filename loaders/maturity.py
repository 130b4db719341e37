"""The ELIXIR RDM maturity model (elixir-europe/rdm-maturity-model) and assessments.

Reads ``maturity_model.json`` (the model, its domains, indicators, ordered levels and
weights) and, optionally, assessment files (``*.yaml`` of a folder, ``TEMPLATE*``
skipped; format in docs/catalogues.md) into one named graph, following docs/model.md.

Quirks of the model are reported as :class:`Issue` objects, never dropped silently:
an indicator whose ``weights`` and ``maturityLevels`` differ in length
(``levels-weights-mismatch``), a weight that is not a number (``non-numeric-weight``),
weights that decrease, and indicators whose domain fields disagree. When the numeric
weights and the levels still pair up one to one they are attached to the levels in
order; otherwise the levels are loaded without weights (which weight belongs to which
level is then unknown). An unreadable model or assessment is a :class:`LoadError`
naming the file, the line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import ORG, RDF_TYPE, SKOS, Iris, ckg, dct, schema, slug, xsd
from loaders.catalogues import (
    Entry,
    catalogue_files,
    date_literal,
    decimal_literal,
    entry_from_text,
    file_key,
    read_entry,
)
from loaders.common import Collector, LoadError, SourceData, at_line, checksum, read_json, read_text

MODEL_NAME = "ELIXIR RDM Maturity Model"
MODEL_URL = "https://github.com/elixir-europe/rdm-maturity-model"
SKOS_NOTATION = ox.NamedNode(SKOS + "notation")
ORG_ORGANIZATION = ox.NamedNode(ORG + "Organization")
INDICATOR_NUMBER = re.compile(r"^\d+\.\d+$")
DOMAIN_NUMBER = re.compile(r"^\d+$")

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


@dataclass
class _Indicator:
    key: str  # indicatorId, e.g. mm-strategy-funding
    number: str  # indicatorLevel, e.g. 1.7
    node: ox.NamedNode
    levels: list[ox.NamedNode] = field(default_factory=list)


def read(
    model_json: str | Path, iris: Iris, assessments_dir: str | Path | None = None
) -> SourceData:
    """Read the maturity model JSON (and the assessments of a folder) into triples."""
    path = Path(model_json)
    if not path.is_file():
        raise LoadError(f"{path}: no such file (expected the RDM maturity model JSON)")
    reader = _Reader(path, iris)
    reader.model()
    files: list[Path] = []
    if assessments_dir is not None:
        folder = Path(assessments_dir)
        if not folder.is_dir():
            raise LoadError(f"{folder}: not a directory (expected maturity assessments)")
        files = catalogue_files(folder)
        for file in files:
            reader.assessment(file, folder)
    # a checksum of the model file and the assessment files (names and contents)
    return reader.source_data("maturity", str(path.resolve()), checksum([path, *sorted(files)]))


def read_assessment_text(text: str, name: str, model_json: str | Path, iris: Iris) -> SourceData:
    """One assessment document (``name``: its file name, which is its id), as triples.

    The model is read to resolve the ratings' indicators and levels, but only the
    assessment's own triples are returned (the model is in the graph already).
    """
    path = Path(model_json)
    if not path.is_file():
        raise LoadError(f"{path}: no such file (expected the RDM maturity model JSON)")
    reader = _Reader(path, iris)
    reader.model()
    model_triples = len(reader.out.items)
    reader.assessment_entry(entry_from_text(text, name), file_key(name, name, "assessment"))
    data = reader.source_data("maturity", name, "")
    data.triples = data.triples[model_triples:]
    return data


def _clean(value: Any) -> str | None:
    """Text with its whitespace runs (line breaks included) made single spaces."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


class _Reader(Collector):
    def __init__(self, path: Path, iris: Iris):
        super().__init__()
        self.path = path
        self.iris = iris
        self.text = ""
        self.version: str | None = None
        self.model_node = iris.maturity("rdm-maturity-model")
        self.indicators: dict[str, _Indicator] = {}
        self.by_number: dict[str, _Indicator] = {}

    # -- the model ---------------------------------------------------------------------

    def line_of(self, needle: str) -> int | None:
        pos = self.text.find(needle)
        return self.text.count("\n", 0, pos) + 1 if pos >= 0 else None

    def where(self, needle: str | None = None) -> str:
        return at_line(self.path.name, self.line_of(needle) if needle else None)

    def model(self) -> None:
        self.text = read_text(self.path, self.path.name)
        data = read_json(self.text, self.path.name)
        if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
            raise LoadError(f"{self.path.name}: expected an object with 'domains' and 'indicators'")
        add = self.out.add
        node = self.model_node
        add(node, RDF_TYPE, ckg.MaturityModel)
        add(node, schema.name, MODEL_NAME)
        add(node, schema.url, ox.NamedNode(MODEL_URL))
        version = data.get("version") if isinstance(data.get("version"), dict) else {}
        self.version = _clean(version.get("versionNumber"))
        if self.version is None:
            self.issue("model-without-version", self.where(), "the model states no versionNumber")
        add(node, schema.version, self.version)
        stamp = _clean(version.get("timestamp"))
        if stamp:
            add(node, dct.date, ox.Literal(stamp, datatype=xsd.dateTime))
        domains = self.domains(data.get("domains"))
        for raw in data["indicators"]:
            self.indicator(raw, domains)
        self.stats["domains"] = len(domains)
        self.stats["indicators"] = len(self.indicators)

    def domains(self, raw_domains: Any) -> dict[str, tuple[ox.NamedNode, str]]:
        if not isinstance(raw_domains, list) or not raw_domains:
            raise LoadError(f"{self.path.name}: 'domains' must be a non-empty list")
        out: dict[str, tuple[ox.NamedNode, str]] = {}
        add = self.out.add
        for raw in raw_domains:
            number = _clean(raw.get("domainLevel")) if isinstance(raw, dict) else None
            name = _clean(raw.get("domainName")) if isinstance(raw, dict) else None
            if not number or not DOMAIN_NUMBER.match(number) or not name:
                raise LoadError(
                    f"{self.path.name}: field 'domains': a domain needs 'domainLevel'"
                    f" (a number) and 'domainName': {raw!r}"
                )
            if number in out:
                raise LoadError(f"{self.where(name)}: domain number {number} is used twice")
            node = self.iris.maturity("domain", number)
            out[number] = (node, name)
            add(node, RDF_TYPE, ckg.MaturityDomain)
            add(node, SKOS_NOTATION, number)
            add(node, schema.name, name)
            add(node, schema.description, _clean(raw.get("domainDescription")))
            add(node, ckg.maturityModel, self.model_node)
        return out

    def indicator(self, raw: Any, domains: dict[str, tuple[ox.NamedNode, str]]) -> None:
        if not isinstance(raw, dict):
            raise LoadError(f"{self.path.name}: an indicator must be an object: {raw!r}")
        key = _clean(raw.get("indicatorId"))
        here = self.where(f'"indicatorId": "{key}"' if key else None)
        number = _clean(raw.get("indicatorLevel"))
        name_raw = raw.get("indicator")
        name = _clean(name_raw)
        if not key or not number or not name:
            raise LoadError(
                f"{here}: field 'indicatorId', 'indicatorLevel' or 'indicator' is missing"
                f" in {raw.get('indicatorId') or raw.get('indicatorLevel') or raw!r}"
            )
        what = f"indicator {number} ({key})"
        if key in self.indicators:
            raise LoadError(f"{here}: field 'indicatorId': {key!r} is used twice")
        if not INDICATOR_NUMBER.match(number):
            raise LoadError(f"{here}: field 'indicatorLevel' of {key}: {number!r} is not N.M")
        if number in self.by_number:
            self.issue("duplicate-indicator-number", here, f"{what}: number {number} is used twice")
        if isinstance(name_raw, str) and name_raw.strip() != name:
            self.issue(
                "name-whitespace",
                here,
                f"{what}: the name has line breaks or repeated spaces; read as {name!r}",
            )
        domain_number = _clean(raw.get("domainLevel")) or number.split(".")[0]
        if domain_number not in domains:
            raise LoadError(
                f"{here}: field 'domainLevel' of {what}: unknown domain {domain_number!r};"
                f" domains: {', '.join(domains)}"
            )
        domain_node, domain_name = domains[domain_number]
        if _clean(raw.get("domain")) not in (None, domain_name):
            self.issue(
                "domain-name-mismatch",
                here,
                f"{what}: domain {raw.get('domain')!r} is not the name of domain"
                f" {domain_number} ({domain_name!r}); placed in domain {domain_number}",
            )
        if number.split(".")[0] != domain_number:
            self.issue(
                "number-domain-mismatch",
                here,
                f"{what}: the number does not start with its domain's number {domain_number}",
            )
        node = self.iris.maturity("indicator", key)
        ind = _Indicator(key, number, node)
        self.indicators[key] = ind
        self.by_number.setdefault(number, ind)
        add = self.out.add
        add(node, RDF_TYPE, ckg.MaturityIndicator)
        add(node, dct.identifier, key)
        add(node, SKOS_NOTATION, number)
        add(node, schema.name, name)
        add(node, schema.description, _clean(raw.get("indicatorDescription")))
        add(node, ckg.maturityDomain, domain_node)
        self.levels(ind, raw, here, what)

    def levels(self, ind: _Indicator, raw: dict, here: str, what: str) -> None:
        labels = raw.get("maturityLevels")
        if not isinstance(labels, list) or not labels:
            raise LoadError(f"{here}: field 'maturityLevels' of {what}: expected a list of levels")
        raw_weights = raw.get("weights") if isinstance(raw.get("weights"), list) else []
        weights: list[Decimal] = []
        for value in raw_weights:
            try:
                weight = Decimal(str(value).strip())
                if not weight.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                self.issue(
                    "non-numeric-weight",
                    here,
                    f"{what}: weight {value!r} is not a number (a note?); set aside",
                )
                continue
            if not 0 <= weight <= 1:
                self.issue(
                    "weight-out-of-range", here, f"{what}: weight {value!r} is not in [0, 1]"
                )
            weights.append(weight)
        assigned: list[Decimal | None] = [None] * len(labels)
        if len(raw_weights) != len(labels):
            self.stats["levels-weights mismatches"] += 1
            if len(weights) == len(labels):
                assigned = list(weights)
                outcome = f"the {len(weights)} numeric weights were attached to the levels in order"
            else:
                outcome = "which weight belongs to which level is unknown: no weights loaded"
            self.issue(
                "levels-weights-mismatch",
                here,
                f"{what}: {len(labels)} maturity levels but {len(raw_weights)} weights; {outcome}",
            )
        else:
            assigned = list(weights) if len(weights) == len(labels) else assigned
        if any(b < a for a, b in zip(weights, weights[1:], strict=False)):
            self.issue("decreasing-weights", here, f"{what}: the weights decrease: {raw_weights}")
        add = self.out.add
        for order, (label, weight) in enumerate(zip(labels, assigned, strict=True), start=1):
            level = self.iris.maturity("indicator", ind.key, "level", str(order))
            ind.levels.append(level)
            add(ind.node, ckg.hasLevel, level)
            add(level, RDF_TYPE, ckg.MaturityLevel)
            add(level, ckg.order, order)
            add(level, schema.name, _clean(label))
            if weight is not None:
                add(level, ckg.weight, decimal_literal(weight))
                self.stats["weights"] += 1
            if not _clean(label):
                self.issue("level-without-label", here, f"{what}: level {order} has no label")
            self.stats["levels"] += 1

    # -- assessments -------------------------------------------------------------------

    def assessment(self, path: Path, folder: Path) -> None:
        where = f"{folder.name}/{path.name}"
        self.assessment_entry(read_entry(path, where), file_key(path, where, "assessment"))

    def assessment_entry(self, entry: Entry, key: str) -> None:
        where = entry.where
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
        seen: dict[str, str] = {}
        for _, item, field_name, line in entry.items("ratings"):
            rating = Entry(item, where, field_name, line)
            rating.check_keys(RATING_FIELDS, {"indicator", "level"})
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
        if not seen:
            raise entry.error("ratings", "an assessment needs at least one rating")
        self.stats["assessments"] += 1
        unrated = len(self.indicators) - len(seen)
        if unrated:
            self.issue(
                "partial-assessment",
                entry.at("ratings"),
                f"assessment {key!r} rates {len(seen)} of {len(self.indicators)} indicators",
            )

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

    def resolve_indicator(self, rating: Entry) -> _Indicator:
        value = rating.text("indicator")
        ind = self.indicators.get(value) or self.by_number.get(value)
        if ind is None:
            raise rating.error(
                "indicator",
                f"unknown indicator {value!r}; use an indicator id (e.g. mm-strategy-funding)"
                f" or number (e.g. 1.7) of the model: {', '.join(self.by_number)}",
            )
        return ind

    def resolve_level(self, rating: Entry, ind: _Indicator) -> ox.NamedNode:
        value = rating.text("level")
        n = len(ind.levels)
        if value is None or not value.isdigit() or not 1 <= int(value) <= n:
            raise rating.error(
                "level",
                f"level {value!r} is out of range: indicator {ind.number} ({ind.key}) has"
                f" levels 1 to {n}",
            )
        return ind.levels[int(value) - 1]
