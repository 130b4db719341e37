"""The ELIXIR node map (``institutes.geojson``): institutes and their Node memberships.

The map is a FeatureCollection of points whose properties are ``node``, ``name``,
``website``, ``role``, ``location``: one institute per feature,
``<base>institute/<slug of name>``, with its coordinates, website and its membership in
its Node (role lead / member / hub). It is read after nodes.yaml (loaders/curated_nodes.py),
whose Nodes its labels name.

The node map's labels are normalised (``ELIXIR-XX`` → XX, ``ELIXIR-Cyprus`` → CY,
``ELIXIR-SP`` → ES, ``ELIXIR-UK`` → GB, ``EMBL-EBI`` → EMBL, ``ELIXIR Hub`` → the Hub, which is
an organisational unit of ELIXIR and not a Node); every normalisation and every other quirk
(unknown labels, duplicate features, missing websites, Nodes without exactly one lead
institute) is reported as an :class:`Issue`. Malformed JSON is a :class:`LoadError` naming
file, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE, Iris, ckg, dct, schema, xsd
from loaders.common import LoadError, as_text, read_json
from loaders.curated_nodes import NodesReader, add_membership, http_iri

#: The node map, as the source of every institute membership (the concept scheme of
#: institute roles cites the same IRI).
NODE_MAP = "https://github.com/elixir-europe/elixir-node-map"

#: ``role`` values of the node map → institute role concepts.
ROLES = {
    "lead": ckg.leadInstituteRole,
    "member": ckg.memberInstituteRole,
    "hub": ckg.hubInstituteRole,
}

#: Node-map labels that are not ``ELIXIR-<ISO code>``: label suffix → Node code.
LABEL_ALIASES = {"SP": "ES", "UK": "GB"}
EMBL_LABEL, EMBL_CODE = "EMBL-EBI", "EMBL"
HUB_LABEL = "ELIXIR Hub"


@dataclass(frozen=True)
class _Target:
    """What a node-map label stands for: a Node (``code``), the Hub, or nothing known."""

    code: str | None = None
    hub: bool = False


class NodeMapReader(NodesReader):
    """Reads the node map on top of nodes.yaml (call :meth:`read_nodes` first)."""

    def __init__(self, iris: Iris):
        super().__init__(iris)
        self.leads: dict[str, list[ox.NamedNode]] = {}  # code → lead institutes on the map

    def read_map(self, path: Path) -> None:
        features = _features(path)
        targets: dict[str, _Target] = {}
        seen: dict[tuple, tuple[int, ox.NamedNode]] = {}  # feature content → first index, IRI
        used: set[str] = set()
        for index, feature in enumerate(features):
            where = f"{path.name}: features[{index}]"  # issues name the file, errors its path
            props, name = _properties(feature, f"{path}: features[{index}]")
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
            institute = self.mint_institute(name, label, used, where)
            used.add(institute.value)
            seen[content] = (index, institute)
            self.emit_institute(institute, name, props, website, point, target, label, where)
        self.stats["map features"] = len(features)
        self.stats["institutes"] = len(used)

    def mint_institute(self, name: str, label: str, used: set[str], where: str) -> ox.NamedNode:
        """The institute's IRI: from its name, numbered when another institute has it."""
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
        return institute

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
        add_membership(self.out, membership, institute, organisation, role)
        add(membership, dct.source, ox.NamedNode(NODE_MAP))
        self.stats["memberships of institutes"] += 1
        if role_text == "lead" and target.code:
            self.leads.setdefault(target.code, []).append(institute)

    def url(self, value: str, where: str, name: str) -> ox.NamedNode | None:
        node = http_iri(value)
        if node is None:
            self.issue("invalid-url", where, f"{name!r}: website {value!r} is not an IRI; left out")
        return node

    # -- lead institutes ---------------------------------------------------------------

    def link_leads(self) -> None:
        """``ckg:leadInstitute`` of each Node with exactly one lead institute on the map."""
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


def _features(path: Path) -> list:
    """The features of the node map's GeoJSON FeatureCollection."""
    where_file = str(path)
    data = read_json(path.read_text(encoding="utf-8"), where_file, parse_float=Decimal)
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise LoadError(f"{where_file}: expected a GeoJSON FeatureCollection with 'features'")
    return features


def _properties(feature: Any, where: str) -> tuple[dict[str, Any], str]:
    """A feature's properties and its institute's name (both required)."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(props, dict):
        raise LoadError(f"{where}: feature without 'properties'")
    name = as_text(props.get("name"))
    if not name:
        raise LoadError(f"{where}: missing required field 'name'")
    return props, name


def _decimal(value: Decimal) -> str:
    """A canonical-enough xsd:decimal lexical form (never an exponent)."""
    text = format(value, "f")
    return text if "." in text else text + ".0"
