"""Smoke test of bench/: every benchmark runs on tiny data (``--tiny``, one run) so none rots.

No timing is asserted: each benchmark must print its table, and the engines it compares
must agree on the answers (row counts).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bench import datasets, latency, load, memory, scale, throughput
from bench.common import BIOTOOLS

#: Queries that read every graph of the store: Virtuoso's union default graph also holds
#: its own system graphs, so their counts differ there by design.
ALL_GRAPHS = ("admin/void_", "heavy/predicate_profile")
#: Engines whose answers must match in-process pyoxigraph on every query.
SAME_ENGINE = ("kg API", "oxigraph")


@pytest.fixture(scope="module")
def workdir(shared_data, tmp_path_factory):
    return tmp_path_factory.mktemp("bench")


def tiny(workdir, *extra: str) -> list[str]:
    return ["--tiny", "--runs", "1", "--workdir", str(workdir), *extra]


def test_scale_rewrites_subjects_per_copy_and_is_deterministic(shared_data, tmp_path):
    n = 300
    first, again = tmp_path / "a.nt", tmp_path / "b.nt"
    assert scale.write(first, 3, limit=n) == 3 * n
    scale.write(again, 3, limit=n)
    assert first.read_bytes() == again.read_bytes()

    source = scale.read(BIOTOOLS, n)
    subjects = {t.subject.value for t in source if isinstance(t.subject, ox.NamedNode)}
    out = [q.triple for q in ox.parse(path=str(first), format=ox.RdfFormat.N_TRIPLES)]
    assert out[:n] == source  # copy 0 is the dump itself
    for k in (1, 2):
        copy = out[k * n : (k + 1) * n]
        for original, t in zip(source, copy, strict=True):
            if isinstance(original.subject, ox.NamedNode):
                assert t.subject.value == f"{original.subject.value}~{k}"
            if isinstance(original.object, ox.NamedNode):
                inside = original.object.value in subjects
                expected = f"{original.object.value}~{k}" if inside else original.object.value
                assert t.object.value == expected  # own links follow the copy, others stay


def test_datasets_and_load(workdir, capsys):
    assert datasets.main(tiny(workdir, "--scales", "1")) == 0
    out = capsys.readouterr().out
    assert "| x1-tiny" in out
    sample = datasets.prepare(workdir, 1, tiny=True)
    assert sample.quads == sample.biotools_triples > datasets.TINY_TRIPLES  # + provenance

    assert load.main(tiny(workdir, "--scales", "1")) == 0
    out = capsys.readouterr().out
    assert "### Load into an on-disk store" in out
    for loader in ("bulk_load (raw pyoxigraph)", "kg load (no validation)", "kg load rdf"):
        assert loader in out
    assert "of raw bulk_load" in out


def test_latency_engines_agree(workdir, capsys):
    assert latency.main(tiny(workdir, "--scales", "1")) == 0
    out = capsys.readouterr().out
    assert "### Query latency on x1-tiny" in out
    results = latency.main.results["x1-tiny"]
    names = [name for name, _ in latency.workload(latency.TINY_QUERIES)]
    assert any(n.startswith("heavy/") for n in names) and len(names) >= 6
    expected = results["in-process"]
    assert set(expected) == set(names)
    assert all(isinstance(expected[n], int) for n in names), expected
    for engine in SAME_ENGINE:
        assert results[engine] == expected, engine
    assert {"rdflib", "virtuoso"} <= set(results), results.keys()
    for engine in ("rdflib", "virtuoso"):
        for name in names:
            got = results[engine][name]
            if expected[name] and not name.startswith(ALL_GRAPHS) and isinstance(got, int):
                assert got == expected[name], (engine, name)
        answered = [n for n in names if isinstance(results[engine][n], int)]
        assert answered == names, (engine, results[engine])


def test_throughput_without_errors(workdir, capsys):
    argv = tiny(workdir, "--requests", "8", "--peers", "oxigraph")
    assert throughput.main(argv) == 0
    out = capsys.readouterr().out
    assert "### Throughput of nodes/list_node_institutes" in out
    results = throughput.main.results
    assert set(results["sent"]) == {"kg API", "oxigraph"}
    assert all(n > 0 for n in results["sent"].values())
    assert results["errors"] == {"kg API": 0, "oxigraph": 0}


def test_memory_of_build_load_and_serve(workdir, capsys):
    assert memory.main(tiny(workdir, "--scale", "1", "--load-scale", "1")) == 0
    out = capsys.readouterr().out
    assert "### Peak RSS in MiB" in out and "kg serve" in out
    results = memory.main.results
    assert results["answered"] == [2 * results["queries"]]
    assert all(total >= main > 0 for total, main, _ in results["served"])


def test_validation_bench_tiny(shared_data, capsys):
    from bench import validation

    assert validation.main(["--tiny", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "### Validation (tiny graph" in out
    for workload in ("one record in context", "10 records in context", "whole graph"):
        assert f"| {workload}" in out
    results = validation.main.results
    assert results["one record in context"]["document triples"] > 0
    assert results["10 records in context"]["focus nodes"] == 20  # each record and its period


def test_soak_smoke(shared_data):
    """bench/soak.py for a few seconds: the mix runs, the reload happens, nothing fails."""
    from bench import soak

    report = soak.soak(seconds=3, rate=8, clients=2, sources=("ontology", "shapes", "rdmkit"))
    assert report["errors"] == 0, report["error_samples"]
    assert report["requests"] == 3 * 8
    assert {"sparql-get", "sparql-post", "named"} <= set(report["by_kind"])
    assert report["reload"]["triples"] > 0
    assert report["rss_end"]["server_mb"] > 0


def test_latency_stops_a_request_at_the_cap_and_restarts_the_peer():
    """A peer that does not answer within ``--cap`` is marked stopped and restarted."""
    import socket

    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
        restarts = []
        engine = latency.Engine("rdflib", latency.over_http(url, 0.3), endpoint=url)
        engine.restart = lambda: restarts.append(engine.name)
        latency.measure([engine], [("q", "ASK {}")], n_runs=3, cap=0.3)
    assert engine.rows == {"q": "stopped at 0.3 s"}
    assert engine.samples == {}
    assert restarts == ["rdflib"]
