"""Curated catalogues: business models of national data-management support and impact.

Reads ``business-models/*.yaml`` and ``impact/*.yaml`` under a data directory (the
project's ``data/``; files named ``TEMPLATE*`` are skipped) into one named graph,
following docs/catalogues.md (the format) and docs/model.md (the graph). No public
structured catalogue of the CONVERGE business models or Node impact indicators
exists: the shipped entries are labelled examples (``example: true`` →
``ckg:isExample true``), never ELIXIR facts.

Every problem of a catalogue file is a :class:`LoadError` naming the file, the line
and the field, and for a closed list (funding source types, service delivery models,
canvas blocks, impact categories, logic-model stages) the allowed values, which are
the ``skos:notation`` of the concepts in ontology/schemes.ttl. The helpers here
(:func:`read_entry`, :func:`file_key`, :class:`Entry`) are shared with loaders/maturity.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from kg.namespaces import DCAT, QB, RDF_TYPE, Iris, ckg, dct, schema, xsd
from loaders.common import (
    LINE_KEY,
    Collector,
    LoadError,
    SourceData,
    Triples,
    read_text,
    read_yaml,
    relative_where,
    source_version,
)
from loaders.common import _StringLoader as _BaseLoader

BUSINESS_MODELS = "business-models"
IMPACT = "impact"

# -- closed lists: notation (the catalogue value) → concept (ontology/schemes.ttl) ---------

FUNDING_SOURCE_TYPES = {
    "infrastructure_funding": ckg.infrastructureFunding,
    "host_institution_funding": ckg.hostInstitutionFunding,
    "research_grants": ckg.researchGrants,
    "data_access_charges": ckg.dataAccessCharges,
    "deposit_fees": ckg.depositFees,
    "contract_work": ckg.contractWork,
    "sponsorship": ckg.sponsorship,
    "cost_saving": ckg.costSaving,
}
SERVICE_DELIVERY_MODELS = {
    "central": ckg.centralDelivery,
    "distributed": ckg.distributedDelivery,
    "hybrid": ckg.hybridDelivery,
}
CANVAS_BLOCKS = {
    "key_partners": ckg.keyPartners,
    "key_activities": ckg.keyActivities,
    "key_resources": ckg.keyResources,
    "value_propositions": ckg.valuePropositions,
    "customer_relationships": ckg.customerRelationships,
    "channels": ckg.channels,
    "customer_segments": ckg.customerSegments,
    "cost_structure": ckg.costStructure,
    "revenue_streams": ckg.revenueStreams,
}
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

#: scheme → its notations, for docs and tests (compared with ontology/schemes.ttl).
SCHEMES = {
    "FundingSourceTypeScheme": FUNDING_SOURCE_TYPES,
    "ServiceDeliveryModelScheme": SERVICE_DELIVERY_MODELS,
    "CanvasBlockScheme": CANVAS_BLOCKS,
    "ImpactCategoryScheme": IMPACT_CATEGORIES,
    "LogicModelStageScheme": LOGIC_MODEL_STAGES,
}

DCAT_START = ox.NamedNode(DCAT + "startDate")
DCAT_END = ox.NamedNode(DCAT + "endDate")
QB_OBSERVATION = ox.NamedNode(QB + "Observation")

#: ELIXIR Node codes: ISO 3166-1 alpha-2 (GB for the UK; XX in examples) or EMBL.
NODE_CODE = re.compile(r"^(?:[A-Z]{2}|EMBL)$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DATE_FORMS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "date", "%Y-%m-%d"),
    (re.compile(r"^\d{4}-\d{2}$"), "gYearMonth", "%Y-%m"),
    (re.compile(r"^\d{4}$"), "gYear", "%Y"),
)


# -- YAML with the line of every key ---------------------------------------------------------

KEY_LINES = "__key_lines__"


class _KeyLineLoader(_BaseLoader):
    """The project's string-only YAML, also recording the line of each key of a mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in lines:
                raise yaml.constructor.ConstructorError(
                    "in a mapping",
                    node.start_mark,
                    f"duplicate field {key_node.value!r} (first at line {lines[key_node.value]})",
                    key_node.start_mark,
                )
            lines[key_node.value] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        mapping[KEY_LINES] = lines
        return mapping


def read_catalogue_yaml(path: Path, where: str) -> Any:
    """Parse a catalogue file; a syntax error is a LoadError naming line and column."""
    return read_yaml(read_text(path, where), where, loader=_KeyLineLoader)


def read_entry(path: Path, where: str) -> Entry:
    """The top mapping of a catalogue file; an empty file is a LoadError."""
    return entry_from_text(read_text(path, where), where)


def entry_from_text(text: str, where: str) -> Entry:
    """The top mapping of one catalogue document's text; an empty one is a LoadError."""
    doc = read_yaml(text, where, loader=_KeyLineLoader)
    if doc is None:
        raise LoadError(f"{where}:1: the file is empty")
    return Entry(doc, where)


def file_key(path: Path | str, where: str, what: str) -> str:
    """The id that a catalogue file's name gives its entry (``be-2020.yaml`` → ``be-2020``).

    A name that is not lower-case letters, digits and '-' is a LoadError naming ``what``
    (``business model``).
    """
    path = Path(path)
    key = path.stem
    if not KEY.match(key):
        raise LoadError(
            f"{where}: the file name {path.name!r} is the {what}'s id: use lower-case"
            " letters, digits and '-'"
        )
    return key


def _allowed(values: Any) -> str:
    return ", ".join(values)


class Entry:
    """One YAML mapping of a catalogue file, for typed reads with field-level errors.

    ``field`` is the path of the mapping in the file (``funding_sources[2]``; list
    items are numbered from 1); errors read ``file:line: field 'path.key': message``.
    """

    def __init__(self, mapping: Any, where: str, field: str = "", line: int | None = None):
        if not isinstance(mapping, dict):
            what = f"field '{field}'" if field else "the file"
            raise LoadError(f"{where}:{line or 1}: {what}: expected a mapping of fields")
        self.data = mapping
        self.where = where
        self.field = field
        self.start = mapping.get(LINE_KEY, line or 1)
        self.key_lines: dict[str, int] = mapping.get(KEY_LINES, {})

    # -- positions and errors ----------------------------------------------------------

    def name(self, key: str) -> str:
        return f"{self.field}.{key}" if self.field else key

    def line(self, key: str | None = None) -> int:
        return self.key_lines.get(key, self.start) if key else self.start

    def at(self, key: str | None = None) -> str:
        return f"{self.where}:{self.line(key)}"

    def error(self, key: str, message: str) -> LoadError:
        return LoadError(f"{self.at(key)}: field '{self.name(key)}': {message}")

    def check_keys(self, allowed: set[str], required: set[str] = frozenset()) -> None:
        for key in self.data:
            if key in (LINE_KEY, KEY_LINES):
                continue
            if key not in allowed:
                raise self.error(
                    str(key), f"unknown field; allowed fields: {_allowed(sorted(allowed))}"
                )
        for key in sorted(required):
            value = self.data.get(key)
            if value is None or value == [] or (isinstance(value, str) and not value.strip()):
                where = f"{self.where}:{self.start}"
                raise LoadError(f"{where}: field '{self.name(key)}' is required")

    # -- typed values --------------------------------------------------------------------

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(key, "expected a text value")
        return value.strip() or None

    def notation(self, key: str, concepts: dict[str, ox.NamedNode]) -> ox.NamedNode | None:
        value = self.text(key)
        if value is None:
            return None
        if value not in concepts:
            raise self.error(key, f"unknown value {value!r}; allowed: {_allowed(concepts)}")
        return concepts[value]

    def boolean(self, key: str) -> bool | None:
        value = self.text(key)
        if value is None:
            return None
        if value not in ("true", "false"):
            raise self.error(key, f"expected true or false, not {value!r}")
        return value == "true"

    def decimal(
        self, key: str, low: Decimal | None = None, high: Decimal | None = None
    ) -> Decimal | None:
        value = self.text(key)
        if value is None:
            return None
        try:
            number = Decimal(value.replace("_", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise self.error(key, f"expected a number, not {value!r}")
        if (low is not None and number < low) or (high is not None and number > high):
            raise self.error(key, f"{value} is out of range [{low}, {high}]")
        return number

    def iri(self, key: str) -> ox.NamedNode | None:
        value = self.text(key)
        if value is None:
            return None
        if not value.startswith(("https://", "http://")):
            raise self.error(key, f"expected an http(s) URL, not {value!r}")
        try:
            return ox.NamedNode(value)
        except ValueError:
            raise self.error(key, f"{value!r} is not a valid URL (IRI)") from None

    def node_code(self, key: str) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        if not NODE_CODE.match(value):
            raise self.error(
                key,
                f"{value!r} is not a Node code: use the ISO 3166-1 alpha-2 code in capitals"
                " (GB for the United Kingdom; XX in examples) or EMBL",
            )
        return value

    def date(self, key: str, forms: tuple[str, ...] = ("date", "gYearMonth", "gYear")) -> Any:
        """A date as (lexical form, xsd datatype local name)."""
        value = self.text(key)
        if value is None:
            return None
        for pattern, form, fmt in DATE_FORMS:
            if form in forms and pattern.match(value):
                try:
                    dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - a calendar date only
                except ValueError:
                    break
                return value, form
        shown = {"date": "YYYY-MM-DD", "gYearMonth": "YYYY-MM", "gYear": "YYYY"}
        raise self.error(
            key, f"expected a date ({' or '.join(shown[f] for f in forms)}), not {value!r}"
        )

    def mapping(self, key: str) -> Entry | None:
        value = self.data.get(key)
        if value is None:
            return None
        return Entry(value, self.where, self.name(key), self.line(key))

    def items(self, key: str) -> Iterator[tuple[int, Any, str, int]]:
        """Items of a list field: (1-based index, item, field path, line)."""
        value = self.data.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            raise self.error(key, "expected a list")
        for n, item in enumerate(value, start=1):
            line = item.get(LINE_KEY) if isinstance(item, dict) else None
            yield n, item, f"{self.name(key)}[{n}]", line or self.line(key)

    def strings(self, key: str) -> list[str]:
        out = []
        for _, item, field, line in self.items(key):
            if not isinstance(item, str) or not item.strip():
                raise LoadError(f"{self.where}:{line}: field '{field}': expected a text value")
            out.append(item.strip())
        return out


def decimal_literal(number: Decimal) -> ox.Literal:
    """An xsd:decimal literal in canonical-ish form (no exponent)."""
    text = format(number.normalize(), "f") if number != 0 else "0"
    if "." not in text:
        text += ".0"
    return ox.Literal(text, datatype=xsd.decimal)


def date_literal(value: tuple[str, str]) -> ox.Literal:
    lexical, form = value
    return ox.Literal(lexical, datatype=xsd[form])


def period_bounds(period: Entry, require_end: bool) -> tuple[str, str | None]:
    """The first and last day (``YYYY-MM-DD``) of a catalogue period.

    A year or a month stands for all its days: ``start: 2021`` is 2021-01-01 and
    ``end: 2021`` is 2021-12-31, so that every period is a pair of xsd:date values
    that SPARQL and SHACL can compare.
    """
    period.check_keys({"start", "end"}, {"start", "end"} if require_end else {"start"})
    start = _first_day(period.date("start"))
    raw_end = period.date("end")
    end = _last_day(raw_end) if raw_end is not None else None
    if end is not None and end < start:
        raise period.error("end", f"the period ends ({raw_end[0]}) before it starts ({start})")
    return start, end


def _first_day(value: tuple[str, str]) -> str:
    lexical, form = value
    return {"gYear": f"{lexical}-01-01", "gYearMonth": f"{lexical}-01"}.get(form, lexical)


def _last_day(value: tuple[str, str]) -> str:
    lexical, form = value
    if form == "gYear":
        return f"{lexical}-12-31"
    if form == "gYearMonth":
        year, month = map(int, lexical.split("-"))
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return (following - dt.timedelta(days=1)).isoformat()
    return lexical


def emit_period(out: Triples, owner: ox.NamedNode, bounds: tuple[str, str | None]) -> None:
    """``owner ckg:period <owner#period>``: a dct:PeriodOfTime with xsd:date bounds."""
    start, end = bounds
    node = ox.NamedNode(owner.value + "#period")
    out.add(owner, ckg.period, node)
    out.add(node, RDF_TYPE, dct.PeriodOfTime)
    out.add(node, DCAT_START, ox.Literal(start, datatype=xsd.date))
    if end is not None:
        out.add(node, DCAT_END, ox.Literal(end, datatype=xsd.date))


def catalogue_files(directory: Path) -> list[Path]:
    """The ``*.yaml`` / ``*.yml`` files of a folder, templates excluded, sorted."""
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith("TEMPLATE")
    )


# -- the loader ------------------------------------------------------------------------------

BUSINESS_MODEL_FIELDS = {
    "example",
    "title",
    "node",
    "period",
    "description",
    "funding_sources",
    "service_delivery_model",
    "services",
    "target_users",
    "cost_recovery",
    "source",
    "canvas",
}
BUSINESS_MODEL_REQUIRED = {
    "example",
    "title",
    "node",
    "period",
    "funding_sources",
    "service_delivery_model",
    "source",
}
FUNDING_FIELDS = {"type", "share", "description"}
SERVICE_FIELDS = {"name", "description", "target_users"}
IMPACT_FIELDS = {"example", "indicators", "observations"}
INDICATOR_FIELDS = {"id", "name", "description", "category", "stage", "unit", "method"}
INDICATOR_REQUIRED = {"id", "name", "category", "stage", "unit", "method"}
OBSERVATION_FIELDS = {"indicator", "node", "period", "value", "source", "note"}
OBSERVATION_REQUIRED = {"indicator", "node", "period", "value", "source"}
HUNDRED = Decimal(100)


def read(directory: str | Path, iris: Iris) -> SourceData:
    """Read ``business-models/`` and ``impact/`` of a data directory into triples."""
    root = Path(directory)
    if not root.is_dir():
        raise LoadError(f"{root}: not a directory (expected the catalogue data folder)")
    reader = _Reader(root, iris)
    bm_files = catalogue_files(root / BUSINESS_MODELS)
    impact_files = catalogue_files(root / IMPACT)
    for path in bm_files:
        reader.business_model(path)
    impact_docs = [(path, reader.impact_file(path)) for path in impact_files]
    for path, doc in impact_docs:
        reader.indicators(path, doc)
    for path, doc in impact_docs:
        reader.observations(path, doc)
    files = [*bm_files, *impact_files]
    return reader.source_data("catalogues", str(root.resolve()), source_version(root, files))


def read_business_model_text(text: str, name: str, iris: Iris) -> SourceData:
    """One business-model document (its text; ``name`` is its file name, which is its id)."""
    reader = _Reader(Path("."), iris)
    reader.business_model_entry(entry_from_text(text, name), file_key(name, name, "business model"))
    return reader.source_data("catalogues", name, "")


def read_impact_text(
    text: str,
    name: str,
    iris: Iris,
    known_indicators: dict[str, tuple[ox.NamedNode, bool]] | None = None,
) -> SourceData:
    """One impact document; its observations may also cite ``known_indicators``.

    ``known_indicators`` (id → (IRI, is an example)) are indicators defined elsewhere,
    e.g. already in the graph; an indicator the document defines itself takes precedence.
    """
    reader = _Reader(Path("."), iris)
    for key, (node, example) in (known_indicators or {}).items():
        reader.known_indicators[key] = (node, example, "the graph")
    entry = entry_from_text(text, name)
    entry.check_keys(IMPACT_FIELDS, {"example"})
    entry.boolean("example")
    reader.indicators(Path(name), entry)
    reader.observations(Path(name), entry)
    return reader.source_data("catalogues", name, "")


class _Reader(Collector):
    def __init__(self, root: Path, iris: Iris):
        super().__init__()
        self.root = root
        self.iris = iris
        self.indicator_nodes: dict[str, tuple[ox.NamedNode, bool, str]] = {}
        self.observation_keys: dict[tuple[str, str, str, str], str] = {}
        #: indicators defined outside the files read (single documents checked in context)
        self.known_indicators: dict[str, tuple[ox.NamedNode, bool, str]] = {}

    def top(self, path: Path) -> Entry:
        return read_entry(path, relative_where(path, self.root))

    # -- business models -------------------------------------------------------------------

    def business_model(self, path: Path) -> None:
        entry = self.top(path)
        self.business_model_entry(entry, file_key(path, entry.where, "business model"))

    def business_model_entry(self, entry: Entry, key: str) -> None:
        entry.check_keys(BUSINESS_MODEL_FIELDS, BUSINESS_MODEL_REQUIRED)
        node = self.iris.business_model(key)
        self.record_line(node, entry.start)
        add = self.out.add
        add(node, RDF_TYPE, ckg.BusinessModel)
        add(node, dct.identifier, key)
        add(node, schema.name, entry.text("title"))
        add(node, schema.description, entry.text("description"))
        add(node, ckg.isExample, entry.boolean("example"))
        add(node, ckg.node, self.iris.node(entry.node_code("node")))
        emit_period(self.out, node, period_bounds(entry.mapping("period"), require_end=False))
        add(
            node,
            ckg.serviceDeliveryModel,
            entry.notation("service_delivery_model", SERVICE_DELIVERY_MODELS),
        )
        add(node, ckg.costRecovery, entry.text("cost_recovery"))
        add(node, dct.source, entry.iri("source"))
        for user in entry.strings("target_users"):
            add(node, ckg.targetUser, user)
        self.funding_sources(node, entry)
        self.services(node, entry)
        self.canvas(node, entry)
        self.stats["business models"] += 1
        if entry.boolean("example"):
            self.stats["example business models"] += 1

    def funding_sources(self, node: ox.NamedNode, entry: Entry) -> None:
        add = self.out.add
        shares: list[Decimal | None] = []
        for n, item, field, line in entry.items("funding_sources"):
            source = Entry(item, entry.where, field, line)
            source.check_keys(FUNDING_FIELDS, {"type"})
            funding = ox.NamedNode(f"{node.value}#funding-{n}")
            add(node, ckg.fundingSource, funding)
            add(funding, RDF_TYPE, ckg.FundingSource)
            add(funding, ckg.fundingSourceType, source.notation("type", FUNDING_SOURCE_TYPES))
            share = source.decimal("share", Decimal(0), HUNDRED)
            shares.append(share)
            if share is not None:
                add(funding, ckg.fundingShare, decimal_literal(share / HUNDRED))
            add(funding, schema.description, source.text("description"))
            self.stats["funding sources"] += 1
        known = [s for s in shares if s is not None]
        total = sum(known, Decimal(0))
        if total > HUNDRED:
            raise entry.error("funding_sources", f"the shares add up to {total}%, more than 100%")
        if known and len(known) == len(shares) and total != HUNDRED:
            self.issue(
                "funding-shares-incomplete",
                entry.at("funding_sources"),
                f"business model {node.value}: the shares of all funding sources add up"
                f" to {total}%, not 100%",
            )

    def services(self, node: ox.NamedNode, entry: Entry) -> None:
        add = self.out.add
        for n, item, field, line in entry.items("services"):
            if isinstance(item, str):
                item = {"name": item, LINE_KEY: line}
            service = Entry(item, entry.where, field, line)
            service.check_keys(SERVICE_FIELDS, {"name"})
            iri = ox.NamedNode(f"{node.value}#service-{n}")
            add(node, ckg.offersService, iri)
            add(iri, RDF_TYPE, ckg.SupportService)
            add(iri, schema.name, service.text("name"))
            add(iri, schema.description, service.text("description"))
            for user in service.strings("target_users"):
                add(iri, ckg.targetUser, user)
            self.stats["support services"] += 1

    def canvas(self, node: ox.NamedNode, entry: Entry) -> None:
        canvas = entry.mapping("canvas")
        if canvas is None:
            return
        canvas.check_keys(set(CANVAS_BLOCKS))
        add = self.out.add
        for block, concept in CANVAS_BLOCKS.items():
            text = canvas.text(block)
            if text is None:
                continue
            iri = ox.NamedNode(f"{node.value}#canvas-{block}")
            add(node, ckg.canvasEntry, iri)
            add(iri, RDF_TYPE, ckg.CanvasEntry)
            add(iri, ckg.canvasBlock, concept)
            add(iri, schema.description, text)
            self.stats["canvas entries"] += 1

    # -- impact ----------------------------------------------------------------------------

    def impact_file(self, path: Path) -> Entry:
        entry = self.top(path)
        entry.check_keys(IMPACT_FIELDS, {"example"})
        entry.boolean("example")
        return entry

    def indicators(self, path: Path, entry: Entry) -> None:
        example = bool(entry.boolean("example"))
        add = self.out.add
        for _, item, field, line in entry.items("indicators"):
            ind = Entry(item, entry.where, field, line)
            ind.check_keys(INDICATOR_FIELDS, INDICATOR_REQUIRED)
            key = ind.text("id")
            if not KEY.match(key):
                raise ind.error("id", f"{key!r}: use lower-case letters, digits and '-'")
            if key in self.indicator_nodes:
                raise ind.error(
                    "id", f"indicator {key!r} is already defined at {self.indicator_nodes[key][2]}"
                )
            node = self.iris.impact("indicator", key)
            self.record_line(node, ind.start)
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
            self.stats["impact indicators"] += 1

    def observations(self, path: Path, entry: Entry) -> None:
        example = bool(entry.boolean("example"))
        add = self.out.add
        for _, item, field, line in entry.items("observations"):
            obs = Entry(item, entry.where, field, line)
            obs.check_keys(OBSERVATION_FIELDS, OBSERVATION_REQUIRED)
            key = obs.text("indicator")
            defined = {**self.known_indicators, **self.indicator_nodes}
            if key not in defined:
                known = _allowed(sorted(defined)) or "(none)"
                raise obs.error("indicator", f"unknown indicator {key!r}; defined: {known}")
            indicator, indicator_example, _ = defined[key]
            if indicator_example and not example:
                raise obs.error(
                    "indicator",
                    f"{key!r} is an example indicator: only an example file"
                    " (example: true) may record observations of it",
                )
            code = obs.node_code("node")
            start, end = period_bounds(obs.mapping("period"), require_end=True)
            dims = (key, code, start, end)
            if dims in self.observation_keys:
                raise obs.error(
                    "period",
                    f"indicator {key!r}, Node {code}, period {start}–{end} already has an"
                    f" observation at {self.observation_keys[dims]}",
                )
            self.observation_keys[dims] = obs.at()
            node = self.iris.impact("observation", key, code, f"{start}_{end}")
            self.record_line(node, obs.start)
            add(node, RDF_TYPE, ckg.ImpactObservation)
            add(node, RDF_TYPE, QB_OBSERVATION)
            add(node, ckg.indicator, indicator)
            add(node, ckg.node, self.iris.node(code))
            emit_period(self.out, node, (start, end))
            add(node, ckg.value, decimal_literal(obs.decimal("value")))
            add(node, dct.source, obs.iri("source"))
            add(node, schema.description, obs.text("note"))
            add(node, ckg.isExample, example)
            self.stats["impact observations"] += 1
