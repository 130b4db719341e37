"""Result formats: names, media types, serialisation of query results.

Shared by the API (content negotiation) and the CLI (``--format``).
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import PREFIXES, XSD_STRING
from kg.store.base import QueryResult


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    kind: str  # "solutions" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(
            ("json", "xml", "turtle", "n-triples", "n-quads", "trig")
        )
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "solutions", ox.QueryResultsFormat.JSON),
    Format("xml", "application/sparql-results+xml", "solutions", ox.QueryResultsFormat.XML),
    Format("csv", "text/csv", "solutions", ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", "solutions", ox.QueryResultsFormat.TSV),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "graph", rdf=ox.RdfFormat.TURTLE),
    Format("ntriples", "application/n-triples", "graph", rdf=ox.RdfFormat.N_TRIPLES),
    Format("jsonld", "application/ld+json", "graph", rdf=ox.RdfFormat.JSON_LD),
    Format("rdfxml", "application/rdf+xml", "graph", rdf=ox.RdfFormat.RDF_XML),
    Format("nquads", "application/n-quads", "graph", rdf=ox.RdfFormat.N_QUADS),
    Format("trig", "application/trig", "graph", rdf=ox.RdfFormat.TRIG),
)
BY_NAME: dict[str, Format] = {f.name: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS)}


def result_kind(result: QueryResult) -> str:
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        return "solutions"
    return "graph"


def formats_for(kind: str) -> tuple[Format, ...]:
    return RESULT_FORMATS if kind == "solutions" else GRAPH_FORMATS


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """Serialise a query result in ``fmt`` (which must suit the result kind)."""
    out = io.BytesIO()
    if fmt.kind == "solutions":
        assert isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
        result.serialize(out, format=fmt.results)
    else:
        prefixes = (
            PREFIXES
            if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
            else None
        )
        as_quads = fmt.rdf.supports_datasets
        ox.serialize(_triples(result, as_quads), out, format=fmt.rdf, prefixes=prefixes)
    return out.getvalue()


def serialize_limited(result: QueryResult, fmt: Format, max_rows: int) -> tuple[bytes, bool]:
    """Serialise at most ``max_rows`` solutions or triples; also say whether some were cut.

    A truncated SPARQL JSON result carries ``"truncated": true`` beside ``head``.
    """
    body, truncated, _ = serialize_page(result, fmt, max_rows)
    return body, truncated


def serialize_page(
    result: QueryResult,
    fmt: Format,
    max_rows: int,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[bytes, bool, int | None]:
    """Serialise one page of a result: skip ``offset`` solutions or triples, keep ``limit``.

    The result is read up to ``max_rows`` + 1 items and no further, so a page never
    reaches past ``max_rows``. Returns the body, whether the result was cut at
    ``max_rows``, and the total number of items (None when cut, or for ASK).
    A cut SPARQL JSON result carries ``"truncated": true`` beside ``head``.
    """
    if isinstance(result, ox.QueryBoolean):
        return serialize(result, fmt), False, None
    end = max_rows if limit is None else min(max_rows, offset + limit)
    kept: list = []
    count = 0
    for item in itertools.islice(result, max_rows + 1):
        if offset <= count < end:
            kept.append(item)
        count += 1
    truncated = count > max_rows
    total = None if truncated else count
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        if fmt.results == ox.QueryResultsFormat.JSON:
            return solutions_json(variables, kept, truncated=truncated), truncated, total
        data = solutions_json(variables, kept)  # read back by Oxigraph for the other formats
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        return serialize(parsed, fmt), truncated, total
    return serialize(kept, fmt), truncated, total


_quote = (
    json.encoder.c_encode_basestring or json.encoder.py_encode_basestring
)  # "…", not ASCII-escaped


def solutions_json(variables: list[str], rows: Iterable, *, truncated: bool = False) -> bytes:
    """SPARQL 1.1 Query Results JSON of ``rows`` (query solutions, values in ``variables``
    order), written as text directly: the same document as :func:`json_term` per value
    through ``json.dumps``, without building the dictionaries (on a 600-row result that
    was a third of the request). ``"truncated": true`` is added when the result was cut.
    """
    keys = [_quote(v) + ":" for v in variables]
    bindings = ",".join(
        "{"
        + ",".join(k + _term_text(t) for k, t in zip(keys, row, strict=True) if t is not None)
        + "}"
        for row in rows
    )
    head = '{"head":{"vars":[' + ",".join(map(_quote, variables)) + "]},"
    tail = ',"truncated":true}' if truncated else "}"
    return (head + '"results":{"bindings":[' + bindings + "]}" + tail).encode("utf-8")


def _term_text(term: object) -> str:
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _quote(term.value) + "}"
    if kind is ox.Literal:
        if term.language:
            extra = ',"xml:lang":' + _quote(term.language)
        elif term.datatype.value != XSD_STRING:
            extra = ',"datatype":' + _quote(term.datatype.value)
        else:
            extra = ""
        return '{"type":"literal","value":' + _quote(term.value) + extra + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _quote(term.value) + "}"
    return json.dumps(json_term(term), ensure_ascii=False)  # triple terms (RDF 1.2)


def json_term(term: object) -> dict:
    """A term in the SPARQL 1.1 Query Results JSON Format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": json_term(term.subject),
                "predicate": json_term(term.predicate),
                "object": json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _triples(result: Iterable[ox.Triple], as_quads: bool) -> Iterable[ox.Triple | ox.Quad]:
    """The result's triples; as quads in the default graph for dataset formats."""
    if not as_quads:
        yield from result
        return
    default = ox.DefaultGraph()
    for t in result:
        yield ox.Quad(t.subject, t.predicate, t.object, default)


def term_text(term: object) -> str:
    """A short human form of a term for tables: IRIs bare, literals by value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def table(result: QueryResult, max_width: int = 60) -> str:
    """A readable plain-text table (CLI)."""
    if isinstance(result, ox.QueryBoolean):
        return "true" if bool(result) else "false"
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [[_clip(term_text(s[n]), max_width) for n in names] for s in result]
    else:
        names = ["subject", "predicate", "object"]
        rows = [
            [_clip(term_text(x), max_width) for x in (t.subject, t.predicate, t.object)]
            for t in result
        ]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]

    def fmt_row(cells: list[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [fmt_row(names), "-+-".join("-" * w for w in widths)]
    out += [fmt_row(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
