"""The query catalog: the named queries in ``queries/``, their headers and typed parameters.

A named query is a file ``queries/<area>/<verb_noun>.rq``; its name is its path under
``queries/`` without ``.rq`` (``rdmkit/resources_for_stage``). The file starts with a
comment header, then the SPARQL text::

    # title: Toolkit resources for a life-cycle stage
    # description: One or more lines; continuation lines start with "#   ".
    #   Like this one.
    # param: stage (iri, required) — a life-cycle stage concept
    # param: kind (enum: tool|database|standard, optional, default=tool) — what to list
    # param: q (string, required) — text to look for
    # param: since (date, optional) — only what changed since then
    # param: limit_year (integer, optional, default=2020) — …
    # keywords: life cycle, resources
    # returns: name, tasks
    # example: stage=https://w3id.org/elixir-converge/ontology#preserve&q=data
    PREFIX …
    SELECT …

The header is every line from the top that starts with ``#``; it ends at the first line
that does not. Each header line is ``# key: value``, a continuation ``#   more text``
(``#`` and at least two spaces) that extends the line before it, or a bare ``#``.

- ``title`` (required, once): one line of plain text.
- ``description`` (required, once): plain text, usually continued over several lines.
- ``param`` (any number): ``NAME (TYPE, required|optional[, default=VALUE]) — DESCRIPTION``.
  The separator before the description is an em dash (``—``), an en dash or ``-``/``--``
  between spaces. ``NAME`` is a SPARQL variable name that the query uses as ``?NAME``
  (outside comments, strings and IRIs); ``limit``, ``offset`` and ``format`` are reserved
  for paging and formats. A required parameter has no default; an optional one without a
  default stays unbound (no ``VALUES`` entry), so the query must work without it.
- ``keywords`` (optional, once): comma-separated.
- ``returns`` (required, once): the result's variables, comma-separated, without ``?``.
  For a SELECT query they must be exactly the projected variables.
- ``example`` (required when a parameter is required): ``name=value`` pairs joined by
  ``&``, values written as typed (not percent-encoded). Every value must bind.

Parameter types and how each binds: :mod:`kg.queries.parameters`. Bindings are pyoxigraph terms,
bound by the store as a ``VALUES`` block opening the query's WHERE group
(:func:`kg.sparql.rewrite.bind`), so FILTERs and grouping see them: no text from a user is ever
formatted into SPARQL.

:func:`load_catalog` reads and checks every file; any problem raises :class:`CatalogError`
whose message starts with ``<file>:<line>:``. The SPARQL text is parsed by Oxigraph on an
empty in-memory store and never evaluated: SELECT, CONSTRUCT and DESCRIBE results are lazy
and are not iterated, and an ASK query is checked as the ``SELECT *`` it abbreviates, so
no ``SERVICE`` is called while loading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QuerySyntaxError
from kg.queries.files import UnknownQuery
from kg.queries.parameters import MAX_VALUE_LENGTH, TYPES, Parameter, ParameterError, sample, shown
from kg.sparql.lexer import QUERY_FORMS, Token, tokens
from kg.sparql.rewrite import bind
from kg.store.base import Term

__all__ = [
    "MAX_VALUE_LENGTH",
    "TYPES",
    "Catalog",
    "CatalogError",
    "NamedQuery",
    "Parameter",
    "ParameterError",
    "UnknownQuery",
    "load_catalog",
]

#: Parameter names taken by paging and content negotiation.
RESERVED = frozenset({"limit", "offset", "format"})
KEYS = ("title", "description", "param", "keywords", "returns", "example")
_ONCE = ("title", "description", "keywords", "returns", "example")

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class CatalogError(ValueError):
    """A query file is malformed; the message starts with ``<file>:<line>:``."""


# -- named queries ----------------------------------------------------------------------


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    title: str
    description: str
    text: str
    form: str  # "select" | "ask" | "construct" | "describe"
    returns: tuple[str, ...]
    parameters: tuple[Parameter, ...] = ()
    keywords: tuple[str, ...] = ()
    example: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The result kind (:mod:`kg.sparql.formats`): "solutions" or "graph"."""
        return "graph" if self.form in ("construct", "describe") else "solutions"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def bind(self, given: Mapping[str, str]) -> dict[str, Term]:
        """Typed bindings for the given text values; defaults fill the optional ones.

        Raises :class:`ParameterError` for an unknown parameter, a missing required one
        or a value that is not of its type.
        """
        for name in given:
            if self.parameter(name) is None:
                known = ", ".join(p.name for p in self.parameters) or "none"
                shown_name = name if len(name) <= 60 else name[:60] + "…"
                raise ParameterError(
                    f"parameter '{shown_name}': unknown for query '{self.name}' "
                    f"(parameters: {known})"
                )
        bindings: dict[str, Term] = {}
        for p in self.parameters:
            value = given.get(p.name, p.default)
            if value is None:
                if p.required:
                    raise ParameterError(
                        f"parameter '{p.name}': required ({p.expected}), but not given"
                    )
                continue
            bindings[p.name] = p.bind(value)
        return bindings

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "keywords": list(self.keywords),
            "parameters": [p.to_dict() for p in self.parameters],
            "returns": list(self.returns),
            "example": dict(self.example),
        }


class Catalog:
    """Every named query under one directory, by name."""

    def __init__(self, root: Path, queries: Mapping[str, NamedQuery]):
        self.root = root
        self._queries = dict(sorted(queries.items()))

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def names(self) -> list[str]:
        return list(self._queries)

    def query(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQuery(f"no query named {name!r}") from None


def load_catalog(root: str | Path) -> Catalog:
    """Read and check every ``*.rq`` file under ``root``; :class:`CatalogError` on the first fault."""
    root = Path(root)
    if not root.is_dir():
        raise CatalogError(f"{root}: the queries directory does not exist")
    checker = ox.Store()
    queries = {}
    for path in sorted(root.rglob("*.rq")):
        query = parse_query_file(path, root, checker=checker)
        queries[query.name] = query
    return Catalog(root, queries)


def _display(path: Path) -> str:
    """The path as a user would type it: relative to the working directory when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# -- the header -------------------------------------------------------------------------

_KEY_LINE = re.compile(r"# (?P<key>[A-Za-z_-]+):(?: (?P<value>.*))?")
_CONTINUATION = re.compile(r"#  +(?P<value>\S.*)")
_PARAM = re.compile(
    r"(?P<name>\S+) \((?P<spec>[^)]*)\) +(?:—|–|--?) +(?P<description>\S.*)", re.DOTALL
)


@dataclass
class _Entry:
    key: str
    line: int
    value: str


def _header(lines: list[str], fail) -> tuple[list[_Entry], int]:
    """The header's entries (continuations joined) and the number of header lines."""
    entries: list[_Entry] = []
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
            entries.append(_Entry(key, n, (m["value"] or "").strip()))
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


def _parameter(entry: _Entry, fail) -> Parameter:
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
    type_text, rest = parts[0], parts[1:]
    values = None
    if type_text.startswith("enum:"):
        values = tuple(v.strip() for v in type_text.removeprefix("enum:").split("|"))
        if not values or any(not v for v in values) or len(set(values)) != len(values):
            fail(entry.line, f"parameter '{name}': enum values must be distinct and non-empty")
        type_name = "enum"
    else:
        type_name = type_text
    if type_name not in TYPES:
        fail(
            entry.line,
            f"parameter '{name}': unknown type {type_text!r} "
            f"(expected one of: {', '.join(TYPES)}; enum as 'enum: a|b|c')",
        )
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
                entry.line,
                f"parameter '{name}': expected 'required', 'optional' or 'default=…', got {part!r}",
            )
    if required is None:
        fail(entry.line, f"parameter '{name}': say whether it is 'required' or 'optional'")
    if required and default is not None:
        fail(entry.line, f"parameter '{name}': a required parameter takes no default")
    p = Parameter(name, type_name, required, m["description"].strip(), default, values)
    if default is not None:
        try:
            p.bind(default)
        except ParameterError as exc:
            fail(entry.line, f"default: {exc}")
    return p


# -- the SPARQL text --------------------------------------------------------------------


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


def _check_sparql(text: str, form: Token | None, checker: ox.Store, fail) -> list[str]:
    """Parse without evaluating; the projected variables of a SELECT query."""
    checked = text
    if form is not None and form.text.lower() == "ask":
        # ASK would be evaluated at once (SERVICE included); SELECT * is lazy.
        checked = text[: form.start] + "SELECT *" + text[form.end :]
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


def parse_query_file(path: Path, root: Path, *, checker: ox.Store | None = None) -> NamedQuery:
    """Read one query file and check its header against its SPARQL text."""
    shown = _display(path)

    def fail(line: int, message: str):
        raise CatalogError(f"{shown}:{line}: {message}")

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        fail(1, f"not UTF-8: {exc}")
    except OSError as exc:
        fail(1, f"cannot read: {exc}")
    lines = text.splitlines()
    entries, header_lines = _header(lines, fail)
    found: dict[str, _Entry] = {}
    for entry in entries:
        if entry.key in _ONCE and entry.key in found:
            fail(entry.line, f"'{entry.key}' given twice (first on line {found[entry.key].line})")
        if not entry.value:
            fail(entry.line, f"'{entry.key}' is empty")
        found.setdefault(entry.key, entry)
    for key in ("title", "description", "returns"):
        if key not in found:
            fail(1, f"the header has no '# {key}:' line")

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

    used, form = _scan(text)  # the header is comments: skipped
    if form is None:
        fail(header_lines + 1, "no SELECT, ASK, CONSTRUCT or DESCRIBE in the query")
    for p in params:
        if p.name not in used:
            fail(param_lines[p.name], f"parameter '{p.name}' is not used as ?{p.name} in the query")

    checker = checker or ox.Store()
    projected = _check_sparql(text, form, checker, fail)
    if params:
        # The parameters must bind into this text: check it bound with a value for each.
        samples = {p.name: p.bind(sample(p)) for p in params}
        try:
            bound = bind(text, samples)
            if form.text.lower() == "ask":  # bind() inserts after the ASK keyword
                bound = bound[: form.start] + "SELECT *" + bound[form.end :]
            checker.query(bound)
        except (SyntaxError, QuerySyntaxError) as exc:
            fail(
                param_lines[params[0].name],
                f"the parameters cannot be bound into this query: {str(exc).splitlines()[0][:300]}",
            )
    returns = tuple(v.strip().removeprefix("?") for v in found["returns"].value.split(","))
    if any(not v for v in returns):
        fail(found["returns"].line, "'returns' lists an empty name")
    if projected and set(returns) != set(projected):
        fail(
            found["returns"].line,
            f"'returns' lists {', '.join(returns)} but the query projects {', '.join(projected)}",
        )

    name = path.relative_to(root).with_suffix("").as_posix()
    query = NamedQuery(
        name=name,
        path=path,
        title=found["title"].value,
        description=found["description"].value,
        text=text,
        form=form.text.lower(),
        returns=returns,
        parameters=tuple(params),
        keywords=tuple(k.strip() for k in found["keywords"].value.split(",") if k.strip())
        if "keywords" in found
        else (),
        example=_example(found.get("example"), params, fail),
    )
    if "example" in found:
        try:
            query.bind(query.example)
        except ParameterError as exc:
            fail(found["example"].line, f"example: {exc}")
    elif any(p.required for p in params):
        fail(
            param_lines[next(p.name for p in params if p.required)],
            "a query with a required parameter needs an '# example:' line",
        )
    return query


def _example(entry: _Entry | None, params: list[Parameter], fail) -> dict[str, str]:
    if entry is None:
        return {}
    example: dict[str, str] = {}
    for pair in entry.value.split("&"):
        key, eq, value = pair.partition("=")
        key = key.strip()
        if not eq or not key:
            fail(entry.line, f"example: expected 'name=value' pairs joined by '&', got {pair!r}")
        if key in example:
            fail(entry.line, f"example: '{key}' given twice")
        example[key] = value.strip()
    return example
