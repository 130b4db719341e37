"""Isolation: readers querying while a source is reloaded see the old or the new graph.

Readers ask the live API (real HTTP) for the size of the default graph (the union of
all named graphs) and of the reloaded source's graph, in a bounded loop, while the
real load pipeline swaps the source between two versions. Every observed size must be
one of the two sizes measured while nothing was running; with the on-disk store the
queries run in the worker processes that read the store read-only.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from api import create_app
from kg.store import open_store
from loaders.pipeline import load
from tests.kg.store.test_crash import BIOTOOLS_GRAPH, write_slices

UNION = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
IN_GRAPH = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {BIOTOOLS_GRAPH} {{ ?s ?p ?o }} }}"
GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RELOADS = 6
MAX_READS = 400  # per reader


@pytest.fixture(scope="module")
def slices(shared_data, tmp_path_factory):
    return write_slices(shared_data, tmp_path_factory.mktemp("slices"), [3000, 4500])


def count(base: str, query: str) -> int:
    r = requests.get(base + "/sparql", params={"query": query, "format": "json"}, timeout=60)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_readers_see_the_old_or_the_new_graph_never_a_mix(
    backend, settings, slices, serve, tmp_path
):
    store = open_store("memory" if backend == "memory" else f"oxigraph:{tmp_path / 'store'}")
    base = serve(create_app(settings=settings, store=store))
    queries = (UNION, IN_GRAPH, GRAPHS)
    expected: list[set[int]] = [set(), set(), set()]
    for s in slices:  # each state, measured at rest
        load(store, settings, "biotools", str(s.path), force=True)
        for seen, query in zip(expected, queries, strict=True):
            seen.add(count(base, query))
    assert all(len(e) == n for e, n in zip(expected, (2, 2, 1), strict=True)), expected

    done = threading.Event()
    observed: list[tuple[int, ...]] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(MAX_READS):
                if done.is_set():
                    return
                observed.append(tuple(count(base, q) for q in queries))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for r in readers:
        r.start()
    try:
        for n in range(RELOADS):
            load(store, settings, "biotools", str(slices[n % 2].path), force=True)
    finally:
        done.set()
        for r in readers:
            r.join(timeout=120)
    assert not any(r.is_alive() for r in readers)
    assert not errors, errors
    assert observed
    for values in observed:
        for value, allowed, query in zip(values, expected, queries, strict=True):
            assert value in allowed, f"{query!r} gave {value}, expected one of {allowed}"
    store.close()


RACE = """
import sys, threading
from kg.sparql.service import service_endpoints
texts = [open(path).read() for path in sys.argv[1:]]
errors = []
def work(text):
    for _ in range(4):
        try:
            service_endpoints(text, is_update=False)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
threads = [threading.Thread(target=work, args=(texts[n % len(texts)],)) for n in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
print(len(errors), errors[:1])
"""


def test_service_checks_agree_when_run_in_parallel(settings):
    """The SERVICE check parses with rdflib's pyparsing grammar. pyparsing settles how many
    arguments each parse action takes on its first calls, and that is not thread-safe: in a
    fresh process, checks run in parallel broke the grammar for good and every query that
    mentions 'service' was refused until a restart (found by bench/soak.py). A fresh
    process, six threads, the named queries that mention 'service': no error."""
    paths = [
        str(p)
        for p in sorted(Path(settings.queries_dir).rglob("*.rq"))
        if "service" in p.read_text().lower()
    ]
    assert paths, "no named query mentions 'service'"
    proc = subprocess.run(
        [sys.executable, "-c", RACE, *paths],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("0 "), proc.stdout
