"""SHACL shapes (shapes/*.ttl) and kg.validation.

The valid fixtures in tests/data/shapes/ conform with zero findings. Every constraint of
the shapes is then broken alone by one row of CASES (a SPARQL Update applied to a copy of
the fixtures), which must give exactly one finding with the expected severity,
constraint component, source shape, focus node and path, the ontology mixed into the data as
in every profile; a row's ``says`` is what the message must contain (the bad value and, for a
concept scheme, the allowed concepts; for a missing field, the field). A test compares the constraints
found in shapes/ with the rows of CASES, so a new constraint without a row fails. The
machinery (Case, add/drop/replace, check_case, …) is in tests/support/shapecases.py, shared with the
loaders' tests, which cover the other shapes files the same way (COVERAGE).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, SH, Graph, Literal, URIRef

from kg.settings import Settings
from kg.validation.shapes import (
    Finding,
    ShapesError,
    ValidationResult,
    Validator,
    load_rdf_dir,
    load_shapes,
    to_rdflib,
    validate,
)
from tests.support.paths import FIXTURES as TEST_DATA
from tests.support.shapecases import (
    BLANK,
    CKGSH,
    SHAPES_DIR,
    Case,
    add,
    broken,
    check_case,
    constraints_without_message_or_severity,
    drop,
    expand,
    ontology,
    replace,
    shapes_file,
    sparql_without_sparql_target,
    uncovered,
)

FIXTURES = TEST_DATA / "shapes"

NS = {
    "ckg": "https://w3id.org/elixir-converge/ontology#",
    "dct": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "res": "https://w3id.org/elixir-converge/resource/",
    "page": "https://w3id.org/elixir-converge/page/",
    "person": "https://w3id.org/elixir-converge/person/",
    "nrfr": "https://w3id.org/elixir-converge/national-resource/fr/",
    "planning": "https://w3id.org/elixir-converge/page/planning#",
    "dsw": "urn:uuid:",
    "g": "https://w3id.org/elixir-converge/graph/",
    "prov": "http://www.w3.org/ns/prov#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "biotools": "https://bio.tools/ontology/",
    "issue": "https://w3id.org/elixir-converge/graph/rdmkit#",
}

DSW = "dsw:8e886b55-3287-48e7-b353-daf6ab40f7d8"
OTHER_UUID = "2e8d6e55-36ea-46eb-a921-65e550bce5dc"

W = "Warning"
G = "g:rdmkit"
FS242 = "<https://doi.org/10.25504/FAIRsharing.242>"
BT_GALAXY = "<https://bio.tools/galaxy>"
ISSUE = "issue:issue-1"
STAGES = "use one of ckg:plan, ckg:collect, ckg:process, ckg:analyse, ckg:preserve, ckg:share, ckg:reuse."
PAGE_KINDS = "ckg:domainPage, ckg:informationPage, ckg:lifeCycleStagePage, ckg:nationalPage, ckg:rolePage, ckg:taskPage, ckg:toolAssemblyPage."


def stray(cls: str, scheme: str) -> str:
    """A new concept of class ``cls`` put in the wrong scheme (the concepts of the ontology
    are not in the baseline: the rows add concepts, they cannot change the ontology's)."""
    return (
        f'INSERT DATA {{ ckg:strayConcept a ckg:{cls} ; skos:prefLabel "Stray"@en ;'
        f" skos:inScheme ckg:{scheme} ; ckg:order 9 }}"
    )


ARCHIVING = "ckg:archiving"


def new_stage(
    label: str = '"Archiving"@en',
    notation: str = '"archiving"',
    scheme: str = "ckg:LifeCycleStageScheme",
    order: str = "8",
) -> str:
    """Add an eighth life-cycle stage, valid but for what the arguments change ("": left out)."""
    parts = [
        f"skos:prefLabel {label}" if label else "",
        f"skos:notation {notation}" if notation else "",
        f"skos:inScheme {scheme}" if scheme else "",
        f"ckg:order {order}" if order else "",
    ]
    return f"INSERT DATA {{ {ARCHIVING} a ckg:LifeCycleStage ; {' ; '.join(filter(None, parts))} }}"


#: Each concept class of the ontology and its scheme (ontology/schemes.ttl).
CONCEPT_CLASSES = {
    "ResourceType": "ResourceTypeScheme",
    "Registry": "RegistryScheme",
    "PageKind": "PageKindScheme",
    "LifeCycleStage": "LifeCycleStageScheme",
    "StandardType": "StandardTypeScheme",
    "MembershipStatus": "MembershipStatusScheme",
    "InstituteRole": "InstituteRoleScheme",
    "FundingSourceType": "FundingSourceTypeScheme",
    "ServiceDeliveryModel": "ServiceDeliveryModelScheme",
    "CanvasBlock": "CanvasBlockScheme",
    "ImpactCategory": "ImpactCategoryScheme",
    "LogicModelStage": "LogicModelStageScheme",
}

CASES = [
    # --- shared property shapes ---------------------------------------------------------
    Case("name-exactlyOne", "MinCount", drop("res:galaxy", "schema:name"), "res:galaxy", "schema:name"),
    Case("name-exactlyOne", "MaxCount", add("res:galaxy", "schema:name", '"Galaxy Project"'), "res:galaxy", "schema:name"),
    Case("name-exactlyOne", "Datatype", replace("res:galaxy", "schema:name", '"Galaxy"@en'), "res:galaxy", "schema:name"),
    Case("name-atLeastOne", "MinCount", drop(DSW, "schema:name"), DSW, "schema:name"),
    Case("name-atLeastOne", "Datatype", add(DSW, "schema:name", "42"), DSW, "schema:name"),
    Case("description", "MaxCount", add("res:galaxy", "schema:description", '"Another."'), "res:galaxy", "schema:description"),
    Case("description", "Datatype", replace("res:galaxy", "schema:description", '"Galaxy"@en'), "res:galaxy", "schema:description"),
    Case("url", "MaxCount", add("res:galaxy", "schema:url", "<https://usegalaxy.eu/>"), "res:galaxy", "schema:url"),
    Case("url", "NodeKind", replace("res:galaxy", "schema:url", '"https://galaxyproject.org/"'), "res:galaxy", "schema:url"),
    Case("url-scheme", "SPARQL", replace("res:dublin-core", "schema:url", "<hhttps://www.dublincore.org/>"), "res:dublin-core", "schema:url", W, says=("`hhttps://www.dublincore.org/` is not a web address",)),
    Case("url-scheme", "SPARQL", replace("planning:training-1", "schema:url", "<ttps://tess.elixir-europe.org/materials/dmp>"), "planning:training-1", "schema:url", W, "training", ("`ttps://tess.elixir-europe.org/materials/dmp`",)),
    Case("description-required", "MinCount", drop("res:dublin-core", "schema:description"), "res:dublin-core", "schema:description", W, says=("schema:description is missing",)),
    Case("description-required", "MinCount", drop("nrfr:not-registered", "schema:description"), "nrfr:not-registered", "schema:description", W, "national", ("schema:description is missing",)),
    Case("url-required", "MinCount", drop("res:dmproadmap", "schema:url"), "res:dmproadmap", "schema:url", W, says=("schema:url is missing",)),
    Case("url-required", "MinCount", drop("nrfr:not-registered", "schema:url"), "nrfr:not-registered", "schema:url", W, "national", ("schema:url is missing",)),
    Case("relatedPage", "Class", add("page:dmp", "ckg:relatedPage", "page:data_transfer"), "page:dmp", "ckg:relatedPage"),
    Case("country", "MaxCount", add("page:be_resources", "ckg:country", '"NL"'), "page:be_resources", "ckg:country"),
    Case("country", "Datatype", replace("page:be_resources", "ckg:country", '"BE"@en'), "page:be_resources", "ckg:country"),
    Case("country", "Pattern", replace("page:be_resources", "ckg:country", '"be"'), "page:be_resources", "ckg:country"),
    # registry links (shared by toolkit and national resources)
    Case("biotoolsId", "MaxCount", add("res:galaxy", "ckg:biotoolsId", '"galaxy_eu"'), "res:galaxy", "ckg:biotoolsId"),
    Case("biotoolsId", "Datatype", replace("res:galaxy", "ckg:biotoolsId", '"galaxy"@en'), "res:galaxy", "ckg:biotoolsId"),
    Case("biotoolsId", "Pattern", drop("res:galaxy", "ckg:biotoolsRecord") + " ;\n" + replace("res:galaxy", "ckg:biotoolsId", '"galaxy project"'), "res:galaxy", "ckg:biotoolsId"),
    Case("biotoolsRecord", "MaxCount", add("res:galaxy", "ckg:biotoolsRecord", "<https://bio.tools/galaxy_eu>"), "res:galaxy", "ckg:biotoolsRecord"),
    Case("biotoolsRecord", "NodeKind", replace("res:galaxy", "ckg:biotoolsRecord", '"https://bio.tools/galaxy"'), "res:galaxy", "ckg:biotoolsRecord"),
    Case("biotoolsRecord", "Pattern", drop("res:galaxy", "ckg:biotoolsId") + " ;\n" + replace("res:galaxy", "ckg:biotoolsRecord", "<http://bio.tools/galaxy>"), "res:galaxy", "ckg:biotoolsRecord"),
    Case("fairsharingId", "MaxCount", add("res:galaxy", "ckg:fairsharingId", '"xyz789"'), "res:galaxy", "ckg:fairsharingId"),
    Case("fairsharingId", "Datatype", replace("res:galaxy", "ckg:fairsharingId", '"dgvF7N"@en'), "res:galaxy", "ckg:fairsharingId"),
    Case("fairsharingId-form", "SPARQL", replace("res:galaxy", "ckg:fairsharingId", '"https://doi.org/10.25504/FAIRsharing.dgvF7N"'), "res:galaxy", "ckg:fairsharingId", W, says=("`https://doi.org/10.25504/FAIRsharing.dgvF7N` is not a FAIRsharing record id", "(here `dgvF7N`)")),
    Case("fairsharingId-form", "SPARQL", replace("res:galaxy", "ckg:fairsharingId", r'"dgv\\1"'), "res:galaxy", "ckg:fairsharingId", W, "backslash", ("`dgv%5C1`",)),
    Case("fairsharingRecord", "MaxCount", add("res:galaxy", "ckg:fairsharingRecord", "<https://doi.org/10.25504/FAIRsharing.xyz789>"), "res:galaxy", "ckg:fairsharingRecord"),
    Case("fairsharingRecord", "NodeKind", replace("res:galaxy", "ckg:fairsharingRecord", '"https://doi.org/10.25504/FAIRsharing.dgvF7N"'), "res:galaxy", "ckg:fairsharingRecord"),
    Case("fairsharingRecord", "Pattern", replace("res:galaxy", "ckg:fairsharingRecord", "<https://fairsharing.org/FAIRsharing.dgvF7N>"), "res:galaxy", "ckg:fairsharingRecord"),
    Case("tessQuery", "MaxCount", add("res:galaxy", "ckg:tessQuery", '"Galaxy training"'), "res:galaxy", "ckg:tessQuery"),
    Case("tessQuery", "Datatype", replace("res:galaxy", "ckg:tessQuery", '"Galaxy"@en'), "res:galaxy", "ckg:tessQuery"),
    Case("notRegisteredIn-inScheme", "SPARQL", add("res:not-registered", "ckg:notRegisteredIn", "ckg:zenodoRegistry"), "res:not-registered", "ckg:notRegisteredIn", says=("`ckg:zenodoRegistry` is not a registry", "use one of ckg:biotoolsRegistry, ckg:fairsharingRegistry, ckg:tessRegistry.")),
    Case("biotoolsId-notContradicted", "Not", add("res:galaxy", "ckg:notRegisteredIn", "ckg:biotoolsRegistry"), "res:galaxy", "ckg:notRegisteredIn"),
    Case("biotoolsId-notContradicted", "Not", add("nrfr:cat-opidor", "ckg:notRegisteredIn", "ckg:biotoolsRegistry"), "nrfr:cat-opidor", "ckg:notRegisteredIn", variant="national"),
    Case("fairsharingId-notContradicted", "Not", add("res:galaxy", "ckg:notRegisteredIn", "ckg:fairsharingRegistry"), "res:galaxy", "ckg:notRegisteredIn"),
    Case("tessQuery-notContradicted", "Not", add("res:galaxy", "ckg:notRegisteredIn", "ckg:tessRegistry"), "res:galaxy", "ckg:notRegisteredIn"),
    # --- toolkit resource -----------------------------------------------------------------
    Case("ToolkitResourceShape", "NodeKind", 'INSERT DATA { _:r a ckg:ToolkitResource ; dct:identifier "anonymous" ; schema:name "Anonymous" ; schema:description "A." ; schema:url <https://example.org/a> }', BLANK, None),
    Case("ToolkitResource-identifier", "MinCount", drop("res:dmproadmap", "dct:identifier"), "res:dmproadmap", "dct:identifier"),
    Case("ToolkitResource-identifier", "MaxCount", add("res:dmproadmap", "dct:identifier", '"dmp-roadmap"'), "res:dmproadmap", "dct:identifier"),
    Case("ToolkitResource-identifier", "Datatype", replace("res:dmproadmap", "dct:identifier", '"dmproadmap"^^xsd:token'), "res:dmproadmap", "dct:identifier"),
    Case("ToolkitResource-identifier-form", "SPARQL", replace("res:dmproadmap", "dct:identifier", '"DMP Roadmap"'), "res:dmproadmap", "dct:identifier", W, says=("`DMP Roadmap` is not an RDMkit tool id",)),
    Case("ToolkitResource-identifier-form", "SPARQL", replace("res:dmproadmap", "dct:identifier", '"dmp_roadmap"'), "res:dmproadmap", "dct:identifier", W, "underscore", ("`dmp_roadmap`",)),
    Case("resourceType-inScheme", "SPARQL", add("res:dmproadmap", "ckg:resourceType", "ckg:softwareResourceType"), "res:dmproadmap", "ckg:resourceType", says=("`ckg:softwareResourceType` is not a toolkit resource type", "use one of ckg:databaseResourceType, ckg:guidelineResourceType, ckg:serviceResourceType, ckg:standardResourceType, ckg:toolResourceType.")),
    # --- page -----------------------------------------------------------------------------
    Case("PageShape", "NodeKind", 'INSERT DATA { _:p a ckg:Page ; dct:identifier "anonymous" ; ckg:pageKind ckg:informationPage ; schema:name "Anonymous" ; schema:url <https://rdmkit.elixir-europe.org/anonymous> }', BLANK, None),
    Case("Page-identifier", "MinCount", drop("page:about", "dct:identifier"), "page:about", "dct:identifier"),
    Case("Page-identifier", "MaxCount", add("page:about", "dct:identifier", '"about_rdmkit"'), "page:about", "dct:identifier"),
    Case("Page-identifier", "Datatype", replace("page:about", "dct:identifier", '"about"@en'), "page:about", "dct:identifier"),
    Case("Page-identifier-form", "SPARQL", replace("page:about", "dct:identifier", '"About-RDMkit"'), "page:about", "dct:identifier", W, says=("`About-RDMkit` is not an RDMkit page key",)),
    Case("Page-pageKind", "MinCount", drop("page:about", "ckg:pageKind"), "page:about", "ckg:pageKind"),
    Case("Page-pageKind", "MaxCount", add("page:dmp", "ckg:pageKind", "ckg:domainPage"), "page:dmp", "ckg:pageKind"),
    Case("pageKind-inScheme", "SPARQL", replace("page:about", "ckg:pageKind", "ckg:newsPage"), "page:about", "ckg:pageKind", says=("`ckg:newsPage` is not a page kind", "use one of " + PAGE_KINDS)),
    Case("Page-description-required", "Or", drop("page:dmp", "schema:description"), "page:dmp", None, W, says=("schema:description is missing",)),
    Case("Page-url", "MinCount", drop("page:about", "schema:url"), "page:about", "schema:url"),
    Case("Page-url", "Pattern", replace("page:about", "schema:url", "<https://example.org/about>"), "page:about", "schema:url"),
    Case("Page-lifeCycleStage", "MaxCount", add("page:planning", "ckg:lifeCycleStage", "ckg:collect"), "page:planning", "ckg:lifeCycleStage"),
    Case("lifeCycleStage-inScheme", "SPARQL", replace("page:planning", "ckg:lifeCycleStage", "ckg:archiving"), "page:planning", "ckg:lifeCycleStage", says=("`ckg:archiving` is not a life-cycle stage", STAGES)),
    Case("lifeCycleStage-inScheme", "SPARQL", add("res:dmproadmap", "ckg:lifeCycleStage", "ckg:archiving"), "res:dmproadmap", "ckg:lifeCycleStage", variant="resource", says=("`ckg:archiving` is not a life-cycle stage", STAGES)),
    Case("lifeCycleStage-inScheme", "SPARQL", add("res:dmproadmap", "ckg:lifeCycleStage", '"plan"'), "res:dmproadmap", "ckg:lifeCycleStage", variant="literal", says=('the literal `"plan"` is not a life-cycle stage', STAGES)),
    Case("lifeCycleStage-inScheme", "SPARQL", add("res:dmproadmap", "ckg:lifeCycleStage", "<https://example.org/stage/plan>"), "res:dmproadmap", "ckg:lifeCycleStage", variant="foreign", says=("`<https://example.org/stage/plan>` is not a life-cycle stage", STAGES)),
    Case("Page-mentions", "Class", add("page:planning", "ckg:mentions", "res:unknown-tool"), "page:planning", "ckg:mentions"),
    Case("Page-refersToResource", "Class", add("page:fr_resources", "ckg:refersToResource", "res:covid-19-disease-map"), "page:fr_resources", "ckg:refersToResource"),
    Case("Page-training", "Class", add("page:planning", "ckg:training", "res:galaxy"), "page:planning", "ckg:training"),
    Case("Page-dswQuestion", "Class", add("page:planning", "ckg:dswQuestion", "dsw:00000000-0000-0000-0000-000000000000"), "page:planning", "ckg:dswQuestion"),
    Case("Page-fairCookbookRecipe", "Class", add("page:planning", "ckg:fairCookbookRecipe", "<https://w3id.org/faircookbook/FCB999>"), "page:planning", "ckg:fairCookbookRecipe"),
    Case("Page-fairsharingCollection", "Class", add("page:planning", "ckg:fairsharingCollection", "<https://fairsharing.org/9999>"), "page:planning", "ckg:fairsharingCollection"),
    Case("Page-contributor", "Class", add("page:planning", "schema:contributor", "res:galaxy"), "page:planning", "schema:contributor"),
    Case("Page-editor", "Class", add("page:planning", "schema:editor", "person:nobody"), "page:planning", "schema:editor"),
    Case("Page-coordinator", "Class", add("page:planning", "ckg:coordinator", '"Alan Turing"'), "page:planning", "ckg:coordinator"),
    Case("Page-nationalResource", "Class", add("page:fr_resources", "ckg:nationalResource", "res:galaxy"), "page:fr_resources", "ckg:nationalResource"),
    Case("LifeCycleStagePageHasStage", "Or", drop("page:planning", "ckg:lifeCycleStage"), "page:planning", None),
    Case("StageOnlyOnStagePages", "Or", add("page:dmp", "ckg:lifeCycleStage", "ckg:plan"), "page:dmp", None),
    Case("NationalPageHasCountry", "Or", drop("page:be_resources", "ckg:country"), "page:be_resources", None),
    Case("CountryOnlyOnNationalPages", "Or", add("page:about", "ckg:country", '"BE"'), "page:about", None),
    # --- national resource ----------------------------------------------------------------
    Case("NationalResourceShape", "NodeKind", 'INSERT DATA { _:n a ckg:NationalResource ; schema:name "Anonymous" ; schema:description "A." ; schema:url <https://example.org/a> ; ckg:country "FR" ; ckg:listedOn page:fr_resources }', BLANK, None),
    Case("NationalResource-howToAccess", "MaxCount", add("nrfr:cat-opidor", "ckg:howToAccess", '"Ask."'), "nrfr:cat-opidor", "ckg:howToAccess"),
    Case("NationalResource-howToAccess", "Datatype", replace("nrfr:cat-opidor", "ckg:howToAccess", '"Open."@en'), "nrfr:cat-opidor", "ckg:howToAccess"),
    Case("NationalResource-instanceOf", "MaxCount", add("nrfr:cat-opidor", "ckg:instanceOf", "res:galaxy"), "nrfr:cat-opidor", "ckg:instanceOf"),
    Case("NationalResource-instanceOf", "Class", replace("nrfr:cat-opidor", "ckg:instanceOf", "res:udata"), "nrfr:cat-opidor", "ckg:instanceOf"),
    Case("NationalResource-country", "MinCount", drop("nrfr:not-registered", "ckg:country"), "nrfr:not-registered", "ckg:country"),
    Case("NationalResource-listedOn", "MinCount", drop("nrfr:not-registered", "ckg:listedOn"), "nrfr:not-registered", "ckg:listedOn"),
    Case("NationalResource-listedOn", "MaxCount", add("nrfr:not-registered", "ckg:listedOn", "page:planning"), "nrfr:not-registered", "ckg:listedOn"),
    Case("NationalResource-listedOn", "Class", replace("nrfr:not-registered", "ckg:listedOn", "res:galaxy"), "nrfr:not-registered", "ckg:listedOn"),
    # --- things nested in pages -----------------------------------------------------------
    Case("TrainingMaterialShape", "NodeKind", 'INSERT DATA { _:t a ckg:TrainingMaterial ; schema:name "Anonymous" ; schema:url <https://example.org/a> }', BLANK, None),
    Case("TrainingMaterial-url", "MinCount", drop("planning:training-1", "schema:url"), "planning:training-1", "schema:url", W, says=("schema:url is missing",)),
    Case("TrainingMaterial-trainingRegistry", "MaxCount", add("planning:training-1", "ckg:trainingRegistry", '"Zenodo"'), "planning:training-1", "ckg:trainingRegistry"),
    Case("TrainingMaterial-trainingRegistry", "Datatype", replace("planning:training-1", "ckg:trainingRegistry", '"TeSS"@en'), "planning:training-1", "ckg:trainingRegistry"),
    Case("DSWQuestion-identifier", "MinCount", drop(DSW, "dct:identifier"), DSW, "dct:identifier"),
    Case("DSWQuestion-identifier", "MaxCount", add(DSW, "dct:identifier", f'"{OTHER_UUID}"'), DSW, "dct:identifier"),
    Case("DSWQuestion-identifier", "Datatype", replace(DSW, "dct:identifier", '"8e886b55-3287-48e7-b353-daf6ab40f7d8"@en'), DSW, "dct:identifier"),
    Case("DSWQuestion-identifier", "Pattern", replace(DSW, "dct:identifier", '"8E886B55-3287-48E7-B353-DAF6AB40F7D8"'), DSW, "dct:identifier"),
    Case("DSWQuestionShape", "Pattern", f'INSERT DATA {{ _:q a ckg:DSWQuestion ; schema:name "Anonymous" ; dct:identifier "{OTHER_UUID}" }}', BLANK, None, variant="blank"),
    Case("DSWQuestionShape", "Pattern", f'INSERT DATA {{ <https://ds-wizard.org/q/{OTHER_UUID}> a ckg:DSWQuestion ; schema:name "Elsewhere" ; dct:identifier "{OTHER_UUID}" }}', f"<https://ds-wizard.org/q/{OTHER_UUID}>", None, variant="iri"),
    Case("FAIRCookbookRecipeShape", "NodeKind", 'INSERT DATA { _:f a ckg:FAIRCookbookRecipe ; schema:name "Anonymous" }', BLANK, None),
    Case("FAIRsharingCollectionShape", "NodeKind", 'INSERT DATA { _:f a ckg:FAIRsharingCollection ; schema:name "Anonymous" }', BLANK, None),
    Case("WebRecordIri", "SPARQL", 'INSERT DATA { <ftp://example.org/recipe> a ckg:FAIRCookbookRecipe ; schema:name "FTP recipe" }', "<ftp://example.org/recipe>", None, W, "recipe", ("`ftp://example.org/recipe` is not a web address",)),
    Case("WebRecordIri", "SPARQL", 'INSERT DATA { <urn:fairsharing:7482> a ckg:FAIRsharingCollection ; schema:name "URN collection" }', "<urn:fairsharing:7482>", None, W, "collection", ("`urn:fairsharing:7482` is not a web address",)),
    Case("PersonShape", "NodeKind", 'INSERT DATA { _:x a schema:Person ; schema:name "Anonymous" }', BLANK, None),
    # --- registry records -----------------------------------------------------------------
    Case("FAIRsharingRecordShape", "Pattern", 'INSERT DATA { <https://fairsharing.org/FAIRsharing.xyz789> a ckg:FAIRsharingRecord ; dct:identifier "10.25504/FAIRsharing.xyz789" }', "<https://fairsharing.org/FAIRsharing.xyz789>", None, variant="iri"),
    Case("FAIRsharingRecordShape", "Pattern", 'INSERT DATA { _:r a ckg:FAIRsharingRecord ; dct:identifier "10.25504/FAIRsharing.xyz789" }', BLANK, None, variant="blank"),
    Case("FAIRsharingRecord-identifier", "MinCount", drop(FS242, "dct:identifier"), FS242, "dct:identifier"),
    Case("FAIRsharingRecord-identifier", "MaxCount", add(FS242, "dct:identifier", '"10.25504/FAIRsharing.243"'), FS242, "dct:identifier"),
    Case("FAIRsharingRecord-identifier", "Datatype", replace(FS242, "dct:identifier", '"10.25504/FAIRsharing.242"@en'), FS242, "dct:identifier"),
    Case("FAIRsharingRecord-identifier", "Pattern", replace(FS242, "dct:identifier", '"FAIRsharing.242"'), FS242, "dct:identifier"),
    Case("FAIRsharingRecord-standardType", "MaxCount", add(FS242, "ckg:standardType", "ckg:reportingGuideline"), FS242, "ckg:standardType"),
    Case("standardType-inScheme", "SPARQL", replace(FS242, "ckg:standardType", "ckg:fileFormat"), FS242, "ckg:standardType", says=("`ckg:fileFormat` is not a standard type", "use one of ckg:identifierSchema, ckg:modelFormat, ckg:reportingGuideline, ckg:terminologyArtefact.")),
    Case("SoftwareRecordShape", "Pattern", 'INSERT DATA { <http://bio.tools/galaxy> a ckg:SoftwareRecord ; dct:title "Galaxy" ; dct:description "Galaxy." }', "<http://bio.tools/galaxy>", None),
    Case("SoftwareRecord-title", "MinCount", drop(BT_GALAXY, "dct:title"), BT_GALAXY, "dct:title"),
    Case("SoftwareRecord-description", "MinCount", drop(BT_GALAXY, "dct:description"), BT_GALAXY, "dct:description"),
    # --- provenance (shapes/provenance.shapes.ttl) ----------------------------------------
    Case("SourceGraphShape", "NodeKind", 'INSERT DATA { _:d a void:Dataset , prov:Entity ; prov:wasDerivedFrom <https://example.org/source> ; ckg:sourceVersion "1" ; prov:generatedAtTime "2026-01-01T00:00:00Z"^^xsd:dateTime ; void:triples 1 ; ckg:validationConforms true }', BLANK, None),
    Case("SourceGraphShape", "Class", f"DELETE DATA {{ {G} a prov:Entity }}", G, None),
    Case("SourceGraph-wasDerivedFrom", "MinCount", drop(G, "prov:wasDerivedFrom"), G, "prov:wasDerivedFrom"),
    Case("SourceGraph-wasDerivedFrom", "MaxCount", add(G, "prov:wasDerivedFrom", "<https://example.org/mirror>"), G, "prov:wasDerivedFrom"),
    Case("SourceGraph-wasDerivedFrom", "NodeKind", replace(G, "prov:wasDerivedFrom", '"https://github.com/elixir-europe/rdmkit"'), G, "prov:wasDerivedFrom"),
    Case("SourceGraph-generatedAtTime", "MinCount", drop(G, "prov:generatedAtTime"), G, "prov:generatedAtTime"),
    Case("SourceGraph-generatedAtTime", "MaxCount", add(G, "prov:generatedAtTime", '"2026-08-01T00:00:00Z"^^xsd:dateTime'), G, "prov:generatedAtTime"),
    Case("SourceGraph-generatedAtTime", "Datatype", replace(G, "prov:generatedAtTime", '"2026-07-31"'), G, "prov:generatedAtTime"),
    Case("SourceGraph-triples", "MinCount", drop(G, "void:triples"), G, "void:triples"),
    Case("SourceGraph-triples", "MaxCount", add(G, "void:triples", "1"), G, "void:triples"),
    Case("SourceGraph-triples", "Datatype", replace(G, "void:triples", "12345.5"), G, "void:triples"),
    Case("SourceGraph-triples", "MinInclusive", replace(G, "void:triples", "-1"), G, "void:triples"),
    Case("SourceGraph-sourceVersion", "MinCount", drop(G, "ckg:sourceVersion"), G, "ckg:sourceVersion"),
    Case("SourceGraph-sourceVersion", "MaxCount", add(G, "ckg:sourceVersion", '"sha256:00"'), G, "ckg:sourceVersion"),
    Case("SourceGraph-sourceVersion", "Datatype", replace(G, "ckg:sourceVersion", '"80c42538"@en'), G, "ckg:sourceVersion"),
    Case("SourceGraph-validationConforms", "MaxCount", add(G, "ckg:validationConforms", "false"), G, "ckg:validationConforms"),
    Case("SourceGraph-validationConforms", "Datatype", replace(G, "ckg:validationConforms", '"true"'), G, "ckg:validationConforms"),
    Case("SourceGraph-violationCount", "MaxCount", replace(G, "ckg:validationConforms", "false") + " ;\n" + add(G, "ckg:violationCount", "1"), G, "ckg:violationCount"),
    Case("SourceGraph-violationCount", "Datatype", replace(G, "ckg:violationCount", "0.0"), G, "ckg:violationCount"),
    Case("SourceGraph-violationCount", "MinInclusive", replace(G, "ckg:violationCount", "-1"), G, "ckg:violationCount"),
    Case("SourceGraph-warningCount", "MaxCount", add(G, "ckg:warningCount", "4"), G, "ckg:warningCount"),
    Case("SourceGraph-warningCount", "Datatype", replace(G, "ckg:warningCount", "3.0"), G, "ckg:warningCount"),
    Case("SourceGraph-warningCount", "MinInclusive", replace(G, "ckg:warningCount", "-1"), G, "ckg:warningCount"),
    Case("SourceGraphConformsConsistently", "SPARQL", replace(G, "ckg:violationCount", "2"), G, "ckg:violationCount", says=("records 2 violations",)),
    Case("SourceGraph-curationIssue", "Class", add(G, "ckg:hasCurationIssue", "res:galaxy"), G, "ckg:hasCurationIssue"),
    Case("CurationIssueShape", "NodeKind", f'INSERT DATA {{ {G} ckg:hasCurationIssue _:i . _:i a ckg:CurationIssue ; ckg:issueKind "x" ; ckg:issueLocation "y" ; rdfs:comment "z" }}', BLANK, None),
    Case("CurationIssue-graph", "MinCount", f"DELETE DATA {{ {G} ckg:hasCurationIssue {ISSUE} }}", ISSUE, "^ckg:hasCurationIssue"),
    Case("CurationIssue-graph", "MaxCount", add("g:nodes", "ckg:hasCurationIssue", ISSUE), ISSUE, "^ckg:hasCurationIssue"),
    Case("CurationIssue-kind", "MinCount", drop(ISSUE, "ckg:issueKind"), ISSUE, "ckg:issueKind"),
    Case("CurationIssue-kind", "MaxCount", add(ISSUE, "ckg:issueKind", '"dangling-tool-mention"'), ISSUE, "ckg:issueKind"),
    Case("CurationIssue-kind", "Datatype", replace(ISSUE, "ckg:issueKind", '"duplicate-id"@en'), ISSUE, "ckg:issueKind"),
    Case("CurationIssue-kind", "Pattern", replace(ISSUE, "ckg:issueKind", '"Duplicate id"'), ISSUE, "ckg:issueKind"),
    Case("CurationIssue-location", "MinCount", drop(ISSUE, "ckg:issueLocation"), ISSUE, "ckg:issueLocation"),
    Case("CurationIssue-location", "MaxCount", add(ISSUE, "ckg:issueLocation", '"pages/x.md:1"'), ISSUE, "ckg:issueLocation"),
    Case("CurationIssue-location", "Datatype", replace(ISSUE, "ckg:issueLocation", "2803"), ISSUE, "ckg:issueLocation"),
    Case("CurationIssue-comment", "MinCount", drop(ISSUE, "rdfs:comment"), ISSUE, "rdfs:comment"),
    Case("CurationIssue-comment", "MaxCount", add(ISSUE, "rdfs:comment", '"Again."'), ISSUE, "rdfs:comment"),
    Case("CurationIssue-comment", "Datatype", replace(ISSUE, "rdfs:comment", '"Twice."@en'), ISSUE, "rdfs:comment"),
    # --- concepts of the schemes (shapes/schemes.shapes.ttl) -------------------------------
    Case("ConceptShape", "Pattern", 'INSERT DATA { <https://example.org/stage/archive> a ckg:LifeCycleStage ; skos:prefLabel "Archive"@en ; skos:inScheme ckg:LifeCycleStageScheme ; ckg:order 8 }', "<https://example.org/stage/archive>", None, variant="iri"),
    Case("ConceptShape", "Pattern", 'INSERT DATA { _:c a ckg:PageKind ; skos:prefLabel "News page"@en ; skos:inScheme ckg:PageKindScheme }', BLANK, None, variant="blank"),
    Case("Concept-prefLabel", "MinCount", new_stage(label=""), ARCHIVING, "skos:prefLabel"),
    Case("Concept-prefLabel", "UniqueLang", new_stage(label='"Archiving"@en , "Archive"@en'), ARCHIVING, "skos:prefLabel"),
    Case("Concept-prefLabel", "LanguageIn", new_stage(label='"Archiving"@en , "Archivage"@fr'), ARCHIVING, "skos:prefLabel"),
    Case("Concept-prefLabel", "LanguageIn", new_stage(label='"Archiving"'), ARCHIVING, "skos:prefLabel", variant="no-language"),
    Case("Concept-notation", "MaxCount", new_stage(notation='"archiving" , "archive"'), ARCHIVING, "skos:notation"),
    Case("Concept-notation", "Datatype", new_stage(notation="8"), ARCHIVING, "skos:notation"),
    Case("Concept-scheme", "MaxCount", new_stage(scheme="ckg:LifeCycleStageScheme , ckg:PageKindScheme"), ARCHIVING, "skos:inScheme"),
    Case("Concept-order", "MinCount", new_stage(order=""), ARCHIVING, "ckg:order"),
    Case("Concept-order", "MaxCount", new_stage(order="8 , 9"), ARCHIVING, "ckg:order"),
    Case("Concept-order", "Datatype", new_stage(order="8.0"), ARCHIVING, "ckg:order"),
    Case("Concept-order", "MinInclusive", new_stage(order="0"), ARCHIVING, "ckg:order"),
    *(
        Case(f"{cls}-scheme", "HasValue", stray(cls, "PageKindScheme" if cls != "PageKind" else "RegistryScheme"), "ckg:strayConcept", "skos:inScheme")
        for cls in CONCEPT_CLASSES
    ),
]  # fmt: skip

#: Shapes files and the test module whose broken-fixture table covers each of them.
COVERAGE = {
    "rdmkit.shapes.ttl": "test_shapes",
    "provenance.shapes.ttl": "test_shapes",
    "schemes.shapes.ttl": "test_shapes",
    "nodes.shapes.ttl": "test_nodes_loader",
    "maturity.shapes.ttl": "test_maturity_loader",
    "catalogues.shapes.ttl": "test_catalogues_loader",
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The shapes this module's table covers (the others are covered by their loader's tests)."""
    graph = Graph()
    for name, module in COVERAGE.items():
        if module == "test_shapes":
            graph.parse(SHAPES_DIR / name, format="turtle")
    return graph


def test_every_shapes_file_has_a_covering_table_and_its_own_shape_names() -> None:
    files = sorted(p.name for p in SHAPES_DIR.glob("*.ttl"))
    assert files == sorted(COVERAGE), "a new shapes file needs a broken-fixture table"
    owner: dict[str, str] = {}
    clashes = []
    for name in files:
        graph = shapes_file(name)
        for shape in set(graph.subjects(SH.severity, None)):
            if str(shape) in owner:
                clashes.append(f"{shape} in {owner[str(shape)]} and {name}")
            owner[str(shape)] = name
    assert clashes == []


@pytest.fixture(scope="module")
def baseline() -> Graph:
    return load_rdf_dir(FIXTURES)


# --------------------------------------------------------------------------- the shapes


def test_valid_fixtures_conform_with_zero_findings(shapes: Graph, baseline: Graph) -> None:
    result = validate(baseline, shapes)
    assert result.findings == [], [f.to_dict() for f in result.findings]
    assert result.conforms


def test_validator_from_settings_accepts_the_valid_fixtures(baseline: Graph) -> None:
    """With the real shapes and ontology folders (the ontology is mixed into the data)."""
    result = Validator(Settings.load(environ={})).validate(baseline)
    assert result.findings == [], [f.to_dict() for f in result.findings]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_broken_constraint_gives_exactly_one_finding(
    case: Case, shapes: Graph, baseline: Graph
) -> None:
    check_case(case, shapes, baseline, NS)


def test_every_constraint_has_a_broken_fixture(shapes: Graph) -> None:
    assert uncovered(shapes, CASES) == []


def test_every_constraint_has_a_message_and_a_severity(shapes: Graph) -> None:
    assert constraints_without_message_or_severity(shapes) == []


def test_every_shapes_file_names_its_area() -> None:
    files = sorted(p.name for p in Path(Settings.load(environ={}).shapes_dir).glob("*.ttl"))
    assert "rdmkit.shapes.ttl" in files and "provenance.shapes.ttl" in files
    assert all(name.endswith(".shapes.ttl") for name in files)


# --------------------------------------------------------------------------- results


def test_warnings_do_not_break_conformance_and_plain_http_is_no_defect(
    shapes: Graph, baseline: Graph
) -> None:
    update = (
        replace("res:dublin-core", "schema:url", "<hhttps://www.dublincore.org/>")
        + " ;\n"
        + replace("res:galaxy", "ckg:fairsharingId", '"10.25504/FAIRsharing.dgvF7N"')
        + " ;\n"
        + replace("res:dmproadmap", "schema:url", "<http://github.com/DMPRoadmap/roadmap>")
        + " ;\n"
        + replace("nrfr:cat-opidor", "schema:url", "<HTTPS://cat.opidor.fr>")
    )
    result = validate(broken(baseline, update, NS), shapes)
    assert result.conforms
    assert (len(result.violations), len(result.warnings), len(result.infos)) == (0, 2, 0)
    assert result.summary() == "0 violations, 2 warnings"
    assert result.by_shape() == {str(CKGSH["url-scheme"]): 1, str(CKGSH["fairsharingId-form"]): 1}
    # an http:// or HTTPS:// address is a web address: neither is reported
    assert {f.focus for f in result.findings} == {
        expand("res:dublin-core", NS),
        expand("res:galaxy", NS),
    }


def test_a_violation_breaks_conformance_and_sorts_first(shapes: Graph, baseline: Graph) -> None:
    update = (
        replace("res:dublin-core", "schema:url", "<hhttps://www.dublincore.org/>")
        + " ;\n"
        + drop("res:galaxy", "schema:name")
        + " ;\n"
        + drop("page:about", "schema:name")
    )
    result = validate(broken(baseline, update, NS), shapes)
    assert not result.conforms
    assert result.summary() == "2 violations, 1 warning"
    assert [f.severity for f in result.findings] == ["Violation", "Violation", "Warning"]
    assert [f.focus for f in result.violations] == [
        expand("page:about", NS),
        expand("res:galaxy", NS),
    ]
    assert result.by_shape() == {str(CKGSH["name-exactlyOne"]): 2, str(CKGSH["url-scheme"]): 1}


def test_finding_to_dict(shapes: Graph, baseline: Graph) -> None:
    update = replace("res:dublin-core", "schema:url", "<hhttps://www.dublincore.org/>")
    (finding,) = validate(broken(baseline, update, NS), shapes).findings
    assert finding.to_dict() == {
        "severity": "Warning",
        "focus": expand("res:dublin-core", NS),
        "path": expand("schema:url", NS),
        "value": "hhttps://www.dublincore.org/",
        "message": "schema:url: `hhttps://www.dublincore.org/` is not a web address: it should"
        " start with http:// or https:// (a typo such as `hhttps://`?).",
        "shape": str(CKGSH["url-scheme"]),
        "component": "SPARQLConstraintComponent",
    }
    assert isinstance(finding, Finding)


def test_conformance_counts_violations_only() -> None:
    def finding(severity: str) -> Finding:
        return Finding(severity, "urn:x", None, None, "m", None, "PatternConstraintComponent")

    assert ValidationResult([], Graph()).summary() == "0 violations, 0 warnings"
    assert ValidationResult([finding("Warning"), finding("Info")], Graph()).conforms
    assert not ValidationResult([finding("Violation")], Graph()).conforms


# --------------------------------------------------------------------------- loading


def test_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "good.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n")
    (tmp_path / "broken.ttl").write_text(
        "@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c .\nex:d ex:e .\n"
    )
    with pytest.raises(ShapesError, match=r"broken\.ttl line 4: "):
        load_shapes(tmp_path)
    settings = Settings.load({"shapes_dir": str(tmp_path)}, environ={})
    with pytest.raises(ShapesError, match=r"broken\.ttl line 4"):
        Validator(settings)


def test_a_missing_directory_is_a_shapes_error(tmp_path: Path) -> None:
    with pytest.raises(ShapesError, match="not a directory"):
        load_rdf_dir(tmp_path / "nowhere")


def test_unusable_shapes_fail_when_the_validator_is_built(tmp_path: Path) -> None:
    """A SPARQL constraint with VALUES is invalid SHACL, even if nothing is targeted."""
    (tmp_path / "bad.shapes.ttl").write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:severity sh:Violation ;
    sh:sparql [ sh:message "m" ;
        sh:select "SELECT $this WHERE { VALUES ?x { 1 } $this ex:p ?x }" ] .
"""
    )
    with pytest.raises(ShapesError, match="ex:Shape|example.org/Shape"):
        Validator(Settings.load({"shapes_dir": str(tmp_path)}, environ={}))


def test_to_rdflib_copies_triples_and_drops_graph_names() -> None:
    ex = "http://example.org/"
    s, p = pyoxigraph.NamedNode(ex + "s"), pyoxigraph.NamedNode(ex + "p")
    xsd_int = pyoxigraph.NamedNode(NS["xsd"] + "integer")
    items = [
        pyoxigraph.Triple(s, p, pyoxigraph.Literal("chat", language="fr")),
        pyoxigraph.Quad(
            s, p, pyoxigraph.Literal("7", datatype=xsd_int), pyoxigraph.NamedNode(ex + "g")
        ),
        pyoxigraph.Quad(s, p, pyoxigraph.BlankNode("b1"), pyoxigraph.DefaultGraph()),
        pyoxigraph.Quad(s, p, pyoxigraph.NamedNode(ex + "o")),
    ]
    graph = to_rdflib(items)
    assert isinstance(graph, Graph) and len(graph) == 4
    rs, rp = URIRef(ex + "s"), URIRef(ex + "p")
    assert (rs, rp, Literal("chat", lang="fr")) in graph
    assert (rs, rp, Literal(7)) in graph
    assert (rs, rp, URIRef(ex + "o")) in graph
    assert len(to_rdflib([])) == 0


def test_to_rdflib_from_a_store_validates_like_the_fixtures(shapes: Graph) -> None:
    store = pyoxigraph.Store()
    graph_name = pyoxigraph.NamedNode("https://w3id.org/elixir-converge/graph/rdmkit")
    for path in sorted(FIXTURES.glob("*.ttl")):
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE, to_graph=graph_name)
    data = to_rdflib(store.quads_for_pattern(None, None, None, graph_name))
    assert len(data) == len(load_rdf_dir(FIXTURES))
    assert validate(data, shapes).findings == []
    assert (None, RDF.type, URIRef(NS["ckg"] + "ToolkitResource")) in data


# --------------------------------------------------------------------------- scheme values


def test_sparql_constraints_run_behind_sparql_targets() -> None:
    """Only the offending nodes reach a SPARQL constraint (pySHACL parses it per node)."""
    for name in ("rdmkit.shapes.ttl", "schemes.shapes.ttl"):
        assert sparql_without_sparql_target(shapes_file(name)) == [], name


def test_the_allowed_values_are_read_from_the_scheme_in_the_data_graph(
    shapes: Graph, baseline: Graph
) -> None:
    """A stage added to the scheme is accepted, and listed among the allowed ones in order."""
    update = (
        new_stage()
        + " ;\n"
        + add("res:galaxy", "ckg:lifeCycleStage", ARCHIVING)
        + " ;\n"
        + add("res:dmproadmap", "ckg:lifeCycleStage", "ckg:publish")
    )
    result = validate(broken(baseline, update, NS), shapes, ontology())
    (finding,) = result.findings
    assert (finding.focus, finding.value) == (
        expand("res:dmproadmap", NS),
        expand("ckg:publish", NS),
    )
    assert finding.message.endswith(STAGES.removesuffix(".") + ", ckg:archiving.")


def test_without_the_ontology_the_scheme_checks_stay_silent(shapes: Graph, baseline: Graph) -> None:
    """No scheme in the data graph: no value is judged, rather than every value rejected."""
    update = add("res:dmproadmap", "ckg:lifeCycleStage", "ckg:archiving")
    assert validate(broken(baseline, update, NS), shapes).findings == []


def test_a_resource_may_carry_stages_a_page_of_another_kind_may_not(
    shapes: Graph, baseline: Graph
) -> None:
    """ckg:lifeCycleStage is for pages and toolkit resources alike (schema:domainIncludes)."""
    assert (URIRef(NS["res"] + "galaxy"), URIRef(NS["ckg"] + "lifeCycleStage"), None) in baseline
    update = add("page:dmp", "ckg:lifeCycleStage", "ckg:archiving")
    result = validate(broken(baseline, update, NS), shapes, ontology())
    assert sorted(f.shape.rsplit("#", 1)[1] for f in result.findings) == [
        "StageOnlyOnStagePages",
        "lifeCycleStage-inScheme",
    ]
