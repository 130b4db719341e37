"""Messages name what is wrong: ``{$value}``, ``{$this}`` and ``{$path}`` filled in."""

from __future__ import annotations

from rdflib import Graph

from kg.validation.shapes import validate

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .
"""
SHAPES = (
    PREFIXES
    + """
ex:S a sh:NodeShape ; sh:targetClass ex:P ;
  sh:property [ sh:path ex:stage ; sh:in ( ckg:plan ckg:collect ) ; sh:severity sh:Violation ;
    sh:message "`{$value}` is not a life-cycle stage of {$this} ({$path}); use one of plan, collect" ] ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "{$this} has no {$path}; {$value}" ] ;
  sh:property [ sh:path ex:age ; sh:datatype xsd:integer ; sh:message "ex:age is a whole number" ] .
"""
)


def test_placeholders_are_filled_with_the_results_terms():
    data = Graph().parse(
        data=PREFIXES + 'ex:a a ex:P ; ex:stage ckg:archiving ; ex:age "old" .', format="turtle"
    )
    messages = sorted(f.message for f in validate(data, Graph().parse(data=SHAPES)).findings)
    assert messages == [
        "`archiving` is not a life-cycle stage of http://example.org/a "
        "(http://example.org/stage); use one of plan, collect",
        # a message that does not show the value gets it
        "ex:age is a whole number (value: `old`)",
        # no value for a missing property: the placeholder stays, visibly
        "http://example.org/a has no http://example.org/name; {$value}",
    ]
