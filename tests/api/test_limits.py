"""Hard limits over real HTTP: a runaway query is killed at the timeout, others keep answering."""

from __future__ import annotations

import multiprocessing as mp
import threading

import pytest
import requests

from api import create_app
from kg.store import open_store
from loaders.pipeline import load

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s a <https://w3id.org/elixir-converge/ontology#ToolkitResource> }"
TOKEN = "limits-token-" + "y" * 20


@pytest.fixture(scope="module")
def disk_store_path(tmp_path_factory, settings):
    path = tmp_path_factory.mktemp("limits") / "store"
    store = open_store(f"oxigraph:{path}")
    load(store, settings, "rdmkit")
    store.close()
    return path


@pytest.fixture
def limited(disk_store_path, settings, serve):
    store = open_store(f"oxigraph:{disk_store_path}")
    app = create_app(
        settings=settings.with_overrides(
            store=f"oxigraph:{disk_store_path}",
            query_timeout=3.0,
            query_memory_mb=160,
            max_concurrent_queries=3,
            write_token=TOKEN,
        ),
        store=store,
    )
    yield serve(app), app
    app.extensions["kg.executor"].close()
    store.close()


def test_runaway_query_is_stopped_while_cheap_queries_answer(limited):
    base, app = limited
    pool = app.extensions["kg.executor"].pool
    # children of other apps alive in this test process (session fixtures) are not ours
    others = {p.pid for p in mp.active_children()} - {w.process.pid for w in pool._all}
    outcome: dict[str, requests.Response] = {}

    def runaway() -> None:
        outcome["runaway"] = requests.get(f"{base}/sparql", params={"query": RUNAWAY}, timeout=60)

    thread = threading.Thread(target=runaway)
    thread.start()
    answered_meanwhile = 0
    for _ in range(200):  # bounded: at most 200 cheap queries while the runaway runs
        if not thread.is_alive():
            break
        r = requests.get(f"{base}/sparql", params={"query": CHEAP}, timeout=30)
        assert r.status_code == 200 and r.json()["boolean"] is True
        if thread.is_alive():
            answered_meanwhile += 1
    thread.join(timeout=60)
    assert answered_meanwhile > 0, "no cheap query answered while the runaway ran"
    r = outcome["runaway"]
    assert r.status_code == 503 and "stopped" in r.json()["error"]
    assert r.headers["Retry-After"]
    assert pool.timeouts == 1
    metrics = requests.get(f"{base}/metrics", timeout=10).text
    assert "kg_query_timeouts_total 1" in metrics.splitlines()
    # the runaway's worker was killed: every new live child process is a pooled, idle worker
    assert {p.pid for p in mp.active_children()} - others == {w.process.pid for w in pool._all}
    # the pool serves on with a fresh worker
    assert requests.get(f"{base}/sparql", params={"query": CHEAP}, timeout=30).status_code == 200


#: 300,000 distinct strings of ~1 KB from two VALUES lists: ~300 MiB in a query worker.
LARGE = (
    "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { "
    + "VALUES ?a { "
    + " ".join(map(str, range(600)))
    + " } "
    + "VALUES ?b { "
    + " ".join(map(str, range(500)))
    + " } "
    + f'BIND(CONCAT(STR(?a), "-", STR(?b), "{"-" * 1000}") AS ?x) }}'
)


def test_a_query_past_the_memory_limit_is_stopped_while_others_answer(limited):
    base, app = limited
    r = requests.post(f"{base}/sparql", data={"query": LARGE}, timeout=60)
    assert r.status_code == 503, r.text
    assert r.json()["error"] == (
        "the query needed more than 160 MiB and was stopped (KG_QUERY_MEMORY_MB)"
    )
    assert app.extensions["kg.executor"].pool.memory_stops == 1
    metrics = requests.get(f"{base}/metrics", timeout=10).text
    assert "kg_query_memory_stops_total 1" in metrics.splitlines()
    cheap = requests.get(f"{base}/sparql", params={"query": CHEAP}, timeout=30)
    assert cheap.status_code == 200 and cheap.json()["boolean"] is True


def test_workers_see_committed_writes(limited):
    base, _ = limited
    iri = "https://example.org/limits/new"
    ask = f"ASK {{ <{iri}> ?p ?o }}"
    assert (
        requests.get(f"{base}/sparql", params={"query": ask}, timeout=30).json()["boolean"] is False
    )
    update = (
        f"INSERT DATA {{ GRAPH <https://example.org/g> {{ <{iri}> <https://example.org/p> 1 }} }}"
    )
    r = requests.post(
        f"{base}/sparql",
        data={"update": update},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert r.status_code == 204, r.text
    after = requests.get(f"{base}/sparql", params={"query": ask}, timeout=30)
    assert after.status_code == 200, after.text
    assert after.json()["boolean"] is True


@pytest.mark.parametrize(
    ("params", "headers", "status"),
    [
        ({"query": "SELECT WHERE {"}, {}, 400),
        ({"query": "ASK {}"}, {"Accept": "text/turtle"}, 406),
        ({"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"}, {"Accept": "text/csv"}, 406),
        (
            {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"},
            {"Accept": "application/n-triples"},
            200,
        ),
    ],
)
def test_worker_errors_and_negotiation(limited, params, headers, status):
    base, _ = limited
    r = requests.get(f"{base}/sparql", params=params, headers=headers, timeout=30)
    assert r.status_code == status, r.text


@pytest.mark.parametrize("where", ["memory", "disk"])
@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "text/csv", "application/n-triples"]
)
def test_results_are_capped_with_a_signal(where, accept, disk_store_path, settings, serve):
    store = open_store("memory") if where == "memory" else open_store(f"oxigraph:{disk_store_path}")
    if where == "memory":
        load(store, settings, "rdmkit")
    app = create_app(settings=settings.with_overrides(max_rows=7), store=store)
    base = serve(app)
    form = "CONSTRUCT { ?s ?p ?o } WHERE" if accept == "application/n-triples" else "SELECT * WHERE"
    q = f"{form} {{ ?s ?p ?o }}"
    r = requests.get(f"{base}/sparql", params={"query": q}, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["KG-Results-Truncated"] == "7"
    if accept.endswith("json"):
        body = r.json()
        assert body["truncated"] is True and len(body["results"]["bindings"]) == 7
    else:
        assert len(r.text.strip().splitlines()) == 7 + (accept == "text/csv")
    small = requests.get(
        f"{base}/sparql", params={"query": q + " LIMIT 7"}, headers={"Accept": accept}, timeout=30
    )
    assert "KG-Results-Truncated" not in small.headers
    if accept.endswith("json"):
        assert "truncated" not in small.json()
    app.extensions["kg.executor"].close()
    store.close()
