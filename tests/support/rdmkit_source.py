"""Facts read straight from the RDMkit source files (YAML and Markdown), independently of
the loader, for tests that check the graph's answers against the sources."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MENTION = re.compile(r'\{%\s*tool\s+"([^"]*)"\s*%\}')
FOLDERS = {
    "data_life_cycle": "stage",
    "your_tasks": "task",
    "your_domain": "domain",
    "your_role": "role",
}


@dataclass
class Source:
    resources: dict[str, dict] = field(default_factory=dict)  # id → first entry
    pages: dict[str, dict] = field(default_factory=dict)  # key → {kind, meta, mentions}
    national: list[dict] = field(default_factory=list)  # items with 'country'

    def mentioned_by(self, kind: str, key: str | None = None) -> set[str]:
        return {
            r
            for k, p in self.pages.items()
            if p["kind"] == kind and (key is None or k == key)
            for r in p["mentions"]
        }

    def related(self, key: str) -> set[str]:
        groups = self.pages[key]["meta"].get("related_pages") or {}
        return {t for targets in groups.values() for t in (targets or [])}

    def stage(self, key: str) -> set[str]:
        tasks = {t for t in self.related(key) if self.pages.get(t, {}).get("kind") == "task"}
        return {r for t in tasks for r in self.pages[t]["mentions"]}

    def instance_of(self, item: dict) -> str | None:
        """The resource id a national resource is an instance of (also under the misspelt
        key); an id differing only in case resolves when only one resource matches."""
        given = item.get("instance_of") or item.get("inistance_of")
        if given is None or given in self.resources:
            return given
        same = [r for r in self.resources if r.lower() == str(given).lower()]
        return same[0] if len(same) == 1 else given

    def registry(self, rid: str, name: str) -> str | None:
        value = (self.resources[rid].get("registry") or {}).get(name)
        return None if value is None or str(value) == "NA" else str(value)


def read(root: Path) -> Source:
    src = Source()
    tools = yaml.safe_load((root / "_data" / "tool_and_resource_list.yml").read_text("utf-8"))
    for entry in tools:
        src.resources.setdefault(str(entry["id"]), entry)
    for path in sorted((root / "pages").rglob("*.md")):
        if path.name.startswith("TEMPLATE_"):
            continue
        text = path.read_text("utf-8")
        end = text.find("\n---", 3)
        meta = yaml.safe_load(text[3:end]) or {}
        rel = path.relative_to(root / "pages").parts
        kind = FOLDERS.get(rel[0], "other") if len(rel) > 1 else "other"
        key = meta.get("page_id") or path.stem
        mentions = {m for m in MENTION.findall(text[end:]) if m in src.resources}
        src.pages[key] = {"kind": kind, "meta": meta, "mentions": mentions}
        for item in meta.get("national_resources") or []:
            src.national.append({**item, "country": meta.get("country_code")})
    return src
