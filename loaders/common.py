"""What every loader shares: its output type, quirk reports, YAML reading."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml


class LoadError(Exception):
    """The source cannot be read; the message names the file and position."""


@dataclass(frozen=True)
class Issue:
    """A quirk of the source data: reported, never silently dropped."""

    kind: str
    where: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "message": self.message}


@dataclass
class SourceData:
    """What a loader read: triples for ONE named graph, and what it noticed."""

    name: str
    location: str
    version: str
    triples: list[ox.Triple]
    issues: list[Issue] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)


class Triples:
    """A small builder: ``add(s, p, o)`` skipping ``None`` objects."""

    def __init__(self) -> None:
        self.items: list[ox.Triple] = []

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: Any) -> None:
        if o is None:
            return
        if isinstance(o, str):
            o = ox.Literal(o)
        elif isinstance(o, bool) or isinstance(o, int):
            o = ox.Literal(o)
        self.items.append(ox.Triple(s, p, o))

    def extend(self, triples: Iterable[ox.Triple]) -> None:
        self.items.extend(triples)


# -- YAML ---------------------------------------------------------------------

LINE_KEY = "__line__"


class _StringLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    """Safe YAML where scalars stay strings (no int/float/bool/date guessing).

    Registry ids like ``847069`` or ``'298'`` and flags like ``NA`` must reach the
    loader exactly as written. Each mapping records its 1-based source line under
    ``__line__``.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


class YamlNumber(str):
    """A value written as a plain YAML number (``847069``), kept as its text.

    It is a ``str``, so it reads as written; its type tells a loader that the
    source relied on YAML typing where it meant an identifier.
    """


_NUMBER_TAG = "tag:converge-kg,2026:number"
_StringLoader.yaml_implicit_resolvers = {
    first: [
        (
            _NUMBER_TAG if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") else tag,
            regexp,
        )
        for tag, regexp in resolvers
        if tag
        in (
            "tag:yaml.org,2002:null",
            "tag:yaml.org,2002:merge",
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
        )
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StringLoader.add_constructor(
    _NUMBER_TAG, lambda loader, node: YamlNumber(loader.construct_scalar(node))
)


def read_yaml(text: str, where: str, line_offset: int = 0) -> Any:
    """Parse YAML text; a syntax error becomes a LoadError naming line and column."""
    try:
        return yaml.load(text, Loader=_StringLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = f":{mark.line + 1 + line_offset}:{mark.column + 1}" if mark else ""
        raise LoadError(f"{where}{pos}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise LoadError(f"{where}: invalid YAML: {exc}") from None


def without_lines(value: Any) -> Any:
    """The same structure with the ``__line__`` bookkeeping removed."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


# -- versions -----------------------------------------------------------------


def source_version(root: Path, files: Iterable[Path]) -> str:
    """The git commit of ``root`` when it is a checkout, else a content checksum."""
    if (root / ".git").exists():
        try:
            out = subprocess.run(
                ["git", "-C", str(root), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            )
            return "git:" + out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()
