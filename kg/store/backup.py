"""Backups of the whole store: a directory with an N-Quads dump and a manifest.

``kg backup DIR`` writes::

    DIR/dataset.nq      every quad (staging graphs excluded), N-Quads
    DIR/manifest.json   {"format", "version", "created", "software", "store",
                         "file", "bytes", "sha256", "quads", "graphs": {IRI|"": count}}

The directory is written under a temporary name beside ``DIR`` and renamed into
place at the end, so an interrupted backup leaves no ``DIR`` that looks complete.
``DIR`` must not exist yet (or be an empty directory): a backup never overwrites.

``kg restore DIR`` reads the manifest, checks the dump's size and SHA-256 checksum,
parses the whole dump and compares its per-graph counts with the manifest, and only
then replaces the store's content in one transaction (:meth:`kg.store.base.Store.restore`),
refusing a non-empty store unless forced. The dump is always ``DIR/dataset.nq``: a
manifest cannot point the restore at another file.

``write_atomically(path, write, force=...)`` is how single-file outputs (``kg dump
FILE``) are written: to a temporary file in the same directory, renamed over ``path``
at the end; an existing ``path`` (a file, or a symbolic link, which is replaced, not
followed) is kept unless ``force``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from kg.store.base import Store

FORMAT = "converge-kg-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATA = "dataset.nq"
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup cannot be written or restored; the message says which file and why."""


def write_atomically(path: Path, write: Callable[[BinaryIO], None], *, force: bool = False) -> None:
    """Write ``path`` through ``write(stream)``: all of it, or nothing at ``path``."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path}: is a directory; give a file name")
    if (path.exists() or path.is_symlink()) and not force:
        raise BackupError(f"{path}: already exists; use --force to replace it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise BackupError(f"{parent}: no such directory")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _software() -> str:
    try:
        return f"converge-kg {metadata.version('converge-kg')}"
    except metadata.PackageNotFoundError:
        return "converge-kg"


def graph_counts(quads: list[ox.Quad]) -> dict[str, int]:
    """Quads per graph: the graph IRI, or ``""`` for the default graph."""
    counts = Counter(
        "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value for q in quads
    )
    return dict(sorted(counts.items()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _parse(stream: BinaryIO, path: Path) -> list[ox.Quad]:
    try:
        return list(ox.parse(stream, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise BackupError(f"{path}: not valid N-Quads: {exc}") from None


def backup(store: Store, target: Path, *, location: str) -> dict[str, Any]:
    """Write a backup of ``store`` (found at ``location``) to the new directory ``target``."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target}: already exists and is not an empty directory")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise BackupError(f"{parent}: no such directory")
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".partial"))
    try:
        data = tmp / DATA
        with data.open("wb") as out:
            store.dump(out)
            out.flush()
            os.fsync(out.fileno())
        with data.open("rb") as f:
            quads = _parse(f, data)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "software": _software(),
            "store": location,
            "file": DATA,
            "bytes": data.stat().st_size,
            "sha256": _sha256(data),
            "quads": len(quads),
            "graphs": graph_counts(quads),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if target.is_dir():
            target.rmdir()  # empty, checked above
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source}: not a backup (no {MANIFEST})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: not a {FORMAT} manifest")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{path}: backup format version {manifest.get('version')!r}; "
            f"this software reads version {VERSION}"
        )
    if manifest.get("file") != DATA:
        raise BackupError(f"{path}: field 'file' must be {DATA!r}, not {manifest.get('file')!r}")
    for name, kind in (("sha256", str), ("bytes", int), ("quads", int), ("graphs", dict)):
        if not isinstance(manifest.get(name), kind) or isinstance(manifest.get(name), bool):
            raise BackupError(f"{path}: field {name!r} is missing or not a {kind.__name__}")
    return manifest


def verify(source: Path) -> tuple[dict[str, Any], bytes]:
    """The manifest and the dump's bytes, read once, after every check has passed."""
    source = Path(source)
    manifest = read_manifest(source)
    data = source / DATA
    if data.is_symlink() or not data.is_file():
        raise BackupError(f"{data}: missing (or not a regular file)")
    body = data.read_bytes()
    if len(body) != manifest["bytes"]:
        raise BackupError(f"{data}: {len(body)} bytes, the manifest says {manifest['bytes']}")
    checksum = hashlib.sha256(body).hexdigest()
    if checksum != manifest["sha256"]:
        raise BackupError(
            f"{data}: checksum mismatch (sha256 {checksum}, the manifest says "
            f"{manifest['sha256']}); the backup is damaged"
        )
    quads = _parse(io.BytesIO(body), data)
    if graph_counts(quads) != manifest["graphs"] or len(quads) != manifest["quads"]:
        raise BackupError(f"{data}: the quads per graph differ from the manifest's")
    return manifest, body


def restore(store: Store, source: Path, *, force: bool = False) -> dict[str, Any]:
    """Replace the store's content with a verified backup; all or nothing."""
    manifest, body = verify(source)
    store.restore(io.BytesIO(body), force=force)
    return manifest
