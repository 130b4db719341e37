"""``kg validate FILE --shapes SHAPES [--shapes-format F] [--base IRI]``: exit 0 / 1 / 2.

Run in-process through ``cli.main.main``; the results are pySHACL's own, run directly on
the same texts (tests/support/custom_shapes.py). No store is opened.
"""

from __future__ import annotations

import json

import pytest
from rdflib import Graph

from cli.main import main
from tests.support.custom_shapes import pyshacl_report, result_keys, text


@pytest.fixture
def kg(monkeypatch, capsys, shared_data):
    """Run ``kg`` in-process: (exit code, stdout, stderr)."""
    monkeypatch.setenv("KG_SOURCES_DIR", str(shared_data))
    monkeypatch.setenv("KG_STORE", "oxigraph:/nonexistent/never-opened")
    for name in ("KG_SHAPES_DIR", "KG_CONFIG"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.fixture
def files(tmp_path):
    """``files(case)``: the case's shapes and document written to files."""

    def write(case: str, shapes_name: str = "shapes.ttl") -> tuple[str, str]:
        shapes, document = text(case)
        (tmp_path / shapes_name).write_text(shapes)
        (tmp_path / "document.ttl").write_text(document)
        return str(tmp_path / "document.ttl"), str(tmp_path / shapes_name)

    return write


def test_conforming_document_exits_0(kg, files):
    document, shapes = files("conforming")
    code, out, _ = kg("validate", document, "--shapes", shapes)
    assert code == 0 and "conforms" in out and "profile custom, standalone" in out


def test_violations_exit_1_with_pyshacls_results(kg, files):
    document, shapes = files("sparql")
    code, out, _ = kg("validate", document, "--shapes", shapes, "--format", "turtle")
    assert code == 1
    _, expected = pyshacl_report(*text("sparql"))
    assert result_keys(Graph().parse(data=out, format="turtle")) == result_keys(expected)
    code, out, _ = kg("validate", document, "--shapes", shapes, "--format", "json")
    assert code == 1 and json.loads(out)["profile"] == "custom"


def test_shapes_format_from_the_option_or_the_name(kg, files, tmp_path):
    document, shapes = files("logic", "shapes.txt")
    ntriples = Graph().parse(shapes, format="turtle").serialize(format="nt")
    (tmp_path / "shapes.txt").write_text(ntriples)
    code, out, err = kg("validate", document, "--shapes", shapes, "--shapes-format", "ntriples")
    assert code == 1 and "Violation" in out, err
    (tmp_path / "shapes.nt").write_text(ntriples)
    assert kg("validate", document, "--shapes", str(tmp_path / "shapes.nt"))[0] == 1


def test_bad_shapes_exit_2_naming_file_and_line(kg, files, tmp_path):
    document, shapes = files("conforming")
    (tmp_path / "shapes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\nex:a sh:x 1 .\n"
    )
    code, _, err = kg("validate", document, "--shapes", shapes)
    assert code == 2 and f"{shapes}: invalid turtle" in err and "line 2" in err
    assert "ex: has not been declared" in err
    (tmp_path / "shapes.ttl").write_text("<http://example.org/a> <http://example.org/b> 1 .\n")
    code, _, err = kg("validate", document, "--shapes", shapes)
    assert code == 2 and "no SHACL shapes found" in err
    code, _, err = kg("validate", document, "--shapes", str(tmp_path / "missing.ttl"))
    assert code == 2 and "no such file" in err


def test_options_that_exclude_your_own_shapes_exit_2(kg, files):
    document, shapes = files("conforming")
    for extra in (["--profile", "all"], ["--in-context"]):
        code, _, err = kg("validate", document, "--shapes", shapes, *extra)
        assert code == 2 and "leave out --profile and --in-context" in err
    code, _, err = kg("validate", document, "--base", "http://example.org/")
    assert code == 2 and "give --shapes" in err
    code, _, err = kg("validate", document, "--shapes", shapes, "--base", "relative")
    assert code == 2 and "not an absolute IRI" in err
