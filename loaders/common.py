"""What every loader shares: its output type, quirk reports, reading YAML and JSON."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter
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
    #: subject IRI → the 1-based line of the source text that describes it (when known)
    lines: dict[str, int] = field(default_factory=dict)


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


class Collector:
    """What a loader's reader collects while it reads: triples, issues and counts."""

    def __init__(self) -> None:
        self.out = Triples()
        self.issues: list[Issue] = []
        self.stats: Counter[str] = Counter()
        self.lines: dict[str, int] = {}

    def record_line(self, node: ox.NamedNode, line: int | None) -> None:
        """Remember the source line describing ``node`` (for validation reports)."""
        if line:
            self.lines.setdefault(node.value, line)

    def issue(self, kind: str, where: str, message: str) -> None:
        """Report a quirk of the source."""
        self.issues.append(Issue(kind, where, message))

    def source_data(self, name: str, location: str, version: str) -> SourceData:
        """What was collected, as the loader's output for the named graph ``name``."""
        return SourceData(
            name=name,
            location=location,
            version=version,
            triples=self.out.items,
            issues=self.issues,
            stats=dict(self.stats),
            lines=self.lines,
        )


# -- values and positions -----------------------------------------------------


def as_text(value: Any) -> str | None:
    """A stripped string, or None for null/empty (mappings and lists are not text)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def at_line(where: str, line: int | None) -> str:
    """``where:line`` for messages, or ``where`` alone when the line is unknown (None or 0)."""
    return f"{where}:{line}" if line else where


def relative_where(path: Path, root: Path, line: int | None = None) -> str:
    """``path`` relative to ``root`` (the path itself when outside it), as :func:`at_line`."""
    try:
        where = str(path.relative_to(root))
    except ValueError:
        where = str(path)
    return at_line(where, line)


# -- reading files ------------------------------------------------------------


def read_text(path: Path, where: str) -> str:
    """The UTF-8 text of a file; an unreadable file is a LoadError ``where: cannot read: …``."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{where}: cannot read: {exc}") from None


def read_json(text: str, where: str, **options: Any) -> Any:
    """Parse JSON text (``options`` go to :func:`json.loads`).

    A syntax error is a LoadError ``where:line:column: invalid JSON: …``.
    """
    try:
        return json.loads(text, **options)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None


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


def read_yaml(
    text: str, where: str, line_offset: int = 0, loader: type[_StringLoader] = _StringLoader
) -> Any:
    """Parse YAML text; a syntax error becomes a LoadError naming line and column.

    ``loader`` is :class:`_StringLoader` or a subclass of it (string scalars, ``__line__``).
    """
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = f":{mark.line + 1 + line_offset}:{mark.column + 1}" if mark else ""
        raise LoadError(f"{where}{pos}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise LoadError(f"{where}: invalid YAML: {exc}") from None
    except RecursionError:  # a document nested thousands of levels deep
        raise LoadError(f"{where}: invalid YAML: nested too deeply") from None


def without_lines(value: Any) -> Any:
    """The same structure with the ``__line__`` bookkeeping removed."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


# -- versions -----------------------------------------------------------------


def checksum(paths: Iterable[Path]) -> str:
    """``sha256:`` over each file's name and contents, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


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
