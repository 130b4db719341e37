"""RDMkit's tool and resource list (``_data/tool_and_resource_list.yml``).

One resource per entry (``id``, ``name``, ``description``, ``url``, ``registry``), with
its links to bio.tools, FAIRsharing and TeSS. Quirks are reported as :class:`Issue`
objects (duplicate and case-variant ids, ``NA`` registry values, FAIRsharing values
written as full DOIs or YAML numbers, URLs that are not https or not IRIs). The
registry and URL readers serve the pages' national resources too.

:func:`read_entry_text` reads ONE entry as a steward submits it for validation (the
``toolkit-resource`` profile's YAML): stricter than the list, every field it cannot take
is a :class:`LoadError` naming the line and the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE, Iris, ckg, dct, schema
from loaders.catalogue_format import KEY_LINES, Entry
from loaders.catalogue_format import _KeyLineLoader as KeyLineLoader
from loaders.common import (
    LINE_KEY,
    Collector,
    LoadError,
    SourceData,
    YamlNumber,
    as_text,
    read_yaml,
    relative_where,
)

TOOL_LIST = Path("_data") / "tool_and_resource_list.yml"

REGISTRIES = {
    "biotools": ckg.biotoolsRegistry,
    "fairsharing": ckg.fairsharingRegistry,
    "tess": ckg.tessRegistry,
}
NOT_REGISTERED = "NA"
FAIRSHARING_DOI = re.compile(
    r"^(?:https?://doi\.org/)?10\.25504/FAIRsharing\.([0-9A-Za-z]+)$", re.I
)
FAIRSHARING_SUFFIX = re.compile(r"^[0-9A-Za-z]+$")
FAIRSHARING_SUFFIX_LENGTH = 6  # 10.25504/FAIRsharing.<6 characters>
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
#: The fields of an entry, and the registries RDMkit's own check (var/tools_validator.py)
#: allows; this graph models every one but a FAIRsharing collection.
ENTRY_FIELDS = {"description", "id", "name", "registry", "url"}
RDMKIT_REGISTRIES = ("biotools", "fairsharing", "fairsharing-coll", "tess")


class ResourceReader(Collector):
    """Reads the resource list of the RDMkit checkout at ``root``; keeps the ids."""

    def __init__(self, root: Path, iris: Iris):
        super().__init__()
        self.root = root
        self.iris = iris
        self.resource_ids: dict[str, ox.NamedNode] = {}
        self.resource_ids_lower: dict[str, list[str]] = {}

    def where(self, path: Path, line: int | None = None) -> str:
        return relative_where(path, self.root, line)

    def read_tools(self, path: Path) -> None:
        entries = read_yaml(path.read_text(encoding="utf-8"), self.where(path))
        if not isinstance(entries, list):
            raise LoadError(f"{self.where(path)}: expected a list of resources")
        first_line: dict[str, int] = {}
        for entry in entries:
            line = entry.get(LINE_KEY) if isinstance(entry, dict) else None
            where = self.where(path, line)
            if not isinstance(entry, dict) or not as_text(entry.get("id")):
                raise LoadError(f"{where}: resource entry without an 'id'")
            rid = as_text(entry["id"])
            if not as_text(entry.get("name")):
                raise LoadError(f"{where}: field 'name': resource {rid!r} has no name")
            if rid in first_line:
                self.issue(
                    "duplicate-id",
                    where,
                    f"resource id {rid!r} already defined at line {first_line[rid]}"
                    f" (kept the first: {self._name_of(rid)!r}; dropped {entry['name']!r})",
                )
                continue
            first_line[rid] = line or 0
            self.emit_resource(rid, entry, where)
        for ids in self.resource_ids_lower.values():
            if len(ids) > 1:
                self.issue(
                    "case-variant-ids",
                    self.where(path),
                    f"resource ids differ only in case: {', '.join(ids)}",
                )
        self.stats["resources"] = len(self.resource_ids)
        self.stats["resource entries"] = len(entries)

    def _name_of(self, rid: str) -> str:
        node = self.resource_ids[rid]
        for t in self.out.items:
            if t.subject == node and t.predicate == schema.name:
                return t.object.value
        return rid

    def emit_resource(self, rid: str, entry: dict, where: str) -> None:
        node = self.iris.resource(rid)
        self.resource_ids[rid] = node
        self.resource_ids_lower.setdefault(rid.lower(), []).append(rid)
        add = self.out.add
        add(node, RDF_TYPE, ckg.ToolkitResource)
        add(node, dct.identifier, rid)
        add(node, schema.name, as_text(entry["name"]))
        add(node, schema.description, as_text(entry.get("description")))
        add(node, schema.url, self.url(entry.get("url"), where, f"resource {rid!r}"))
        self.emit_registry(node, entry.get("registry"), where, f"resource {rid!r}")

    def resolve_resource(self, rid: str, where: str, field: str, owner: str) -> ox.NamedNode | None:
        """The resource ``rid`` cited by ``owner``'s ``field`` (a case variant is reported)."""
        node = self.resource_ids.get(rid)
        if node is not None:
            return node
        variants = self.resource_ids_lower.get(rid.lower(), [])
        if len(variants) == 1:
            self.issue(
                f"{field}-case",
                where,
                f"{owner}: {field} {rid!r} matches resource {variants[0]!r} only ignoring case",
            )
            return self.resource_ids[variants[0]]
        self.issue(
            f"dangling-{field.replace('_', '-')}",
            where,
            f"{owner}: {field} {rid!r} is not a resource id",
        )
        return None

    # -- registries ------------------------------------------------------------

    def emit_registry(self, node: ox.NamedNode, registry: Any, where: str, what: str) -> None:
        if registry is None:
            return
        if not isinstance(registry, dict):
            raise LoadError(f"{where}: field 'registry' of {what} must be a mapping")
        add = self.out.add
        for key, raw in registry.items():
            if key == LINE_KEY:
                continue
            value = as_text(raw)
            if key not in REGISTRIES:
                self.issue("unknown-registry", where, f"{what}: unknown registry {key!r}")
                continue
            if value is None:
                self.issue("empty-registry-value", where, f"{what}: {key} has no value")
                continue
            if value == NOT_REGISTERED:
                add(node, ckg.notRegisteredIn, REGISTRIES[key])
                self.stats[f"{key} NA"] += 1
                self.issue(
                    "not-registered",
                    where,
                    f"{what}: {key} is 'NA' (checked, not registered)",
                )
            elif key == "biotools":
                add(node, ckg.biotoolsId, value)
                if re.fullmatch(r"[-.0-9A-Za-z_]+", value):
                    add(node, ckg.biotoolsRecord, ox.NamedNode("https://bio.tools/" + value))
                else:
                    self.issue("odd-biotools-id", where, f"{what}: bio.tools id {value!r}")
                self.stats["biotools links"] += 1
            elif key == "fairsharing":
                add(node, ckg.fairsharingId, value)
                if isinstance(raw, YamlNumber):
                    self.issue(
                        "fairsharing-yaml-number",
                        where,
                        f"{what}: FAIRsharing value {value} is written as a YAML number; quote it",
                    )
                self.emit_fairsharing(node, value, where, what)
                self.stats["fairsharing links"] += 1
            else:
                add(node, ckg.tessQuery, value)

    def emit_fairsharing(self, node: ox.NamedNode, value: str, where: str, what: str) -> None:
        match = FAIRSHARING_DOI.match(value)
        if match:
            suffix = match.group(1)
            self.issue(
                "fairsharing-full-doi", where, f"{what}: FAIRsharing value is a full DOI {value!r}"
            )
        elif FAIRSHARING_SUFFIX.match(value):
            suffix = value
            if len(value) < FAIRSHARING_SUFFIX_LENGTH:
                self.issue(
                    "fairsharing-legacy-id",
                    where,
                    f"{what}: FAIRsharing value {value!r} looks like a legacy numeric id",
                )
        else:
            self.issue("fairsharing-odd", where, f"{what}: FAIRsharing value {value!r}")
            return
        doi = "10.25504/FAIRsharing." + suffix
        record = ox.NamedNode("https://doi.org/" + doi)
        self.out.add(node, ckg.fairsharingRecord, record)
        self.out.add(record, RDF_TYPE, ckg.FAIRsharingRecord)
        self.out.add(record, dct.identifier, doi)

    # -- URLs ------------------------------------------------------------------

    def url(self, raw: Any, where: str, what: str) -> ox.NamedNode | None:
        value = as_text(raw)
        if value is None:
            return None
        try:
            node = ox.NamedNode(value)
        except ValueError:
            node = _escaped_iri(value)
            if node is None:
                self.issue("invalid-url", where, f"{what}: URL {value!r} is not an IRI; left out")
                return None
            self.issue(
                "url-escaped", where, f"{what}: URL {value!r} is not an IRI; read as <{node.value}>"
            )
        if not value.startswith(("http://", "https://")):
            self.issue("url-typo", where, f"{what}: URL {value!r} is not http(s)")
        elif value.startswith("http://"):
            self.stats["http urls"] += 1
            self.issue("http-url", where, f"{what}: URL {value!r} is not https")
        return node


def _escaped_iri(value: str) -> ox.NamedNode | None:
    """Percent-encode what makes a URL an invalid IRI (spaces, a second '#')."""
    head, hash_, fragment = value.partition("#")
    fixed = quote(head, safe=_URL_SAFE) + hash_ + quote(fragment, safe=_URL_SAFE.replace("#", ""))
    try:
        return ox.NamedNode(fixed)
    except ValueError:
        return None


# -- one entry, submitted for validation -------------------------------------------------


def read_entry_text(text: str, name: str, iris: Iris) -> SourceData:
    """One entry of the tool list (a mapping, or a list of one), written as in the list.

    Converted exactly as :meth:`ResourceReader.emit_resource` converts the list's entries;
    a field the list does not have, a value that is not text, a missing id or name, and
    a registry RDMkit does not allow (or this graph does not model) are LoadErrors
    ``name:line: field 'registry.foo': …``.
    """
    entry = _single_entry(read_yaml(text, name, loader=KeyLineLoader), name)
    entry.check_keys(ENTRY_FIELDS, {"id", "name"})
    fields: dict[str, Any] = {key: entry.text(key) for key in ("id", "name", "description")}
    fields["url"] = entry.text("url")
    registry = entry.mapping("registry")
    fields["registry"] = _registry_fields(registry) if registry is not None else None
    reader = ResourceReader(Path(name).parent, iris)
    rid = fields["id"]
    reader.emit_resource(rid, fields, f"{name}:{entry.start}")
    reader.record_line(reader.resource_ids[rid], entry.start)
    return reader.source_data("rdmkit", name, "")


def _single_entry(doc: Any, name: str) -> Entry:
    expected = "expected one entry of RDMkit's tool list (id, name, description, url, registry)"
    line = 1
    if isinstance(doc, list):
        if len(doc) != 1:
            raise LoadError(f"{name}:1: {expected}, not a list of {len(doc)}")
        doc = doc[0]
        line = doc.get(LINE_KEY, 1) if isinstance(doc, dict) else 1
    if not isinstance(doc, dict):
        raise LoadError(f"{name}:{line}: {expected}")
    return Entry(doc, name, "", line)


def _registry_fields(registry: Entry) -> dict[str, str | None]:
    """The registry mapping's values, each a registry RDMkit allows and the graph models."""
    out: dict[str, str | None] = {}
    for key in registry.data:
        if key in (LINE_KEY, KEY_LINES):
            continue
        if key not in RDMKIT_REGISTRIES:
            raise registry.error(
                key, f"unknown registry; RDMkit allows {', '.join(RDMKIT_REGISTRIES)}"
            )
        if key not in REGISTRIES:
            raise registry.error(
                key,
                "RDMkit allows it, but this graph does not model a toolkit resource's "
                "FAIRsharing collection: validate the entry without it and add it by hand",
            )
        out[key] = registry.text(key)
    return out
