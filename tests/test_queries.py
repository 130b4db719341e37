"""Every query file in queries/ parses and answers on the graph built from the real sources."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import Settings

QUERIES = sorted(Path(Settings.load(environ={}).queries_dir).rglob("*.rq"))
PARAM = re.compile(r"^# param: (\w+) \((\w+)", re.M)
EXAMPLE = re.compile(r"^# example: (.+)$", re.M)


def test_there_are_queries():
    assert QUERIES


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_header_parses_and_answers(path, built):
    store, _ = built
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^# title: .+", text, re.M), "missing title"
    assert re.search(r"^# description: .+", text, re.M), "missing description"
    bindings = {}
    example = EXAMPLE.search(text)
    for name, kind in PARAM.findall(text):
        assert f"?{name}" in text.split("\nPREFIX", 1)[-1], f"param {name} unused"
        assert example, "a parametrised query needs an example"
        value = dict(kv.split("=", 1) for kv in example.group(1).split("&"))[name]
        bindings[name] = ox.NamedNode(value) if kind == "iri" else ox.Literal(value)
    rows = list(store.query(text, bindings))
    assert rows, f"{path.name} answered no rows"
