"""Named validation profiles: which shapes, with the ontology or not, which inference.

Declared once, here (:data:`PROFILES`); ``GET /validate/profiles`` and ``kg validate
--profile`` read this table. A profile names shapes *files* of the shapes folder
(``KG_SHAPES_DIR``); ``rdmkit.shapes.ttl`` is in every profile because it defines the
property shapes the other files reuse (``ckgsh:name-exactlyOne``, ``ckgsh:description``).
Shapes fire on their target classes only, so a profile with more files than a document
needs costs little. ``all`` is every ``*.ttl`` of the folder.

A profile's shapes are loaded and checked (syntax, every constraint built, every SPARQL
constraint parsed: :func:`kg.validation.shapes.check_shapes`) before any document is validated;
a broken file is a :class:`~kg.validation.shapes.ShapesError` naming the file and line. Loaded
shapes are cached per profile and reloaded when a file changes.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from kg.validation.reach import Reach, reach
from kg.validation.shapes import ShapesError, check_shapes, load_ontology, load_rdf_files


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    shapes: tuple[str, ...]  # files of the shapes folder; () = every *.ttl
    ontology: bool = True  # mix the ontology into the data (sh:class sees subclasses)
    inference: str = "none"  # pySHACL inference: none, rdfs, owlrl, both
    yaml: str | None = None  # the YAML catalogue format this profile converts, if any

    def files(self, shapes_dir: str | Path) -> list[Path]:
        folder = Path(shapes_dir)
        if not folder.is_dir():
            raise ShapesError(f"{folder}: not a directory")
        if not self.shapes:
            return sorted(folder.glob("*.ttl"))
        return [folder / name for name in self.shapes]

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "shapes": list(self.shapes) or ["*.ttl"],
            "ontology": self.ontology,
            "inference": self.inference,
            "yaml": self.yaml,
        }


BASE = "rdmkit.shapes.ttl"

PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "toolkit-resource",
            "RDMkit toolkit resources, pages, national resources",
            (BASE,),
            yaml="rdmkit-tool",
        ),
        Profile(
            "node",
            "ELIXIR Nodes, institutes, memberships",
            (BASE, "nodes.shapes.ttl"),
            yaml="nodes",
        ),
        Profile(
            "business-model",
            "A Node's business model for data-management support",
            (BASE, "catalogues.shapes.ttl"),
            yaml="business-model",
        ),
        Profile(
            "impact-report",
            "Impact indicators and observations",
            (BASE, "catalogues.shapes.ttl"),
            yaml="impact",
        ),
        Profile(
            "maturity-assessment",
            "An RDM maturity assessment",
            (BASE, "catalogues.shapes.ttl", "maturity.shapes.ttl"),
            yaml="maturity-assessment",
        ),
        Profile("all", "Every shape of the shapes folder", ()),
    )
}
DEFAULT_PROFILE = "all"


class UnknownProfile(ValueError):
    def __init__(self, name: str):
        super().__init__(f"unknown profile {name!r}; known: {', '.join(PROFILES)}")


def get_profile(name: str | None) -> Profile:
    profile = PROFILES.get(name or DEFAULT_PROFILE)
    if profile is None:
        raise UnknownProfile(str(name))
    return profile


@dataclass
class LoadedProfile:
    """A profile's shapes (checked) and ontology, and the ontology prepared for validation.

    ``base`` is the ontology copied once into a new graph (so it has a new graph's
    namespace bindings, exactly like the private copy :func:`kg.validation.shapes.validate`
    makes). The loading process never modifies it. A validation worker forked from that
    process (``kg.validation.checker``) adds a document's few hundred triples to its own copy of
    ``base``, validates in place and takes them out again (:meth:`data_graph`), instead of
    copying ~1,500 ontology triples for every document, which cost more than validating.
    ``serial`` tells loaded profiles apart (a worker knows those loaded before its fork).
    """

    profile: Profile
    shapes: Graph
    ontology: Graph | None
    base: Graph = field(init=False, repr=False, compare=False)
    serial: int = field(init=False, compare=False)
    _pid: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.base = Graph()
        if self.ontology is not None:
            self.base += self.ontology
        self.serial = next(_SERIALS)
        self._pid = os.getpid()

    @cached_property
    def reach(self) -> Reach:
        """How far the shapes look from a focus node (what an in-context run reads)."""
        return reach(self.shapes)

    @contextmanager
    def data_graph(self, triples: list[tuple[Node, Node, Node]]) -> Iterator[Graph]:
        """The ontology with ``triples`` added, to validate in place (then thrown away).

        In the loading process (threads may share the profile), and for data larger than
        the ontology: a new graph. In a process forked from the loading one, which
        validates one document at a time: its own copy of ``base``, with the triples taken
        out again afterwards; when the validation added triples of its own (inference,
        SHACL rules), ``base`` is rebuilt from the ontology.
        """
        if os.getpid() == self._pid or len(triples) > len(self.base):
            graph = Graph()
            graph.addN((s, p, o, graph) for s, p, o in triples)
            graph += self.base
            yield graph
            return
        before = len(self.base)
        added = [t for t in dict.fromkeys(triples) if t not in self.base]
        self.base.addN((s, p, o, self.base) for s, p, o in added)
        try:
            yield self.base
        finally:
            for triple in added:
                self.base.remove(triple)
            if len(self.base) != before:
                self.base = Graph()
                if self.ontology is not None:
                    self.base += self.ontology


_SERIALS = itertools.count(1)


class ProfileCache:
    """Shapes (checked) and ontology per profile, reloaded when a file changes."""

    def __init__(self, shapes_dir: str | Path, ontology_dir: str | Path) -> None:
        self.shapes_dir = shapes_dir
        self.ontology_dir = ontology_dir
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[tuple, LoadedProfile]] = {}

    def _signature(self, paths: list[Path]) -> tuple:
        out = []
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                out.append((str(path), None))
                continue
            out.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(out)

    def get(self, profile: Profile) -> LoadedProfile:
        """The profile's shapes and ontology; raises ShapesError for a broken shapes file."""
        files = profile.files(self.shapes_dir)
        onto_files = sorted(Path(self.ontology_dir).glob("*.ttl")) if profile.ontology else []
        signature = self._signature(files + onto_files)
        with self._lock:
            cached = self._cache.get(profile.name)
            if cached is not None and cached[0] == signature:
                return cached[1]
            shapes = load_rdf_files(files)
            try:
                check_shapes(shapes)
            except ShapesError as exc:
                raise ShapesError(f"{_where_defined(str(exc), files)}{exc}") from exc
            ontology = load_ontology(self.ontology_dir) if profile.ontology else None
            loaded = LoadedProfile(profile, shapes, ontology)
            self._cache[profile.name] = (signature, loaded)
            return loaded


def _where_defined(message: str, files: list[Path]) -> str:
    """``file line N: `` of the shape a check_shapes message names (or ``""``)."""
    from kg.validation.documents import subject_line

    match = re.search(r"in shape <([^>]+)>", message)
    if match is None:
        return ""
    for path in files:
        text = path.read_text(encoding="utf-8")
        line = subject_line(text, match.group(1), "turtle")
        if line is not None:
            return f"{path} line {line}: "
    return ""
