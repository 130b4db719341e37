"""Fuzzing every parser, loader and parameter binder with Hypothesis.

Inputs are random, or real files of the project mutated (slices deleted, duplicated or
replaced with tokens that matter to the format). Whatever comes in, the code must
answer with its own clear error (``LoadError`` naming the file, ``ParameterError``
naming the parameter, ``ServiceRefused``, an HTTP 4xx in the JSON error shape) or
succeed — never crash, never answer 5xx. Runs are bounded (``max_examples``), have no
deadline (the machine is shared) and are derandomized, so CI sees the same examples
every time.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api import create_app
from kg.errors import ServiceRefused
from kg.namespaces import Iris
from kg.queries.catalog import load_catalog
from kg.queries.parameters import TYPES, Parameter, ParameterError
from kg.sparql.service import service_endpoints
from kg.store import open_store
from loaders.catalogues import read_business_model_text, read_impact_text
from loaders.common import LoadError
from loaders.maturity import read_assessment_text
from loaders.nodes import read_nodes_text
from loaders.rdf_files import read_file
from tests.support.paths import ROOT

TOKEN = "fuzz-token-0123456789abcdef"
IRIS = Iris("https://w3id.org/elixir-converge/")


def bounded(n: int):
    return hypothesis_settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


#: Tokens that matter to YAML, Turtle, JSON-LD or SPARQL, spliced into real files.
TOKENS = st.one_of(
    st.sampled_from(
        [
            ":",
            "- ",
            "{",
            "}",
            "[",
            "]",
            "&a ",
            "*a",
            "!!python/object:os.system ",
            "!!binary ",
            "\n  ",
            "\n- ",
            "~",
            "null",
            "1e999",
            "2021-13-45",
            "0x1F",
            "'",
            '"',
            "#",
            "<<: *a",
            "@prefix x: <http://x/> .",
            "<",
            ">",
            ".",
            ";",
            ",",
            "_:b",
            "^^",
            "@en",
            "\\u0000",
            "\\",
            "SERVICE <http://127.0.0.1/> { }",
            "GRAPH ?g",
            "FILTER(",
            "VALUES ?x { 1 }",
            '"@context"',
            '"@id"',
            '"@graph"',
            '"@type"',
            "<<(",
            ")>>",
            "\x00",
            "\ufeff",
            "\u202e",
            "🜁",
            "\r",
            "\t",
            "{{",
            "}}",
        ]
    ),
    st.text(max_size=6),
)


@st.composite
def mutated(draw, seeds: list[str]) -> str:
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 60)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "replace"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(TOKENS) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i] + draw(TOKENS) + text[j:]
    return text


def texts(seeds: list[str]):
    return st.one_of(mutated(seeds), st.text(max_size=200))


def _read(*paths: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in paths]


def assert_api_error(response: requests.Response, allowed: set[int]) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert response.status_code in allowed, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        body = response.json()
        assert body["status"] == response.status_code and body["error"].strip()


# -- the server under test ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(settings, built):
    """A writable server over a small store (the ontology and shapes), over real HTTP."""
    from tests.support.servers import Served

    store = open_store("memory")
    source, _ = built
    for g in source.named_graphs():
        if g.value.endswith(("graph/ontology", "graph/shapes")):
            store.replace_graph(
                g, source.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=[g])
            )
    served = Served()
    yield served(create_app(settings=settings.with_overrides(write_token=TOKEN), store=store))
    served.close()


# -- YAML loaders ---------------------------------------------------------------------------------

DATA = ROOT / "data"


def _expect_load_error_or_data(call, name: str) -> None:
    try:
        data = call()
    except LoadError as exc:
        message = str(exc)
        assert message.strip() and "Traceback" not in message
        assert name in message, f"the error does not name the file: {message}"
    else:
        assert all(isinstance(t, ox.Triple) for t in data.triples)


@bounded(60)
@given(text=texts(_read(DATA / "nodes.yaml")))
def test_nodes_yaml(text):
    _expect_load_error_or_data(lambda: read_nodes_text(text, "nodes.yaml", IRIS), "nodes.yaml")


@bounded(60)
@given(text=texts(_read(*sorted((DATA / "business-models").glob("*.yaml")))))
def test_business_model_yaml(text):
    _expect_load_error_or_data(
        lambda: read_business_model_text(text, "bm-fuzz.yaml", IRIS), "bm-fuzz.yaml"
    )


@bounded(60)
@given(text=texts(_read(*sorted((DATA / "impact").glob("*.yaml")))))
def test_impact_yaml(text):
    _expect_load_error_or_data(
        lambda: read_impact_text(text, "impact-fuzz.yaml", IRIS), "impact-fuzz.yaml"
    )


def test_maturity_assessment_yaml(shared_data):
    model = shared_data / "rdm-maturity-model" / "maturity_model.json"
    seeds = _read(*sorted((DATA / "maturity-assessments").glob("*.yaml")))

    @bounded(40)
    @given(text=texts(seeds))
    def check(text):
        _expect_load_error_or_data(
            lambda: read_assessment_text(text, "assessment-fuzz.yaml", model, IRIS),
            "assessment-fuzz.yaml",
        )

    check()


# -- RDF files (kg load rdf) and Graph Store PUT ------------------------------------------------

TURTLE_SEEDS = _read(*sorted((ROOT / "shapes").glob("*.ttl"))[:2]) + [
    '@prefix ex: <http://example.org/> .\nex:a ex:p "x"@en, 1.5e3, [ ex:q ( 1 2 ) ] .\n'
]


def _jsonld_seed() -> str:
    triples = list(ox.parse(TURTLE_SEEDS[-1].encode(), format=ox.RdfFormat.TURTLE))
    return ox.serialize(triples, format=ox.RdfFormat.JSON_LD).decode()


JSONLD_SEEDS = [
    _jsonld_seed(),
    json.dumps(
        {
            "@context": {"ex": "http://example.org/", "name": "ex:name"},
            "@id": "ex:a",
            "name": "x",
            "ex:list": {"@list": [1, 2]},
        }
    ),
]


def _parse_file(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            quads = read_file(path)
        except LoadError as exc:
            assert str(path) in str(exc), str(exc)
        else:
            assert all(isinstance(q, ox.Quad) for q in quads)


@bounded(80)
@given(text=texts(TURTLE_SEEDS))
def test_rdf_file_loader_turtle(text):
    _parse_file(text, ".ttl")


@bounded(60)
@given(text=texts(JSONLD_SEEDS))
def test_rdf_file_loader_jsonld(text):
    _parse_file(text, ".jsonld")


def _put(base: str, body: bytes, media_type: str) -> requests.Response:
    return requests.put(
        base + "/store",
        params={"graph": "http://example.org/fuzz"},
        data=body,
        headers={"Content-Type": media_type, "Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )


def test_graph_store_put_turtle_and_jsonld(base):
    @bounded(50)
    @given(text=texts(TURTLE_SEEDS))
    def turtle(text):
        assert_api_error(
            _put(base, text.encode("utf-8", "surrogatepass"), "text/turtle"), {201, 204, 400}
        )

    @bounded(50)
    @given(text=texts(JSONLD_SEEDS))
    def jsonld(text):
        response = _put(base, text.encode("utf-8", "surrogatepass"), "application/ld+json")
        assert_api_error(response, {201, 204, 400})

    json_values = st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "@id",
                        "@type",
                        "@context",
                        "@value",
                        "@list",
                        "@graph",
                        "@reverse",
                        "http://example.org/p",
                        "name",
                    ]
                )
                | st.text(max_size=8),
                children,
                max_size=4,
            )
        ),
        max_leaves=20,
    )

    @bounded(50)
    @given(value=json_values)
    def random_jsonld(value):
        response = _put(base, json.dumps(value).encode(), "application/ld+json")
        assert_api_error(response, {201, 204, 400})

    turtle()
    jsonld()
    random_jsonld()


# -- YAML through POST /validate ------------------------------------------------------------------


def test_validate_endpoint_with_mutated_yaml(base):
    seeds = _read(*sorted((DATA / "business-models").glob("example-*.yaml")))

    @bounded(15)
    @given(text=texts(seeds))
    def check(text):
        response = requests.post(
            base + "/validate",
            params={"format": "yaml", "profile": "business-model", "name": "bm-fuzz.yaml"},
            data=text.encode("utf-8", "surrogatepass"),
            headers={"Content-Type": "application/yaml", "Accept": "application/json"},
            timeout=120,
        )
        assert_api_error(response, {200, 400, 422})

    check()


# -- SPARQL: the endpoint and the SERVICE parser -------------------------------------------------

SPARQL_SEEDS = [
    p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").rglob("*.rq"))[:12]
] + [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "PREFIX e: <http://example.org/> SELECT * { { SERVICE e:x { ?s ?p ?o } } UNION { ?s ?p ?o } }",
    'INSERT DATA { GRAPH <http://example.org/g> { <http://a> <http://b> "c" } }',
]


@bounded(150)
@given(text=texts(SPARQL_SEEDS))
def test_service_parser(text):
    try:
        endpoints = service_endpoints(text)
    except ServiceRefused as exc:
        assert str(exc).strip()
    else:
        assert all(e is None or isinstance(e, str) for e in endpoints)


def test_sparql_endpoint(base):
    @bounded(80)
    @given(text=texts(SPARQL_SEEDS), how=st.sampled_from(["get", "post-query", "post-update"]))
    def check(text, how):
        if how == "get":
            response = requests.get(base + "/sparql", params={"query": text}, timeout=60)
        else:
            kind = "query" if how == "post-query" else "update"
            response = requests.post(
                base + "/sparql",
                data=text.encode("utf-8", "surrogatepass"),
                headers={
                    "Content-Type": f"application/sparql-{kind}",
                    "Authorization": f"Bearer {TOKEN}",
                },
                timeout=60,
            )
        assert_api_error(response, {200, 204, 400, 403})

    check()


# -- named-query parameters --------------------------------------------------------------------

PARAMETERS = [
    Parameter("p", kind, True, "fuzzed", values=("a", "b c") if kind == "enum" else None)
    for kind in TYPES
] + [Parameter("p", "enum", True, "fuzzed", values=("http://example.org/a", "urn:x:b"))]
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "http://example.org/a> } SERVICE <http://127.0.0.1/> {",
            'x" . } #',
            "2020-02-30",
            "+.5",
            "en-x-",
            "urn:x:",
            "TRUE",
        ]
    ),
    mutated(["http://example.org/a", "2020-01-31", "-12.50", "true", "en-GB", "a"]),
)


@bounded(300)
@given(parameter=st.sampled_from(PARAMETERS), value=VALUES)
def test_parameter_binders(parameter, value):
    store = _EMPTY
    try:
        term = parameter.bind(value)
    except ParameterError as exc:
        assert "'p'" in str(exc) and str(exc).strip()
        return
    assert isinstance(term, (ox.NamedNode, ox.Literal))
    # The bound term makes a query that parses and runs, whatever the value held.
    rows = list(store.query("SELECT ?p WHERE { OPTIONAL { ?s ?q ?o } }", {"p": term}))
    assert len(rows) == 1
    seen = rows[0]["p"]
    if isinstance(term, ox.NamedNode):
        assert seen == term
    else:  # Oxigraph reads typed literals in canonical form ("00" is 0)
        assert (seen.datatype, seen.language) == (term.datatype, term.language)


_EMPTY = open_store("memory")


def test_named_queries_over_http(base, settings):
    catalog = load_catalog(settings.queries_dir)
    queries = [(q.name, p.name) for q in catalog for p in q.parameters]
    assert queries

    @bounded(60)
    @given(
        target=st.sampled_from(queries),
        value=VALUES,
        extra=st.sampled_from(["", "limit", "offset", "format", "zzz"]),
    )
    def check(target, value, extra):
        name, param = target
        params = {param: value}
        if extra:
            params[extra] = value
        response = requests.get(base + f"/queries/{name}", params=params, timeout=60)
        # a federated query's SERVICE endpoints are refused here (no allowlist): 403
        refused = {403} if name.startswith("federated-") else set()
        assert_api_error(response, {200, 400, 406} | refused)

    check()
