"""The HTTP side of the remote store: one session, the SPARQL 1.1 Protocol's requests, and
the engine's answers made readable by pyoxigraph (see :mod:`kg.store.remote`)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from kg.errors import QuerySyntaxError, RemoteStoreError, RemoteTimeout, StoreError

JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"

_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEANS = {"1": "true", "0": "false"}
_BNODE_LABEL = re.compile(r"[^A-Za-z0-9_]")


def _bnode_label(value: str) -> str:
    """A valid blank node label for an engine's blank node id (``nodeID://b1`` → ``b1``)."""
    label = _BNODE_LABEL.sub("_", value.removeprefix("nodeID://").removeprefix("_:"))
    return label if label[:1].isalpha() else "b" + label


def normalise_results(body: bytes) -> bytes:
    """SPARQL JSON results with blank node ids made valid labels (others untouched)."""
    data = json.loads(body)
    for row in (data.get("results") or {}).get("bindings") or ():
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = _bnode_label(term["value"])
            elif term.get("datatype") == _BOOLEAN and term.get("value") in _BOOLEANS:
                term["value"] = _BOOLEANS[term["value"]]  # Virtuoso stores booleans as 1/0
    return json.dumps(data).encode()


class SparqlHttp:
    """Requests to a SPARQL 1.1 engine's endpoints, with its credentials and timeouts."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        query_timeout: float = 30.0,
        timeout: float = 300.0,
    ):
        parts = urlsplit(query_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreError(f"sparql: needs an http(s) query URL, got {query_url!r}")
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url or None
        self.query_timeout = query_timeout
        self.timeout = timeout
        self._session = requests.Session()
        if user:
            if auth not in ("basic", "digest"):
                raise StoreError(f"remote_auth must be 'basic' or 'digest', not {auth!r}")
            cls = HTTPDigestAuth if auth == "digest" else HTTPBasicAuth
            self._session.auth = cls(user, password or "")

    def close(self) -> None:
        self._session.close()

    # -- requests -------------------------------------------------------------------------

    def _request(
        self, method: str, url: str, *, timeout: float, syntax_errors: bool = False, **kwargs: Any
    ) -> requests.Response:
        """One request; errors raised naming the endpoint (400 → QuerySyntaxError if asked)."""
        try:
            response = self._session.request(method, url, timeout=timeout, **kwargs)
        except requests.Timeout:
            raise RemoteTimeout(
                f"the SPARQL endpoint {url} did not answer within {timeout:g} s"
            ) from None
        except requests.ConnectionError as exc:
            raise RemoteStoreError(f"the SPARQL endpoint {url} is unreachable: {exc}") from None
        except requests.RequestException as exc:
            raise RemoteStoreError(f"request to the SPARQL endpoint {url} failed: {exc}") from None
        if response.status_code >= 400:
            message = response.text.strip()[:1000] or response.reason
            if syntax_errors and response.status_code == 400:
                raise QuerySyntaxError(f"{url}: {message}")
            if response.status_code in (401, 403):
                raise RemoteStoreError(
                    f"the SPARQL endpoint {url} refused the request "
                    f"(HTTP {response.status_code}; check KG_REMOTE_USER/KG_REMOTE_PASSWORD): "
                    f"{message}"
                )
            raise RemoteStoreError(
                f"the SPARQL endpoint {url} answered HTTP {response.status_code}: {message}"
            )
        return response

    def _post_query(
        self,
        text: str,
        accept: str,
        default_graph: Iterable[ox.NamedNode],
        named_graphs: Iterable[ox.NamedNode],
    ) -> requests.Response:
        data = [("query", text)]
        data += [("default-graph-uri", g.value) for g in default_graph]
        data += [("named-graph-uri", g.value) for g in named_graphs]
        response = self._request(
            "POST",
            self.query_url,
            timeout=self.query_timeout,
            syntax_errors=True,
            data=data,
            headers={"Accept": accept},
        )
        cap = response.headers.get("X-SPARQL-MaxRows")
        if cap:
            raise RemoteStoreError(
                f"the SPARQL endpoint {self.query_url} cut the result at {cap} rows "
                "(Virtuoso: raise ResultSetMaxRows in its [SPARQL] section)"
            )
        return response

    def _raw_select(
        self, text: str, named_graphs: Iterable[ox.NamedNode] = ()
    ) -> ox.QuerySolutions:
        """A SELECT over the engine's own dataset (or the given named graphs)."""
        graphs = list(named_graphs)
        response = self._post_query(text, JSON, [], graphs)
        return ox.parse_query_results(
            io.BytesIO(normalise_results(response.content)), format=ox.QueryResultsFormat.JSON
        )
