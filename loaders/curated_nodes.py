"""``data/nodes.yaml``: the ELIXIR Nodes and their dated, sourced status facts.

The file is curated by this project (format in its header): ``sources`` (key → title,
url, date) and ``nodes``, each with a code, a name, a type, a country and a list of
status facts. Each fact becomes one membership of the Node in ELIXIR,
``<base>node/<CODE>/membership/<n>`` (``n`` = position in the list), so a later status
is appended and never replaces an earlier one. Malformed YAML is a :class:`LoadError`
naming file, line and column; a missing required field is a :class:`LoadError` naming
the file, the Node and the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kg.namespaces import DCAT, ORG, RDF_TYPE, Iris, ckg, dct, schema, xsd
from loaders.common import LINE_KEY, Collector, LoadError, Triples, as_text, read_yaml

#: ``status`` values of nodes.yaml → membership status concepts.
STATUSES = {
    "member": ckg.memberStatus,
    "provisional-member": ckg.provisionalMemberStatus,
    "observer": ckg.observerStatus,
}
NODE_TYPES = ("national", "intergovernmental-organisation")
ELIXIR_KEY, HUB_KEY = "elixir", "elixir-hub"

CODE = re.compile(r"^(?:[A-Z]{2}|EMBL)$")
DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
YEAR = re.compile(r"^\d{4}$")

org_member = ox.NamedNode(ORG + "member")
org_organization = ox.NamedNode(ORG + "organization")
org_role = ox.NamedNode(ORG + "role")
org_member_during = ox.NamedNode(ORG + "memberDuring")
org_unit_of = ox.NamedNode(ORG + "unitOf")
org_Organization = ox.NamedNode(ORG + "Organization")
org_OrganizationalUnit = ox.NamedNode(ORG + "OrganizationalUnit")
org_Membership = ox.NamedNode(ORG + "Membership")
dcat_start_date = ox.NamedNode(DCAT + "startDate")


class NodesReader(Collector):
    """Reads nodes.yaml: ELIXIR, its Hub, the Nodes and their memberships in ELIXIR."""

    def __init__(self, iris: Iris):
        super().__init__()
        self.iris = iris
        self.nodes: dict[str, dict[str, Any]] = {}  # code → YAML entry
        self.node_where: dict[str, str] = {}  # code → "nodes.yaml:<line>", for issues
        self.names: dict[str, str] = {}  # "elixir cyprus" → CY (labels matched by Node name)
        self.elixir = iris.organisation(ELIXIR_KEY)
        self.hub = iris.organisation(HUB_KEY)

    def read_nodes(self, path: Path) -> None:
        self.read_nodes_text(path.read_text(encoding="utf-8"), str(path))

    def read_nodes_text(self, text: str, where_file: str) -> None:
        data = read_yaml(text, where_file)
        if not isinstance(data, dict):
            raise LoadError(f"{where_file}: expected a mapping with 'sources' and 'nodes'")
        sources = self.read_sources(data.get("sources"), where_file)
        nodes = data.get("nodes")
        if not isinstance(nodes, list) or not nodes:
            raise LoadError(f"{where_file}: field 'nodes': expected a non-empty list of Nodes")
        add = self.out.add
        add(self.elixir, RDF_TYPE, org_Organization)
        add(self.elixir, schema.name, "ELIXIR")
        add(self.hub, RDF_TYPE, org_OrganizationalUnit)
        add(self.hub, schema.name, "ELIXIR Hub")
        add(self.hub, org_unit_of, self.elixir)
        for position, entry in enumerate(nodes, start=1):
            self.read_node(entry, position, sources, where_file)
        self.stats["nodes"] = len(self.nodes)

    def read_sources(self, raw: Any, where_file: str) -> dict[str, ox.NamedNode]:
        if not isinstance(raw, dict) or not set(raw) - {LINE_KEY}:
            raise LoadError(f"{where_file}: field 'sources': expected a mapping of source keys")
        sources: dict[str, ox.NamedNode] = {}
        for key, item in raw.items():
            if key == LINE_KEY:
                continue
            line = item.get(LINE_KEY) if isinstance(item, dict) else raw[LINE_KEY]
            where = f"{where_file}:{line}"
            if not isinstance(item, dict):
                raise LoadError(f"{where}: source {key!r}: expected a mapping (title, url, date)")
            for field in ("title", "url"):
                if not as_text(item.get(field)):
                    raise LoadError(f"{where}: source {key!r}: missing required field {field!r}")
            url = http_iri(as_text(item["url"]))
            if url is None:
                raise LoadError(f"{where}: source {key!r}: field 'url' is not an http(s) IRI")
            self.out.add(url, dct.title, as_text(item["title"]))
            date = as_text(item.get("date"))
            if date is not None:
                self.out.add(url, dct.date, _date(date, where, f"source {key!r}", "date"))
            sources[str(key)] = url
        self.stats["sources"] = len(sources)
        return sources

    def read_node(
        self, entry: Any, position: int, sources: dict[str, ox.NamedNode], where_file: str
    ) -> None:
        if not isinstance(entry, dict):
            raise LoadError(f"{where_file}: Node #{position}: expected a mapping")
        where = f"{where_file}:{entry[LINE_KEY]}"
        code, name = as_text(entry.get("code")), as_text(entry.get("name"))
        label = f"Node {code!r}" if code else f"Node #{position}" + (f" ({name!r})" if name else "")
        country = self.check_node(entry, code, where, label)
        self.nodes[code] = entry
        self.node_where[code] = f"{Path(where_file).name}:{entry[LINE_KEY]}"
        assert name is not None
        self.names[name.lower()] = code
        node = self.iris.node(code)
        self.record_line(node, entry[LINE_KEY])
        add = self.out.add
        add(node, RDF_TYPE, ckg.Node)
        add(node, dct.identifier, code)
        add(node, schema.name, name)
        add(node, ckg.country, country)
        for n, fact in enumerate(entry["status"], start=1):
            at = f"{where_file}:{fact[LINE_KEY]}" if isinstance(fact, dict) else where
            self.read_status(node, n, fact, sources, at, label)

    def check_node(self, entry: dict, code: str | None, where: str, label: str) -> str | None:
        """Check a Node's required fields, code, type and country; return the country."""
        for field in ("code", "name", "status"):
            if entry.get(field) in (None, "", []):
                raise LoadError(f"{where}: {label}: missing required field {field!r}")
        assert code is not None
        if not CODE.match(code):
            raise LoadError(f"{where}: {label}: field 'code' must match {CODE.pattern}")
        if code in self.nodes:
            raise LoadError(f"{where}: {label}: code {code!r} is used by two Nodes")
        kind = as_text(entry.get("type"))
        if kind not in NODE_TYPES:
            raise LoadError(
                f"{where}: {label}: field 'type' must be one of {', '.join(NODE_TYPES)}"
            )
        country = as_text(entry.get("country"))
        if kind == "national" and country != code:
            raise LoadError(
                f"{where}: {label}: field 'country' of a national Node must be {code!r}"
            )
        if kind != "national" and country is not None:
            raise LoadError(f"{where}: {label}: an {kind} has no 'country' (null)")
        if not isinstance(entry["status"], list):
            raise LoadError(f"{where}: {label}: field 'status' must be a list of status facts")
        return country

    def read_status(
        self,
        node: ox.NamedNode,
        n: int,
        fact: Any,
        sources: dict[str, ox.NamedNode],
        where: str,
        label: str,
    ) -> None:
        what = f"{label}, status #{n}"
        if not isinstance(fact, dict):
            raise LoadError(f"{where}: {what}: expected a mapping (status, since, source)")
        for field in ("status", "source"):
            if fact.get(field) in (None, "", []):
                raise LoadError(f"{where}: {what}: missing required field {field!r}")
        status = as_text(fact["status"])
        if status not in STATUSES:
            raise LoadError(
                f"{where}: {what}: field 'status' is {status!r}, not one of {', '.join(STATUSES)}"
            )
        cited = self.cited_sources(fact["source"], sources, where, what)
        membership = self.iris.membership(node, n)
        add = self.out.add
        add_membership(self.out, membership, node, self.elixir, STATUSES[status])
        since = as_text(fact.get("since"))
        if since is not None:
            period = ox.NamedNode(membership.value + "#period")
            add(membership, org_member_during, period)
            add(period, RDF_TYPE, dct.PeriodOfTime)
            add(period, dcat_start_date, _date(since, where, what, "since", year=False))
        else:
            self.stats["status facts without a date"] += 1
        for source in cited:
            add(membership, dct.source, source)
        self.stats["memberships of Nodes"] += 1

    @staticmethod
    def cited_sources(
        raw: Any, sources: dict[str, ox.NamedNode], where: str, what: str
    ) -> list[ox.NamedNode]:
        """The sources a status fact cites (one key or a list of keys of ``sources``)."""
        keys = raw if isinstance(raw, list) else [raw]
        cited = []
        for key in keys:
            if as_text(key) not in sources:
                raise LoadError(
                    f"{where}: {what}: field 'source': {key!r} is not a key of 'sources'"
                )
            cited.append(sources[as_text(key)])
        return cited


def add_membership(
    out: Triples,
    membership: ox.NamedNode,
    member: ox.NamedNode,
    organisation: ox.NamedNode,
    role: ox.NamedNode,
) -> None:
    """``membership``: an org:Membership of ``member`` in ``organisation`` with ``role``."""
    out.add(membership, RDF_TYPE, org_Membership)
    out.add(membership, RDF_TYPE, ckg.Membership)
    out.add(membership, org_member, member)
    out.add(membership, org_organization, organisation)
    out.add(membership, org_role, role)


def http_iri(value: str | None) -> ox.NamedNode | None:
    """An http(s) IRI, percent-encoding spaces and the like; None when impossible."""
    if not value or not value.startswith(("http://", "https://")):
        return None
    try:
        return ox.NamedNode(value)
    except ValueError:
        try:
            return ox.NamedNode(quote(value, safe=":/?#[]@!$&'()*+,;=%~"))
        except ValueError:
            return None


def _date(text: str, where: str, what: str, field: str, year: bool = True) -> ox.Literal:
    """YYYY-MM-DD → xsd:date, YYYY-MM → xsd:gYearMonth (YYYY → xsd:gYear where allowed)."""
    if DATE.match(text):
        return ox.Literal(text, datatype=xsd.date)
    if YEAR_MONTH.match(text):
        return ox.Literal(text, datatype=xsd.gYearMonth)
    if year and YEAR.match(text):
        return ox.Literal(text, datatype=xsd.gYear)
    forms = "YYYY, YYYY-MM or YYYY-MM-DD" if year else "YYYY-MM or YYYY-MM-DD"
    raise LoadError(f"{where}: {what}: field {field!r} is {text!r}, not {forms}")
