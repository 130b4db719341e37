"""Dereferenceable IRIs and the HTML pages of the toolkit.

Every IRI the graph mints under ``KG_BASE_IRI`` answers on this server at the same path
(``<base>resource/galaxy`` → ``/resource/galaxy``): the IRI is rebuilt from the request
*path* and the configured base, never from the request's host.

- **Content negotiation** at the IRI itself: ``text/html`` (browsers, and ``*/*``) or an RDF
  format (Turtle, JSON-LD, N-Triples, RDF/XML, N-Quads, TriG) by ``Accept``; or by suffix:
  ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.html``. Answers are ``200`` with
  ``Vary: Accept``, ``Content-Location`` naming the suffixed document that was sent, and
  ``Link`` headers (``rel="alternate"``) to every other representation. No ``303``: since
  the 2012 httpRange-14 amendment a ``200`` with a description is common practice, and it
  saves clients a round trip.
- **The description** is a bounded CBD (:mod:`kg.records.describe`).
- **HTML**: resources, Nodes, pages and standards render their record
  (``<kind>.html`` with ``record`` and ``bioschemas``); every other IRI (national
  resources, institutes, people, organisations, memberships, business models, impact and
  maturity things, graphs) renders its description (``describe.html``).
- Unknown IRIs → 404 with the JSON error shape.

The lists of these things are :mod:`api.lists` (HTML) and :mod:`api.json_api` (JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, render_template

from api.http.context import get_settings, get_store
from api.http.errors import ApiError
from api.http.negotiation import Offer, format_offers, negotiate
from api.http.openapi import errors, media_content, path_parameter
from kg import records
from kg.records.describe import describe
from kg.sparql import formats

bp = Blueprint("linked_data", __name__)

#: Suffix → format name (``html`` for the HTML page).
SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".jsonld": "jsonld",
    ".nt": "ntriples",
    ".rdf": "rdfxml",
    ".html": "html",
}
_SUFFIX_OF = {name: suffix for suffix, name in SUFFIXES.items()}
HTML = "text/html"

#: The kinds of IRIs with a record (and an HTML template of their own).
RECORD_KINDS: dict[str, Callable[..., dict | None]] = {
    "resource": records.resource,
    "node": records.node,
    "page": records.page,
    "standard": records.standard,
}
#: The other path prefixes the graph mints IRIs under (docs/model.md).
DESCRIBED_KINDS = (
    "national-resource",
    "institute",
    "person",
    "organisation",
    "business-model",
    "impact",
    "maturity",
    "graph",
)
#: What an IRI answers by Accept: its HTML page (also for XHTML, and first for */*), or RDF.
OFFERS = (Offer("html", HTML, also=("application/xhtml+xml",)), *format_offers("graph"))


def _split_suffix(rest: str) -> tuple[str, str | None]:
    for suffix, name in SUFFIXES.items():
        if rest.endswith(suffix) and len(rest) > len(suffix):
            return rest[: -len(suffix)], name
    return rest, None


def _iri_for(path: str) -> ox.NamedNode:
    """The graph's IRI for a request path: the base + the path, segments quoted as minted."""
    segments = path.strip("/").split("/")
    return ox.NamedNode(get_settings().base_iri + "/".join(quote(s, safe="") for s in segments))


def _not_found(kind: str, key: str) -> ApiError:
    shown = key if len(key) <= 100 else key[:100] + "…"
    return ApiError(404, f"no {kind.replace('-', ' ')} '{shown}' in the graph")


def _links(path: str) -> str:
    alternates = [
        (f"{path}{s}", formats.BY_NAME[n].media_type) for s, n in SUFFIXES.items() if n != "html"
    ]
    alternates.append((f"{path}.html", HTML))
    return ", ".join(f'<{href}>; rel="alternate"; type="{media}"' for href, media in alternates)


def _rdf_response(triples: list[ox.Triple], fmt_name: str, path: str) -> Response:
    fmt = formats.BY_NAME[fmt_name]
    response = Response(formats.serialize(triples, fmt), content_type=fmt.content_type)
    return _finish(response, path, fmt_name)


def _finish(response: Response, path: str, fmt_name: str) -> Response:
    response.vary.add("Accept")
    response.headers["Link"] = _links(path)
    suffix = _SUFFIX_OF.get(fmt_name)
    if suffix:
        response.headers["Content-Location"] = f"{path}{suffix}"
    return response


def _dereference(kind: str, rest: str) -> Response:
    key, fmt_name = _split_suffix(rest)
    if fmt_name is None:
        fmt_name = negotiate(OFFERS).name
    store, base = get_store(), get_settings().base_iri
    path = f"/{kind}/{key}"
    has_record = kind in RECORD_KINDS and "/" not in key
    if kind == "standard":
        iri = ox.NamedNode(records.FAIRSHARING_DOI + quote(key, safe=""))
    else:
        iri = _iri_for(path)
    if fmt_name == "html" and has_record:
        record = RECORD_KINDS[kind](store, base, key)
        if record is None:
            raise _not_found(kind, key)
        html = render_template(
            f"{kind}.html", record=record, bioschemas=records.bioschemas(record, kind)
        )
        return _finish(Response(html, content_type="text/html; charset=utf-8"), path, "html")
    triples = describe(store, iri)
    if kind == "standard":
        triples += describe_references(store, iri)
    if not triples:
        raise _not_found(kind, key)
    if fmt_name == "html":
        html = render_template("describe.html", iri=iri.value, rows=_rows(triples, iri.value))
        return _finish(Response(html, content_type="text/html; charset=utf-8"), path, "html")
    return _rdf_response(triples, fmt_name, path)


_REFERENCES = """
CONSTRUCT { ?r ckg:fairsharingRecord ?record ; schema:name ?name } WHERE {
  ?r ckg:fairsharingRecord ?record ; schema:name ?name }"""


def describe_references(store, record: ox.NamedNode) -> list[ox.Triple]:
    """The toolkit resources that carry a FAIRsharing record, with their names."""
    return list(store.query(records.PREFIXES + _REFERENCES, {"record": record}))


def _rows(triples: list[ox.Triple], subject: str) -> list[dict[str, Any]]:
    """Triples as rows for describe.html: the described IRI's own first."""
    labels = {
        t.subject.value: t.object.value
        for t in triples
        if isinstance(t.object, ox.Literal)
        and t.predicate.value.endswith(("#label", "/name", "#prefLabel", "/title"))
    }
    rows = [
        {
            "subject": _term(t.subject),
            "predicate": _term(t.predicate),
            "object": _term(t.object),
            "object_label": labels.get(t.object.value)
            if isinstance(t.object, ox.NamedNode)
            else None,
        }
        for t in triples
    ]
    return sorted(
        rows,
        key=lambda r: (
            r["subject"]["value"] != subject,
            r["subject"]["value"],
            r["predicate"]["value"],
        ),
    )


def _term(term: object) -> dict[str, Any]:
    out = formats.json_term(term)
    if isinstance(term, ox.NamedNode):
        for prefix, ns in formats.PREFIXES.items():
            if term.value.startswith(ns):
                out["short"] = f"{prefix}:{term.value[len(ns) :]}"
                break
    return out


def _register_dereference(kind: str) -> None:
    def view(rest: str) -> Response:
        return _dereference(kind, rest)

    view.__name__ = "describe_" + kind.replace("-", "_")
    bp.add_url_rule(f"/{kind}/<path:rest>", view.__name__, view, methods=["GET"])


for _kind in (*RECORD_KINDS, *DESCRIBED_KINDS):
    _register_dereference(_kind)


# -- OpenAPI ---------------------------------------------------------------------------

_REPRESENTATIONS = {
    "200": {
        "description": "The description: HTML, or RDF by Accept or suffix (.ttl, .jsonld, .nt, .rdf, .html)",
        "headers": {
            "Link": {
                "description": 'rel="alternate" links to the other representations',
                "schema": {"type": "string"},
            },
            "Content-Location": {
                "description": "The suffixed document sent",
                "schema": {"type": "string"},
            },
        },
        "content": {HTML: {}, **media_content(formats.GRAPH_FORMATS)},
    },
    **errors({404: "No such IRI in the graph", 406: "No acceptable representation"}),
}


def _describe_path(kind: str, what: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": f"Dereference {what}",
            "tags": ["linked data"],
            "parameters": [
                path_parameter(
                    "rest", "The rest of the IRI's path, optionally with a format suffix"
                )
            ],
            "responses": _REPRESENTATIONS,
        }
    }


_WHAT = {
    "resource": "a toolkit resource (<base>resource/<id>)",
    "node": "an ELIXIR Node (<base>node/<code>) or one of its memberships",
    "page": "an RDMkit page (<base>page/<key>)",
    "standard": "a FAIRsharing record of the toolkit (/standard/<id>, id after 'FAIRsharing.')",
    "national-resource": "a national resource",
    "institute": "an institute of the node map (or its membership)",
    "person": "a contributor of RDMkit",
    "organisation": "ELIXIR or the ELIXIR Hub",
    "business-model": "a business model of the catalogue",
    "impact": "an impact indicator or observation",
    "maturity": "a thing of the RDM maturity model",
    "graph": "a named graph (its provenance)",
}


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    f"/{kind}/{{rest}}": _describe_path(kind, what) for kind, what in _WHAT.items()
}
