"""Which SPARQL ``SERVICE`` endpoints a query may call.

pyoxigraph evaluates ``SERVICE <url> { … }`` itself, with its own HTTP client: without a
check, anyone who may send a query could make the server fetch any URL (SSRF). Before a
query or update reaches the store, :func:`check_services` finds every ``SERVICE`` clause
in the *parsed* query and refuses it unless

- its endpoint is an IRI (a variable endpoint is refused),
- the IRI uses http or https and equals an entry of ``KG_SERVICE_ALLOWLIST`` (after
  normalising scheme and host case and a default port), and
- every address its host resolves to is public: loopback, private, link-local,
  non-global, multicast, reserved and unspecified addresses are refused, the first four
  allowed when ``KG_SERVICE_ALLOW_PRIVATE`` is set; cloud metadata addresses are refused
  always.

The allowlist is checked before any name is resolved, so a query cannot make the server
look up names of its choosing.

Parsing uses rdflib's SPARQL grammar, with three differences from
``rdflib.plugins.sparql.parser.parseQuery`` / ``parseUpdate``, each because rdflib and
Oxigraph would otherwise read the same text differently:

- a private copy of the grammar without rdflib's ``service_string`` re-parse, which
  recurses without end on a nested ``SERVICE`` (RDFLib/rdflib#2136);
- ``\\uXXXX`` escapes are not expanded before parsing. rdflib expands them everywhere,
  Oxigraph only inside strings and IRIs, so ``"\\u0022"`` would move rdflib's string
  boundaries and hide a ``SERVICE`` clause from the check. Unexpanded, such escapes make
  rdflib's grammar fail, and the check fails closed;
- a carriage return ends a comment, as in SPARQL and Oxigraph (pyparsing's comment runs
  to the line feed and would hide what follows a lone ``\\r``).

As defence in depth, ``SERVICE`` keywords are also counted in the text outside strings,
IRIs and comments; if the parse tree has fewer ``SERVICE`` clauses than that, the query
is refused as unverifiable. A query that mentions no ``service`` at all is not parsed.

What stays outside this check: pyoxigraph resolves the host again when it connects (a
DNS answer that changes in between is not seen here), and it may follow HTTP redirects
from an allowed endpoint. Network-level egress rules remain the stronger defence.
"""

from __future__ import annotations

import copy
import functools
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

from pyparsing import ParserElement, ParseResults
from rdflib.term import URIRef, Variable

from kg.errors import ServiceRefused
from kg.sparql.addresses import Resolver, addresses_of, effective, literal_address, why_not
from kg.sparql.lexer import code

__all__ = ["ServiceRefused", "check_services", "service_endpoints"]


# -- parsing ------------------------------------------------------------------------------

#: Name given to the ServiceGraphPattern rule in our copy of rdflib's grammar.
_SERVICE_NODE = "FederatedServiceGraphPattern"
_grammar_lock = threading.Lock()
_parse_lock = threading.Lock()
_grammar: tuple[ParserElement, ParserElement] | None = None


def _parsers() -> tuple[ParserElement, ParserElement]:
    """rdflib's Query and UpdateUnit rules, copied once with ServiceGraphPattern renamed.

    rdflib's ``Comp`` re-parses the whole input to fill ``service_string`` whenever the
    rule is named "ServiceGraphPattern", which never ends on a nested SERVICE; under
    another name the rule builds the same node without that step. The copy leaves
    rdflib's own grammar untouched for everyone else in the process.
    """
    global _grammar
    with _grammar_lock:
        if _grammar is None:
            from rdflib.plugins.sparql import parser as rdflib_parser
            from rdflib.plugins.sparql.parserutils import Comp

            query, update = copy.deepcopy((rdflib_parser.Query, rdflib_parser.UpdateUnit))
            seen: set[int] = set()
            stack: list[ParserElement] = [query, update]
            renamed = 0
            while stack:
                element = stack.pop()
                if id(element) in seen:
                    continue
                seen.add(id(element))
                if isinstance(element, Comp) and element.name == "ServiceGraphPattern":
                    element.set_name(_SERVICE_NODE)
                    renamed += 1
                stack.extend(element.recurse())
            if not renamed:  # rdflib changed shape: better to fail loudly than to miss SERVICE
                raise RuntimeError("rdflib's SPARQL grammar has no ServiceGraphPattern rule")
            _grammar = (query, update)
        return _grammar


_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE_WORD = re.compile("service", re.IGNORECASE)


def _expand_escapes(text: str) -> str:
    def expand(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _UCHAR.sub(expand, text)


def _mentions_service(text: str) -> bool:
    return bool(_SERVICE_WORD.search(text) or _SERVICE_WORD.search(_expand_escapes(text)))


_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:?$@%\\-.")
_NAME_CONTINUES = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:-")
_NUMBER = re.compile(r"[+-]?[0-9.]*(?:[eE][+-]?[0-9]+)?")


def _is_name_char(char: str) -> bool:
    return char in _NAME_CHARS or char >= "\x80"


def _keyword_count(text: str) -> int:
    """How many SERVICE keywords the text holds outside strings, IRIs and comments.

    Errs towards counting: a ``service`` right after a number or a dot counts (Oxigraph
    reads ``?o.SERVICE`` and ``1SERVICE`` as the keyword), one inside a name does not.
    """
    count = 0
    for m in _SERVICE_WORD.finditer(code(text)):  # outside strings, IRIs, comments, escapes
        after = text[m.end() : m.end() + 1]
        if after and (after in _NAME_CONTINUES or after >= "\x80"):
            continue
        start = m.start()
        while start > 0 and m.start() - start < 256 and _is_name_char(text[start - 1]):
            start -= 1
        run = text[start : m.start()]
        if not run or run.endswith(".") or _NUMBER.fullmatch(run):
            count += 1
    return count


def _parse(text: str, is_update: bool) -> tuple[list[Any], list[Any]]:
    """Parse into (prologues, bodies): one prologue per body, in order."""
    query_rule, update_rule = _parsers()
    text = text.replace("\r", "\n")  # a comment ends at CR too (see the module docstring)
    # One parse at a time: pyparsing settles the arity of each parse action on its first
    # calls, which is not thread-safe; parallel first parses left the grammar broken for
    # good and every query mentioning "service" refused (found by bench/soak.py).
    with _parse_lock:
        if is_update:
            update = update_rule.parse_string(text, parse_all=True)[0]
            prologues = list(dict.get(update, "prologue") or [])
            requests = list(dict.get(update, "request") or [])
            return prologues, requests
        prologue, body = query_rule.parse_string(text, parse_all=True)
    return [prologue], [body]


def _walk(node: Any) -> Iterator[Any]:
    """Every ServiceGraphPattern node under ``node``, in document order (no recursion)."""
    stack: list[Iterator[Any]] = [iter((node,))]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            continue
        if isinstance(item, dict):  # rdflib CompValue
            if getattr(item, "name", None) in (_SERVICE_NODE, "ServiceGraphPattern"):
                yield item
            stack.append(iter(list(dict.values(item))))
        elif isinstance(item, (ParseResults, list, tuple)):
            stack.append(iter(list(item)))


_END = object()
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PN_LOCAL_ESC = re.compile(r"\\(.)")


def _absolute(iri: str, base: str | None) -> str:
    if _SCHEME.match(iri) or base is None:
        return iri  # absolute, or relative without a BASE (which Oxigraph rejects)
    return urljoin(base, iri)


class _Prologue:
    def __init__(self) -> None:
        self.base: str | None = None
        self.prefixes: dict[str, str] = {}

    def read(self, decls: Any) -> None:
        for decl in decls or ():
            name = getattr(decl, "name", None)
            iri = str(dict.get(decl, "iri", ""))
            if name == "Base":
                self.base = _absolute(iri, self.base)
            elif name == "PrefixDecl":
                self.prefixes[str(dict.get(decl, "prefix", ""))] = _absolute(iri, self.base)

    def endpoint(self, term: Any) -> str | Variable:
        if isinstance(term, Variable):
            return term
        if isinstance(term, URIRef):
            return _absolute(str(term), self.base)
        if isinstance(term, dict) and getattr(term, "name", None) == "pname":
            prefix = str(dict.get(term, "prefix", ""))
            local = _PN_LOCAL_ESC.sub(r"\1", str(dict.get(term, "localname", "")))
            if prefix not in self.prefixes:
                raise ServiceRefused(
                    f"cannot verify SERVICE endpoints: SERVICE {prefix}:{local} "
                    f"uses the undeclared prefix '{prefix}:'"
                )
            return self.prefixes[prefix] + local
        raise ServiceRefused(f"cannot verify SERVICE endpoints: unexpected endpoint {term!r}")


@functools.lru_cache(maxsize=512)
def _endpoints(query: str, is_update: bool | None) -> tuple[str | Variable, ...]:
    """The SERVICE endpoints of ``query``, parsed once per text (checks and probes both ask,
    and a named query's text is the same on every call: its values are bound afterwards)."""
    if not _mentions_service(query):
        return ()
    modes = [False, True] if is_update is None else [is_update]
    errors = []
    for mode in modes:
        try:
            prologues, bodies = _parse(query, mode)
            break
        except RecursionError:
            errors.append("too long or too deeply nested for rdflib's parser")
        # Fail closed on anything else the parser raises: ParseException, or an error
        # from one of rdflib's parse actions.
        except Exception as exc:  # noqa: BLE001
            errors.append(str(exc))
    else:
        if len(errors) > 1:
            errors = [f"as a query: {errors[0]}", f"as an update: {errors[1]}"]
        raise ServiceRefused(
            "cannot verify SERVICE endpoints: the text mentions SERVICE and rdflib cannot "
            f"parse it ({'; '.join(errors)})"
        )
    prologue = _Prologue()
    found: list[str | Variable] = []
    for decls, body in zip(prologues, bodies, strict=False):
        prologue.read(decls)
        for node in _walk(body):
            found.append(prologue.endpoint(dict.get(node, "term")))
    keywords = _keyword_count(query)
    if keywords > len(found):
        raise ServiceRefused(
            f"cannot verify SERVICE endpoints: the text holds {keywords} SERVICE keyword(s) "
            f"but the parsed query {len(found)} SERVICE clause(s)"
        )
    return tuple(found)


def service_endpoints(query: str, *, is_update: bool | None = None) -> list[str | None]:
    """The endpoint of every SERVICE clause in ``query``, in order; None for a variable.

    ``is_update`` picks the grammar (query or update); None tries the query grammar,
    then the update grammar. Prefixed names and relative IRIs are resolved against the
    query's PREFIX and BASE declarations. Raises :class:`ServiceRefused` when the text
    mentions SERVICE but its endpoints cannot be read with certainty.
    """
    return [None if isinstance(e, Variable) else e for e in _endpoints(query, is_update)]


# -- URLs ---------------------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _split(url: str) -> SplitResult:
    parts = urlsplit(url)
    parts.port  # noqa: B018 - raises ValueError on a bad port
    return parts


def _normalise(url: str) -> str:
    """``url`` with scheme and host lower-cased, a default port dropped, ``/`` for no path."""
    parts = _split(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if "@" in parts.netloc else "") + host
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{parts.port}"
    url = f"{scheme}://{netloc}{parts.path or '/'}"
    if parts.query:
        url += "?" + parts.query
    if parts.fragment:
        url += "#" + parts.fragment
    return url


def _allowlist(settings: Any) -> set[str]:
    allowed = set()
    for entry in str(settings.service_allowlist or "").split(","):
        if entry.strip():
            try:
                allowed.add(_normalise(entry))
            except ValueError:
                continue  # an unusable entry allows nothing
    return allowed


# -- the check ----------------------------------------------------------------------------


def _check_endpoint(
    endpoint: str | Variable, allowed: set[str], allow_private: bool, resolve: Resolver
) -> None:
    if isinstance(endpoint, Variable):
        raise ServiceRefused(
            f"SERVICE ?{endpoint} refused: SERVICE with a variable endpoint is not allowed"
        )

    def refuse(why: str) -> ServiceRefused:
        return ServiceRefused(f"SERVICE <{endpoint}> refused: {why}")

    try:
        parts = _split(endpoint)
        key = _normalise(endpoint)
    except ValueError as exc:
        raise refuse(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise refuse(f"only http and https endpoints are allowed, not {scheme or 'no'} scheme")
    if key not in allowed:
        empty = "" if allowed else " (which is empty: SERVICE is disabled)"
        raise refuse(f"not in KG_SERVICE_ALLOWLIST{empty}")
    host = parts.hostname or ""
    if not host:
        raise refuse("the URL names no host")
    try:
        literal = literal_address(host)
        port = parts.port or _DEFAULT_PORTS[scheme]
        addresses = [literal] if literal else addresses_of(host, port, resolve)
    except (ValueError, LookupError) as exc:
        raise refuse(str(exc)) from None
    for address in addresses:
        why = why_not(address, allow_private)
        if why:
            carried = [str(a) for a in effective(address) if a != address]
            extra = f" (carrying {', '.join(carried)})" if carried else ""
            raise refuse(f"resolves to {address}{extra}, {why}")


def check_services(
    query: str,
    settings: Any,
    *,
    is_update: bool = False,
    resolve: Resolver = socket.getaddrinfo,
) -> None:
    """Raise :class:`ServiceRefused` unless every SERVICE in ``query`` may be called.

    ``settings`` supplies ``service_allowlist`` and ``service_allow_private``;
    ``resolve(host, port)`` answers like :func:`socket.getaddrinfo` (tests inject one).
    """
    allowed = _allowlist(settings)
    allow_private = bool(settings.service_allow_private)
    seen: set[str | Variable] = set()
    for endpoint in _endpoints(query, is_update):
        if endpoint in seen:
            continue
        seen.add(endpoint)
        _check_endpoint(endpoint, allowed, allow_private, resolve)
