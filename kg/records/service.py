"""Descriptions of the service and of its data, as RDF: read from the store, live.

- :func:`service_description` — the W3C SPARQL 1.1 Service Description of a SPARQL
  endpoint: the endpoint, the languages, result formats and features it supports, and its
  dataset (the default graph is the union of the named graphs; one ``sd:namedGraph`` per
  named graph, each with its live triple count).
- :func:`void_description` — a VoID description of the whole store with live statistics
  (triples, classes, properties, distinct subjects and objects), one ``void:subset`` per
  named graph, and per graph its class and property partitions.

The statistics come from the ``queries/admin/void_*.rq`` queries, run on every call: on the
full build (~126,000 triples) VoID takes about 0.4 s, so nothing is cached. A triple held
in two named graphs counts once in the default graph's ``void:triples``. The endpoint IRI is
the caller's (the API builds it from the request and checks it); every dataset node is
minted under the configured base IRI (``<base>void``, ``<base>void/graph/<name>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE, void
from kg.queries.files import query_text
from kg.settings import Settings
from kg.sparql import formats
from kg.store.base import Store

SD = "http://www.w3.org/ns/sparql-service-description#"
W3C_FORMATS = "http://www.w3.org/ns/formats/"

#: The W3C format IRI (http://www.w3.org/ns/formats/) of each format in kg.sparql.formats.
FORMAT_IRIS: dict[str, str] = {
    "json": W3C_FORMATS + "SPARQL_Results_JSON",
    "xml": W3C_FORMATS + "SPARQL_Results_XML",
    "csv": W3C_FORMATS + "SPARQL_Results_CSV",
    "tsv": W3C_FORMATS + "SPARQL_Results_TSV",
    "turtle": W3C_FORMATS + "Turtle",
    "ntriples": W3C_FORMATS + "N-Triples",
    "jsonld": W3C_FORMATS + "JSON-LD",
    "rdfxml": W3C_FORMATS + "RDF_XML",
    "nquads": W3C_FORMATS + "N-Quads",
    "trig": W3C_FORMATS + "TriG",
}
LANGUAGES = ("SPARQL11Query", "SPARQL11Update")
FEATURES = ("UnionDefaultGraph", "BasicFederatedQuery")


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _int(n: int) -> ox.Literal:
    return ox.Literal(n)  # xsd:integer


# -- statistics ------------------------------------------------------------------------


@dataclass
class GraphStats:
    """Live statistics of one named graph (or, with ``graph=None``, of the default graph)."""

    graph: ox.NamedNode | None
    triples: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    #: class → number of distinct instances typed with it in this graph
    classes: dict[ox.NamedNode | ox.BlankNode | ox.Literal, int] = field(default_factory=dict)
    #: property → number of triples with it as predicate in this graph
    properties: dict[ox.NamedNode, int] = field(default_factory=dict)


def _value(solution: ox.QuerySolution, name: str) -> int:
    term = solution[name]
    return int(term.value) if term is not None else 0


def _counts(store: Store, settings: Settings) -> tuple[GraphStats, dict[ox.NamedNode, GraphStats]]:
    """Triples, distinct subjects and objects: of the default graph and of each named graph.

    Only the store's named graphs are reported (never its internal staging graphs).
    """
    whole = GraphStats(None)
    for row in store.query(query_text(settings, "admin/void_dataset_counts")):
        whole.triples = _value(row, "triples")
        whole.distinct_subjects = _value(row, "distinctSubjects")
        whole.distinct_objects = _value(row, "distinctObjects")
    graphs = {g: GraphStats(g) for g in store.named_graphs()}
    for row in store.query(query_text(settings, "admin/void_graph_counts")):
        stats = graphs.get(row["graph"])
        if stats is not None:
            stats.triples = _value(row, "triples")
            stats.distinct_subjects = _value(row, "distinctSubjects")
            stats.distinct_objects = _value(row, "distinctObjects")
    return whole, graphs


def _partitions(store: Store, settings: Settings, graphs: dict[ox.NamedNode, GraphStats]) -> None:
    """Fill in the class and property partitions of each graph."""
    for row in store.query(query_text(settings, "admin/void_class_partitions")):
        stats = graphs.get(row["graph"])
        if stats is not None:
            stats.classes[row["class"]] = _value(row, "entities")
    for row in store.query(query_text(settings, "admin/void_property_partitions")):
        stats = graphs.get(row["graph"])
        if stats is not None:
            stats.properties[row["property"]] = _value(row, "triples")


# -- IRIs ------------------------------------------------------------------------------


def dataset_iri(settings: Settings) -> ox.NamedNode:
    """The VoID dataset of the whole store (= the default graph): ``<base>void``."""
    return ox.NamedNode(settings.base_iri + "void")


def graph_dataset_iri(settings: Settings, graph: ox.NamedNode) -> ox.NamedNode:
    """The VoID dataset of one named graph: ``<base>void/graph/<name>``.

    ``<name>`` is the graph's last segment for the graphs the loaders mint
    (``<base>graph/<name>``), the whole graph IRI percent-encoded for any other graph.
    """
    prefix = settings.base_iri + "graph/"
    local = graph.value.removeprefix(prefix)
    return ox.NamedNode(settings.base_iri + "void/graph/" + quote(local, safe=""))


def _endpoint_node(url: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(url)
    except ValueError as exc:
        raise ValueError(f"the endpoint URL {url!r} is not an IRI: {exc}") from None


# -- the descriptions ------------------------------------------------------------------


def service_description(endpoint_url: str, settings: Settings, store: Store) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint_url``, serving
    ``store``. Raises ``ValueError`` when ``endpoint_url`` is not an IRI."""
    endpoint = _endpoint_node(endpoint_url)
    whole, graphs = _counts(store, settings)
    service, dataset = ox.BlankNode(), ox.BlankNode()
    default_graph = dataset_iri(settings)
    out = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), endpoint),
    ]
    out += [ox.Triple(service, _sd("supportedLanguage"), _sd(lang)) for lang in LANGUAGES]
    out += [
        ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMAT_IRIS[f.name]))
        for f in (*formats.RESULT_FORMATS, *formats.GRAPH_FORMATS)
        if f.name in FORMAT_IRIS
    ]
    out += [ox.Triple(service, _sd("feature"), _sd(feature)) for feature in FEATURES]
    out += [
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, RDF_TYPE, void.Dataset),
        ox.Triple(default_graph, void.triples, _int(whole.triples)),
    ]
    for stats in graphs.values():
        out += _named_graph(dataset, stats, settings)
        out.append(ox.Triple(graph_dataset_iri(settings, stats.graph), RDF_TYPE, _sd("Graph")))
    return out


def _named_graph(holder: ox.BlankNode, stats: GraphStats, settings: Settings) -> list[ox.Triple]:
    """``holder sd:namedGraph [ sd:name <g> ; sd:graph <base>void/graph/<n> ]`` and the
    graph's triple count."""
    assert stats.graph is not None
    named, node = ox.BlankNode(), graph_dataset_iri(settings, stats.graph)
    return [
        ox.Triple(holder, _sd("namedGraph"), named),
        *_pairing(named, stats.graph, node),
        ox.Triple(node, RDF_TYPE, void.Dataset),
        ox.Triple(node, void.triples, _int(stats.triples)),
    ]


def _pairing(named: ox.BlankNode, graph: ox.NamedNode, node: ox.NamedNode) -> list[ox.Triple]:
    """An ``sd:NamedGraph``: the graph's name and the dataset node describing its content."""
    return [
        ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
        ox.Triple(named, _sd("name"), graph),
        ox.Triple(named, _sd("graph"), node),
    ]


def void_description(endpoint_url: str, settings: Settings, store: Store) -> list[ox.Triple]:
    """VoID of the whole store with live statistics, a subset per named graph and, per
    graph, its class and property partitions. Raises ``ValueError`` when ``endpoint_url``
    is not an IRI."""
    endpoint = _endpoint_node(endpoint_url)
    whole, graphs = _counts(store, settings)
    _partitions(store, settings, graphs)
    root = dataset_iri(settings)
    classes = {c for stats in graphs.values() for c in stats.classes}
    properties = {p for stats in graphs.values() for p in stats.properties}
    out = [
        ox.Triple(root, RDF_TYPE, void.Dataset),
        ox.Triple(root, void.sparqlEndpoint, endpoint),
        ox.Triple(root, void.uriSpace, ox.Literal(settings.base_iri)),
        ox.Triple(root, void.triples, _int(whole.triples)),
        ox.Triple(root, void.classes, _int(len(classes))),
        ox.Triple(root, void.properties, _int(len(properties))),
        ox.Triple(root, void.distinctSubjects, _int(whole.distinct_subjects)),
        ox.Triple(root, void.distinctObjects, _int(whole.distinct_objects)),
    ]
    for stats in graphs.values():
        out += _subset(root, stats, endpoint, settings)
    return out


def _subset(
    root: ox.NamedNode, stats: GraphStats, endpoint: ox.NamedNode, settings: Settings
) -> list[ox.Triple]:
    """One named graph as a ``void:subset`` of ``root``, with its statistics and its class
    and property partitions."""
    assert stats.graph is not None
    node = graph_dataset_iri(settings, stats.graph)
    # Which named graph the subset holds: said as in the Service Description.
    out = _pairing(ox.BlankNode(), stats.graph, node)
    out += [
        ox.Triple(root, void.subset, node),
        ox.Triple(node, RDF_TYPE, void.Dataset),
        ox.Triple(node, void.sparqlEndpoint, endpoint),
        ox.Triple(node, void.triples, _int(stats.triples)),
        ox.Triple(node, void.classes, _int(len(stats.classes))),
        ox.Triple(node, void.properties, _int(len(stats.properties))),
        ox.Triple(node, void.distinctSubjects, _int(stats.distinct_subjects)),
        ox.Triple(node, void.distinctObjects, _int(stats.distinct_objects)),
    ]
    for cls, entities in stats.classes.items():
        part = ox.BlankNode()
        out += [
            ox.Triple(node, void.classPartition, part),
            ox.Triple(part, void["class"], cls),
            ox.Triple(part, void.entities, _int(entities)),
        ]
    for prop, triples in stats.properties.items():
        part = ox.BlankNode()
        out += [
            ox.Triple(node, void.propertyPartition, part),
            ox.Triple(part, void.property, prop),
            ox.Triple(part, void.triples, _int(triples)),
        ]
    return out
