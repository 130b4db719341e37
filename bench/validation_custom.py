"""Your-own-shapes validation (kg.validation.custom) beside pySHACL run directly.

The W3C SHACL core test suite's cases are small graphs checked against a few shapes; this
workload grows such a case: one shapes graph (node and property shapes, a sequence and an
inverse path, ``sh:not``, a qualified value shape, a closed shape, datatypes, patterns,
``sh:in``) and a document of ``n`` people, one in ten broken, for ``n`` in 10, 100, 1,000.
The service parses both texts, checks the shapes and validates in its worker; the plain run
is ``pyshacl.validate`` on the same graphs, parsed beforehand.
"""

from __future__ import annotations

from rdflib import Graph

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/ns#> .
"""

SHAPES = (
    PREFIXES
    + """
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:closed true ; sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ) ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ] ;
  sh:property [ sh:path ex:email ; sh:pattern "^[^@]+@[^@]+$" ] ;
  sh:property [ sh:path ex:age ; sh:datatype xsd:integer ; sh:minInclusive 0 ] ;
  sh:property [ sh:path ex:role ; sh:in ( ex:steward ex:trainer ex:developer ) ] ;
  sh:property [ sh:path ( ex:worksAt ex:country ) ; sh:minCount 1 ] ;
  sh:property [ sh:path ex:worksAt ; sh:not [ sh:class ex:Person ] ;
                sh:qualifiedValueShape [ sh:class ex:Institute ] ; sh:qualifiedMinCount 1 ] .
ex:InstituteShape a sh:NodeShape ; sh:targetClass ex:Institute ;
  sh:property [ sh:path [ sh:inversePath ex:worksAt ] ; sh:minCount 1 ] .
"""
)


def document(n: int) -> str:
    lines = [PREFIXES]
    for k in range(n):
        bad = k % 10 == 9
        role = "ex:astronaut" if bad else "ex:steward"
        email = "nobody" if bad else f"p{k}@example.org"
        lines.append(
            f'ex:p{k} a ex:Person ; ex:name "Person {k}" ; ex:email "{email}" ; ex:age {k % 90} ;'
            f" ex:role {role} ; ex:worksAt ex:i{k % 7} ."
        )
    for i in range(7):
        lines.append(f"ex:i{i} a ex:Institute ; ex:country ex:c{i % 3} .")
    return "\n".join(lines) + "\n"


def graphs(n: int) -> tuple[Graph, Graph]:
    return Graph().parse(data=SHAPES, format="turtle"), Graph().parse(
        data=document(n), format="turtle"
    )
