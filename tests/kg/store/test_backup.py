"""Backup and restore: ``kg backup DIR`` / ``kg restore DIR``, dumps, and their target rules."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import NotEmptyError
from kg.store import backup, open_store
from kg.store.backup import BackupError, write_atomically
from kg.store.oxigraph import OxigraphStore

KG = str(Path(sys.executable).parent / "kg")
EX = "http://example.org/"


def canonical(store) -> set[ox.Quad]:
    """The store's dataset with blank nodes canonically relabelled (pyoxigraph)."""
    out = io.BytesIO()
    store.dump(out)
    ds = ox.Dataset(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))
    ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(ds)


def assert_isomorphic(a, b) -> None:
    """Same datasets up to the names of blank nodes."""
    assert canonical(a) == canonical(b)


def run_kg(*args: str, store: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["KG_STORE"] = f"oxigraph:{store}"
    return subprocess.run(
        [KG, *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def one_line_error(proc: subprocess.CompletedProcess, fragment: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("kg: error:") and fragment in proc.stderr, proc.stderr


@pytest.fixture(scope="module")
def made(built, tmp_path_factory):
    """A backup of the real built graph (ontology, shapes, RDMkit)."""
    store, _ = built
    target = tmp_path_factory.mktemp("backups") / "b1"
    manifest = backup.backup(store, target, location="memory")
    return store, target, manifest


def test_backup_has_a_dump_and_a_manifest_that_describes_it(made):
    store, target, manifest = made
    assert sorted(p.name for p in target.iterdir()) == ["dataset.nq", "manifest.json"]
    assert json.loads((target / "manifest.json").read_text()) == manifest
    data = (target / "dataset.nq").read_bytes()
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["bytes"] == len(data)
    assert manifest["format"] == "converge-kg-backup" and manifest["version"] == 1
    assert manifest["created"].endswith("+00:00") and manifest["software"].startswith("converge-kg")
    expected = {g.value: store.count(g) for g in store.named_graphs()}
    assert manifest["graphs"] == expected
    assert manifest["quads"] == len(store) == sum(expected.values())


def test_backup_restores_to_an_isomorphic_dataset(made, tmp_path):
    store, target, _ = made
    restored = open_store(f"oxigraph:{tmp_path / 'restored'}")
    backup.restore(restored, target)
    assert_isomorphic(store, restored)
    restored.close()


def test_dump_and_restore_round_trip_the_real_graph(built, tmp_path):
    store, _ = built
    out = io.BytesIO()
    store.dump(out)
    restored = open_store("memory")
    restored.restore(io.BytesIO(out.getvalue()))
    assert_isomorphic(store, restored)


def test_restore_refuses_a_non_empty_store_unless_forced(made):
    _, target, manifest = made
    store = open_store("memory")
    extra = ox.NamedNode(EX + "extra")
    store.load([ox.Triple(extra, extra, ox.Literal("x"))], extra)
    with pytest.raises(NotEmptyError, match="--force"):
        backup.restore(store, target)
    assert store.named_graphs() == [extra]
    backup.restore(store, target, force=True)
    assert extra not in store.named_graphs()
    assert len(store) == manifest["quads"]


def _copy(target: Path, into: Path) -> Path:
    into.mkdir()
    for f in target.iterdir():
        (into / f.name).write_bytes(f.read_bytes())
    return into


def _rewrite(path: Path, **changes) -> None:
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("flip", "checksum mismatch"),
        ("truncate", "bytes, the manifest says"),
        ("counts", "quads per graph differ"),
        ("file", "field 'file' must be 'dataset.nq'"),
        ("version", "format version 99"),
        ("no-manifest", "not a backup"),
        ("bad-json", "not valid JSON"),
        ("symlink", "not a regular file"),
        ("not-nquads", "not valid N-Quads"),
    ],
)
def test_a_damaged_backup_is_refused_and_changes_nothing(made, tmp_path, damage, message):
    _, target, manifest = made
    copy = _copy(target, tmp_path / "copy")
    data, meta = copy / "dataset.nq", copy / "manifest.json"
    if damage == "flip":
        body = bytearray(data.read_bytes())
        body[len(body) // 2] ^= 0x01
        data.write_bytes(bytes(body))
    elif damage == "truncate":
        data.write_bytes(data.read_bytes()[:-10])
    elif damage == "counts":
        graphs = dict(manifest["graphs"])
        graphs[next(iter(graphs))] += 1
        _rewrite(meta, graphs=graphs)
    elif damage == "file":
        _rewrite(meta, file="../../outside.nq")
    elif damage == "version":
        _rewrite(meta, version=99)
    elif damage == "no-manifest":
        meta.unlink()
    elif damage == "bad-json":
        meta.write_text("{not json")
    elif damage == "symlink":
        (tmp_path / "elsewhere.nq").write_bytes(data.read_bytes())
        data.unlink()
        data.symlink_to(tmp_path / "elsewhere.nq")
    elif damage == "not-nquads":
        body = b"<a> <b> .\n"
        data.write_bytes(body)
        _rewrite(meta, bytes=len(body), sha256=hashlib.sha256(body).hexdigest())
    store = open_store("memory")
    before = ox.NamedNode(EX + "before")
    store.load([ox.Triple(before, before, before)], before)
    with pytest.raises(BackupError, match=message):
        backup.restore(store, copy, force=True)
    assert store.named_graphs() == [before] and len(store) == 1


def test_backup_never_overwrites(made, tmp_path):
    store, _, _ = made
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("mine")
    with pytest.raises(BackupError, match="not an empty directory"):
        backup.backup(store, occupied, location="memory")
    assert [p.name for p in occupied.iterdir()] == ["keep.txt"]
    a_file = tmp_path / "file"
    a_file.write_text("mine")
    with pytest.raises(BackupError, match="not an empty directory"):
        backup.backup(store, a_file, location="memory")
    assert a_file.read_text() == "mine"
    with pytest.raises(BackupError, match="no such directory"):
        backup.backup(store, tmp_path / "missing" / "b", location="memory")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert backup.backup(store, empty, location="memory")["quads"] == len(store)


class _FailingStore:
    """A store whose dump breaks half-way (a full disk, a lost connection)."""

    def dump(self, out) -> None:
        out.write(b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
        raise OSError("No space left on device")


def test_an_interrupted_backup_leaves_nothing_behind(tmp_path):
    with pytest.raises(OSError, match="No space"):
        backup.backup(_FailingStore(), tmp_path / "b", location="memory")
    assert list(tmp_path.iterdir()) == []


def test_dump_targets_are_written_atomically_and_never_followed(tmp_path):
    store = _FailingStore()
    target = tmp_path / "all.nq"
    with pytest.raises(OSError):
        write_atomically(target, store.dump)
    assert list(tmp_path.iterdir()) == []  # no partial file, no temporary file

    def good(out) -> None:
        out.write(b"new\n")

    target.write_bytes(b"old\n")
    with pytest.raises(BackupError, match="already exists; use --force"):
        write_atomically(target, good)
    assert target.read_bytes() == b"old\n"
    write_atomically(target, good, force=True)
    assert target.read_bytes() == b"new\n"

    # A symbolic link is replaced, not written through (the file it points at is kept).
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    link = tmp_path / "link.nq"
    link.symlink_to(victim)
    with pytest.raises(BackupError, match="already exists"):
        write_atomically(link, good)
    write_atomically(link, good, force=True)
    assert victim.read_bytes() == b"precious\n"
    assert not link.is_symlink() and link.read_bytes() == b"new\n"
    with pytest.raises(BackupError, match="is a directory"):
        write_atomically(tmp_path, good, force=True)
    with pytest.raises(BackupError, match="no such directory"):
        write_atomically(tmp_path / "missing" / "x.nq", good)


def test_kg_backup_and_restore_commands(tmp_path):
    source, target = tmp_path / "source", tmp_path / "target"
    store = OxigraphStore(source)
    g = ox.NamedNode(EX + "g")
    store.load(
        [ox.Triple(ox.NamedNode(EX + f"s{i}"), g, ox.Literal(i)) for i in range(50)]
        + [ox.Triple(ox.BlankNode(), g, ox.Literal("blank"))],
        g,
    )
    store.close()
    done = run_kg("backup", str(tmp_path / "b"), store=source)
    assert done.returncode == 0, done.stderr
    assert "backed up 51 quads in 1 graphs" in done.stdout
    one_line_error(run_kg("backup", str(tmp_path / "b"), store=source), "not an empty directory")
    proc = run_kg("restore", str(tmp_path / "b"), store=target)
    assert proc.returncode == 0, proc.stderr
    one_line_error(run_kg("restore", str(tmp_path / "b"), store=target), "--force")
    (tmp_path / "b" / "dataset.nq").write_text("")
    one_line_error(run_kg("restore", str(tmp_path / "b"), "--force", store=target), "bytes")
    a, b = OxigraphStore(source, read_only=True), OxigraphStore(target, read_only=True)
    assert_isomorphic(a, b)
    a.close()
    b.close()
