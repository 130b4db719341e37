"""pySHACL's SPARQL, parsed once: rdflib queries prepared per text and reused.

pySHACL hands rdflib the text of every SPARQL target and constraint for every validation
(and a constraint for every focus node); rdflib parses and translates the text each time,
~5–40 ms a query, which was most of a small document's validation once the shapes checked
values against their concept schemes with SPARQL (issue 16: 190 ms → 40 ms for one
record). :func:`install` makes rdflib's SPARQL processor keep the translated query of each
(text, base, namespaces) — a prepared query, which rdflib evaluates again with other
bindings as it does for ``prepareQuery`` — in a bounded LRU cache. The shapes are fixed
texts of ``shapes/`` or of a steward's own shapes, so the cache stays small.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from rdflib.plugins.sparql import processor

#: Most prepared queries kept (the project's shapes hold about 60 SPARQL texts).
MAX_PREPARED = 1024


@functools.lru_cache(maxsize=MAX_PREPARED)
def _prepared(text: str, base: str | None, namespaces: tuple) -> Any:
    return processor.translateQuery(processor.parseQuery(text), base, dict(namespaces) or None)


def _query(
    self: processor.SPARQLProcessor,
    query: Any,
    initBindings: Mapping[str, Any] | None = None,  # noqa: N803 - rdflib's signature
    initNs: Mapping[str, Any] | None = None,  # noqa: N803
    base: str | None = None,
    DEBUG: bool = False,  # noqa: N803, ARG001
) -> Mapping[str, Any]:
    if isinstance(query, str):
        query = _prepared(query, base, tuple(sorted((initNs or {}).items())))
    return processor.evalQuery(self.graph, query, initBindings, base)


def install() -> None:
    """Make every rdflib SPARQL query of this process reuse its prepared form."""
    processor.SPARQLProcessor.query = _query
