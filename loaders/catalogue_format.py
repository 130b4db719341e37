"""The catalogue file format (docs/catalogues.md), shared by every curated catalogue.

Business models (loaders/business_models.py), impact (loaders/impact.py) and maturity
assessments (loaders/maturity_assessments.py) are YAML files of one format: each file is
one mapping whose file name is its id, read with the line of every key so that every
problem is a :class:`LoadError` naming the file, the line and the field, and for a closed
list the allowed values. Dates and periods become xsd:date bounds that SPARQL and SHACL
can compare.
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

from kg.namespaces import DCAT, RDF_TYPE, ckg, dct, xsd
from loaders.common import LINE_KEY, LoadError, Triples, read_text, read_yaml
from loaders.common import _StringLoader as _BaseLoader

DCAT_START = ox.NamedNode(DCAT + "startDate")
DCAT_END = ox.NamedNode(DCAT + "endDate")

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


def catalogue_files(directory: Path) -> list[Path]:
    """The ``*.yaml`` / ``*.yml`` files of a folder, templates excluded, sorted."""
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith("TEMPLATE")
    )


def allowed(values: Any) -> str:
    """The allowed values of a closed list (or fields of a mapping), for messages."""
    return ", ".join(values)


# -- typed fields ----------------------------------------------------------------------------


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

    def check_keys(self, allowed_keys: set[str], required: set[str] = frozenset()) -> None:
        for key in self.data:
            if key in (LINE_KEY, KEY_LINES):
                continue
            if key not in allowed_keys:
                raise self.error(
                    str(key), f"unknown field; allowed fields: {allowed(sorted(allowed_keys))}"
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
            raise self.error(key, f"unknown value {value!r}; allowed: {allowed(concepts)}")
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

    def entries(
        self, key: str, fields: set[str], required: set[str] = frozenset()
    ) -> Iterator[Entry]:
        """The mappings of a list field, each with its ``fields`` checked."""
        for _, item, field, line in self.items(key):
            entry = Entry(item, self.where, field, line)
            entry.check_keys(fields, required)
            yield entry

    def strings(self, key: str) -> list[str]:
        out = []
        for _, item, field, line in self.items(key):
            if not isinstance(item, str) or not item.strip():
                raise LoadError(f"{self.where}:{line}: field '{field}': expected a text value")
            out.append(item.strip())
        return out


# -- literals, dates and periods -------------------------------------------------------------


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
