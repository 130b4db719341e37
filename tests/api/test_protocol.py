"""SPARQL 1.1 Protocol beyond plain queries: updates by token, datasets, limits, web citizenship."""

from __future__ import annotations

import logging

import pytest
import rdflib
import requests
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, SPARQLWrapper

from api import create_app
from kg.store import open_store

EX = "http://example.org/"
INSERT = f"INSERT DATA {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> 1 }} GRAPH <{EX}g2> {{ <{EX}b> <{EX}p> 2 }} }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(base: str, **params) -> int:
    r = requests.get(f"{base}/sparql", params={"query": COUNT, **params}, timeout=10)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_of(r: requests.Response, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error", "status"} and body["status"] == status
    return body["error"]


def test_update_by_form_and_direct_with_the_token(writable):
    base, store, token = writable
    r = requests.post(f"{base}/sparql", data={"update": INSERT}, headers=auth(token), timeout=10)
    assert r.status_code == 204, r.text
    assert count(base) == 2
    direct = f"DELETE DATA {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> 1 }} }}"
    r = requests.post(
        f"{base}/sparql",
        data=direct.encode(),
        headers={**auth(token), "Content-Type": "application/sparql-update"},
        timeout=10,
    )
    assert r.status_code == 204 and count(base) == 1


def test_update_with_sparqlwrapper(writable):
    base, _, token = writable
    sw = SPARQLWrapper(f"{base}/sparql", updateEndpoint=f"{base}/sparql")
    sw.addCustomHttpHeader("Authorization", f"Bearer {token}")
    sw.setMethod(POST)
    sw.setRequestMethod(POSTDIRECTLY)
    sw.setQuery(INSERT)
    assert sw.query().response.status == 204
    sw = SPARQLWrapper(f"{base}/sparql")
    sw.setQuery(COUNT)
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["results"]["bindings"][0]["n"]["value"] == "2"


def test_writes_need_the_right_token(writable, settings, serve):
    base, _, token = writable
    r = requests.post(f"{base}/sparql", data={"update": INSERT}, timeout=10)
    assert "Bearer" in error_of(r, 401) and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = requests.post(
        f"{base}/sparql", data={"update": INSERT}, headers=auth(token + "x"), timeout=10
    )
    error_of(r, 403)
    r = requests.post(
        f"{base}/sparql", data={"update": INSERT}, headers={"Authorization": token}, timeout=10
    )
    error_of(r, 401)
    assert count(base) == 0
    read_only = serve(
        create_app(
            settings=settings.with_overrides(write_token=token, read_only=True),
            store=open_store("memory"),
        )
    )
    r = requests.post(
        f"{read_only}/sparql", data={"update": INSERT}, headers=auth(token), timeout=10
    )
    assert "read-only" in error_of(r, 403)
    no_token = serve(create_app(settings=settings, store=open_store("memory")))
    r = requests.post(
        f"{no_token}/sparql", data={"update": INSERT}, headers=auth("anything"), timeout=10
    )
    assert "disabled" in error_of(r, 403)


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "fragment"),
    [
        ("get", {"params": {"update": INSERT}}, 405, "POST"),
        ("post", {"data": {"update": INSERT, "query": COUNT}}, 400, "not both"),
        ("post", {"data": {"update": "INSERT DATA { <a> }"}}, 400, "malformed SPARQL update"),
        (
            "post",
            {
                "data": {
                    "update": f"WITH <{EX}g1> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
                    "using-graph-uri": EX + "g1",
                }
            },
            400,
            "using-graph-uri",
        ),
        (
            "post",
            {"data": {"update": INSERT, "using-named-graph-uri": "no iri"}},
            400,
            "using-named-graph-uri",
        ),
        ("post", {"data": {"nothing": "x"}}, 400, "missing 'query' or 'update'"),
        ("post", {"data": COUNT, "headers": {"Content-Type": ""}}, 415, "no media type"),
    ],
)
def test_protocol_errors(writable, method, kwargs, status, fragment):
    base, _, token = writable
    headers = {**auth(token), **kwargs.pop("headers", {})}
    r = getattr(requests, method)(f"{base}/sparql", headers=headers, timeout=10, **kwargs)
    assert fragment in error_of(r, status)
    if status == 405:
        assert r.headers["Allow"] == "POST"


def test_dataset_parameters(writable):
    base, store, token = writable
    requests.post(f"{base}/sparql", data={"update": INSERT}, headers=auth(token), timeout=10)
    assert count(base) == 2
    assert count(base, **{"default-graph-uri": EX + "g1"}) == 1
    r = requests.get(
        f"{base}/sparql",
        params=[
            ("query", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
            ("named-graph-uri", EX + "g2"),
        ],
        timeout=10,
    )
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [EX + "g2"]
    r = requests.get(
        f"{base}/sparql", params={"query": COUNT, "default-graph-uri": "not an iri"}, timeout=10
    )
    assert "default-graph-uri" in error_of(r, 400)


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"), [("application/n-quads", "nquads"), ("application/trig", "trig")]
)
def test_construct_as_dataset_formats(writable, fmt, rdflib_format):
    base, _, token = writable
    requests.post(f"{base}/sparql", data={"update": INSERT}, headers=auth(token), timeout=10)
    r = requests.get(
        f"{base}/sparql",
        params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
        headers={"Accept": fmt},
        timeout=10,
    )
    assert r.headers["Content-Type"].split(";")[0] == fmt
    ds = rdflib.Dataset().parse(data=r.content, format=rdflib_format)
    assert len(list(ds.quads())) == 2


def test_oversized_request_is_413(settings, serve):
    base = serve(
        create_app(
            settings=settings.with_overrides(max_query_bytes=100), store=open_store("memory")
        )
    )
    r = requests.post(
        f"{base}/sparql",
        data=("ASK {}" + " " * 500).encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    error_of(r, 413)


def test_saturated_service_answers_503_with_retry_after(settings, serve):
    app = create_app(
        settings=settings.with_overrides(max_concurrent_queries=1), store=open_store("memory")
    )
    base = serve(app)
    slots = app.extensions["kg.executor"].slots
    slots.acquire()  # one query is running
    try:
        r = requests.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=10)
        error_of(r, 503)
        assert r.headers["Retry-After"] == "1"
    finally:
        slots.release()
    assert requests.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=10).status_code == 200


def test_cors_preflight_is_answered_before_auth(writable):
    base, _, _ = writable
    r = requests.options(
        f"{base}/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
        timeout=10,
    )
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Authorization" not in r.headers["Access-Control-Allow-Headers"]
    r = requests.get(
        f"{base}/sparql",
        params={"query": "ASK {}"},
        headers={"Origin": "https://example.org"},
        timeout=10,
    )
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_gzip(live_server):
    small = requests.get(
        f"{live_server}/sparql",
        params={"query": "ASK {}"},
        headers={"Accept-Encoding": "gzip"},
        timeout=30,
    )
    assert "Content-Encoding" not in small.headers  # under MIN_GZIP_BYTES: sent as it is
    assert small.headers["Vary"].count("Accept-Encoding") == 1
    q = "SELECT * WHERE { ?s ?p ?o } LIMIT 500"
    r = requests.get(
        f"{live_server}/sparql",
        params={"query": q},
        headers={"Accept-Encoding": "gzip"},
        timeout=30,
    )
    assert r.headers["Content-Encoding"] == "gzip"
    assert len(r.json()["results"]["bindings"]) == 500  # requests decompresses
    r = requests.get(
        f"{live_server}/sparql",
        params={"query": q},
        headers={"Accept-Encoding": "identity"},
        timeout=30,
    )
    assert "Content-Encoding" not in r.headers


def test_conditional_requests_follow_the_store(writable):
    base, _, token = writable
    params = {"query": COUNT}
    first = requests.get(f"{base}/sparql", params=params, timeout=10)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = requests.get(
        f"{base}/sparql", params=params, headers={"If-None-Match": etag}, timeout=10
    )
    assert again.status_code == 304 and again.content == b""
    since = requests.get(
        f"{base}/sparql", params=params, headers={"If-Modified-Since": modified}, timeout=10
    )
    assert since.status_code == 304
    other = requests.get(
        f"{base}/sparql",
        params=params,
        headers={"If-None-Match": etag, "Accept": "text/csv"},
        timeout=10,
    )
    assert other.status_code == 200  # another representation, another ETag
    requests.post(f"{base}/sparql", data={"update": INSERT}, headers=auth(token), timeout=10)
    changed = requests.get(
        f"{base}/sparql", params=params, headers={"If-None-Match": etag}, timeout=10
    )
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_access_log_has_the_duration(live_server, caplog):
    with caplog.at_level(logging.INFO, logger="converge_kg.access"):
        requests.get(f"{live_server}/health", timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "converge_kg.access"]
    assert any(" GET /health 200 " in line and line.endswith("ms") for line in lines), lines


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("http://127.0.0.1:9/sparql", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://10.0.0.1/sparql", "private"),
        ("http://localhost:9/sparql", "loopback"),
        ("https://query.wikidata.org/sparql", "not in KG_SERVICE_ALLOWLIST"),
    ],
)
def test_service_is_refused_over_http(settings, serve, endpoint, reason):
    allow = "http://127.0.0.1:9/sparql,http://169.254.169.254/latest/meta-data,http://10.0.0.1/sparql,http://localhost:9/sparql"
    base = serve(
        create_app(
            settings=settings.with_overrides(service_allowlist=allow), store=open_store("memory")
        )
    )
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    r = requests.get(f"{base}/sparql", params={"query": query}, timeout=10)
    message = error_of(r, 403)
    assert endpoint in message and reason in message


def test_service_in_an_update_is_refused_too(writable):
    base, store, token = writable
    update = "INSERT { ?s ?p ?o } WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }"
    r = requests.post(f"{base}/sparql", data={"update": update}, headers=auth(token), timeout=10)
    assert "http://10.0.0.1/sparql" in error_of(r, 403)


def test_metrics_count_requests_latency_and_rejections(settings, serve):
    app = create_app(
        settings=settings.with_overrides(max_concurrent_queries=1), store=open_store("memory")
    )
    base = serve(app)
    for _ in range(3):
        requests.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=10)
    app.extensions["kg.executor"].slots.acquire()
    try:
        requests.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=10)
    finally:
        app.extensions["kg.executor"].slots.release()
    text = requests.get(f"{base}/metrics", timeout=10).text
    lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    assert lines['kg_http_requests_total{route="/sparql",method="GET",status="200"}'] == "3"
    assert lines['kg_http_requests_total{route="/sparql",method="GET",status="503"}'] == "1"
    assert lines['kg_http_request_duration_seconds_count{route="/sparql"}'] == "4"
    assert lines['kg_http_request_duration_seconds_bucket{route="/sparql",le="+Inf"}'] == "4"
    assert lines["kg_query_rejections_total"] == "1"
    assert lines["kg_queries_running"] == "0"
    assert "# TYPE kg_http_request_duration_seconds histogram" in text


def test_update_dataset_parameters_are_honoured(writable):
    """using-graph-uri / using-named-graph-uri set the dataset of each WHERE clause."""
    base, store, token = writable
    requests.post(f"{base}/sparql", data={"update": INSERT}, headers=auth(token), timeout=10)

    def update(text: str, *params: tuple[str, str]) -> None:
        r = requests.post(
            f"{base}/sparql",
            params=list(params),
            data=text.encode(),
            headers={**auth(token), "Content-Type": "application/sparql-update"},
            timeout=10,
        )
        assert r.status_code == 204, r.text

    def in_graph(name: str) -> set[str]:
        r = requests.get(
            f"{base}/sparql",
            params={"query": f"SELECT ?s WHERE {{ GRAPH <{EX}{name}> {{ ?s ?p ?o }} }}"},
            timeout=10,
        )
        return {b["s"]["value"] for b in r.json()["results"]["bindings"]}

    copy = f"INSERT {{ GRAPH <{EX}out> {{ ?s <{EX}q> ?o }} }} WHERE {{ ?s <{EX}p> ?o }}"
    update(copy, ("using-graph-uri", EX + "g1"))
    assert in_graph("out") == {EX + "a"}
    # Two operations, a string holding WHERE and a brace: each WHERE gets the dataset.
    two = (
        f'INSERT {{ GRAPH <{EX}out2> {{ ?s <{EX}note> "WHERE {{" }} }} WHERE {{ ?s <{EX}p> ?o }} ;'
        f" INSERT {{ GRAPH <{EX}out3> {{ ?s <{EX}q> ?o }} }} WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}"
    )
    update(two, ("using-graph-uri", EX + "g2"), ("using-named-graph-uri", EX + "g1"))
    assert in_graph("out2") == {EX + "b"}
    assert in_graph("out3") == {EX + "a"}
    # DELETE WHERE takes no USING: it is rewritten to its long form, same meaning.
    update(f"DELETE WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}", ("using-named-graph-uri", EX + "g2"))
    assert in_graph("g2") == set() and in_graph("g1") == {EX + "a"}
