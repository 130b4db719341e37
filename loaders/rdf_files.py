"""RDF files as a source: the ontology and shapes folders (Turtle)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from loaders.common import LoadError, SourceData


def read_file(path: Path, fmt: ox.RdfFormat | None = None) -> list[ox.Triple]:
    """Parse one RDF file into triples; a syntax error names the file and position."""
    fmt = fmt or ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    try:
        with path.open("rb") as f:
            return [q.triple for q in ox.parse(f, format=fmt, base_iri=path.resolve().as_uri())]
    except SyntaxError as exc:
        raise LoadError(f"{path}: {exc}") from None


def read_dir(name: str, directory: str | Path) -> SourceData:
    """Every ``*.ttl`` file of ``directory`` as one source."""
    directory = Path(directory)
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise LoadError(f"{name}: no .ttl files in {directory}")
    triples: list[ox.Triple] = []
    digest = hashlib.sha256()
    for path in files:
        triples.extend(read_file(path))
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return SourceData(
        name=name,
        location=str(directory.resolve()),
        version="sha256:" + digest.hexdigest(),
        triples=triples,
        stats={"files": len(files)},
    )
