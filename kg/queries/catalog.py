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

:func:`load_catalog` reads and checks every file (the steps: :mod:`kg.queries.parse`); any
problem raises :class:`CatalogError` whose message starts with ``<file>:<line>:``. The SPARQL
text is parsed by Oxigraph on an empty in-memory store and never evaluated: SELECT, CONSTRUCT
and DESCRIBE results are lazy and are not iterated, and an ASK query is checked as the
``SELECT *`` it abbreviates, so no ``SERVICE`` is called while loading.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pyoxigraph as ox

from kg.queries import parse
from kg.queries.files import UnknownQuery
from kg.queries.parameters import MAX_VALUE_LENGTH, TYPES, Parameter, ParameterError
from kg.queries.parse import RESERVED
from kg.store.base import Term

__all__ = [
    "MAX_VALUE_LENGTH",
    "RESERVED",
    "TYPES",
    "Catalog",
    "CatalogError",
    "NamedQuery",
    "Parameter",
    "ParameterError",
    "UnknownQuery",
    "load_catalog",
]


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


def parse_query_file(path: Path, root: Path, *, checker: ox.Store | None = None) -> NamedQuery:
    """Read one query file and check its header against its SPARQL text."""
    shown = _display(path)

    def fail(line: int, message: str) -> NoReturn:
        raise CatalogError(f"{shown}:{line}: {message}")

    text = parse.read_text(path, fail)
    entries, header_lines = parse.header(text.splitlines(), fail)
    found = parse.fields(entries, fail)
    params, param_lines = parse.parameters(entries, fail)
    form = parse.query_form(text, params, param_lines, header_lines, fail)
    checker = checker or ox.Store()
    projected = parse.check_sparql(text, form, checker, fail)
    parse.check_binding(text, form, params, param_lines, checker, fail)
    returns = parse.returns(found["returns"], projected, fail)
    query = NamedQuery(
        name=path.relative_to(root).with_suffix("").as_posix(),
        path=path,
        title=found["title"].value,
        description=found["description"].value,
        text=text,
        form=form.text.lower(),
        returns=returns,
        parameters=tuple(params),
        keywords=parse.keywords(found.get("keywords")),
        example=parse.example(found.get("example"), fail),
    )
    _check_example(query, found.get("example"), param_lines, fail)
    return query


def _check_example(
    query: NamedQuery, entry: parse.Entry | None, param_lines: dict[str, int], fail: parse.Fail
) -> None:
    """The example must bind; a query with a required parameter must have one."""
    if entry is not None:
        try:
            query.bind(query.example)
        except ParameterError as exc:
            fail(entry.line, f"example: {exc}")
    elif any(p.required for p in query.parameters):
        fail(
            param_lines[next(p.name for p in query.parameters if p.required)],
            "a query with a required parameter needs an '# example:' line",
        )
