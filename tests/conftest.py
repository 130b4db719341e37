"""Shared fixtures: settings, stores over every backend, the real RDMkit graph, a live server."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.settings import Settings
from kg.store import open_store
from kg.store.oxigraph import OxigraphStore
from tests.support.paths import FIXTURES, SHARED_DATA
from tests.support.servers import Served


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets. Missing data is a failure, never a skip."""
    if not (SHARED_DATA / "rdmkit").is_dir():
        pytest.fail(f"the shared datasets are missing: {SHARED_DATA} (see shared/data/SOURCES.md)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def settings(shared_data) -> Settings:
    return Settings.load({"store": "memory", "sources_dir": str(shared_data)}, environ={})


@pytest.fixture(scope="session")
def virtuoso():
    """A private Virtuoso server on 127.0.0.1 for the whole session (tools.virtuoso).

    Not installed or not starting is a failure, never a skip.
    """
    from tools.virtuoso import VirtuosoError, VirtuosoServer

    try:
        # 256M query memory: a runaway transitive path fails in seconds, not half a minute
        server = VirtuosoServer(max_query_mem="256M").start()
    except VirtuosoError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture(params=["memory", "oxigraph", "virtuoso"])
def store(request, tmp_path) -> OxigraphStore:
    """A fresh, empty store of each backend (Virtuoso: the session's server, emptied)."""
    if request.param == "virtuoso":
        s = request.getfixturevalue("virtuoso").open_store()
        s.clear()
    else:
        url = "memory" if request.param == "memory" else f"oxigraph:{tmp_path / 'store'}"
        s = open_store(url)
    yield s
    s.close()


@pytest.fixture
def run_named(settings):
    """``run_named(store, query, bindings, max_rows=…, limit=…, offset=…) -> Page``: a named
    query run as the CLI and the API run it (:func:`kg.queries.pages.run_page` under an
    executor with every limit); the executors' workers are stopped afterwards."""
    from kg.queries.pages import run_page
    from kg.sparql.execution import Executor

    executors = []

    def run(store, query, bindings, *, max_rows=None, limits=None, **page):
        limits = (limits or settings).with_overrides(max_rows=max_rows or settings.max_rows)
        executors.append(Executor(store, limits))
        return run_page(executors[-1], query, bindings, **page)

    yield run
    for executor in executors:
        executor.close()


@pytest.fixture(scope="session")
def built(settings):
    """A memory store with ontology, shapes and RDMkit loaded by the real pipeline."""
    from loaders.pipeline import load

    store = open_store("memory")
    reports = {name: load(store, settings, name) for name in ("ontology", "shapes", "rdmkit")}
    return store, reports


@pytest.fixture
def serve():
    """``serve(app) -> base URL``: a live server per test, stopped afterwards."""
    served = Served()
    yield served
    served.close()


@pytest.fixture(scope="session")
def live_server(settings, built):
    """The API over the built RDMkit graph, served over real HTTP on 127.0.0.1."""
    from api import create_app

    store, _ = built
    served = Served()
    yield served(create_app(settings=settings, store=store))
    served.close()


@pytest.fixture
def writable(settings, serve):
    """A fresh memory store served with a write token: ``(base_url, store, token)``."""
    from api import create_app

    token = "test-token-" + "x" * 20
    store = open_store("memory")
    app = create_app(settings=settings.with_overrides(write_token=token), store=store)
    return serve(app), store, token


@pytest.fixture(scope="session")
def full_build(settings):
    """A memory store with every configured source loaded by the real pipeline."""
    from kg.validation.shapes import Validator
    from loaders.pipeline import SOURCES, load

    store = open_store("memory")
    validator = Validator(settings)
    reports = {name: load(store, settings, name, validator=validator) for name in SOURCES}
    return store, reports


HOSTILE_DATA = FIXTURES / "hostile.ttl"


@pytest.fixture(scope="module")
def hostile_site(settings, full_build):
    """The API over every source plus hostile names (``tests/data/hostile.ttl``: markup,
    quotes, ``</script>``, ``{{7*7}}``, a javascript: URL), served on 127.0.0.1 for one
    module: ``(base_url, store)``. The hostile graph is dropped afterwards, so the rest of
    the session sees the build unchanged."""
    import pyoxigraph as ox

    from api import create_app

    store, _ = full_build
    graph = ox.NamedNode(settings.base_iri + "graph/test-hostile")
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=HOSTILE_DATA)]
    store.load(triples, graph)
    served = Served()
    try:
        yield served(create_app(settings=settings, store=store)), store
    finally:
        served.close()
        store.update(f"DROP SILENT GRAPH {graph}")  # a pyoxigraph term: its N-Triples form


@pytest.fixture(scope="session")
def rdmkit_src(shared_data):
    """The RDMkit source files read independently of the loaders (tests/support/rdmkit_source.py)."""
    from tests.support.rdmkit_source import read

    return read(shared_data / "rdmkit")


@pytest.fixture(scope="session")
def full_site(settings, full_build):
    """The API over every source, over real HTTP: ``(base_url, requests.Session)``."""
    import requests

    from api import create_app

    store, _ = full_build
    served = Served()
    base = served(create_app(settings=settings, store=store))
    with requests.Session() as session:
        yield base, session
    served.close()
