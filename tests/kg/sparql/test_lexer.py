"""The one SPARQL lexer: braces and keywords inside strings, IRIs and comments are not syntax."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import QuerySyntaxError
from kg.sparql.guards import check_nesting
from kg.sparql.lexer import code, outer_where_brace, tokens
from kg.sparql.rewrite import UpdateDatasetConflict, with_update_dataset

G1, G2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")


def test_tokens_skip_strings_iris_and_comments():
    text = "SELECT ?x WHERE { ?x <http://e/where> \"}\" . # { where\n ?x ex:where '''{''' }"
    words = [t.text for t in tokens(text) if t.kind == "word"]
    assert words == ["SELECT", "WHERE", "ex:where"]
    braces = [(t.kind, t.depth) for t in tokens(text) if t.kind in ("open", "close")]
    assert braces == [("open", 0), ("close", 0)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "{ ?s"),
        ("SELECT * { ?s ?p ?o }", "{ ?s"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p 1 }", "{ ?s ?p 1"),
        ('SELECT * WHERE { ?s ?p "WHERE {" }', '{ ?s ?p "'),
    ],
)
def test_outer_where_brace(text, expected):
    at = outer_where_brace(text)
    assert at is not None and text[at:].startswith(expected)


def test_construct_without_where_has_no_group():
    assert outer_where_brace("CONSTRUCT { ?s ?p ?o }") is None


def test_update_dataset_is_written_before_each_where():
    text = "INSERT { ?s ?p 1 } WHERE { ?s ?p ?o } ; DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    out = with_update_dataset(text, [G1], [G2])
    assert out.count(f"USING {G1} USING NAMED {G2} WHERE") == 2


def test_delete_where_is_written_in_long_form():
    out = with_update_dataset("DELETE WHERE { ?s ?p ?o }", [G1], [])
    assert out == f"DELETE {{ ?s ?p ?o }} USING {G1} WHERE {{ ?s ?p ?o }}"
    store = ox.Store()
    store.update(out)  # the rewrite parses


def test_data_operations_are_unchanged():
    text = "INSERT DATA { <http://a> <http://b> 1 }"
    assert with_update_dataset(text, [G1], []) == text


@pytest.mark.parametrize(
    "text",
    [
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } using named <http://g> WHERE { ?s ?p ?o }",
    ],
)
def test_using_or_with_in_the_text_conflicts(text):
    with pytest.raises(UpdateDatasetConflict):
        with_update_dataset(text, [G1], [])


def test_no_parameters_no_change():
    text = "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert with_update_dataset(text, [], []) is text


def test_code_blanks_what_tokens_skip_at_the_same_offsets():
    text = "SELECT * { ?s <http://e/a#b> \"}\" , ex:a\\'b . # }\n ?s ?p '''{''' }"
    blanked = code(text)
    assert len(blanked) == len(text)
    assert blanked.count("{") == 1 and blanked.count("}") == 1
    skipped = [t for t in tokens(text) if t.kind in ("skip", "escape")]
    assert all(blanked[t.start : t.end].strip() == "" for t in skipped)
    kept = [t for t in tokens(text) if t.kind not in ("skip", "escape")]
    assert all(blanked[t.start : t.end] == t.text or t.kind == "var" for t in kept)


def test_an_escape_outside_strings_does_not_open_a_string():
    # ex:a\'b is a prefixed name with an escaped quote: the } after it is syntax
    text = "SELECT * WHERE { ?s ex:p ex:a\\'b }"
    assert [t.kind for t in tokens(text)][-1] == "close"


def test_nesting_and_pattern_limits_ignore_strings_iris_and_comments():
    inside = '"' + "(" * 500 + '" <http://e/' + "[" * 500 + "> # " + "{" * 500 + "\n"
    check_nesting(f"SELECT * WHERE {{ ?s ?p {inside} }}")
    with pytest.raises(QuerySyntaxError, match="nested more than 200"):
        check_nesting("SELECT * WHERE { " + "(" * 201 + "1" + ")" * 201 + " }")
    dots = "".join(f"?s ?p {i} . " for i in range(1001))
    with pytest.raises(QuerySyntaxError, match="more than 1000 triple patterns"):
        check_nesting("SELECT * WHERE { " + dots + "}")
    check_nesting('SELECT * WHERE { ?s ?p "' + ". " * 2000 + '" }')
    check_nesting("INSERT DATA { " + dots + "}", query=False)  # updates may be long
