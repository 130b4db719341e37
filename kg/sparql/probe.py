"""Federated queries over Node endpoints: endpoint parameters and a reachability probe.

A named federated query (``queries/federated-*.rq``) takes its Node endpoints as typed
``iri`` parameters and calls them with ``SERVICE ?param``. :func:`bind_service_endpoints`
writes each bound endpoint into its ``SERVICE`` clause as an IRI (a pyoxigraph
``NamedNode``, validated on construction, in its N-Triples form) so that the SERVICE
allowlist check (:mod:`kg.sparql.service`), which refuses variable endpoints, sees and checks
the real endpoint before anything runs.

Before a federated query runs, the hub asks every SERVICE endpoint ``ASK {}`` with a short
timeout (:func:`probe`). An endpoint that does not answer is

- for ``SERVICE SILENT``: reported as a partial failure (the API's ``KG-Partial`` header
  names it) while the query answers with the other endpoints' rows;
- otherwise: a 502 naming the endpoint, without running the query (never a hang on it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
import requests

from kg.sparql.lexer import tokens

#: Response header naming the SERVICE SILENT endpoints that could not be reached.
PARTIAL_HEADER = "KG-Partial"


@dataclass(frozen=True)
class Service:
    endpoint: str
    silent: bool


def bind_service_endpoints(text: str, bindings: Mapping[str, object] | None) -> str:
    """``SERVICE [SILENT] ?v`` → ``SERVICE [SILENT] <iri>`` for every ``?v`` bound to an IRI."""
    if not bindings:
        return text
    out, position, after_service = [], 0, False
    for tok in tokens(text):
        if tok.kind == "skip" and tok.text.startswith("#"):
            continue
        if after_service and tok.is_keyword("SILENT"):
            continue
        if after_service and tok.kind == "var":
            term = bindings.get(tok.text)
            if isinstance(term, ox.NamedNode):
                out.append(text[position : tok.start])
                out.append(str(term))
                position = tok.end
        after_service = tok.is_keyword("SERVICE")
    out.append(text[position:])
    return "".join(out)


def services(text: str, endpoints: Sequence[str | None]) -> list[Service]:
    """The SERVICE clauses of ``text``: ``endpoints`` (resolved, in order, as
    :func:`kg.sparql.service.service_endpoints` gives them) with their SILENT flags."""
    flags, after_service = [], False
    for tok in tokens(text):
        if tok.kind == "skip" and tok.text.startswith("#"):
            continue
        if after_service:
            flags.append(tok.is_keyword("SILENT"))
        after_service = tok.is_keyword("SERVICE")
    if len(flags) != len(endpoints):  # cannot pair them: treat every clause as not silent
        flags = [False] * len(endpoints)
    return [Service(e, s) for e, s in zip(endpoints, flags, strict=True) if e is not None]


def _unreachable(endpoint: str, timeout: float) -> str | None:
    """Why ``endpoint`` cannot answer a query now, or None if it answers."""
    try:
        response = requests.get(
            endpoint,
            params={"query": "ASK {}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.Timeout:
        return f"no answer within {timeout:g} s"
    except requests.RequestException as exc:
        return f"unreachable ({type(exc).__name__})"
    if response.status_code != 200:
        return f"answered HTTP {response.status_code}"
    return None


def probe(endpoints: Sequence[str], timeout: float) -> dict[str, str]:
    """The endpoints that do not answer ``ASK {}`` within ``timeout``, with why (in parallel)."""
    unique = list(dict.fromkeys(endpoints))
    if not unique:
        return {}
    with ThreadPoolExecutor(max_workers=min(8, len(unique))) as pool:
        reasons = list(pool.map(lambda e: _unreachable(e, timeout), unique))
    return {e: why for e, why in zip(unique, reasons, strict=True) if why}
