"""The HTML validation report's view: findings grouped, the document back with its lines marked.

Presentation only (the JSON, CSV, text and SHACL reports of :mod:`kg.validation.reports`
are unchanged):

- **Rows** (:func:`sections`): the findings shown, by severity then shape as before, with
  identical findings — the same shape, path, message, severity (and constraint component),
  another focus or value — as one row ("12 records", "12 values") listing its members, each with its line. The
  counts of the headings stay the counts of every finding.
- **The document** (:func:`document`): the submitted text line by line, each line that
  carries findings marked with its worst severity and links to its rows. Up to
  :data:`FULL_LINES` lines it is shown whole; beyond, only the lines with findings and
  :data:`CONTEXT` lines around each, with the number left out. A line longer than
  :data:`MAX_LINE_CHARS` characters is cut, saying how many are left out.

Rows have ids ``F<n>``, lines ``L<n>``: a finding links to ``#L<n>``, a line to ``#F<n>``.
The template escapes every text (Jinja autoescape); nothing here builds HTML.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kg.validation.shapes import SEVERITIES

#: Documents up to this many lines are shown whole.
FULL_LINES = 5000
#: Lines shown before and after each line with findings in a longer document.
CONTEXT = 3
#: A line is cut after this many characters.
MAX_LINE_CHARS = 5000
#: Members of a group shown before its <details>.
FIRST_MEMBERS = 3

_KEY = ("severity", "shape", "path", "message", "component")


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def rows(findings: list[dict]) -> list[dict[str, Any]]:
    """Findings (as in ``Report.to_dict()["findings"]``) with identical ones grouped, in
    the order each group is first found; ids ``F1``, ``F2``… in that order."""
    groups: dict[tuple, list[dict]] = {}
    for finding in findings:
        groups.setdefault(tuple(finding.get(k) for k in _KEY), []).append(finding)
    out = []
    for number, members in enumerate(groups.values(), start=1):
        first = members[0]
        foci = {m["focus"] for m in members}
        values = {m.get("value") for m in members}
        kind = "records" if len(foci) > 1 else "values" if len(values) > 1 else "findings"
        ordered = sorted(members, key=lambda m: (m.get("line") is None, m.get("line") or 0))
        lines = sorted({m["line"] for m in members if m.get("line")})
        out.append(
            {
                **{k: first.get(k) for k in _KEY},
                "id": f"F{number}",
                "count": len(members),
                "kind": kind,
                "focus": first["focus"] if len(foci) == 1 else None,
                "value": first.get("value") if len(values) == 1 else None,
                "members": ordered,
                "first": ordered[:FIRST_MEMBERS],
                "rest": ordered[FIRST_MEMBERS:],
                "lines": lines,
            }
        )
    return out


def sections(findings_shown: list[dict], all_findings: list) -> list[dict[str, Any]]:
    """Severity sections (each with its shapes and their rows), counted over every
    finding (``all_findings``: objects with ``severity`` and ``shape``), rows of those shown."""
    grouped = rows(findings_shown)
    counts = Counter((f.severity, f.shape or "?") for f in all_findings)
    out = []
    for severity in SEVERITIES:
        shapes = Counter({s: n for (sev, s), n in counts.items() if sev == severity})
        if not shapes:
            continue
        out.append(
            {
                "severity": severity,
                "count": sum(shapes.values()),
                "shapes": [
                    {
                        "shape": shape,
                        "count": count,
                        "rows": [
                            r
                            for r in grouped
                            if r["severity"] == severity and (r["shape"] or "?") == shape
                        ],
                    }
                    for shape, count in sorted(shapes.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
            }
        )
    return out


def _notes(grouped: list[dict]) -> dict[int, list[dict]]:
    """For each line, the rows of its findings (once each), the most severe first."""
    notes: dict[int, list[dict]] = {}
    for row in grouped:
        for line in row["lines"]:
            notes.setdefault(line, []).append(row)
    for found in notes.values():
        found.sort(key=lambda r: _rank(r["severity"]))
    return notes


def _shown_lines(total: int, marked: set[int]) -> list[int]:
    """Every line up to :data:`FULL_LINES`; beyond, the marked lines and their context."""
    if total <= FULL_LINES:
        return list(range(1, total + 1))
    keep: set[int] = set()
    for line in marked:
        keep.update(range(max(1, line - CONTEXT), min(total, line + CONTEXT) + 1))
    return sorted(keep)


def _line(number: int, text: str, notes: list[dict]) -> dict[str, Any]:
    cut = max(0, len(text) - MAX_LINE_CHARS)
    return {
        "number": number,
        "text": text[:MAX_LINE_CHARS] if cut else text,
        "cut": cut,
        "severity": notes[0]["severity"] if notes else None,
        "notes": notes,
    }


def document(text: str, grouped: list[dict]) -> dict[str, Any] | None:
    """The document's lines to show (with ``{"gap": n}`` where lines are left out) and
    their findings; None without a text (a named graph of the store)."""
    if not text:
        return None
    lines = text.splitlines()
    notes = {n: found for n, found in _notes(grouped).items() if 1 <= n <= len(lines)}
    items: list[dict[str, Any]] = []
    previous = 0
    for number in _shown_lines(len(lines), set(notes)):
        if number > previous + 1:
            items.append({"gap": number - previous - 1})
        items.append(_line(number, lines[number - 1], notes.get(number, [])))
        previous = number
    if previous < len(lines):
        items.append({"gap": len(lines) - previous})
    return {
        "total": len(lines),
        "marked": len(notes),
        "left_out": sum(item.get("gap", 0) for item in items),
        "items": items,
        "lines": set(notes),
    }


def view(data: dict, all_findings: list, text: str) -> dict[str, Any]:
    """What ``validate_report.html`` draws besides ``data``: sections and the document."""
    found = sections(data["findings"], all_findings)
    grouped = [row for s in found for shape in s["shapes"] for row in shape["rows"]]
    return {"sections": found, "document": document(text, grouped)}
