"""Resolve an external identifier or a URL to the graph's own IRIs.

- ``biotools``: a bio.tools id (``galaxy``; compared ignoring case, as bio.tools does), or
  its URL ``https://bio.tools/<id>``;
- ``fairsharing``: a FAIRsharing id in any written form (``z4xpxx``, ``FAIRsharing.z4xpxx``,
  ``10.25504/FAIRsharing.z4xpxx``, ``https://doi.org/10.25504/FAIRsharing.z4xpxx``) or a
  legacy id as RDMkit wrote it;
- ``url``: a web address (``schema:url``) of a resource, national resource or page
  (the same address with or without a final ``/``).

Each answer is a list of ``{"@id", "kind", "name"}`` (kind: ``resource``,
``national-resource``, ``page``), in a stable order.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.records.common import FAIRSHARING_DOI, FilterError, lit, select
from kg.store.base import Store

KINDS_OF_TYPE = {
    "https://w3id.org/elixir-converge/ontology#ToolkitResource": "resource",
    "https://w3id.org/elixir-converge/ontology#NationalResource": "national-resource",
    "https://w3id.org/elixir-converge/ontology#Page": "page",
}
_MATCH_TAIL = """
  VALUES ?type { ckg:ToolkitResource ckg:NationalResource ckg:Page }
  ?thing a ?type .
  OPTIONAL { ?thing schema:name ?name }
} ORDER BY ?type ?thing"""
_BY_BIOTOOLS = (
    "SELECT DISTINCT ?thing ?type ?name WHERE {\n  ?thing ckg:biotoolsId ?given .\n  FILTER (LCASE(STR(?given)) = LCASE(?id))"
    + _MATCH_TAIL
)
_BY_FAIRSHARING = (
    "SELECT DISTINCT ?thing ?type ?name WHERE {\n  ?thing ckg:fairsharingRecord ?record ."
    + _MATCH_TAIL
)
_BY_FAIRSHARING_WRITTEN = (
    "SELECT DISTINCT ?thing ?type ?name WHERE {\n  ?thing ckg:fairsharingId ?written ."
    + _MATCH_TAIL
)
_BY_URL = "SELECT DISTINCT ?thing ?type ?name WHERE {\n  ?thing schema:url ?url ." + _MATCH_TAIL
_BIOTOOLS_ID = re.compile(r"(?:https?://bio\.tools/)?([-.0-9A-Za-z_]+)/?")
_FAIRSHARING_ID = re.compile(
    r"(?:(?:https?://(?:dx\.)?doi\.org/)?10\.25504/)?(?:FAIRsharing\.)?([0-9A-Za-z]+)",
    re.IGNORECASE,
)
MAX_VALUE = 2000
RESOLVERS = ("biotools", "fairsharing", "url")


def _rows(store: Store, text: str, bindings: dict) -> list[dict]:
    return [
        {
            "@id": r["thing"],
            "kind": KINDS_OF_TYPE[r["type"]],
            **({"name": r["name"]} if r["name"] else {}),
        }
        for r in select(store, text, bindings)
    ]


def resolve(store: Store, by: str, value: str) -> list[dict]:
    """Our IRIs for ``value`` read as ``by`` (biotools, fairsharing, url); raises
    :class:`FilterError` for a value that cannot be such an identifier."""
    value = value.strip()
    if not value or len(value) > MAX_VALUE:
        raise FilterError(by, f"expected a value of 1 to {MAX_VALUE} characters")
    if by == "biotools":
        match = _BIOTOOLS_ID.fullmatch(value)
        if not match:
            raise FilterError(by, f"not a bio.tools id: {value[:60]!r} (pattern ^[-.0-9A-Za-z_]+$)")
        return _rows(store, _BY_BIOTOOLS, {"id": lit(match.group(1))})
    if by == "fairsharing":
        match = _FAIRSHARING_ID.fullmatch(value)
        if not match:
            raise FilterError(by, f"not a FAIRsharing id or DOI: {value[:60]!r}")
        found = _rows(
            store, _BY_FAIRSHARING, {"record": ox.NamedNode(FAIRSHARING_DOI + match.group(1))}
        )
        return found or _rows(store, _BY_FAIRSHARING_WRITTEN, {"written": lit(value)})
    if by == "url":
        if not re.match(r"https?://", value, re.IGNORECASE):
            raise FilterError(by, f"expected an http(s) URL, got {value[:60]!r}")
        found: list[dict] = []
        for variant in dict.fromkeys((value, value.rstrip("/"), value.rstrip("/") + "/")):
            try:
                term = ox.NamedNode(variant)
            except ValueError:
                raise FilterError(by, f"not a valid IRI: {value[:60]!r}") from None
            found += [m for m in _rows(store, _BY_URL, {"url": term}) if m not in found]
        return found
    raise FilterError(by, f"expected one of {', '.join(RESOLVERS)}")
