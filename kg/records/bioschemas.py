"""Bioschemas (schema.org) JSON-LD for the HTML pages of resources, Nodes, pages, standards."""

from __future__ import annotations

from collections.abc import Mapping
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
    if kind == "resource":
        stype = _RESOURCE_TYPES.get(record.get("kind", ""), "CreativeWork")
        doc.update(
            {
                "@type": stype,
                "name": record["name"],
                "identifier": record["id"],
                "description": record.get("description"),
                "url": record.get("url"),
                "sameAs": [
                    r["@id"]
                    for r in (record.get("biotoolsRecord"), record.get("fairsharingRecord"))
                    if r
                ]
                or None,
                "keywords": [t["label"] for t in record.get("topics", []) if "label" in t] or None,
                "subjectOf": [
                    {"@type": "WebPage", "@id": p["@id"], "name": p["title"]}
                    for p in record.get("pages", [])
                ]
                or None,
            }
        )
        if stype == "SoftwareApplication":
            doc["applicationCategory"] = "Computational science tool"
            doc["topic"] = [
                clean({"@type": "DefinedTerm", "@id": t["@id"], "name": t.get("label")})
                for t in record.get("topics", [])
            ] or None
    elif kind == "node":
        doc.update(
            {
                "@type": "Organization",
                "name": record["name"],
                "identifier": record["id"],
                "parentOrganization": {"@type": "Organization", "name": "ELIXIR"},
                "address": clean(
                    {"@type": "PostalAddress", "addressCountry": record.get("country")}
                )
                if record.get("country")
                else None,
                "member": [
                    clean(
                        {
                            "@type": "Organization",
                            "@id": i["@id"],
                            "name": i["name"],
                            "url": i.get("url"),
                            "location": clean(
                                {
                                    "@type": "Place",
                                    "latitude": i.get("latitude"),
                                    "longitude": i.get("longitude"),
                                }
                            )
                            if "latitude" in i
                            else None,
                        }
                    )
                    for i in record.get("institutes", [])
                ]
                or None,
            }
        )
    elif kind == "page":
        doc.update(
            {
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
        )
    elif kind == "standard":
        doc.update(
            {
                "@type": "CreativeWork",
                "name": record["name"],
                "identifier": record.get("doi") or record["id"],
                "url": record["@id"],
            }
        )
    else:
        raise ValueError(f"no Bioschemas mapping for kind {kind!r}")
    if doc["@type"] in PROFILES:
        doc["dct:conformsTo"] = {"@id": PROFILES[doc["@type"]], "@type": "CreativeWork"}
        doc["@context"] = {"@vocab": "https://schema.org/", "dct": "http://purl.org/dc/terms/"}
    return clean(doc)
