"""Pages of a named query's result: sliced, counted up to the row cap, rendered.

The executor (:mod:`kg.sparql.execution`, in this thread or in a worker process)
answers one page as SPARQL JSON results (SELECT, ASK) or N-Triples
(CONSTRUCT, DESCRIBE); :class:`Page` decodes it and renders it as the JSON document of
``GET /queries/<name>`` (JSON-native values), in a result or RDF format, or as a table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.queries.parameters import XSD
from kg.sparql import formats
from kg.store.base import Term

if TYPE_CHECKING:
    from kg.queries.catalog import NamedQuery
    from kg.sparql.execution import Executor

_INTEGERS = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_FLOATS = {XSD + "decimal", XSD + "double", XSD + "float"}


def native(term: Mapping[str, Any] | None) -> Any:
    """A term in SPARQL JSON results form as a JSON-native value.

    Numeric literals become numbers (integers exact; decimals, doubles and floats as
    floats; NaN and infinities stay strings), ``xsd:boolean`` becomes true/false, IRIs
    and other literals their text (language tags and other datatypes are dropped),
    blank nodes ``_:label``, an unbound variable None.
    """
    if term is None:
        return None
    kind, value = term["type"], term["value"]
    if kind == "bnode":
        return "_:" + value
    if kind == "triple":
        return {k: native(v) for k, v in value.items()}
    datatype = term.get("datatype")
    if kind == "literal" and datatype:
        try:
            if datatype in _INTEGERS:
                return int(value.strip())
            if datatype in _FLOATS:
                number = float(value.strip())
                return number if math.isfinite(number) else value
        except ValueError:
            return value
        if datatype == XSD + "boolean" and value.strip() in ("true", "1", "false", "0"):
            return value.strip() in ("true", "1")
    return value


@dataclass
class Page:
    """One page of a named query's result, decoded from what the query runner answered.

    ``kind`` is "solutions", "boolean" or "graph"; ``rows`` hold terms in SPARQL JSON
    results form (a graph's triples as rows of subject, predicate, object).
    """

    query: str
    kind: str
    variables: list[str]
    rows: list[dict[str, Any]]
    total: int | None
    limit: int
    offset: int
    truncated: bool
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None

    @classmethod
    def decode(
        cls,
        query: str,
        kind: str,
        body: bytes,
        *,
        total: int | None,
        limit: int,
        offset: int,
        truncated: bool,
    ) -> Page:
        """From SPARQL JSON (solutions) or N-Triples (graph), as :func:`run_page` gives."""
        if kind == "graph":
            triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            variables = ["subject", "predicate", "object"]
            rows = [
                dict(
                    zip(
                        variables,
                        map(formats.json_term, (t.subject, t.predicate, t.object)),
                        strict=True,
                    )
                )
                for t in triples
            ]
            return cls(
                query, "graph", variables, rows, total, limit, offset, truncated, triples=triples
            )
        document = json.loads(body)
        if "boolean" in document:
            return cls(
                query, "boolean", [], [], None, limit, offset, False, bool(document["boolean"])
            )
        variables = list(document["head"]["vars"])
        rows = list(document["results"]["bindings"])
        return cls(query, "solutions", variables, rows, total, limit, offset, truncated)

    def document(self) -> dict[str, Any]:
        """The JSON answer of ``GET /queries/<name>`` and ``kg queries run --format json``."""
        if self.kind == "boolean":
            return {"query": self.query, "boolean": self.boolean}
        return {
            "query": self.query,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "variables": self.variables,
            "rows": [{v: native(row.get(v)) for v in self.variables} for row in self.rows],
        }

    def results(self) -> ox.QuerySolutions | ox.QueryBoolean:
        """The page as pyoxigraph query results (to serialise or print as a table)."""
        if self.kind == "boolean":
            document: dict[str, Any] = {"head": {}, "boolean": self.boolean}
        else:
            document = {"head": {"vars": self.variables}, "results": {"bindings": self.rows}}
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)

    def serialize(self, fmt: formats.Format) -> bytes:
        """The page in a result format (any kind) or an RDF format (graph pages only)."""
        if fmt.kind == "graph":
            if self.triples is None:
                raise ValueError(f"{fmt.name} suits CONSTRUCT and DESCRIBE queries only")
            return formats.serialize(self.triples, fmt)
        return formats.serialize(self.results(), fmt)

    def table(self, max_width: int = 60) -> str:
        return formats.table(self.results(), max_width=max_width)


#: What the runner is asked for, per result kind, so that a page can be decoded.
TRANSPORT = {"solutions": formats.BY_NAME["json"], "graph": formats.BY_NAME["ntriples"]}


def run_page(
    executor: Executor,
    query: NamedQuery,
    bindings: Mapping[str, Term],
    *,
    limit: int | None = None,
    offset: int = 0,
) -> Page:
    """Run a named query under every limit of ``executor`` and decode one page of it."""
    outcome = executor.run(query.text, TRANSPORT, bindings=bindings, offset=offset, limit=limit)
    return Page.decode(
        query.name,
        outcome.kind,
        outcome.body,
        total=outcome.total,
        limit=executor.settings.max_rows if limit is None else limit,
        offset=offset,
        truncated=outcome.truncated,
    )
