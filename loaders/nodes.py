"""ELIXIR Nodes: curated membership facts and the node map's institutes, as one named graph.

Reads two files:

- ``data/nodes.yaml`` (curated by this project, format in its header; read by
  loaders/curated_nodes.py): the Nodes, each with a list of dated, sourced status facts,
  one membership of the Node in ELIXIR each.
- the ELIXIR node map (``institutes.geojson``; read by loaders/node_map.py): one
  institute per feature, with its coordinates, website and its membership in its Node.

Every quirk of the node map (label normalisations, unknown labels, duplicate features,
missing websites, Nodes without exactly one lead institute) is reported as an
:class:`Issue`. Malformed YAML or JSON is a :class:`LoadError` naming file, line and
column; a missing required field is a :class:`LoadError` naming the file, the Node and
the field. The store is never touched here.
"""

from __future__ import annotations

from pathlib import Path

from kg.namespaces import Iris
from loaders.common import LoadError, SourceData, checksum
from loaders.curated_nodes import NodesReader
from loaders.node_map import NodeMapReader


def read(nodes_yaml: str | Path, geojson: str | Path, iris: Iris) -> SourceData:
    """Read the curated Nodes and the node map into triples for the nodes graph."""
    nodes_yaml, geojson = Path(nodes_yaml), Path(geojson)
    for path in (nodes_yaml, geojson):
        if not path.is_file():
            raise LoadError(f"{path}: file not found")
    reader = NodeMapReader(iris)
    reader.read_nodes(nodes_yaml)
    reader.read_map(geojson)
    reader.link_leads()
    return reader.source_data("nodes", str(geojson.resolve()), checksum([nodes_yaml, geojson]))


def read_nodes_text(text: str, name: str, iris: Iris) -> SourceData:
    """One nodes.yaml document alone (no node map: no institutes), as triples."""
    reader = NodesReader(iris)
    reader.read_nodes_text(text, name)
    return reader.source_data("nodes", name, "")
