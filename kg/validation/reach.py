"""How far shapes look from a focus node: what of the graph an in-context validation reads.

A shape judges its focus node by the values its paths reach, and those values by the
shapes nested in it (``sh:node``, ``sh:not``, ``sh:qualifiedValueShape``, ``sh:and``,
``sh:or``, ``sh:xone``, ``sh:property``) — their types too, for ``sh:class``. :func:`reach`
reads that off a shapes graph once: the predicates paths follow forwards and backwards,
and how many steps from the focus the deepest nested shape may look. The in-context
neighbourhood (:mod:`kg.validation.context`) reads exactly that much of the store, so that
pySHACL gives the answer it would give over the whole graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, SH, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

#: Steps assumed for ``sh:zeroOrMorePath`` / ``sh:oneOrMorePath`` and the most ever read.
MAX_DEPTH = 6

_NESTED_ON_VALUES = (SH.node, SH["not"], SH.qualifiedValueShape)
_NESTED_LISTS = (SH["and"], SH["or"], SH.xone)


@dataclass(frozen=True)
class Reach:
    """What shapes can see from a focus node."""

    forward: frozenset[str]  # predicates some path follows subject → object
    backward: frozenset[str]  # followed object → subject (sh:inversePath, sh:targetObjectsOf)
    depth: int  # steps from the focus whose nodes must be read (their triples and types)


def reach(shapes: Graph) -> Reach:
    """The reach of every shape in ``shapes``."""
    forward: set[str] = set()
    backward: set[str] = {str(p) for p in shapes.objects(None, SH.targetObjectsOf)}
    for path in set(shapes.objects(None, SH.path)):
        _predicates(shapes, path, forward, backward, inverse=False, seen=set())
    shape_nodes = set(shapes.subjects(SH.path, None)) | set(shapes.subjects(RDF.type, SH.NodeShape))
    depth = max((_depth(shapes, s, frozenset()) for s in shape_nodes), default=0)
    return Reach(frozenset(forward), frozenset(backward), min(depth, MAX_DEPTH))


def _predicates(g: Graph, path: Node, fwd: set, back: set, *, inverse: bool, seen: set) -> None:
    """Collect the predicates of a SHACL path (any nesting of its path forms)."""
    if path in seen:
        return
    seen.add(path)
    if isinstance(path, URIRef):
        (back if inverse else fwd).add(str(path))
        return
    for inner in g.objects(path, SH.inversePath):
        _predicates(g, inner, fwd, back, inverse=not inverse, seen=seen)
    for form in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        for inner in g.objects(path, form):
            _predicates(g, inner, fwd, back, inverse=inverse, seen=seen)
    members = [*_list(g, path)]
    for alternatives in g.objects(path, SH.alternativePath):
        members += _list(g, alternatives)
    for inner in members:
        _predicates(g, inner, fwd, back, inverse=inverse, seen=seen)


def _list(g: Graph, node: Node) -> list[Node]:
    if isinstance(node, BNode) and (node, RDF.first, None) in g:
        return list(Collection(g, node))
    return []


def _steps(g: Graph, path: Node | None) -> int:
    """How many edges a path may walk (unbounded repetition counts as :data:`MAX_DEPTH`)."""
    if path is None:
        return 0
    if isinstance(path, URIRef):
        return 1
    sequence = _list(g, path)
    if sequence:
        return sum(_steps(g, p) for p in sequence)
    if (path, SH.inversePath, None) in g:
        return _steps(g, g.value(path, SH.inversePath))
    if (path, SH.alternativePath, None) in g:
        return max((_steps(g, p) for p in _list(g, g.value(path, SH.alternativePath))), default=1)
    if (path, SH.zeroOrOnePath, None) in g:
        return _steps(g, g.value(path, SH.zeroOrOnePath))
    return MAX_DEPTH  # sh:zeroOrMorePath, sh:oneOrMorePath


def _depth(g: Graph, shape: Node, seen: frozenset) -> int:
    """Steps from a shape's focus whose nodes it may look at (recursive shapes: once)."""
    if shape in seen:
        return 0
    seen = seen | {shape}
    steps = _steps(g, g.value(shape, SH.path))
    on_values = [n for p in _NESTED_ON_VALUES for n in g.objects(shape, p)]
    for p in _NESTED_LISTS:
        for members in g.objects(shape, p):
            on_values += _list(g, members)
    inner = max((_depth(g, n, seen) for n in on_values), default=0)
    own = max((_depth(g, n, seen) for n in g.objects(shape, SH.property)), default=0)
    return max(steps + inner, own, steps)
