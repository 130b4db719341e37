"""Namespaces and IRI minting.

The ontology namespace is fixed; data IRIs live under the configurable base IRI
(``Settings.base_iri``) and are minted only through :class:`Iris`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

CKG = "https://w3id.org/elixir-converge/ontology#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
QB = "http://purl.org/linked-data/cube#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
#: Datatypes a simple literal and a language-tagged literal carry implicitly.
XSD_STRING = XSD + "string"
RDF_LANG_STRING = RDF + "langString"
SH = "http://www.w3.org/ns/shacl#"

#: Prefixes offered to SPARQL users and used when serialising Turtle.
PREFIXES: dict[str, str] = {
    "ckg": CKG,
    "schema": SCHEMA,
    "dct": DCT,
    "dcat": DCAT,
    "prov": PROV,
    "skos": SKOS,
    "org": ORG,
    "foaf": FOAF,
    "void": VOID,
    "qb": QB,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "sh": SH,
}

RDF_TYPE = ox.NamedNode(RDF + "type")


class _Namespace:
    """``ns.term`` or ``ns["term"]`` → NamedNode."""

    def __init__(self, iri: str):
        self._iri = iri

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        return ox.NamedNode(self._iri + name)

    def __getitem__(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self._iri + name)


ckg = _Namespace(CKG)
schema = _Namespace(SCHEMA)
dct = _Namespace(DCT)
prov = _Namespace(PROV)
void = _Namespace(VOID)
rdfs = _Namespace(RDFS)
xsd = _Namespace(XSD)


def slug(text: str) -> str:
    """A readable, stable IRI segment: ASCII, lower case, '-' separated."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "unnamed"


@dataclass(frozen=True)
class Iris:
    """Mints the graph's own IRIs under one base."""

    base: str

    def _mint(self, *segments: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + "/".join(quote(s, safe="") for s in segments))

    def graph(self, name: str) -> ox.NamedNode:
        return self._mint("graph", name)

    def resource(self, resource_id: str) -> ox.NamedNode:
        return self._mint("resource", resource_id)

    def page(self, key: str) -> ox.NamedNode:
        return self._mint("page", key)

    def national_resource(self, country: str, name: str) -> ox.NamedNode:
        return self._mint("national-resource", country.lower(), slug(name))

    def node(self, code: str) -> ox.NamedNode:
        """An ELIXIR Node by its code (ISO 3166-1 alpha-2, or EMBL)."""
        return self._mint("node", code.upper())

    def person(self, name: str) -> ox.NamedNode:
        return self._mint("person", slug(name))

    def institute(self, name: str, duplicate: int = 1) -> ox.NamedNode:
        """An institute of the node map by name; ``duplicate`` > 1 adds ``-<n>`` to the slug
        (a second, different institute whose name has the same slug)."""
        key = slug(name) if duplicate == 1 else f"{slug(name)}-{duplicate}"
        return self._mint("institute", key)

    def organisation(self, key: str) -> ox.NamedNode:
        """An organisation that is neither a Node nor an institute (``elixir``, ``elixir-hub``)."""
        return self._mint("organisation", key)

    def membership(self, member: ox.NamedNode, n: int) -> ox.NamedNode:
        """The ``n``-th membership (1-based) of a Node or institute: ``<member>/membership/<n>``."""
        return ox.NamedNode(f"{member.value}/membership/{n}")

    def maturity(self, *segments: str) -> ox.NamedNode:
        """RDM maturity model things: ``<base>maturity/<segments…>`` (docs/model.md)."""
        return self._mint("maturity", *segments)

    def business_model(self, key: str) -> ox.NamedNode:
        """A business model of the catalogue, by its file name (without ``.yaml``)."""
        return self._mint("business-model", key)

    def impact(self, *segments: str) -> ox.NamedNode:
        """Impact indicators and observations: ``<base>impact/<segments…>``."""
        return self._mint("impact", *segments)
