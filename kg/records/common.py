"""Shared pieces of the record functions: running fixed SELECTs, cleaning rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from kg.namespaces import CKG
from kg.queries.pages import native
from kg.sparql.formats import json_term
from kg.store.base import Store, Term

PREFIXES = """PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX edam: <http://edamontology.org/>
"""

#: Page kinds: short name ↔ concept of ckg:PageKindScheme.
PAGE_KINDS: dict[str, str] = {
    "stage": CKG + "lifeCycleStagePage",
    "task": CKG + "taskPage",
    "domain": CKG + "domainPage",
    "role": CKG + "rolePage",
    "tool_assembly": CKG + "toolAssemblyPage",
    "national": CKG + "nationalPage",
    "information": CKG + "informationPage",
}
KIND_OF = {iri: name for name, iri in PAGE_KINDS.items()}

#: Registries a resource may be listed in (``registry=`` / ``missing=`` filters).
REGISTRIES: dict[str, str] = {"biotools": "ckg:biotoolsId", "fairsharing": "ckg:fairsharingId"}

FAIRSHARING_DOI = "https://doi.org/10.25504/FAIRsharing."
MAX_TEXT = 200  # longest accepted search text


class FilterError(ValueError):
    """A filter value that is not acceptable; ``parameter`` names the filter."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"parameter '{parameter}': {message}")
        self.parameter = parameter


def value_of(term: object) -> Any:
    return native(json_term(term)) if term is not None else None


def select(store: Store, text: str, bindings: Mapping[str, Term] | None = None) -> list[dict]:
    """Run a fixed SELECT (prefixes added) and return its rows with JSON-native values."""
    result = store.query(PREFIXES + text, bindings)
    names = [v.value for v in result.variables]
    return [{n: value_of(row[n]) for n in names} for row in result]


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def lit(value: str) -> ox.Literal:
    return ox.Literal(value)


def distinct(rows: list[dict], key: str) -> list[dict]:
    seen: set = set()
    out = []
    for row in rows:
        if row[key] not in seen:
            seen.add(row[key])
            out.append(row)
    return out


def clean(record: dict) -> dict:
    """Drop absent (None) fields."""
    return {k: v for k, v in record.items() if v is not None}


def page_ref(row: dict) -> dict:
    return {
        "@id": row["page"],
        "id": row["key"],
        "title": row["title"],
        "kind": KIND_OF.get(row.get("kind") or "", row.get("kind")),
    }


def registry_ref(record_iri: Any, ident: Any) -> dict | None:
    if ident is None:
        return None
    return clean({"@id": record_iri, "id": ident})


def text_of(value: Any) -> str | None:
    return None if value is None else str(value)
