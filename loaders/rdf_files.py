"""RDF files as a source: the ontology and shapes folders, bio.tools, EDAM, any RDF import."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox

from loaders.common import Issue, LoadError, SourceData

#: File extensions pyoxigraph does not guess by itself.
EXTENSIONS = {
    "owl": ox.RdfFormat.RDF_XML,
    "rdf": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
}
#: Formats whose every quad is in the default graph (N3 is not: a formula is a graph).
TRIPLE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)
DIRECTORY_PATTERNS = ("*.ttl", "*.owl", "*.rdf", "*.nt", "*.nq", "*.trig", "*.jsonld")

#: Deepest JSON nesting accepted in JSON-LD: pyoxigraph's JSON-LD parser recurses on the
#: native stack, and a document nested some ten thousand levels deep crashes the process.
MAX_JSON_DEPTH = 256
#: Most characters the entity references of an RDF/XML document may expand to: pyoxigraph
#: expands internal entities without a limit ("billion laughs" takes all memory).
MAX_ENTITY_EXPANSION = 1_000_000

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_ENTITY = re.compile(
    rb"<!ENTITY\s+(%\s*)?([^\s>]+)\s*(SYSTEM|PUBLIC)?\s*(\"[^\"]*\"|'[^']*')?", re.I
)


def check_input(data: bytes, fmt: ox.RdfFormat) -> None:
    """Refuse a document that would crash or flood the parser (ValueError says why).

    JSON-LD nested deeper than :data:`MAX_JSON_DEPTH`; RDF/XML with parameter or
    external entities, entities defined through other entities, or references that
    would expand to more than :data:`MAX_ENTITY_EXPANSION` characters.
    """
    if fmt == ox.RdfFormat.JSON_LD:
        depth = 0
        for bracket in _BRACKETS.findall(_JSON_STRING.sub(b'""', data)):
            depth += 1 if bracket in b"[{" else -1
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    elif fmt == ox.RdfFormat.RDF_XML and b"<!ENTITY" in data.upper():
        expansion = 0
        for parameter, name, external, value in _ENTITY.findall(data):
            label = name.decode("utf-8", "replace")
            if parameter or external or not value:
                raise ValueError(f"XML entity {label!r}: only internal entities are allowed")
            if b"&" in value or b"%" in value:
                raise ValueError(f"XML entity {label!r} refers to other entities; not allowed")
            expansion += (len(value) - 2) * data.count(b"&" + name + b";")
        if expansion > MAX_ENTITY_EXPANSION:
            raise ValueError(
                f"XML entities would expand to {expansion} characters "
                f"(at most {MAX_ENTITY_EXPANSION})"
            )


def format_of(path: Path) -> ox.RdfFormat:
    ext = path.suffix.lstrip(".").lower()
    fmt = EXTENSIONS.get(ext) or ox.RdfFormat.from_extension(ext)
    if fmt is None:
        raise LoadError(
            f"{path}: unknown RDF format {path.suffix!r} "
            "(use .ttl, .nt, .nq, .trig, .jsonld, .rdf/.owl)"
        )
    return fmt


def read_file(
    path: Path, fmt: ox.RdfFormat | None = None, *, data: bytes | None = None
) -> list[ox.Quad]:
    """Parse one RDF file (or ``data``, its content already read) into quads; a syntax
    error names the file and position.

    JSON-LD remote contexts are never fetched (pyoxigraph has no document loader).
    """
    fmt = fmt or format_of(path)
    try:
        if data is None and fmt in (ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML):
            data = path.read_bytes()
        if data is not None:
            check_input(data, fmt)
            return list(ox.parse(data, format=fmt, base_iri=path.resolve().as_uri()))
        with path.open("rb") as f:
            return list(ox.parse(f, format=fmt, base_iri=path.resolve().as_uri()))
    except (SyntaxError, ValueError) as exc:
        raise LoadError(f"{path}: {exc}") from None
    except OSError as exc:
        raise LoadError(f"{path}: {exc.strerror or exc}") from None


def read_path(name: str, location: str | Path) -> SourceData:
    """A file, or every RDF file of a directory, as the triples of one source.

    The triples are the parser's quads in the default graph, as they come (the store
    moves them into the target graph: no triple is built only to be wrapped again).
    Quads in named graphs (N-Quads, TriG) are flattened into the one target
    graph; that is reported.
    """
    path = Path(location)
    if path.is_dir():
        files = sorted(f for pattern in DIRECTORY_PATTERNS for f in path.glob(pattern))
        if not files:
            raise LoadError(f"{name}: no RDF files in {path}")
    elif path.is_file():
        files = [path]
    else:
        raise LoadError(f"{name}: {path} does not exist")
    triples: list[ox.Quad] = []
    issues: list[Issue] = []
    digest = hashlib.sha256()
    for file in files:
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise LoadError(f"{file}: {exc.strerror or exc}") from None
        fmt = format_of(file)
        quads = read_file(file, fmt, data=content)
        named = (
            set()
            if fmt in TRIPLE_FORMATS
            else {q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
        )
        if named:
            issues.append(
                Issue("flattened-graphs", str(file), f"{len(named)} named graph(s) merged into one")
            )
            quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
        triples.extend(quads)
        digest.update(file.name.encode() + b"\0" + content)
    return SourceData(
        name=name,
        location=str(path.resolve()),
        version="sha256:" + digest.hexdigest(),
        triples=triples,
        issues=issues,
        stats={"files": len(files)},
    )
