"""Limits on SPARQL text checked before any parser runs: nesting depth and pattern count.

Both read the text through the one lexer (:func:`kg.sparql.lexer.code`), so brackets and
dots inside strings, IRIs and comments do not count.
"""

from __future__ import annotations

import re

from kg.errors import QuerySyntaxError
from kg.sparql.lexer import code

#: Deepest bracket nesting accepted in SPARQL: Oxigraph's parser recurses on the native
#: stack, and a query nested some ten thousand levels deep crashes the whole process.
MAX_SPARQL_DEPTH = 200
_SPARQL_BRACKETS = re.compile(r"[{}()\[\]]")


#: Most triple patterns (counted by their ``.`` separators) in one query: Oxigraph plans
#: a long join recursively too, and thirty thousand patterns crash the process.
MAX_SPARQL_PATTERNS = 1000
_PATTERN_END = re.compile(r"\.(?=[\s}]|$)")


def check_nesting(text: str, *, query: bool = True) -> None:
    """Raise :class:`QuerySyntaxError` for SPARQL nested deeper than :data:`MAX_SPARQL_DEPTH`
    or, for a query, with more than :data:`MAX_SPARQL_PATTERNS` patterns (an update's
    ``INSERT DATA`` may hold any number of triples)."""
    syntax = code(text)
    if query and len(_PATTERN_END.findall(syntax)) > MAX_SPARQL_PATTERNS:
        raise QuerySyntaxError(f"more than {MAX_SPARQL_PATTERNS} triple patterns; not accepted")
    depth = 0
    for bracket in _SPARQL_BRACKETS.findall(syntax):
        depth += 1 if bracket in "{([" else -1
        if depth > MAX_SPARQL_DEPTH:
            raise QuerySyntaxError(
                f"brackets nested more than {MAX_SPARQL_DEPTH} levels deep; not accepted"
            )
