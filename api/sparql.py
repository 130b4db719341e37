"""``/sparql``: the SPARQL 1.1 Protocol, query operation.

Query by GET (``?query=``), POST form (``application/x-www-form-urlencoded``) or
POST direct (``application/sparql-query``). SELECT/ASK answer SPARQL JSON, XML,
CSV or TSV; CONSTRUCT/DESCRIBE answer Turtle, N-Triples, JSON-LD or RDF/XML, by
``Accept`` or by a ``format`` parameter (a format name or media type).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from api.context import get_store
from api.errors import bad_request, not_acceptable, unsupported_media_type
from kg import formats
from kg.store import QuerySyntaxError

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def _query_text() -> str:
    if request.method == "GET":
        queries = request.args.getlist("query")
    else:
        mimetype = request.mimetype
        if mimetype == DIRECT:
            try:
                return request.get_data(as_text=False).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise bad_request(f"the request body is not UTF-8: {exc}") from None
        if mimetype != FORM:
            raise unsupported_media_type(
                f"POST a query as {FORM} or {DIRECT}, not {mimetype or 'no media type'}"
            )
        queries = request.form.getlist("query")
    if not queries:
        raise bad_request("missing 'query' parameter")
    if len(queries) > 1:
        raise bad_request("exactly one 'query' parameter is allowed")
    return queries[0]


def _choose_format(kind: str) -> formats.Format:
    allowed = formats.formats_for(kind)
    requested = request.values.get("format")
    if requested:
        fmt = formats.format_from_parameter(requested, kind)
        if fmt is not None:
            return fmt
        raise not_acceptable(
            f"format {requested!r} is not available for this query; "
            f"use one of {', '.join(f.name for f in allowed)}"
        )
    offered: list[str] = [f.media_type for f in allowed]
    offered += [
        alias for alias, name in formats.ALIASES.items() if name in {f.name for f in allowed}
    ]
    if not request.accept_mimetypes:
        return allowed[0]
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        raise not_acceptable(
            f"none of the accepted media types ({request.headers.get('Accept')}) is "
            f"available; offered: {', '.join(f.media_type for f in allowed)}"
        )
    name = formats.ALIASES.get(best)
    return next(f for f in allowed if f.media_type == best or f.name == name)


@bp.route("/sparql", methods=["GET", "POST"])
def query() -> Response:
    text = _query_text()
    try:
        result = get_store().query(text)
        fmt = _choose_format(formats.result_kind(result))
        body = formats.serialize(result, fmt)
    except QuerySyntaxError as exc:
        raise bad_request(f"malformed SPARQL query: {exc}") from None
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response
