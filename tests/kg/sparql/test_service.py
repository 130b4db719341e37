"""SERVICE guard: only allowlisted, public endpoints; found in the parsed query, not the text."""

from __future__ import annotations

import socket

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql.parser import parseQuery

import kg.sparql.service as federation
from kg.errors import ServiceRefused
from kg.settings import Settings
from kg.sparql.addresses import literal_address
from kg.sparql.service import check_services, service_endpoints

PUBLIC = "https://query.example.org/sparql"
PUBLIC_ADDRESS = "93.184.216.34"


def settings(*allowed: str, allow_private: bool = False) -> Settings:
    return Settings.load(
        {"service_allowlist": ",".join(allowed), "service_allow_private": allow_private},
        environ={},
    )


def fake_dns(table: dict[str, list[str]]):
    """A getaddrinfo look-alike answering from ``table``; never touches the network."""

    def resolve(host, port):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port),
            )
            for a in table[host]
        ]

    return resolve


def no_dns(host, port):
    raise AssertionError(f"unexpected DNS lookup of {host!r}")


DNS = fake_dns({"query.example.org": [PUBLIC_ADDRESS], "evil.example": ["127.0.0.1"]})


def select(endpoint: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"


# -- refused: the address ---------------------------------------------------------------

ADDRESS_CASES = {
    "loopback": ("http://127.0.0.1/sparql", "resolves to 127.0.0.1, a loopback address"),
    "localhost": ("http://localhost:7878/query", "resolves to 127.0.0.1, a loopback address"),
    "ipv6 loopback": ("http://[::1]/sparql", "resolves to ::1, a loopback address"),
    "metadata": (
        "http://169.254.169.254/latest/meta-data/",
        "resolves to 169.254.169.254, a cloud metadata address",
    ),
    "private 10/8": ("http://10.0.0.1/sparql", "resolves to 10.0.0.1, a private address"),
    "private 192.168/16": (
        "http://192.168.1.1/sparql",
        "resolves to 192.168.1.1, a private address",
    ),
    "hex": ("http://0x7f.0.0.1/sparql", "resolves to 127.0.0.1, a loopback address"),
    "decimal": ("http://2130706433/sparql", "resolves to 127.0.0.1, a loopback address"),
    "octal": ("http://0177.0.0.1/sparql", "resolves to 127.0.0.1, a loopback address"),
    "short": ("http://127.1/sparql", "resolves to 127.0.0.1, a loopback address"),
    "short hex": ("http://0x7f.1/sparql", "resolves to 127.0.0.1, a loopback address"),
    "ipv4-mapped": (
        "http://[::ffff:127.0.0.1]/sparql",
        "resolves to ::ffff:7f00:1 (carrying 127.0.0.1), a loopback address",
    ),
    "link-local v6": ("http://[fe80::1]/sparql", "resolves to fe80::1, a link-local address"),
    "unspecified": ("http://0.0.0.0/sparql", "resolves to 0.0.0.0, the unspecified address"),
    "shared (CGNAT)": ("http://100.64.0.1/sparql", "resolves to 100.64.0.1, a non-public address"),
    "multicast": ("http://224.0.0.1/sparql", "resolves to 224.0.0.1, a multicast address"),
    "dns to loopback": ("http://evil.example/sparql", "resolves to 127.0.0.1, a loopback address"),
}


@pytest.mark.parametrize("endpoint, reason", ADDRESS_CASES.values(), ids=ADDRESS_CASES.keys())
def test_allowlisted_endpoint_on_a_non_public_address_is_refused(endpoint, reason):
    # The endpoint IS allowlisted: the address rule alone refuses it. Literal addresses and
    # localhost are never looked up (``no_dns`` would fail the test); evil.example is.
    resolve = DNS if "evil" in endpoint else no_dns
    with pytest.raises(ServiceRefused) as caught:
        check_services(select(endpoint), settings(endpoint), resolve=resolve)
    assert str(caught.value) == f"SERVICE <{endpoint}> refused: {reason}"


def test_any_non_public_address_among_the_answers_refuses():
    dns = fake_dns({"query.example.org": [PUBLIC_ADDRESS, "2606:4700::1111", "10.1.2.3"]})
    with pytest.raises(ServiceRefused, match=r"resolves to 10\.1\.2\.3, a private address"):
        check_services(select(PUBLIC), settings(PUBLIC), resolve=dns)


def test_dns_failure_is_refused_with_a_clear_message():
    endpoint = "https://nowhere.example/sparql"
    with pytest.raises(ServiceRefused) as caught:
        check_services(select(endpoint), settings(endpoint), resolve=DNS)
    assert str(caught.value).startswith(
        f"SERVICE <{endpoint}> refused: cannot resolve host 'nowhere.example'"
    )


def test_metadata_address_stays_refused_with_allow_private():
    endpoint = "http://169.254.169.254/"
    with pytest.raises(ServiceRefused, match="a cloud metadata address"):
        check_services(select(endpoint), settings(endpoint, allow_private=True), resolve=no_dns)
    dns = fake_dns({"metadata.internal": ["fd00:ec2::254"]})
    endpoint = "http://metadata.internal/"
    with pytest.raises(ServiceRefused, match="resolves to fd00:ec2::254, a cloud metadata"):
        check_services(select(endpoint), settings(endpoint, allow_private=True), resolve=dns)


def test_numeric_host_that_is_no_address_is_refused():
    endpoint = "http://1.2.3.4.5/sparql"
    with pytest.raises(ServiceRefused, match="neither a host name nor a valid IPv4 address"):
        check_services(select(endpoint), settings(endpoint), resolve=no_dns)


# -- refused: the endpoint itself --------------------------------------------------------


def test_variable_endpoint_is_refused():
    query = "SELECT * WHERE { VALUES ?ep { <http://127.0.0.1/> } SERVICE ?ep { ?s ?p ?o } }"
    with pytest.raises(ServiceRefused) as caught:
        check_services(query, settings(PUBLIC), resolve=no_dns)
    assert str(caught.value) == (
        "SERVICE ?ep refused: SERVICE with a variable endpoint is not allowed"
    )


def test_endpoint_not_in_the_allowlist_is_refused_before_any_lookup():
    endpoint = "http://10.0.0.1/sparql"
    with pytest.raises(ServiceRefused) as caught:
        check_services(select(endpoint), settings(PUBLIC), resolve=no_dns)
    assert str(caught.value) == f"SERVICE <{endpoint}> refused: not in KG_SERVICE_ALLOWLIST"


def test_empty_allowlist_disables_service():
    with pytest.raises(ServiceRefused, match=r"not in KG_SERVICE_ALLOWLIST \(which is empty"):
        check_services(select(PUBLIC), settings(), resolve=no_dns)


@pytest.mark.parametrize("endpoint", ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO"])
def test_other_schemes_are_refused_even_when_allowlisted(endpoint):
    with pytest.raises(ServiceRefused) as caught:
        check_services(select(endpoint), settings(endpoint), resolve=no_dns)
    assert str(caught.value).startswith(
        f"SERVICE <{endpoint}> refused: only http and https endpoints are allowed"
    )


# -- refused: wherever the SERVICE hides -------------------------------------------------

INTERNAL = "http://10.0.0.1/sparql"
HIDDEN = {
    "OPTIONAL": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{INTERNAL}> {{ ?s ?q ?v }} }} }}",
    "UNION": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }} }}",
    "subquery": (
        f"SELECT ?s WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }} }} }}"
    ),
    "FILTER EXISTS": (
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }} }}"
    ),
    "FILTER NOT EXISTS in BIND": (
        f"SELECT * WHERE {{ BIND(NOT EXISTS {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }} AS ?x) }}"
    ),
    "MINUS": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }} }}",
    "GRAPH": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }} }}",
    "nested SERVICE": (
        f"SELECT * WHERE {{ SERVICE <{PUBLIC}> {{ ?s ?p ?o SERVICE <{INTERNAL}> {{ ?o ?q ?v }} }} }}"
    ),
    "SERVICE SILENT": f"SELECT * WHERE {{ SERVICE SILENT <{INTERNAL}> {{ ?s ?p ?o }} }}",
    "lower case": f"select * where {{ service <{INTERNAL}> {{ ?s ?p ?o }} }}",
    "mixed case": f"SeLeCt * WhErE {{ SeRvIcE <{INTERNAL}> {{ ?s ?p ?o }} }}",
    "no spaces": f"SELECT*WHERE{{?s ?p ?o.SERVICE<{INTERNAL}>{{?s ?p ?o}}}}",
    "prefixed name": (
        "PREFIX int: <http://10.0.0.1/> SELECT * WHERE { SERVICE int:sparql { ?s ?p ?o } }"
    ),
    "relative IRI against BASE": (
        "BASE <http://10.0.0.1/x/> SELECT * WHERE { SERVICE <../sparql> { ?s ?p ?o } }"
    ),
    "CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }}",
    "ASK": f"ASK {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }}",
    "DESCRIBE": f"DESCRIBE ?s WHERE {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }}",
    "after a comment with only a CR": (
        f"SELECT * WHERE {{ ?s ?p ?o # comment\r SERVICE <{INTERNAL}> {{ }}\n }}"
    ),
}


@pytest.mark.parametrize("query", HIDDEN.values(), ids=HIDDEN.keys())
def test_service_is_found_wherever_it_hides(query):
    with pytest.raises(ServiceRefused) as caught:
        check_services(query, settings(PUBLIC), resolve=DNS)
    assert str(caught.value) == f"SERVICE <{INTERNAL}> refused: not in KG_SERVICE_ALLOWLIST"


UPDATES = {
    "DELETE/INSERT WHERE": (
        "PREFIX ex: <http://example.org/> "
        "DELETE { ?s ex:p ?o } INSERT { ?s ex:q ?o } "
        f"WHERE {{ SERVICE <{INTERNAL}> {{ ?s ex:p ?o }} }}"
    ),
    "second operation, prefixed": (
        "INSERT DATA { <urn:a> <urn:b> <urn:c> } ; "
        "PREFIX int: <http://10.0.0.1/> "
        "INSERT { ?s ?p ?o } WHERE { SERVICE int:sparql { ?s ?p ?o } }"
    ),
    "DELETE WHERE with USING": (
        "DELETE { ?s ?p ?o } USING <urn:g> "
        f"WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{INTERNAL}> {{ ?s ?p ?o }} }} }}"
    ),
}


@pytest.mark.parametrize("update", UPDATES.values(), ids=UPDATES.keys())
def test_service_in_an_update_is_refused(update):
    with pytest.raises(ServiceRefused) as caught:
        check_services(update, settings(PUBLIC), is_update=True, resolve=DNS)
    assert str(caught.value) == f"SERVICE <{INTERNAL}> refused: not in KG_SERVICE_ALLOWLIST"


# -- refused: cannot verify (fail closed) ------------------------------------------------


def test_unparseable_query_mentioning_service_is_refused():
    query = f"SELECT * WHERE {{ SERVICE <{PUBLIC}> {{ ?s ?p ?o }}"  # a brace short
    with pytest.raises(ServiceRefused, match="^cannot verify SERVICE endpoints: "):
        check_services(query, settings(PUBLIC), resolve=DNS)


def test_unparseable_query_without_service_is_left_to_the_store():
    check_services("SELECT * WHERE { ?s ?p", settings(), resolve=no_dns)


def test_query_parsed_as_the_wrong_kind_is_refused():
    with pytest.raises(ServiceRefused, match="cannot verify"):
        check_services(select(PUBLIC), settings(PUBLIC), is_update=True, resolve=DNS)


# Queries on which rdflib's own parseQuery and Oxigraph disagree: Oxigraph calls the
# SERVICE, rdflib.parseQuery sees none. Each must be refused, and must really be a SERVICE
# call for Oxigraph (checked below, on a port Oxigraph itself refuses to contact).
DIFFERENTIALS = {
    # parseQuery expands \u0022 to '"' before parsing, so its string boundaries move.
    "unicode escape in a string": (
        'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <http://127.0.0.1:1/> {} '
        'BIND("\\u0022" AS ?y) }'
    ),
    # pyparsing's comment runs to LF; SPARQL's (and Oxigraph's) also ends at CR.
    "comment ended by CR": "SELECT * WHERE { # c\r SERVICE <http://127.0.0.1:1/> {} \n }",
}


@pytest.mark.parametrize("query", DIFFERENTIALS.values(), ids=DIFFERENTIALS.keys())
def test_parser_differentials_are_refused(query):
    assert "ServiceGraphPattern" not in repr(parseQuery(query))  # what rdflib alone sees
    with pytest.raises(OSError):  # what Oxigraph does: it tries to call the endpoint
        list(ox.Store().query(query))
    with pytest.raises(ServiceRefused):
        check_services(query, settings(), resolve=no_dns)


def test_more_service_keywords_than_parsed_clauses_is_refused(monkeypatch):
    # Simulate a parser that misses a clause: the keyword count in the text catches it.
    real_parse = federation._parse
    monkeypatch.setattr(federation, "_parse", lambda text, is_update: real_parse("ASK {}", False))
    federation._endpoints.cache_clear()  # parsed endpoints are memoised per text
    with pytest.raises(ServiceRefused, match="holds 1 SERVICE keyword"):
        check_services(select(PUBLIC), settings(PUBLIC), resolve=DNS)


def test_undeclared_prefix_is_refused():
    with pytest.raises(ServiceRefused, match="undeclared prefix 'int:'"):
        check_services("SELECT * { SERVICE int:sparql { } }", settings(PUBLIC), resolve=DNS)


# -- allowed -----------------------------------------------------------------------------


def test_allowlisted_public_endpoint_is_allowed():
    check_services(select(PUBLIC), settings(PUBLIC), resolve=DNS)


def test_allowlist_matches_after_normalising_case_and_default_port():
    written = "HTTPS://Query.Example.ORG:443/sparql"
    check_services(select(written), settings(PUBLIC), resolve=DNS)
    check_services(select(PUBLIC), settings(f" http://other.example/ , {written} "), resolve=DNS)
    with pytest.raises(ServiceRefused, match="not in KG_SERVICE_ALLOWLIST"):
        check_services(select(PUBLIC + "/"), settings(PUBLIC), resolve=DNS)  # path is exact
    with pytest.raises(ServiceRefused, match="not in KG_SERVICE_ALLOWLIST"):
        check_services(select("https://query.example.org:8443/sparql"), settings(PUBLIC))


def test_allowlisted_loopback_is_allowed_with_allow_private():
    endpoint = "http://127.0.0.1:7878/query"
    check_services(select(endpoint), settings(endpoint, allow_private=True), resolve=no_dns)
    with pytest.raises(ServiceRefused, match="a loopback address"):
        check_services(select(endpoint), settings(endpoint), resolve=no_dns)


def test_query_without_service_is_allowed_without_parsing_or_lookup(monkeypatch):
    monkeypatch.setattr(federation, "_parse", None)  # would fail if called
    check_services("SELECT * WHERE { ?s ?p ?o } LIMIT 10", settings(), resolve=no_dns)


def test_service_inside_a_string_literal_is_not_a_service_clause():
    # The text holds "SERVICE <http://127.0.0.1/>" - in a literal. A regex over the text
    # would refuse it; the parsed query has no SERVICE clause, so it runs.
    queries = [
        'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1/> { ?a ?b ?c }" }',
        "SELECT * WHERE { ?s ?p '''SERVICE <http://127.0.0.1/> {}''' }",
        "PREFIX ex: <http://example.org/service/> SELECT ?service WHERE { ?service a ex:Service }"
        " # SERVICE <http://127.0.0.1/> in a comment",
        'INSERT DATA { <urn:a> <urn:note> "SERVICE <http://127.0.0.1/>" }',
    ]
    for query in queries:
        is_update = query.startswith("INSERT")
        assert service_endpoints(query, is_update=is_update) == []
        check_services(query, settings(), is_update=is_update, resolve=no_dns)


def test_each_endpoint_is_checked_once():
    calls = []

    def counting(host, port):
        calls.append(host)
        return DNS(host, port)

    query = f"SELECT * {{ SERVICE <{PUBLIC}> {{ ?s ?p ?o }} SERVICE <{PUBLIC}> {{ ?o ?p ?s }} }}"
    check_services(query, settings(PUBLIC), resolve=counting)
    assert calls == ["query.example.org"]


# -- service_endpoints -------------------------------------------------------------------


def test_service_endpoints_reads_the_parse_tree():
    query = """
        PREFIX ex: <http://example.org/>
        BASE <http://base.example/dir/>
        SELECT * WHERE {
          OPTIONAL { SERVICE SILENT ex:sparql { ?s ?p ?o SERVICE ?ep { ?o ?q ?v } } }
          FILTER EXISTS { SERVICE <rel> { ?x ?y ?z } }
          SERVICE ex:a\\.b { }
        }"""
    assert service_endpoints(query) == [
        "http://example.org/sparql",
        None,
        "http://base.example/dir/rel",
        "http://example.org/a.b",
    ]


def test_service_endpoints_of_updates_accumulate_prologues():
    update = (
        "PREFIX ex: <http://one.example/> INSERT { ?s ?p ?o } WHERE { SERVICE ex:q { ?s ?p ?o } };"
        "DELETE { ?s ?p ?o } WHERE { SERVICE ex:r { ?s ?p ?o } };"
        "PREFIX ex: <http://two.example/> DELETE { ?s ?p ?o } WHERE { SERVICE ex:s { ?s ?p ?o } }"
    )
    expected = ["http://one.example/q", "http://one.example/r", "http://two.example/s"]
    assert service_endpoints(update, is_update=True) == expected
    assert service_endpoints(update) == expected  # kind guessed


AGREEMENT = {
    "prefix declared twice: the last wins": (
        "PREFIX a: <http://127.0.0.1:1/> PREFIX a: <http://127.0.0.1:7/> "
        "SELECT * { SERVICE a:x { } }"
    ),
    "BASE resolved against the previous BASE": (
        "BASE <http://127.0.0.1:1/a/> BASE <//127.0.0.1:7/b/> SELECT * { SERVICE <c> { } }"
    ),
    "PREFIX resolved against BASE": (
        "BASE <http://127.0.0.1:1/a/> PREFIX a: <//127.0.0.1:7/x/> SELECT * { SERVICE a:y { } }"
    ),
    "empty prefix": "PREFIX : <http://127.0.0.1:7/> SELECT * { SERVICE : { } }",
}


@pytest.mark.parametrize("query", AGREEMENT.values(), ids=AGREEMENT.keys())
def test_endpoints_agree_with_what_oxigraph_calls(query):
    # Ports 1 and 7 are ones Oxigraph itself will not contact: its error names the port it
    # was about to call, without any network traffic.
    (endpoint,) = service_endpoints(query)
    assert endpoint.startswith("http://127.0.0.1:7/")
    with pytest.raises(OSError, match="port 7 "):
        list(ox.Store().query(query))


def test_rdflibs_own_parser_is_left_untouched():
    # We parse with a private copy of the grammar; rdflib's module-level one is unchanged.
    service_endpoints(select(PUBLIC))
    assert "service_string" in repr(parseQuery(select(PUBLIC)))


@pytest.mark.parametrize(
    "host, address",
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("8.8.8.8.", "8.8.8.8"),
        ("::1", "::1"),
        ("example.org", None),
        ("1e100.net", None),
    ],
)
def test_literal_address_reads_every_ipv4_spelling(host, address):
    result = literal_address(host)
    assert (str(result) if result else None) == address
