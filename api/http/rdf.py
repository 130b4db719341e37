"""RDF answers: triples in the negotiated graph format, and this server's SPARQL endpoint.

Every RDF format of :data:`kg.sparql.formats.GRAPH_FORMATS` by ``Accept`` or by a
``format`` parameter (Turtle by default); 406 otherwise (:mod:`api.http.negotiation`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import Response, request

from api.http.errors import bad_request
from api.http.negotiation import format_offers, negotiate
from kg.sparql import formats


def choose_graph_format(requested: str | None = None) -> formats.Format:
    """The RDF format this request asks for: ``requested`` (a ``format`` parameter) or
    ``Accept``; Turtle by default, a 406 when none suits."""
    return negotiate(format_offers("graph"), requested).format  # type: ignore[return-value]


def graph_response(triples: Iterable[ox.Triple], fmt: formats.Format) -> Response:
    """``triples`` serialised in ``fmt``, with ``Vary: Accept``."""
    response = Response(formats.serialize(triples, fmt), content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def endpoint_url() -> str:
    """The IRI of this request's ``/sparql`` endpoint (from ``request.url_root``).

    A 400 when the request's ``Host`` is invalid (Werkzeug then leaves it empty) or the URL
    is not an IRI.
    """
    if not request.host:
        raise bad_request("the request has no valid Host header")
    url = request.url_root + "sparql"
    try:
        ox.NamedNode(url)
    except ValueError as exc:
        raise bad_request(f"the endpoint URL {url!r} is not an IRI: {exc}") from None
    return url
