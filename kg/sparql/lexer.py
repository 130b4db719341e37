"""The one SPARQL lexer: where the comments, strings, IRIs, escapes, words and braces are.

Every reader of SPARQL text that is not a full parser goes through here, so a ``{``, a
bracket or a keyword inside a string, an IRI or a comment is never mistaken for syntax:

- :func:`tokens` — the significant tokens with their brace depth: binding parameters just
  inside the WHERE group (:func:`kg.sparql.rewrite.bind`), the update dataset
  (:func:`kg.sparql.rewrite.with_update_dataset`), the query form and variables of a named
  query (:mod:`kg.queries.parse`), the form of a remote query (:mod:`kg.store.remote`),
  the SERVICE clauses to probe (:mod:`kg.sparql.probe`);
- :func:`code` — the text with everything skipped blanked out, offsets kept: the nesting
  and size limits (:mod:`kg.sparql.guards`) and the count of SERVICE keywords
  (:mod:`kg.sparql.service`) search it with plain regular expressions, at C speed.

Nothing here makes text safe to run: the engine parses it afterwards, and a rewrite only
ever inserts fixed keywords and validated IRIs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: Comments, strings (short and long, both quotes) and IRIs (with \\u escapes).
SKIPPED = r"""
      \#[^\r\n]*
    | \"\"\"(?:(?:\"|\"\")?(?:[^"\\]|\\.))*\"\"\"
    | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
    | "(?:[^"\\\r\n]|\\.)*"
    | '(?:[^'\\\r\n]|\\.)*'
    | <(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>
"""

#: A backslash escape outside strings (``ex:a\\'b``): the escaped character is no syntax.
ESCAPE = r"\\."

_TOKEN = re.compile(
    rf"""
      (?P<skip>{SKIPPED})
    | (?P<escape>{ESCAPE})
    | [?$](?P<var>[A-Za-z0-9_\u00b7\u00c0-\ufffd]+)
    | (?P<word>[A-Za-z_:][A-Za-z0-9_:.\-]*)
    | (?P<open>\{{)
    | (?P<close>\}})
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # "skip" | "escape" | "var" | "word" | "open" | "close"
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


_SKIP = re.compile(rf"{SKIPPED} | {ESCAPE}", re.VERBOSE | re.DOTALL)


def code(text: str) -> str:
    """``text`` with every comment, string, IRI and escape blanked to spaces.

    The same lexemes :func:`tokens` skips, at the same offsets (the result has the length
    of ``text``), so what a regular expression finds in it is syntax.
    """
    return _SKIP.sub(lambda m: " " * (m.end() - m.start()), text)


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
