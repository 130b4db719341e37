"""``kg validate FILE [--profile P] [--in-context] [--format …]``: exit 0 / 1 / 2, every format.

Run in-process through ``cli.main.main`` against a real on-disk store (ontology, shapes and
the catalogues loaded by the real pipeline).
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from rdflib import RDF, SH, Graph

from cli.main import main
from kg.namespaces import Iris
from kg.store import open_store
from loaders.pipeline import load
from tests.support.paths import ROOT

DATA = ROOT / "data"
BUSINESS_MODEL = DATA / "business-models" / "example-central.yaml"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory, settings) -> str:
    url = f"oxigraph:{tmp_path_factory.mktemp('validate-cli') / 'store'}"
    store = open_store(url)
    for name in ("ontology", "shapes", "catalogues"):
        load(store, settings, name)
    store.close()
    return url


@pytest.fixture
def kg(monkeypatch, capsys, shared_data):
    """Run ``kg`` in-process: (exit code, stdout, stderr)."""
    monkeypatch.setenv("KG_SOURCES_DIR", str(shared_data))
    for name in ("KG_STORE", "KG_SHAPES_DIR", "KG_CONFIG"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_a_conforming_catalogue_entry_exits_0(kg, tmp_path):
    code, out, err = kg("validate", str(BUSINESS_MODEL), "--profile", "business-model")
    assert code == 0, out + err
    assert (
        out.strip()
        .splitlines()[-1]
        .endswith("conforms (0 violations, 0 warnings; profile business-model, standalone)")
    )


def test_violations_exit_1_in_every_format(kg, tmp_path):
    broken = tmp_path / "example-central.yaml"
    lines = BUSINESS_MODEL.read_text().splitlines(keepends=True)
    assert any(line.startswith("source:") for line in lines)
    broken.write_text("".join(line for line in lines if not line.startswith("source:")))
    code, _, err = kg("validate", str(broken), "--profile", "business-model")
    assert code == 2 and "field 'source' is required" in err  # the loader's own check
    doc = tmp_path / "bm.ttl"
    doc.write_text(
        "@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .\n"
        "<https://w3id.org/elixir-converge/business-model/x> a ckg:BusinessModel .\n"
    )
    code, out, _ = kg("validate", str(doc), "--profile", "business-model", "--format", "json")
    assert code == 1
    body = json.loads(out)
    assert body["conforms"] is False and body["total"] == len(body["findings"]) > 0
    assert all(f["line"] == 2 for f in body["findings"])
    code, out, _ = kg("validate", str(doc), "--profile", "business-model", "--format", "csv")
    assert code == 1 and len(list(csv.DictReader(io.StringIO(out)))) == body["total"]
    for fmt, rdf in (("turtle", "turtle"), ("jsonld", "json-ld")):
        code, out, _ = kg("validate", str(doc), "--profile", "business-model", "--format", fmt)
        report = Graph().parse(data=out, format=rdf)
        assert code == 1
        assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == body["total"]
    code, out, _ = kg("validate", str(doc), "--profile", "business-model", "--limit", "1")
    assert code == 1 and f"… {body['total'] - 1} more findings not shown" in out


def test_in_context_uses_the_store(kg, store_url, settings):
    code, out, err = kg(
        "--store", store_url, "validate", str(BUSINESS_MODEL),
        "--profile", "business-model", "--in-context", "--format", "json",
    )  # fmt: skip
    body = json.loads(out)
    assert body["mode"] == "in-context" and body["context_triples"] > 0
    # the entry replaces its own description in the graph; its Node is not there (no nodes
    # graph in this store): a dangling reference, on the entry's own triple
    code_line = next(x for x in BUSINESS_MODEL.read_text().splitlines() if x.startswith("node:"))
    node = Iris(settings.base_iri).node(code_line.split(":", 1)[1].strip().strip("'\"")).value
    assert code == 1, err
    assert [(f["shape"].rsplit("#", 1)[1], f["value"]) for f in body["findings"]] == [
        ("DanglingReference", node),
    ]


def test_errors_exit_2(kg, tmp_path, settings):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    code, _, err = kg("validate", str(bad))
    assert code == 2 and "bad.ttl" in err and "line 2" in err
    code, _, err = kg("validate", str(tmp_path / "missing.ttl"))
    assert code == 2 and "no such file" in err
    code, _, err = kg("validate", str(BUSINESS_MODEL), "--profile", "nope")
    assert code == 2 and "unknown profile" in err
    shapes = tmp_path / "shapes"
    shutil.copytree(settings.shapes_dir, shapes)
    (shapes / "nodes.shapes.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b\n")
    good = tmp_path / "good.ttl"
    good.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KG_SHAPES_DIR", str(shapes))
        code, _, err = kg("validate", str(good), "--profile", "node")
    assert code == 2 and "nodes.shapes.ttl line" in err
