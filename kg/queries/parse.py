"""The parts of one query file, read and checked: the comment header, its parameter lines,
the SPARQL text, the ``returns`` list and the example.

The format is described in :mod:`kg.queries.catalog`, whose
:func:`~kg.queries.catalog.parse_query_file` calls these steps in order. Each step takes
``fail(line, message)``, which raises (a :class:`~kg.queries.catalog.CatalogError` naming the
file), and returns what it read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pyoxigraph as ox

from kg.errors import QuerySyntaxError
from kg.queries.parameters import TYPES, Parameter, ParameterError, sample, shown
from kg.sparql.lexer import QUERY_FORMS, Token, tokens
from kg.sparql.rewrite import bind

#: Raises the error for a line of the file being read.
Fail = Callable[[int, str], NoReturn]

#: Parameter names taken by paging and content negotiation.
RESERVED = frozenset({"limit", "offset", "format"})
KEYS = ("title", "description", "param", "keywords", "returns", "example")
_ONCE = ("title", "description", "keywords", "returns", "example")
_REQUIRED_KEYS = ("title", "description", "returns")

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def read_text(path: Path, fail: Fail) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        fail(1, f"not UTF-8: {exc}")
    except OSError as exc:
        fail(1, f"cannot read: {exc}")


# -- the header -------------------------------------------------------------------------

_KEY_LINE = re.compile(r"# (?P<key>[A-Za-z_-]+):(?: (?P<value>.*))?")
_CONTINUATION = re.compile(r"#  +(?P<value>\S.*)")
_PARAM = re.compile(
    r"(?P<name>\S+) \((?P<spec>[^)]*)\) +(?:—|–|--?) +(?P<description>\S.*)", re.DOTALL
)


@dataclass
class Entry:
    """One ``# key: value`` line of the header, its continuation lines joined."""

    key: str
    line: int
    value: str


def header(lines: list[str], fail: Fail) -> tuple[list[Entry], int]:
    """The header's entries (continuations joined) and the number of header lines."""
    entries: list[Entry] = []
    n = 0
    for n, line in enumerate(lines, start=1):  # noqa: B007 - n is used after the loop
        line = line.rstrip()
        if not line.startswith("#"):
            return entries, n - 1
        if line == "#":
            continue
        if m := _KEY_LINE.fullmatch(line):
            key = m["key"].lower()
            if key not in KEYS:
                fail(n, f"unknown header key '{m['key']}' (expected one of: {', '.join(KEYS)})")
            entries.append(Entry(key, n, (m["value"] or "").strip()))
        elif m := _CONTINUATION.fullmatch(line):
            if not entries:
                fail(n, "a continuation line ('#   …') before any '# key: value' line")
            entries[-1].value += " " + m["value"].strip()
        else:
            fail(
                n,
                "malformed header line: expected '# key: value', a continuation "
                f"'#   text' or '#'; got {shown(line)}",
            )
    return entries, n


def fields(entries: list[Entry], fail: Fail) -> dict[str, Entry]:
    """The first entry of each key; a key given twice where once is allowed, an empty
    value or a missing required key fails."""
    found: dict[str, Entry] = {}
    for entry in entries:
        if entry.key in _ONCE and entry.key in found:
            fail(entry.line, f"'{entry.key}' given twice (first on line {found[entry.key].line})")
        if not entry.value:
            fail(entry.line, f"'{entry.key}' is empty")
        found.setdefault(entry.key, entry)
    for key in _REQUIRED_KEYS:
        if key not in found:
            fail(1, f"the header has no '# {key}:' line")
    return found


# -- parameters -------------------------------------------------------------------------


def parameters(entries: list[Entry], fail: Fail) -> tuple[list[Parameter], dict[str, int]]:
    """The declared parameters, in order, and the header line of each by name."""
    params: list[Parameter] = []
    param_lines: dict[str, int] = {}
    for entry in (e for e in entries if e.key == "param"):
        p = _parameter(entry, fail)
        if p.name in param_lines:
            fail(
                entry.line,
                f"parameter '{p.name}' declared twice (first on line {param_lines[p.name]})",
            )
        param_lines[p.name] = entry.line
        params.append(p)
    return params, param_lines


def _parameter(entry: Entry, fail: Fail) -> Parameter:
    m = _PARAM.fullmatch(entry.value)
    if not m:
        fail(
            entry.line,
            "malformed param line: expected 'NAME (TYPE, required|optional[, default=VALUE]) "
            f"— description', got {shown(entry.value)}",
        )
    name = m["name"]
    if not _VARIABLE.fullmatch(name):
        fail(entry.line, f"parameter name {name!r} is not a SPARQL variable name")
    if name in RESERVED:
        fail(entry.line, f"parameter name '{name}' is reserved (for {', '.join(sorted(RESERVED))})")
    parts = [p.strip() for p in m["spec"].split(",")]
    type_name, values = _parameter_type(name, parts[0], entry.line, fail)
    required, default = _requirement(name, parts[1:], entry.line, fail)
    p = Parameter(name, type_name, required, m["description"].strip(), default, values)
    if default is not None:
        try:
            p.bind(default)
        except ParameterError as exc:
            fail(entry.line, f"default: {exc}")
    return p


def _parameter_type(
    name: str, type_text: str, line: int, fail: Fail
) -> tuple[str, tuple[str, ...] | None]:
    """The type's name and, for an enum, its values."""
    values = None
    if type_text.startswith("enum:"):
        values = tuple(v.strip() for v in type_text.removeprefix("enum:").split("|"))
        if not values or any(not v for v in values) or len(set(values)) != len(values):
            fail(line, f"parameter '{name}': enum values must be distinct and non-empty")
        type_name = "enum"
    else:
        type_name = type_text
    if type_name not in TYPES:
        fail(
            line,
            f"parameter '{name}': unknown type {type_text!r} "
            f"(expected one of: {', '.join(TYPES)}; enum as 'enum: a|b|c')",
        )
    return type_name, values


def _requirement(name: str, rest: list[str], line: int, fail: Fail) -> tuple[bool, str | None]:
    """Whether the parameter is required, and its default (the rest of the spec after
    ``default=``, commas included)."""
    required = None
    default = None
    for i, part in enumerate(rest):
        if part.startswith("default="):
            default = ",".join(rest[i:]).strip().removeprefix("default=")
            break
        if part in ("required", "optional") and required is None:
            required = part == "required"
        else:
            fail(
                line,
                f"parameter '{name}': expected 'required', 'optional' or 'default=…', got {part!r}",
            )
    if required is None:
        fail(line, f"parameter '{name}': say whether it is 'required' or 'optional'")
    if required and default is not None:
        fail(line, f"parameter '{name}': a required parameter takes no default")
    return required, default


# -- the SPARQL text --------------------------------------------------------------------


def query_form(
    text: str, params: list[Parameter], param_lines: dict[str, int], header_lines: int, fail: Fail
) -> Token:
    """The query-form keyword; every parameter must be used as a variable of the text."""
    used, form = _scan(text)  # the header is comments: skipped
    if form is None:
        fail(header_lines + 1, "no SELECT, ASK, CONSTRUCT or DESCRIBE in the query")
    for p in params:
        if p.name not in used:
            fail(param_lines[p.name], f"parameter '{p.name}' is not used as ?{p.name} in the query")
    return form


def _scan(text: str) -> tuple[set[str], Token | None]:
    """The variables the text uses, and the query-form keyword (the first one)."""
    variables: set[str] = set()
    form = None
    for tok in tokens(text):
        if tok.kind == "var":
            variables.add(tok.text)
        elif form is None and tok.is_keyword(*QUERY_FORMS):
            form = tok
    return variables, form


def _as_select(text: str, form: Token) -> str:
    """An ASK query as the ``SELECT *`` it abbreviates: ASK would be evaluated at once
    (SERVICE included); SELECT * is lazy."""
    return text[: form.start] + "SELECT *" + text[form.end :]


def check_sparql(text: str, form: Token | None, checker: ox.Store, fail: Fail) -> list[str]:
    """Parse without evaluating; the projected variables of a SELECT query."""
    checked = text
    if form is not None and form.text.lower() == "ask":
        checked = _as_select(text, form)
    try:
        result = checker.query(checked)
    except SyntaxError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "syntax error"
        where = re.match(r"error at (\d+):(\d+): ?", message)
        if where:
            last = max(1, len(text.splitlines()))  # an error at the very end: the last line
            fail(
                min(int(where[1]), last),
                f"malformed SPARQL at column {where[2]}: {message[where.end() :][:300]}",
            )
        fail(1, f"malformed SPARQL: {message[:300]}")
    except OSError as exc:
        fail(1, f"the query cannot be prepared: {exc}")
    if isinstance(result, ox.QuerySolutions) and form is not None:
        if form.text.lower() == "select":
            return [v.value for v in result.variables]
    return []


def check_binding(
    text: str,
    form: Token,
    params: list[Parameter],
    param_lines: dict[str, int],
    checker: ox.Store,
    fail: Fail,
) -> None:
    """The parameters must bind into this text: check it bound with a value for each."""
    if not params:
        return
    samples = {p.name: p.bind(sample(p)) for p in params}
    try:
        bound = bind(text, samples)
        if form.text.lower() == "ask":  # bind() inserts after the ASK keyword
            bound = _as_select(bound, form)
        checker.query(bound)
    except (SyntaxError, QuerySyntaxError) as exc:
        fail(
            param_lines[params[0].name],
            f"the parameters cannot be bound into this query: {str(exc).splitlines()[0][:300]}",
        )


# -- returns, keywords, example ---------------------------------------------------------


def returns(entry: Entry, projected: list[str], fail: Fail) -> tuple[str, ...]:
    """The ``returns`` names; for a SELECT query, exactly its projected variables."""
    names = tuple(v.strip().removeprefix("?") for v in entry.value.split(","))
    if any(not v for v in names):
        fail(entry.line, "'returns' lists an empty name")
    if projected and set(names) != set(projected):
        fail(
            entry.line,
            f"'returns' lists {', '.join(names)} but the query projects {', '.join(projected)}",
        )
    return names


def keywords(entry: Entry | None) -> tuple[str, ...]:
    if entry is None:
        return ()
    return tuple(k.strip() for k in entry.value.split(",") if k.strip())


def example(entry: Entry | None, fail: Fail) -> dict[str, str]:
    if entry is None:
        return {}
    pairs: dict[str, str] = {}
    for pair in entry.value.split("&"):
        key, eq, value = pair.partition("=")
        key = key.strip()
        if not eq or not key:
            fail(entry.line, f"example: expected 'name=value' pairs joined by '&', got {pair!r}")
        if key in pairs:
            fail(entry.line, f"example: '{key}' given twice")
        pairs[key] = value.strip()
    return pairs
