"""From a valid record to an RDMkit contribution (kg.validation.contribution).

Every entry of RDMkit's real tool list, read as a steward's one-entry document, gives back
its own text byte for byte; a resource of the graph submitted as RDF gives back its real
entry; in context the graph's objections (an id taken, a bio.tools or FAIRsharing id or a
URL already listed) name the resource that has the value; YAML errors name field and line.
Expected texts come from the real file, never written down here.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest

from kg.namespaces import CKG, Iris
from kg.records.describe import describe
from kg.validation.checker import Service
from kg.validation.contribution import (
    STANDALONE_NOTE,
    entry_of,
    entry_text,
    normalised_url,
    offer,
    toolkit_resources,
)
from kg.validation.documents import DocumentError
from kg.validation.reports import Report
from loaders.rdmkit_resources import read_entry_text
from loaders.yaml_documents import read_yaml_document
from tests.support.paths import BASE, SHARED_DATA

TOOL_LIST = SHARED_DATA / "rdmkit" / "_data" / "tool_and_resource_list.yml"


def real_entries() -> list[str]:
    """The entries of the real list, each as its text (from its ``- `` line on)."""
    blocks: list[str] = []
    for line in TOOL_LIST.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("- "):
            blocks.append("")
        blocks[-1] += line
    return blocks


def id_of(block: str) -> str:
    return re.search(r"^  id: (\S+)$", block, re.M).group(1)


def with_id(block: str, new: str) -> str:
    old = f"\n  id: {id_of(block)}\n"
    assert block.count(old) == 1
    return block.replace(old, f"\n  id: {new}\n")


def picks() -> list[str]:
    """Three real entries unlike each other: a registry value NA, a quoted FAIRsharing id,
    a description RDMkit quotes (it holds ': ')."""
    blocks = real_entries()
    tests = (
        lambda b: ": NA\n" in b,
        lambda b: re.search(r"fairsharing: '\w+'", b),
        lambda b: b.startswith("- description: '"),
    )
    chosen: list[str] = []
    for test in tests:
        chosen.append(next(b for b in blocks if test(b) and b not in chosen))
    return chosen


def new_id(block: str) -> str:
    return id_of(block) + "-contribution-test"


@pytest.fixture(scope="module")
def service(settings):
    service = Service(settings, read_yaml=read_yaml_document)
    yield service
    service.workers.close()


@pytest.fixture(scope="module")
def graph(full_build):
    return full_build[0]


def contribution(service, graph, text: str, fmt: str = "yaml", *, in_context: bool = True):
    outcome = service.validate_text(
        text,
        fmt,
        "entry.yml" if fmt == "yaml" else "entry.ttl",
        profile="toolkit-resource" if fmt == "yaml" else "all",
        store=graph if in_context else None,
        in_context=in_context,
    )
    return outcome, offer(outcome, graph if in_context else None)


# --------------------------------------------------------------------------- the entry


def not_an_iri(url: str) -> bool:
    try:
        ox.NamedNode(url)
    except ValueError:
        return True
    return False


def test_every_real_entry_comes_back_as_rdmkit_wrote_it():
    """Byte for byte, but for two quirks of the list the graph corrects: a FAIRsharing id
    written as a YAML number comes back quoted, a URL that is not an IRI percent-encoded."""
    iris = Iris(BASE)
    blocks = real_entries()
    numbers = re.findall(r"^    fairsharing: (\d+)$", TOOL_LIST.read_text(), re.M)
    odd_urls = [
        u for u in re.findall(r"^  url: (.+)$", TOOL_LIST.read_text(), re.M) if not_an_iri(u)
    ]
    expected = {}
    for block in blocks:
        fixed = block
        for number in numbers:
            fixed = fixed.replace(f"fairsharing: {number}\n", f"fairsharing: '{number}'\n")
        url = re.search(r"^  url: (.+)$", block, re.M).group(1)
        if url in odd_urls:
            fixed = fixed.replace(
                f"url: {url}\n", f"url: {url.replace('#', '%23').replace('%23', '#', 1)}\n"
            )
        expected[block] = fixed
    differ = []
    for block in blocks:
        data = read_entry_text(block, "entry.yml", iris)
        (node,) = toolkit_resources(data.triples)
        got = entry_text(entry_of(data.triples, node))
        assert got == expected[block]
        differ += [block] if got != block else []
    assert len(blocks) == TOOL_LIST.read_text().count("\n- ") + 1 > 600
    assert len(differ) == len(numbers) + len(odd_urls) < 5


def test_rdmkit_quoting_follows_yaml_1_2():
    quoted = {"298": "'298'", "530e61": "'530e61'", "true": "'true'", "a: b": "'a: b'"}
    plain = ("NA", "yes", "no", "on", "it's", "x,y", "é’")
    for value, written in quoted.items():
        assert entry_text({"id": value}) == f"- id: {written}\n"
    for value in plain:
        assert entry_text({"id": value}) == f"- id: {value}\n"


def test_a_resource_of_the_graph_as_rdf_gives_back_its_real_entry(service, graph, settings):
    for block in picks():
        node = ox.NamedNode(settings.base_iri + "resource/" + id_of(block))
        turtle = ox.serialize(describe(graph, node), format=ox.RdfFormat.TURTLE).decode()
        outcome, offered = contribution(service, graph, turtle, "turtle")
        assert outcome.result.conforms, outcome.result.findings
        assert offered is not None and offered.entry == block
        assert [(o.what, o.existing) for o in offered.objections] == [("id", node.value)]


# --------------------------------------------------------------------------- objections


def test_a_real_entry_unchanged_is_an_id_already_taken(service, graph, settings):
    block = picks()[0]
    _, offered = contribution(service, graph, block)
    (objection,) = offered.objections
    assert objection.what == "id" and objection.value == id_of(block)
    assert objection.existing == settings.base_iri + "resource/" + id_of(block)
    assert objection.name and objection.name in objection.message


def test_a_bio_tools_id_known_under_another_resource(service, graph, settings):
    block = next(b for b in real_entries() if re.search(r"biotools: (?!NA)", b))
    biotools = re.search(r"biotools: (\S+)", block).group(1)
    text = (
        f"- id: brand-new-tool\n  name: Brand new tool\n  description: A new tool.\n"
        f"  registry:\n    biotools: {biotools.upper()}\n  url: https://brand-new.example.org\n"
    )
    outcome, offered = contribution(service, graph, text)
    assert outcome.result.conforms
    owners = {o.existing for o in offered.objections if o.what == "biotools"}
    assert settings.base_iri + "resource/" + id_of(block) in owners
    assert {o.what for o in offered.objections} == {"biotools"}


def test_a_fairsharing_record_known_under_another_resource(service, graph, settings):
    block = next(b for b in real_entries() if re.search(r"fairsharing: '?[a-z0-9]{6}'?\n", b))
    suffix = re.search(r"fairsharing: '?([a-z0-9]{6})", block).group(1)
    text = (
        "id: brand-new-standard\nname: Brand new standard\ndescription: A new standard.\n"
        f"registry:\n  fairsharing: {suffix.upper()}\nurl: https://brand-new.example.org/std\n"
    )
    _, offered = contribution(service, graph, text)
    owners = {o.existing for o in offered.objections if o.what == "fairsharing"}
    assert settings.base_iri + "resource/" + id_of(block) in owners


def test_a_url_already_listed_compared_normalised(service, graph, settings):
    block = next(b for b in real_entries() if re.search(r"url: https://[^/]+/\S+[^/]\n", b))
    url = re.search(r"url: (\S+)", block).group(1)
    scheme, rest = url.split("://", 1)
    host, path = rest.split("/", 1)
    variant = f"{scheme.upper()}://{host.upper()}/{path}/"
    assert normalised_url(variant) == normalised_url(url)
    text = f"- id: brand-new-site\n  name: Brand new site\n  description: New.\n  url: {variant}\n"
    _, offered = contribution(service, graph, text)
    (objection,) = [o for o in offered.objections if o.existing.endswith("/" + id_of(block))]
    assert objection.what == "url" and objection.value == variant and objection.listed == url


def test_a_new_resource_has_no_objection_and_standalone_says_why(service, graph):
    text = "- id: brand-new-thing\n  name: Brand new thing\n  url: https://brand-new.example.org/thing\n"
    _, offered = contribution(service, graph, text)
    assert offered.objections == ()
    outcome, alone = contribution(service, graph, text, in_context=False)
    assert alone.objections is None and alone.entry == offered.entry
    report = Report(outcome, 100, alone)
    assert report.to_dict()["rdmkit"]["note"] == STANDALONE_NOTE
    assert offered.entry in report.text() and STANDALONE_NOTE in report.text()
    for standard in (report.csv(), report.turtle(), report.jsonld()):  # unchanged
        assert "tool_and_resource_list" not in standard and "id: brand-new" not in standard


def test_no_entry_unless_one_conforming_toolkit_resource(service, graph, settings):
    two = "\n".join(
        ox.serialize(
            describe(graph, ox.NamedNode(settings.base_iri + "resource/" + id_of(b))),
            format=ox.RdfFormat.TURTLE,
        ).decode()
        for b in picks()[:2]
    )
    _, offered = contribution(service, graph, two, "turtle")
    assert offered is None
    broken = f"<{settings.base_iri}resource/x-y> a <{CKG}ToolkitResource> .\n"  # no name
    outcome, offered = contribution(service, graph, broken, "turtle")
    assert not outcome.result.conforms and offered is None
    assert "rdmkit" not in Report(outcome, 100, offered).to_dict()


# --------------------------------------------------------------------------- YAML errors

BAD_ENTRIES = [
    ("  urll: https://x.org\n", 5, "field 'urll': unknown field"),
    ("  registry:\n    foo: x\n", 6, "field 'registry.foo': unknown registry"),
    ("  registry:\n    fairsharing-coll: bsg-c000001\n", 6, "field 'registry.fairsharing-coll'"),
    ("  url: [a, b]\n", 5, "field 'url': expected a text value"),
    ("  id: second\n", 5, "duplicate field 'id'"),
]


@pytest.mark.parametrize(("extra", "line", "words"), BAD_ENTRIES)
def test_yaml_errors_name_the_field_and_line(service, extra, line, words):
    text = "# a new tool\n- id: brand-new\n  name: New\n  description: New.\n" + extra
    with pytest.raises(DocumentError) as err:
        service.validate_text(text, "yaml", "entry.yml", profile="toolkit-resource")
    assert f"entry.yml:{line}" in str(err.value) and words in str(err.value)


def test_missing_id_and_a_list_of_two_are_refused(service):
    cases = {
        "- name: New\n  url: https://x.org\n": "entry.yml:1: field 'id' is required",
        "- id: a\n  name: A\n- id: b\n  name: B\n": "not a list of 2",
    }
    for text, words in cases.items():
        with pytest.raises(DocumentError, match=re.escape(words)):
            service.validate_text(text, "yaml", "entry.yml", profile="toolkit-resource")


# --------------------------------------------------------------------------- the CLI


def test_kg_validate_prints_the_entry(monkeypatch, capsys, shared_data, tmp_path):
    from cli.main import main

    monkeypatch.setenv("KG_SOURCES_DIR", str(shared_data))
    for name in ("KG_STORE", "KG_SHAPES_DIR", "KG_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    block = picks()[1]
    path = tmp_path / "entry.yml"
    path.write_text(with_id(block, new_id(block)), encoding="utf-8")
    assert main(["validate", str(path), "--profile", "toolkit-resource", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["rdmkit"]["entry"] == with_id(block, new_id(block))
    assert body["rdmkit"]["objections"] is None
    assert main(["validate", str(path), "--profile", "toolkit-resource"]) == 0
    out = capsys.readouterr().out
    assert with_id(block, new_id(block)) in out and out.splitlines()[-1].endswith("standalone)")
