"""RDF files as a source: the ontology and shapes folders, bio.tools, EDAM, any RDF import."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from kg.rdf_guards import check_input
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
