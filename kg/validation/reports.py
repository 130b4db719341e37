"""Validation reports in every format: SHACL (Turtle, JSON-LD), flat JSON, CSV, text, HTML rows.

A report shows at most ``limit`` findings (Violations first); the rest are counted, never
silently dropped: ``"more": N`` in JSON, a last CSV row ``# N more findings not shown``,
a last text line, and in the SHACL report the findings shown plus
``ckgsh:omittedResults N`` on the ``sh:ValidationReport`` node.

A report may carry the RDMkit contribution its outcome offers
(:mod:`kg.validation.contribution`): ``"rdmkit"`` in JSON, a block of the text report and of
the HTML page; the standard formats (SHACL Turtle and JSON-LD, CSV) leave it out.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass

from rdflib import RDF, SH, BNode, Graph, Literal, Namespace, URIRef

from kg.namespaces import PREFIXES
from kg.validation.checker import Outcome
from kg.validation.contribution import Contribution
from kg.validation.shapes import SEVERITIES, Finding

CKGSH = Namespace("https://w3id.org/elixir-converge/shapes#")
REPORT_FORMATS = ("json", "csv", "turtle", "jsonld", "text", "html")
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "text": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
CSV_COLUMNS = ("severity", "focus", "path", "value", "message", "shape", "component", "line")


@dataclass
class Report:
    """What a report shows: the outcome, the findings shown, how many more there are."""

    outcome: Outcome
    limit: int
    rdmkit: Contribution | None = None  # the tool-list entry offered, if any

    @property
    def findings(self) -> list[Finding]:
        return self.outcome.result.findings

    @property
    def shown(self) -> list[Finding]:
        return self.findings[: self.limit]

    @property
    def more(self) -> int:
        return max(0, len(self.findings) - self.limit)

    def row(self, finding: Finding) -> dict:
        document = self.outcome.document
        line = document.line_of_finding(finding.focus, finding.path, finding.value)
        row = {**finding.to_dict(), "line": line}
        field = document.field_of_finding(finding.focus, finding.value)
        return {**row, "field": field} if field else row

    def counts(self) -> dict[str, int]:
        found = Counter(f.severity for f in self.findings)
        return {s: found.get(s, 0) for s in SEVERITIES}

    def groups(self) -> list[dict]:
        """Findings shown, grouped by severity then source shape, with counts of all."""
        out = []
        for severity in SEVERITIES:
            of_severity = [f for f in self.findings if f.severity == severity]
            if not of_severity:
                continue
            shapes = Counter(f.shape or "?" for f in of_severity)
            shown = [f for f in self.shown if f.severity == severity]
            out.append(
                {
                    "severity": severity,
                    "count": len(of_severity),
                    "shapes": [
                        {
                            "shape": shape,
                            "count": count,
                            "rows": [self.row(f) for f in shown if (f.shape or "?") == shape],
                        }
                        for shape, count in sorted(shapes.items(), key=lambda kv: (-kv[1], kv[0]))
                    ],
                }
            )
        return out

    def to_dict(self) -> dict:
        result = self.outcome.result
        out = {
            "conforms": result.conforms,
            "summary": result.summary(),
            "profile": self.outcome.profile,
            "mode": "in-context" if self.outcome.in_context else "standalone",
            "document": {
                "name": self.outcome.document.name,
                "format": self.outcome.document.format,
                "triples": len(self.outcome.document.triples),
                "graph": self.outcome.document.source_graph,
            },
            "focus_nodes": len(self.outcome.focus),
            "context_triples": self.outcome.context_triples,
            "counts": self.counts(),
            "total": len(self.findings),
            "limit": self.limit,
            "more": self.more,
            "findings": [self.row(f) for f in self.shown],
        }
        if self.rdmkit is not None:
            out["rdmkit"] = self.rdmkit.to_dict()
        return out

    # -- serialisations ------------------------------------------------------------

    def json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for finding in self.shown:
            row = self.row(finding)
            writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
        if self.more:
            writer.writerow([f"# {self.more} more findings not shown (limit {self.limit})"])
        return out.getvalue()

    def text(self) -> str:
        lines = []
        for finding in self.shown:
            row = self.row(finding)
            at = f" (line {row['line']})" if row["line"] else ""
            if row.get("field"):
                at = f" (line {row['line']}, field {row['field']})"
            path = f" {finding.path}" if finding.path else ""
            value = f" = {finding.value}" if finding.value else ""
            lines.append(f"{finding.severity}: {finding.focus}{at}{path}{value}: {finding.message}")
        if self.more:
            lines.append(f"… {self.more} more findings not shown (limit {self.limit})")
        if self.rdmkit is not None:
            lines.append(self.rdmkit.text().rstrip("\n"))
        verdict = "conforms" if self.outcome.result.conforms else "does not conform"
        mode = "in context" if self.outcome.in_context else "standalone"
        lines.append(
            f"{self.outcome.document.name}: {verdict} ({self.outcome.result.summary()};"
            f" profile {self.outcome.profile}, {mode})"
        )
        return "\n".join(lines) + "\n"

    def shacl_graph(self) -> Graph:
        """The SHACL report with the findings shown (and ``ckgsh:omittedResults``)."""
        report = self.outcome.result.report
        if not self.more:
            graph = report
        else:
            keep = _results_shown(report, self.limit)
            graph = Graph()
            for s, p, o in report:
                if p == SH.result and o not in keep:
                    continue
                graph.add((s, p, o))
            _drop_unreachable(graph, report, keep)
            for node in graph.subjects(RDF.type, SH.ValidationReport):
                graph.add((node, CKGSH.omittedResults, Literal(self.more)))
        for prefix in ("sh", "xsd", "rdf"):
            graph.bind(prefix, URIRef(PREFIXES[prefix]))
        graph.bind("ckgsh", CKGSH)
        return graph

    def turtle(self) -> str:
        return self.shacl_graph().serialize(format="turtle")

    def jsonld(self) -> str:
        return self.shacl_graph().serialize(format="json-ld", indent=2)

    def render(self, fmt: str) -> str:
        return getattr(self, fmt)()


def _results_shown(report: Graph, limit: int) -> set:
    """The sh:ValidationResult nodes of the first ``limit`` findings (in finding order)."""
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    ranked = sorted(results, key=lambda r: _rank(report, r))
    return set(ranked[:limit])


def _rank(report: Graph, result) -> tuple:
    severity = str(report.value(result, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1]
    rank = SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
    return (rank, str(report.value(result, SH.focusNode)), str(report.value(result, SH.resultPath)))


def _drop_unreachable(graph: Graph, report: Graph, keep: set) -> None:
    """Remove the results not kept, and the blank nodes only they used (their paths)."""
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if result in keep:
            continue
        stack = [result]
        seen = set()
        while stack:  # bounded: each node once
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            for _, p, o in list(graph.triples((node, None, None))):
                graph.remove((node, p, o))
                if isinstance(o, BNode) and p not in (SH.focusNode, SH.value):
                    stack.append(o)
