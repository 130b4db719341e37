"""From a valid record to an RDMkit contribution: the tool-list entry to add, and what
RDMkit's editors would object to.

A document that conforms and holds exactly one toolkit resource (profile
``toolkit-resource`` or ``all``; RDMkit's YAML entry or RDF) is offered the entry to add
to RDMkit's ``_data/tool_and_resource_list.yml``, written as RDMkit writes that file: its
``var/tools_validator.py`` dumps the list with ruamel.yaml (safe, YAML 1.2, block style,
``width = 1000``, keys sorted), which :class:`_RdmkitDumper` reproduces with PyYAML, so a
real entry comes back byte for byte — but for what the loader corrects: a FAIRsharing id
the list writes as a YAML number comes back quoted, a URL that is not an IRI percent-encoded.

In context, the graph is asked, with bound queries only, what the editors would refuse:
the id already taken (ignoring case), a bio.tools id or FAIRsharing record the graph gives
to another resource, and a URL already listed (compared normalised: scheme and host in
lower case, no trailing slash). Standalone, nothing is looked up and the contribution says
so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import yaml

from kg.namespaces import CKG, DCT, RDF_TYPE, SCHEMA
from kg.store.base import Store

if TYPE_CHECKING:
    from kg.validation.checker import Outcome

TOOL_LIST = "_data/tool_and_resource_list.yml"
#: The profiles whose reports offer the entry.
OFFERING_PROFILES = ("toolkit-resource", "all")
#: ckg:ToolkitResource and its subclasses (ontology/converge.ttl)
TOOLKIT_TYPES = {
    CKG + name
    for name in ("ToolkitResource", "Tool", "Database", "Standard", "Guideline", "Service")
}
#: predicate → the entry's field (``registry.`` fields go under ``registry``)
FIELDS = {
    DCT + "identifier": "id",
    SCHEMA + "name": "name",
    SCHEMA + "description": "description",
    SCHEMA + "url": "url",
    CKG + "biotoolsId": "registry.biotools",
    CKG + "fairsharingId": "registry.fairsharing",
    CKG + "tessQuery": "registry.tess",
}
#: ckg:notRegisteredIn's registries → the field RDMkit writes ``NA`` in
NOT_REGISTERED = {
    CKG + "biotoolsRegistry": "registry.biotools",
    CKG + "fairsharingRegistry": "registry.fairsharing",
    CKG + "tessRegistry": "registry.tess",
}
STANDALONE_NOTE = (
    "Objections (an id already taken, a bio.tools or FAIRsharing id or a URL already "
    "listed) are looked up in the graph in in-context mode only."
)


# --------------------------------------------------------------------------- RDMkit's YAML


class _RdmkitDumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting a string exactly when YAML 1.2 (ruamel.yaml, which
    writes RDMkit's list) would read it as something else: ``'530e61'``, ``'298'``."""


_YAML12 = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        "float",
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    (
        "int",
        r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$",
        "-+0123456789",
    ),
    ("merge", r"^(?:<<)$", "<"),
    ("null", r"^(?:~|null|Null|NULL|)$", ("~", "n", "N", "")),
    (
        "timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
        (?:[Tt]|[\ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
        (?:[\ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
    ("value", r"^(?:=)$", "="),
    ("yaml", r"^(?:!|&|\*)$", "!&*"),
)
_RdmkitDumper.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in _YAML12:
    _RdmkitDumper.add_implicit_resolver(
        "tag:yaml.org,2002:" + _tag, re.compile(_pattern, re.X), list(_first)
    )


def entry_text(entry: dict[str, Any]) -> str:
    """One entry of the list (``id``, ``name``, …, ``registry``), as RDMkit writes it."""
    return yaml.dump(
        [entry],
        Dumper=_RdmkitDumper,
        sort_keys=True,
        allow_unicode=True,
        width=1000,
        default_flow_style=False,
    )


# --------------------------------------------------------------------------- the entry


def toolkit_resources(triples: Iterable[ox.Triple]) -> list[ox.NamedNode]:
    """The document's subjects typed as toolkit resources, in document order."""
    found: dict[ox.NamedNode, None] = {}
    for t in triples:
        if t.predicate == RDF_TYPE and t.object.value in TOOLKIT_TYPES:
            if isinstance(t.subject, ox.NamedNode):
                found[t.subject] = None
    return list(found)


def entry_of(triples: Iterable[ox.Triple], node: ox.NamedNode) -> dict[str, Any]:
    """The tool-list entry the document says of ``node`` (each field's first value)."""
    values: dict[str, str] = {}
    not_registered: dict[str, str] = {}
    for t in triples:
        if t.subject != node:
            continue
        field = FIELDS.get(t.predicate.value)
        if field is not None:
            values.setdefault(field, t.object.value)
        elif t.predicate.value == CKG + "notRegisteredIn" and t.object.value in NOT_REGISTERED:
            not_registered.setdefault(NOT_REGISTERED[t.object.value], "NA")
    values = {**not_registered, **values}
    entry: dict[str, Any] = {k: v for k, v in values.items() if not k.startswith("registry.")}
    registry = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("registry.")}
    if registry:
        entry["registry"] = registry
    return entry


# --------------------------------------------------------------------------- objections


@dataclass(frozen=True)
class Objection:
    """What an RDMkit editor would refuse: ``what`` (id, biotools, fairsharing, url), the
    submitted value, and the resource of the graph that already has it."""

    what: str
    value: str
    existing: str
    name: str | None = None
    listed: str | None = None  # the value as the graph has it (a URL written otherwise)

    @property
    def message(self) -> str:
        named = f"<{self.existing}>" + (f" ({self.name})" if self.name else "")
        if self.what == "id":
            return (
                f"the id {self.value!r} is already taken by {named}: a new resource needs "
                "an id of its own (to change that resource, edit its entry in the list)"
            )
        if self.what == "url":
            written = f" (as {self.listed})" if self.listed and self.listed != self.value else ""
            return f"the URL {self.value} is already listed{written}, for {named}"
        registry = "bio.tools id" if self.what == "biotools" else "FAIRsharing record"
        return f"the {registry} {self.value!r} is already given to {named}"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "what": self.what,
            "value": self.value,
            "existing": self.existing,
            "name": self.name,
            "listed": self.listed,
            "message": self.message,
        }


_PREFIXES = f"PREFIX ckg: <{CKG}> PREFIX dct: <{DCT}> PREFIX schema: <{SCHEMA}>\n"
#: The questions asked of the graph, each with ?key bound (a lower-case literal); ?r is a
#: resource that already has the value. ``host``: the URLs listed on a host, compared after.
_QUERIES = {
    "id": """SELECT ?r ?name WHERE {
  ?r a ckg:ToolkitResource ; dct:identifier ?id . OPTIONAL { ?r schema:name ?name }
  FILTER (LCASE(STR(?id)) = ?key) }""",
    "biotools": """SELECT ?r ?name WHERE {
  ?r ckg:biotoolsId ?value . OPTIONAL { ?r schema:name ?name }
  FILTER (LCASE(STR(?value)) = ?key) }""",
    "fairsharing-record": """SELECT ?r ?name WHERE {
  ?r ckg:fairsharingRecord ?record . OPTIONAL { ?r schema:name ?name }
  FILTER (LCASE(STR(?record)) = ?key) }""",
    "fairsharing": """SELECT ?r ?name WHERE {
  ?r ckg:fairsharingId ?value . OPTIONAL { ?r schema:name ?name }
  FILTER (LCASE(STR(?value)) = ?key) }""",
    "host": """SELECT ?r ?name ?url WHERE {
  ?r a ckg:ToolkitResource ; schema:url ?url . OPTIONAL { ?r schema:name ?name }
  FILTER (CONTAINS(LCASE(STR(?url)), ?key)) }""",
}


def normalised_url(url: str) -> str:
    """``url`` with scheme and host in lower case and no trailing slash on its path."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (
            parts.scheme.lower(),
            parts.netloc.lower(),
            parts.path.rstrip("/"),
            parts.query,
            parts.fragment,
        )
    )


def _rows(store: Store, query: str, key: str) -> Iterator[tuple[str, str | None, Any]]:
    """(resource IRI, its name or None, the row) of ``_QUERIES[query]``, ``?key`` bound."""
    for row in store.query(_PREFIXES + _QUERIES[query], {"key": ox.Literal(key)}):
        name = row["name"]
        yield row["r"].value, (name.value if name is not None else None), row


def _holders(rows: Iterable[tuple[str, str | None, Any]]) -> dict[str, str | None]:
    """Resource IRI → its smallest name (one objection per resource)."""
    out: dict[str, str | None] = {}
    for iri, name, _ in rows:
        known = out.get(iri)
        out[iri] = name if known is None or (name is not None and name < known) else known
    return out


def objections(
    store: Store, node: ox.NamedNode, entry: dict[str, Any], triples: Iterable[ox.Triple]
) -> list[Objection]:
    """What the graph already has of ``entry`` (``node`` is the submitted resource)."""
    found: list[Objection] = []
    for iri, name in _holders(_rows(store, "id", entry["id"].lower())).items():
        found.append(Objection("id", entry["id"], iri, name))
    registry = entry.get("registry", {})
    # a FAIRsharing value is compared as the record it names (the loader's DOI IRI) if known
    records = [t.object.value for t in triples if _is(t, node, CKG + "fairsharingRecord")]
    checks = [("biotools", "biotools", registry.get("biotools"))]
    if records:
        checks.append(("fairsharing", "fairsharing-record", records[0]))
    else:
        checks.append(("fairsharing", "fairsharing", registry.get("fairsharing")))
    for what, query, value in checks:
        if value is None or value == "NA":
            continue
        for iri, name in _holders(_rows(store, query, value.lower())).items():
            if iri != node.value:
                found.append(Objection(what, registry.get(what) or value, iri, name))
    found += _same_url(store, node, entry.get("url"))
    return found


def _is(t: ox.Triple, node: ox.NamedNode, predicate: str) -> bool:
    return t.subject == node and t.predicate.value == predicate


def _same_url(store: Store, node: ox.NamedNode, url: str | None) -> list[Objection]:
    host = urlsplit(url).netloc.lower() if url else ""
    if not host:
        return []
    wanted = normalised_url(url or "")
    same = [
        (iri, name, row["url"].value)
        for iri, name, row in _rows(store, "host", host)
        if iri != node.value and normalised_url(row["url"].value) == wanted
    ]
    listed = {iri: value for iri, _, value in sorted(same, reverse=True)}
    return [
        Objection("url", url or "", iri, name, listed[iri]) for iri, name in _holders(same).items()
    ]


# --------------------------------------------------------------------------- the offer


@dataclass(frozen=True)
class Contribution:
    """The entry to add to RDMkit's list; ``objections`` None when not looked up."""

    resource: str
    entry: str
    objections: tuple[Objection, ...] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": TOOL_LIST,
            "resource": self.resource,
            "entry": self.entry,
            "objections": None
            if self.objections is None
            else [o.to_dict() for o in self.objections],
            "note": STANDALONE_NOTE if self.objections is None else None,
        }

    def text(self) -> str:
        """The entry and the objections, for a terminal."""
        lines = [f"RDMkit entry to add to {TOOL_LIST}:", self.entry.rstrip("\n")]
        if self.objections is None:
            lines.append(STANDALONE_NOTE)
        elif not self.objections:
            lines.append("RDMkit's editors: no objection found in the graph.")
        else:
            lines.append("RDMkit's editors would object:")
            lines += [f"  {o.what}: {o.message}" for o in self.objections]
        return "\n".join(lines) + "\n"


def offer(outcome: Outcome, store: Store | None) -> Contribution | None:
    """The contribution a validation outcome offers, or None: the document must conform,
    hold exactly one toolkit resource with an id and a name, under a profile that checks
    toolkit resources. ``store``: the graph, for the objections (in context only)."""
    if outcome.profile not in OFFERING_PROFILES or not outcome.result.conforms:
        return None
    triples = list(outcome.document.triples)
    nodes = toolkit_resources(triples)
    if len(nodes) != 1:
        return None
    entry = entry_of(triples, nodes[0])
    if not entry.get("id") or not entry.get("name"):
        return None
    found = None
    if store is not None and outcome.in_context:
        found = tuple(objections(store, nodes[0], entry, triples))
    return Contribution(nodes[0].value, entry_text(entry), found)
