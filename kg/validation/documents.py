"""A document to validate: its text parsed into triples, and where each subject is written.

Formats: Turtle, TriG, N-Triples, N-Quads, RDF/XML and JSON-LD (parsed by pyoxigraph,
which gives the line and column of a syntax error), and the YAML catalogue formats,
converted by a :data:`YamlReader` that the caller passes in — the API and the CLI pass
the loaders' own single-document functions (:func:`loaders.yaml_documents.read_yaml_document`),
the same code ``kg build`` runs. The core never imports the loaders.

JSON-LD contexts are never fetched. Our context (``ontology/context.jsonld``) is known
by its IRIs — ``<base_iri>context.jsonld`` and the ``/context.jsonld`` of this service —
and put in place of the reference before parsing; any other remote context (or
``@import``) is refused, naming its line and column. pyoxigraph has no document loader,
so nothing can be fetched by it either; rdflib's JSON-LD parser, which would fetch remote
contexts with ``urllib`` (``rdflib.plugins.shared.jsonld.util.source_to_json``), is never
used on input documents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.rdf_guards import check_input
from kg.settings import Settings
from kg.validation.locate import finding_line, subject_line
from kg.validation.yaml_fields import yaml_field

CONTEXT_FILE = "context.jsonld"

#: format name → (pyoxigraph format or None for YAML, media types, file extensions)
RDF_INPUTS: dict[str, tuple[ox.RdfFormat, tuple[str, ...], tuple[str, ...]]] = {
    "turtle": (ox.RdfFormat.TURTLE, ("text/turtle", "application/x-turtle"), (".ttl",)),
    "trig": (ox.RdfFormat.TRIG, ("application/trig",), (".trig",)),
    "ntriples": (ox.RdfFormat.N_TRIPLES, ("application/n-triples",), (".nt",)),
    "nquads": (ox.RdfFormat.N_QUADS, ("application/n-quads",), (".nq",)),
    "rdfxml": (ox.RdfFormat.RDF_XML, ("application/rdf+xml",), (".rdf", ".owl", ".xml")),
    "jsonld": (
        ox.RdfFormat.JSON_LD,
        ("application/ld+json", "application/json"),
        (".jsonld", ".json"),
    ),
}
YAML_MEDIA = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
YAML_EXTENSIONS = (".yaml", ".yml")
INPUT_FORMATS = (*RDF_INPUTS, "yaml")


class DocumentError(ValueError):
    """The document cannot be read: the message names line and column where known."""


@dataclass
class Document:
    """What to validate: triples, and the source line of subjects where it can be known."""

    name: str
    format: str
    triples: list[ox.Triple]
    text: str = ""
    lines: dict[str, int] = field(default_factory=dict)
    source_graph: str | None = None  # read from this named graph of the store

    def line_of(self, focus: str) -> int | None:
        """The line where ``focus`` (an IRI) is described, or None."""
        if focus in self.lines:
            return self.lines[focus]
        base = focus.split("#", 1)[0]
        if base != focus and base in self.lines:
            return self.lines[base]
        if not self.text or focus.startswith("_:"):
            return None
        line = subject_line(self.text, focus, self.format)
        self.lines[focus] = line
        return line

    def line_of_finding(self, focus: str, path: str | None, value: str | None) -> int | None:
        """The line of the offending triple where the text shows it, else of the subject."""
        start = self.line_of(focus)
        if self.format not in RDF_INPUTS:  # YAML: the offending field's line, else the entry's
            found = yaml_field(self.text, start, value)
            return found[1] if found else start
        return finding_line(self.text, self.format, start, path, value)

    def field_of_finding(self, focus: str, value: str | None) -> str | None:
        """For a YAML document, the path of the offending field (``funding_sources[2].type``)."""
        if self.format in RDF_INPUTS:
            return None
        found = yaml_field(self.text, self.line_of(focus), value)
        return found[0] if found else None


# --------------------------------------------------------------------------- formats


def format_from_media_type(media_type: str | None) -> str | None:
    media = (media_type or "").split(";")[0].strip().lower()
    if media in YAML_MEDIA:
        return "yaml"
    for name, (_, types, _) in RDF_INPUTS.items():
        if media in types:
            return name
    return None


def format_from_name(filename: str | None) -> str | None:
    suffix = Path(filename or "").suffix.lower()
    if suffix in YAML_EXTENSIONS:
        return "yaml"
    for name, (_, _, extensions) in RDF_INPUTS.items():
        if suffix in extensions:
            return name
    return None


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


# --------------------------------------------------------------------------- JSON-LD


def context_iris(settings: Settings, service_url: str | None = None) -> set[str]:
    """The IRIs that name our own JSON-LD context."""
    iris = {settings.base_iri + CONTEXT_FILE}
    if service_url:
        iris.add(service_url.rstrip("/") + "/" + CONTEXT_FILE)
    return iris


def load_context(settings: Settings) -> dict[str, Any]:
    """The ``@context`` object of ontology/context.jsonld."""
    path = Path(settings.ontology_dir) / CONTEXT_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError) as exc:
        raise DocumentError(f"our JSON-LD context {path} cannot be read: {exc}") from None


def inline_contexts(
    text: str, ours: set[str], context: Callable[[], dict[str, Any]], where: str
) -> str:
    """The JSON-LD text with our context inlined; a remote context is a DocumentError."""
    try:
        check_input(text.encode("utf-8"), ox.RdfFormat.JSON_LD)  # nesting bounded first
        data = json.loads(text)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise DocumentError(
                f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"
            ) from None
        raise DocumentError(f"{where}: refused JSON-LD: {exc}") from None

    def refuse(url: str) -> DocumentError:
        offset = text.find(json.dumps(url)[1:-1])
        line, column = _position(text, max(offset, 0))
        return DocumentError(
            f"{where}:{line}:{column}: remote JSON-LD context {url!r} refused: contexts are "
            f"never fetched; use our context ({', '.join(sorted(ours))}) or inline yours"
        )

    def resolve(value: Any) -> Any:
        if isinstance(value, str):
            if value in ours:
                return context()
            raise refuse(value)
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            imported = value.get("@import")
            if isinstance(imported, str):
                if imported not in ours:
                    raise refuse(imported)
                rest = {k: v for k, v in value.items() if k != "@import"}
                return {**context(), **rest}
            return {k: walk(v) for k, v in value.items()}
        return value

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: resolve(v) if k == "@context" else walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return json.dumps(walk(data))


# --------------------------------------------------------------------------- parsing


def parse_rdf(text: str, fmt: str, where: str, base_iri: str) -> list[ox.Triple]:
    """Triples of an RDF text (graph names dropped); a syntax error names line and column."""
    rdf_format = RDF_INPUTS[fmt][0]
    try:
        data = text.encode("utf-8")
        check_input(data, rdf_format)
        quads = ox.parse(data, format=rdf_format, base_iri=base_iri)
        return list(dict.fromkeys(q.triple for q in quads))
    except ValueError as exc:
        raise DocumentError(f"{where}: refused {fmt}: {exc}") from None
    except SyntaxError as exc:
        message = str(exc)
        line, column = getattr(exc, "lineno", None), getattr(exc, "offset", None)
        if line and "line" not in message.lower():
            message = f"line {line} column {column}: {message}"
        raise DocumentError(f"{where}: invalid {fmt}: {message}") from None


#: Converts a YAML catalogue document: ``(text, kind, name, settings, known_indicators)``
#: → (triples, line of each subject); ``kind`` is the profile's YAML format
#: (``business-model``, ``impact``, ``maturity-assessment``, ``nodes``, ``rdmkit-tool``).
#: Raises :class:`DocumentError` naming the file, line and field of what it cannot read.
YamlReader = Callable[
    [str, str | None, str, Settings, dict[str, tuple[ox.NamedNode, bool]] | None],
    tuple[list[ox.Triple], dict[str, int]],
]


def document_from_text(
    text: str,
    fmt: str,
    name: str,
    settings: Settings,
    *,
    yaml_kind: str | None = None,
    context_urls: set[str] | None = None,
    known_indicators: dict[str, tuple[ox.NamedNode, bool]] | None = None,
    read_yaml: YamlReader | None = None,
) -> Document:
    """Parse a document's text in ``fmt`` (one of :data:`INPUT_FORMATS`); YAML is read by
    ``read_yaml``."""
    if fmt == "yaml":
        if read_yaml is None:
            raise DocumentError(f"{name}: YAML documents cannot be read here")
        triples, lines = read_yaml(text, yaml_kind, name, settings, known_indicators)
        return Document(name, fmt, triples, text, lines)
    if fmt not in RDF_INPUTS:
        raise DocumentError(f"unknown format {fmt!r}; use one of {', '.join(INPUT_FORMATS)}")
    parsed = text
    if fmt == "jsonld":
        ours = context_iris(settings) | (context_urls or set())
        parsed = inline_contexts(text, ours, lambda: load_context(settings), name)
    base = settings.base_iri + "validate/" + re.sub(r"[^A-Za-z0-9._-]", "-", name)
    return Document(name, fmt, parse_rdf(parsed, fmt, name, base), text)
