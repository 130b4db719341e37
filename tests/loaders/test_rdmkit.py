"""The RDMkit loader against the real checkout in ../shared/data/rdmkit.

Expected values are derived here from the source files themselves, with a
parser independent of the loader's (plain ``yaml.safe_load`` and a regex).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from kg.namespaces import CKG, Iris
from loaders import rdmkit
from loaders.common import LoadError

MENTION = re.compile(r'\{%\s*tool\s+"([^"]*)"\s*%\}')
PREFIXES = """
PREFIX ckg: <https://w3id.org/elixir-converge/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""


@pytest.fixture(scope="module")
def source(shared_data):
    root = shared_data / "rdmkit"
    tools = yaml.safe_load((root / "_data" / "tool_and_resource_list.yml").read_text())
    pages = {}
    for path in sorted((root / "pages").rglob("*.md")):
        if path.name.startswith("TEMPLATE_"):
            continue
        text = path.read_text()
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front) or {}
        key = meta.get("page_id") or path.stem
        pages[key] = (path, meta, body)
    return root, tools, pages


@pytest.fixture(scope="module")
def graph(built):
    store, reports = built
    g = ox.NamedNode(reports["rdmkit"].graph)
    return store, g, reports["rdmkit"]


def select(store, graph, where: str, **bindings) -> list:
    query = PREFIXES + f"SELECT * WHERE {{ GRAPH ?g {{ {where} }} }}"
    return list(store.query(query, {"g": graph, **bindings}))


def values(rows, var: str) -> list[str]:
    return [r[var].value for r in rows]


def test_every_distinct_resource_id_is_present(source, graph):
    _, tools, _ = source
    store, g, _ = graph
    expected = {str(t["id"]) for t in tools}
    found = values(select(store, g, "?r a ckg:ToolkitResource ; dct:identifier ?id"), "id")
    assert len(found) == len(set(found)), "each resource once"
    assert set(found) == expected
    assert len(expected) == 631  # the issue's own figure, cross-checked against the file


def test_duplicate_ids_are_reported_and_the_first_entry_kept(source, graph):
    _, tools, _ = source
    store, g, report = graph
    counts = Counter(str(t["id"]) for t in tools)
    duplicates = {rid for rid, n in counts.items() if n > 1}
    assert duplicates  # the data has some (SOURCES.md)
    reported = {i.message.split("'")[1] for i in report.issues if i.kind == "duplicate-id"}
    assert reported == duplicates
    for rid in duplicates:
        first = next(t for t in tools if str(t["id"]) == rid)
        names = values(
            select(store, g, "?r dct:identifier ?id ; schema:name ?name", id=ox.Literal(rid)),
            "name",
        )
        assert names == [first["name"]]


def test_na_registry_values_are_flags_never_identifiers(source, graph):
    _, tools, _ = source
    store, g, _ = graph
    seen, expected = set(), set()
    for t in tools:
        rid = str(t["id"])
        if rid in seen:
            continue
        seen.add(rid)
        for registry, value in (t.get("registry") or {}).items():
            if str(value) == "NA":
                expected.add((rid, CKG + registry + "Registry"))
    assert len(expected) == 20
    rows = select(store, g, "?r dct:identifier ?id ; ckg:notRegisteredIn ?reg")
    assert {(r["id"].value, r["reg"].value) for r in rows} == expected
    ids = values(select(store, g, "?r ckg:biotoolsId|ckg:fairsharingId ?v"), "v")
    assert "NA" not in ids


def test_registry_values_are_read_as_written(source, graph):
    _, tools, _ = source
    store, g, _ = graph
    seen, expected = set(), {}
    for t in tools:
        rid = str(t["id"])
        if rid in seen:
            continue
        seen.add(rid)
        value = (t.get("registry") or {}).get("fairsharing")
        if value is not None and str(value) != "NA":
            expected[rid] = str(value)
    rows = select(store, g, "?r dct:identifier ?id ; ckg:fairsharingId ?v")
    assert {r["id"].value: r["v"].value for r in rows} == expected
    # integers in YAML (847069) and a legacy string ('298') both stay strings
    assert all(r["v"].datatype.value.endswith("#string") for r in rows)
    records = values(select(store, g, "?r ckg:fairsharingRecord ?doi"), "doi")
    assert all(
        re.fullmatch(r"https://doi\.org/10\.25504/FAIRsharing\.[0-9A-Za-z]+", d) for d in records
    )


def test_every_page_is_present_with_its_kind(source, graph):
    _, _, pages = source
    store, g, _ = graph
    rows = select(store, g, "?p a ckg:Page ; dct:identifier ?key ; ckg:pageKind ?kind")
    found = {r["key"].value: r["kind"].value.removeprefix(CKG) for r in rows}
    assert set(found) == set(pages)
    folders = {
        "data_life_cycle": "lifeCycleStagePage",
        "your_tasks": "taskPage",
        "your_domain": "domainPage",
        "your_role": "rolePage",
        "tool_assembly": "toolAssemblyPage",
        "national_resources": "nationalPage",
    }
    for key, (path, _, _) in pages.items():
        parts = path.relative_to(source[0] / "pages").parts
        expected = folders.get(parts[0], "informationPage") if len(parts) > 1 else "informationPage"
        assert found[key] == expected, key


def test_every_tool_mention_is_present_and_unknown_ones_reported(source, graph):
    _, tools, pages = source
    store, g, report = graph
    ids = {str(t["id"]) for t in tools}
    expected, dangling, total = set(), set(), 0
    for key, (_, _, body) in pages.items():
        for rid in MENTION.findall(body):
            total += 1
            (expected if rid in ids else dangling).add((key, rid))
    assert total == report.stats["tool mentions"] == 1203
    rows = select(store, g, "?p ckg:mentions ?r . ?p dct:identifier ?key . ?r dct:identifier ?rid")
    assert {(r["key"].value, r["rid"].value) for r in rows} == expected
    reported = {i.message for i in report.issues if i.kind == "dangling-tool-mention"}
    assert len(reported) == len(dangling)
    for key, rid in dangling:
        assert any(key in m and rid in m for m in reported)


def test_related_pages_present_and_dangling_ones_reported(source, graph):
    _, _, pages = source
    store, g, report = graph
    expected, dangling = set(), set()
    for key, (_, meta, _) in pages.items():
        for targets in (meta.get("related_pages") or {}).values():
            for target in targets or []:
                (expected if target in pages else dangling).add((key, target))
    rows = select(
        store, g, "?a ckg:relatedPage ?b ; a ckg:Page . ?a dct:identifier ?x . ?b dct:identifier ?y"
    )
    assert {(r["x"].value, r["y"].value) for r in rows} == expected
    messages = [i.message for i in report.issues if i.kind == "dangling-related-page"]
    for key, target in dangling:
        assert any(f"page {key!r}" in m and repr(target) in m for m in messages), (key, target)
    for known in ("data_transfer", "plant sciences", "human data", "covid-19", "sensitive_data"):
        assert any(repr(known) in m for m in messages), known


def test_national_resources_attached_to_their_page_and_country(source, graph):
    _, tools, pages = source
    store, g, report = graph
    expected = Counter()
    for key, (_, meta, _) in pages.items():
        for _item in meta.get("national_resources") or []:
            expected[(key, meta["country_code"])] += 1
    assert sum(expected.values()) == 122
    rows = select(
        store,
        g,
        "?n a ckg:NationalResource ; ckg:country ?c ; ckg:listedOn ?p . ?p dct:identifier ?key",
    )
    assert Counter((r["key"].value, r["c"].value) for r in rows) == expected
    kinds = {i.kind for i in report.issues}
    assert {
        "misspelt-key",
        "stray-key",
        "dangling-instance-of",
        "dangling-ref-to-main-resources",
    } <= kinds
    # the misspelt 'inistance_of: eLabFTW' still links to the elabftw resource
    rows = select(
        store,
        g,
        "?n schema:name ?name ; ckg:instanceOf ?r . ?r dct:identifier ?rid",
        name=ox.Literal("eLab BioData.pt"),
    )
    assert values(rows, "rid") == ["elabftw"]


def test_page_links_training_dsw_cookbook(source, graph):
    _, _, pages = source
    store, g, _ = graph
    training = sum(len(m.get("training") or []) for _, m, _ in pages.values())
    dsw = {(k, d["uuid"]) for k, (_, m, _) in pages.items() for d in m.get("dsw") or []}
    cookbook = {
        (k, c["url"]) for k, (_, m, _) in pages.items() for c in m.get("faircookbook") or []
    }
    assert len(select(store, g, "?p ckg:training ?t . ?t a ckg:TrainingMaterial")) == training
    rows = select(store, g, "?p ckg:dswQuestion ?q ; dct:identifier ?k . ?q dct:identifier ?u")
    assert {(r["k"].value, r["u"].value) for r in rows} == dsw
    rows = select(store, g, "?p ckg:fairCookbookRecipe ?c ; dct:identifier ?k")
    assert {(r["k"].value, r["c"].value) for r in rows} == cookbook


def test_the_graph_carries_its_provenance(graph):
    store, g, report = graph
    rows = list(
        store.query(
            PREFIXES
            + """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX void: <http://rdfs.org/ns/void#>
            SELECT * WHERE { GRAPH ?g { ?g prov:wasDerivedFrom ?src ; ckg:sourceVersion ?v ;
              prov:generatedAtTime ?t ; void:triples ?n ; ckg:validationConforms ?ok } }""",
            {"g": g},
        )
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["src"].value.startswith("file://") and row["src"].value.endswith("rdmkit")
    assert row["v"].value == report.version and row["v"].value.startswith(("sha256:", "git:"))
    assert int(row["n"].value) == report.triples
    assert row["ok"].value == "true"


def test_malformed_yaml_is_an_error_naming_file_line_and_column(tmp_path):
    root = tmp_path / "rdmkit"
    (root / "_data").mkdir(parents=True)
    (root / "pages").mkdir()
    (root / "_data" / "tool_and_resource_list.yml").write_text(
        "- id: a\n  name: A\n- id: b\n  name: [unclosed\n"
    )
    with pytest.raises(LoadError, match=r"tool_and_resource_list\.yml:\d+:\d+: invalid YAML"):
        rdmkit.read(root, Iris("https://example.org/"))


def test_malformed_front_matter_names_the_page_and_line(tmp_path):
    root = tmp_path / "rdmkit"
    (root / "_data").mkdir(parents=True)
    (root / "pages" / "your_tasks").mkdir(parents=True)
    (root / "_data" / "tool_and_resource_list.yml").write_text("- id: a\n  name: A\n")
    (root / "pages" / "your_tasks" / "x.md").write_text(
        "---\ntitle: X\npage_id: x\nrelated_pages: {a: [\n---\nbody\n"
    )
    with pytest.raises(LoadError, match=r"pages/your_tasks/x\.md:\d+:\d+: invalid YAML"):
        rdmkit.read(root, Iris("https://example.org/"))


def test_not_an_rdmkit_checkout(tmp_path):
    with pytest.raises(LoadError, match="not an RDMkit checkout"):
        rdmkit.read(Path(tmp_path), Iris("https://example.org/"))
