"""ELIXIR Nodes, RDMkit pages, standards (FAIRsharing records) and the home-page counts."""

from __future__ import annotations

from kg.namespaces import CKG, Iris
from kg.records.common import (
    FAIRSHARING_DOI,
    KIND_OF,
    PAGE_KINDS,
    FilterError,
    Store,
    Term,
    clean,
    distinct,
    iri,
    page_ref,
    select,
    text_of,
)

# -- nodes ---------------------------------------------------------------------------

_NODES = """
SELECT ?node ?code ?name ?country
       (COUNT(DISTINCT ?institute) AS ?institutes) (COUNT(DISTINCT ?nr) AS ?nationalResources)
WHERE {
  ?node a ckg:Node ; dct:identifier ?code ; schema:name ?name .
  OPTIONAL { ?node ckg:country ?country }
  OPTIONAL { ?im org:organization ?node ; org:member ?institute . ?institute a ckg:Institute }
  OPTIONAL { ?nr a ckg:NationalResource ; ckg:node ?node }
} GROUP BY ?node ?code ?name ?country ORDER BY ?code"""
_NODE_MEMBERSHIPS = """
SELECT ?membership ?status ?statusLabel ?start ?source WHERE {
  ?membership org:member ?node ; org:role ?status .
  OPTIONAL { ?status skos:prefLabel ?statusLabel }
  OPTIONAL { ?membership org:memberDuring/dcat:startDate ?start }
  OPTIONAL { ?membership dct:source ?source }
} ORDER BY ?start ?membership ?source"""
_NODE_INSTITUTES = """
SELECT ?institute ?name ?url ?latitude ?longitude ?address ?role ?roleLabel WHERE {
  ?m org:organization ?node ; org:member ?institute ; org:role ?role .
  ?institute a ckg:Institute ; schema:name ?name .
  OPTIONAL { ?role skos:prefLabel ?roleLabel }
  OPTIONAL { ?institute schema:url ?url }
  OPTIONAL { ?institute schema:latitude ?latitude ; schema:longitude ?longitude }
  OPTIONAL { ?institute schema:address ?address }
} ORDER BY ?name ?institute"""
_NODE_RESOURCES = """
SELECT ?nr ?name ?url ?description ?instanceOf ?instanceId ?instanceName WHERE {
  ?nr a ckg:NationalResource ; ckg:node ?node ; schema:name ?name .
  OPTIONAL { ?nr schema:url ?url }
  OPTIONAL { ?nr schema:description ?description }
  OPTIONAL { ?nr ckg:instanceOf ?instanceOf .
             ?instanceOf dct:identifier ?instanceId ; schema:name ?instanceName }
} ORDER BY LCASE(?name) ?nr"""
_NODE_PAGE = """
SELECT ?page ?key ?title WHERE {
  ?page ckg:pageKind ckg:nationalPage ; ckg:node ?node ; dct:identifier ?key ; schema:name ?title
} ORDER BY ?key"""
_NODE_LEAD = """
SELECT ?lead ?name WHERE { ?node ckg:leadInstitute ?lead . ?lead schema:name ?name }"""


def nodes(store: Store, base: str) -> list[dict]:
    """Every ELIXIR Node with its latest status and counts."""
    latest = {}
    for row in select(
        store,
        """SELECT ?node ?status ?statusLabel ?start WHERE {
          ?node a ckg:Node . ?m org:member ?node ; org:role ?status .
          OPTIONAL { ?status skos:prefLabel ?statusLabel }
          OPTIONAL { ?m org:memberDuring/dcat:startDate ?start }
        } ORDER BY ?node ?start""",
    ):
        latest[row["node"]] = clean(
            {"@id": row["status"], "label": row["statusLabel"], "since": text_of(row["start"])}
        )
    return [
        clean(
            {
                "@id": n["node"],
                "@type": "Node",
                "id": n["code"],
                "name": n["name"],
                "country": n["country"],
                "status": latest.get(n["node"]),
                "instituteCount": n["institutes"],
                "nationalResourceCount": n["nationalResources"],
            }
        )
        for n in select(store, _NODES)
    ]


def node(store: Store, base: str, code: str) -> dict | None:
    """One ELIXIR Node by its code (``PT``, ``EMBL``), or None."""
    iri = Iris(base).node(code)
    core = [n for n in select(store, _NODES, {"node": iri})]
    if not core:
        return None
    n = core[0]
    b = {"node": iri}
    lead = select(store, _NODE_LEAD, b)
    return clean(
        {
            "@id": n["node"],
            "@type": "Node",
            "id": n["code"],
            "name": n["name"],
            "country": n["country"],
            "leadInstitute": {"@id": lead[0]["lead"], "name": lead[0]["name"]} if lead else None,
            "memberships": _memberships(store, b),
            "institutes": _institutes(store, b),
            "nationalResources": _national_resources(store, b),
            "pages": [
                {"@id": p["page"], "id": p["key"], "title": p["title"], "kind": "national"}
                for p in select(store, _NODE_PAGE, b)
            ],
        }
    )


def _memberships(store: Store, b: dict) -> list[dict]:
    """The Node's memberships of ELIXIR (status, start), each with all its sources."""
    memberships: dict[str, dict] = {}
    for row in select(store, _NODE_MEMBERSHIPS, b):
        m = memberships.setdefault(
            row["membership"],
            clean(
                {
                    "@id": row["membership"],
                    "status": clean({"@id": row["status"], "label": row["statusLabel"]}),
                    "startDate": text_of(row["start"]),
                    "sources": [],
                }
            ),
        )
        if row["source"] and row["source"] not in m["sources"]:
            m["sources"].append(row["source"])
    return list(memberships.values())


def _institutes(store: Store, b: dict) -> list[dict]:
    """The Node's member institutes, with their role."""
    return [
        clean(
            {
                "@id": i["institute"],
                "name": i["name"],
                "url": i["url"],
                "latitude": i["latitude"],
                "longitude": i["longitude"],
                "address": i["address"],
                "role": clean({"@id": i["role"], "label": i["roleLabel"]}),
            }
        )
        for i in distinct(select(store, _NODE_INSTITUTES, b), "institute")
    ]


def _national_resources(store: Store, b: dict) -> list[dict]:
    """The Node's national resources, each with the toolkit resource it is an instance of."""
    return [
        clean(
            {
                "@id": r["nr"],
                "name": r["name"],
                "url": r["url"],
                "description": r["description"],
                "instanceOf": clean(
                    {"@id": r["instanceOf"], "id": r["instanceId"], "name": r["instanceName"]}
                )
                if r["instanceOf"]
                else None,
            }
        )
        for r in distinct(select(store, _NODE_RESOURCES, b), "nr")
    ]


# -- pages ---------------------------------------------------------------------------

_PAGE = """
SELECT ?key ?title ?description ?url ?kind ?stage ?stageLabel ?country ?node WHERE {
  ?page a ckg:Page ; dct:identifier ?key ; schema:name ?title ; ckg:pageKind ?kind .
  OPTIONAL { ?page schema:description ?description }
  OPTIONAL { ?page schema:url ?url }
  OPTIONAL { ?page ckg:lifeCycleStage ?stage OPTIONAL { ?stage skos:prefLabel ?stageLabel } }
  OPTIONAL { ?page ckg:country ?country }
  OPTIONAL { ?page ckg:node ?node }
}"""
_PAGE_RELATED = """
SELECT DISTINCT ?page ?key ?title ?kind WHERE {
  ?self ckg:relatedPage ?page .
  ?page dct:identifier ?key ; schema:name ?title ; ckg:pageKind ?kind .
} ORDER BY ?kind ?title"""
_PAGE_RELATED_FROM = """
SELECT DISTINCT ?page ?key ?title ?kind WHERE {
  ?page ckg:relatedPage ?self ; dct:identifier ?key ; schema:name ?title ; ckg:pageKind ?kind .
} ORDER BY ?kind ?title"""
_PAGE_RESOURCES = """
SELECT DISTINCT ?r ?id ?name WHERE {
  { ?self ckg:mentions ?r } UNION { ?self ckg:refersToResource ?r }
  ?r dct:identifier ?id ; schema:name ?name .
} ORDER BY LCASE(?name) ?id"""
_PAGE_NATIONAL = """
SELECT ?nr ?name ?url WHERE {
  ?self ckg:nationalResource ?nr . ?nr schema:name ?name . OPTIONAL { ?nr schema:url ?url }
} ORDER BY LCASE(?name) ?nr"""
_PAGE_TRAINING = """
SELECT ?t ?name ?url WHERE {
  ?self ckg:training ?t . ?t schema:name ?name . OPTIONAL { ?t schema:url ?url }
} ORDER BY ?t"""
_PAGE_TASKS_OF_RELATED_NATIONAL = """
SELECT DISTINCT ?nr ?name ?country WHERE {
  ?nr a ckg:NationalResource ; ckg:relatedPage ?self ; schema:name ?name ; ckg:country ?country
} ORDER BY ?country LCASE(?name)"""


def _ref(row: dict) -> dict:
    return page_ref(row)


def page(store: Store, base: str, key: str) -> dict | None:
    """One RDMkit page by its key (``page_id``, or file name for pages without one)."""
    iri = Iris(base).page(key)
    rows = select(store, _PAGE, {"page": iri})
    if not rows:
        return None
    p = rows[0]
    b = {"self": iri}
    return clean(
        {
            "@id": iri.value,
            "@type": "Page",
            "id": p["key"],
            "title": p["title"],
            "description": p["description"],
            "url": p["url"],
            "kind": KIND_OF.get(p["kind"], p["kind"]),
            "stage": clean({"@id": p["stage"], "label": p["stageLabel"]}) if p["stage"] else None,
            "country": p["country"],
            "node": {"@id": p["node"]} if p["node"] else None,
            "relatedPages": [_ref(r) for r in select(store, _PAGE_RELATED, b)],
            "relatedFrom": [_ref(r) for r in select(store, _PAGE_RELATED_FROM, b)],
            "resources": [
                {"@id": r["r"], "id": r["id"], "name": r["name"]}
                for r in distinct(select(store, _PAGE_RESOURCES, b), "r")
            ],
            "nationalResources": [
                clean({"@id": r["nr"], "name": r["name"], "url": r["url"]})
                for r in select(store, _PAGE_NATIONAL, b)
            ],
            "relatedNationalResources": [
                {"@id": r["nr"], "name": r["name"], "country": r["country"]}
                for r in select(store, _PAGE_TASKS_OF_RELATED_NATIONAL, b)
            ],
            "training": [
                clean({"@id": t["t"], "name": t["name"], "url": t["url"]})
                for t in select(store, _PAGE_TRAINING, b)
            ],
        }
    )


def pages(store: Store, base: str, kind: str | None = None) -> list[dict]:
    """RDMkit pages (of one kind: stage, task, domain, role, tool_assembly, national,
    information), by kind and title."""
    bindings: dict[str, Term] = {}
    if kind is not None:
        if kind not in PAGE_KINDS:
            raise FilterError("kind", f"expected one of {', '.join(PAGE_KINDS)}, got {kind[:60]!r}")
        bindings["kind"] = iri(PAGE_KINDS[kind])
    rows = select(
        store,
        """SELECT ?page ?key ?title ?kind ?description (COUNT(DISTINCT ?r) AS ?resources) WHERE {
          ?page a ckg:Page ; dct:identifier ?key ; schema:name ?title ; ckg:pageKind ?kind .
          OPTIONAL { ?page schema:description ?description }
          OPTIONAL { { ?page ckg:mentions ?r } UNION { ?page ckg:refersToResource ?r } }
        } GROUP BY ?page ?key ?title ?kind ?description ORDER BY ?kind ?title ?key""",
        bindings,
    )
    rows = distinct(rows, "page")
    return [
        clean({**page_ref(r), "description": r["description"], "resourceCount": r["resources"]})
        for r in rows
    ]


# -- standards (FAIRsharing records of toolkit resources) ------------------------------

_STANDARDS = """
SELECT ?record ?doi ?r ?id ?name WHERE {
  ?r a ckg:ToolkitResource ; ckg:fairsharingRecord ?record ; dct:identifier ?id ;
     schema:name ?name .
  OPTIONAL { ?record dct:identifier ?doi }
} ORDER BY ?record LCASE(?name)"""


def _standard_id(record_iri: str) -> str | None:
    return (
        record_iri.removeprefix(FAIRSHARING_DOI) if record_iri.startswith(FAIRSHARING_DOI) else None
    )


def standards(store: Store, base: str) -> list[dict]:
    """The FAIRsharing records (standards, databases, policies) the toolkit resources carry,
    each with its resources; by name of its first resource."""
    grouped: dict[str, dict] = {}
    for row in select(store, _STANDARDS):
        sid = _standard_id(row["record"])
        if sid is None:
            continue
        entry = grouped.setdefault(
            row["record"],
            clean(
                {
                    "@id": row["record"],
                    "@type": "FAIRsharingRecord",
                    "id": sid,
                    "doi": row["doi"],
                    "name": row["name"],
                    "resources": [],
                }
            ),
        )
        entry["resources"].append({"@id": row["r"], "id": row["id"], "name": row["name"]})
    return sorted(grouped.values(), key=lambda s: (s["name"].lower(), s["id"]))


def standard(store: Store, base: str, standard_id: str) -> dict | None:
    """One FAIRsharing record by its id (the part after ``FAIRsharing.``), or None."""
    try:
        record = iri(FAIRSHARING_DOI + standard_id)
    except ValueError:
        return None
    rows = select(store, _STANDARDS, {"record": record})
    if not rows:
        return None
    return clean(
        {
            "@id": record.value,
            "@type": "FAIRsharingRecord",
            "id": standard_id,
            "doi": rows[0]["doi"],
            "name": rows[0]["name"],
            "resources": [{"@id": r["r"], "id": r["id"], "name": r["name"]} for r in rows],
        }
    )


# -- home ------------------------------------------------------------------------------


def home_counts(store: Store, base: str) -> dict[str, int]:
    """Live counts for the home page."""
    row = select(
        store,
        """SELECT
          (COUNT(DISTINCT ?r) AS ?resources) (COUNT(DISTINCT ?b) AS ?biotools)
          (COUNT(DISTINCT ?f) AS ?fairsharing) WHERE {
          ?r a ckg:ToolkitResource .
          OPTIONAL { ?r ckg:biotoolsId ?bid BIND (?r AS ?b) }
          OPTIONAL { ?r ckg:fairsharingId ?fid BIND (?r AS ?f) }
        }""",
    )[0]
    counts = {
        "resources": row["resources"],
        "biotoolsLinked": row["biotools"],
        "fairsharingLinked": row["fairsharing"],
    }
    for name, cls in (
        ("pages", "Page"),
        ("nationalResources", "NationalResource"),
        ("nodes", "Node"),
        ("institutes", "Institute"),
    ):
        rows = select(
            store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?cls }", {"cls": iri(CKG + cls)}
        )
        counts[name] = rows[0]["n"]
    counts["standards"] = len(standards(store, base))
    return counts
