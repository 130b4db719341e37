"""The one content negotiator (api.http.negotiation.negotiate), rule by rule.

The routes' own tests check it through HTTP; these check each rule on its own, in a bare
request context (no store, no app of the project).
"""

from __future__ import annotations

import pytest
from flask import Flask

from api.http.errors import ApiError, bad_request
from api.http.negotiation import (
    Offer,
    format_offers,
    negotiate,
    parameter_words,
    query_offers,
)

FLASK = Flask(__name__)
HTML = (Offer("html", "text/html", also=("application/xhtml+xml",)), *format_offers("graph"))


def chosen(offers, requested=None, accept=None, **options) -> str:
    headers = {"Accept": accept} if accept is not None else {}
    with FLASK.test_request_context(headers=headers):
        return negotiate(offers, requested, **options).name


@pytest.mark.parametrize(
    ("kind", "requested", "name"),
    [
        ("solutions", "xml", "xml"),
        ("graph", "xml", "rdfxml"),  # SPARQLWrapper asks format=xml for CONSTRUCT
        ("graph", "json", "jsonld"),
        ("graph", "n3", "turtle"),
        ("graph", " TTL ", "turtle"),
        ("graph", "text/turtle", "turtle"),  # a media type
        ("graph", "application/x-turtle", "turtle"),  # a media alias
        ("solutions", "application/xml", "xml"),
    ],
)
def test_a_parameter_names_an_offer_a_word_or_a_media_type(kind, requested, name):
    assert chosen(format_offers(kind), requested, accept="image/png") == name


def test_a_word_means_the_first_of_its_candidates_offered():
    offers = query_offers("graph")  # json rows, ..., sparql-xml, then the RDF formats
    assert chosen(offers, "json") == "json"  # an offer's own name wins over a word
    assert chosen(offers, "xml") == "sparql-xml"
    assert chosen(offers, "srj") == "sparql-json"
    assert chosen(offers, "rdf") == "rdfxml"


def test_a_parameter_naming_nothing_offered_is_406_or_the_routes_error():
    with pytest.raises(ApiError) as caught:
        chosen(format_offers("solutions"), "turtle")
    assert caught.value.status == 406
    assert "format 'turtle' is not available here; use one of json, xml, csv, tsv" in str(
        caught.value
    )
    with pytest.raises(ApiError) as caught:
        chosen(format_offers("graph"), "pdf", parameter="report", bad_parameter=bad_request)
    assert caught.value.status == 400 and caught.value.message.startswith("report 'pdf'")


def test_an_empty_parameter_counts_as_none():
    assert chosen(format_offers("graph"), "", accept="application/ld+json") == "jsonld"


@pytest.mark.parametrize(
    ("accept", "name"),
    [
        (None, "html"),  # no Accept: the first offer
        ("", "html"),
        ("*/*", "html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("application/xhtml+xml", "html"),  # an offer's other media type
        ("application/xhtml+xml, text/turtle", "html"),  # a tie: the earlier offer
        ("text/plain", "ntriples"),  # a media alias
        ("text/plain, application/ld+json", "jsonld"),  # own media types win a tie
        ("text/turtle;q=0.5, application/n-triples", "ntriples"),
    ],
)
def test_accept_picks_the_best_offer(accept, name):
    assert chosen(HTML, accept=accept) == name


def test_no_acceptable_offer_is_406_listing_the_media_types_or_the_fallback():
    with pytest.raises(ApiError) as caught:
        chosen(HTML, accept="image/png")
    assert caught.value.status == 406
    assert "(image/png)" in caught.value.message
    assert "offered: text/html, text/turtle, application/n-triples" in caught.value.message
    assert chosen(HTML, accept="image/png", fallback="turtle") == "turtle"


def test_the_words_of_the_sparql_format_parameter():
    words = parameter_words(format_offers("solutions") + format_offers("graph"))
    assert {"json", "xml", "csv", "tsv", "turtle", "ttl", "n3", "nt", "json-ld", "rdf"} <= set(
        words
    )
    assert "srj" not in words and words == sorted(words)
