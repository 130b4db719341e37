"""The store contract, run against every backend."""

from __future__ import annotations

import io
import threading

import pyoxigraph as ox
import pytest

from kg.errors import NotEmptyError, QuerySyntaxError, ReadOnlyError, StoreError
from kg.store import open_store
from kg.store.base import STAGING_PREFIX
from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/"
G1 = ox.NamedNode(EX + "g1")
G2 = ox.NamedNode(EX + "g2")


def t(s: str, o: str | int) -> ox.Triple:
    obj = ox.Literal(o) if isinstance(o, int) else ox.NamedNode(EX + o)
    return ox.Triple(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), obj)


def all_quads(store) -> list[ox.Quad]:
    """Every quad, staging graphs included. Engine difference: the embedded store is read
    directly; a remote engine (Virtuoso) only over SPARQL, and never its own system graphs."""
    if isinstance(store, OxigraphStore):
        return list(store._store)
    return store.quads(staging=True)


def graph_content(store, graph) -> set[tuple[str, str]]:
    rows = store.query("SELECT ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": graph})
    return {(r["s"].value, r["o"].value) for r in rows}


def test_load_into_named_graph_and_count(store):
    assert store.load([t("a", "b"), t("a", "c")], G1) == 2
    assert graph_content(store, G1) == {(EX + "a", EX + "b"), (EX + "a", EX + "c")}
    assert store.named_graphs() == [G1]
    assert len(store) == 2


def test_query_select_ask_construct_with_typed_bindings(store):
    store.load([t("a", 1), t("b", 2)], G1)
    rows = list(
        store.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", {"o": ox.Literal(2), "g": G1})
    )
    assert [r["s"] for r in rows] == [ox.NamedNode(EX + "b")]
    assert bool(store.query("ASK { GRAPH ?g { ?s ?p 1 } }")) is True
    # A binding is a term, never text: a string "2" does not match the integer 2.
    assert (
        list(store.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", {"o": ox.Literal("2")})) == []
    )
    triples = list(store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert len(triples) == 2 and all(isinstance(x, ox.Triple) for x in triples)


def test_malformed_query_and_update_raise_syntax_error(store):
    with pytest.raises(QuerySyntaxError):
        store.query("SELEC ?s WHERE { ?s ?p ?o }")
    with pytest.raises(QuerySyntaxError):
        store.update("INSERT DATA { <a> }")


def test_update(store):
    store.update(f"INSERT DATA {{ GRAPH <{G1.value}> {{ <{EX}a> <{EX}p> <{EX}b> }} }}")
    assert graph_content(store, G1) == {(EX + "a", EX + "b")}


def test_replace_graph_swaps_only_that_graph(store):
    store.load([t("a", "old")], G1)
    store.load([t("x", "y")], G2)
    assert store.replace_graph(G1, [t("a", "new"), t("b", "new")]) == 2
    assert graph_content(store, G1) == {(EX + "a", EX + "new"), (EX + "b", EX + "new")}
    assert graph_content(store, G2) == {(EX + "x", EX + "y")}
    assert store.named_graphs() == [G1, G2]


def test_replace_graph_that_fails_half_way_leaves_the_old_graph_intact(store):
    store.load([t("a", "old1"), t("a", "old2")], G1)

    def broken():
        yield t("a", "new1")
        yield t("a", "new2")
        raise RuntimeError("source died half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        store.replace_graph(G1, broken())
    assert graph_content(store, G1) == {(EX + "a", EX + "old1"), (EX + "a", EX + "old2")}
    assert store.named_graphs() == [G1]
    # no staging graph is left behind either
    assert not any(
        isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(STAGING_PREFIX)
        for q in all_quads(store)
    )


def test_replace_with_nothing_empties_the_graph(store):
    store.load([t("a", "b")], G1)
    store.replace_graph(G1, [])
    assert graph_content(store, G1) == set()


def test_dump_and_restore_round_trip_isomorphic(store, tmp_path):
    store.load([t("a", "b"), t("a", 3)], G1)
    store.load(
        [ox.Triple(ox.BlankNode("x"), ox.NamedNode(EX + "p"), ox.Literal("é", language="fr"))], G2
    )
    out = io.BytesIO()
    store.dump(out)
    target = open_store(f"oxigraph:{tmp_path / 'restored'}")
    assert target.restore(io.BytesIO(out.getvalue())) == 3
    a, b = ox.Dataset(all_quads(store)), ox.Dataset(all_quads(target))
    a.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    b.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert a == b
    target.close()


def test_restore_refuses_a_non_empty_store_unless_forced(store):
    store.load([t("a", "b")], G1)
    dump = f"<{EX}x> <{EX}p> <{EX}y> <{EX}g3> .\n".encode()
    with pytest.raises(NotEmptyError):
        store.restore(io.BytesIO(dump))
    assert graph_content(store, G1) == {(EX + "a", EX + "b")}
    store.restore(io.BytesIO(dump), force=True)
    assert store.named_graphs() == [ox.NamedNode(EX + "g3")]


def test_restore_of_a_malformed_dump_changes_nothing(store):
    store.load([t("a", "b")], G1)
    with pytest.raises(SyntaxError):
        store.restore(io.BytesIO(b"<a> <b> .\n"), force=True)
    assert graph_content(store, G1) == {(EX + "a", EX + "b")}


def test_on_disk_store_persists_and_opens_read_only(tmp_path):
    url = f"oxigraph:{tmp_path / 's'}"
    s = open_store(url)
    s.load([t("a", "b")], G1)
    s.close()
    ro = open_store(url, read_only=True)
    assert graph_content(ro, G1) == {(EX + "a", EX + "b")}
    with pytest.raises(ReadOnlyError):
        ro.load([t("c", "d")], G1)
    with pytest.raises(ReadOnlyError):
        ro.replace_graph(G1, [])
    ro.close()


def test_a_crash_between_staging_and_swap_leaves_only_garbage_that_is_removed(tmp_path):
    url = f"oxigraph:{tmp_path / 's'}"
    s = open_store(url)
    s.load([t("a", "b")], G1)
    # simulate a crash after the staging write, before the swap
    s._store.add(
        ox.Quad(
            ox.NamedNode(EX + "z"),
            ox.NamedNode(EX + "p"),
            ox.Literal(1),
            ox.NamedNode(STAGING_PREFIX + "dead"),
        )
    )
    # and a bulk write killed before its ingestion leaves index files beside the store
    (tmp_path / "s" / "bulk-1234.sst").write_bytes(b"unfinished")
    s.close()
    s = open_store(url)
    assert s.named_graphs() == [G1]
    assert len(s) == 1
    assert not list((tmp_path / "s").glob("bulk-*"))
    s.close()


@pytest.mark.parametrize("url", ["", "oxigraph:", "sqlite:x", "memorx"])
def test_open_store_rejects_unknown_locations(url):
    with pytest.raises(StoreError):
        open_store(url)


def test_bindings_cannot_inject_sparql(store):
    store.load([t("a", "b")], G1)
    hostile = ox.Literal('x" ) } } ; DROP ALL ; SELECT * WHERE { ?s ?p "')
    rows = list(store.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", {"o": hostile}))
    assert rows == []
    assert len(store) == 1
    with pytest.raises(ValueError):
        store.query("SELECT * WHERE { ?s ?p ?o }", {"o) } DROP ALL #": ox.Literal(1)})
    with pytest.raises(TypeError):
        store.query("SELECT * WHERE { ?s ?p ?o }", {"o": ox.BlankNode()})


def test_default_graph_is_the_union_of_named_graphs(store):
    store.load([t("a", "b")], G1)
    store.load([t("c", "d")], G2)
    rows = store.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
    assert [r["s"].value for r in rows] == [EX + "a", EX + "c"]
    rows = store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[G2])
    assert [r["s"].value for r in rows] == [EX + "c"]


def test_bindings_are_seen_by_filters_and_grouping(store):
    store.load([t("a", 1), t("b", 2), t("c", 3)], G1)
    rows = store.query(
        "SELECT ?s WHERE { ?s ?p ?o FILTER(?o >= ?min) } ORDER BY ?s", {"min": ox.Literal(2)}
    )
    assert [r["s"].value for r in rows] == [EX + "b", EX + "c"]
    rows = list(
        store.query(
            "SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o FILTER(?o > ?min) }", {"min": ox.Literal(1)}
        )
    )
    assert rows[0]["n"].value == "2"
    with pytest.raises(QuerySyntaxError, match="no WHERE group"):
        store.query("CONSTRUCT { ?s ?p ?o } ", {"o": ox.Literal(1)})


def canonical(triples) -> ox.Dataset:
    """``triples`` as a canonical dataset: equal iff isomorphic (blank nodes renamed)."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def stored(store, graph) -> ox.Dataset:
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    return canonical(store.query(construct, {"g": graph}))


def blank(label: str, o: str | int) -> list[ox.Triple]:
    """``EX:a p _:label . _:label p o`` — one blank node, used as object and subject."""
    node, p = ox.BlankNode(label), ox.NamedNode(EX + "p")
    obj = ox.Literal(o) if isinstance(o, int) else ox.NamedNode(EX + o)
    return [ox.Triple(ox.NamedNode(EX + "a"), p, node), ox.Triple(node, p, obj)]


CHAIN = ox.Triple(ox.BlankNode("x"), ox.NamedNode(EX + "next"), ox.BlankNode("y"))
OLD = [t("a", "b"), t("a", "c"), t("d", 1), *blank("x", "kept"), *blank("y", 7), CHAIN]
REPLACEMENTS = {
    "identical": OLD,
    "partly changed": [t("a", "b"), t("d", 2), t("e", "f"), *blank("x", "kept"), *blank("z", 8)],
    "same blank nodes, one link less": [t("a", "b"), *blank("x", "kept"), *blank("y", 7)],
    "with new blank nodes only": [*blank("q", 1), *blank("r", "s")],
    "without blank nodes": [t("a", "b"), t("g", "h")],
    "empty": [],
}


@pytest.mark.parametrize("new", REPLACEMENTS.values(), ids=REPLACEMENTS.keys())
def test_replacing_a_non_empty_graph_gives_exactly_the_new_content(store, new):
    store.load(OLD, G1)
    store.load([t("x", "y"), *blank("x", "other")], G2)
    before_g2 = stored(store, G2)
    assert store.replace_graph(G1, new) == len(new)
    assert stored(store, G1) == canonical(new)
    assert stored(store, G2) == before_g2
    assert store.replace_graph(G1, OLD) == len(OLD)  # and back again
    assert stored(store, G1) == canonical(OLD)
    assert stored(store, G2) == before_g2


def test_terms_that_look_like_sparql_round_trip_through_a_replace(store):
    """The difference is written as update text from validated terms only: a literal or an
    IRI spelled like SPARQL stays data, in ``DELETE DATA`` as in ``INSERT DATA``."""
    hostile = [
        ox.Triple(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal(text))
        for text in (
            'x" } } ; DROP ALL ; INSERT DATA { <a> <b> "',
            "line\nbreak \\ é",
            "}",
            "_:b0 is no blank node",
            "<<( <a> <b> <c> )>> is no triple term",
        )
    ]
    store.load([t("x", "y")], G2)
    store.load([*hostile, t("a", "b")], G1)
    for content in (hostile[1:], hostile[:3], [*hostile, t("c", "d")]):
        store.replace_graph(G1, content)
        assert stored(store, G1) == canonical(content)
    assert stored(store, G2) == canonical([t("x", "y")])


def test_bulk_write_of_an_empty_graph_is_seen_whole_or_not_at_all(tmp_path):
    """Into an empty graph of an on-disk store the content goes by Oxigraph's bulk loader
    (one atomic ingestion): queries running meanwhile in this process see no triple of the
    graph or all of them, in the graph and in the union default graph alike."""
    s = open_store(f"oxigraph:{tmp_path / 's'}")
    s.load([t("x", "y")], G2)
    content = [t(f"s{n}", n) for n in range(2000)]
    done, seen, errors = threading.Event(), set(), []

    def reader() -> None:
        try:
            for _ in range(2000):
                if done.is_set():
                    return
                rows = s.query("SELECT (COUNT(*) AS ?u) WHERE { ?s ?p ?o }")
                union = int(next(iter(rows))["u"].value)
                in_graph = s.count(G1)
                seen.add((union, in_graph))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(5):
            s.replace_graph(G1, content)
            s.replace_graph(G1, [])
    finally:
        done.set()
        thread.join(timeout=60)
    assert not thread.is_alive() and not errors, errors
    assert seen
    assert {u for u, _ in seen} <= {1, 1 + len(content)}, seen
    assert {n for _, n in seen} <= {0, len(content)}, seen
    assert s.named_graphs() == [G2]
    s.close()
