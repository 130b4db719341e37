"""RDF files as a source: the ontology and shapes folders, bio.tools, EDAM, any RDF import."""

from __future__ import annotations

import hashlib
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


def read_file(path: Path, fmt: ox.RdfFormat | None = None) -> list[ox.Quad]:
    """Parse one RDF file into quads; a syntax error names the file and position.

    JSON-LD remote contexts are never fetched (pyoxigraph has no document loader).
    """
    fmt = fmt or format_of(path)
    try:
        with path.open("rb") as f:
            return list(ox.parse(f, format=fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as exc:
        raise LoadError(f"{path}: {exc}") from None
    except OSError as exc:
        raise LoadError(f"{path}: {exc.strerror or exc}") from None


def read_path(name: str, location: str | Path) -> SourceData:
    """A file, or every RDF file of a directory, as the triples of one source.

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
    triples: list[ox.Triple] = []
    issues: list[Issue] = []
    digest = hashlib.sha256()
    for file in files:
        quads = read_file(file)
        named = {q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
        if named:
            issues.append(
                Issue("flattened-graphs", str(file), f"{len(named)} named graph(s) merged into one")
            )
        triples.extend(q.triple for q in quads)
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return SourceData(
        name=name,
        location=str(path.resolve()),
        version="sha256:" + digest.hexdigest(),
        triples=triples,
        issues=issues,
        stats={"files": len(files)},
    )
