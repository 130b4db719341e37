"""Toolkit resources: one resource, and filtered, paged lists of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from kg.namespaces import Iris
from kg.records.common import (
    MAX_TEXT,
    PAGE_KINDS,
    REGISTRIES,
    FilterError,
    Store,
    clean,
    iri,
    lit,
    page_ref,
    registry_ref,
    select,
)

# -- resources ---------------------------------------------------------------------

#: The fields of a toolkit resource ?r: one resource and the list both read these.
_RESOURCE_FIELDS = """
  ?r a ckg:ToolkitResource ; dct:identifier ?id ; schema:name ?name .
  OPTIONAL { ?r schema:description ?description }
  OPTIONAL { ?r schema:url ?url }
  OPTIONAL { ?r ckg:biotoolsId ?biotoolsId OPTIONAL { ?r ckg:biotoolsRecord ?biotools } }
  OPTIONAL { ?r ckg:fairsharingId ?fairsharingId
             OPTIONAL { ?r ckg:fairsharingRecord ?fairsharing } }
"""
_RESOURCE = (
    "SELECT ?id ?name ?description ?url ?biotoolsId ?biotools ?fairsharingId ?fairsharing ?tess"
    " WHERE {" + _RESOURCE_FIELDS + "  OPTIONAL { ?r ckg:tessQuery ?tess }\n}"
)
_RESOURCE_PAGES = """
SELECT DISTINCT ?page ?key ?title ?kind WHERE {
  { ?page ckg:mentions ?r } UNION { ?page ckg:refersToResource ?r }
  ?page dct:identifier ?key ; schema:name ?title ; ckg:pageKind ?kind .
} ORDER BY ?kind ?title"""
_RESOURCE_STAGES = """
SELECT DISTINCT ?stage ?notation ?label ?order WHERE {
  ?stagePage ckg:lifeCycleStage ?stage ; ckg:relatedPage ?task .
  ?task ckg:pageKind ckg:taskPage ; ckg:mentions ?r .
  ?stage skos:notation ?notation ; skos:prefLabel ?label ; ckg:order ?order .
} ORDER BY ?order"""
_RESOURCE_ROLES = """
SELECT DISTINCT ?page ?key ?title WHERE {
  ?instance ckg:instanceOf ?r ; ckg:relatedPage ?page .
  ?page ckg:pageKind ckg:rolePage ; dct:identifier ?key ; schema:name ?title .
} ORDER BY ?title"""
_RESOURCE_INSTANCES = """
SELECT ?instance ?name ?url ?country ?node ?nodeName WHERE {
  ?instance ckg:instanceOf ?r ; schema:name ?name ; ckg:country ?country .
  OPTIONAL { ?instance schema:url ?url }
  OPTIONAL { ?instance ckg:node ?node OPTIONAL { ?node schema:name ?nodeName } }
} ORDER BY ?country ?name ?instance"""
_RESOURCE_TOPICS = """
SELECT DISTINCT ?topic ?label WHERE {
  { ?r ckg:biotoolsRecord/edam:has_topic ?topic } UNION { ?r ckg:edamTopic ?topic }
  OPTIONAL { ?topic rdfs:label ?label }
} ORDER BY ?label ?topic"""


def resource(store: Store, base: str, resource_id: str) -> dict | None:
    """One toolkit resource by its RDMkit id, or None."""
    r = Iris(base).resource(resource_id)
    rows = select(store, _RESOURCE, {"r": r})
    if not rows:
        return None
    core = rows[0]
    b = {"r": r}
    pages = [page_ref(p) for p in select(store, _RESOURCE_PAGES, b)]
    stages = [
        {"@id": s["stage"], "id": s["notation"], "label": s["label"]}
        for s in select(store, _RESOURCE_STAGES, b)
    ]
    roles = [page_ref({**p, "kind": PAGE_KINDS["role"]}) for p in select(store, _RESOURCE_ROLES, b)]
    instances, nodes = _national_instances(store, b)
    topics = [
        clean({"@id": t["topic"], "label": t["label"]}) for t in select(store, _RESOURCE_TOPICS, b)
    ]
    return clean(
        {
            "@id": r.value,
            "@type": "ToolkitResource",
            **_fields(core),
            "tess": core["tess"],
            "kind": resource_kind(core),
            "pages": pages,
            "stages": stages,
            "tasks": [p for p in pages if p["kind"] == "task"],
            "domains": [p for p in pages if p["kind"] == "domain"],
            "roles": roles,
            "nodes": nodes,
            "nationalInstances": instances,
            "topics": topics,
        }
    )


def _national_instances(store: Store, b: dict) -> tuple[list[dict], list[dict]]:
    """The resource's national instances, and the Nodes they belong to (by code)."""
    instances, nodes = [], {}
    for row in select(store, _RESOURCE_INSTANCES, b):
        node = clean({"@id": row["node"], "id": row["country"], "name": row["nodeName"]})
        instances.append(
            clean(
                {
                    "@id": row["instance"],
                    "name": row["name"],
                    "url": row["url"],
                    "country": row["country"],
                    "node": node if row["node"] else None,
                }
            )
        )
        if row["node"]:
            nodes.setdefault(row["node"], node)
    return instances, sorted(nodes.values(), key=lambda n: n["id"])


def resource_kind(row: Mapping[str, Any]) -> str:
    """``tool`` when registered in bio.tools, ``standard`` when only in FAIRsharing, else
    ``resource`` (the RDMkit list does not type its entries)."""
    if row.get("biotoolsId") or row.get("biotools"):
        return "tool"
    if row.get("fairsharingId") or row.get("fairsharing"):
        return "standard"
    return "resource"


#: One fixed query per filter: the resources ``?r`` it keeps, given its bound value.
RESOURCE_FILTERS: dict[str, tuple[str, str]] = {
    "stage": (
        "stage",
        "SELECT DISTINCT ?r WHERE { ?stagePage ckg:lifeCycleStage ?stage ; ckg:relatedPage ?t . "
        "?t ckg:pageKind ckg:taskPage ; ckg:mentions ?r }",
    ),
    "task": ("task", "SELECT DISTINCT ?r WHERE { ?task ckg:mentions ?r }"),
    "domain": ("domain", "SELECT DISTINCT ?r WHERE { ?domain ckg:mentions ?r }"),
    "role": (
        "role",
        "SELECT DISTINCT ?r WHERE { ?i ckg:instanceOf ?r ; ckg:relatedPage ?role }",
    ),
    "node": ("node", "SELECT DISTINCT ?r WHERE { ?i ckg:instanceOf ?r ; ckg:node ?node }"),
    "registry=biotools": ("", "SELECT DISTINCT ?r WHERE { ?r ckg:biotoolsId ?v }"),
    "registry=fairsharing": ("", "SELECT DISTINCT ?r WHERE { ?r ckg:fairsharingId ?v }"),
    "missing=biotools": (
        "",
        "SELECT ?r WHERE { ?r a ckg:ToolkitResource FILTER NOT EXISTS { ?r ckg:biotoolsId ?v } }",
    ),
    "missing=fairsharing": (
        "",
        "SELECT ?r WHERE { ?r a ckg:ToolkitResource "
        "FILTER NOT EXISTS { ?r ckg:fairsharingId ?v } }",
    ),
    "q": (
        "q",
        "SELECT ?r WHERE { ?r a ckg:ToolkitResource ; schema:name ?name "
        "OPTIONAL { ?r schema:description ?description } "
        "FILTER (CONTAINS(LCASE(?name), LCASE(?q)) || "
        'CONTAINS(LCASE(COALESCE(?description, "")), LCASE(?q))) }',
    ),
}
_RESOURCE_IDS = """
SELECT ?r WHERE { ?r a ckg:ToolkitResource ; dct:identifier ?id ; schema:name ?name }
ORDER BY LCASE(?name) ?id"""
RESOURCE_LIST = (
    "SELECT ?r ?id ?name ?description ?url ?biotoolsId ?biotools ?fairsharingId ?fairsharing"
    " WHERE {" + _RESOURCE_FIELDS + "}"
)
#: Pages longer than this are described by one query over all resources, shorter ones
#: resource by resource.
_ROW_BY_ROW = 100
FILTER_NAMES = ("stage", "task", "domain", "role", "node", "country", "registry", "missing", "q")


def facets(store: Store, base: str) -> dict[str, list[dict]]:
    """The values each resource filter accepts, with labels and resource counts."""
    out: dict[str, list[dict]] = {}
    stages = select(
        store,
        """SELECT ?stage ?notation ?label (COUNT(DISTINCT ?r) AS ?resources) WHERE {
          ?stage a ckg:LifeCycleStage ; skos:notation ?notation ; skos:prefLabel ?label ;
                 ckg:order ?order .
          OPTIONAL { ?sp ckg:lifeCycleStage ?stage ; ckg:relatedPage ?t .
                     ?t ckg:pageKind ckg:taskPage ; ckg:mentions ?r }
        } GROUP BY ?stage ?notation ?label ?order ORDER BY ?order""",
    )
    out["stage"] = [
        {"value": s["notation"], "@id": s["stage"], "label": s["label"], "count": s["resources"]}
        for s in stages
    ]
    for kind in ("task", "domain", "role"):
        via = (
            "OPTIONAL { ?i ckg:instanceOf ?r ; ckg:relatedPage ?page }"
            if kind == "role"
            else "OPTIONAL { ?page ckg:mentions ?r }"
        )
        rows = select(
            store,
            "SELECT ?page ?key ?title (COUNT(DISTINCT ?r) AS ?resources) WHERE { "
            "?page ckg:pageKind ?kind ; dct:identifier ?key ; schema:name ?title . "
            + via
            + " } GROUP BY ?page ?key ?title ORDER BY ?title",
            {"kind": iri(PAGE_KINDS[kind])},
        )
        out[kind] = [
            {"value": p["key"], "@id": p["page"], "label": p["title"], "count": p["resources"]}
            for p in rows
        ]
    nodes = select(
        store,
        """SELECT ?node ?code ?name (COUNT(DISTINCT ?r) AS ?resources) WHERE {
          ?node a ckg:Node ; dct:identifier ?code ; schema:name ?name .
          OPTIONAL { ?i ckg:node ?node ; ckg:instanceOf ?r }
        } GROUP BY ?node ?code ?name ORDER BY ?code""",
    )
    out["node"] = [
        {"value": n["code"], "@id": n["node"], "label": n["name"], "count": n["resources"]}
        for n in nodes
    ]
    out["registry"] = [{"value": name, "label": label} for name, label in REGISTRY_LABELS.items()]
    return out


REGISTRY_LABELS = {"biotools": "bio.tools", "fairsharing": "FAIRsharing"}


_OPTIONS = {
    "stage": """SELECT ?value ?iri WHERE {
      ?iri a ckg:LifeCycleStage ; skos:notation ?value ; ckg:order ?order } ORDER BY ?order""",
    "page": """SELECT ?value ?iri WHERE {
      ?iri ckg:pageKind ?kind ; dct:identifier ?value } ORDER BY ?value""",
    "node": """SELECT ?value ?iri WHERE { ?iri a ckg:Node ; dct:identifier ?value } ORDER BY ?value""",
}


def _check_one(store: Store, name: str, key: str, value: str) -> ox.NamedNode:
    """The IRI a filter value names (a notation, page id or Node code, or the IRI itself)."""
    if key == "stage":
        options = select(store, _OPTIONS["stage"])
    elif key == "node":
        options = select(store, _OPTIONS["node"])
        value = value.upper() if not value.startswith(("http://", "https://")) else value
    else:
        options = select(store, _OPTIONS["page"], {"kind": iri(PAGE_KINDS[key])})
    for option in options:
        if value in (option["value"], option["iri"]):
            return iri(option["iri"])
    shown = value if len(value) <= 60 else value[:60] + "…"
    known = ", ".join(o["value"] for o in options[:12])
    more = ", …" if len(options) > 12 else ""
    raise FilterError(name, f"unknown value {shown!r}; expected one of {known}{more}")


def resource_filters(store: Store, base: str, filters: Mapping[str, str]) -> list[tuple[str, dict]]:
    """Check ``filters`` (name → value): the fixed query of each with its bindings.

    Stage values are notations (``preserve``) or stage IRIs; task, domain and role values
    page ids (``data_publication``) or page IRIs; ``node``/``country`` a Node code;
    ``registry``/``missing`` ``biotools`` or ``fairsharing``; ``q`` any text (searched in
    names and descriptions, ignoring case). Raises :class:`FilterError`.
    """
    unknown = [k for k in filters if k not in FILTER_NAMES]
    if unknown:
        raise FilterError(unknown[0], f"not a filter; use {', '.join(FILTER_NAMES)}")
    if "node" in filters and "country" in filters:
        raise FilterError("country", "give 'node' or 'country', not both")
    out: list[tuple[str, dict]] = []
    for name, value in filters.items():
        if name in ("stage", "task", "domain", "role", "node", "country"):
            key = "node" if name == "country" else name
            variable, query = RESOURCE_FILTERS[key]
            out.append((query, {variable: _check_one(store, name, key, value)}))
        elif name in ("registry", "missing"):
            if value not in REGISTRIES:
                raise FilterError(name, f"expected biotools or fairsharing, got {value[:60]!r}")
            out.append((RESOURCE_FILTERS[f"{name}={value}"][1], {}))
        else:  # q
            text = value.strip()
            if not text or len(text) > MAX_TEXT:
                raise FilterError("q", f"expected a text of 1 to {MAX_TEXT} characters")
            out.append((RESOURCE_FILTERS["q"][1], {"q": lit(text)}))
    return out


def _fields(row: dict) -> dict:
    """The fields of a resource read by :data:`_RESOURCE_FIELDS`, as the record names them."""
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "url": row["url"],
        "biotoolsRecord": registry_ref(row["biotools"], row["biotoolsId"]),
        "fairsharingRecord": registry_ref(row["fairsharing"], row["fairsharingId"]),
    }


def _resource_row(row: dict) -> dict:
    return clean({"@id": row["r"], **_fields(row), "kind": resource_kind(row)})


def resources(
    store: Store,
    base: str,
    filters: Mapping[str, str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict]]:
    """Toolkit resources matching every filter, by name: (total, one page of rows).

    Raises :class:`FilterError` for an unknown filter or value.
    """
    checks = resource_filters(store, base, filters or {})
    ids = [row["r"] for row in select(store, _RESOURCE_IDS)]
    for query, bindings in checks:
        kept = {row["r"] for row in select(store, query, bindings)}
        ids = [i for i in ids if i in kept]
    ids = list(dict.fromkeys(ids))
    chosen = ids[offset : offset + limit]
    if len(chosen) > _ROW_BY_ROW:
        wanted = set(chosen)
        rows = {r["r"]: r for r in select(store, RESOURCE_LIST) if r["r"] in wanted}
        details = [rows[i] for i in chosen]
    else:
        details = [select(store, RESOURCE_LIST, {"r": iri(i)})[0] for i in chosen]
    return len(ids), [_resource_row(r) for r in details]
