"""The broken-fixture machinery shared by the SHACL tests (a helper module, not collected).

A shapes file is tested against a valid fixture graph (its baseline), which conforms with zero
findings, and a table of :class:`Case` rows. Each row breaks one constraint with a SPARQL
Update on a copy of the baseline and must give exactly one finding with the expected severity,
constraint component, source shape, result path and focus node, and a message that says what
the row expects it to say (:func:`check_case`). As in every real validation, the ontology is
mixed into the data graph: the checks of scheme values read the schemes there. The table must
cover the constraints of the file exactly (:func:`uncovered`), and every constraint must carry
its own message and severity (:func:`constraints_without_message_or_severity`); a SPARQL
constraint runs behind a SPARQL target that selects the offending nodes alone
(:func:`sparql_without_sparql_target`).

Names in a row are written ``prefix:local`` with the prefixes of the test module's ``ns``
mapping, as ``<iri>``, or as :data:`BLANK` for a blank focus node. A result path may be an
inverse step (``^org:member``) and a sequence, its steps separated by ``/`` or by spaces
(``^org:member/org:role``, ``ckg:period dcat:endDate``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import SH, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.settings import Settings
from kg.validation.shapes import load_ontology, validate

CKGSH = Namespace("https://w3id.org/elixir-converge/shapes#")
SHAPES_DIR = Path(Settings.load(environ={}).shapes_dir)
BLANK = "_:"  # expected focus: a blank node


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    """One row of a broken-fixture table: an update that breaks exactly one constraint."""

    shape: str  # local name in ckgsh:
    component: str  # short name: "MinCount" for sh:MinCountConstraintComponent
    update: str  # SPARQL Update that breaks exactly this constraint
    focus: str  # prefixed name, <iri>, or BLANK
    path: str | None
    severity: str = "Violation"
    variant: str = ""
    says: tuple[str, ...] = ()  # what the message must contain: the bad value, the allowed ones

    @property
    def id(self) -> str:
        return "/".join(filter(None, (self.shape, self.component, self.variant)))


# SPARQL Update snippets that change one thing of a valid fixture.
def add(s: str, p: str, o: str) -> str:
    """Insert the triple ``s p o``."""
    return f"INSERT DATA {{ {s} {p} {o} }}"


def drop(s: str, p: str) -> str:
    """Delete every value of ``s p``."""
    return f"DELETE WHERE {{ {s} {p} ?old }}"


def replace(s: str, p: str, o: str) -> str:
    """Replace every value of ``s p`` by ``o``."""
    return f"DELETE {{ {s} {p} ?old }} INSERT {{ {s} {p} {o} }} WHERE {{ {s} {p} ?old }}"


# --------------------------------------------------------------------------- names


def sparql_prefixes(ns: Mapping[str, str]) -> str:
    """The ``PREFIX`` lines of a SPARQL request for the prefixes of ``ns``."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in ns.items())


def expand(name: str, ns: Mapping[str, str]) -> str:
    """``res:galaxy`` or ``<iri>`` → the full IRI; ``^name`` → ``^`` and the full IRI."""
    if name.startswith("^"):
        return "^" + expand(name[1:], ns)
    if name.startswith("<"):
        return name[1:-1]
    prefix, local = name.split(":", 1)
    return ns[prefix] + local


_PATH_STEP = re.compile(r"\^?(?:<[^>]*>|[^\s/<>]+)")


def expand_path(path: str, ns: Mapping[str, str]) -> str:
    """A result path as kg.validation writes it: steps expanded, a sequence joined by ``/``."""
    return "/".join(expand(step, ns) for step in _PATH_STEP.findall(path))


# --------------------------------------------------------------------------- breaking


def broken(baseline: Graph, update: str, ns: Mapping[str, str]) -> Graph:
    """A copy of ``baseline`` changed by ``update`` (which must change something)."""
    graph = Graph()
    for triple in baseline:
        graph.add(triple)
    graph.update(sparql_prefixes(ns) + update)
    assert set(graph) != set(baseline), "the update changed nothing"
    return graph


@cache
def ontology() -> Graph:
    """The ontology (ontology/*.ttl), as every profile mixes it into the data graph."""
    return load_ontology(Settings.load(environ={}).ontology_dir)


def check_case(case: Case, shapes: Graph, baseline: Graph, ns: Mapping[str, str]) -> None:
    """Validating ``baseline`` broken by the case gives exactly the finding the case expects.

    The ontology is mixed into the data, as in every profile. One finding, with the case's
    severity, component, shape, path and focus (any blank node for :data:`BLANK`), and one
    message: the shape's own, its placeholders filled in, containing each of ``case.says``.
    """
    result = validate(broken(baseline, case.update, ns), shapes, ontology())
    assert len(result.findings) == 1, [f.to_dict() for f in result.findings]
    (finding,) = result.findings
    blank = case.focus == BLANK and finding.focus.startswith("_:")
    got = (
        finding.severity,
        finding.component,
        finding.shape,
        finding.path,
        BLANK if blank else finding.focus,
    )
    expected = (
        case.severity,
        case.component + "ConstraintComponent",
        str(CKGSH[case.shape]),
        expand_path(case.path, ns) if case.path else None,
        BLANK if case.focus == BLANK else expand(case.focus, ns),
    )
    assert got == expected, f"(severity, component, shape, path, focus) {got} != {expected}"
    message = finding.message
    assert message and "{$" not in message and "{?" not in message, message
    messages = list(result.report.objects(None, SH.resultMessage))
    assert len(messages) == 1, "one message per result: the shape's own"
    missing = [text for text in case.says if text not in message]
    assert missing == [], f"the message does not say {missing}: {message}"


# --------------------------------------------------------------------------- the shapes

# SHACL parameters that make a shape hold a constraint, and the ones that do not.
CONSTRAINT_PARAMETERS = {
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
    "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "languageIn",
    "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or",
    "xone", "node", "qualifiedValueShape", "closed", "hasValue", "in", "sparql",
}  # fmt: skip
OTHER_SHACL_PREDICATES = {
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target", "property",
    "path", "severity", "message", "name", "description", "order", "group", "deactivated",
    "declare", "prefixes", "prefix", "namespace", "select", "flags", "ignoredProperties",
    "inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath",
}  # fmt: skip


def shapes_file(name: str) -> Graph:
    """The shapes of one file of the shapes folder (``nodes.shapes.ttl``)."""
    return Graph().parse(SHAPES_DIR / name, format="turtle")


def component_name(parameter: str) -> str:
    """Short component name of a parameter, as the SHACL spec names them."""
    return "SPARQL" if parameter == "sparql" else parameter[0].upper() + parameter[1:]


def nested_shapes(shapes: Graph) -> set[Node]:
    """Shapes used inside sh:not, sh:or… : their outer shape reports, with its message."""
    nested: set[Node] = set()
    for p in (SH["not"], SH.node, SH.qualifiedValueShape):
        nested.update(shapes.objects(None, p))
    for p in (SH["or"], SH["and"], SH.xone):
        for head in shapes.objects(None, p):
            nested.update(Collection(shapes, head))
    return nested


def shape_constraints(shapes: Graph) -> dict[Node, set[str]]:
    """Every reporting shape that holds a constraint → its constraint parameters."""
    found: dict[Node, set[str]] = {}
    nested = nested_shapes(shapes)
    for s, p in set(shapes.subject_predicates()):
        if s in nested or not str(p).startswith(str(SH)):
            continue
        name = str(p)[len(str(SH)) :]
        if name in CONSTRAINT_PARAMETERS:
            found.setdefault(s, set()).add(name)
        else:
            assert name in OTHER_SHACL_PREDICATES, f"teach shapecases.py about sh:{name}"
    return found


def uncovered(shapes: Graph, cases: Iterable[Case]) -> list[str]:
    """Where a table and the constraints of ``shapes`` differ, one line each (none: ``[]``).

    A constraint is (shape's local name in ckgsh:, short component name); a line names a
    constraint without a row in the table, or a row for a constraint ``shapes`` lacks.
    """
    in_shapes = {
        (str(shape).removeprefix(str(CKGSH)), component_name(parameter))
        for shape, parameters in shape_constraints(shapes).items()
        for parameter in parameters
    }
    covered = {(case.shape, case.component) for case in cases}
    return [f"constraint without a row: {c}" for c in sorted(in_shapes - covered)] + [
        f"row for a constraint that does not exist: {c}" for c in sorted(covered - in_shapes)
    ]


def constraints_without_message_or_severity(shapes: Graph) -> list[str]:
    """What is wrong with the constraint shapes of ``shapes``, one line each (none: ``[]``).

    A shape holding a constraint is named in ckgsh:, has one sh:severity (Violation, Warning
    or Info) and one sh:message; a SPARQL constraint sits in a shape of its own, with the
    message on its sh:sparql node.
    """
    offenders = []
    for shape, parameters in sorted(shape_constraints(shapes).items()):
        name = shape.n3(shapes.namespace_manager)
        if not (isinstance(shape, URIRef) and str(shape).startswith(str(CKGSH))):
            offenders.append(f"{name}: a shape with constraints must be named in ckgsh:")
        severities = list(shapes.objects(shape, SH.severity))
        if len(severities) != 1 or severities[0] not in {SH.Violation, SH.Warning, SH.Info}:
            offenders.append(f"{name}: needs one sh:severity (Violation, Warning or Info)")
        own_messages = list(shapes.objects(shape, SH.message))
        if "sparql" in parameters:
            for constraint in shapes.objects(shape, SH.sparql):
                if len(list(shapes.objects(constraint, SH.message))) != 1:
                    offenders.append(f"{name}: its sh:sparql needs one sh:message")
            if own_messages:
                offenders.append(f"{name}: put the sh:message on the sh:sparql node only")
        elif len(own_messages) != 1:
            offenders.append(f"{name}: needs one sh:message")
        if "sparql" in parameters and len(parameters) > 1:
            offenders.append(f"{name}: keep a SPARQL constraint in a shape of its own")
    return offenders


def sparql_without_sparql_target(shapes: Graph) -> list[str]:
    """The shapes of ``shapes`` with a SPARQL constraint but no SPARQL target, one line each.

    pySHACL runs a SPARQL constraint once per focus node, parsing its text each time (~40 ms):
    over a whole class that is minutes. Behind a SPARQL target that selects the offending
    nodes alone (one query), the constraint runs only where it reports.
    """
    offenders = []
    for shape in sorted(set(shapes.subjects(SH.sparql, None))):
        targets = list(shapes.objects(shape, SH.target))
        kinds = {str(p) for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf)}
        kinds.add(str(SH.targetObjectsOf))
        core = [p for p in shapes.predicates(shape) if str(p) in kinds]
        if core or not any(shapes.value(t, SH.select) is not None for t in targets):
            offenders.append(f"{shape.n3(shapes.namespace_manager)}: needs a SPARQL target only")
    return offenders
