"""The HTML validation report, over plain HTTP (api/validate_report.py and its templates).

The report page shows the submitted document back, line by line, with exactly the lines of
the JSON report's findings (``line``) marked, each linking to its findings' rows and each
row to its line; identical findings (same shape, path, message, severity) are one row with
its members; every text of the document is escaped; a long document keeps only the lines
with findings and their context; a named graph has no text to show. Messages are never
compared (the shapes change): only structure, lines and counts.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
import requests

from api import create_app
from api.validate_report import CONTEXT, FULL_LINES, MAX_LINE_CHARS, rows
from kg.store import open_store
from tests.support.servers import Served

TIMEOUT = 60
PREFIXES = (
    "@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .\n"
    "@prefix schema: <https://schema.org/> .\n"
)
RESOURCE = "https://w3id.org/elixir-converge/resource/"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
HOSTILE = ["</textarea><script>alert(1)</script>", "\"quotes'", "{{7*7}}", "<b>bold</b>"]
GRAPH = "https://w3id.org/elixir-converge/graph/report-page-test"


def twelve(name: str = "Steward tool") -> str:
    """Twelve toolkit resources, each without its RDMkit id (and more), a blank line apart."""
    blocks = [
        f'<{RESOURCE}steward-{i:02d}> a ckg:ToolkitResource ;\n    schema:name "{name} {i}" .\n'
        for i in range(1, 13)
    ]
    return PREFIXES + "\n" + "\n".join(blocks)


class ReportPage(HTMLParser):
    """The report as a browser shows it: the document's lines (marked or not, their notes'
    links), the rows of findings (ids, group counts, line links), gaps, scripts."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: dict[int, dict] = {}  # number → {"marked", "severity", "text", "notes"}
        self.rows: dict[str, dict] = {}  # F<n> → {"count", "group", "links", "member_links"}
        self.gaps: list[int] = []
        self.scripts = 0
        self.details = 0
        self._table: list[str] = []
        self._line: int | None = None
        self._row: str | None = None
        self._members = False
        self._cell = 0
        self._text: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "script":
            self.scripts += 1
        elif tag == "table":
            self._table.append(classes[0] if classes else "")
        elif tag == "tr":
            self._tr(a.get("id") or "", classes)
        elif tag in ("td", "th"):
            self._cell += 1
            if self._table[-1:] == ["source"] and self._cell == 2:
                self._text = []
        elif tag == "a" and a.get("href", "").startswith("#"):
            self._link(a["href"][1:])
        elif tag == "details" and self._members:
            self.details += 1

    def _tr(self, ident: str, classes: list[str]) -> None:
        self._cell = 0
        if self._table[-1:] == ["source"]:
            self._members = False
            if "gap" in classes:
                self._text = []
            if re.fullmatch(r"L\d+", ident):
                self._line = int(ident[1:])
                severity = [c[4:] for c in classes if c.startswith("sev-")]
                self.lines[self._line] = {
                    "marked": "marked" in classes,
                    "severity": severity[0] if severity else None,
                    "text": "",
                    "notes": [],
                }
        elif self._table[-1:] == ["findings"]:
            self._members = "members" in classes
            if re.fullmatch(r"F\d+", ident):
                self._row = ident
                group = "group" in classes
                self.rows[ident] = {"group": group, "links": [], "member_links": []}

    def _link(self, target: str) -> None:
        if self._table[-1:] == ["source"] and self._line is not None:
            self.lines[self._line]["notes"].append(target)
        elif self._table[-1:] == ["findings"] and self._row:
            key = "member_links" if self._members else "links"
            self.rows[self._row][key].append(target)

    def handle_endtag(self, tag):
        if tag == "table" and self._table:
            self._table.pop()
        elif tag in ("td",) and self._text is not None:
            text, self._text = "".join(self._text), None
            if text.strip().startswith("…"):
                self.gaps.append(int(re.search(r"[\d,]+", text).group().replace(",", "")))
            elif self._line is not None:
                self.lines[self._line]["text"] = text

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def marked(self) -> set[int]:
        return {n for n, line in self.lines.items() if line["marked"]}


@pytest.fixture(scope="module")
def base(settings):
    """The app over a small store: nothing but one named graph (a standalone validation
    needs no graph)."""
    store = open_store("memory")
    triples = ox.parse(twelve().encode(), format=ox.RdfFormat.TURTLE)
    store.load([ox.Triple(t.subject, t.predicate, t.object) for t in triples], ox.NamedNode(GRAPH))
    served = Served()
    yield served(create_app(settings=settings, store=store))
    served.close()


def validate(base: str, report: str, **data) -> requests.Response:
    data = {"profile": "toolkit-resource", "report": report, **data}
    response = requests.post(base + "/validate", data=data, timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:2000]
    return response


def both(base: str, text: str, **data) -> tuple[dict, ReportPage, str]:
    """The JSON report and the HTML page of the same document."""
    report = validate(base, "json", text=text, **data).json()
    html = validate(base, "html", text=text, **data)
    assert html.headers["Content-Type"].startswith("text/html")
    page = ReportPage(html.text)
    assert page.scripts == 0
    return report, page, html.text


def check_links(report: dict, page: ReportPage) -> None:
    """Each marked line links to rows, each of which links back to that line; each row
    links only to marked lines; a finding's line is linked from its row."""
    lines = {f["line"] for f in report["findings"] if f["line"]}
    assert page.marked() == lines
    for number in lines:
        notes = page.lines[number]["notes"]
        assert notes and all(target in page.rows for target in notes), (number, notes)
        for target in notes:
            row = page.rows[target]
            assert f"L{number}" in row["links"] + row["member_links"], (number, target)
    for ident, row in page.rows.items():
        linked = {int(t[1:]) for t in row["links"] + row["member_links"]}
        assert linked and linked <= lines, ident


def test_the_lines_of_the_findings_are_marked_exactly(base):
    document = twelve() + (
        f"\n<{RESOURCE}steward-broken> a ckg:ToolkitResource ;\n"
        '    schema:name "One" , "Two" ;\n'
        '    ckg:fairsharingId "not a FAIRsharing id" .\n'
    )
    report, page, _ = both(base, document)
    assert report["findings"] and not report["more"]
    assert sorted(page.lines) == list(range(1, len(document.splitlines()) + 1))
    for number, line in enumerate(document.splitlines(), start=1):
        assert page.lines[number]["text"] == line
    check_links(report, page)
    sizes = Counter(
        (f["shape"], f["path"], f["message"], f["severity"], f["component"])
        for f in report["findings"]
    )
    assert len(page.rows) == len(sizes)  # the twelve alike are groups, the rest single rows
    assert sorted(r["group"] for r in page.rows.values()) == sorted(n > 1 for n in sizes.values())
    assert sum(n == 1 for n in sizes.values()) >= 2
    worst = {}
    for finding in report["findings"]:  # Violation < Warning < Info in order of severity
        order = ("Violation", "Warning", "Info")
        line, severity = finding["line"], finding["severity"]
        if line and (line not in worst or order.index(severity) < order.index(worst[line])):
            worst[line] = severity
    assert {n: page.lines[n]["severity"] for n in worst} == worst


def test_identical_findings_are_one_row_of_their_members(base):
    report, page, html = both(base, twelve())
    subjects = [n for n, line in enumerate(twelve().splitlines(), 1) if line.startswith("<")]
    assert len(subjects) == 12
    missing = [f for f in report["findings"] if f["path"] == IDENTIFIER]
    assert len(missing) == 12 and {f["line"] for f in missing} == set(subjects)
    # one row per (shape, path, message, severity, component): here, every kind of finding 12 times
    kinds = {
        (f["shape"], f["path"], f["message"], f["severity"], f["component"])
        for f in report["findings"]
    }
    assert len(page.rows) == len(kinds)
    for ident, row in page.rows.items():
        assert row["group"], ident
        assert sorted(int(t[1:]) for t in row["member_links"]) == subjects
    groups = re.findall(r'class="finding group" data-count="(\d+)"', html)
    assert groups == ["12"] * len(kinds) and page.details == len(kinds)
    assert re.search(r"<strong>12 records</strong>", html)
    # the headings keep the real counts
    for severity, count in report["counts"].items():
        if count:
            assert re.search(
                rf'id="severity-{severity}">{severity} <span class="count">\({count}\)', html
            )
    check_links(report, page)


def test_values_of_one_record_are_grouped_as_values(base):
    """Whatever the shapes' messages say: the rows are the JSON's findings grouped."""
    document = PREFIXES + f"<{RESOURCE}many-urls> a ckg:ToolkitResource ;\n"
    document += "".join(f'    schema:url "not an IRI {i}" ;\n' for i in range(4))
    document += '    schema:name "Many URLs" .\n'
    report, page, html = both(base, document)
    check_links(report, page)
    by_key: dict[tuple, list] = {}
    for f in report["findings"]:
        key = (f["shape"], f["path"], f["message"], f["severity"], f["component"])
        by_key.setdefault(key, []).append(f)
    assert len(page.rows) == len(by_key)
    for members in by_key.values():
        if len(members) > 1:
            assert len({m["focus"] for m in members}) == 1
            assert f"<strong>{len(members)} values</strong>" in html


def finding(focus: str, value: str | None, line: int, message: str = "m") -> dict:
    return {
        "severity": "Violation",
        "shape": "S",
        "path": "P",
        "message": message,
        "component": "C",
        "focus": focus,
        "value": value,
        "line": line,
    }


def test_rows_group_values_records_and_keep_the_rest_apart():
    found = [
        finding("a", "3", 9),
        finding("a", "1", 2),
        finding("a", "2", 5),
        finding("b", None, 7, message="r"),
        finding("c", None, 1, message="r"),
        finding("a", "1", 2, message="another"),
    ]
    values, records, single = rows(found)
    assert [r["id"] for r in (values, records, single)] == ["F1", "F2", "F3"]
    assert (values["kind"], values["count"], values["focus"]) == ("values", 3, "a")
    assert values["value"] is None  # the values differ: each member has its own
    assert [m["line"] for m in values["members"]] == values["lines"] == [2, 5, 9]
    assert (records["kind"], records["count"], records["focus"]) == ("records", 2, None)
    assert (single["count"], single["value"], single["lines"]) == (1, "1", [2])


def test_the_document_is_escaped(base):
    document = twelve(" ".join(HOSTILE).replace('"', '\\"'))
    report, page, html = both(base, document)
    assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
    shown = "\n".join(page.lines[n]["text"] for n in sorted(page.lines))
    assert shown == document.rstrip("\n")
    for text in ("</textarea><script>alert(1)</script>", "{{7*7}}", "<b>bold</b>"):
        assert text in shown
    assert "49" not in shown
    check_links(report, page)


def test_a_long_document_keeps_the_lines_of_its_findings_and_their_context(base):
    filler = [f"# filler line {i}" for i in range(FULL_LINES)]
    document = "\n".join(filler[:2000]) + "\n" + twelve() + "\n".join(filler[2000:]) + "\n"
    total = len(document.splitlines())
    long_line = "# " + "x" * (MAX_LINE_CHARS + 123)
    document = document.replace("# filler line 10\n", long_line + "\n", 1)
    report, page, html = both(base, document)
    check_links(report, page)
    marked = page.marked()
    expected = {n for m in marked for n in range(max(1, m - CONTEXT), min(total, m + CONTEXT) + 1)}
    assert set(page.lines) == expected
    assert sum(page.gaps) == total - len(expected) > 0
    assert f"{total - len(expected):,} lines are left out" in " ".join(html.split())
    # a whole document, not over the limit, with a line too long to show whole
    short = "\n".join([long_line, *twelve().splitlines()]) + "\n"
    report, page, html = both(base, short)
    assert len(page.lines) == len(short.splitlines()) and not page.gaps
    assert page.lines[1]["text"] == long_line[:MAX_LINE_CHARS] + " … 125 more characters"


def test_a_named_graph_has_no_document_to_show(base):
    response = validate(base, "html", graph=GRAPH)
    page = ReportPage(response.text)
    assert not page.lines and page.rows and 'id="document-heading"' not in response.text
    assert all(not row["links"] and not row["member_links"] for row in page.rows.values())


def test_the_other_reports_are_unchanged(base):
    text = twelve()
    report = validate(base, "json", text=text).json()
    assert len(report["findings"]) == report["total"]  # one finding each, no grouping
    assert all(set(f) >= {"line", "focus", "value", "message"} for f in report["findings"])
    csv_rows = validate(base, "csv", text=text).text.strip().splitlines()
    assert len(csv_rows) == report["total"] + 1
