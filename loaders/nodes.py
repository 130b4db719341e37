"""ELIXIR Nodes: curated membership facts and the node map's institutes, as one named graph.

Reads two files:

- ``data/nodes.yaml`` (curated by this project, format in its header): the Nodes, each with a
  list of dated, sourced status facts. Each fact becomes one membership of the Node in ELIXIR,
  ``<base>node/<CODE>/membership/<n>`` (``n`` = position in the list), so a later status is
  appended and never replaces an earlier one.
- the ELIXIR node map (``institutes.geojson``, a FeatureCollection of points whose properties
  are ``node``, ``name``, ``website``, ``role``, ``location``): one institute per feature,
  ``<base>institute/<slug of name>``, with its coordinates, website and its membership in its
  Node (role lead / member / hub).

The node map's labels are normalised (``ELIXIR-XX`` → XX, ``ELIXIR-Cyprus`` → CY,
``ELIXIR-SP`` → ES, ``ELIXIR-UK`` → GB, ``EMBL-EBI`` → EMBL, ``ELIXIR Hub`` → the Hub, which is
an organisational unit of ELIXIR and not a Node); every normalisation and every other quirk
(unknown labels, duplicate features, missing websites, Nodes without exactly one lead
institute) is reported as an :class:`Issue`. Malformed YAML or JSON is a :class:`LoadError`
naming file, line and column; a missing required field is a :class:`LoadError` naming the
file, the Node and the field. The store is never touched here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kg.namespaces import DCAT, ORG, RDF_TYPE, Iris, ckg, dct, schema, xsd
from loaders.common import (
    LINE_KEY,
    Collector,
    LoadError,
    SourceData,
    as_text,
    checksum,
    read_json,
    read_yaml,
)

#: The node map, as the source of every institute membership (the concept scheme of
#: institute roles cites the same IRI).
NODE_MAP = "https://github.com/elixir-europe/elixir-node-map"

#: ``status`` values of nodes.yaml → membership status concepts.
STATUSES = {
    "member": ckg.memberStatus,
    "provisional-member": ckg.provisionalMemberStatus,
    "observer": ckg.observerStatus,
}
#: ``role`` values of the node map → institute role concepts.
ROLES = {
    "lead": ckg.leadInstituteRole,
    "member": ckg.memberInstituteRole,
    "hub": ckg.hubInstituteRole,
}
NODE_TYPES = ("national", "intergovernmental-organisation")

#: Node-map labels that are not ``ELIXIR-<ISO code>``: label suffix → Node code.
LABEL_ALIASES = {"SP": "ES", "UK": "GB"}
EMBL_LABEL, EMBL_CODE = "EMBL-EBI", "EMBL"
HUB_LABEL = "ELIXIR Hub"
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


@dataclass(frozen=True)
class _Target:
    """What a node-map label stands for: a Node (``code``), the Hub, or nothing known."""

    code: str | None = None
    hub: bool = False


def read(nodes_yaml: str | Path, geojson: str | Path, iris: Iris) -> SourceData:
    """Read the curated Nodes and the node map into triples for the nodes graph."""
    nodes_yaml, geojson = Path(nodes_yaml), Path(geojson)
    for path in (nodes_yaml, geojson):
        if not path.is_file():
            raise LoadError(f"{path}: file not found")
    reader = _Reader(iris)
    reader.read_nodes(nodes_yaml)
    reader.read_map(geojson)
    reader.link_leads()
    return reader.source_data("nodes", str(geojson.resolve()), checksum([nodes_yaml, geojson]))


def read_nodes_text(text: str, name: str, iris: Iris) -> SourceData:
    """One nodes.yaml document alone (no node map: no institutes), as triples."""
    reader = _Reader(iris)
    reader.read_nodes_text(text, name)
    return reader.source_data("nodes", name, "")


class _Reader(Collector):
    def __init__(self, iris: Iris):
        super().__init__()
        self.iris = iris
        self.nodes: dict[str, dict[str, Any]] = {}  # code → YAML entry
        self.node_where: dict[str, str] = {}  # code → "nodes.yaml:<line>", for issues
        self.names: dict[str, str] = {}  # "elixir cyprus" → CY (labels matched by Node name)
        self.leads: dict[str, list[ox.NamedNode]] = {}  # code → lead institutes on the map
        self.elixir = iris.organisation(ELIXIR_KEY)
        self.hub = iris.organisation(HUB_KEY)

    # -- nodes.yaml --------------------------------------------------------------

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
            url = _iri(as_text(item["url"]))
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
        keys = fact["source"] if isinstance(fact["source"], list) else [fact["source"]]
        cited = []
        for key in keys:
            if as_text(key) not in sources:
                raise LoadError(
                    f"{where}: {what}: field 'source': {key!r} is not a key of 'sources'"
                )
            cited.append(sources[as_text(key)])
        membership = self.iris.membership(node, n)
        add = self.out.add
        add(membership, RDF_TYPE, org_Membership)
        add(membership, RDF_TYPE, ckg.Membership)
        add(membership, org_member, node)
        add(membership, org_organization, self.elixir)
        add(membership, org_role, STATUSES[status])
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

    # -- node map ----------------------------------------------------------------

    def read_map(self, path: Path) -> None:
        where_file = str(path)
        data = read_json(path.read_text(encoding="utf-8"), where_file, parse_float=Decimal)
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise LoadError(f"{where_file}: expected a GeoJSON FeatureCollection with 'features'")
        targets: dict[str, _Target] = {}
        seen: dict[tuple, tuple[int, ox.NamedNode]] = {}  # feature content → first index, IRI
        used: set[str] = set()
        for index, feature in enumerate(features):
            where = f"{path.name}: features[{index}]"  # issues name the file, errors its path
            props = feature.get("properties") if isinstance(feature, dict) else None
            if not isinstance(props, dict):
                raise LoadError(f"{where_file}: features[{index}]: feature without 'properties'")
            name = as_text(props.get("name"))
            if not name:
                raise LoadError(f"{where_file}: features[{index}]: missing required field 'name'")
            label = as_text(props.get("node")) or ""
            if label not in targets:
                targets[label] = self.resolve_label(label, path.name)
            target = targets[label]
            role = as_text(props.get("role"))
            website = as_text(props.get("website"))
            point = self.coordinates(feature.get("geometry"), where, name)
            content = (name, target, role, website, point)
            if content in seen:
                first, iri = seen[content]
                self.issue(
                    "duplicate-institute",
                    where,
                    f"{name!r} ({label}) repeats features[{first}] exactly; read once as <{iri.value}>",
                )
                self.stats["duplicate features"] += 1
                continue
            duplicate = 1
            institute = self.iris.institute(name)
            while institute.value in used:
                duplicate += 1
                institute = self.iris.institute(name, duplicate)
            if duplicate > 1:
                self.issue(
                    "institute-name-collision",
                    where,
                    f"{name!r} ({label}): another institute already has IRI "
                    f"<{self.iris.institute(name).value}>; minted <{institute.value}>",
                )
            used.add(institute.value)
            seen[content] = (index, institute)
            self.emit_institute(institute, name, props, website, point, target, label, where)
        self.stats["map features"] = len(features)
        self.stats["institutes"] = len(used)

    def resolve_label(self, label: str, file_name: str) -> _Target:
        """The Node (or the Hub) a node-map label stands for; unusual labels are reported."""
        where = f"{file_name}: node {label!r}"
        if label == HUB_LABEL:
            self.issue(
                "hub-not-a-node",
                where,
                f"{label!r} is the ELIXIR Hub, an organisational unit of ELIXIR, not a Node: "
                f"its institutes belong to <{self.hub.value}>",
            )
            return _Target(hub=True)
        code = None
        if label == EMBL_LABEL:
            code = EMBL_CODE
        elif label.startswith("ELIXIR-"):
            suffix = label.removeprefix("ELIXIR-")
            if re.fullmatch(r"[A-Z]{2}", suffix):
                code = LABEL_ALIASES.get(suffix, suffix)
            else:
                code = self.names.get(label.replace("-", " ").lower())
        if code is None or code not in self.nodes:
            self.issue(
                "unknown-node-label",
                where,
                f"{label!r} matches no Node of nodes.yaml; its institutes are kept without a Node",
            )
            return _Target()
        if label != f"ELIXIR-{code}":
            self.issue("node-label-normalised", where, f"{label!r} read as Node {code}")
        return _Target(code=code)

    def coordinates(self, geometry: Any, where: str, name: str) -> tuple[Decimal, Decimal] | None:
        """(latitude, longitude) of a GeoJSON Point ([longitude, latitude]), else reported."""
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if (
            not isinstance(geometry, dict)
            or geometry.get("type") != "Point"
            or not isinstance(coords, list)
            or len(coords) < 2
        ):
            self.issue("institute-without-coordinates", where, f"{name!r}: no GeoJSON Point")
            return None
        try:
            lon, lat = (Decimal(str(c)) for c in coords[:2])
            valid = lat.is_finite() and lon.is_finite() and -90 <= lat <= 90 and -180 <= lon <= 180
        except (InvalidOperation, TypeError):
            valid = False
        if not valid:
            self.issue("invalid-coordinates", where, f"{name!r}: coordinates {coords!r} left out")
            return None
        return lat, lon

    def emit_institute(
        self,
        institute: ox.NamedNode,
        name: str,
        props: dict[str, Any],
        website: str | None,
        point: tuple[Decimal, Decimal] | None,
        target: _Target,
        label: str,
        where: str,
    ) -> None:
        add = self.out.add
        add(institute, RDF_TYPE, ckg.Institute)
        add(institute, schema.name, name)
        if website is None:
            state = "empty" if "website" in props else "missing"
            self.issue("institute-without-website", where, f"{name!r} ({label}): website {state}")
            self.stats["institutes without website"] += 1
        else:
            add(institute, schema.url, self.url(website, where, name))
        if point is not None:
            lat, lon = point
            add(institute, schema.latitude, ox.Literal(_decimal(lat), datatype=xsd.decimal))
            add(institute, schema.longitude, ox.Literal(_decimal(lon), datatype=xsd.decimal))
        add(institute, schema.address, as_text(props.get("location")))
        role_text = as_text(props.get("role"))
        role = ROLES.get(role_text or "")
        if role is None:
            self.issue("unknown-institute-role", where, f"{name!r}: role {role_text!r} left out")
        organisation = (
            self.hub if target.hub else (self.iris.node(target.code) if target.code else None)
        )
        if organisation is None or role is None:
            return
        membership = self.iris.membership(institute, 1)
        add(membership, RDF_TYPE, org_Membership)
        add(membership, RDF_TYPE, ckg.Membership)
        add(membership, org_member, institute)
        add(membership, org_organization, organisation)
        add(membership, org_role, role)
        add(membership, dct.source, ox.NamedNode(NODE_MAP))
        self.stats["memberships of institutes"] += 1
        if role_text == "lead" and target.code:
            self.leads.setdefault(target.code, []).append(institute)

    def url(self, value: str, where: str, name: str) -> ox.NamedNode | None:
        node = _iri(value)
        if node is None:
            self.issue("invalid-url", where, f"{name!r}: website {value!r} is not an IRI; left out")
        return node

    # -- lead institutes ---------------------------------------------------------------

    def link_leads(self) -> None:
        for code, entry in self.nodes.items():
            leads = self.leads.get(code, [])
            if len(leads) == 1:
                self.out.add(self.iris.node(code), ckg.leadInstitute, leads[0])
                self.stats["lead institutes linked"] += 1
                continue
            named = as_text(entry.get("lead_institute"))
            curated = f"nodes.yaml names {named!r}" if named else "nodes.yaml names none"
            found = ", ".join(f"<{i.value}>" for i in leads) or "none"
            self.issue(
                "lead-institute-not-linked",
                self.node_where[code],
                f"Node {code}: {len(leads)} lead institutes on the node map ({found}); "
                f"{curated}; ckg:leadInstitute left out",
            )


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


def _iri(value: str | None) -> ox.NamedNode | None:
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


def _decimal(value: Decimal) -> str:
    """A canonical-enough xsd:decimal lexical form (never an exponent)."""
    text = format(value, "f")
    return text if "." in text else text + ".0"
