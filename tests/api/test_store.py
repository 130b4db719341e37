"""``/store``: the W3C SPARQL 1.1 Graph Store HTTP Protocol, over real HTTP."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

from api import create_app
from kg.store import open_store

GRAPH = "http://example.org/graphs/one"
OTHER = "http://example.org/graphs/two"
TURTLE = """@prefix ex: <http://example.org/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:alice a ex:Person ;
    ex:name "Alice"@en , "Alicia"@es ;
    ex:age "42"^^xsd:integer ;
    ex:note "quotes \\" and\\nnewlines, ünïcödé" ;
    ex:address [ ex:city "Ghent" ; ex:country [ ex:code "BE" ] ] .
"""
REPLACEMENT = """@prefix ex: <http://example.org/ns#> .
ex:bob ex:name "Bob" ; ex:knows [ ex:name "someone" ] .
"""
#: (Content-Type / Accept, rdflib format name)
FORMATS = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
]
TIMEOUT = 30


def graph_of(text: str, fmt: str = "turtle") -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format=fmt)


def params_for(graph: str | None) -> dict[str, str]:
    return {"default": ""} if graph is None else {"graph": graph}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def write(method, base, token, body, graph=GRAPH, content_type="text/turtle"):
    headers = {"Content-Type": content_type} if content_type else {}
    if token:
        headers.update(auth(token))
    data = body.encode() if isinstance(body, str) else body
    return requests.request(
        method,
        f"{base}/store",
        params=params_for(graph),
        data=data,
        headers=headers,
        timeout=TIMEOUT,
    )


def put(base, token, body, graph=GRAPH, content_type="text/turtle"):
    return write("PUT", base, token, body, graph, content_type)


def post(base, token, body, graph=GRAPH, content_type="text/turtle"):
    return write("POST", base, token, body, graph, content_type)


def get(base, graph=GRAPH, accept=None, method="GET"):
    headers = {"Accept": accept} if accept else {}
    return requests.request(
        method, f"{base}/store", params=params_for(graph), headers=headers, timeout=TIMEOUT
    )


def fetch(base, graph=GRAPH) -> rdflib.Graph:
    r = get(base, graph, "application/n-triples")
    assert r.status_code == 200, r.text
    return graph_of(r.text, "nt")


def assert_error(r: requests.Response, status: int) -> str:
    """The one error shape: exactly ``{"error": message, "status": code}``."""
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error", "status"}
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


def default_graph_triples(store) -> set:
    return set(store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[ox.DefaultGraph()]))


# -- PUT / GET ------------------------------------------------------------------------------


@pytest.mark.parametrize(("content_type", "rdflib_format"), FORMATS)
def test_put_new_graph_then_get_it_back_in_every_format(writable, content_type, rdflib_format):
    base, _, token = writable
    expected = graph_of(TURTLE)
    r = put(base, token, expected.serialize(format=rdflib_format), content_type=content_type)
    assert r.status_code == 201, r.text
    assert r.content == b""
    for accept, fmt in FORMATS:
        r = get(base, accept=accept)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].split(";")[0] == accept
        assert "Accept" in r.headers.get("Vary", "")
        assert isomorphic(graph_of(r.text, fmt), expected), (accept, r.text)


def test_get_defaults_to_turtle_and_honours_q_values(writable):
    base, _, token = writable
    assert put(base, token, TURTLE).status_code == 201
    assert get(base).headers["Content-Type"].startswith("text/turtle")
    assert get(base, accept="*/*").headers["Content-Type"].startswith("text/turtle")
    r = get(base, accept="text/html;q=0.9, application/ld+json;q=0.5")
    assert r.headers["Content-Type"].startswith("application/ld+json")
    assert isomorphic(graph_of(r.text, "json-ld"), graph_of(TURTLE))


def test_put_existing_graph_answers_204_and_replaces(writable):
    base, store, token = writable
    assert put(base, token, TURTLE).status_code == 201
    assert put(base, token, TURTLE, graph=OTHER).status_code == 201
    r = put(base, token, REPLACEMENT)
    assert r.status_code == 204 and r.content == b""
    assert isomorphic(fetch(base), graph_of(REPLACEMENT))
    assert isomorphic(fetch(base, OTHER), graph_of(TURTLE)), "another graph was touched"
    assert default_graph_triples(store) == set()


def test_relative_iris_in_the_body_resolve_against_the_graph_iri(writable):
    base, _, token = writable
    assert put(base, token, '<#me> <http://xmlns.com/foaf/0.1/name> "me" .').status_code == 201
    subjects = {str(s) for s in fetch(base).subjects()}
    assert subjects == {GRAPH + "#me"}


def test_put_of_an_empty_body_leaves_no_graph(writable):
    base, _, token = writable
    assert put(base, token, TURTLE).status_code == 201
    assert put(base, token, "").status_code == 204
    assert_error(get(base), 404)
    # Nothing created: 204, and the graph still does not exist.
    assert put(base, token, "", graph=OTHER).status_code == 204
    assert_error(get(base, OTHER), 404)


# -- POST -----------------------------------------------------------------------------------


def test_post_merges_into_the_graph(writable):
    base, _, token = writable
    r = post(base, token, TURTLE)
    assert r.status_code == 201, r.text
    r = post(
        base, token, graph_of(REPLACEMENT).serialize(format="json-ld"), GRAPH, "application/ld+json"
    )
    assert r.status_code == 204, r.text
    merged = graph_of(TURTLE) + graph_of(REPLACEMENT)
    assert isomorphic(fetch(base), merged)


def test_post_keeps_blank_nodes_of_separate_bodies_apart(writable):
    base, _, token = writable
    body = '_:b0 <http://example.org/ns#n> "x" .'
    assert post(base, token, body, content_type="application/n-triples").status_code == 201
    assert post(base, token, body, content_type="application/n-triples").status_code == 204
    got = fetch(base)
    assert len(got) == 2 and len(set(got.subjects())) == 2


# -- DELETE / HEAD --------------------------------------------------------------------------


def test_delete_drops_the_graph(writable):
    base, store, token = writable
    assert put(base, token, TURTLE).status_code == 201
    assert put(base, token, TURTLE, graph=OTHER).status_code == 201
    r = requests.delete(
        f"{base}/store", params={"graph": GRAPH}, headers=auth(token), timeout=TIMEOUT
    )
    assert r.status_code == 204 and r.content == b""
    assert_error(get(base), 404)
    assert ox.NamedNode(GRAPH) not in store.named_graphs()
    assert isomorphic(fetch(base, OTHER), graph_of(TURTLE))
    r = requests.delete(
        f"{base}/store", params={"graph": GRAPH}, headers=auth(token), timeout=TIMEOUT
    )
    assert "<http://example.org/graphs/one>" in assert_error(r, 404)


def test_get_and_head_of_a_missing_graph_are_404(writable):
    base, _, _ = writable
    assert "no graph named" in assert_error(get(base, "http://example.org/nothing"), 404)
    r = get(base, "http://example.org/nothing", method="HEAD")
    assert r.status_code == 404 and r.content == b""


@pytest.mark.parametrize(("accept", "_fmt"), FORMATS)
def test_head_has_the_headers_of_get_and_no_body(writable, accept, _fmt):
    base, _, token = writable
    assert put(base, token, TURTLE).status_code == 201
    full = get(base, accept=accept)
    head = get(base, accept=accept, method="HEAD")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Type"] == full.headers["Content-Type"]
    # Compare the raw lengths: the body may be sent compressed.
    assert head.headers.get("Content-Encoding") == full.headers.get("Content-Encoding")
    assert head.headers["Content-Length"] == full.headers["Content-Length"]
    assert int(head.headers["Content-Length"]) > 0


# -- the default graph ----------------------------------------------------------------------


def test_default_graph_is_the_real_default_graph(writable):
    base, store, token = writable
    assert put(base, token, REPLACEMENT, graph=OTHER).status_code == 201
    r = get(base, None)
    assert r.status_code == 200 and len(graph_of(r.text)) == 0, "the union leaked in"

    assert put(base, token, TURTLE, graph=None).status_code == 201
    assert isomorphic(fetch(base, None), graph_of(TURTLE))
    assert len(default_graph_triples(store)) == len(graph_of(TURTLE))

    assert put(base, token, REPLACEMENT, graph=None).status_code == 204
    assert isomorphic(fetch(base, None), graph_of(REPLACEMENT))

    body = graph_of(TURTLE).serialize(format="xml")
    assert post(base, token, body, None, "application/rdf+xml").status_code == 204
    assert isomorphic(fetch(base, None), graph_of(TURTLE) + graph_of(REPLACEMENT))

    r = requests.delete(
        f"{base}/store", params={"default": ""}, headers=auth(token), timeout=TIMEOUT
    )
    assert r.status_code == 204
    assert len(fetch(base, None)) == 0 and default_graph_triples(store) == set()
    # The named graph was never touched.
    assert isomorphic(fetch(base, OTHER), graph_of(REPLACEMENT))


def test_default_graph_rejects_relative_iris_and_triple_terms(writable):
    base, store, token = writable
    r = put(base, token, '<me> <http://example.org/ns#p> "x" .', graph=None)
    assert "line 1" in assert_error(r, 400)
    r = put(
        base,
        token,
        "<http://a.example/s> <http://a.example/p> "
        "<<( <http://a.example/x> <http://a.example/y> <http://a.example/z> )>> .",
        graph=None,
    )
    assert "triple terms" in assert_error(r, 400)
    assert default_graph_triples(store) == set()


# -- graph selection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"graph": GRAPH, "default": ""},
        {"graph": "relative/graph"},
        {"graph": ""},
        {"graph": "http://example.org/a b"},
        {"graph": [GRAPH, OTHER]},
        {"graph": "urn:converge-kg:staging:0123"},
    ],
)
def test_graph_selection_errors_are_400(writable, params):
    base, store, token = writable
    for method in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        r = requests.request(
            method,
            f"{base}/store",
            params=params,
            data=TURTLE.encode(),
            headers={"Content-Type": "text/turtle", **auth(token)},
            timeout=TIMEOUT,
        )
        if method == "HEAD":
            assert r.status_code == 400 and r.content == b""
        else:
            assert_error(r, 400)
    assert len(store) == 0


def test_relative_graph_iri_message(writable):
    base, _, _ = writable
    r = get(base, "relative/graph")
    assert "absolute IRI" in assert_error(r, 400)


# -- media types and malformed bodies -------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/json",
        "application/sparql-update",
        None,
        "text/turtle; charset=iso-8859-1",
    ],
)
def test_unsupported_media_type_is_415(writable, content_type):
    base, store, token = writable
    assert_error(put(base, token, TURTLE, content_type=content_type), 415)
    assert_error(post(base, token, TURTLE, content_type=content_type), 415)
    assert len(store) == 0


def test_turtle_with_a_charset_parameter_is_fine(writable):
    base, _, token = writable
    assert put(base, token, TURTLE, content_type="text/turtle; charset=UTF-8").status_code == 201


@pytest.mark.parametrize("graph", [GRAPH, None])
def test_malformed_turtle_is_400_with_position_and_changes_nothing(writable, graph):
    base, _, token = writable
    assert put(base, token, TURTLE, graph=graph).status_code == 201
    before = get(base, graph, "application/n-triples").text
    broken = REPLACEMENT + "ex:carol ex:name .\n"
    for write_it in (put, post):
        message = assert_error(write_it(base, token, broken, graph), 400)
        assert "line 3" in message and "column" in message, message
        assert get(base, graph, "application/n-triples").text == before


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/n-triples", "<http://a.example/s> <http://a.example/p> ."),
        ("application/ld+json", '{"@id": "http://a.example/s", '),
        ("application/rdf+xml", "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax"),
        ("text/turtle", b"\xff\xfe<a> <b> <c> ."),
    ],
)
def test_malformed_bodies_in_every_format_are_400(writable, content_type, body):
    base, store, token = writable
    assert_error(put(base, token, body, content_type=content_type), 400)
    assert len(store) == 0


def test_jsonld_remote_context_is_not_fetched(writable):
    base, store, token = writable
    body = '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://a.example/s"}'
    r = requests.put(
        f"{base}/store",
        params={"graph": GRAPH},
        data=body,
        headers={"Content-Type": "application/ld+json", **auth(token)},
        timeout=10,
    )
    assert "context" in assert_error(r, 400)
    assert len(store) == 0


def test_jsonld_with_named_graphs_is_400(writable):
    base, store, token = writable
    body = (
        '{"@id": "http://a.example/g", "@graph": '
        '[{"@id": "http://a.example/s", "http://a.example/p": "o"}]}'
    )
    assert_error(put(base, token, body, content_type="application/ld+json"), 400)
    assert len(store) == 0


@pytest.mark.parametrize("accept", ["text/html", "application/sparql-results+json", "image/png"])
def test_unsupported_accept_is_406(writable, accept):
    base, _, token = writable
    assert put(base, token, TURTLE).status_code == 201
    message = assert_error(get(base, accept=accept), 406)
    assert "text/turtle" in message


# -- authorisation and limits ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_writes_need_the_token(writable, method):
    base, store, token = writable
    r = write(method, base, None, TURTLE)
    assert_error(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = write(method, base, "not-the-token", TURTLE)
    assert_error(r, 403)
    r = write(method, base, None, TURTLE, graph=None)
    assert_error(r, 401)
    assert len(store) == 0


def test_read_only_app_refuses_writes(settings, serve):
    token = "read-only-token-" + "y" * 20
    store = open_store("memory")
    base = serve(
        create_app(settings=settings.with_overrides(write_token=token, read_only=True), store=store)
    )
    for method in ("PUT", "POST", "DELETE"):
        for graph in (GRAPH, None):
            assert "read-only" in assert_error(write(method, base, token, TURTLE, graph), 403)
    assert len(store) == 0
    assert get(base, None).status_code == 200


def test_bodies_over_the_size_limit_are_413(settings, serve):
    token = "limit-token-" + "z" * 20
    store = open_store("memory")
    app = create_app(
        settings=settings.with_overrides(write_token=token, max_query_bytes=200), store=store
    )
    base = serve(app)
    big = TURTLE + "".join(
        f'<http://a.example/s{i}> <http://a.example/p> "{i}" .\n' for i in range(50)
    )
    assert len(big.encode()) > 200
    assert_error(put(base, token, big), 413)
    assert_error(post(base, token, big, graph=None), 413)
    assert len(store) == 0


# -- reading the real graph -----------------------------------------------------------------


def test_read_the_rdmkit_graph(live_server, built):
    store, _ = built
    graph = "https://w3id.org/elixir-converge/graph/rdmkit"
    r = get(live_server, graph, "application/n-triples")
    assert r.status_code == 200, r.text
    got = graph_of(r.text, "nt")
    assert len(got) == store.count(ox.NamedNode(graph)) > 1000
    head = get(live_server, graph, "text/turtle", method="HEAD")
    assert head.status_code == 200 and head.content == b""
    # Everything is in named graphs: the real default graph is empty.
    r = get(live_server, None, "application/n-triples")
    assert r.status_code == 200 and r.text.strip() == ""
    # No write token configured: writes are refused.
    assert_error(put(live_server, "anything", TURTLE, graph="http://example.org/x"), 403)
