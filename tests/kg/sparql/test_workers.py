"""Query workers (kg.sparql.workers): a fixed number of processes, a time limit that covers the wait
for one, and memory given back after a large query."""

from __future__ import annotations

import json
import threading
import time

import psutil
import pyoxigraph as ox
import pytest

from kg.errors import QueryTimeout, QueryTooLarge
from kg.sparql.workers import TRIM_ABOVE, QueryPool, Task

EX = "https://example.org/workers/"
#: 1.4 million distinct strings built from 2,000 × 700 literals: hundreds of MiB in a worker.
LARGE = f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
  ?a <{EX}v> ?u . ?b <{EX}w> ?w BIND(CONCAT(STR(?u), "-", STR(?w), "-padding-to-grow-it") AS ?x)
}}"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }}"
CHEAP = f"SELECT ?o WHERE {{ <{EX}s0> <{EX}v> ?o }}"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("workers") / "store"
    store = ox.Store(str(path))
    graph = ox.NamedNode(EX + "g")
    store.extend(
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "v"), ox.Literal(f"value {i}"), graph)
        for i in range(2000)
    )
    store.extend(
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "w"), ox.Literal(f"other {i}"), graph)
        for i in range(700)
    )
    store.flush()
    del store
    return str(path)


@pytest.fixture
def pool_of(store_path):
    """``pool_of(size, timeout)``: a query pool over the test store, closed afterwards."""
    made: list[QueryPool] = []

    def make(size: int, timeout: float, max_memory: int = 0) -> QueryPool:
        made.append(QueryPool(store_path, size, timeout=timeout, max_memory=max_memory))
        return made[-1]

    yield make
    for pool in made:
        pool.close()


def task(text: str) -> Task:
    return Task(
        text=text,
        default_graph=None,
        named_graphs=None,
        solutions_format="json",
        graph_format=None,
        generation=0,
        max_rows=1000,
    )


def rows(answer) -> list[dict]:
    return json.loads(answer.body)["results"]["bindings"]


def test_queries_beyond_the_workers_wait_for_one(pool_of):
    pool = pool_of(1, 60)
    answers, errors = [], []

    def ask() -> None:
        try:
            answers.append(rows(pool.run(task(CHEAP))))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert answers == [[{"o": {"type": "literal", "value": "value 0"}}]] * 4
    assert len(pool._all) == 1  # one process served all four


def test_the_time_limit_covers_waiting_for_a_worker(pool_of):
    pool = pool_of(1, 1)
    assert rows(pool.run(task(CHEAP)))
    assert pool._slots.acquire(timeout=5)  # the one worker is taken (as by a long query)
    try:
        with pytest.raises(QueryTimeout, match="no query worker came free within 1 s"):
            pool.run(task(CHEAP))
    finally:
        pool._slots.release()
    assert pool.timeouts == 1
    assert rows(pool.run(task(CHEAP)))  # once the worker is free, it answers


def test_a_query_past_the_limit_is_stopped_and_its_worker_replaced(pool_of):
    pool = pool_of(1, 1)
    with pytest.raises(QueryTimeout, match="ran longer than 1 s and was stopped"):
        pool.run(task(RUNAWAY))
    assert pool._all == set()
    assert rows(pool.run(task(CHEAP)))
    assert len(pool._all) == 1


def test_a_worker_gives_back_the_memory_of_a_large_query(pool_of):
    pool = pool_of(1, 120)
    assert rows(pool.run(task(CHEAP)))
    (worker,) = pool._all
    process = psutil.Process(worker.process.pid)
    start = process.memory_info().rss
    peak, done = start, threading.Event()

    def sample() -> None:
        nonlocal peak
        for _ in range(12_000):  # bounded: at most ~120 s of 10 ms samples
            if done.is_set():
                return
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    answer = pool.run(task(LARGE))
    done.set()
    sampler.join(timeout=10)
    assert int(rows(answer)[0]["n"]["value"]) == 2000 * 700
    assert peak > start + 2 * TRIM_ABOVE, "the query did not grow the worker; test is moot"
    after = process.memory_info().rss
    for _ in range(100):  # bounded: the trim runs just after the answer is sent
        if after <= start + TRIM_ABOVE:
            break
        time.sleep(0.05)
        after = process.memory_info().rss
    assert after <= start + TRIM_ABOVE, (start, peak, after)


def test_a_query_past_the_memory_limit_is_stopped_and_its_worker_replaced(pool_of):
    pool = pool_of(1, 120, max_memory=160 * 2**20)  # the large query needs ~250 MiB
    assert rows(pool.run(task(CHEAP)))
    (first,) = pool._all
    with pytest.raises(QueryTooLarge, match="needed more than 160 MiB and was stopped"):
        pool.run(task(LARGE))
    assert pool.memory_stops == 1
    assert not first.process.is_alive() and pool._all == set()
    assert rows(pool.run(task(CHEAP)))  # a fresh worker serves on, within the limit
