"""Your-own-shapes cases (tests of kg.validation.custom, POST /validate, kg validate --shapes).

Each case is a shapes graph and a document (Turtle, with :data:`PREFIXES`) that together
exercise one family of SHACL features; :func:`pyshacl_report` is pySHACL run directly on
the same texts, and :func:`result_keys` the comparable form of a report's results.
"""

from __future__ import annotations

from collections import Counter

import pyshacl
from rdflib import RDF, SH, BNode, Graph, Literal
from rdflib.term import Node

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/ns#> .
"""

#: name → (shapes, document), both Turtle without the prefixes.
CASES: dict[str, tuple[str, str]] = {
    "node-and-property-shapes": (
        """
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:nodeKind sh:IRI ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ;
                sh:minLength 2 ; sh:maxLength 20 ] ;
  sh:property [ sh:path ex:email ; sh:pattern "^[^@]+@[^@]+$" ; sh:flags "i" ;
                sh:severity sh:Warning ] ;
  sh:property [ sh:path ex:age ; sh:datatype xsd:integer ; sh:minInclusive 0 ;
                sh:maxExclusive 150 ; sh:severity sh:Info ] ;
  sh:property [ sh:path ex:status ; sh:in ( "active" "retired" ex:Unknown ) ] ;
  sh:property [ sh:path ex:label ; sh:languageIn ( "en" "fr" ) ; sh:uniqueLang true ] .
""",
        """
ex:alice a ex:Person ; ex:name "Alice" ; ex:email "alice@example.org" ; ex:age 30 ;
  ex:status "active" ; ex:label "Alice"@en .
ex:bob a ex:Person ; ex:name "B", "Bobby" ; ex:email "bob-at-example" ; ex:age 200 ;
  ex:status "away" ; ex:label "Bob"@en, "Robert"@en, "Bob"@de .
ex:carol a ex:Person ; ex:name 42 ; ex:age "old" ; ex:status ex:Unknown .
ex:dave a ex:Person .
""",
    ),
    "paths": (
        """
ex:SequenceShape a sh:NodeShape ; sh:targetClass ex:Paper ;
  sh:property [ sh:path ( ex:author ex:name ) ; sh:minCount 1 ; sh:datatype xsd:string ] .
ex:InverseShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:property [ sh:path [ sh:inversePath ex:author ] ; sh:maxCount 1 ] .
ex:AlternativeShape a sh:NodeShape ; sh:targetClass ex:Paper ;
  sh:property [ sh:path [ sh:alternativePath ( ex:title rdfs:label ) ] ; sh:minCount 1 ;
                sh:maxCount 1 ] .
ex:ZeroOrMoreShape a sh:NodeShape ; sh:targetNode ex:root ;
  sh:property [ sh:path [ sh:zeroOrMorePath ex:child ] ; sh:class ex:Node ] .
ex:OneOrMoreShape a sh:NodeShape ; sh:targetNode ex:root ;
  sh:property [ sh:path [ sh:oneOrMorePath ex:child ] ; sh:maxCount 2 ] .
ex:ZeroOrOneShape a sh:NodeShape ; sh:targetNode ex:root ;
  sh:property [ sh:path [ sh:zeroOrOnePath ex:child ] ; sh:nodeKind sh:IRI ] .
ex:InverseSequenceShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:property [ sh:path ( [ sh:inversePath ex:author ] ex:title ) ; sh:minLength 5 ] .
""",
        """
ex:p1 a ex:Paper ; ex:author ex:alice ; ex:title "Graphs" ; rdfs:label "G" .
ex:p2 a ex:Paper ; ex:author ex:bob ; ex:title "Shapes of things" .
ex:p3 a ex:Paper ; ex:author ex:alice, ex:nameless .
ex:alice a ex:Person ; ex:name "Alice" .
ex:bob a ex:Person ; ex:name 7 .
ex:nameless a ex:Person .
ex:root a ex:Node ; ex:child ex:c1, [ a ex:Node ] .
ex:c1 a ex:Node ; ex:child ex:c2 .
ex:c2 ex:child "leaf" .
""",
    ),
    "logic": (
        """
ex:NotShape a sh:NodeShape ; sh:targetClass ex:Dataset ;
  sh:not [ sh:property [ sh:path ex:withdrawn ; sh:hasValue true ] ] .
ex:OrShape a sh:NodeShape ; sh:targetClass ex:Dataset ;
  sh:or ( [ sh:path ex:licence ; sh:minCount 1 ] [ sh:path ex:rights ; sh:minCount 1 ] ) .
ex:AndShape a sh:NodeShape ; sh:targetClass ex:Dataset ;
  sh:and ( [ sh:path ex:title ; sh:minCount 1 ] [ sh:path ex:title ; sh:datatype xsd:string ] ) .
ex:XoneShape a sh:NodeShape ; sh:targetClass ex:Dataset ;
  sh:xone ( [ sh:path ex:doi ; sh:minCount 1 ] [ sh:path ex:url ; sh:minCount 1 ] ) .
ex:NodeRefShape a sh:NodeShape ; sh:targetClass ex:Dataset ;
  sh:property [ sh:path ex:creator ; sh:node ex:CreatorShape ] .
ex:CreatorShape a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:Deactivated a sh:NodeShape ; sh:targetClass ex:Dataset ; sh:deactivated true ;
  sh:property [ sh:path ex:never ; sh:minCount 1 ] .
""",
        """
ex:d1 a ex:Dataset ; ex:licence ex:CC0 ; ex:title "One" ; ex:doi "10.1/x" ;
  ex:creator [ ex:name "Ann" ] .
ex:d2 a ex:Dataset ; ex:withdrawn true ; ex:title 2 ; ex:doi "10.1/y" ; ex:url ex:u ;
  ex:creator [ ex:nick "anon" ] .
ex:d3 a ex:Dataset ; ex:rights "all" ; ex:licence ex:CC0 .
""",
    ),
    "qualified-and-closed": (
        """
ex:HandShape a sh:NodeShape ; sh:targetClass ex:Hand ;
  sh:property [ sh:path ex:digit ;
                sh:qualifiedValueShape [ sh:class ex:Thumb ] ;
                sh:qualifiedValueShapesDisjoint true ;
                sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ] ;
  sh:property [ sh:path ex:digit ;
                sh:qualifiedValueShape [ sh:class ex:Finger ] ;
                sh:qualifiedValueShapesDisjoint true ;
                sh:qualifiedMinCount 4 ; sh:qualifiedMaxCount 4 ] .
ex:ClosedShape a sh:NodeShape ; sh:targetClass ex:Point ;
  sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:property [ sh:path ex:x ; sh:datatype xsd:decimal ] ;
  sh:property [ sh:path ex:y ; sh:datatype xsd:decimal ] .
""",
        """
ex:left a ex:Hand ; ex:digit ex:t, ex:f1, ex:f2, ex:f3, ex:f4 .
ex:right a ex:Hand ; ex:digit ex:t2, ex:t3, ex:f5 .
ex:t a ex:Thumb . ex:t2 a ex:Thumb . ex:t3 a ex:Thumb .
ex:f1 a ex:Finger . ex:f2 a ex:Finger . ex:f3 a ex:Finger . ex:f4 a ex:Finger .
ex:f5 a ex:Finger .
ex:origin a ex:Point ; ex:x 0.0 ; ex:y 0.0 .
ex:far a ex:Point ; ex:x 1.5 ; ex:y 2.5 ; ex:z 3.5 ; rdfs:label "far" .
""",
    ),
    "classes-and-pairs": (
        """
ex:LoanShape a sh:NodeShape ; sh:targetClass ex:Loan ;
  sh:property [ sh:path ex:borrower ; sh:class ex:Person ; sh:minCount 1 ] ;
  sh:property [ sh:path ex:start ; sh:lessThan ex:end ] ;
  sh:property [ sh:path ex:lender ; sh:disjoint ex:borrower ] ;
  sh:property [ sh:path ex:ref ; sh:equals ex:id ] ;
  sh:property [ sh:path ex:kind ; sh:hasValue ex:Book ] .
ex:SubjectsShape a sh:NodeShape ; sh:targetSubjectsOf ex:borrower ;
  sh:class ex:Loan .
ex:ObjectsShape a sh:NodeShape ; sh:targetObjectsOf ex:lender ;
  sh:nodeKind sh:IRI ; sh:class ex:Person .
ex:Student rdfs:subClassOf ex:Person .
""",
        """
ex:Student rdfs:subClassOf ex:Person .
ex:l1 a ex:Loan ; ex:borrower ex:sam ; ex:lender ex:lib ; ex:start 1 ; ex:end 2 ;
  ex:ref "A" ; ex:id "A" ; ex:kind ex:Book .
ex:l2 a ex:Loan ; ex:borrower ex:rock ; ex:lender ex:rock, [ a ex:Person ] ; ex:start 5 ;
  ex:end 3 ; ex:ref "B" ; ex:id "C" ; ex:kind ex:Film .
ex:notALoan ex:borrower ex:sam .
ex:sam a ex:Student .
ex:lib a ex:Person .
ex:rock a ex:Stone .
""",
    ),
    "sparql": (
        """
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/ns#"^^xsd:anyURI ] .
ex:TitleShape a sh:NodeShape ; sh:targetClass ex:Book ;
  sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex: ;
              sh:message "{$this} has a title {?value} used by another book" ;
              sh:select \"\"\"
                SELECT $this ?value WHERE {
                  $this ex:title ?value .
                  ?other a ex:Book ; ex:title ?value .
                  FILTER (?other != $this)
                }\"\"\" ] ;
  sh:property [ sh:path ex:pages ;
                sh:sparql [ sh:prefixes ex: ; sh:severity sh:Warning ;
                            sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER (?value < 10) }" ] ] .
""",
        """
ex:b1 a ex:Book ; ex:title "Same" ; ex:pages 5 .
ex:b2 a ex:Book ; ex:title "Same" ; ex:pages 300 .
ex:b3 a ex:Book ; ex:title "Other" ; ex:pages 1, 2 .
""",
    ),
    "conforming": (
        """
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ] .
""",
        """
ex:a a ex:Thing ; ex:name "A" .
[] a ex:Thing ; ex:name "anonymous" .
""",
    ),
    "blank-node-focus": (
        """
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:part ; sh:minCount 2 ] ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ] .
""",
        """
[] a ex:Thing ; ex:part [ ex:n 1 ] .
[] a ex:Thing ; ex:name "x" ; ex:part [ ex:n 2 ], [ ex:n 3 ] .
""",
    ),
}


def text(case: str) -> tuple[str, str]:
    """(shapes, document) of a case, each a complete Turtle text."""
    shapes, document = CASES[case]
    return PREFIXES + "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n" + shapes, (
        PREFIXES + document
    )


def pyshacl_report(shapes: str, document: str) -> tuple[bool, Graph]:
    """pySHACL run directly on the two Turtle texts, with the options of the service (no
    inference, SHACL-AF on, warnings and infos do not break ``conforms``)."""
    data = Graph().parse(data=document, format="turtle")
    shacl = Graph().parse(data=shapes, format="turtle")
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shacl,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    return bool(conforms), report


def _key(graph: Graph, node: Node | None, seen: frozenset = frozenset()) -> str:
    """A term as text; a blank node by what the graph says of it (its ids differ per run)."""
    if node is None:
        return ""
    if not isinstance(node, BNode):
        return node.n3()
    if node in seen or len(seen) > 8:
        return "[…]"
    inner = sorted(
        f"{p.n3()} {_key(graph, o, seen | {node})}" for p, o in graph.predicate_objects(node)
    )
    return "[" + " ; ".join(inner) + "]"


def result_keys(report: Graph) -> Counter:
    """Every result of a SHACL report as (focus, path, value, severity, source shape,
    constraint component), blank nodes normalised."""
    fields = (
        SH.focusNode,
        SH.resultPath,
        SH.value,
        SH.resultSeverity,
        SH.sourceShape,
        SH.sourceConstraintComponent,
    )
    return Counter(
        tuple(_key(report, report.value(result, field)) for field in fields)
        for result in report.subjects(RDF.type, SH.ValidationResult)
    )


def report_conforms(report: Graph) -> bool:
    """The ``sh:conforms`` of a report's one ``sh:ValidationReport``."""
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    return report.value(node, SH.conforms) == Literal(True)
