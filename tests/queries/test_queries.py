"""Every query file in queries/ has a well-formed header and answers on the full build.

The header (parsed by the query catalogue) is::

    # title: …
    # description: … (continuation lines start with "#   ")
    # param: name (type[: a|b|c for enum], required|optional[, default=value]) — description
    # keywords: …, …
    # returns: var, var, …
    # example: name=value&name=value

A parametrised query runs with its example (every required parameter, bound as a typed term).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.settings import Settings
from tests.support.paths import ROOT

FEDERATION_TESTS = ROOT / "tests" / "api" / "test_federation_nodes.py"
QUERIES = sorted(Path(Settings.load(environ={}).queries_dir).rglob("*.rq"))
PARAM = re.compile(r"^# param: (\w+) \(([^)]*)\) — \S.*$", re.M)
EXAMPLE = re.compile(r"^# example: (.+)$", re.M)
RETURNS = re.compile(r"^# returns: (.+)$", re.M)
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPES = {"iri", "string", "integer", "decimal", "boolean", "date", "language", "enum"}
LITERAL = {
    "integer": r"[+-]?\d+",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "boolean": r"true|false",
    "date": r"\d{4}-\d{2}-\d{2}",
    "language": r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*",
}


def parse_params(text: str) -> dict[str, dict]:
    params = {}
    for line in re.findall(r"^# param: .*$", text, re.M):
        match = PARAM.fullmatch(line)
        assert match, f"malformed param line: {line!r}"
        name, spec = match.groups()
        parts = [p.strip() for p in spec.split(",")]
        kind, _, values = parts[0].partition(":")
        assert kind in TYPES, f"param {name}: unknown type {kind!r}"
        assert (kind == "enum") == bool(values.strip()), f"param {name}: enum values"
        assert len(parts) > 1 and parts[1] in ("required", "optional"), f"param {name}"
        assert all(p.startswith("default=") for p in parts[2:]), f"param {name}: {parts[2:]}"
        default = parts[2].removeprefix("default=") if len(parts) > 2 else None
        assert default is None or parts[1] == "optional", f"param {name}: required with default"
        params[name] = {
            "type": kind,
            "required": parts[1] == "required",
            "default": default,
            "values": values.strip().split("|") if values.strip() else None,
        }
    return params


def typed(name: str, spec: dict, value: str) -> ox.NamedNode | ox.Literal:
    if spec["type"] == "iri":
        return ox.NamedNode(value)
    if spec["type"] == "enum":
        assert value in spec["values"], f"param {name}: {value!r} not in {spec['values']}"
        iris = all(re.match(r"(https?|urn):", v) for v in spec["values"])
        return ox.NamedNode(value) if iris else ox.Literal(value)
    if spec["type"] == "string":
        return ox.Literal(value)
    assert re.fullmatch(LITERAL[spec["type"]], value), f"param {name}: {value!r}"
    if spec["type"] == "language":  # a plain literal, lower-cased (kg/catalog.py)
        return ox.Literal(value.lower())
    return ox.Literal(value, datatype=ox.NamedNode(XSD + spec["type"]))


def test_there_are_queries():
    assert QUERIES


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_query_header_parses_and_answers(path, full_build):
    store, _ = full_build
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^# title: .+", text, re.M), "missing title"
    assert re.search(r"^# description: .+", text, re.M), "missing description"
    assert re.search(r"^# returns: .+", text, re.M), "missing returns"
    body = text.split("\nPREFIX", 1)[-1]
    params = parse_params(text)
    example = EXAMPLE.search(text)
    values = dict(kv.split("=", 1) for kv in example.group(1).split("&")) if example else {}
    assert set(values) <= set(params), (
        f"example names unknown parameters {set(values) - set(params)}"
    )
    bindings = {}
    for name, spec in params.items():
        assert re.search(rf"\?{name}\b", body), f"param {name} unused"
        if spec["required"]:
            assert name in values, f"the example lacks required param {name}"
        value = values.get(name, spec["default"])
        if value is not None:
            bindings[name] = typed(name, spec, value)
    result = store.query(text, bindings or None)
    returns = [v.strip() for v in RETURNS.search(text).group(1).split(",")]
    assert [v.value for v in result.variables] == returns, "returns: must list the result columns"
    rows = list(result)
    if path.name.startswith("federated-"):
        # Its rows come from other Nodes' endpoints: tests/api/test_federation_nodes.py starts
        # them and checks the answers. Here the example's endpoints are down (SILENT).
        assert FEDERATION_TESTS.read_text(encoding="utf-8").count(path.stem) > 0
        return
    assert rows, f"{path.name} answered no rows"
