"""Typed parameters of named queries: text values checked and bound as RDF terms.

Parameter types and how a value (always text: a URL parameter, a CLI ``--param``) is bound:

=========  =======================================================================
iri        an absolute ``http://``, ``https://`` or ``urn:`` IRI → ``NamedNode``
string     any text (quotes, ``>``, ``}``, ``#``, newlines…) → plain literal
integer    ``[+-]?[0-9]+`` → ``xsd:integer`` literal in canonical form
decimal    ``[+-]?(digits[.digits]|.digits)`` → ``xsd:decimal`` literal
boolean    ``true`` or ``false`` (any case) → ``xsd:boolean`` literal
date       ``YYYY-MM-DD``, a real date (``datetime.date.fromisoformat``) → ``xsd:date``
language   a well-formed BCP 47 tag (RFC 5646 syntax), lower-cased as Oxigraph
           stores language tags → plain string literal (compare with ``LANG()`` or
           ``langMatches``)
enum       ``enum: a|b|c`` — one of the listed values → ``NamedNode`` when every value
           is an absolute IRI, else a plain literal
=========  =======================================================================

Every value is at most :data:`MAX_VALUE_LENGTH` characters. Bindings are pyoxigraph
terms, bound by the store as a ``VALUES`` block opening the query's WHERE group
(:func:`kg.sparql.rewrite.bind`), so FILTERs and grouping see them: no text from a user is ever
formatted into SPARQL.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_VALUE_LENGTH = 2000

#: What each type expects, as said in error messages.
TYPES: dict[str, str] = {
    "iri": "an absolute http(s) or urn IRI",
    "string": f"a string of at most {MAX_VALUE_LENGTH} characters",
    "integer": "an integer",
    "decimal": "a decimal number",
    "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "language": "a BCP 47 language tag",
    "enum": "one of the listed values",
}

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_IRI = re.compile(r"(?:https?://[^/?#\s]+|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S)\S*", re.IGNORECASE)
# RFC 5646 "langtag" and private-use tags (the irregular grandfathered tags are left out).
_LANGUAGE = re.compile(
    r"""
    (?:
      (?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})   # language, extlang
      (?:-[A-Za-z]{4})?                                      # script
      (?:-(?:[A-Za-z]{2}|[0-9]{3}))?                         # region
      (?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*         # variants
      (?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*          # extensions
      (?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?                       # private use
    | [Xx](?:-[A-Za-z0-9]{1,8})+
    )
    """,
    re.VERBOSE,
)


class ParameterError(ValueError):
    """A parameter value cannot be bound; the message names the parameter and its type."""


def shown(value: str, width: int = 60) -> str:
    """A value as quoted in error messages, clipped."""
    return repr(value if len(value) <= width else value[:width] + "…")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    description: str
    default: str | None = None
    values: tuple[str, ...] | None = None  # enum only

    @property
    def expected(self) -> str:
        if self.type == "enum":
            return "one of " + ", ".join(self.values or ())
        return TYPES[self.type]

    def bind(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for ``value``; :class:`ParameterError` if it is not of the type."""
        if not isinstance(value, str):
            raise ParameterError(f"parameter '{self.name}': expected text, got {value!r}")
        if len(value) > MAX_VALUE_LENGTH:
            raise ParameterError(
                f"parameter '{self.name}': expected at most {MAX_VALUE_LENGTH} characters, "
                f"got {len(value)}"
            )
        try:
            term = _BINDERS[self.type](self, value)
        except ValueError:
            term = None
        if term is None:
            raise ParameterError(
                f"parameter '{self.name}': expected {self.expected}, got {shown(value)}"
            )
        return term

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "values": list(self.values) if self.values is not None else None,
            "description": self.description,
        }


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _bind_iri(_: Parameter, value: str) -> ox.NamedNode | None:
    return ox.NamedNode(value) if _IRI.fullmatch(value) else None


def _bind_string(_: Parameter, value: str) -> ox.Literal:
    return ox.Literal(value)


def _bind_integer(_: Parameter, value: str) -> ox.Literal | None:
    return _typed(str(int(value)), "integer") if _INTEGER.fullmatch(value) else None


def _bind_decimal(_: Parameter, value: str) -> ox.Literal | None:
    return _typed(value, "decimal") if _DECIMAL.fullmatch(value) else None


def _bind_boolean(_: Parameter, value: str) -> ox.Literal | None:
    lowered = value.lower()
    return _typed(lowered, "boolean") if lowered in ("true", "false") else None


def _bind_date(_: Parameter, value: str) -> ox.Literal | None:
    if not _DATE.fullmatch(value):
        return None
    return _typed(dt.date.fromisoformat(value).isoformat(), "date")


def _bind_language(_: Parameter, value: str) -> ox.Literal | None:
    return ox.Literal(value.lower()) if _LANGUAGE.fullmatch(value) else None


def _bind_enum(p: Parameter, value: str) -> ox.NamedNode | ox.Literal | None:
    if value not in (p.values or ()):
        return None
    return ox.NamedNode(value) if _all_iris(p.values) else ox.Literal(value)


def _all_iris(values: tuple[str, ...] | None) -> bool:
    return bool(values) and all(_IRI.fullmatch(v) for v in values)


_BINDERS = {
    "iri": _bind_iri,
    "string": _bind_string,
    "integer": _bind_integer,
    "decimal": _bind_decimal,
    "boolean": _bind_boolean,
    "date": _bind_date,
    "language": _bind_language,
    "enum": _bind_enum,
}


SAMPLES = {
    "iri": "urn:x:sample",
    "string": "sample",
    "integer": "0",
    "decimal": "0.5",
    "boolean": "true",
    "date": "2000-01-01",
    "language": "en",
}


def sample(p: Parameter) -> str:
    """A value of the parameter's type, to check that the query binds it."""
    if p.default is not None:
        return p.default
    return p.values[0] if p.type == "enum" and p.values else SAMPLES[p.type]
