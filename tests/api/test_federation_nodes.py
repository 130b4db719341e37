"""A federation of converge-kg instances on 127.0.0.1: a hub and two Nodes, over real HTTP.

Each Node serves its own store holding one country's national resources (taken from the
full build); the hub, configured with both Node endpoints in ``service_allowlist`` and
``service_allow_private``, answers the named federated query
``queries/federated-national-resources.rq`` with SPARQL SERVICE. With a Node stopped,
SERVICE SILENT answers the other Node's rows and names the missing one in ``KG-Partial``;
without SILENT the hub answers 502 naming it. Every request has a timeout: never a hang.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from api import create_app
from kg.sparql.probe import PARTIAL_HEADER
from kg.store import open_store
from tests.support.paths import BASE
from tests.support.servers import Served

CKG = BASE + "ontology#"
QUERY = "federated-national-resources"
TIMEOUT = 60  # seconds any one request may take


def _countries(store) -> list[str]:
    """The two countries with the most national resources (computed from the sources)."""
    rows = store.query(
        f"SELECT ?c (COUNT(?r) AS ?n) WHERE {{ ?r a <{CKG}NationalResource> ; <{CKG}country> ?c }}"
        " GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 2"
    )
    return [r["c"].value for r in rows]


def _national(store, country: str) -> list[ox.Triple]:
    return list(
        store.query(
            f"CONSTRUCT {{ ?r ?p ?o }} WHERE {{ ?r a <{CKG}NationalResource> ;"
            f" <{CKG}country> ?country ; ?p ?o }}",
            {"country": ox.Literal(country)},
        )
    )


def _expected(store, country: str) -> set[tuple[str, str, str]]:
    rows = store.query(
        f"SELECT ?r ?name WHERE {{ ?r a <{CKG}NationalResource> ; <{CKG}country> ?country ;"
        " <https://schema.org/name> ?name }",
        {"country": ox.Literal(country)},
    )
    return {(r["r"].value, r["name"].value, country) for r in rows}


@pytest.fixture
def federation(full_build, settings, serve):
    """(hub URL, [(Node endpoint, expected rows, its server)]): Node B on its own server."""
    store, _ = full_build
    nodes = []
    node_b_server = _Stoppable()
    for country, served in zip(_countries(store), (serve, node_b_server), strict=True):
        node_store = open_store("memory")
        node_store.load(_national(store, country), ox.NamedNode(BASE + "graph/rdmkit"))
        endpoint = served(create_app(settings=settings, store=node_store)) + "/sparql"
        nodes.append((endpoint, _expected(store, country), served))
    hub_settings = settings.with_overrides(
        service_allowlist=",".join(e for e, _, _ in nodes), service_allow_private=True
    )
    hub = serve(create_app(settings=hub_settings, store=open_store("memory")))
    yield hub, nodes
    node_b_server.close()  # idempotent: a test may have stopped Node B already


class _Stoppable(Served):
    """A server that may be stopped by the test, then again by the fixture."""

    def close(self) -> None:
        super().close()
        self._servers.clear()


def _ask(hub: str, nodes) -> requests.Response:
    return requests.get(
        f"{hub}/queries/{QUERY}",
        params={"nodeA": nodes[0][0], "nodeB": nodes[1][0]},
        timeout=TIMEOUT,
    )


def _rows(response) -> set[tuple[str, str, str]]:
    return {(r["resource"], r["name"], r["country"]) for r in response.json()["rows"]}


def test_a_federated_query_answers_across_both_nodes(federation):
    hub, nodes = federation
    (a, rows_a, _), (b, rows_b, _) = nodes
    assert rows_a and rows_b and not rows_a & rows_b
    response = _ask(hub, nodes)
    assert response.status_code == 200, response.text
    assert PARTIAL_HEADER not in response.headers
    assert _rows(response) == rows_a | rows_b
    by_endpoint = {r["endpoint"] for r in response.json()["rows"]}
    assert by_endpoint == {a, b}


def test_with_a_node_down_service_silent_answers_the_other_and_names_the_missing(federation):
    hub, nodes = federation
    (a, rows_a, _), (b, _, server_b) = nodes
    server_b.close()
    response = _ask(hub, nodes)
    assert response.status_code == 200, response.text
    assert _rows(response) == rows_a
    assert b in response.headers[PARTIAL_HEADER]
    assert a not in response.headers[PARTIAL_HEADER]
    assert PARTIAL_HEADER in response.headers["Access-Control-Expose-Headers"]  # browsers see it


def test_with_a_node_down_a_query_without_silent_is_a_clear_502(federation):
    hub, nodes = federation
    (a, rows_a, _), (b, _, server_b) = nodes
    server_b.close()
    text = (
        f"SELECT ?r WHERE {{ {{ SERVICE <{a}> {{ ?r a <{CKG}NationalResource> }} }}"
        f" UNION {{ SERVICE <{b}> {{ ?r a <{CKG}NationalResource> }} }} }}"
    )
    response = requests.post(f"{hub}/sparql", data={"query": text}, timeout=TIMEOUT)
    assert response.status_code == 502
    body = response.json()
    assert body["status"] == 502 and b in body["error"] and a not in body["error"]
    # the same query with both Nodes named SILENT answers Node A's resources
    silent = text.replace("SERVICE <", "SERVICE SILENT <")
    response = requests.post(
        f"{hub}/sparql",
        data={"query": silent},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200 and b in response.headers[PARTIAL_HEADER]
    bindings = response.json()["results"]["bindings"]
    found = {row["r"]["value"] for row in bindings if "r" in row}  # a failed SILENT: one empty row
    assert found == {r for r, _, _ in rows_a}


def test_an_endpoint_outside_the_allowlist_is_refused(federation):
    hub, nodes = federation
    response = requests.get(
        f"{hub}/queries/{QUERY}",
        params={"nodeA": nodes[0][0], "nodeB": "http://127.0.0.1:1/sparql"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 403
    assert "http://127.0.0.1:1/sparql" in response.json()["error"]


# -- endpoint parameters (no network) ---------------------------------------------------


def test_service_parameters_become_iris_only_after_service():
    from kg.sparql.probe import bind_service_endpoints, services

    a, b = ox.NamedNode("http://a.example/sparql"), ox.NamedNode("http://b.example/sparql")
    text = (
        'SELECT * WHERE { BIND ("SERVICE ?x" AS ?label) # SERVICE ?x\n'
        "  SERVICE SILENT ?x { ?s ?p ?o } SERVICE ?y { ?s ?p ?x } SERVICE ?z { } }"
    )
    bound = bind_service_endpoints(text, {"x": a, "y": b, "z": ox.Literal("not an IRI")})
    assert bound == (
        'SELECT * WHERE { BIND ("SERVICE ?x" AS ?label) # SERVICE ?x\n'
        f"  SERVICE SILENT {a} {{ ?s ?p ?o }} SERVICE {b} {{ ?s ?p ?x }} SERVICE ?z {{ }} }}"
    )
    found = services(bound, [a.value, b.value, None])
    assert [(s.endpoint, s.silent) for s in found] == [(a.value, True), (b.value, False)]
