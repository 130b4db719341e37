"""``POST /validate`` with your own shapes, over real HTTP: pasted or uploaded, the SHACL report.

The results are pySHACL's own, run directly on the same shapes and document (the cases of
tests/support/custom_shapes.py); the Turtle report is a standard ``sh:ValidationReport``
that pySHACL itself finds well formed (checked against shapes of a validation report);
the errors are 400s naming the field or file, the line and the problem; nothing is ever
written to the store.
"""

from __future__ import annotations

import pyshacl
import pytest
import requests
from rdflib import RDF, SH, Graph, Namespace

from api import create_app
from kg.store import open_store
from tests.support.custom_shapes import (
    CASES,
    PREFIXES,
    pyshacl_report,
    report_conforms,
    result_keys,
    text,
)
from tests.support.servers import Served

CKGSH = Namespace("https://w3id.org/elixir-converge/shapes#")
TIMEOUT = 60
DOCUMENT = "<http://example.org/ns#a> a <http://example.org/ns#Thing> .\n"

#: What a SHACL validation report must hold (SHACL §3.6), as shapes pySHACL checks it with.
REPORT_SHAPES = (
    PREFIXES
    + """
ex:Report a sh:NodeShape ; sh:targetClass sh:ValidationReport ;
  sh:property [ sh:path sh:conforms ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:boolean ] ;
  sh:property [ sh:path sh:result ; sh:class sh:ValidationResult ] .
ex:Result a sh:NodeShape ; sh:targetClass sh:ValidationResult ;
  sh:property [ sh:path sh:focusNode ; sh:minCount 1 ; sh:maxCount 1 ] ;
  sh:property [ sh:path sh:resultSeverity ; sh:minCount 1 ; sh:maxCount 1 ;
                sh:in ( sh:Violation sh:Warning sh:Info ) ] ;
  sh:property [ sh:path sh:sourceShape ; sh:minCount 1 ; sh:maxCount 1 ] ;
  sh:property [ sh:path sh:sourceConstraintComponent ; sh:minCount 1 ; sh:maxCount 1 ;
                sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sh:resultPath ; sh:maxCount 1 ] ;
  sh:property [ sh:path sh:value ; sh:maxCount 1 ] .
"""
)


@pytest.fixture(scope="module")
def store():
    """A store with a few triples: a validation must leave them, and nothing more."""
    store = open_store("memory")
    store.update("INSERT DATA { <http://example.org/ns#kept> a <http://example.org/ns#Thing> }")
    return store


@pytest.fixture(scope="module")
def servers(settings, store):
    """The API (``base``), one with a 2,000-byte limit, one with a time limit too short."""
    served = Served()
    yield {
        "base": served(create_app(settings=settings, store=store)),
        "small": served(create_app(settings=settings.with_overrides(validate_max_bytes=2000))),
        "hasty": served(create_app(settings=settings.with_overrides(validate_timeout=1e-9))),
    }
    served.close()


@pytest.fixture(scope="module")
def base(servers):
    return servers["base"]


def post(url: str, **kw) -> requests.Response:
    return requests.post(url + "/validate", timeout=TIMEOUT, **kw)


def error(response: requests.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    assert response.json()["status"] == status
    return response.json()["error"]


# --------------------------------------------------------------------------- validating


@pytest.mark.parametrize("case", sorted(CASES))
def test_pasted_shapes_give_pyshacls_results_as_a_shacl_report(base, store, case):
    shapes, document = text(case)
    before = len(store)
    response = post(base, data={"text": document, "shapes": shapes, "report": "turtle"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/turtle")
    report = Graph().parse(data=response.text, format="turtle")
    conforms, expected = pyshacl_report(shapes, document)
    assert report_conforms(report) is conforms
    assert response.headers["KG-Validation-Conforms"] == str(conforms).lower()
    assert result_keys(report) == result_keys(expected)
    assert len(store) == before  # nothing written by a validation


def test_uploaded_shapes_file_format_from_its_name_and_the_json_report(base):
    shapes, document = text("qualified-and-closed")
    ntriples = Graph().parse(data=shapes, format="turtle").serialize(format="nt")
    files = {
        "file": ("hands.ttl", document.encode(), "text/turtle"),
        "shapes_file": ("hand-shapes.nt", ntriples.encode(), "application/octet-stream"),
    }
    response = post(base, files=files)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["profile"] == "custom" and data["mode"] == "standalone"
    assert not data["conforms"] and data["document"]["name"] == "hands.ttl"
    _, expected = pyshacl_report(shapes, document)
    assert data["total"] == sum(result_keys(expected).values()) == len(data["findings"])
    line = next(n for n, t in enumerate(document.splitlines(), 1) if t.startswith("ex:far"))
    assert {f["line"] for f in data["findings"] if f["focus"].endswith("#far")} == {line}
    pasted = post(base, data={"text": document, "shapes": ntriples, "shapes_format": "ntriples"})

    def without_ids(findings):  # a blank-node shape's id differs from run to run
        return [{**f, "shape": f["shape"].startswith("_:") or f["shape"]} for f in findings]

    assert without_ids(pasted.json()["findings"]) == without_ids(data["findings"])


def test_the_turtle_report_is_a_standard_validation_report(base):
    shapes, document = text("paths")
    response = post(base, data={"text": document, "shapes": shapes, "report": "turtle"})
    report = Graph().parse(data=response.text, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    results = set(report.objects(node, SH.result))
    assert results == set(report.subjects(RDF.type, SH.ValidationResult)) and results
    checks = Graph().parse(data=REPORT_SHAPES, format="turtle")
    conforms, _, message = pyshacl.validate(report, shacl_graph=checks)
    assert conforms, message
    # …and the service agrees: the report, validated as a document against the same shapes
    again = post(base, data={"text": response.text, "shapes": REPORT_SHAPES})
    assert again.status_code == 200 and again.json()["conforms"], again.text
    assert again.headers["KG-Validation-Conforms"] == "true"


def test_a_limited_report_says_how_many_results_it_leaves_out(base):
    shapes, document = text("node-and-property-shapes")
    response = post(
        base, data={"text": document, "shapes": shapes, "report": "turtle", "limit": "2"}
    )
    report = Graph().parse(data=response.text, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    total = sum(result_keys(pyshacl_report(shapes, document)[1]).values())
    assert len(set(report.objects(node, SH.result))) == 2
    assert int(report.value(node, CKGSH.omittedResults)) == total - 2
    assert response.headers["KG-Findings-More"] == str(total - 2)


def test_base_resolves_relative_iris_of_document_and_shapes(base):
    shapes = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<#S> sh:targetClass <#Thing> ; sh:property [ sh:path <#name> ; sh:minCount 1 ] .\n"
    )
    data = {"text": "<#a> a <#Thing> .\n", "shapes": shapes, "base": "http://example.org/doc"}
    (finding,) = post(base, data=data).json()["findings"]
    assert finding["focus"] == "http://example.org/doc#a"
    assert finding["path"] == "http://example.org/doc#name"


# --------------------------------------------------------------------------- errors


def test_unparseable_shapes_are_400_naming_field_or_file_and_line(base):
    bad = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<a> sh:path <b\n"
    message = error(post(base, data={"text": DOCUMENT, "shapes": bad}))
    assert message.startswith("field 'shapes': invalid turtle:") and "line 3" in message
    files = {
        "file": ("d.ttl", DOCUMENT.encode(), "text/turtle"),
        "shapes_file": ("broken.jsonld", b'{"@id": "x",\n "a": }', "application/ld+json"),
    }
    message = error(post(base, files=files))
    assert message.startswith("shapes_file 'broken.jsonld':2:") and "invalid JSON" in message
    files["shapes_file"] = ("latin1.ttl", "é".encode("latin-1"), "text/turtle")
    assert "not UTF-8" in error(post(base, files=files))
    message = error(post(base, data={"text": DOCUMENT, "shapes": "x", "shapes_format": "yaml"}))
    assert message.startswith("shapes_format 'yaml'")


def test_shapes_that_are_not_shacl_are_400_naming_the_problem(base):
    message = error(post(base, data={"text": DOCUMENT, "shapes": DOCUMENT}))
    assert "no SHACL shapes found" in message
    shapes = text("node-and-property-shapes")[0].replace("sh:minLength 2", 'sh:minLength "two"')
    line = next(n for n, t in enumerate(shapes.splitlines(), 1) if t.startswith("ex:PersonShape"))
    message = error(post(base, data={"text": DOCUMENT, "shapes": shapes}))
    assert message.startswith(f"field 'shapes' line {line} (a blank node with sh:path")
    assert "minLength" in message
    service = text("sparql")[0].replace(
        "FILTER", "SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } FILTER"
    )
    assert "SERVICE refused" in error(post(base, data={"text": DOCUMENT, "shapes": service}))


def test_what_your_own_shapes_cannot_be_combined_with_is_400(base):
    shapes = text("conforming")[0]
    for extra, word in (
        ({"profile": "all"}, "profile"),
        ({"mode": "in-context"}, "in-context"),
        ({"text": "name: x\n", "format": "yaml"}, "send RDF"),
        ({"base": "not an IRI"}, "not an absolute IRI"),
    ):
        data = {"text": DOCUMENT, "shapes": shapes, **extra}
        assert word in error(post(base, data=data)), extra
    message = error(post(base, data={"graph": "http://example.org/g", "shapes": shapes}))
    assert "not a graph of the store" in message
    assert "give shapes" in error(post(base, data={"text": DOCUMENT, "base": "http://x.org/"}))


def test_document_and_shapes_together_count_against_the_size_limit(servers):
    url = servers["small"]
    shapes = text("conforming")[0] + "#" * 900 + "\n"  # 1,253 bytes
    document = DOCUMENT + "#" * 1000 + "\n"  # 1,060 bytes

    def files(doc: str, shapes: str) -> dict:
        return {"file": ("d.ttl", doc.encode()), "shapes_file": ("s.ttl", shapes.encode())}

    assert post(url, files=files(DOCUMENT, shapes)).ok
    assert post(url, files=files(document, text("conforming")[0])).ok
    error(post(url, files=files(document, shapes)), 413)


def test_a_validation_past_its_timeout_is_503(servers):
    url = servers["hasty"]
    shapes, document = text("paths")
    assert "longer than" in error(post(url, data={"text": document, "shapes": shapes}), 503)


def test_openapi_documents_the_shapes_fields(base):
    spec = requests.get(base + "/openapi.json", timeout=TIMEOUT).json()
    body = spec["paths"]["/validate"]["post"]["requestBody"]["content"]
    multipart = body["multipart/form-data"]["schema"]["properties"]
    form = body["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert {"shapes_file", "shapes", "shapes_format", "base"} <= set(multipart)
    assert {"shapes", "shapes_format", "base"} <= set(form)
    assert multipart["shapes_file"]["format"] == "binary"
