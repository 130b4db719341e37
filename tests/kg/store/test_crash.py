"""Crash consistency: writers killed with SIGKILL mid-write leave the old or the new graph.

Each trial kills a real process writing to an on-disk store — ``kg load`` or a
``kg serve`` answering a SPARQL update or a Graph Store PUT — after a random delay
(seeded) spread over the write's measured duration, then opens the store and checks
that it holds exactly one of the two expected states, computed here from the source
files. The processes are started "warm" (``cli.main`` imported, then told to go), so
the delay falls on the work itself rather than on interpreter start-up.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from kg.namespaces import ckg, void
from kg.store.base import STAGING_PREFIX
from kg.store.oxigraph import OxigraphStore

BASE = "https://w3id.org/elixir-converge/"
BIOTOOLS_GRAPH = ox.NamedNode(BASE + "graph/biotools")
TOKEN = "crash-test-token-0123456789"
#: The real ``kg`` command line, imported first, run when a line arrives on stdin.
WARM = (
    "import sys, cli.main\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "sys.exit(cli.main.main(sys.argv[1:]))\n"
)
LOAD_TRIALS = 20
SERVER_TRIALS = 3
SEED = 20240610


# -- source data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """A slice of the bio.tools dump written as N-Triples: a source file with known content."""

    path: Path
    triples: frozenset[ox.Triple]

    @property
    def version(self) -> str:
        """The version ``loaders.rdf_files.read_path`` records for this file."""
        digest = hashlib.sha256(self.path.name.encode() + b"\0" + self.path.read_bytes())
        return "sha256:" + digest.hexdigest()

    def ntriples(self) -> bytes:
        return self.path.read_bytes()


def write_slices(shared_data: Path, directory: Path, sizes: list[int]) -> list[Slice]:
    """Disjoint slices of the real bio.tools dump (triples without blank nodes, so that
    isomorphism is set equality), one N-Triples file each."""
    dump = next((shared_data / "biotools").glob("*.ttl"))
    plain = list(
        dict.fromkeys(
            q.triple
            for q in ox.parse(path=str(dump))
            if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
        )
    )
    assert sum(sizes) <= len(plain), f"{dump} has only {len(plain)} plain triples"
    slices, start = [], 0
    for n, size in enumerate(sizes):
        part = plain[start : start + size]
        start += size
        path = directory / f"slice{n}.nt"
        with path.open("wb") as out:
            ox.serialize(part, out, format=ox.RdfFormat.N_TRIPLES)
        slices.append(Slice(path, frozenset(part)))
    return slices


def data_triples(store: OxigraphStore, graph: ox.NamedNode) -> set[ox.Triple]:
    """A graph's triples, its own provenance (subject = the graph IRI) left out."""
    return {
        q.triple
        for q in store._store.quads_for_pattern(None, None, None, graph)
        if q.subject != graph
    }


def state_of(store_path: Path, graph: ox.NamedNode, states: dict[str, Slice]) -> str:
    """Which expected state the store holds in ``graph`` (fails on anything else).

    The store must open (after a crash: RocksDB recovers its log), hold no staging
    graph, and hold one state in full: the data triples and, for a source load, the
    provenance that matches them.
    """
    store = OxigraphStore(store_path)
    try:
        assert not [g for g in store._store.named_graphs() if g.value.startswith(STAGING_PREFIX)], (
            "a staging graph survived reopening"
        )
        content = data_triples(store, graph)
        matches = [name for name, s in states.items() if content == s.triples]
        sizes = {name: len(s.triples) for name, s in states.items()}
        assert len(matches) == 1, f"{graph.value}: {len(content)} triples, expected one of {sizes}"
        name = matches[0]
        if graph == BIOTOOLS_GRAPH:
            prov = {
                q.predicate: q.object
                for q in store._store.quads_for_pattern(graph, None, None, graph)
            }
            assert prov[void.triples] == ox.Literal(len(states[name].triples))
            assert prov[ckg.sourceVersion] == ox.Literal(states[name].version)
        return name
    finally:
        store.close()


# -- processes ------------------------------------------------------------------------------


def kg_env(store_path: Path, shared_data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(
        KG_STORE=f"oxigraph:{store_path}", KG_SOURCES_DIR=str(shared_data), KG_PROGRESS="false"
    )
    env.update(extra)
    return env


class Warm:
    """``kg ARGS`` in its own process, imported and waiting for ``go()``."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WARM, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
        )
        self.started: float | None = None

    def go(self) -> None:
        line = _readline(self.proc, timeout=60)
        assert line == b"ready\n", f"warm process did not start: {line!r}"
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()
        self.started = time.monotonic()

    def wait(self, timeout: float = 120) -> int:
        code = self.proc.wait(timeout=timeout)
        self.log.close()
        return code

    def kill(self) -> bool:
        """SIGKILL; True if the process was still running."""
        running = self.proc.poll() is None
        if running:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()
        return running


def _readline(proc: subprocess.Popen, timeout: float) -> bytes:
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert out, f"no line from the process within {timeout} s"
    return out[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            if requests.get(base + "/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    pytest.fail(f"{base} did not come up within {timeout} s")


@pytest.fixture(scope="module")
def slices(shared_data, tmp_path_factory) -> list[Slice]:
    return write_slices(shared_data, tmp_path_factory.mktemp("slices"), [3000, 4500])


# -- kg load ---------------------------------------------------------------------------------


def test_kg_load_killed_at_random_points_leaves_old_or_new(slices, shared_data, tmp_path):
    store_path, log = tmp_path / "store", tmp_path / "kg.log"
    env = kg_env(store_path, shared_data)
    states = {"A": slices[0], "B": slices[1]}

    def warm_load(name: str) -> Warm:
        return Warm(["load", "biotools", str(states[name].path), "--force"], env, log)

    # A into the empty graph, then B over A: the killed loads all replace a full graph,
    # so the second (a replace, slower than a first load) gives the delays' range.
    for name in ("A", "B"):
        load = warm_load(name)
        load.go()
        assert load.wait() == 0, log.read_text()
        duration = time.monotonic() - load.started
        assert state_of(store_path, BIOTOOLS_GRAPH, states) == name

    rng = random.Random(SEED)
    current, outcomes = "B", {"old": 0, "new": 0}
    killed_running = 0
    target = "A"
    pending = warm_load(target)
    for _ in range(LOAD_TRIALS):
        proc = pending
        proc.go()
        time.sleep(rng.uniform(0, duration * 1.1))
        killed_running += proc.kill()
        found = state_of(store_path, BIOTOOLS_GRAPH, states)
        outcomes["new" if found == target else "old"] += 1
        current = found
        target = "B" if current == "A" else "A"
        pending = warm_load(target)
    pending.kill()
    # The kills really landed mid-load, and loads both did and did not get through.
    assert killed_running >= LOAD_TRIALS // 2, (killed_running, outcomes)
    assert outcomes["old"] and outcomes["new"], outcomes


# -- kg serve ---------------------------------------------------------------------------------


def _put(base: str, graph: ox.NamedNode, s: Slice) -> requests.Response:
    return requests.put(
        base + "/store",
        params={"graph": graph.value},
        data=s.ntriples(),
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )


SOURCE_GRAPHS = {
    "A": ox.NamedNode("http://example.org/crash/a"),
    "B": ox.NamedNode("http://example.org/crash/b"),
}
TARGET = ox.NamedNode("http://example.org/crash/target")


def _copy_update(source: ox.NamedNode) -> str:
    # Both IRIs are constants of this test.
    return (
        f"DROP SILENT GRAPH {TARGET} ;\n"
        f"INSERT {{ GRAPH {TARGET} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {source} {{ ?s ?p ?o }} }}"
    )


def _update(base: str, text: str) -> requests.Response:
    return requests.post(
        base + "/sparql",
        data=text.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )


@pytest.mark.parametrize("how", ["update", "put"])
def test_server_killed_during_a_write_leaves_old_or_new(how, slices, shared_data, tmp_path):
    store_path, log = tmp_path / "store", tmp_path / "serve.log"
    env = kg_env(
        store_path, shared_data, KG_WRITE_TOKEN=TOKEN, KG_MAX_QUERY_BYTES=str(64 * 1024 * 1024)
    )
    states = {"A": slices[0], "B": slices[1]}

    def write(base: str, name: str) -> requests.Response:
        if how == "put":
            return _put(base, TARGET, states[name])
        return _update(base, _copy_update(SOURCE_GRAPHS[name]))

    def serve() -> tuple[Warm, str]:
        port = free_port()
        server = Warm(["serve", "--port", str(port)], env, log)
        server.go()
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server.proc)
        return server, base

    # Set up: the source graphs (for the update) and state A, timing one write.
    server, base = serve()
    for name, graph in SOURCE_GRAPHS.items():
        assert _put(base, graph, states[name]).status_code in (201, 204)
    assert write(base, "A").status_code in (201, 204)
    started = time.monotonic()
    assert write(base, "B").status_code == 204
    duration = time.monotonic() - started
    server.kill()
    current = state_of(store_path, TARGET, states)
    assert current == "B"

    rng = random.Random(f"{SEED}-{how}")
    outcomes = {"old": 0, "new": 0}
    for _ in range(SERVER_TRIALS):
        target = "B" if current == "A" else "A"
        server, base = serve()
        answers: list[object] = []

        def send(base=base, target=target, answers=answers) -> None:
            try:
                answers.append(write(base, target).status_code)
            except requests.RequestException as exc:
                answers.append(exc)

        client = threading.Thread(target=send)
        client.start()
        time.sleep(rng.uniform(0, duration * 1.2))
        server.kill()
        client.join(timeout=60)
        assert not client.is_alive()
        current = state_of(store_path, TARGET, states)
        outcomes["new" if current == target else "old"] += 1
        if answers and answers[0] == 204:
            assert current == target, "an acknowledged write was lost"
    assert sum(outcomes.values()) == SERVER_TRIALS


# -- a first load (Oxigraph's bulk loader) ---------------------------------------------------

#: Writes one slice into the empty biotools graph, as ``kg load`` does, when told to go.
FIRST_WRITE = (
    "import sys, pyoxigraph as ox\n"
    "from kg.store import OxigraphStore\n"
    "store = OxigraphStore(sys.argv[1])\n"
    "quads = list(ox.parse(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES))\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "store.replace_graph(ox.NamedNode(sys.argv[3]), quads)\n"
    "store.close()\n"
)
FIRST_WRITE_TRIALS = 4


def test_first_write_into_an_empty_graph_killed_leaves_nothing_or_everything(slices, tmp_path):
    """Into an empty graph the store writes with Oxigraph's bulk loader (index files built
    aside, then ingested at once): a kill at any point leaves no triple or all of them,
    and no leftover file once the store is opened again."""
    store_path = tmp_path / "store"
    full = slices[1].triples
    args = [str(store_path), str(slices[1].path), BIOTOOLS_GRAPH.value]
    command = [sys.executable, "-c", FIRST_WRITE, *args]

    def content() -> set[ox.Triple]:
        store = OxigraphStore(store_path)
        try:
            assert not list(store_path.glob("bulk-*")), "a bulk write's file survived opening"
            found = data_triples(store, BIOTOOLS_GRAPH)
            store._store.remove_graph(BIOTOOLS_GRAPH)  # empty again for the next trial
            return found
        finally:
            store.close()

    first = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert _readline(first, timeout=60) == b"ready\n"
    started = time.monotonic()
    first.communicate(b"go\n", timeout=60)
    duration = time.monotonic() - started
    assert first.returncode == 0
    assert content() == full

    rng = random.Random(SEED)
    seen = {"nothing": 0, "everything": 0}
    for _ in range(FIRST_WRITE_TRIALS):
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert _readline(proc, timeout=60) == b"ready\n"
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        time.sleep(rng.uniform(0, duration * 1.1))
        proc.kill()
        proc.wait(timeout=30)
        found = content()
        assert found in (set(), full), f"{len(found)} triples, expected 0 or {len(full)}"
        seen["everything" if found else "nothing"] += 1
    assert sum(seen.values()) == FIRST_WRITE_TRIALS, seen
