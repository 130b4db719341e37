"""Your own shapes, like the EU ITB validator: a document judged by a shapes graph it brings.

A steward sends a SHACL shapes graph with the document (``POST /validate`` with
``shapes`` or ``shapes_file``, ``kg validate FILE --shapes SHAPES``); the document is
validated against those shapes instead of a profile:

- the shapes are parsed here (pyoxigraph: a syntax error names the line and column), in
  any RDF format a document may be in, relative IRIs resolved against ``base`` (the
  document's too);
- in a validation worker (:mod:`kg.validation.workers`, under ``KG_VALIDATE_TIMEOUT``)
  they are checked first as the profiles' shapes are (:func:`kg.validation.shapes.check_shapes`:
  every constraint built, every SPARQL constraint parsed; no shape at all is an error
  too), then the document is validated. The shapes travel with the job
  (:class:`UserShapes`), so any worker takes them;
- the document is judged alone: *standalone*, without the ontology, without the store's
  graph (in-context validation is refused: the project's context checks are about the
  project's shapes), and without inference. pySHACL runs as for the profiles (SHACL-AF
  on, warnings and infos not failing ``sh:conforms``);
- SPARQL in the shapes (constraints, targets, rules, functions) may not reach outside
  the data: ``SERVICE``, ``FROM`` and ``LOAD`` are refused, since rdflib would fetch them.

Every error of the user's shapes is a :class:`ShapesInputError`, a
:class:`~kg.validation.documents.DocumentError` (HTTP 400, CLI exit 2) naming the shapes'
file or field, the line where known and the problem. Nothing is written anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

import pyoxigraph as ox
from rdflib import SH, BNode, Graph, URIRef
from rdflib.term import Node

from kg.settings import Settings
from kg.sparql.lexer import tokens
from kg.validation.checker import Outcome, Service, check
from kg.validation.documents import (
    RDF_INPUTS,
    Document,
    DocumentError,
    context_iris,
    inline_contexts,
    load_context,
    parse_rdf,
    subject_line,
)
from kg.validation.profiles import LoadedProfile, Profile
from kg.validation.shapes import ShapesError, check_shapes, to_rdflib

__all__ = ["CUSTOM", "ShapesInputError", "UserShapes", "read_shapes", "validate_with_shapes"]

#: What a report names as the profile when the shapes are the user's own.
CUSTOM = Profile("custom", "Your own shapes", (), ontology=False)

#: The shapes graph's SPARQL texts, and the keywords that would make rdflib fetch.
SPARQL_TEXTS = (SH.select, SH.ask, SH.construct, SH.update)
REMOTE_KEYWORDS = ("SERVICE", "FROM", "LOAD")


class ShapesInputError(DocumentError):
    """The user's shapes cannot be used: not parseable, not SHACL, or refused."""


@dataclass
class UserShapes:
    """A user's shapes graph, parsed; checked and used in a validation worker (:meth:`load`).

    ``name`` names the shapes in every message (their file, or the form field); ``base``
    and ``context_urls`` read the document as they read the shapes.
    """

    name: str
    format: str
    text: str
    triples: list[tuple[Node, Node, Node]]
    base: str | None = None
    context_urls: frozenset[str] = frozenset()

    profile: ClassVar[Profile] = CUSTOM
    serial: ClassVar[None] = None  # never registered: sent to the worker with each job

    def load(self) -> LoadedProfile:
        """The shapes as a profile, once checked; a :class:`ShapesError` names the shape."""
        graph = Graph()
        graph.addN((s, p, o, graph) for s, p, o in self.triples)
        self._refuse_remote(graph)
        try:
            found = check_shapes(graph)
        except ShapesError as exc:
            raise ShapesError(f"{self.where(graph, exc.shape)}: {exc}") from None
        if not found:
            raise ShapesError(
                f"{self.name}: no SHACL shapes found (no sh:NodeShape or sh:PropertyShape, no "
                "target, no constraint): is this a shapes graph?"
            )
        return LoadedProfile(CUSTOM, graph, None)

    def _refuse_remote(self, graph: Graph) -> None:
        for predicate in SPARQL_TEXTS:
            for node, text in graph.subject_objects(predicate):
                words = {t.text.upper() for t in tokens(str(text)) if t.kind == "word"}
                refused = sorted(words.intersection(REMOTE_KEYWORDS))
                if refused:
                    raise ShapesError(
                        f"{self.where(graph, node)}: {' and '.join(refused)} refused in the "
                        f"SPARQL of {predicate.n3(graph.namespace_manager)}: the shapes judge "
                        "the document alone, nothing is fetched from elsewhere"
                    )

    def where(self, graph: Graph, node: Node | None) -> str:
        """``name line N`` of a shape (a blank node: of the named shape it belongs to)."""
        if node is None:
            return self.name
        owner, hops = node, 0
        while isinstance(owner, BNode) and hops < 10:  # bounded: a few levels of nesting
            owner = next(graph.subjects(None, owner), None)
            hops += 1
        if not isinstance(owner, URIRef):
            return self.name
        line = subject_line(self.text, str(owner), self.format)
        at = f" line {line}" if line is not None else ""
        if owner == node:
            return f"{self.name}{at}"
        path = graph.value(node, SH.path)
        detail = f" with sh:path <{path}>" if isinstance(path, URIRef) else ""
        return f"{self.name}{at} (a blank node{detail} of <{owner}>)"


# --------------------------------------------------------------------------- reading


def read_rdf(
    text: str,
    fmt: str,
    name: str,
    settings: Settings,
    base: str | None,
    context_urls: Iterable[str],
) -> list[ox.Triple]:
    """An RDF text's triples (a document's or the shapes'), relative IRIs against ``base``.

    Our JSON-LD context is inlined, any other is refused (as for every document).
    """
    if fmt not in RDF_INPUTS:
        raise DocumentError(
            f"{name}: format {fmt!r} cannot be validated against your own shapes; use one "
            f"of {', '.join(RDF_INPUTS)}"
        )
    if base is None:
        base = settings.base_iri + "validate/" + re.sub(r"[^A-Za-z0-9._-]", "-", name)
    else:
        check_base(base)
    if fmt == "jsonld":
        ours = context_iris(settings) | set(context_urls)
        text = inline_contexts(text, ours, lambda: load_context(settings), name)
    return parse_rdf(text, fmt, name, base)


def check_base(base: str) -> None:
    """A DocumentError unless ``base`` is an absolute IRI."""
    try:
        ox.NamedNode(base)
    except ValueError as exc:
        raise DocumentError(f"base {base!r} is not an absolute IRI: {exc}") from None


def read_shapes(
    text: str,
    fmt: str,
    name: str,
    settings: Settings,
    *,
    base: str | None = None,
    context_urls: Iterable[str] = (),
) -> UserShapes:
    """The user's shapes parsed; a :class:`ShapesInputError` names the line and column.

    ``base`` resolves the relative IRIs of the shapes and of the document; ``context_urls``
    are more IRIs of our JSON-LD context (this service's ``/context.jsonld``).
    """
    if not text.strip():
        raise ShapesInputError(f"{name}: the shapes graph is empty")
    try:
        triples = read_rdf(text, fmt, name, settings, base, context_urls)
    except DocumentError as exc:
        raise ShapesInputError(str(exc)) from None
    return UserShapes(name, fmt, text, list(to_rdflib(triples)), base, frozenset(context_urls))


def validate_with_shapes(
    service: Service,
    shapes: UserShapes,
    text: str,
    fmt: str,
    name: str,
    *,
    timeout: float | None = None,
) -> Outcome:
    """Validate a document (RDF) against the user's shapes, standalone, in a worker (the
    document read with the shapes' ``base`` and JSON-LD context IRIs)."""
    if fmt == "yaml":
        raise DocumentError(
            f"{name}: a YAML catalogue document is validated against its profile; with your "
            "own shapes, send RDF"
        )
    triples = read_rdf(text, fmt, name, service.settings, shapes.base, shapes.context_urls)
    document = Document(name, fmt, triples, text)
    try:
        return check(document, shapes, service.settings, timeout=timeout, workers=service.workers)
    except ShapesError as exc:  # found by the worker: the shapes' check, or pySHACL failing
        message = str(exc)
        if not message.startswith(shapes.name):
            message = f"{shapes.name}: SHACL validation failed: {message}"
        raise ShapesInputError(message) from None
