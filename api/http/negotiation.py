"""Content negotiation, one mechanism for every route: :func:`negotiate`.

A route lists what it can answer as :class:`Offer`\\ s (a name, a media type, maybe more
media types meaning the same) and hands them to :func:`negotiate` with the request's
``format`` (or ``report``) parameter, if the route has one. The parameter wins over
``Accept``:

- **a parameter** names an offer (``turtle``), a word of :data:`WORDS` (``ttl``), an offer's
  media type (``text/turtle``) or one of :data:`MEDIA_ALIASES` (``application/x-turtle``);
  case and surrounding blanks do not matter, an empty value counts as none. Anything else
  is an error naming what is offered: 406 by default, or whatever ``bad_parameter`` makes.
- **no parameter, no ``Accept``**: the first offer.
- **``Accept``**: its best match among the offers' media types, then the aliases of
  :data:`MEDIA_ALIASES` for offered names (so an offer's own media type wins a tie); when
  none matches, a 406 listing the offers' media types, or the ``fallback`` offer.

:data:`WORDS` and :data:`MEDIA_ALIASES` are the only format aliases of the API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from flask import request

from api.http.errors import ApiError, not_acceptable
from kg.sparql import formats


@dataclass(frozen=True)
class Offer:
    """One representation a route can answer."""

    name: str
    media_type: str
    #: More media types asking for exactly this offer in ``Accept`` (XHTML for HTML).
    also: tuple[str, ...] = ()
    #: How to serialise it, when it is a result format of :mod:`kg.sparql.formats`.
    format: formats.Format | None = None


#: Words a parameter may use besides the offers' names: the first candidate offered is
#: chosen. Clients such as SPARQLWrapper send ``format=xml`` or ``n3`` for CONSTRUCT too.
WORDS: dict[str, tuple[str, ...]] = {
    "json": ("jsonld",),
    "xml": ("sparql-xml", "rdfxml"),
    "srj": ("sparql-json",),
    "srx": ("sparql-xml",),
    "ttl": ("turtle",),
    "n3": ("turtle",),
    "nt": ("ntriples",),
    "n-triples": ("ntriples",),
    "json-ld": ("jsonld",),
    "rdf": ("rdfxml",),
    "nq": ("nquads",),
    "n-quads": ("nquads",),
}
#: More media types meaning an offer's name, in ``Accept`` or a parameter.
MEDIA_ALIASES: dict[str, str] = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
}


def format_offers(kind: str) -> tuple[Offer, ...]:
    """The result formats of ``kind`` ("solutions" or "graph") of :mod:`kg.sparql.formats`."""
    return tuple(Offer(f.name, f.media_type, format=f) for f in formats.formats_for(kind))


#: What a named query answers (``/queries/<name>``): rows as JSON objects (the default),
#: then the SPARQL results formats under names of their own.
QUERY_OFFERS: tuple[Offer, ...] = (
    Offer("json", "application/json"),
    *(
        Offer(name, formats.BY_NAME[fmt].media_type, format=formats.BY_NAME[fmt])
        for name, fmt in (
            ("csv", "csv"),
            ("tsv", "tsv"),
            ("sparql-json", "json"),
            ("sparql-xml", "xml"),
        )
    ),
)


def query_offers(kind: str) -> tuple[Offer, ...]:
    """What a named query of ``kind`` answers: a CONSTRUCT or DESCRIBE query (``graph``)
    also answers every RDF format, its rows being its triples."""
    return QUERY_OFFERS + (format_offers("graph") if kind == "graph" else ())


def parameter_words(offers: Iterable[Offer]) -> list[str]:
    """Every word a parameter may use for ``offers`` (their names and words), sorted."""
    names = {o.name for o in offers}
    return sorted(names | {w for w, candidates in WORDS.items() if names & set(candidates)})


def negotiate(
    offers: Sequence[Offer],
    requested: str | None = None,
    *,
    parameter: str = "format",
    where: str = "here",
    bad_parameter: Callable[[str], ApiError] = not_acceptable,
    fallback: str | None = None,
) -> Offer:
    """The offer this request asks for (see the module's docstring).

    ``requested`` is the value of the route's ``parameter``, ``where`` completes the error
    message ("not available {where}"), ``bad_parameter`` makes the error for a parameter
    naming nothing offered, and ``fallback`` names the offer answered when ``Accept``
    matches none (a 406 without it).
    """
    if requested:
        chosen = _by_parameter(offers, requested.strip().lower())
        if chosen is None:
            raise bad_parameter(
                f"{parameter} {requested!r} is not available {where}; use one of "
                f"{', '.join(o.name for o in offers)} (or their media types)"
            )
        return chosen
    if not request.accept_mimetypes:
        return offers[0]
    best = request.accept_mimetypes.best_match(_media_types(offers))
    if best is None:
        if fallback is not None:
            return _named(offers, fallback)  # type: ignore[return-value]
        raise not_acceptable(
            f"none of the accepted media types ({request.headers.get('Accept')}) is "
            f"available; offered: {', '.join(o.media_type for o in offers)}"
        )
    return _by_media_type(offers, best)  # type: ignore[return-value]


def _named(offers: Sequence[Offer], name: str | None) -> Offer | None:
    return next((o for o in offers if o.name == name), None)


def _media_types(offers: Sequence[Offer]) -> list[str]:
    """The media types to match ``Accept`` against, in order of preference on a tie."""
    names = {o.name for o in offers}
    own = [media for o in offers for media in (o.media_type, *o.also)]
    return own + [alias for alias, name in MEDIA_ALIASES.items() if name in names]


def _by_media_type(offers: Sequence[Offer], media_type: str) -> Offer | None:
    own = next((o for o in offers if media_type in (o.media_type, *o.also)), None)
    return own or _named(offers, MEDIA_ALIASES.get(media_type))


def _by_parameter(offers: Sequence[Offer], word: str) -> Offer | None:
    named = _named(offers, word)
    if named is not None:
        return named
    for candidate in WORDS.get(word, ()):
        named = _named(offers, candidate)
        if named is not None:
            return named
    return _by_media_type(offers, word)
