"""SHACL validation of graphs against shapes/ (and optionally ontology/).

The one entry point most callers need is :class:`Validator`: built once from the
settings, it loads and checks the shapes and the ontology, then validates any number of
data graphs. A :class:`ValidationResult` lists :class:`Finding` objects; it *conforms*
when no finding is a Violation (warnings and infos never stop a load, unlike pySHACL's
own ``conforms`` flag).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph
import pyshacl
from pyshacl.errors import (
    ConstraintLoadError,
    ReportableRuntimeError,
    ShapeLoadError,
    ValidationFailure,
)
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.namespaces import CKG, RDF_LANG_STRING, XSD_STRING
from kg.validation import prepared

if TYPE_CHECKING:
    from kg.settings import Settings

prepared.install()  # pySHACL's SPARQL texts parsed once per process (and its forked workers)

SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


class ShapesError(Exception):
    """A shapes or ontology file cannot be used (syntax error, unusable SHACL)."""

    shape: Node | None = None  # the shape at fault, when known (check_shapes)


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result, in plain strings."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str | None
    component: str

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """Violations first, then by focus node, path, component and value."""
        rank = _SEVERITY_RANK.get(self.severity, len(SEVERITIES))
        return (rank, self.focus, self.path or "", self.component, self.value or "")


@dataclass
class ValidationResult:
    """The findings of one validation run and the SHACL report graph they came from."""

    findings: list[Finding]
    report: Graph = field(repr=False)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    @property
    def infos(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Info"]

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (warnings and infos do not count)."""
        return not self.violations

    def summary(self) -> str:
        """E.g. ``"0 violations, 3 warnings"`` (infos only mentioned when present)."""

        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        parts = [count(len(self.violations), "violation"), count(len(self.warnings), "warning")]
        if self.infos:
            parts.append(count(len(self.infos), "info"))
        return ", ".join(parts)

    def by_shape(self) -> dict[str, int]:
        """Number of findings per source shape (``"?"`` when a result names none)."""
        return dict(Counter(f.shape or "?" for f in self.findings))


# --------------------------------------------------------------------------- loading


def _syntax_error(path: Path, exc: Exception) -> ShapesError:
    line = getattr(exc, "lines", None)  # rdflib's BadSyntax: 0-based line number
    why = getattr(exc, "_why", None)
    if line is None:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) - 1 if match else None
    where = f"{path} line {line + 1}" if line is not None else str(path)
    return ShapesError(f"{where}: {why or str(exc).strip()}")


def load_rdf_dir(directory: str | Path) -> Graph:
    """Parse every ``*.ttl`` file of *directory* (sorted by name) into one graph.

    Raises :class:`ShapesError` naming the file and line of a syntax error, or when the
    directory does not exist.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ShapesError(f"{directory}: not a directory")
    return load_rdf_files(sorted(directory.glob("*.ttl")))


def load_rdf_files(paths: Iterable[Path]) -> Graph:
    """Parse Turtle files into one graph; a syntax error is a ShapesError naming file and line."""
    graph = Graph()
    for path in paths:
        if not path.is_file():
            raise ShapesError(f"{path}: no such file")
        try:
            graph.parse(path, format="turtle")
        except (SyntaxError, ValueError) as exc:  # rdflib's BadSyntax, bad UTF-8…
            raise _syntax_error(path, exc) from exc
    return graph


def load_shapes(shapes_dir: str | Path) -> Graph:
    """The SHACL shapes graph: every ``*.ttl`` of *shapes_dir*."""
    return load_rdf_dir(shapes_dir)


def load_ontology(ontology_dir: str | Path) -> Graph:
    """The ontology graph: every ``*.ttl`` of *ontology_dir*."""
    return load_rdf_dir(ontology_dir)


class _NotPlain(Exception):
    """A term the direct conversion leaves to the N-Triples round trip (RDF 1.2 terms)."""


def to_rdflib(triples_or_quads: Iterable[pyoxigraph.Triple | pyoxigraph.Quad]) -> Graph:
    """Copy pyoxigraph triples or quads into an rdflib graph (graph names are dropped).

    Terms are converted one by one, exactly as rdflib's N-Triples parser reads pyoxigraph's
    N-Triples (which this once did, at several times the cost): each blank node gets a new
    rdflib id, the same throughout one call; a simple literal has no datatype, a literal
    with a language tag no datatype either. Quoted triples and literals with a base
    direction (RDF 1.2) still take the N-Triples round trip.
    """
    triples = [t.triple if isinstance(t, pyoxigraph.Quad) else t for t in triples_or_quads]
    bnodes: dict[str, BNode] = {}

    def term(node):
        if isinstance(node, pyoxigraph.NamedNode):
            return URIRef(node.value)
        if isinstance(node, pyoxigraph.BlankNode):
            known = bnodes.get(node.value)
            if known is None:
                known = bnodes[node.value] = BNode()
            return known
        if isinstance(node, pyoxigraph.Literal) and node.direction is None:
            if node.language is not None:
                return Literal(node.value, lang=node.language)
            datatype = node.datatype.value
            if datatype == XSD_STRING:
                return Literal(node.value)
            if datatype != RDF_LANG_STRING:
                return Literal(node.value, datatype=URIRef(datatype))
        raise _NotPlain(str(node))

    graph = Graph()
    try:
        converted = [(term(t.subject), term(t.predicate), term(t.object)) for t in triples]
    except _NotPlain:
        return _to_rdflib_via_ntriples(triples)
    graph.addN((s, p, o, graph) for s, p, o in converted)
    return graph


def _to_rdflib_via_ntriples(triples: list[pyoxigraph.Triple]) -> Graph:
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = Graph()
    if data:
        graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


# --------------------------------------------------------------------------- validating


def _local_name(node: Node) -> str:
    text = str(node)
    return re.split(r"[#/]", text)[-1] or text


def _path_text(report: Graph, path: Node | None) -> str | None:
    """A result path as text: an IRI, ``^iri`` for an inverse path, ``a/b`` a sequence,
    ``(a|b)`` alternatives, ``a*``, ``a+``, ``a?`` repetitions, else the term."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_path_text(report, inverse)}"
    if isinstance(path, BNode) and report.value(path, RDF.first) is not None:
        return "/".join(_path_text(report, p) or "" for p in Collection(report, path))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        joined = "|".join(_path_text(report, p) or "" for p in Collection(report, alternatives))
        return f"({joined})"
    for predicate, mark in _REPEATS.items():
        inner = report.value(path, predicate)
        if inner is not None:
            text = _path_text(report, inner)
            return f"{text}{mark}" if isinstance(inner, URIRef) else f"({text}){mark}"
    return path.n3()


_REPEATS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def _text(node: Node | None) -> str | None:
    """A term as text: an IRI or a literal's lexical form as is, a blank node as ``_:id``."""
    if node is None:
        return None
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _filled(message: str, terms: dict[str, str | None]) -> str:
    """``{$this}``, ``{$path}`` and ``{$value}`` of a message replaced by the result's terms
    (SHACL core 2.3.3; pySHACL fills them for SPARQL constraints only): an IRI of the
    ontology by its local name (``archiving``), any other term as is. A message that does
    not show the offending value gets it appended, so every finding names what is wrong."""
    for placeholder, term in terms.items():
        if placeholder in message and term is not None:
            message = message.replace(placeholder, term.removeprefix(CKG))
    value = terms["{$value}"]
    if value is not None and value.removeprefix(CKG) not in message:
        message = f"{message} (value: `{value.removeprefix(CKG)}`)"  # name what is wrong
    return message


def findings_from_report(report: Graph) -> list[Finding]:
    """Parse a SHACL validation report graph into sorted findings."""
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        component = report.value(result, SH.sourceConstraintComponent)
        focus = _text(report.value(result, SH.focusNode)) or ""
        path = _path_text(report, report.value(result, SH.resultPath))
        value = _text(report.value(result, SH.value))
        terms = {"{$this}": focus, "{$path}": path, "{$value}": value}
        messages = sorted(_filled(str(m), terms) for m in report.objects(result, SH.resultMessage))
        findings.append(
            Finding(
                severity=_local_name(report.value(result, SH.resultSeverity) or SH.Violation),
                focus=focus,
                path=path,
                value=value,
                message="; ".join(messages),
                shape=_text(report.value(result, SH.sourceShape)),
                component=_local_name(component) if component is not None else "",
            )
        )
    return sorted(findings, key=Finding.sort_key)


def validate(
    data: Graph,
    shapes: Graph,
    ontology: Graph | None = None,
    *,
    inference: str = "none",
    inplace: bool = False,
) -> ValidationResult:
    """Validate *data* against *shapes*; *data* itself is never modified (unless ``inplace``).

    The ontology is mixed in by plain union into a private copy of the data (so that
    ``sh:class`` and ``sh:targetClass`` see ``rdfs:subClassOf``, and inference sees the
    axioms). pySHACL's own ``ont_graph`` mixing is not used: it deep-clones every
    ``owl:NamedIndividual`` recursively, which takes minutes on the SKOS schemes.

    Every target is validated: pySHACL's ``focus_nodes`` also narrows the shapes nested in
    ``sh:not`` (which then fail every value), so callers keep the results they need
    instead (:func:`kg.validation.workers._keep_focus`).

    ``inplace``: *data* is a throwaway graph (e.g. in a process that ends after the run):
    the ontology, inferred triples and SHACL rules go into it, and nothing is copied —
    copying the ontology into every small data graph costs more than validating it.
    """
    if inplace:
        work = data
    else:
        work = Graph()
        work += data
    if ontology is not None:
        work += ontology
    try:
        _, report, _ = pyshacl.validate(
            work,
            shacl_graph=shapes,
            inference=inference,
            inplace=True,  # on our copy: no second copy
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
        )
    except (ShapeLoadError, ConstraintLoadError) as exc:
        raise ShapesError(f"unusable SHACL shapes: {exc}") from exc
    except ReportableRuntimeError as exc:
        raise ShapesError(f"SHACL validation failed: {exc}") from exc
    except TypeError as exc:  # pySHACL compares some incomparable literals by raising
        raise ShapesError(f"SHACL validation could not compare values: {exc}") from exc
    if isinstance(report, ValidationFailure):  # pySHACL returns, not raises, these
        raise ShapesError(f"SHACL validation failed: {report.message}")
    return ValidationResult(findings=findings_from_report(report), report=report)


def check_shapes(shapes: Graph) -> int:
    """Raise :class:`ShapesError` unless pySHACL can load every shape and constraint.

    pySHACL builds constraints lazily, for shapes that have focus nodes; this builds them
    all now (and parses every SPARQL constraint) so that a bad shape fails at start-up.
    Returns the number of shapes; the error's ``shape`` is the shape at fault, if known.
    """
    from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
    from pyshacl.shapes_graph import ShapesGraph
    from rdflib.plugins.sparql import prepareQuery

    shape_node: Node | None = None
    found: list = []
    try:
        found = list(ShapesGraph(shapes).shapes)
        for shape in found:
            shape_node = shape.node
            for parameter in set(shapes.predicates(shape.node)):
                component = CONSTRAINT_PARAMETERS_MAP.get(parameter)
                if component is None:
                    continue
                constraint = component(shape)
                for helper in getattr(constraint, "sparql_constraints", ()):
                    helper.check_invalid_sparql(helper.select_text)  # e.g. no VALUES
                    prepareQuery(helper.apply_prefixes(helper.select_text))
    except Exception as exc:  # pySHACL and rdflib's SPARQL parser raise various kinds
        where = f" in shape {shape_node.n3()}" if shape_node is not None else ""
        error = ShapesError(f"unusable SHACL shapes{where}: {exc}")
        error.shape = shape_node
        raise error from exc
    return len(found)


class Validator:
    """Shapes and ontology loaded once from the settings; validates any number of graphs."""

    def __init__(self, settings: Settings, *, inference: str = "none") -> None:
        self.shapes = load_shapes(settings.shapes_dir)
        self.ontology = load_ontology(settings.ontology_dir)
        self.inference = inference
        check_shapes(self.shapes)

    def shape_names(self) -> list[str]:
        """Every shape that carries a severity, i.e. every constraint a steward can break."""
        return sorted({str(s) for s in self.shapes.subjects(SH.severity, None)})

    def validate(self, data: Graph) -> ValidationResult:
        """Validate *data* against the cached shapes and ontology."""
        return validate(data, self.shapes, self.ontology, inference=self.inference)
