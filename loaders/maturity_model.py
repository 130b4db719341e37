"""The ELIXIR RDM maturity model's ``maturity_model.json``: domains, indicators, levels.

Quirks of the model are reported as :class:`Issue` objects, never dropped silently:
an indicator whose ``weights`` and ``maturityLevels`` differ in length
(``levels-weights-mismatch``), a weight that is not a number (``non-numeric-weight``),
weights that decrease, and indicators whose domain fields disagree. When the numeric
weights and the levels still pair up one to one they are attached to the levels in
order; otherwise the levels are loaded without weights (which weight belongs to which
level is then unknown). An unreadable model is a :class:`LoadError` naming the file,
the line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE, SKOS, Iris, ckg, dct, schema, xsd
from loaders.catalogue_format import decimal_literal
from loaders.common import Collector, LoadError, at_line, read_json, read_text

MODEL_NAME = "ELIXIR RDM Maturity Model"
MODEL_URL = "https://github.com/elixir-europe/rdm-maturity-model"
SKOS_NOTATION = ox.NamedNode(SKOS + "notation")
INDICATOR_NUMBER = re.compile(r"^\d+\.\d+$")
DOMAIN_NUMBER = re.compile(r"^\d+$")


@dataclass
class ModelIndicator:
    """An indicator of the model as read: its id, number, IRI and levels in order."""

    key: str  # indicatorId, e.g. mm-strategy-funding
    number: str  # indicatorLevel, e.g. 1.7
    node: ox.NamedNode
    levels: list[ox.NamedNode] = field(default_factory=list)


def clean(value: Any) -> str | None:
    """Text with its whitespace runs (line breaks included) made single spaces."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


class ModelReader(Collector):
    """Reads the model JSON at ``path``; keeps its indicators by id and by number."""

    def __init__(self, path: Path, iris: Iris):
        super().__init__()
        self.path = path
        self.iris = iris
        self.text = ""
        self.version: str | None = None
        self.model_node = iris.maturity("rdm-maturity-model")
        self.indicators: dict[str, ModelIndicator] = {}
        self.by_number: dict[str, ModelIndicator] = {}

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
        self.version = clean(version.get("versionNumber"))
        if self.version is None:
            self.issue("model-without-version", self.where(), "the model states no versionNumber")
        add(node, schema.version, self.version)
        stamp = clean(version.get("timestamp"))
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
            number = clean(raw.get("domainLevel")) if isinstance(raw, dict) else None
            name = clean(raw.get("domainName")) if isinstance(raw, dict) else None
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
            add(node, schema.description, clean(raw.get("domainDescription")))
            add(node, ckg.maturityModel, self.model_node)
        return out

    # -- indicators --------------------------------------------------------------------

    def indicator(self, raw: Any, domains: dict[str, tuple[ox.NamedNode, str]]) -> None:
        if not isinstance(raw, dict):
            raise LoadError(f"{self.path.name}: an indicator must be an object: {raw!r}")
        key = clean(raw.get("indicatorId"))
        here = self.where(f'"indicatorId": "{key}"' if key else None)
        number = clean(raw.get("indicatorLevel"))
        name_raw = raw.get("indicator")
        name = clean(name_raw)
        if not key or not number or not name:
            raise LoadError(
                f"{here}: field 'indicatorId', 'indicatorLevel' or 'indicator' is missing"
                f" in {raw.get('indicatorId') or raw.get('indicatorLevel') or raw!r}"
            )
        what = f"indicator {number} ({key})"
        self.check_numbering(key, number, here, what)
        if isinstance(name_raw, str) and name_raw.strip() != name:
            self.issue(
                "name-whitespace",
                here,
                f"{what}: the name has line breaks or repeated spaces; read as {name!r}",
            )
        domain_node = self.domain_of(raw, number, domains, here, what)
        node = self.iris.maturity("indicator", key)
        ind = ModelIndicator(key, number, node)
        self.indicators[key] = ind
        self.by_number.setdefault(number, ind)
        add = self.out.add
        add(node, RDF_TYPE, ckg.MaturityIndicator)
        add(node, dct.identifier, key)
        add(node, SKOS_NOTATION, number)
        add(node, schema.name, name)
        add(node, schema.description, clean(raw.get("indicatorDescription")))
        add(node, ckg.maturityDomain, domain_node)
        self.levels(ind, raw, here, what)

    def check_numbering(self, key: str, number: str, here: str, what: str) -> None:
        """A unique id and an N.M number (a number used twice is reported)."""
        if key in self.indicators:
            raise LoadError(f"{here}: field 'indicatorId': {key!r} is used twice")
        if not INDICATOR_NUMBER.match(number):
            raise LoadError(f"{here}: field 'indicatorLevel' of {key}: {number!r} is not N.M")
        if number in self.by_number:
            self.issue("duplicate-indicator-number", here, f"{what}: number {number} is used twice")

    def domain_of(
        self,
        raw: dict,
        number: str,
        domains: dict[str, tuple[ox.NamedNode, str]],
        here: str,
        what: str,
    ) -> ox.NamedNode:
        """The indicator's domain (``domainLevel``, else its number's first part)."""
        domain_number = clean(raw.get("domainLevel")) or number.split(".")[0]
        if domain_number not in domains:
            raise LoadError(
                f"{here}: field 'domainLevel' of {what}: unknown domain {domain_number!r};"
                f" domains: {', '.join(domains)}"
            )
        domain_node, domain_name = domains[domain_number]
        if clean(raw.get("domain")) not in (None, domain_name):
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
        return domain_node

    # -- levels and weights ------------------------------------------------------------

    def levels(self, ind: ModelIndicator, raw: dict, here: str, what: str) -> None:
        labels = raw.get("maturityLevels")
        if not isinstance(labels, list) or not labels:
            raise LoadError(f"{here}: field 'maturityLevels' of {what}: expected a list of levels")
        raw_weights = raw.get("weights") if isinstance(raw.get("weights"), list) else []
        weights = self.numeric_weights(raw_weights, here, what)
        assigned = self.assign_weights(labels, raw_weights, weights, here, what)
        if any(b < a for a, b in zip(weights, weights[1:], strict=False)):
            self.issue("decreasing-weights", here, f"{what}: the weights decrease: {raw_weights}")
        add = self.out.add
        for order, (label, weight) in enumerate(zip(labels, assigned, strict=True), start=1):
            level = self.iris.maturity("indicator", ind.key, "level", str(order))
            ind.levels.append(level)
            add(ind.node, ckg.hasLevel, level)
            add(level, RDF_TYPE, ckg.MaturityLevel)
            add(level, ckg.order, order)
            add(level, schema.name, clean(label))
            if weight is not None:
                add(level, ckg.weight, decimal_literal(weight))
                self.stats["weights"] += 1
            if not clean(label):
                self.issue("level-without-label", here, f"{what}: level {order} has no label")
            self.stats["levels"] += 1

    def numeric_weights(self, raw_weights: list, here: str, what: str) -> list[Decimal]:
        """The weights that are numbers (the others reported and set aside)."""
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
        return weights

    def assign_weights(
        self, labels: list, raw_weights: list, weights: list[Decimal], here: str, what: str
    ) -> list[Decimal | None]:
        """The weight of each level, in order; all None when the pairing is unknown."""
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
        return assigned
