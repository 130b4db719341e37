"""Rewrites of SPARQL text that only ever insert fixed keywords and validated terms.

- :func:`bind`: typed parameters as a ``VALUES`` block opening the query's WHERE group;
- :func:`with_update_dataset`: the protocol's update dataset written into an update.

Both find their place through the one lexer (:mod:`kg.sparql.lexer`), so a ``{`` or a
keyword inside a string, an IRI or a comment is never mistaken for syntax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from kg.errors import QuerySyntaxError
from kg.sparql.lexer import Token, outer_where_brace, tokens

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def values_clause(bindings: Mapping[str, Term]) -> str:
    """Typed bindings as a SPARQL ``VALUES`` block, from validated terms only.

    The terms are pyoxigraph objects (validated on construction) written in
    their N-Triples form, so no text from a user reaches the query unescaped.
    """
    names, terms = [], []
    for name, term in bindings.items():
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"binding ?{name}: expected an IRI or a literal, got {term!r}")
        names.append("?" + name)
        terms.append(str(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def bind(text: str, bindings: Mapping[str, Term] | None) -> str:
    """The query with ``bindings`` as a ``VALUES`` block opening its outer WHERE group.

    This is how every backend binds parameters. Placed first in the group, the
    block joins with the whole pattern, so FILTERs, OPTIONALs, grouping and
    projection all see the bound values (a trailing VALUES clause would join
    only after grouping). A bound variable need not be projected.
    """
    if not bindings:
        return text
    brace = outer_where_brace(text)
    if brace is None:
        raise QuerySyntaxError("cannot bind parameters: the query has no WHERE group")
    return f"{text[: brace + 1]} {values_clause(bindings)} {text[brace + 1 :]}"


class UpdateDatasetConflict(ValueError):
    """The protocol's update dataset cannot be combined with this update's text."""


def with_update_dataset(
    text: str, using: Sequence[ox.NamedNode], using_named: Sequence[ox.NamedNode]
) -> str:
    """``text`` with the protocol's update dataset written into every operation.

    SPARQL 1.1 Protocol §2.2.3: ``using-graph-uri`` / ``using-named-graph-uri``
    set the dataset of each operation's WHERE clause, and a request that also
    uses ``USING``, ``USING NAMED`` or ``WITH`` is an error. Every top-level
    ``WHERE`` of a DELETE/INSERT operation gets the equivalent ``USING`` clauses
    in front of it; ``DELETE WHERE { P }`` — which takes no USING — is first
    written in its long form ``DELETE { P } WHERE { P }`` (the same meaning,
    by the SPARQL 1.1 Update specification §3.1.3.3). Operations without a
    WHERE clause (``INSERT DATA``, ``LOAD``, ``CLEAR`` …) are unaffected.
    """
    clauses = " ".join(
        [f"USING {iri}" for iri in using] + [f"USING NAMED {iri}" for iri in using_named]
    )
    if not clauses:
        return text
    toks = [t for t in tokens(text) if t.kind != "skip"]
    out: list[str] = []
    position = 0
    for i, tok in enumerate(toks):
        if tok.depth != 0 or tok.kind != "word":
            continue
        if tok.is_keyword("USING", "WITH"):
            raise UpdateDatasetConflict(
                f"the update uses {tok.text.upper()} and the request sets "
                "using-graph-uri / using-named-graph-uri: choose one"
            )
        if not tok.is_keyword("WHERE"):
            continue
        if i > 0 and toks[i - 1].is_keyword("DELETE"):
            # DELETE WHERE { P }  ->  DELETE { P } USING … WHERE { P }
            end = _group_end(toks, i + 1)
            if end is None:
                continue  # malformed: the engine will say where
            pattern = text[toks[i + 1].start : end]
            out.append(text[position : tok.start])
            out.append(f"{pattern} {clauses} WHERE")
            position = tok.end
        else:
            out.append(text[position : tok.start])
            out.append(f"{clauses} ")
            position = tok.start
    out.append(text[position:])
    return "".join(out)


def _group_end(toks: list[Token], first: int) -> int | None:
    """End offset of the brace group opened by ``toks[first]`` (None if it is not a ``{``)."""
    if first >= len(toks) or toks[first].kind != "open":
        return None
    for tok in toks[first + 1 :]:
        if tok.kind == "close" and tok.depth == toks[first].depth:
            return tok.end
    return None
