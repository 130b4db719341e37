"""Where a finding is written in the submitted text: the line of the offending triple.

pyoxigraph gives the position of a syntax error but not of each triple, so a finding is
found again in the text by how its terms are written there: the predicate (``<iri>``, a
prefixed name of the document's own prefixes, ``a`` for ``rdf:type``, a JSON-LD key, an
RDF/XML element) and the value (``<iri>``, a prefixed name, a quoted literal), searched from
the line of the finding's subject on and, in Turtle and TriG, not past the end of its
block. A finding without a value (a missing property) is on the line of its subject; one
whose triple cannot be found is too.
"""

from __future__ import annotations

import functools
import json
import re

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_LOCAL = re.compile(r"[\w.-]*")
_TURTLE = ("turtle", "trig")


@functools.lru_cache(maxsize=4)
def prefixes(text: str) -> tuple[tuple[str, str], ...]:
    """The ``@prefix`` / ``PREFIX`` declarations of a Turtle or TriG text (read once per
    text: a report locates every finding in the same document)."""
    return tuple(_PREFIX.findall(text))


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> tuple[str, ...]:
    return tuple(text.splitlines())


def iri_forms(iri: str, text: str, fmt: str) -> list[str]:
    """How ``iri`` may be written in a document of format ``fmt``."""
    forms = [f"<{iri}>"]
    if fmt in _TURTLE:
        for prefix, namespace in prefixes(text):
            local = iri[len(namespace) :] if namespace and iri.startswith(namespace) else None
            if local is not None and _LOCAL.fullmatch(local) and not local.endswith("."):
                forms.append(f"{prefix}:{local}")
    elif fmt in ("jsonld", "rdfxml"):
        local = re.split(r"[#/]", iri)[-1]
        forms = [f'"{iri}"'] + ([f'"{local}"', f":{local}", f"<{local}"] if local else [])
    return forms


def _value_forms(value: str, text: str, fmt: str) -> list[str]:
    if _IRI.fullmatch(value):
        return iri_forms(value, text, fmt)
    quoted = json.dumps(value, ensure_ascii=False)[:-1]  # the opening quote and the text
    return [quoted, value] if value else [quoted]


def finding_line(
    text: str, fmt: str, start: int | None, path: str | None, value: str | None
) -> int | None:
    """The line of the triple (subject at line ``start``, ``path``, ``value``), else ``start``."""
    if not text or start is None or not path or not _IRI.fullmatch(path) or value is None:
        return start
    lines = _lines(text)
    predicates = iri_forms(path, text, fmt) + (
        [" a "] if path == RDF_TYPE and fmt in _TURTLE else []
    )
    values = _value_forms(value, text, fmt)
    end = len(lines)
    if fmt in _TURTLE:  # a subject's block ends with the line ending in " ."
        end = next((i + 1 for i in range(start - 1, len(lines)) if _ends_block(lines[i])), end)
    both = _first(lines, start - 1, end, lambda line: _has(line, predicates) and _has(line, values))
    return both or _first(lines, start - 1, end, lambda line: _has(line, values)) or start


def _ends_block(line: str) -> bool:
    code = line.split(" #", 1)[0].rstrip()
    return code.endswith(".") and not code.endswith("..")


def _has(line: str, forms: list[str]) -> bool:
    return any(form in line for form in forms)


def _first(lines: list[str], begin: int, end: int, test) -> int | None:
    return next((i + 1 for i in range(max(begin, 0), end) if test(lines[i])), None)


def subject_line(text: str, iri: str, fmt: str) -> int | None:
    """The first line that starts with ``iri`` (written in full or with a prefix), else
    the first line naming it in full; None when it is not written in the text."""
    forms = iri_forms(iri, text, fmt)
    if fmt in ("jsonld", "rdfxml"):
        forms = forms[:1]  # a subject is written in full there
    lines = _lines(text)
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        for form in forms:
            if stripped.startswith(form) and (
                len(stripped) == len(form) or not re.match(r"[\w.:-]", stripped[len(form)])
            ):
                return number
    return next((n for n, line in enumerate(lines, start=1) if iri in line), None)
