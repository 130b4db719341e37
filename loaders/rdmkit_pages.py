"""RDMkit's pages (``pages/**.md``): front matter, tool mentions and national resources.

Each page's YAML front matter gives its title, description, people, related pages,
main resources and links (training, Data Stewardship Wizard questions, FAIR Cookbook
recipes, FAIRsharing collections); its body's ``{% tool "id" %}`` tags are mentions of
resources; a national page lists national resources. Pages are read after the resource
list (loaders/rdmkit_resources.py), whose ids they cite. Dangling references and stray
keys are reported as :class:`Issue` objects; malformed front matter is a
:class:`LoadError` naming file, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE, Iris, ckg, dct, schema
from loaders.common import LINE_KEY, LoadError, as_text, read_yaml
from loaders.rdmkit_resources import ResourceReader

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
class Page:
    """A page as parsed: its key, kind, file, front matter and body (from ``body_line``)."""

    key: str
    kind: str
    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int


class PageReader(ResourceReader):
    """Reads pages against the resource list (call :meth:`read_tools` first)."""

    def __init__(self, root: Path, iris: Iris):
        super().__init__(root, iris)
        self.page_keys: dict[str, ox.NamedNode] = {}

    def parse_page(self, path: Path) -> Page:
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
        return Page(key, kind, path, meta, text[body_start:], body_line)

    def index_pages(self, pages: list[Page]) -> None:
        seen: dict[str, Page] = {}
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

    def emit_page(self, page: Page) -> None:
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
        self.emit_people(node, meta)
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

    def emit_people(self, node: ox.NamedNode, meta: dict[str, Any]) -> None:
        """The page's contributors, editors and coordinators, as persons."""
        add = self.out.add
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

    def emit_mentions(self, node: ox.NamedNode, page: Page) -> None:
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

    def emit_links(self, node: ox.NamedNode, page: Page, where: str) -> None:
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

    # -- national resources ----------------------------------------------------

    def emit_national_resources(
        self, page_node: ox.NamedNode, page: Page, country: str | None, where_page: str
    ) -> None:
        if not country:
            self.issue("national-page-without-country", where_page, f"page {page.key!r}")
            return
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
            self.check_national_keys(item, name, where)
            self.emit_national_resource(node, item, name, country, page_node, where)

    def check_national_keys(self, item: dict, name: str, where: str) -> None:
        """Report the keys a national resource does not use (a known misspelling named)."""
        extra = set(item) - NATIONAL_RESOURCE_KEYS - {LINE_KEY}
        for key in sorted(extra):
            if key == "inistance_of":
                self.issue("misspelt-key", where, f"{name!r}: 'inistance_of' read as 'instance_of'")
            else:
                self.issue("stray-key", where, f"{name!r}: unexpected key {key!r} ignored")

    def emit_national_resource(
        self,
        node: ox.NamedNode,
        item: dict,
        name: str,
        country: str,
        page_node: ox.NamedNode,
        where: str,
    ) -> None:
        add = self.out.add
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
            add(node, ckg.instanceOf, self.resolve_resource(instance, where, "instance_of", name))
        self.emit_related(node, item.get("related_pages"), where, f"national resource {name!r}")
        self.emit_registry(node, item.get("registry"), where, f"national resource {name!r}")


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
