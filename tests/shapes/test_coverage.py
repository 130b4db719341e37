"""Every class of the ontology has a shape that says what the graph's data must hold for it.

A class of the ontology (an ``owl:Class`` in the ``ckg:`` namespace, ontology/*.ttl) is
covered when a shape of shapes/*.ttl targets it: by ``sh:targetClass``, as an implicit class
target (a shape that is itself a class), or through a superclass it targets — a SHACL class
target takes the instances of the subclasses too (``rdfs:subClassOf``), and the ontology is
mixed into every validation's data graph (kg/validation/profiles.py). A directly targeted
class must get a shape that holds a constraint, not only a target.
"""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, SH, Graph, URIRef

from kg.settings import Settings
from kg.validation.shapes import load_ontology, load_shapes
from tests.support.shapecases import shape_constraints

CKG = "https://w3id.org/elixir-converge/ontology#"


def ontology_classes(ontology: Graph) -> set[URIRef]:
    return {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(CKG)}


def targeted_classes(shapes: Graph) -> set[URIRef]:
    """Classes some shape targets directly: sh:targetClass, or implicitly (a shape-class)."""
    direct = {c for c in shapes.objects(None, SH.targetClass) if isinstance(c, URIRef)}
    implicit = {
        s
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, kind)
        if (s, RDF.type, RDFS.Class) in shapes or (s, RDF.type, OWL.Class) in shapes
    }
    return direct | implicit


def classes_without_shape(ontology: Graph, shapes: Graph) -> list[str]:
    """The classes of the ontology no shape targets, directly or through a superclass."""
    targeted = targeted_classes(shapes)
    missing = []
    for cls in sorted(ontology_classes(ontology)):
        supers = set(ontology.transitive_objects(cls, RDFS.subClassOf))  # cls itself included
        if not supers & targeted:
            missing.append(str(cls).removeprefix(CKG))
    return missing


def targets_without_constraint(shapes: Graph) -> list[str]:
    """The ckg: classes targeted (sh:targetClass) only by shapes that hold no constraint."""
    holding = set(shape_constraints(shapes))
    offenders = []
    for cls in sorted(set(shapes.objects(None, SH.targetClass))):
        if not str(cls).startswith(CKG):
            continue
        shapes_of_cls = set(shapes.subjects(SH.targetClass, cls))
        with_properties = {s for s in shapes_of_cls if any(shapes.objects(s, SH.property))}
        if not (shapes_of_cls & holding or with_properties):
            offenders.append(str(cls).removeprefix(CKG))
    return offenders


def _settings() -> Settings:
    return Settings.load(environ={})


def test_every_class_of_the_ontology_has_a_shape() -> None:
    ontology = load_ontology(_settings().ontology_dir)
    shapes = load_shapes(_settings().shapes_dir)
    assert len(ontology_classes(ontology)) >= 43
    assert classes_without_shape(ontology, shapes) == []


def test_every_targeted_class_gets_a_constraint() -> None:
    assert targets_without_constraint(load_shapes(_settings().shapes_dir)) == []


def test_a_class_without_a_shape_is_named() -> None:
    """Negative control: a new class, and a subclass of a targeted one, in a copy."""
    ontology = Graph()
    ontology += load_ontology(_settings().ontology_dir)
    shapes = load_shapes(_settings().shapes_dir)
    new, sub = URIRef(CKG + "Workshop"), URIRef(CKG + "Webinar")
    ontology.add((new, RDF.type, OWL.Class))
    ontology.add((sub, RDF.type, OWL.Class))
    ontology.add((sub, RDFS.subClassOf, URIRef(CKG + "TrainingMaterial")))
    assert classes_without_shape(ontology, shapes) == ["Workshop"]


def test_subclasses_are_covered_through_their_superclass() -> None:
    """Tool, Database, Standard, Guideline, Service: toolkit resources, judged as such."""
    ontology = load_ontology(_settings().ontology_dir)
    shapes = load_shapes(_settings().shapes_dir)
    targeted = targeted_classes(shapes)
    kinds = {"Tool", "Database", "Standard", "Guideline", "Service"}
    for name in kinds:
        cls = URIRef(CKG + name)
        assert cls not in targeted
        assert (cls, RDFS.subClassOf, URIRef(CKG + "ToolkitResource")) in ontology
