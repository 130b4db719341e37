"""One lexer for SPARQL text: where the comments, strings, IRIs, words and braces are.

Several places need to look at a query's text without a full parser: binding
parameters just inside the WHERE group (:func:`kg.store.bind`), finding the
query form and the variables a named query uses (:mod:`kg.catalog`), and giving
an update the dataset of the protocol's ``using-graph-uri`` /
``using-named-graph-uri`` parameters (:func:`with_update_dataset`). They all
read the text through :func:`tokens`, so a ``{`` or a keyword inside a string,
an IRI or a comment is never mistaken for syntax. (:mod:`kg.federation` builds
its SERVICE scanner from :data:`SKIPPED`, the same definition of what to skip.)

Nothing here makes text safe to run: the engine parses it afterwards, and a
rewrite only ever inserts fixed keywords and validated IRIs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

#: Comments, strings (short and long, both quotes) and IRIs (with \\u escapes).
SKIPPED = r"""
      \#[^\r\n]*
    | \"\"\"(?:(?:\"|\"\")?(?:[^"\\]|\\.))*\"\"\"
    | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
    | "(?:[^"\\\r\n]|\\.)*"
    | '(?:[^'\\\r\n]|\\.)*'
    | <(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>
"""

_TOKEN = re.compile(
    rf"""
      (?P<skip>{SKIPPED})
    | [?$](?P<var>[A-Za-z0-9_\u00b7\u00c0-\ufffd]+)
    | (?P<word>[A-Za-z_:][A-Za-z0-9_:.\-]*)
    | (?P<open>\{{)
    | (?P<close>\}})
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # "skip" | "var" | "word" | "open" | "close"
    text: str
    start: int
    end: int
    depth: int  # brace depth before the token

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of ``text``, each with the brace depth it stands at.

    Words include prefixed names (``ex:where`` is one word, not the keyword);
    a keyword is a word whose upper-case form is the keyword.
    """
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "skip"
        if kind == "close":
            depth = max(depth - 1, 0)
        value = m.group("var") if kind == "var" else m.group()
        yield Token(kind, value, m.start(), m.end(), depth)
        if kind == "open":
            depth += 1


def outer_where_brace(text: str) -> int | None:
    """Offset of the ``{`` that opens a query's WHERE group.

    The group follows the first top-level ``WHERE`` keyword; a query written
    without the keyword (``SELECT * { … }``, ``ASK { … }``) opens it with its
    first top-level brace, unless it is a CONSTRUCT (whose first brace opens
    the template).
    """
    first_brace, after_where, form = None, False, None
    for tok in tokens(text):
        if tok.kind == "word":
            if tok.depth == 0 and form is None and tok.is_keyword(*QUERY_FORMS):
                form = tok.text.upper()
            after_where = tok.depth == 0 and tok.is_keyword("WHERE")
        elif tok.kind == "open":
            if tok.depth == 0:
                if after_where:
                    return tok.start
                if first_brace is None:
                    first_brace = tok.start
            after_where = False
    return first_brace if form in ("SELECT", "ASK", "DESCRIBE") else None


QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


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
