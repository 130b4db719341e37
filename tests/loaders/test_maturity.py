"""The RDM maturity model and assessments (loaders/maturity.py, shapes/maturity.shapes.ttl).

Expected counts are derived from the real maturity_model.json in the test itself; so is the
list of indicators whose weights and levels differ in length, which must each be reported.
Every constraint of shapes/maturity.shapes.ttl is broken alone by one row of CASES (a SPARQL
Update on the loader's output), which must give exactly the expected finding (tests/support/shapecases.py).
"""

from __future__ import annotations

import json
import re
import textwrap
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.namespaces import Iris
from kg.settings import Settings
from kg.validation.shapes import Validator, load_shapes, to_rdflib, validate
from loaders import maturity
from loaders.common import LoadError
from tests.support.paths import ROOT
from tests.support.shapecases import (
    BLANK,
    Case,
    add,
    check_case,
    constraints_without_message_or_severity,
    drop,
    replace,
    shapes_file,
    sparql_without_sparql_target,
    uncovered,
)

ASSESSMENTS = ROOT / "data" / "maturity-assessments"
SHAPES_FILE = "maturity.shapes.ttl"
BASE = "https://w3id.org/elixir-converge/"
CKG = "https://w3id.org/elixir-converge/ontology#"
MM = BASE + "maturity/"

NS = {
    "ckg": CKG,
    "ckgsh": "https://w3id.org/elixir-converge/shapes#",
    "dct": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "skos": str(SKOS),
    "org": "http://www.w3.org/ns/org#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "mm": MM,
    "dom": MM + "domain/",
    "mi": MM + "indicator/",
    "node": BASE + "node/",
}


def numeric(values: list) -> list[Decimal]:
    out = []
    for v in values:
        try:
            out.append(Decimal(str(v)))
        except InvalidOperation:
            pass
    return out


@pytest.fixture(scope="module")
def model_json(shared_data) -> Path:
    return shared_data / "rdm-maturity-model" / "maturity_model.json"


@pytest.fixture(scope="module")
def raw(model_json) -> dict:
    return json.loads(model_json.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def source(model_json):
    return maturity.read(model_json, Iris(BASE), ASSESSMENTS)


@pytest.fixture(scope="module")
def graph(source) -> Graph:
    return to_rdflib(source.triples)


def subjects(graph: Graph, cls: str) -> set:
    return set(graph.subjects(RDF.type, URIRef(CKG + cls)))


# --------------------------------------------------------------------------- the model


def test_counts_match_the_json(raw, source, graph):
    levels = sum(len(i["maturityLevels"]) for i in raw["indicators"])
    weights = sum(
        len(i["maturityLevels"])
        for i in raw["indicators"]
        if len(numeric(i["weights"])) == len(i["maturityLevels"])
    )
    assert len(subjects(graph, "MaturityModel")) == 1
    assert len(subjects(graph, "MaturityDomain")) == len(raw["domains"]) == 4
    assert len(subjects(graph, "MaturityIndicator")) == len(raw["indicators"]) == 25
    assert len(subjects(graph, "MaturityLevel")) == levels
    assert len(set(graph.subject_objects(URIRef(CKG + "weight")))) == weights
    assert source.stats["domains"] == 4 and source.stats["indicators"] == 25
    assert (source.stats["levels"], source.stats["weights"]) == (levels, weights)
    assert source.name == "maturity" and source.version.startswith("sha256:")


def test_the_version_comes_from_the_json(raw, graph):
    model = URIRef(MM + "rdm-maturity-model")
    assert graph.value(model, URIRef(NS["schema"] + "version")) == Literal(
        raw["version"]["versionNumber"]
    )


def test_every_indicator_with_number_name_domain_and_ordered_levels(raw, graph):
    for ind in raw["indicators"]:
        node = URIRef(MM + "indicator/" + ind["indicatorId"])
        assert graph.value(node, SKOS.notation) == Literal(ind["indicatorLevel"])
        assert str(graph.value(node, URIRef(NS["schema"] + "name"))) == " ".join(
            ind["indicator"].split()
        )
        assert graph.value(node, URIRef(CKG + "maturityDomain")) == URIRef(
            MM + "domain/" + ind["domainLevel"]
        )
        if ind.get("indicatorDescription"):
            assert graph.value(node, URIRef(NS["schema"] + "description"))
        levels = sorted(
            (
                int(graph.value(level, URIRef(CKG + "order"))),
                str(graph.value(level, URIRef(NS["schema"] + "name"))),
            )
            for level in graph.objects(node, URIRef(CKG + "hasLevel"))
        )
        assert levels == [(n, " ".join(t.split())) for n, t in enumerate(ind["maturityLevels"], 1)]
    funding = URIRef(MM + "indicator/mm-strategy-funding")
    assert (
        str(graph.value(funding, URIRef(NS["schema"] + "name")))
        == "Funding sources for RDM efforts"
    )


def test_weights_are_attached_in_order(raw, graph):
    for ind in raw["indicators"]:
        weights = numeric(ind["weights"])
        if len(weights) != len(ind["maturityLevels"]):
            continue
        for order, weight in enumerate(weights, start=1):
            level = URIRef(f"{MM}indicator/{ind['indicatorId']}/level/{order}")
            value = graph.value(level, URIRef(CKG + "weight"))
            assert value.datatype == URIRef(NS["xsd"] + "decimal")
            assert Decimal(str(value)) == weight


def test_levels_weights_mismatches_are_reported(raw, source, graph):
    mismatched = {
        i["indicatorLevel"]: i
        for i in raw["indicators"]
        if len(i["weights"]) != len(i["maturityLevels"])
    }
    assert mismatched, "the real file has indicators whose weights and levels differ in length"
    reported = [i for i in source.issues if i.kind == "levels-weights-mismatch"]
    assert sorted(re.match(r"indicator (\S+)", i.message).group(1) for i in reported) == sorted(
        mismatched
    )
    for issue in reported:
        number = re.match(r"indicator (\S+)", issue.message).group(1)
        ind = mismatched[number]
        assert re.fullmatch(r"maturity_model\.json:\d+", issue.where)
        assert (
            f"{len(ind['maturityLevels'])} maturity levels but {len(ind['weights'])} weights"
            in issue.message
        )
        node = URIRef(MM + "indicator/" + ind["indicatorId"])
        weighted = [
            lvl
            for lvl in graph.objects(node, URIRef(CKG + "hasLevel"))
            if graph.value(lvl, URIRef(CKG + "weight")) is not None
        ]
        # the numeric weights pair up with the levels (a non-numeric note aside), or none is loaded
        expected = (
            len(ind["maturityLevels"])
            if len(numeric(ind["weights"])) == len(ind["maturityLevels"])
            else 0
        )
        assert len(weighted) == expected
    notes = [i for i in source.issues if i.kind == "non-numeric-weight"]
    assert len(notes) == sum(
        len(i["weights"]) - len(numeric(i["weights"])) for i in raw["indicators"]
    )


def test_a_mismatch_in_a_small_model(tmp_path):
    model = {
        "version": {"versionNumber": "0.1"},
        "domains": [{"domainName": "D", "domainLevel": "1"}],
        "indicators": [
            {"domain": "D", "indicatorId": "mm-a", "indicatorLevel": "1.1", "indicator": "A",
             "maturityLevels": ["x", "y", "z"], "weights": ["0", "1"], "domainLevel": "1"},
        ],
    }  # fmt: skip
    path = tmp_path / "maturity_model.json"
    path.write_text(json.dumps(model, indent=2))
    data = maturity.read(path, Iris(BASE))
    (issue,) = data.issues
    text = path.read_text()
    line = text[: text.index('"indicatorId": "mm-a"')].count("\n") + 1
    assert issue.kind == "levels-weights-mismatch" and issue.where == f"maturity_model.json:{line}"
    assert (
        "3 maturity levels but 2 weights" in issue.message and "no weights loaded" in issue.message
    )
    assert not any(t.predicate.value == CKG + "weight" for t in data.triples)
    assert data.stats["levels"] == 3 and "assessments" not in data.stats


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "maturity_model.json"
    path.write_text('{\n  "domains": [\n    {"domainName": "D",}\n  ]\n}\n')
    with pytest.raises(LoadError, match=r"^maturity_model\.json:3:24: invalid JSON: "):
        maturity.read(path, Iris(BASE))
    with pytest.raises(LoadError, match="no such file"):
        maturity.read(tmp_path / "missing.json", Iris(BASE))


# --------------------------------------------------------------------------- assessments


def test_the_example_assessment(raw, source, graph):
    doc = yaml.safe_load((ASSESSMENTS / "example-assessment.yaml").read_text(encoding="utf-8"))
    assessment = URIRef(MM + "assessment/example-assessment")
    assert subjects(graph, "MaturityAssessment") == {assessment}
    assert graph.value(assessment, URIRef(CKG + "isExample")) == Literal(True)
    assert "example" in str(graph.value(assessment, URIRef(NS["schema"] + "name"))).lower()
    assert str(graph.value(assessment, URIRef(NS["dct"] + "date"))) == str(doc["date"])
    ratings = list(graph.objects(assessment, URIRef(CKG + "rating")))
    assert len(ratings) == len(doc["ratings"]) == source.stats["ratings"]
    by_number = {i["indicatorLevel"]: i["indicatorId"] for i in raw["indicators"]}
    expected = {
        (by_number.get(str(r["indicator"]), str(r["indicator"])), int(r["level"]))
        for r in doc["ratings"]
    }
    got = set()
    for rating in ratings:
        indicator = graph.value(rating, URIRef(CKG + "indicator"))
        level = graph.value(rating, URIRef(CKG + "ratedLevel"))
        assert (indicator, URIRef(CKG + "hasLevel"), level) in graph
        got.add((str(indicator).rsplit("/", 1)[1], int(graph.value(level, URIRef(CKG + "order")))))
    assert got == expected
    org = graph.value(assessment, URIRef(CKG + "assessedOrganisation"))
    assert "not a real organisation" in str(graph.value(org, URIRef(NS["schema"] + "name")))
    assert "partial-assessment" in {i.kind for i in source.issues}


def test_model_and_example_conform_with_zero_findings(settings, graph):
    result = Validator(settings).validate(graph)
    assert result.findings == [], [f.to_dict() for f in result.findings]


ASSESSMENT = """\
example: false
title: Self-assessment
organisation:
  node: BE
date: 2024-05-01
ratings:
  - indicator: mm-strategy-defined
    level: 1
  - indicator: "1.7"
    level: 4
"""

ERRORS = [
    (ASSESSMENT.replace("mm-strategy-defined", "mm-strategy-undefined"),
     r"7: field 'ratings\[1\]\.indicator': unknown indicator 'mm-strategy-undefined'; use an indicator id"),
    (ASSESSMENT.replace('"1.7"', '"1.9"'), r"9: field 'ratings\[2\]\.indicator': unknown indicator '1\.9'"),
    (ASSESSMENT.replace("level: 4", "level: 5"),
     r"10: field 'ratings\[2\]\.level': level '5' is out of range: indicator 1\.7 \(mm-strategy-funding\) has levels 1 to 4$"),
    (ASSESSMENT.replace("level: 1", "level: 0"), r"8: field 'ratings\[1\]\.level': level '0' is out of range"),
    (ASSESSMENT.replace("level: 1", "level: high"), r"8: field 'ratings\[1\]\.level': level 'high' is out of range"),
    (ASSESSMENT.replace('"1.7"', "mm-strategy-defined"), r"9: field 'ratings\[2\]\.indicator': indicator 1\.1 \(mm-strategy-defined\) is rated twice"),
    (ASSESSMENT.replace("date: 2024-05-01", "date: 2024"), r"5: field 'date': expected a date \(YYYY-MM-DD\), not '2024'$"),
    (ASSESSMENT.replace("  node: BE", "  node: BE\n  name: Ghent"), r"4: field 'organisation': give either 'node'"),
    (ASSESSMENT.replace("  node: BE", "  node: Belgium"), r"4: field 'organisation\.node': 'Belgium' is not a Node code"),
    (ASSESSMENT.replace("ratings:", "scores:"), r"6: field 'scores': unknown field"),
    (ASSESSMENT.replace("title: Self-assessment", "title: [Self-assessment"), r"\d+:\d+: invalid YAML: "),
]  # fmt: skip


@pytest.mark.parametrize("text, message", ERRORS, ids=lambda x: None)
def test_malformed_assessments_name_file_line_and_field(tmp_path, model_json, text, message):
    folder = tmp_path / "maturity-assessments"
    folder.mkdir()
    (folder / "bad.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    (folder / "TEMPLATE.yaml").write_text("not: [read", encoding="utf-8")
    with pytest.raises(LoadError) as err:
        maturity.read(model_json, Iris(BASE), folder)
    text = str(err.value)
    assert text.startswith("maturity-assessments/bad.yaml:"), text
    assert re.search(message, text.removeprefix("maturity-assessments/bad.yaml:")), text


def test_a_node_assessment_loads_and_conforms(tmp_path, model_json, settings):
    folder = tmp_path / "maturity-assessments"
    folder.mkdir()
    (folder / "be-2024.yaml").write_text(
        ASSESSMENT.replace("example: false", "example: false\nmodel_version: 1.0.0")
    )
    data = maturity.read(model_json, Iris(BASE), folder)
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in data.triples}
    assert (MM + "assessment/be-2024", CKG + "assessedOrganisation", BASE + "node/BE") in triples
    assert not any(t[0] == BASE + "node/BE" for t in triples), (
        "the Node is described by the nodes graph"
    )
    assert "assessment-model-version" in {i.kind for i in data.issues}
    result = validate(to_rdflib(data.triples), load_shapes(settings.shapes_dir))
    assert result.findings == []


# --------------------------------------------------------------------------- the shapes

MODEL = "mm:rdm-maturity-model"
D1 = "dom:1"
IND = "mi:mm-strategy-funding"
L1 = "<" + MM + "indicator/mm-strategy-funding/level/1>"
L11_2 = "<" + MM + "indicator/mm-strategy-defined/level/2>"
A = "<" + MM + "assessment/example-assessment>"
R = "<" + MM + "assessment/example-assessment/rating/mm-strategy-funding>"
ORG = "<" + MM + "organisation/example-institute-illustrative-not-a-real-organisation>"
OTHER_MODEL = 'INSERT DATA { {s} ckg:maturityModel <https://example.org/m> . <https://example.org/m> a ckg:MaturityModel ; schema:name "M" ; schema:version "0" }'
NEW_LEVELS = " ".join(
    f'<https://example.org/l{n}> a ckg:MaturityLevel ; ckg:order {n} ; schema:name "L{n}" .'
    for n in (1, 2, 3)
)
BLANK_INDICATOR = (
    'INSERT DATA { _:i a ckg:MaturityIndicator ; dct:identifier "mm-x" ; skos:notation "1.9" ; schema:name "X" ;'
    f" ckg:maturityDomain {D1} ; ckg:hasLevel <https://example.org/l1> , <https://example.org/l2> , <https://example.org/l3> . {NEW_LEVELS} }}"
)
BLANK_ASSESSMENT = (
    'INSERT DATA { _:a a ckg:MaturityAssessment ; dct:identifier "x" ; schema:name "X" ; ckg:isExample false ;'
    f' ckg:maturityModel {MODEL} ; ckg:assessedOrganisation node:XX ; dct:date "2024-01-01"^^xsd:date ;'
    f" ckg:rating <https://example.org/r> . <https://example.org/r> a ckg:MaturityRating ; ckg:indicator {IND} ; ckg:ratedLevel {L1} }}"
)
DROP_LEVEL_3_OF_1_4 = f"DELETE WHERE {{ mi:mm-strategy-policy-adherence ckg:hasLevel <{MM}indicator/mm-strategy-policy-adherence/level/3> . <{MM}indicator/mm-strategy-policy-adherence/level/3> ?p ?o }}"
L1_4 = "mi:mm-strategy-policy-adherence"

CASES = [
    # --- model --------------------------------------------------------------------------------
    Case("MaturityModelShape", "NodeKind", 'INSERT DATA { _:m a ckg:MaturityModel ; schema:name "M" ; schema:version "0" }', BLANK, None),
    Case("MaturityModel-version", "MinCount", drop(MODEL, "schema:version"), MODEL, "schema:version"),
    Case("MaturityModel-version", "MaxCount", add(MODEL, "schema:version", '"9.9.9"'), MODEL, "schema:version"),
    Case("MaturityModel-version", "Datatype", replace(MODEL, "schema:version", '"1.2.1"@en'), MODEL, "schema:version"),
    # --- domain -------------------------------------------------------------------------------
    Case("MaturityDomainShape", "NodeKind", f'INSERT DATA {{ _:d a ckg:MaturityDomain ; skos:notation "9" ; schema:name "D" ; ckg:maturityModel {MODEL} }}', BLANK, None),
    Case("MaturityDomain-notation", "MinCount", drop(D1, "skos:notation"), D1, "skos:notation"),
    Case("MaturityDomain-notation", "MaxCount", add(D1, "skos:notation", '"01"'), D1, "skos:notation"),
    Case("MaturityDomain-notation", "Datatype", replace(D1, "skos:notation", "1"), D1, "skos:notation"),
    Case("MaturityDomain-notation", "Pattern", replace(D1, "skos:notation", '"one"'), D1, "skos:notation"),
    Case("MaturityDomain-model", "MinCount", drop(D1, "ckg:maturityModel"), D1, "ckg:maturityModel"),
    Case("MaturityDomain-model", "MaxCount", OTHER_MODEL.replace("{s}", D1), D1, "ckg:maturityModel"),
    Case("MaturityDomain-model", "Class", replace(D1, "ckg:maturityModel", IND), D1, "ckg:maturityModel"),
    # --- indicator ----------------------------------------------------------------------------
    Case("MaturityIndicatorShape", "NodeKind", BLANK_INDICATOR, BLANK, None),
    Case("MaturityIndicator-identifier", "MinCount", drop(IND, "dct:identifier"), IND, "dct:identifier"),
    Case("MaturityIndicator-identifier", "MaxCount", add(IND, "dct:identifier", '"mm-funding"'), IND, "dct:identifier"),
    Case("MaturityIndicator-identifier", "Datatype", replace(IND, "dct:identifier", '"mm-strategy-funding"@en'), IND, "dct:identifier"),
    Case("MaturityIndicator-identifier", "Pattern", replace(IND, "dct:identifier", '"MM strategy funding"'), IND, "dct:identifier"),
    Case("MaturityIndicator-notation", "MinCount", drop(IND, "skos:notation"), IND, "skos:notation"),
    Case("MaturityIndicator-notation", "MaxCount", add(IND, "skos:notation", '"1.8"'), IND, "skos:notation"),
    Case("MaturityIndicator-notation", "Datatype", replace(IND, "skos:notation", "1.7"), IND, "skos:notation"),
    Case("MaturityIndicator-notation", "Pattern", replace(IND, "skos:notation", '"1-7"'), IND, "skos:notation"),
    Case("MaturityIndicator-domain", "MinCount", drop(IND, "ckg:maturityDomain"), IND, "ckg:maturityDomain"),
    Case("MaturityIndicator-domain", "MaxCount", add(IND, "ckg:maturityDomain", "dom:2"), IND, "ckg:maturityDomain"),
    Case("MaturityIndicator-domain", "Class", replace(IND, "ckg:maturityDomain", MODEL), IND, "ckg:maturityDomain"),
    Case("MaturityIndicator-hasLevel", "MinCount", DROP_LEVEL_3_OF_1_4, L1_4, "ckg:hasLevel"),
    Case("MaturityIndicator-hasLevel", "MaxCount", f'INSERT DATA {{ mi:mm-strategy-defined ckg:hasLevel <{MM}indicator/mm-strategy-defined/level/6> . <{MM}indicator/mm-strategy-defined/level/6> a ckg:MaturityLevel ; ckg:order 6 ; schema:name "Beyond" }}', "mi:mm-strategy-defined", "ckg:hasLevel"),
    Case("MaturityIndicator-hasLevel", "Class", add(IND, "ckg:hasLevel", D1), IND, "ckg:hasLevel"),
    # --- level --------------------------------------------------------------------------------
    Case("MaturityLevelShape", "NodeKind", f'INSERT DATA {{ {IND} ckg:hasLevel _:l . _:l a ckg:MaturityLevel ; ckg:order 5 ; schema:name "Beyond" }}', BLANK, None),
    Case("MaturityLevel-indicator", "MinCount", 'INSERT DATA { <https://example.org/orphan> a ckg:MaturityLevel ; ckg:order 1 ; schema:name "Orphan" }', "<https://example.org/orphan>", "^ckg:hasLevel"),
    Case("MaturityLevel-indicator", "MaxCount", add("mi:mm-strategy-personnel", "ckg:hasLevel", L1), L1, "^ckg:hasLevel"),
    Case("MaturityLevel-order", "MinCount", drop(L1, "ckg:order"), L1, "ckg:order"),
    Case("MaturityLevel-order", "MaxCount", add(L1, "ckg:order", "2"), L1, "ckg:order"),
    Case("MaturityLevel-order", "Datatype", replace(L1, "ckg:order", "1.0"), L1, "ckg:order"),
    Case("MaturityLevel-order", "MinInclusive", replace(L1, "ckg:order", "0"), L1, "ckg:order"),
    Case("MaturityLevel-weight", "MaxCount", add(L1, "ckg:weight", "0.1"), L1, "ckg:weight"),
    Case("MaturityLevel-weight", "Datatype", replace(L1, "ckg:weight", '"0E0"^^xsd:double'), L1, "ckg:weight"),
    Case("MaturityLevel-weight", "MinInclusive", replace(L1, "ckg:weight", '"-0.5"^^xsd:decimal'), L1, "ckg:weight"),
    Case("MaturityLevel-weight", "MaxInclusive", replace(L1, "ckg:weight", "33.0"), L1, "ckg:weight"),
    # --- assessment ---------------------------------------------------------------------------
    Case("MaturityAssessmentShape", "NodeKind", BLANK_ASSESSMENT, BLANK, None),
    Case("MaturityAssessment-identifier", "MinCount", drop(A, "dct:identifier"), A, "dct:identifier"),
    Case("MaturityAssessment-identifier", "MaxCount", add(A, "dct:identifier", '"other"'), A, "dct:identifier"),
    Case("MaturityAssessment-identifier", "Datatype", replace(A, "dct:identifier", '"x"@en'), A, "dct:identifier"),
    Case("MaturityAssessment-model", "MinCount", drop(A, "ckg:maturityModel"), A, "ckg:maturityModel"),
    Case("MaturityAssessment-model", "MaxCount", OTHER_MODEL.replace("{s}", A), A, "ckg:maturityModel"),
    Case("MaturityAssessment-model", "Class", replace(A, "ckg:maturityModel", D1), A, "ckg:maturityModel"),
    Case("MaturityAssessment-organisation", "MinCount", drop(A, "ckg:assessedOrganisation"), A, "ckg:assessedOrganisation"),
    Case("MaturityAssessment-organisation", "MaxCount", add(A, "ckg:assessedOrganisation", "node:XX"), A, "ckg:assessedOrganisation"),
    Case("MaturityAssessment-organisation", "NodeKind", replace(A, "ckg:assessedOrganisation", f'"{BASE}node/XX"'), A, "ckg:assessedOrganisation"),
    Case("MaturityAssessment-date", "MinCount", drop(A, "dct:date"), A, "dct:date"),
    Case("MaturityAssessment-date", "MaxCount", add(A, "dct:date", '"2024-03-02"^^xsd:date'), A, "dct:date"),
    Case("MaturityAssessment-date", "Datatype", replace(A, "dct:date", '"2024-03"^^xsd:gYearMonth'), A, "dct:date"),
    Case("MaturityAssessment-source", "MaxCount", add(A, "dct:source", "<https://example.org/other>"), A, "dct:source"),
    Case("MaturityAssessment-source", "NodeKind", replace(A, "dct:source", '"https://example.org/report"'), A, "dct:source"),
    Case("MaturityAssessment-rating", "MinCount", f"DELETE WHERE {{ {A} ckg:rating ?r . ?r ?p ?o }}", A, "ckg:rating"),
    Case("MaturityAssessment-rating", "Class", add(A, "ckg:rating", L1), A, "ckg:rating"),
    Case("ExampleAssessmentIsLabelled", "Or", replace(A, "schema:name", '"Self-assessment 2024"'), A, None),
    Case("AssessedOrganisation-name", "MaxCount", add(ORG, "schema:name", '"Other name"'), ORG, "schema:name"),
    Case("AssessedOrganisation-name", "Datatype", replace(ORG, "schema:name", '"Example Institute"@en'), ORG, "schema:name"),
    Case("AssessedOrganisation-kind", "Or", replace(A, "ckg:assessedOrganisation", "<https://example.org/somewhere>"), "<https://example.org/somewhere>", None),
    Case("AssessedOrganisation-named", "Or", drop(ORG, "schema:name"), ORG, None),
    # --- rating -------------------------------------------------------------------------------
    Case("MaturityRatingShape", "NodeKind", f"INSERT DATA {{ {A} ckg:rating _:r . _:r a ckg:MaturityRating ; ckg:indicator {IND} ; ckg:ratedLevel {L1} }}", BLANK, None),
    Case("MaturityRating-assessment", "MinCount", f"DELETE DATA {{ {A} ckg:rating {R} }}", R, "^ckg:rating"),
    Case("MaturityRating-assessment", "MaxCount", add("<https://example.org/other-assessment>", "ckg:rating", R), R, "^ckg:rating"),
    Case("MaturityRating-indicator", "MinCount", drop(R, "ckg:indicator"), R, "ckg:indicator"),
    Case("MaturityRating-indicator", "MaxCount", add(R, "ckg:indicator", "mi:mm-strategy-defined"), R, "ckg:indicator"),
    Case("MaturityRating-indicator", "Class", replace(R, "ckg:indicator", D1), R, "ckg:indicator"),
    Case("MaturityRating-level", "MinCount", drop(R, "ckg:ratedLevel"), R, "ckg:ratedLevel"),
    Case("MaturityRating-level", "MaxCount", add(R, "ckg:ratedLevel", L1), R, "ckg:ratedLevel"),
    Case("MaturityRating-level", "Class", replace(R, "ckg:ratedLevel", D1), R, "ckg:ratedLevel"),
    Case("MaturityRating-levelOfIndicator", "SPARQL", replace(R, "ckg:ratedLevel", L11_2), R, "ckg:ratedLevel", says=(f"`{L11_2}` is not a level of the rated indicator 1.7 (mm-strategy-funding)", "use one of its levels (ckg:order, name): 1 ")),
]  # fmt: skip


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(Settings.load(environ={}).shapes_dir)


def test_the_baseline_conforms_to_every_shape(shapes, graph):
    assert validate(graph, shapes).findings == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_broken_constraint_gives_exactly_one_finding(case: Case, shapes, graph) -> None:
    check_case(case, shapes, graph, NS)


def test_every_constraint_of_the_file_has_a_broken_fixture():
    assert uncovered(shapes_file(SHAPES_FILE), CASES) == []


def test_every_constraint_of_the_file_has_a_message_and_a_severity():
    own = shapes_file(SHAPES_FILE)
    assert constraints_without_message_or_severity(own) == []
    assert sparql_without_sparql_target(own) == []
