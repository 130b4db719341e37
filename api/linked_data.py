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

Also the list pages: ``/`` (home, live counts), ``/resources`` (filters, search,
pagination), ``/nodes``, ``/pages``, ``/standards``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from api.context import get_settings, get_store
from api.errors import ApiError, bad_request, not_acceptable
from api.openapi import errors, media_content
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
LIST_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def _split_suffix(rest: str) -> tuple[str, str | None]:
    for suffix, name in SUFFIXES.items():
        if rest.endswith(suffix) and len(rest) > len(suffix):
            return rest[: -len(suffix)], name
    return rest, None


def _negotiate() -> str:
    """``html`` or a graph format name, from ``Accept`` (HTML first for ``*/*``)."""
    offered = [HTML, "application/xhtml+xml"] + [f.media_type for f in formats.GRAPH_FORMATS]
    offered += [a for a, n in formats.ALIASES.items() if n in {"ntriples", "turtle"}]
    if not request.accept_mimetypes:
        return "html"
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        raise not_acceptable(
            f"none of the accepted media types ({request.headers.get('Accept')}) is "
            f"available; offered: {', '.join(offered[:1] + offered[2:8])}"
        )
    if best in (HTML, "application/xhtml+xml"):
        return "html"
    name = formats.ALIASES.get(best)
    return next(f.name for f in formats.GRAPH_FORMATS if f.media_type == best or f.name == name)


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
        fmt_name = _negotiate()
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


# -- list pages ------------------------------------------------------------------------


def _single(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise bad_request(f"parameter '{name}': given {len(values)} times; give it once")
    return values[0] if values else None


def paging(default: int = LIST_PAGE_SIZE) -> tuple[int, int]:
    """``limit`` (1…MAX_PAGE_SIZE) and ``offset`` (0 or more) of a list request; 400 otherwise."""
    out = []
    for name, fallback, low, high in (("limit", default, 1, MAX_PAGE_SIZE), ("offset", 0, 0, None)):
        value = _single(name)
        if value is None or value == "":
            out.append(fallback)
            continue
        if not value.isdigit() or int(value) < low or (high is not None and int(value) > high):
            upper = f" to {high}" if high else " or more"
            raise bad_request(
                f"parameter '{name}': expected an integer from {low}{upper}, got {value[:60]!r}"
            )
        out.append(int(value))
    return out[0], out[1]


def resource_filters() -> dict[str, str]:
    """The resource filters of the request (empty values ignored); 400 naming a repeated one."""
    filters = {}
    for name in records.FILTER_NAMES:
        value = _single(name)
        if value:
            filters[name] = value
    return filters


def page_links(total: int, limit: int, offset: int) -> dict[str, str]:
    """first / prev / next / last URLs (this path, the same other parameters)."""
    kept = [
        (k, v)
        for k in request.args
        if k not in ("limit", "offset")
        for v in request.args.getlist(k)
    ]

    def url(at: int) -> str:
        return f"{request.path}?{urlencode([*kept, ('limit', limit), ('offset', at)])}"

    links = {"first": url(0)}
    if offset > 0:
        links["prev"] = url(max(0, offset - limit))
    if offset + limit < total:
        links["next"] = url(offset + limit)
    links["last"] = url(max(0, (total - 1) // limit * limit) if total else 0)
    return links


def _html(template: str, **context: Any) -> Response:
    return Response(render_template(template, **context), content_type="text/html; charset=utf-8")


@bp.get("/")
def home() -> Response:
    store, base = get_store(), get_settings().base_iri
    return _html("home.html", counts=records.home_counts(store, base))


@bp.get("/resources")
def resources_page() -> Response:
    store, base = get_store(), get_settings().base_iri
    limit, offset = paging()
    filters = resource_filters()
    try:
        total, rows = records.resources(store, base, filters, limit, offset)
    except records.FilterError as exc:
        raise bad_request(str(exc)) from None
    links = page_links(total, limit, offset)
    pagination = {"offset": offset, "limit": limit, **{k: links.get(k) for k in ("prev", "next")}}
    return _html(
        "resources.html",
        rows=rows,
        total=total,
        filters=filters,
        facets=records.facets(store, base),
        pagination=pagination,
    )


@bp.get("/nodes")
def nodes_page() -> Response:
    return _html("nodes.html", rows=records.nodes(get_store(), get_settings().base_iri))


@bp.get("/pages")
def pages_page() -> Response:
    kind = _single("kind") or None
    try:
        rows = records.pages(get_store(), get_settings().base_iri, kind)
    except records.FilterError as exc:
        raise bad_request(str(exc)) from None
    return _html("pages.html", rows=rows, kind=kind, kinds=list(records.PAGE_KINDS))


@bp.get("/standards")
def standards_page() -> Response:
    return _html("standards.html", rows=records.standards(get_store(), get_settings().base_iri))


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
                {
                    "name": "rest",
                    "in": "path",
                    "required": True,
                    "description": "The rest of the IRI's path, optionally with a format suffix",
                    "schema": {"type": "string"},
                }
            ],
            "responses": _REPRESENTATIONS,
        }
    }


def _html_page(summary: str, parameters: list[dict] | None = None) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "tags": ["web pages"],
            **({"parameters": parameters} if parameters else {}),
            "responses": {
                "200": {"description": "HTML", "content": {HTML: {}}},
                **errors(None, 400),
            },
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


def query_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


RESOURCE_FILTER_PARAMETERS = [
    query_parameter(
        "stage", "Life-cycle stage (plan, collect, process, analyse, preserve, share, reuse)"
    ),
    query_parameter("task", "Task page id, e.g. data_publication"),
    query_parameter("domain", "Domain page id, e.g. plants"),
    query_parameter("role", "Role page id, e.g. data_steward"),
    query_parameter("node", "Node code: resources with a national instance there"),
    query_parameter("country", "Same as node (ISO 3166-1 alpha-2)"),
    {
        **query_parameter("registry", "Registered in"),
        "schema": {"type": "string", "enum": ["biotools", "fairsharing"]},
    },
    {
        **query_parameter("missing", "Not registered in"),
        "schema": {"type": "string", "enum": ["biotools", "fairsharing"]},
    },
    query_parameter("q", "Text in the name or description (ignoring case)"),
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PAGE_SIZE,
            "default": LIST_PAGE_SIZE,
        },
    },
    {
        "name": "offset",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 0, "default": 0},
    },
]

OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    **{f"/{kind}/{{rest}}": _describe_path(kind, what) for kind, what in _WHAT.items()},
    "/": _html_page("Home page with live counts"),
    "/resources": _html_page(
        "Toolkit resources, filtered and paged (HTML)", RESOURCE_FILTER_PARAMETERS
    ),
    "/nodes": _html_page("ELIXIR Nodes (HTML)"),
    "/pages": _html_page(
        "RDMkit pages (HTML)",
        [query_parameter("kind", "Page kind: " + ", ".join(records.PAGE_KINDS))],
    ),
    "/standards": _html_page("FAIRsharing records of the toolkit (HTML)"),
}
