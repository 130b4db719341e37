"""Business-model and impact catalogues (loaders/catalogues.py, shapes/catalogues.shapes.ttl).

Counts are derived from the shipped YAML files themselves. The shipped entries are examples
and must say so in the graph. Every constraint of shapes/catalogues.shapes.ttl is broken alone
by one row of CASES (a SPARQL Update on the loader's output for the examples), which must give
exactly the expected finding (tests/support/shapecases.py). Malformed files are LoadErrors naming file,
line and field.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.namespaces import Iris
from kg.settings import Settings
from kg.validation.shapes import Validator, load_rdf_dir, load_shapes, to_rdflib, validate
from loaders import catalogues
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

DATA = ROOT / "data"
SHAPES_FILE = "catalogues.shapes.ttl"
BASE = "https://w3id.org/elixir-converge/"
CKG = "https://w3id.org/elixir-converge/ontology#"

NS = {
    "ckg": CKG,
    "ckgsh": "https://w3id.org/elixir-converge/shapes#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "schema": "https://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "bm": BASE + "business-model/",
    "central": BASE + "business-model/example-central#",
    "hybrid": BASE + "business-model/example-hybrid#",
    "ind": BASE + "impact/indicator/",
    "node": BASE + "node/",
}
OBS = f"<{BASE}impact/observation/example-people-trained/XX/2021-01-01_2021-12-31>"
OBS_PERIOD = OBS[:-1] + "#period>"


def yaml_files(folder: str) -> list[Path]:
    return sorted(p for p in (DATA / folder).glob("*.yaml") if not p.name.startswith("TEMPLATE"))


def load_plain(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def source():
    return catalogues.read(DATA, Iris(BASE))


@pytest.fixture(scope="module")
def graph(source) -> Graph:
    return to_rdflib(source.triples)


def count(graph: Graph, cls: str) -> int:
    return len(set(graph.subjects(RDF.type, URIRef(CKG + cls))))


# --------------------------------------------------------------------------- the examples


def test_counts_match_the_yaml_files(source, graph):
    models = [load_plain(p) for p in yaml_files("business-models")]
    impact = [load_plain(p) for p in yaml_files("impact")]
    assert models and impact, "the example catalogue files are missing"
    expected = {
        "BusinessModel": len(models),
        "FundingSource": sum(len(m["funding_sources"]) for m in models),
        "SupportService": sum(len(m.get("services") or []) for m in models),
        "CanvasEntry": sum(len(m.get("canvas") or {}) for m in models),
        "ImpactIndicator": sum(len(f.get("indicators") or []) for f in impact),
        "ImpactObservation": sum(len(f.get("observations") or []) for f in impact),
    }
    assert {cls: count(graph, cls) for cls in expected} == expected
    assert source.stats["business models"] == expected["BusinessModel"]
    assert source.stats["impact observations"] == expected["ImpactObservation"]
    assert source.name == "catalogues" and source.version.startswith("sha256:")


def test_templates_are_skipped_but_shipped():
    for folder in ("business-models", "impact", "maturity-assessments"):
        assert (DATA / folder / "TEMPLATE.yaml").is_file()
    assert Path("TEMPLATE.yaml") not in {p.relative_to(DATA) for p in yaml_files("impact")}


def test_example_entries_are_flagged_and_labelled(graph):
    """Every shipped entry is an example: flagged ckg:isExample true, and named so."""
    for path in [*yaml_files("business-models"), *yaml_files("impact")]:
        assert path.name.startswith("example-"), path
        assert load_plain(path)["example"] is True, path
    is_example = URIRef(CKG + "isExample")
    for cls in ("BusinessModel", "ImpactIndicator", "ImpactObservation"):
        for s in graph.subjects(RDF.type, URIRef(CKG + cls)):
            assert list(graph.objects(s, is_example)) == [Literal(True)], s
    names = [
        str(o)
        for cls in ("BusinessModel", "ImpactIndicator")
        for s in graph.subjects(RDF.type, URIRef(CKG + cls))
        for o in graph.objects(s, URIRef(NS["schema"] + "name"))
    ]
    assert names and all("example" in n.lower() and "illustrative" in n.lower() for n in names)
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "illustrative example, not ELIXIR data" in readme and "ckg:isExample true" in readme


def test_examples_use_no_real_node(graph):
    nodes = set(graph.objects(None, URIRef(CKG + "node")))
    assert nodes == {URIRef(BASE + "node/XX")}


def test_business_model_values(graph):
    central = URIRef(NS["bm"] + "example-central")
    model = load_plain(DATA / "business-models" / "example-central.yaml")
    shares = sorted(
        graph.value(f, URIRef(CKG + "fundingShare")).toPython()
        for f in graph.objects(central, URIRef(CKG + "fundingSource"))
    )
    assert [float(s) for s in shares] == sorted(s["share"] / 100 for s in model["funding_sources"])
    assert graph.value(central, URIRef(CKG + "serviceDeliveryModel")) == URIRef(
        CKG + "centralDelivery"
    )
    assert graph.value(central, URIRef(NS["dct"] + "source")) == URIRef(model["source"])


def test_periods_are_dates_a_year_meaning_all_its_days(graph):
    period = URIRef(OBS_PERIOD[1:-1])
    start = graph.value(period, URIRef(NS["dcat"] + "startDate"))
    end = graph.value(period, URIRef(NS["dcat"] + "endDate"))
    assert (str(start), str(end)) == ("2021-01-01", "2021-12-31")
    assert start.datatype == end.datatype == URIRef(NS["xsd"] + "date")


def test_observation_values_are_decimals(graph):
    values = list(graph.objects(None, URIRef(CKG + "value")))
    assert values and all(v.datatype == URIRef(NS["xsd"] + "decimal") for v in values)
    assert (
        URIRef(OBS[1:-1]),
        RDF.type,
        URIRef("http://purl.org/linked-data/cube#Observation"),
    ) in graph


def test_examples_conform_with_zero_findings(settings, graph):
    result = Validator(settings).validate(graph)
    assert result.findings == [], [f.to_dict() for f in result.findings]


def test_closed_lists_are_the_notations_of_the_schemes():
    ontology = load_rdf_dir(Settings.load(environ={}).ontology_dir)
    for scheme, concepts in catalogues.SCHEMES.items():
        in_ontology = {
            str(ontology.value(c, SKOS.notation)): str(c)
            for c in ontology.subjects(SKOS.inScheme, URIRef(CKG + scheme))
        }
        assert in_ontology == {k: v.value for k, v in concepts.items()}, scheme


def test_docs_list_every_allowed_value():
    doc = (ROOT / "docs" / "catalogues.md").read_text(encoding="utf-8")
    for concepts in catalogues.SCHEMES.values():
        for notation, concept in concepts.items():
            assert f"| `{notation}` | `ckg:{concept.value.removeprefix(CKG)}` |" in doc


# --------------------------------------------------------------------------- load errors


def write(tmp_path: Path, folder: str, text: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


BUSINESS_MODEL = """\
example: false
title: A business model
node: BE
period:
  start: 2020
  end: 2021
funding_sources:
  - type: infrastructure_funding
    share: 50
  - type: research_grants
    share: 20
service_delivery_model: hybrid
source: https://example.org/report
"""

IMPACT = """\
example: false
indicators:
  - id: trainees
    name: People trained
    category: skills_development
    stage: output
    unit: count
    method: Attendance lists.
observations:
  - indicator: trainees
    node: BE
    period: {start: 2021, end: 2021}
    value: 12
    source: https://example.org/report
"""


def test_valid_minimal_files_load(tmp_path):
    write(tmp_path, "business-models", BUSINESS_MODEL, "be-2020.yaml")
    write(tmp_path, "impact", IMPACT, "be.yaml")
    write(tmp_path, "impact", "this: is not read: at all", "TEMPLATE-draft.yaml")
    data = catalogues.read(tmp_path, Iris(BASE))
    assert data.stats["business models"] == 1 and data.stats["impact observations"] == 1
    (issue,) = data.issues  # 50% + 20%: every source has a share, they do not add up to 100
    assert (
        issue.kind == "funding-shares-incomplete"
        and issue.where == "business-models/be-2020.yaml:7"
    )
    result = validate(to_rdflib(data.triples), load_shapes(Settings.load(environ={}).shapes_dir))
    assert result.findings == []


# (folder, file text (an edit of a valid file), expected message: a regex after "file:")
ERRORS = [
    ("business-models", BUSINESS_MODEL.replace("infrastructure_funding", "grants"),
     r"8: field 'funding_sources\[1\]\.type': unknown value 'grants'; allowed: infrastructure_funding, host_institution_funding, research_grants, data_access_charges, deposit_fees, contract_work, sponsorship, cost_saving$"),
    ("business-models", BUSINESS_MODEL.replace("hybrid", "federated"),
     r"12: field 'service_delivery_model': unknown value 'federated'; allowed: central, distributed, hybrid$"),
    ("business-models", BUSINESS_MODEL + "canvas:\n  partners: Us.\n",
     r"15: field 'canvas\.partners': unknown field; allowed fields: channels, cost_structure, .*key_partners"),
    ("business-models", BUSINESS_MODEL + "fundng: 1\n", r"14: field 'fundng': unknown field; allowed fields: "),
    ("business-models", BUSINESS_MODEL.replace("title: A business model\n", ""), r"1: field 'title' is required$"),
    ("business-models", BUSINESS_MODEL.replace("share: 20", "share: 120"), r"11: field 'funding_sources\[2\]\.share': 120 is out of range \[0, 100\]$"),
    ("business-models", BUSINESS_MODEL.replace("share: 20", "share: 60"), r"7: field 'funding_sources': the shares add up to 110%, more than 100%$"),
    ("business-models", BUSINESS_MODEL.replace("share: 20", "share: twenty"), r"11: field 'funding_sources\[2\]\.share': expected a number, not 'twenty'$"),
    ("business-models", BUSINESS_MODEL.replace("end: 2021", "end: 2019"), r"6: field 'period\.end': the period ends \(2019\) before it starts \(2020-01-01\)$"),
    ("business-models", BUSINESS_MODEL.replace("end: 2021", "end: 2021-13"), r"6: field 'period\.end': expected a date \(YYYY-MM-DD or YYYY-MM or YYYY\), not '2021-13'$"),
    ("business-models", BUSINESS_MODEL.replace("node: BE", "node: be"), r"3: field 'node': 'be' is not a Node code"),
    ("business-models", BUSINESS_MODEL.replace("example: false", "example: yes"), r"1: field 'example': expected true or false, not 'yes'$"),
    ("business-models", BUSINESS_MODEL.replace("https://example.org/report", "example.org/report"), r"13: field 'source': expected an http\(s\) URL"),
    ("business-models", BUSINESS_MODEL.replace("node: BE", "node: BE\nnode: NL"), r"4:1: invalid YAML: duplicate field 'node' \(first at line 3\)$"),
    ("business-models", BUSINESS_MODEL.replace("title: A business model", "title: A business: model"), r"2:18: invalid YAML: mapping values are not allowed in this context$"),
    ("business-models", BUSINESS_MODEL.replace("  start: 2020", "  start: 2020\n bad: 1"), r"6:2: invalid YAML: "),
    ("business-models", BUSINESS_MODEL.replace("period:\n  start: 2020\n  end: 2021", "period: 2020"), r"4: field 'period': expected a mapping of fields$"),
    ("impact", IMPACT.replace("skills_development", "human_capital"),
     r"5: field 'indicators\[1\]\.category': unknown value 'human_capital'; allowed: research_efficiency, resource_uptake, infrastructure_sustainability, skills_development, equal_opportunity, policy_influence, public_awareness, working_together, scientific_legacy$"),
    ("impact", IMPACT.replace("stage: output", "stage: input"), r"6: field 'indicators\[1\]\.stage': unknown value 'input'; allowed: output, outcome, impact$"),
    ("impact", IMPACT.replace("indicator: trainees", "indicator: trainee"), r"10: field 'observations\[1\]\.indicator': unknown indicator 'trainee'; defined: trainees$"),
    ("impact", IMPACT.replace("value: 12", "value: 1,200"), r"13: field 'observations\[1\]\.value': expected a number, not '1,200'$"),
    ("impact", IMPACT.replace("{start: 2021, end: 2021}", "{start: 2021}"), r"12: field 'observations\[1\]\.period\.end' is required$"),
    ("impact", IMPACT + IMPACT[IMPACT.index("  - indicator"):],
     r"17: field 'observations\[2\]\.period': indicator 'trainees', Node BE, period 2021-01-01–2021-12-31 already has an observation at impact/broken.yaml:10$"),
    ("impact", IMPACT.replace("example: false", "example: true").replace("observations:", "observations: []\nx_observations:"),
     r"field 'x_observations': unknown field"),
]  # fmt: skip


@pytest.mark.parametrize("folder, text, message", ERRORS, ids=lambda x: None)
def test_malformed_files_are_load_errors_naming_file_line_and_field(
    tmp_path, folder, text, message
):
    write(tmp_path, folder, text)
    with pytest.raises(LoadError) as err:
        catalogues.read(tmp_path, Iris(BASE))
    assert str(err.value).startswith(f"{folder}/broken.yaml:"), str(err.value)
    assert re.search(message, str(err.value).removeprefix(f"{folder}/broken.yaml:")), str(err.value)


def test_duplicate_indicator_ids_name_both_places(tmp_path):
    write(tmp_path, "impact", IMPACT, "a.yaml")
    write(tmp_path, "impact", IMPACT.split("observations:")[0], "b.yaml")
    with pytest.raises(
        LoadError,
        match=r"^impact/b\.yaml:3: field 'indicators\[1\]\.id': indicator 'trainees' is already defined at impact/a\.yaml:3$",
    ):
        catalogues.read(tmp_path, Iris(BASE))


def test_a_real_observation_cannot_use_an_example_indicator(tmp_path):
    write(
        tmp_path,
        "impact",
        IMPACT.replace("example: false", "example: true").split("observations:")[0],
        "ex.yaml",
    )
    write(
        tmp_path,
        "impact",
        "example: false\nobservations:" + IMPACT.split("observations:")[1],
        "real.yaml",
    )
    with pytest.raises(
        LoadError,
        match=r"^impact/real\.yaml:3: field 'observations\[1\]\.indicator': 'trainees' is an example indicator",
    ):
        catalogues.read(tmp_path, Iris(BASE))


def test_not_a_directory(tmp_path):
    with pytest.raises(LoadError, match="not a directory"):
        catalogues.read(tmp_path / "nowhere", Iris(BASE))


# --------------------------------------------------------------------------- the shapes

BM, BMH = "bm:example-central", "bm:example-hybrid"
IND = "ind:example-people-trained"
BLANK_BM = """INSERT DATA { _:b a ckg:BusinessModel ; dct:identifier "anonymous" ; schema:name "Anonymous" ;
    ckg:isExample false ; ckg:node node:XX ; ckg:period hybrid:period ; ckg:fundingSource <https://example.org/f> ;
    ckg:serviceDeliveryModel ckg:hybridDelivery ; dct:source <https://example.org/s> .
    <https://example.org/f> a ckg:FundingSource ; ckg:fundingSourceType ckg:sponsorship }"""
BLANK_IND = """INSERT DATA { _:i a ckg:ImpactIndicator ; dct:identifier "anonymous" ; schema:name "Anonymous" ;
    ckg:isExample false ; ckg:impactCategory ckg:policyInfluence ; ckg:logicModelStage ckg:impactStage ;
    ckg:unit "count" ; ckg:method "Counting." }"""
BLANK_OBS = f"""INSERT DATA {{ _:o a ckg:ImpactObservation ; ckg:indicator {IND} ; ckg:node node:XX ;
    ckg:period {OBS_PERIOD} ; ckg:value 1.0 ; dct:source <https://example.org/s> ; ckg:isExample true }}"""
BLANK_PERIOD = f"""DELETE {{ {BMH} ckg:period ?p }} INSERT {{ {BMH} ckg:period _:p . _:p a dct:PeriodOfTime ;
    dcat:startDate "2023-01-01"^^xsd:date }} WHERE {{ {BMH} ckg:period ?p }}"""

CASES = [
    # --- shared -------------------------------------------------------------------------------
    Case("isExample", "MinCount", drop(BM, "ckg:isExample"), BM, "ckg:isExample"),
    Case("isExample", "MaxCount", add(BM, "ckg:isExample", "false"), BM, "ckg:isExample"),
    Case("isExample", "Datatype", replace(BM, "ckg:isExample", '"true"'), BM, "ckg:isExample"),
    Case("node-exactlyOne", "MinCount", drop(BM, "ckg:node"), BM, "ckg:node"),
    Case("node-exactlyOne", "MaxCount", add(BM, "ckg:node", "node:BE"), BM, "ckg:node"),
    Case("node-exactlyOne", "NodeKind", replace(BM, "ckg:node", f'"{BASE}node/XX"'), BM, "ckg:node"),
    Case("node-exactlyOne", "Pattern", replace(BM, "ckg:node", "node:xx"), BM, "ckg:node"),
    Case("period-exactlyOne", "MinCount", drop(BM, "ckg:period"), BM, "ckg:period"),
    Case("period-exactlyOne", "MaxCount", add(BM, "ckg:period", "hybrid:period"), BM, "ckg:period"),
    Case("period-exactlyOne", "Class", "DELETE DATA { central:period a dct:PeriodOfTime }", BM, "ckg:period"),
    Case("source-exactlyOne", "MinCount", drop(BM, "dct:source"), BM, "dct:source"),
    Case("source-exactlyOne", "MaxCount", add(BM, "dct:source", "<https://example.org/other>"), BM, "dct:source"),
    Case("source-exactlyOne", "NodeKind", replace(BM, "dct:source", '"https://example.org/report"'), BM, "dct:source"),
    # --- period -------------------------------------------------------------------------------
    Case("PeriodShape", "NodeKind", BLANK_PERIOD, BLANK, None),
    Case("Period-startDate", "MinCount", drop("hybrid:period", "dcat:startDate"), "hybrid:period", "dcat:startDate"),
    Case("Period-startDate", "MaxCount", add("hybrid:period", "dcat:startDate", '"2024-01-01"^^xsd:date'), "hybrid:period", "dcat:startDate"),
    Case("Period-startDate", "Datatype", replace("hybrid:period", "dcat:startDate", '"2023"^^xsd:gYear'), "hybrid:period", "dcat:startDate"),
    Case("Period-endDate", "MaxCount", add("central:period", "dcat:endDate", '"2022-12-30"^^xsd:date'), "central:period", "dcat:endDate"),
    Case("Period-endDate", "Datatype", add("hybrid:period", "dcat:endDate", '"2024-12-31T00:00:00"^^xsd:dateTime'), "hybrid:period", "dcat:endDate"),
    Case("Period-startBeforeEnd", "LessThanOrEquals", replace("central:period", "dcat:endDate", '"2019-12-31"^^xsd:date'), "central:period", "dcat:startDate"),
    # --- business model -------------------------------------------------------------------------
    Case("BusinessModelShape", "NodeKind", BLANK_BM, BLANK, None),
    Case("BusinessModel-identifier", "MinCount", drop(BM, "dct:identifier"), BM, "dct:identifier"),
    Case("BusinessModel-identifier", "MaxCount", add(BM, "dct:identifier", '"central"'), BM, "dct:identifier"),
    Case("BusinessModel-identifier", "Datatype", replace(BM, "dct:identifier", '"example-central"@en'), BM, "dct:identifier"),
    Case("BusinessModel-identifier", "Pattern", replace(BM, "dct:identifier", '"Example Central"'), BM, "dct:identifier"),
    Case("BusinessModel-fundingSource", "MinCount", f"DELETE WHERE {{ {BMH} ckg:fundingSource ?f . ?f ?p ?o }}", BMH, "ckg:fundingSource"),
    Case("BusinessModel-fundingSource", "Class", add(BM, "ckg:fundingSource", "hybrid:service-1"), BM, "ckg:fundingSource"),
    Case("BusinessModel-serviceDeliveryModel", "MinCount", drop(BM, "ckg:serviceDeliveryModel"), BM, "ckg:serviceDeliveryModel"),
    Case("BusinessModel-serviceDeliveryModel", "MaxCount", add(BM, "ckg:serviceDeliveryModel", "ckg:hybridDelivery"), BM, "ckg:serviceDeliveryModel"),
    Case("serviceDeliveryModel-inScheme", "SPARQL", replace(BM, "ckg:serviceDeliveryModel", "ckg:federatedDelivery"), BM, "ckg:serviceDeliveryModel", says=("`ckg:federatedDelivery` is not a service delivery model", "use one of ckg:centralDelivery, ckg:distributedDelivery, ckg:hybridDelivery.")),
    Case("BusinessModel-offersService", "Class", add(BM, "ckg:offersService", "central:funding-1"), BM, "ckg:offersService"),
    Case("targetUser", "Datatype", add(BM, "ckg:targetUser", '"Researchers"@en'), BM, "ckg:targetUser"),
    Case("BusinessModel-costRecovery", "MaxCount", add(BM, "ckg:costRecovery", '"At cost."'), BM, "ckg:costRecovery"),
    Case("BusinessModel-costRecovery", "Datatype", replace(BM, "ckg:costRecovery", '"Free."@en'), BM, "ckg:costRecovery"),
    Case("BusinessModel-canvasEntry", "Class", add(BMH, "ckg:canvasEntry", "hybrid:service-1"), BMH, "ckg:canvasEntry"),
    Case("ExampleBusinessModelIsLabelled", "Or", replace(BM, "schema:name", '"Central support"'), BM, None),
    # --- parts of a business model -----------------------------------------------------------------
    Case("FundingSourceShape", "NodeKind", f"INSERT DATA {{ {BMH} ckg:fundingSource _:f . _:f a ckg:FundingSource ; ckg:fundingSourceType ckg:sponsorship }}", BLANK, None),
    Case("FundingSource-businessModel", "MinCount", f"DELETE DATA {{ {BMH} ckg:fundingSource hybrid:funding-2 }}", "hybrid:funding-2", "^ckg:fundingSource"),
    Case("FundingSource-businessModel", "MaxCount", add(BM, "ckg:fundingSource", "hybrid:funding-1"), "hybrid:funding-1", "^ckg:fundingSource"),
    Case("FundingSource-type", "MinCount", drop("central:funding-1", "ckg:fundingSourceType"), "central:funding-1", "ckg:fundingSourceType"),
    Case("FundingSource-type", "MaxCount", add("central:funding-1", "ckg:fundingSourceType", "ckg:sponsorship"), "central:funding-1", "ckg:fundingSourceType"),
    Case("fundingSourceType-inScheme", "SPARQL", replace("central:funding-1", "ckg:fundingSourceType", "ckg:crowdfunding"), "central:funding-1", "ckg:fundingSourceType", says=("`ckg:crowdfunding` is not a funding source type", "use one of ckg:contractWork, ckg:costSaving, ckg:dataAccessCharges, ckg:depositFees, ckg:hostInstitutionFunding, ckg:infrastructureFunding, ckg:researchGrants, ckg:sponsorship.")),
    Case("fundingSourceType-inScheme", "SPARQL", replace("central:funding-1", "ckg:fundingSourceType", '"research_grants"'), "central:funding-1", "ckg:fundingSourceType", variant="notation", says=('the literal `"research_grants"` is not a funding source type',)),
    Case("FundingSource-share", "MaxCount", add("central:funding-1", "ckg:fundingShare", "0.1"), "central:funding-1", "ckg:fundingShare"),
    Case("FundingSource-share", "Datatype", replace("central:funding-1", "ckg:fundingShare", '"6E-1"^^xsd:double'), "central:funding-1", "ckg:fundingShare"),
    Case("FundingSource-share", "MinInclusive", replace("central:funding-1", "ckg:fundingShare", '"-0.1"^^xsd:decimal'), "central:funding-1", "ckg:fundingShare"),
    Case("FundingSource-share", "MaxInclusive", replace("central:funding-1", "ckg:fundingShare", "60.0"), "central:funding-1", "ckg:fundingShare", variant="percent-not-fraction"),
    Case("SupportServiceShape", "NodeKind", f'INSERT DATA {{ {BM} ckg:offersService _:s . _:s a ckg:SupportService ; schema:name "Anonymous" }}', BLANK, None),
    Case("CanvasEntryShape", "NodeKind", f'INSERT DATA {{ {BMH} ckg:canvasEntry _:c . _:c a ckg:CanvasEntry ; ckg:canvasBlock ckg:channels ; schema:description "Web." }}', BLANK, None),
    Case("CanvasEntry-block", "MinCount", drop("hybrid:canvas-key_partners", "ckg:canvasBlock"), "hybrid:canvas-key_partners", "ckg:canvasBlock"),
    Case("CanvasEntry-block", "MaxCount", add("hybrid:canvas-key_partners", "ckg:canvasBlock", "ckg:channels"), "hybrid:canvas-key_partners", "ckg:canvasBlock"),
    Case("canvasBlock-inScheme", "SPARQL", replace("hybrid:canvas-key_partners", "ckg:canvasBlock", "ckg:keyRisks"), "hybrid:canvas-key_partners", "ckg:canvasBlock", says=("`ckg:keyRisks` is not a Business Model Canvas block", "use one of ckg:channels, ckg:costStructure, ckg:customerRelationships, ckg:customerSegments, ckg:keyActivities, ckg:keyPartners, ckg:keyResources, ckg:revenueStreams, ckg:valuePropositions.")),
    Case("CanvasEntry-text", "MinCount", drop("hybrid:canvas-key_partners", "schema:description"), "hybrid:canvas-key_partners", "schema:description"),
    Case("CanvasEntry-text", "MaxCount", add("hybrid:canvas-key_partners", "schema:description", '"More."'), "hybrid:canvas-key_partners", "schema:description"),
    Case("CanvasEntry-text", "Datatype", replace("hybrid:canvas-key_partners", "schema:description", '"Partners."@en'), "hybrid:canvas-key_partners", "schema:description"),
    # --- impact indicator -------------------------------------------------------------------------
    Case("ImpactIndicatorShape", "NodeKind", BLANK_IND, BLANK, None),
    Case("ImpactIndicator-identifier", "MinCount", drop(IND, "dct:identifier"), IND, "dct:identifier"),
    Case("ImpactIndicator-identifier", "MaxCount", add(IND, "dct:identifier", '"trainees"'), IND, "dct:identifier"),
    Case("ImpactIndicator-identifier", "Datatype", replace(IND, "dct:identifier", '"example-people-trained"@en'), IND, "dct:identifier"),
    Case("ImpactIndicator-identifier", "Pattern", replace(IND, "dct:identifier", '"People trained"'), IND, "dct:identifier"),
    Case("ImpactIndicator-category", "MinCount", drop(IND, "ckg:impactCategory"), IND, "ckg:impactCategory"),
    Case("ImpactIndicator-category", "MaxCount", add(IND, "ckg:impactCategory", "ckg:publicAwareness"), IND, "ckg:impactCategory"),
    Case("impactCategory-inScheme", "SPARQL", replace(IND, "ckg:impactCategory", "ckg:humanCapital"), IND, "ckg:impactCategory", says=("`ckg:humanCapital` is not an ELIXIR impact category", "use one of ckg:equalOpportunity, ckg:infrastructureSustainability, ckg:policyInfluence, ckg:publicAwareness, ckg:researchEfficiency, ckg:resourceUptake, ckg:scientificLegacy, ckg:skillsDevelopment, ckg:workingTogether.")),
    Case("ImpactIndicator-stage", "MinCount", drop(IND, "ckg:logicModelStage"), IND, "ckg:logicModelStage"),
    Case("ImpactIndicator-stage", "MaxCount", add(IND, "ckg:logicModelStage", "ckg:impactStage"), IND, "ckg:logicModelStage"),
    Case("logicModelStage-inScheme", "SPARQL", replace(IND, "ckg:logicModelStage", "ckg:inputStage"), IND, "ckg:logicModelStage", says=("`ckg:inputStage` is not a logic-model stage", "use one of ckg:outputStage, ckg:outcomeStage, ckg:impactStage.")),
    Case("ImpactIndicator-unit", "MinCount", drop(IND, "ckg:unit"), IND, "ckg:unit"),
    Case("ImpactIndicator-unit", "MaxCount", add(IND, "ckg:unit", '"people"'), IND, "ckg:unit"),
    Case("ImpactIndicator-unit", "Datatype", replace(IND, "ckg:unit", '"count"@en'), IND, "ckg:unit"),
    Case("ImpactIndicator-method", "MinCount", drop(IND, "ckg:method"), IND, "ckg:method"),
    Case("ImpactIndicator-method", "MaxCount", add(IND, "ckg:method", '"Survey."'), IND, "ckg:method"),
    Case("ImpactIndicator-method", "Datatype", replace(IND, "ckg:method", '"Counting."@en'), IND, "ckg:method"),
    Case("ExampleIndicatorIsLabelled", "Or", replace(IND, "schema:name", '"People trained"'), IND, None),
    # --- impact observation ------------------------------------------------------------------------
    Case("ImpactObservationShape", "NodeKind", BLANK_OBS, BLANK, None),
    Case("ImpactObservation-indicator", "MinCount", drop(OBS, "ckg:indicator"), OBS, "ckg:indicator"),
    Case("ImpactObservation-indicator", "MaxCount", add(OBS, "ckg:indicator", "ind:example-service-users"), OBS, "ckg:indicator"),
    Case("ImpactObservation-indicator", "Class", replace(OBS, "ckg:indicator", BM), OBS, "ckg:indicator"),
    Case("ImpactObservation-periodEnd", "MinCount", drop(OBS_PERIOD, "dcat:endDate"), OBS, "ckg:period dcat:endDate"),
    Case("ImpactObservation-value", "MinCount", drop(OBS, "ckg:value"), OBS, "ckg:value"),
    Case("ImpactObservation-value", "MaxCount", add(OBS, "ckg:value", "101.0"), OBS, "ckg:value"),
    Case("ImpactObservation-value", "Datatype", replace(OBS, "ckg:value", "100"), OBS, "ckg:value", variant="integer-not-decimal"),
    Case("RealObservationOfRealIndicator", "Or", replace(OBS, "ckg:isExample", "false"), OBS, None),
    # --- indicator (abstract) -----------------------------------------------------------------------
    Case("IndicatorShape", "Or", "INSERT DATA { <https://example.org/indicator> a ckg:Indicator }", "<https://example.org/indicator>", None, says=("ckg:Indicator is abstract",)),
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
