"""The query catalog: every file in queries/ loads, headers are checked, parameters bind typed."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.queries.catalog import (
    CatalogError,
    NamedQuery,
    UnknownQuery,
    load_catalog,
    parse_query_file,
)
from kg.queries.pages import native
from kg.queries.parameters import MAX_VALUE_LENGTH, TYPES, Parameter, ParameterError
from kg.settings import Settings
from kg.store import open_store

QUERIES_DIR = Path(Settings.load(environ={}).queries_dir)
FILES = sorted(QUERIES_DIR.rglob("*.rq"))
XSD = "http://www.w3.org/2001/XMLSchema#"
CKG = "https://w3id.org/elixir-converge/ontology#"

GOOD = """\
# title: Resources for a stage
# description: A description that goes on
#   over a second line.
# param: stage (iri, required) — a life-cycle stage
# param: kind (enum: tool|database|standard, optional, default=tool) — what to list
# param: since (date, optional) — changed since
# keywords: life cycle, resources
# returns: name, n
# example: stage=https://w3id.org/elixir-converge/ontology#preserve
PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
SELECT ?name (COUNT(*) AS ?n) WHERE {
  ?page ckg:lifeCycleStage ?stage ; ckg:kind ?kind ; ckg:name ?name .
  OPTIONAL { ?page ckg:changed ?changed FILTER (?changed >= ?since) }
}
GROUP BY ?name
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_error(root: Path, text: str, name: str = "area/x.rq") -> tuple[str, str]:
    """The CatalogError for a catalog holding one file, and the file's shown path."""
    path = write(root, name, text)
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    return str(info.value), str(path)


def assert_error_at(root: Path, text: str, line: int, fragment: str) -> None:
    message, path = load_error(root, text)
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message, message


# -- the real catalog -------------------------------------------------------------------


def test_there_are_query_files():
    assert len(FILES) >= 10


def test_the_real_catalog_loads():
    catalog = load_catalog(QUERIES_DIR)
    assert len(catalog) == len(FILES)
    assert catalog.names() == sorted(
        p.relative_to(QUERIES_DIR).with_suffix("").as_posix() for p in FILES
    )
    stage = catalog.query("rdmkit/resources_for_stage")
    assert [p.name for p in stage.parameters] == ["stage"]
    assert stage.parameters[0].type == "iri" and stage.parameters[0].required
    assert stage.example == {"stage": CKG + "preserve"}
    with pytest.raises(UnknownQuery):
        catalog.query("rdmkit/no_such_query")
    with pytest.raises(UnknownQuery):
        catalog.query("../queries/rdmkit/resources_for_stage")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(QUERIES_DIR).as_posix())
def test_each_query_file_is_well_formed(path):
    query = parse_query_file(path, QUERIES_DIR)
    assert query.title and query.description and query.returns
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    for p in query.parameters:
        assert re.search(rf"[?$]{p.name}\b", body), f"parameter {p.name} is not used"
        assert p.description
        if p.default is not None:
            p.bind(p.default)
    bindings = query.bind(query.example)
    assert all(query.parameter(name) for name in bindings)
    assert all(name in bindings for name in (p.name for p in query.parameters if p.required))


def test_every_query_runs_on_the_built_graph_with_its_example(built, settings, run_named):
    store, _ = built
    catalog = load_catalog(QUERIES_DIR)
    for query in catalog:
        # a federated question's example endpoints are allowed, as a Node hub allows its peers
        endpoints = [v for v in query.example.values() if v.startswith("http")]
        limits = settings.with_overrides(
            service_allowlist=",".join(endpoints), service_allow_private=True
        )
        page = run_named(store, query, query.bind(query.example), limits=limits)
        assert page.kind in ("solutions", "boolean", "graph"), query.name
        if page.kind == "solutions":
            assert set(page.variables) == set(query.returns), query.name


# -- the header format ------------------------------------------------------------------


def test_a_good_header_is_read_in_full(tmp_path):
    write(tmp_path, "area/good.rq", GOOD)
    query = load_catalog(tmp_path).query("area/good")
    assert isinstance(query, NamedQuery)
    assert query.title == "Resources for a stage"
    assert query.description == "A description that goes on over a second line."
    assert query.keywords == ("life cycle", "resources")
    assert query.returns == ("name", "n")
    assert query.form == "select" and query.kind == "solutions"
    kind = query.parameter("kind")
    assert kind == Parameter(
        "kind", "enum", False, "what to list", "tool", ("tool", "database", "standard")
    )
    assert query.parameter("since").default is None
    bindings = query.bind(query.example)
    assert bindings == {
        "stage": ox.NamedNode(CKG + "preserve"),
        "kind": ox.Literal("tool"),
    }  # the optional 'since' without default stays unbound
    assert query.to_dict()["parameters"][1] == {
        "name": "kind",
        "type": "enum",
        "required": False,
        "default": "tool",
        "values": ["tool", "database", "standard"],
        "description": "what to list",
    }


def test_missing_title(tmp_path):
    text = GOOD.replace("# title: Resources for a stage\n", "")
    assert_error_at(tmp_path, text, 1, "no '# title:' line")


@pytest.mark.parametrize("key", ["description", "returns"])
def test_missing_required_keys(tmp_path, key):
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(f"# {key}:"))
    text = text.replace("#   over a second line.\n", "") if key == "description" else text
    assert_error_at(tmp_path, text + "\n", 1, f"no '# {key}:' line")


def test_unknown_type(tmp_path):
    text = GOOD.replace("since (date, optional)", "since (datetime, optional)")
    assert_error_at(tmp_path, text, 6, "unknown type 'datetime'")


def test_param_not_used_in_the_query(tmp_path):
    text = GOOD.replace("# keywords:", "# param: unused (string, optional) — not used\n# keywords:")
    assert_error_at(tmp_path, text, 7, "parameter 'unused' is not used as ?unused")


def test_param_mentioned_only_in_a_comment_or_string_is_not_used(tmp_path):
    text = GOOD.replace(
        "# keywords:", "# param: ghost (string, optional) — in a comment only\n# keywords:"
    ).replace("GROUP BY ?name", '# ?ghost\nGROUP BY ?name HAVING (STR(?name) != "?ghost")')
    assert_error_at(tmp_path, text, 7, "parameter 'ghost' is not used")


def test_param_prefix_of_another_variable_is_not_used(tmp_path):
    text = GOOD.replace("# keywords:", "# param: pag (iri, optional) — prefix\n# keywords:")
    assert_error_at(tmp_path, text, 7, "parameter 'pag' is not used")


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("# param: stage iri required — no parentheses", "malformed param line"),
        ("# param: stage (iri, required)", "malformed param line"),  # no description
        ("# param: stage (iri, required) a stage", "malformed param line"),  # no dash
        ("# param: stage (iri) — a stage", "'required' or 'optional'"),
        ("# param: stage (iri, mandatory) — a stage", "got 'mandatory'"),
        ("# param: stage (iri, required, default=http://x/) — a", "takes no default"),
        ("# param: st-age (iri, required) — a stage", "not a SPARQL variable name"),
        ("# param: stage (enum: a||b, required) — a stage", "distinct and non-empty"),
        ("# param: stage (enum: a|a, required) — a stage", "distinct and non-empty"),
    ],
)
def test_malformed_param_lines(tmp_path, line, fragment):
    text = GOOD.replace("# param: stage (iri, required) — a life-cycle stage", line)
    assert_error_at(tmp_path, text, 4, fragment)


def test_param_description_may_use_other_dashes(tmp_path):
    text = GOOD.replace("(iri, required) — a", "(iri, required) -- a").replace(
        "default=tool) — what", "default=tool) – what"
    )
    write(tmp_path, "area/good.rq", text)
    query = load_catalog(tmp_path).query("area/good")
    assert query.parameter("stage").description == "a life-cycle stage"
    assert query.parameter("kind").description == "what to list"


def test_param_declared_twice(tmp_path):
    text = GOOD.replace("# keywords:", "# param: stage (string, optional) — again\n# keywords:")
    assert_error_at(tmp_path, text, 7, "declared twice (first on line 4)")


@pytest.mark.parametrize("name", ["limit", "offset", "format"])
def test_reserved_param_names(tmp_path, name):
    text = GOOD.replace("# keywords:", f"# param: {name} (integer, optional) — x\n# keywords:")
    text = text.replace("GROUP BY ?name", f"GROUP BY ?name ?{name}")
    assert_error_at(tmp_path, text, 7, "reserved")


def test_bad_default(tmp_path):
    text = GOOD.replace("default=tool", "default=dataset")
    assert_error_at(tmp_path, text, 5, "default: parameter 'kind': expected one of tool")


def test_unparsable_sparql_names_the_line(tmp_path):
    text = GOOD.replace("  OPTIONAL { ?page", "  OPTIONAL ?page {")
    message, path = load_error(tmp_path, text)
    assert message.startswith(f"{path}:13: malformed SPARQL at column"), message


def test_unparsable_sparql_on_the_last_line(tmp_path):
    message, path = load_error(tmp_path, GOOD.replace("GROUP BY ?name", "GROUP BY ?name )"))
    assert message.startswith(f"{path}:15: malformed SPARQL"), message


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("# title: T\n# colour: red\n", 2, "unknown header key 'colour'"),
        ("#   continued\n# title: T\n", 1, "continuation line"),
        ("# title: T\n# just a comment\n", 2, "malformed header line"),
        ("# title: T\n# title: U\n", 2, "'title' given twice (first on line 1)"),
        ("# title:\n", 1, "'title' is empty"),
    ],
)
def test_malformed_header_lines(tmp_path, text, line, fragment):
    rest = "# description: D\n# returns: s\nSELECT ?s WHERE { ?s ?p ?o }\n"
    assert_error_at(tmp_path, text + rest, line, fragment)


def test_returns_must_match_the_projection(tmp_path):
    text = GOOD.replace("# returns: name, n", "# returns: name, count")
    assert_error_at(tmp_path, text, 8, "'returns' lists name, count but the query projects name, n")


@pytest.mark.parametrize(
    "example, fragment",
    [
        (None, "needs an '# example:' line"),
        ("stage=not an iri", "example: parameter 'stage': expected an absolute"),
        ("kind=tool", "example: parameter 'stage': required"),
        ("stage=http://x/a&nope=1", "example: parameter 'nope': unknown"),
        ("stage", "expected 'name=value' pairs"),
    ],
)
def test_bad_examples(tmp_path, example, fragment):
    old = "# example: stage=https://w3id.org/elixir-converge/ontology#preserve\n"
    text = GOOD.replace(old, f"# example: {example}\n" if example else "")
    message, path = load_error(tmp_path, text)
    assert fragment in message and message.startswith(f"{path}:"), message
    line = 4 if example is None else 9
    assert message.startswith(f"{path}:{line}: "), message


def test_no_query_form(tmp_path):
    text = "# title: T\n# description: D\n# returns: s\nPREFIX a: <http://x/>\n"
    assert_error_at(tmp_path, text, 4, "no SELECT, ASK, CONSTRUCT or DESCRIBE")


def test_the_first_fault_stops_loading_and_good_files_load(tmp_path):
    write(tmp_path, "a/good.rq", GOOD)
    write(tmp_path, "b/bad.rq", GOOD.replace("(iri,", "(uri,"))
    with pytest.raises(CatalogError, match=r"b/bad\.rq:4: parameter 'stage': unknown type 'uri'"):
        load_catalog(tmp_path)
    with pytest.raises(CatalogError, match="does not exist"):
        load_catalog(tmp_path / "missing")


def test_paths_under_the_working_directory_are_shown_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "queries/area/x.rq", GOOD.replace("(iri,", "(uri,"))
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path / "queries")
    assert str(info.value).startswith("queries/area/x.rq:4: ")


def test_other_query_forms(tmp_path):
    write(
        tmp_path,
        "f/ask.rq",
        "# title: A\n# description: D\n# returns: boolean\nASK { ?s ?p ?o }\n",
    )
    write(
        tmp_path,
        "f/construct.rq",
        "# title: C\n# description: D\n# returns: subject, predicate, object\n"
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }\n",
    )
    write(
        tmp_path,
        "f/describe.rq",
        "# title: D\n# description: D\n# param: it (iri, required) — a thing\n"
        "# returns: subject, predicate, object\n# example: it=urn:x:1\nDESCRIBE ?it WHERE { }\n",
    )
    catalog = load_catalog(tmp_path)
    forms = {q.name: (q.form, q.kind) for q in catalog}
    assert forms == {
        "f/ask": ("ask", "solutions"),
        "f/construct": ("construct", "graph"),
        "f/describe": ("describe", "graph"),
    }


def test_parameters_must_bind_into_a_where_group(tmp_path):
    text = (
        "# title: D\n# description: D\n# param: it (iri, required) — a thing\n"
        "# returns: subject, predicate, object\n# example: it=urn:x:1\nDESCRIBE ?it\n"
    )
    assert_error_at(tmp_path, text, 3, "the parameters cannot be bound into this query")


def test_loading_never_evaluates_a_query(tmp_path):
    """A SERVICE to an address that never answers would hang if evaluated."""
    service = "SERVICE <http://10.255.255.1/sparql> { ?s ?p ?o }"
    for form, body in (
        ("ask", f"ASK {{ {service} }}"),
        ("select", f"SELECT ?s WHERE {{ {service} }}"),
        ("construct", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {service} }}"),
    ):
        returns = "s" if form == "select" else "x"
        write(
            tmp_path,
            f"s/{form}.rq",
            f"# title: T\n# description: D\n# returns: {returns}\n{body}\n",
        )
    started = time.monotonic()
    assert len(load_catalog(tmp_path)) == 3
    assert time.monotonic() - started < 5


# -- binding parameters -----------------------------------------------------------------


def param(kind: str, values: tuple[str, ...] | None = None) -> Parameter:
    return Parameter("x", kind, True, "test", None, values)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


@pytest.mark.parametrize(
    "kind, value, term",
    [
        (
            "iri",
            "https://w3id.org/elixir-converge/ontology#preserve",
            ox.NamedNode(CKG + "preserve"),
        ),
        ("iri", "http://example.org/a?b=c&d", ox.NamedNode("http://example.org/a?b=c&d")),
        ("iri", "urn:isbn:0451450523", ox.NamedNode("urn:isbn:0451450523")),
        ("string", "plain", ox.Literal("plain")),
        (
            "string",
            'a "quoted" > } # \n\r\t \\ value',
            ox.Literal('a "quoted" > } # \n\r\t \\ value'),
        ),
        ("string", "ünïcödé ☃ 𝄞 \u2028", ox.Literal("ünïcödé ☃ 𝄞 \u2028")),
        ("string", "", ox.Literal("")),
        ("integer", "42", typed("42", "integer")),
        ("integer", "-007", typed("-7", "integer")),
        ("integer", "+3", typed("3", "integer")),
        ("decimal", "1.50", typed("1.50", "decimal")),
        ("decimal", "-.5", typed("-.5", "decimal")),
        ("decimal", "7", typed("7", "decimal")),
        ("boolean", "true", typed("true", "boolean")),
        ("boolean", "FALSE", typed("false", "boolean")),
        ("date", "2024-02-29", typed("2024-02-29", "date")),
        ("language", "en", ox.Literal("en")),
        ("language", "en-GB", ox.Literal("en-gb")),
        ("language", "zh-Hant-TW", ox.Literal("zh-hant-tw")),
        ("language", "sl-rozaj-biske", ox.Literal("sl-rozaj-biske")),
        ("language", "x-private", ox.Literal("x-private")),
    ],
)
def test_good_values_bind_as_typed_terms(kind, value, term):
    assert param(kind).bind(value) == term


def test_enum_values_bind_as_literals_or_iris():
    assert param("enum", ("tool", "database")).bind("tool") == ox.Literal("tool")
    iris = ("http://example.org/a", "urn:x:b")
    assert param("enum", iris).bind("urn:x:b") == ox.NamedNode("urn:x:b")
    mixed = ("http://example.org/a", "b")
    assert param("enum", mixed).bind("http://example.org/a") == ox.Literal("http://example.org/a")


@pytest.mark.parametrize(
    "kind, value",
    [
        ("iri", "abc"),
        ("iri", "relative/path"),
        ("iri", "ftp://example.org/file"),
        ("iri", "javascript:alert(1)"),
        ("iri", "http://example.org/a>b"),
        ("iri", "http://example.org/a b"),
        ("iri", "http://example.org/}"),
        ("iri", 'http://example.org/"'),
        ("iri", "http://example.org/> } ; DROP ALL ; #"),
        ("iri", "http://"),
        ("integer", "abc"),
        ("integer", "1.5"),
        ("integer", "1_000"),
        ("integer", " 12"),
        ("integer", "١٢"),
        ("integer", "12 } ; DROP ALL"),
        ("integer", ""),
        ("decimal", "1e5"),
        ("decimal", "NaN"),
        ("decimal", "1,5"),
        ("decimal", "."),
        ("boolean", "yes"),
        ("boolean", "1"),
        ("boolean", ""),
        ("date", "2024-02-30"),
        ("date", "20240101"),
        ("date", "2024-W01-1"),
        ("date", "2024-01-01T00:00:00"),
        ("date", "yesterday"),
        ("language", "english language"),
        ("language", "en_GB"),
        ("language", "en-"),
        ("language", '"en"'),
        ("language", "toolongtag"),
        ("language", "en@fr"),
    ],
)
def test_bad_values_are_refused_naming_parameter_and_type(kind, value):
    with pytest.raises(ParameterError) as info:
        param(kind).bind(value)
    message = str(info.value)
    assert message.startswith(f"parameter 'x': expected {TYPES[kind]}, got "), message


def test_bad_enum_value():
    with pytest.raises(
        ParameterError, match=r"parameter 'x': expected one of tool, database, got 'other'"
    ):
        param("enum", ("tool", "database")).bind("other")


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_values_longer_than_the_limit_are_refused(kind):
    p = param(kind, ("a",) if kind == "enum" else None)
    with pytest.raises(ParameterError, match=f"at most {MAX_VALUE_LENGTH} characters, got 2001"):
        p.bind("1" * (MAX_VALUE_LENGTH + 1))


def test_long_values_are_clipped_in_messages():
    with pytest.raises(ParameterError) as info:
        param("integer").bind("x" * 500)
    assert len(str(info.value)) < 150


def test_bind_checks_unknown_missing_and_fills_defaults(tmp_path):
    write(tmp_path, "area/good.rq", GOOD)
    query = load_catalog(tmp_path).query("area/good")
    with pytest.raises(ParameterError, match=r"^parameter 'stge': unknown for query 'area/good'"):
        query.bind({"stage": "http://x/", "stge": "y"})
    with pytest.raises(ParameterError, match=r"^parameter 'stage': required \(an absolute"):
        query.bind({})
    with pytest.raises(ParameterError, match=r"^parameter 'since': expected a date"):
        query.bind({"stage": "http://x/", "since": "2024-13-01"})
    bound = query.bind({"stage": "http://x/", "kind": "database", "since": "2024-01-31"})
    assert bound == {
        "stage": ox.NamedNode("http://x/"),
        "kind": ox.Literal("database"),
        "since": typed("2024-01-31", "date"),
    }


# -- running and results ----------------------------------------------------------------

ECHO = """\
# title: Echo
# description: Answers its parameters as one row.
# param: s (string, optional) — text
# param: i (integer, optional) — a number
# returns: s, i
SELECT ?s ?i WHERE { }
"""


def test_bound_values_stay_values(tmp_path, run_named):
    """Text that would close the VALUES clause or start a comment is one literal."""
    write(tmp_path, "t/echo.rq", ECHO)
    write(
        tmp_path,
        "t/names.rq",
        "# title: N\n# description: D\n# param: name (string, required) — a name\n"
        "# returns: s\n# example: name=x\nSELECT ?s WHERE { ?s <http://x/name> ?name }\n",
    )
    catalog = load_catalog(tmp_path)
    store = open_store("memory")
    store.load(
        [ox.Triple(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/name"), ox.Literal("A"))],
        ox.NamedNode("http://x/g"),
    )
    size = len(store)
    echo = catalog.query("t/echo")
    for evil in ['") } ; DROP ALL ; #', 'A" ) } SELECT * { ?s ?p ?o } #', '\\"\n}\r#>']:
        page = run_named(store, echo, echo.bind({"s": evil, "i": "1"}), max_rows=10)
        assert page.document()["rows"] == [{"s": evil, "i": 1}]
        names = catalog.query("t/names")
        page = run_named(store, names, names.bind({"name": evil}), max_rows=10)
        assert page.rows == []
    names = catalog.query("t/names")
    assert run_named(store, names, names.bind({"name": "A"}), max_rows=10).total == 1
    assert len(store) == size


def test_pages_are_slices_counted_up_to_the_cap(tmp_path, run_named):
    write(
        tmp_path,
        "t/numbers.rq",
        "# title: N\n# description: D\n# returns: n\n"
        "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 6 7 } } ORDER BY ?n\n",
    )
    query = load_catalog(tmp_path).query("t/numbers")
    store = open_store("memory")

    def numbers(page):
        return [row["n"] for row in page.document()["rows"]]

    page = run_named(store, query, {}, max_rows=100, limit=3, offset=2)
    assert numbers(page) == [3, 4, 5] and page.total == 7 and not page.truncated
    page = run_named(store, query, {}, max_rows=100, offset=6)
    assert numbers(page) == [7] and page.limit == 100
    page = run_named(store, query, {}, max_rows=5, limit=10)
    assert numbers(page) == [1, 2, 3, 4, 5] and page.total is None and page.truncated
    page = run_named(store, query, {}, max_rows=5, limit=10, offset=4)
    assert numbers(page) == [5]  # pages reach no further than the cap
    assert run_named(store, query, {}, max_rows=100, limit=0).rows == []


@pytest.mark.parametrize(
    "term, value",
    [
        ({"type": "uri", "value": "http://x/a"}, "http://x/a"),
        ({"type": "bnode", "value": "b0"}, "_:b0"),
        ({"type": "literal", "value": "plain"}, "plain"),
        ({"type": "literal", "value": "chat", "xml:lang": "fr"}, "chat"),
        ({"type": "literal", "value": "12", "datatype": XSD + "integer"}, 12),
        ({"type": "literal", "value": "12", "datatype": XSD + "unsignedByte"}, 12),
        ({"type": "literal", "value": "1.5", "datatype": XSD + "decimal"}, 1.5),
        ({"type": "literal", "value": "1E3", "datatype": XSD + "double"}, 1000.0),
        ({"type": "literal", "value": "NaN", "datatype": XSD + "double"}, "NaN"),
        ({"type": "literal", "value": "INF", "datatype": XSD + "float"}, "INF"),
        ({"type": "literal", "value": "abc", "datatype": XSD + "integer"}, "abc"),
        ({"type": "literal", "value": "true", "datatype": XSD + "boolean"}, True),
        ({"type": "literal", "value": "0", "datatype": XSD + "boolean"}, False),
        ({"type": "literal", "value": "2024-01-01", "datatype": XSD + "date"}, "2024-01-01"),
        (None, None),
    ],
)
def test_native_json_values(term, value):
    result = native(term)
    assert result == value and type(result) is type(value)
