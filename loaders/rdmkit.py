"""RDMkit: the tool and resource list and every page, as one named graph.

Reads an RDMkit checkout (``_data/tool_and_resource_list.yml`` and ``pages/**.md``)
and returns triples following docs/model.md. Every quirk of the source is
reported as an :class:`Issue` (duplicates, ``NA`` registry values, dangling
references, stray keys, malformed URLs); malformed YAML is a :class:`LoadError`
naming file, line and column. The store is never touched here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE, Iris, ckg, dct, schema
from loaders.common import (
    LINE_KEY,
    Collector,
    LoadError,
    SourceData,
    YamlNumber,
    as_text,
    read_yaml,
    relative_where,
    source_version,
)

TOOL_LIST = Path("_data") / "tool_and_resource_list.yml"
PAGES = Path("pages")
SITE = "https://rdmkit.elixir-europe.org/"

#: ``{% tool "id" %}`` (also ``{%tool "id" %}``) in page bodies.
TOOL_MENTION = re.compile(r'\{%\s*tool\s+"([^"]*)"\s*%\}')

#: Page folder → page kind concept (top-level section pages are information pages).
PAGE_KINDS = {
    "data_life_cycle": "lifeCycleStagePage",
    "your_tasks": "taskPage",
    "your_domain": "domainPage",
    "your_role": "rolePage",
    "tool_assembly": "toolAssemblyPage",
    "national_resources": "nationalPage",
}
INFORMATION_PAGE = "informationPage"
LIFE_CYCLE_STAGES = ("plan", "collect", "process", "analyse", "preserve", "share", "reuse")
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
RELATED_GROUPS = ("Your_tasks", "Tool_assembly", "Your_domain", "Your_role")
NATIONAL_RESOURCE_KEYS = {
    "name",
    "description",
    "url",
    "related_pages",
    "how_to_access",
    "instance_of",
    "registry",
}


@dataclass
class _Page:
    key: str
    kind: str
    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int


def read(root: str | Path, iris: Iris) -> SourceData:
    """Read an RDMkit checkout at ``root`` into triples for the rdmkit graph."""
    root = Path(root)
    tool_file = root / TOOL_LIST
    if not tool_file.is_file():
        raise LoadError(f"{root}: not an RDMkit checkout ({TOOL_LIST} is missing)")
    page_files = sorted(
        p for p in (root / PAGES).rglob("*.md") if not p.name.startswith("TEMPLATE_")
    )
    reader = _Reader(root, iris)
    reader.read_tools(tool_file)
    pages = [reader.parse_page(p) for p in page_files]
    reader.index_pages(pages)
    for page in pages:
        reader.emit_page(page)
    version = source_version(root, [tool_file, *page_files])
    return reader.source_data("rdmkit", str(root.resolve()), version)


class _Reader(Collector):
    def __init__(self, root: Path, iris: Iris):
        super().__init__()
        self.root = root
        self.iris = iris
        self.resource_ids: dict[str, ox.NamedNode] = {}
        self.resource_ids_lower: dict[str, list[str]] = {}
        self.page_keys: dict[str, ox.NamedNode] = {}

    def where(self, path: Path, line: int | None = None) -> str:
        return relative_where(path, self.root, line)

    # -- tool and resource list ----------------------------------------------

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

    # -- pages -----------------------------------------------------------------

    def parse_page(self, path: Path) -> _Page:
        text = path.read_text(encoding="utf-8")
        where = self.where(path)
        if not text.startswith("---"):
            raise LoadError(f"{where}:1: page has no YAML front matter")
        end = text.find("\n---", 3)
        if end < 0:
            raise LoadError(f"{where}:1: front matter is not closed by '---'")
        front = text[3:end]
        meta = read_yaml(front, where, line_offset=0) or {}
        if not isinstance(meta, dict):
            raise LoadError(f"{where}:2: front matter must be a mapping")
        folder = path.relative_to(self.root / PAGES).parts
        kind = PAGE_KINDS.get(folder[0], INFORMATION_PAGE) if len(folder) > 1 else INFORMATION_PAGE
        key = as_text(meta.get("page_id")) or path.stem
        body_start = end + len("\n---")
        body_line = text.count("\n", 0, body_start) + 1
        return _Page(key, kind, path, meta, text[body_start:], body_line)

    def index_pages(self, pages: list[_Page]) -> None:
        seen: dict[str, _Page] = {}
        for page in pages:
            if page.key in seen:
                raise LoadError(
                    f"{self.where(page.path)}: page key {page.key!r} is also used by "
                    f"{self.where(seen[page.key].path)}"
                )
            seen[page.key] = page
            self.page_keys[page.key] = self.iris.page(page.key)
            self.stats[f"pages: {page.kind}"] += 1
        self.stats["pages"] = len(pages)

    def emit_page(self, page: _Page) -> None:
        node = self.page_keys[page.key]
        meta = page.meta
        where = self.where(page.path)
        add = self.out.add
        add(node, RDF_TYPE, ckg.Page)
        add(node, dct.identifier, page.key)
        add(node, ckg.pageKind, ckg[page.kind])
        add(node, schema.name, as_text(meta.get("title")) or page.key)
        if not as_text(meta.get("title")):
            self.issue("page-without-title", where, f"page {page.key!r} has no title")
        add(node, schema.description, as_text(meta.get("description")))
        add(node, schema.url, ox.NamedNode(SITE + page.key))
        if page.kind == "lifeCycleStagePage" and page.key in LIFE_CYCLE_STAGES:
            add(node, ckg.lifeCycleStage, ckg[page.key])
        country = as_text(meta.get("country_code"))
        if country:
            add(node, ckg.country, country)
            add(node, ckg.node, self.iris.node(country))
        for key, prop in (
            ("contributors", schema.contributor),
            ("editors", schema.editor),
            ("coordinators", ckg.coordinator),
        ):
            for name in _list(meta.get(key)):
                person = self.iris.person(name)
                add(node, prop, person)
                add(person, RDF_TYPE, schema.Person)
                add(person, schema.name, name)
        related = meta.get("related_pages")
        related_where = (
            self.where(page.path, related.get(LINE_KEY)) if isinstance(related, dict) else where
        )
        self.emit_related(node, related, related_where, f"page {page.key!r}")
        for rid in _list(meta.get("ref_to_main_resources")):
            target = self.resolve_resource(rid, where, "ref_to_main_resources", page.key)
            add(node, ckg.refersToResource, target)
        self.emit_mentions(node, page)
        self.emit_links(node, page, where)
        if page.kind == "nationalPage":
            self.emit_national_resources(node, page, country, where)

    def emit_related(self, node: ox.NamedNode, related: Any, where: str, what: str) -> None:
        if related is None:
            return
        if not isinstance(related, dict):
            raise LoadError(f"{where}: field 'related_pages' of {what} must be a mapping")
        for group, targets in related.items():
            if group == LINE_KEY:
                continue
            if group not in RELATED_GROUPS:
                known = {g.lower(): g for g in RELATED_GROUPS}
                hint = f"; expected {known[group.lower()]!r}" if group.lower() in known else ""
                self.issue(
                    "related-group-name", where, f"{what}: related_pages group {group!r}{hint}"
                )
            for target in _list(targets):
                target_node = self.page_keys.get(target)
                if target_node is None:
                    self.issue(
                        "dangling-related-page",
                        where,
                        f"{what}: related page {target!r} (group {group}) does not exist",
                    )
                    continue
                self.out.add(node, ckg.relatedPage, target_node)
                self.stats["related page links"] += 1

    def resolve_resource(self, rid: str, where: str, field: str, owner: str) -> ox.NamedNode | None:
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

    def emit_mentions(self, node: ox.NamedNode, page: _Page) -> None:
        for match in TOOL_MENTION.finditer(page.body):
            self.stats["tool mentions"] += 1
            rid = match.group(1)
            target = self.resource_ids.get(rid)
            if target is None:
                line = page.body_line + page.body.count("\n", 0, match.start())
                self.issue(
                    "dangling-tool-mention",
                    self.where(page.path, line),
                    f"page {page.key!r}: {{% tool {rid!r} %}} is not a resource id",
                )
                continue
            self.out.add(node, ckg.mentions, target)

    def emit_links(self, node: ox.NamedNode, page: _Page, where: str) -> None:
        add = self.out.add
        for key in ("training", "dsw", "faircookbook", "fairsharing", "national_resources"):
            if key in page.meta and page.meta[key] is None:
                self.issue("empty-field", where, f"page {page.key!r}: {key} is null")
        for n, item in enumerate(_items(page.meta.get("training")), start=1):
            training = ox.NamedNode(f"{node.value}#training-{n}")
            add(node, ckg.training, training)
            add(training, RDF_TYPE, ckg.TrainingMaterial)
            add(training, schema.name, as_text(item.get("name")) or f"Training {n}")
            add(training, schema.url, self.url(item.get("url"), where, f"training of {page.key!r}"))
            add(training, schema.description, as_text(item.get("description")))
            add(training, ckg.trainingRegistry, as_text(item.get("registry")))
        for item in _items(page.meta.get("dsw")):
            uuid = as_text(item.get("uuid"))
            if not uuid:
                self.issue("dsw-without-uuid", where, f"page {page.key!r}: DSW item without uuid")
                continue
            question = ox.NamedNode("urn:uuid:" + uuid.lower())
            add(node, ckg.dswQuestion, question)
            add(question, RDF_TYPE, ckg.DSWQuestion)
            add(question, dct.identifier, uuid.lower())
            add(question, schema.name, as_text(item.get("name")))
        for key, prop, cls in (
            ("faircookbook", ckg.fairCookbookRecipe, ckg.FAIRCookbookRecipe),
            ("fairsharing", ckg.fairsharingCollection, ckg.FAIRsharingCollection),
        ):
            for item in _items(page.meta.get(key)):
                target = self.url(item.get("url"), where, f"{key} link of {page.key!r}")
                if target is None:
                    continue
                add(node, prop, target)
                add(target, RDF_TYPE, cls)
                add(target, schema.name, as_text(item.get("name")))

    def emit_national_resources(
        self, page_node: ox.NamedNode, page: _Page, country: str | None, where_page: str
    ) -> None:
        if not country:
            self.issue("national-page-without-country", where_page, f"page {page.key!r}")
            return
        add = self.out.add
        used: set[str] = set()
        for item in _items(page.meta.get("national_resources")):
            where = self.where(page.path, item.get(LINE_KEY))
            name = as_text(item.get("name"))
            if not name:
                raise LoadError(f"{where}: field 'name': national resource without a name")
            node = self.iris.national_resource(country, name)
            if node.value in used:
                self.issue("duplicate-national-resource", where, f"{country}: {name!r} twice")
                continue
            used.add(node.value)
            self.stats["national resources"] += 1
            extra = set(item) - NATIONAL_RESOURCE_KEYS - {LINE_KEY}
            for key in sorted(extra):
                if key == "inistance_of":
                    self.issue(
                        "misspelt-key", where, f"{name!r}: 'inistance_of' read as 'instance_of'"
                    )
                else:
                    self.issue("stray-key", where, f"{name!r}: unexpected key {key!r} ignored")
            add(node, RDF_TYPE, ckg.NationalResource)
            add(node, schema.name, name)
            add(node, schema.description, as_text(item.get("description")))
            add(node, schema.url, self.url(item.get("url"), where, f"national resource {name!r}"))
            add(node, ckg.howToAccess, as_text(item.get("how_to_access")))
            add(node, ckg.country, country)
            add(node, ckg.node, self.iris.node(country))
            add(node, ckg.listedOn, page_node)
            add(page_node, ckg.nationalResource, node)
            instance = as_text(item.get("instance_of")) or as_text(item.get("inistance_of"))
            if instance:
                add(
                    node,
                    ckg.instanceOf,
                    self.resolve_resource(instance, where, "instance_of", name),
                )
            self.emit_related(node, item.get("related_pages"), where, f"national resource {name!r}")
            self.emit_registry(node, item.get("registry"), where, f"national resource {name!r}")


def _escaped_iri(value: str) -> ox.NamedNode | None:
    """Percent-encode what makes a URL an invalid IRI (spaces, a second '#')."""
    head, hash_, fragment = value.partition("#")
    fixed = quote(head, safe=_URL_SAFE) + hash_ + quote(fragment, safe=_URL_SAFE.replace("#", ""))
    try:
        return ox.NamedNode(fixed)
    except ValueError:
        return None


_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    return [t for t in (as_text(v) for v in value) if t]


def _items(value: Any) -> list[dict]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]
