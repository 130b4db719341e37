"""The toolkit as a DCAT 3 catalog, for harvesters.

``<base>catalog`` is a ``dcat:Catalog`` published by ELIXIR (``<base>organisation/elixir``)
listing every toolkit resource (``dcat:resource``). A resource registered in bio.tools is
software offered to users and typed ``dcat:DataService`` (listed with ``dcat:service``);
the others are typed ``dcat:Resource`` only, since RDMkit does not say whether they are
datasets, standards or guidelines. Each carries ``dct:identifier``, ``dct:title``,
``dct:description``, ``dcat:landingPage`` (its web site), ``dcat:theme`` (its life-cycle
stages, concepts of ``ckg:LifeCycleStageScheme``, and its RDMkit domain pages),
``dct:publisher`` and ``dct:isReferencedBy`` (its bio.tools and FAIRsharing records).
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kg.namespaces import CKG, DCAT, DCT, FOAF, RDF_TYPE, Iris
from kg.records.common import select
from kg.records.resources import RESOURCE_LIST
from kg.store.base import Store

_THEMES = """
SELECT DISTINCT ?r ?theme WHERE {
  {
    ?stagePage ckg:lifeCycleStage ?theme ; ckg:relatedPage ?task .
    ?task ckg:pageKind ckg:taskPage ; ckg:mentions ?r .
  } UNION {
    ?theme ckg:pageKind ckg:domainPage ; ckg:mentions ?r .
  }
} ORDER BY ?r ?theme"""

dcat = {
    name: ox.NamedNode(DCAT + name)
    for name in (
        "Catalog",
        "Resource",
        "DataService",
        "resource",
        "service",
        "landingPage",
        "theme",
        "themeTaxonomy",
    )
}
dct = {
    name: ox.NamedNode(DCT + name)
    for name in (
        "title",
        "description",
        "publisher",
        "identifier",
        "isReferencedBy",
        "license",
    )
}


def catalog_iri(base: str) -> ox.NamedNode:
    return ox.NamedNode(base + "catalog")


#: What the catalog says of itself.
TITLE = "ELIXIR-CONVERGE data-management toolkit (RDMkit)"
DESCRIPTION = (
    "The tools and resources of the RDMkit data-management toolkit, by life-cycle "
    "stage and domain, with their bio.tools and FAIRsharing records."
)
LANDING_PAGE = "https://rdmkit.elixir-europe.org/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def catalog(store: Store, base: str) -> list[ox.Triple]:
    """The DCAT catalog of the toolkit as triples."""
    cat = catalog_iri(base)
    elixir = Iris(base).organisation("elixir")
    out = _catalog_description(cat, elixir)
    themes = _themes(store)
    seen: set[str] = set()
    for row in select(store, RESOURCE_LIST + " ORDER BY ?r"):
        if row["r"] in seen:
            continue
        seen.add(row["r"])
        out += _resource(cat, elixir, row, themes.get(row["r"], []))
    return out


def _catalog_description(cat: ox.NamedNode, elixir: ox.NamedNode) -> list[ox.Triple]:
    """The catalog itself and its publisher."""
    return [
        ox.Triple(cat, RDF_TYPE, dcat["Catalog"]),
        ox.Triple(cat, dct["title"], ox.Literal(TITLE, language="en")),
        ox.Triple(cat, dct["description"], ox.Literal(DESCRIPTION, language="en")),
        ox.Triple(cat, dct["publisher"], elixir),
        ox.Triple(elixir, RDF_TYPE, ox.NamedNode(FOAF + "Agent")),
        ox.Triple(elixir, ox.NamedNode(FOAF + "name"), ox.Literal("ELIXIR")),
        ox.Triple(cat, dcat["landingPage"], ox.NamedNode(LANDING_PAGE)),
        ox.Triple(cat, dct["license"], ox.NamedNode(LICENSE)),
        ox.Triple(cat, dcat["themeTaxonomy"], ox.NamedNode(CKG + "LifeCycleStageScheme")),
    ]


def _themes(store: Store) -> dict[str, list[str]]:
    """The themes (life-cycle stages, domain pages) of each resource, by resource IRI."""
    themes: dict[str, list[str]] = defaultdict(list)
    for row in select(store, _THEMES):
        themes[row["r"]].append(row["theme"])
    return themes


def _resource(
    cat: ox.NamedNode, elixir: ox.NamedNode, row: dict, themes: list[str]
) -> list[ox.Triple]:
    """One toolkit resource of the catalog: a service when registered in bio.tools."""
    r = ox.NamedNode(row["r"])
    service = row["biotoolsId"] is not None
    out = [
        ox.Triple(cat, dcat["service" if service else "resource"], r),
        ox.Triple(r, RDF_TYPE, dcat["Resource"]),
        ox.Triple(r, dct["identifier"], ox.Literal(row["id"])),
        ox.Triple(r, dct["title"], ox.Literal(row["name"])),
        ox.Triple(r, dct["publisher"], elixir),
    ]
    if service:
        out.append(ox.Triple(r, RDF_TYPE, dcat["DataService"]))
    if row["description"]:
        out.append(ox.Triple(r, dct["description"], ox.Literal(row["description"])))
    if row["url"]:
        out.append(ox.Triple(r, dcat["landingPage"], ox.NamedNode(row["url"])))
    for record in (row["biotools"], row["fairsharing"]):
        if record:
            out.append(ox.Triple(r, dct["isReferencedBy"], ox.NamedNode(record)))
    out += [ox.Triple(r, dcat["theme"], ox.NamedNode(t)) for t in themes]
    return out
