"""Limits on RDF input checked before any parser runs: JSON-LD nesting, XML entities.

Every reader of RDF from outside — a source file (:mod:`loaders.rdf_files`), a Graph Store
body, a document to validate (:mod:`kg.validation.documents`) — calls :func:`check_input`
first, so that no document can crash or flood pyoxigraph's parsers.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

#: Deepest JSON nesting accepted in JSON-LD: pyoxigraph's JSON-LD parser recurses on the
#: native stack, and a document nested some ten thousand levels deep crashes the process.
MAX_JSON_DEPTH = 256
#: Most characters the entity references of an RDF/XML document may expand to: pyoxigraph
#: expands internal entities without a limit ("billion laughs" takes all memory).
MAX_ENTITY_EXPANSION = 1_000_000

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_ENTITY = re.compile(
    rb"<!ENTITY\s+(%\s*)?([^\s>]+)\s*(SYSTEM|PUBLIC)?\s*(\"[^\"]*\"|'[^']*')?", re.I
)


def check_input(data: bytes, fmt: ox.RdfFormat) -> None:
    """Refuse a document that would crash or flood the parser (ValueError says why).

    JSON-LD nested deeper than :data:`MAX_JSON_DEPTH`; RDF/XML with parameter or
    external entities, entities defined through other entities, or references that
    would expand to more than :data:`MAX_ENTITY_EXPANSION` characters.
    """
    if fmt == ox.RdfFormat.JSON_LD:
        depth = 0
        for bracket in _BRACKETS.findall(_JSON_STRING.sub(b'""', data)):
            depth += 1 if bracket in b"[{" else -1
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    elif fmt == ox.RdfFormat.RDF_XML and b"<!ENTITY" in data.upper():
        expansion = 0
        for parameter, name, external, value in _ENTITY.findall(data):
            label = name.decode("utf-8", "replace")
            if parameter or external or not value:
                raise ValueError(f"XML entity {label!r}: only internal entities are allowed")
            if b"&" in value or b"%" in value:
                raise ValueError(f"XML entity {label!r} refers to other entities; not allowed")
            expansion += (len(value) - 2) * data.count(b"&" + name + b";")
        if expansion > MAX_ENTITY_EXPANSION:
            raise ValueError(
                f"XML entities would expand to {expansion} characters "
                f"(at most {MAX_ENTITY_EXPANSION})"
            )
