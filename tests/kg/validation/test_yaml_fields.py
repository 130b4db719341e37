"""A YAML entry's findings name the offending field and its line."""

from __future__ import annotations

from kg.validation.checker import Service
from kg.validation.reports import Report
from kg.validation.yaml_fields import yaml_field
from loaders.yaml_documents import read_yaml_document
from tests.support.paths import ROOT

TEXT = """title: T
node: XX
funding_sources:
  - type: research_grants
    share: 60
  - type: lottery
    share: 40
"""


def test_the_field_of_a_value_is_its_path_and_line():
    assert yaml_field(TEXT, 1, "https://w3id.org/elixir-converge/node/XX") == ("node", 2)
    assert yaml_field(TEXT, 1, "40") == ("funding_sources[2].share", 7)
    assert yaml_field(TEXT, 5, "https://example.org/ontology#lottery") == (
        "funding_sources[2].type",
        6,
    )
    assert yaml_field(TEXT, 1, "absent") is None
    assert yaml_field("a: [unclosed", 1, "a") is None  # not YAML: no field


def test_a_business_model_finding_names_its_field_and_line(settings, built):
    text = (ROOT / "data" / "business-models" / "example-central.yaml").read_text()
    service = Service(settings, read_yaml=read_yaml_document)
    try:
        outcome = service.validate_text(
            text,
            "yaml",
            "example-central.yaml",
            profile="business-model",
            store=built[0],
            in_context=True,
        )
    finally:
        service.workers.close()
    rows = Report(outcome, 100).to_dict()["findings"]
    line = next(n for n, x in enumerate(text.splitlines(), 1) if x.startswith("node:"))
    # its Node XX is not in this store: a dangling reference, on the field that names it
    assert [(r["field"], r["line"]) for r in rows if r["shape"].endswith("DanglingReference")] == [
        ("node", line)
    ]
