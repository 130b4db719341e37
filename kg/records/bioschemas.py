"""Bioschemas (schema.org) JSON-LD for the HTML pages of resources, Nodes, pages, standards."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kg.records.common import clean

# -- Bioschemas -----------------------------------------------------------------------

PROFILES = {
    "SoftwareApplication": "https://bioschemas.org/profiles/ComputationalTool/1.0-RELEASE",
    "Dataset": "https://bioschemas.org/profiles/Dataset/1.0-RELEASE",
}
_RESOURCE_TYPES = {"tool": "SoftwareApplication", "database": "Dataset"}


def bioschemas(record: Mapping[str, Any], kind: str) -> dict:
    """Bioschemas / schema.org JSON-LD for a record of ``kind`` (resource, node, page,
    standard), to embed in its HTML page."""
    doc: dict[str, Any] = {"@context": "https://schema.org", "@id": record["@id"]}
    describe = _BY_KIND.get(kind)
    if describe is None:
        raise ValueError(f"no Bioschemas mapping for kind {kind!r}")
    doc.update(describe(record))
    if doc["@type"] in PROFILES:
        doc["dct:conformsTo"] = {"@id": PROFILES[doc["@type"]], "@type": "CreativeWork"}
        doc["@context"] = {"@vocab": "https://schema.org/", "dct": "http://purl.org/dc/terms/"}
    return clean(doc)


def _resource(record: Mapping[str, Any]) -> dict[str, Any]:
    """A toolkit resource: a SoftwareApplication (tool), a Dataset (database) or else a
    CreativeWork."""
    stype = _RESOURCE_TYPES.get(record.get("kind", ""), "CreativeWork")
    doc: dict[str, Any] = {
        "@type": stype,
        "name": record["name"],
        "identifier": record["id"],
        "description": record.get("description"),
        "url": record.get("url"),
        "sameAs": [
            r["@id"] for r in (record.get("biotoolsRecord"), record.get("fairsharingRecord")) if r
        ]
        or None,
        "keywords": [t["label"] for t in record.get("topics", []) if "label" in t] or None,
        "subjectOf": [
            {"@type": "WebPage", "@id": p["@id"], "name": p["title"]}
            for p in record.get("pages", [])
        ]
        or None,
    }
    if stype == "SoftwareApplication":
        doc["applicationCategory"] = "Computational science tool"
        doc["topic"] = [
            clean({"@type": "DefinedTerm", "@id": t["@id"], "name": t.get("label")})
            for t in record.get("topics", [])
        ] or None
    return doc


def _node(record: Mapping[str, Any]) -> dict[str, Any]:
    """An ELIXIR Node: an Organization whose members are its institutes."""
    return {
        "@type": "Organization",
        "name": record["name"],
        "identifier": record["id"],
        "parentOrganization": {"@type": "Organization", "name": "ELIXIR"},
        "address": clean({"@type": "PostalAddress", "addressCountry": record.get("country")})
        if record.get("country")
        else None,
        "member": [_institute(i) for i in record.get("institutes", [])] or None,
    }


def _institute(institute: Mapping[str, Any]) -> dict[str, Any]:
    return clean(
        {
            "@type": "Organization",
            "@id": institute["@id"],
            "name": institute["name"],
            "url": institute.get("url"),
            "location": clean(
                {
                    "@type": "Place",
                    "latitude": institute.get("latitude"),
                    "longitude": institute.get("longitude"),
                }
            )
            if "latitude" in institute
            else None,
        }
    )


def _page(record: Mapping[str, Any]) -> dict[str, Any]:
    """An RDMkit page: a WebPage of the RDMkit site mentioning its resources."""
    return {
        "@type": "WebPage",
        "name": record["title"],
        "description": record.get("description"),
        "url": record.get("url"),
        "isPartOf": {
            "@type": "WebSite",
            "name": "RDMkit",
            "url": "https://rdmkit.elixir-europe.org/",
        },
        "mentions": [
            {"@type": "Thing", "@id": r["@id"], "name": r["name"]}
            for r in record.get("resources", [])
        ]
        or None,
    }


def _standard(record: Mapping[str, Any]) -> dict[str, Any]:
    """A FAIRsharing record: a CreativeWork identified by its DOI."""
    return {
        "@type": "CreativeWork",
        "name": record["name"],
        "identifier": record.get("doi") or record["id"],
        "url": record["@id"],
    }


#: The schema.org description of each kind of record.
_BY_KIND: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "resource": _resource,
    "node": _node,
    "page": _page,
    "standard": _standard,
}
