"""Checks of the OWL ontology and SKOS concept schemes in ``ontology/``.

The ontology directory comes from the settings (``Settings.load().ontology_dir``);
``docs/model.md`` is read from the repository next to this test folder.

The reasoner tests run HermiT through owlready2 and need ``java`` on PATH: when
it is missing they fail (never skip), because an unproven ontology must not pass.
"""

from __future__ import annotations

import re
import shutil
import time
from collections import defaultdict
from pathlib import Path

import owlready2
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.settings import Settings
from tests.support.paths import ROOT

CKG = Namespace("https://w3id.org/elixir-converge/ontology#")
# A plain Namespace: pytest probes module globals, and rdflib's closed XSD namespace
# warns on every unknown attribute it is asked for.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ONTOLOGY_IRI = URIRef("https://w3id.org/elixir-converge/ontology")
MODEL_DOC = ROOT / "docs" / "model.md"
EXPECTED_FILES = {"converge.ttl", "schemes.ttl"}

PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
#: Namespaces whose terms OWL 2 itself defines (built-in vocabulary).
BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))

LIFE_CYCLE = [
    ("plan", "Plan"),
    ("collect", "Collect"),
    ("process", "Process"),
    ("analyse", "Analyse"),
    ("preserve", "Preserve"),
    ("share", "Share"),
    ("reuse", "Reuse"),
]

#: scheme -> (concept class, number of concepts)
SCHEMES = {
    "LifeCycleStageScheme": ("LifeCycleStage", 7),
    "PageKindScheme": ("PageKind", 7),
    "RegistryScheme": ("Registry", 3),
    "ResourceTypeScheme": ("ResourceType", 5),
    "StandardTypeScheme": ("StandardType", 4),
    "MembershipStatusScheme": ("MembershipStatus", 3),
    "InstituteRoleScheme": ("InstituteRole", 3),
    "FundingSourceTypeScheme": ("FundingSourceType", 8),
    "ServiceDeliveryModelScheme": ("ServiceDeliveryModel", 3),
    "CanvasBlockScheme": ("CanvasBlock", 9),
    "ImpactCategoryScheme": ("ImpactCategory", 9),
    "LogicModelStageScheme": ("LogicModelStage", 3),
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def ontology_dir() -> Path:
    path = Path(Settings.load().ontology_dir)
    assert path.is_dir(), f"ontology directory not found: {path}"
    return path


@pytest.fixture(scope="module")
def ontology_files(ontology_dir: Path) -> list[Path]:
    files = sorted(ontology_dir.glob("*.ttl"))
    missing = EXPECTED_FILES - {f.name for f in files}
    assert not missing, f"missing ontology files in {ontology_dir}: {sorted(missing)}"
    return files


@pytest.fixture(scope="module")
def graph(ontology_files: list[Path]) -> Graph:
    merged = Graph()
    for path in ontology_files:
        merged.parse(path, format="turtle")
    return merged


def _in_ckg(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(CKG))


def _short(term) -> str:
    text = str(term)
    return "ckg:" + text[len(str(CKG)) :] if _in_ckg(term) else f"<{text}>"


def _ckg_terms(graph: Graph) -> set[URIRef]:
    """Every ckg: IRI that the ontology types (classes, properties, schemes, concepts)."""
    return {s for s in graph.subjects(RDF.type, None) if _in_ckg(s)}


def _declared_kinds(graph: Graph) -> dict[URIRef, set[URIRef]]:
    kinds: dict[URIRef, set[URIRef]] = defaultdict(set)
    for kind in PROPERTY_KINDS:
        for prop in graph.subjects(RDF.type, kind):
            kinds[prop].add(kind)
    return kinds


# --------------------------------------------------------------------------- parsing


def test_turtle_files_parse(ontology_files: list[Path]) -> None:
    errors = []
    for path in ontology_files:
        try:
            g = Graph().parse(path, format="turtle")
        except Exception as exc:  # report every broken file, not only the first
            errors.append(f"{path.name}: {exc}")
            continue
        if len(g) == 0:
            errors.append(f"{path.name}: no triples")
    assert not errors, "\n".join(errors)


def test_ontology_header(graph: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("1.0.0")
    for prop in (DCTERMS.title, DCTERMS.description):
        values = [v for v in graph.objects(ONTOLOGY_IRI, prop) if isinstance(v, Literal)]
        assert any(v.language == "en" and str(v).strip() for v in values), prop
    assert isinstance(graph.value(ONTOLOGY_IRI, DCTERMS.license), URIRef)
    headers = set(graph.subjects(RDF.type, OWL.Ontology))
    assert headers == {ONTOLOGY_IRI}, f"unexpected ontology headers: {headers}"


# --------------------------------------------------------------------------- documentation


def test_every_term_has_english_label_and_definition(graph: Graph) -> None:
    terms = _ckg_terms(graph)
    assert len(terms) > 100, f"suspiciously few ckg terms: {len(terms)}"
    offenders = []
    for term in sorted(terms):
        for prop, name in ((RDFS.label, "rdfs:label"), (SKOS.definition, "skos:definition")):
            english = [
                v
                for v in graph.objects(term, prop)
                if isinstance(v, Literal) and v.language == "en" and str(v).strip()
            ]
            if len(english) != 1:
                offenders.append(f"{_short(term)}: {len(english)} English {name}")
    print("\n".join(offenders))
    assert offenders == []


def test_every_ckg_term_named_in_model_doc_is_defined(graph: Graph) -> None:
    assert MODEL_DOC.is_file(), f"model documentation not found: {MODEL_DOC}"
    named = set(re.findall(r"\bckg:([A-Za-z_][A-Za-z0-9_]*)", MODEL_DOC.read_text("utf-8")))
    assert len(named) > 30, f"suspiciously few ckg: terms in {MODEL_DOC}: {sorted(named)}"
    defined = _ckg_terms(graph)
    undefined = sorted(f"ckg:{name}" for name in named if CKG[name] not in defined)
    print("\n".join(undefined))
    assert undefined == []


def test_every_ckg_iri_used_is_declared(graph: Graph) -> None:
    """A ckg: IRI in any position must be typed: catches typos in local names."""
    used = {t for triple in graph for t in triple if _in_ckg(t)}
    undeclared = sorted(_short(t) for t in used - _ckg_terms(graph))
    print("\n".join(undeclared))
    assert undeclared == []


# --------------------------------------------------------------------------- OWL 2 DL typing


def test_owl2_dl_typing_is_clean(graph: Graph) -> None:
    kinds = _declared_kinds(graph)
    classes = set(graph.subjects(RDF.type, OWL.Class))
    problems = []

    for prop, declared in kinds.items():
        if len(declared) > 1:
            problems.append(f"{_short(prop)} declared as {sorted(map(_short, declared))}")
        if prop in classes:
            problems.append(f"{_short(prop)} is both a class and a property")

    # OWL kinds only, no bare RDFS declarations
    for kind in (RDF.Property, RDFS.Class):
        for s in graph.subjects(RDF.type, kind):
            problems.append(f"{_short(s)} typed {_short(kind)}: use an OWL declaration")

    # every predicate used is declared with exactly one kind, and used accordingly
    for s, p, o in graph:
        if str(p).startswith(BUILTIN_NAMESPACES):
            continue
        declared = kinds.get(p, set())
        if len(declared) != 1:
            problems.append(f"predicate {_short(p)} is not declared once (used on {_short(s)})")
            continue
        (kind,) = declared
        if kind == OWL.ObjectProperty and isinstance(o, Literal):
            problems.append(f"object property {_short(p)} has literal {o!r} on {_short(s)}")
        if kind == OWL.DatatypeProperty and not isinstance(o, Literal):
            problems.append(f"datatype property {_short(p)} has IRI {o} on {_short(s)}")

    # ranges: classes for object properties, datatypes for datatype properties
    for prop, declared in kinds.items():
        for rng in graph.objects(prop, RDFS.range):
            if OWL.ObjectProperty in declared and rng not in classes:
                problems.append(f"range of object property {_short(prop)} is not a declared class")
            if OWL.DatatypeProperty in declared and not (
                str(rng).startswith(str(XSD)) or rng == RDFS.Literal
            ):
                problems.append(f"range of datatype property {_short(prop)} is not a datatype")
        for dom in graph.objects(prop, RDFS.domain):
            if dom not in classes:
                problems.append(f"domain of {_short(prop)} is not a declared class")

    # OWL 2 DL: characteristics and axioms that belong to object properties only
    for axiom in (OWL.inverseOf, OWL.equivalentProperty):
        for s, o in graph.subject_objects(axiom):
            if OWL.ObjectProperty not in kinds.get(s, set()) | kinds.get(o, set()):
                problems.append(f"{_short(axiom)} between non-object properties {s}, {o}")

    print("\n".join(problems))
    assert problems == []


def test_properties_to_concepts_are_object_properties(graph: Graph) -> None:
    kinds = _declared_kinds(graph)
    concept_classes = set(graph.transitive_subjects(RDFS.subClassOf, SKOS.Concept))
    offenders = [
        _short(prop)
        for prop, rng in graph.subject_objects(RDFS.range)
        if _in_ckg(prop) and rng in concept_classes and kinds.get(prop) != {OWL.ObjectProperty}
    ]
    assert offenders == []
    assert kinds[CKG.order] == {OWL.DatatypeProperty}


# --------------------------------------------------------------------------- reasoner


def _require_java() -> None:
    if shutil.which(owlready2.JAVA_EXE) is None:
        pytest.fail(
            f"Java not found ({owlready2.JAVA_EXE!r} is not on PATH): owlready2 needs a Java "
            "runtime to run the HermiT reasoner. Install one (e.g. `apt-get install "
            "default-jre-headless`) or set owlready2.JAVA_EXE."
        )


def _reason(graph: Graph, path: Path) -> owlready2.World:
    """Load ``graph`` into a fresh owlready2 world and classify it with HermiT."""
    _require_java()
    graph.serialize(destination=path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    loaded = {c.iri for c in world.classes()}
    assert str(CKG.Page) in loaded, "owlready2 did not load the ontology classes"
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def test_reasoner_proves_ontology_consistent(graph: Graph, tmp_path: Path) -> None:
    started = time.monotonic()
    try:
        world = _reason(graph, tmp_path / "ontology.nt")
    except owlready2.OwlReadyInconsistentOntologyError:
        pytest.fail("HermiT: the ontology is inconsistent")
    # owlready2 lists owl:Nothing itself beside the unsatisfiable classes
    unsatisfiable = sorted(c.iri for c in world.inconsistent_classes())
    print(f"HermiT run: {time.monotonic() - started:.1f} s")
    print("\n".join(unsatisfiable))
    assert unsatisfiable == [], "classes inferred equivalent to owl:Nothing: " + ", ".join(
        iri for iri in unsatisfiable if iri != str(OWL.Nothing)
    )


def test_reasoner_detects_inconsistency(graph: Graph, tmp_path: Path) -> None:
    """Negative control: a thing that is both a page and a resource must be rejected."""
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    thing = URIRef("https://w3id.org/elixir-converge/test/both")
    broken.add((thing, RDF.type, OWL.NamedIndividual))
    broken.add((thing, RDF.type, CKG.Page))
    broken.add((thing, RDF.type, CKG.ToolkitResource))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(broken, tmp_path / "broken.nt")


# --------------------------------------------------------------------------- concept schemes


def test_life_cycle_stages_are_ordered(graph: Graph) -> None:
    scheme = CKG.LifeCycleStageScheme
    concepts = set(graph.subjects(SKOS.inScheme, scheme))
    assert concepts == {CKG[n] for n, _ in LIFE_CYCLE}
    orders = {c: graph.value(c, CKG.order) for c in concepts}
    assert all(o is not None and o.datatype == XSD.integer for o in orders.values()), orders
    assert sorted(o.toPython() for o in orders.values()) == list(range(1, 8))
    notations = [str(graph.value(c, SKOS.notation)) for c in concepts]
    assert len(set(notations)) == 7
    for position, (name, label) in enumerate(LIFE_CYCLE, start=1):
        concept = CKG[name]
        assert orders[concept].toPython() == position, name
        assert str(graph.value(concept, SKOS.notation)) == name
        assert graph.value(concept, SKOS.prefLabel) == Literal(label, lang="en")


def test_concept_schemes_are_well_formed(graph: Graph) -> None:
    schemes = {s for s in graph.subjects(RDF.type, SKOS.ConceptScheme)}
    assert schemes == {CKG[name] for name in SCHEMES}
    problems = []
    for name, (class_name, size) in SCHEMES.items():
        scheme, cls = CKG[name], CKG[class_name]
        if (cls, RDFS.subClassOf, SKOS.Concept) not in graph:
            problems.append(f"ckg:{class_name} is not a subclass of skos:Concept")
        concepts = set(graph.subjects(SKOS.inScheme, scheme))
        if len(concepts) != size:
            problems.append(f"ckg:{name}: {len(concepts)} concepts, expected {size}")
        if set(graph.objects(scheme, SKOS.hasTopConcept)) != concepts:
            problems.append(f"ckg:{name}: skos:hasTopConcept differs from its concepts")
        notations = defaultdict(list)
        for c in concepts:
            for kind in (SKOS.Concept, cls, OWL.NamedIndividual):
                if (c, RDF.type, kind) not in graph:
                    problems.append(f"{_short(c)} is not typed {_short(kind)}")
            if (c, SKOS.topConceptOf, scheme) not in graph:
                problems.append(f"{_short(c)} is not skos:topConceptOf ckg:{name}")
            if len(set(graph.objects(c, SKOS.inScheme))) != 1:
                problems.append(f"{_short(c)} is in more than one scheme")
            labels = [
                v for v in graph.objects(c, SKOS.prefLabel) if getattr(v, "language", None) == "en"
            ]
            if len(labels) != 1:
                problems.append(f"{_short(c)}: {len(labels)} English skos:prefLabel")
            for n in graph.objects(c, SKOS.notation):
                notations[str(n)].append(_short(c))
        for notation, holders in notations.items():
            if len(holders) > 1:
                problems.append(f"ckg:{name}: notation {notation!r} on {holders}")
    print("\n".join(problems))
    assert problems == []


def test_concepts_are_not_blank_nodes(graph: Graph) -> None:
    blanks = [s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, BNode)]
    assert blanks == []
