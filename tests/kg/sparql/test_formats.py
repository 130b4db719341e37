"""Result serialisation (kg.sparql.formats): the SPARQL JSON writer against the standard's reading.

The JSON results are written as text (:func:`kg.sparql.formats.solutions_json`); each document
is read back with pyoxigraph's own SPARQL JSON parser and compared term by term with the
solutions it was written from, and with the dictionaries of :func:`kg.sparql.formats.json_term`.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.sparql import formats

EX = "http://example.org/"

TERMS = [
    ox.NamedNode(EX + "a?b=c&d#é"),
    ox.BlankNode("b0"),
    ox.Literal("plain"),
    ox.Literal('quote " backslash \\ newline \n tab \t nul \x00 unicode ✓ 𝔸'),
    ox.Literal("bonjour", language="fr"),
    ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("x", datatype=ox.NamedNode(EX + "custom")),
]


def _store() -> ox.Store:
    store = ox.Store()
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    for i, term in enumerate(TERMS):
        subject = term if isinstance(term, ox.BlankNode) else ox.NamedNode(f"{EX}s{i}")
        store.add(ox.Quad(subject, p, term if not isinstance(term, ox.BlankNode) else s))
    store.add(ox.Quad(s, ox.NamedNode(EX + "q"), ox.Literal("only s has q")))
    return store


QUERY = f"SELECT ?s ?o ?extra WHERE {{ ?s <{EX}p> ?o OPTIONAL {{ ?s <{EX}q> ?extra }} }}"


def test_json_results_read_back_as_the_same_solutions():
    store = _store()
    expected = [{v: row[v] for v in ("s", "o", "extra")} for row in store.query(QUERY)]
    body, truncated, total = formats.serialize_page(
        store.query(QUERY), formats.BY_NAME["json"], max_rows=100
    )
    assert (truncated, total) == (False, len(expected))
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert [v.value for v in parsed.variables] == ["s", "o", "extra"]
    got = [{v: row[v] for v in ("s", "o", "extra")} for row in parsed]
    assert sorted(map(repr, got)) == sorted(map(repr, expected))
    assert any(row["extra"] is None for row in got)  # unbound: absent from its binding


def test_json_results_match_json_term_dictionaries():
    store = _store()
    rows = list(store.query(QUERY))
    body = formats.solutions_json(["s", "o", "extra"], rows)
    document = json.loads(body)
    assert document["head"] == {"vars": ["s", "o", "extra"]}
    assert document["results"]["bindings"] == [
        {v: formats.json_term(row[v]) for v in ("s", "o", "extra") if row[v] is not None}
        for row in rows
    ]
    assert "truncated" not in document


def test_a_cut_result_says_truncated_and_keeps_the_page():
    store = _store()
    body, truncated, total = formats.serialize_page(
        store.query(QUERY), formats.BY_NAME["json"], max_rows=3, offset=1, limit=1
    )
    document = json.loads(body)
    assert (truncated, total, document["truncated"]) == (True, None, True)
    assert len(document["results"]["bindings"]) == 1


@pytest.mark.parametrize("name", ["xml", "csv", "tsv"])
def test_a_cut_result_in_other_formats_keeps_its_page(name):
    store = _store()
    body, truncated, _ = formats.serialize_page(store.query(QUERY), formats.BY_NAME[name], 3)
    assert truncated
    if name == "xml":
        assert len(list(ox.parse_query_results(body, format=ox.QueryResultsFormat.XML))) == 3
    else:
        assert len(body.splitlines()) == 1 + 3  # header and three solutions


@pytest.mark.parametrize("name", ["xml", "csv", "tsv"])
def test_other_result_formats_carry_every_solution(name):
    store = _store()
    body, _, total = formats.serialize_page(store.query(QUERY), formats.BY_NAME[name], 100)
    reference = store.query(QUERY).serialize(format=formats.BY_NAME[name].results)
    if name in ("csv", "tsv"):  # same lines, order of solutions aside
        assert sorted(body.splitlines()) == sorted(reference.splitlines())
    else:
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
        assert len(list(parsed)) == total == len(TERMS)
