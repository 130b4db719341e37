"""What every response gets: CORS for reads, conditional requests, gzip, access log, metrics.

- CORS: reads may come from any origin; a preflight (``OPTIONS``) is answered
  here, before any handler or authentication runs. Write headers
  (``Authorization``) are not offered to other origins.
- Conditional requests: ``ETag`` and ``Last-Modified`` come from the store's
  last change, so ``If-None-Match`` / ``If-Modified-Since`` are answered 304
  without running the query again.
- gzip when the client accepts it and the body is worth compressing.
- One access-log line per request with its duration.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
import uuid

from flask import Flask, Response, g, request

from api.http.context import get_store
from api.http.metrics import get_metrics

log = logging.getLogger("converge_kg.access")

READ_METHODS = ("GET", "HEAD")
#: Smaller answers are sent as they are: they fit in TCP's initial congestion window (RFC
#: 6928: 10 segments, ~14 KB), so they arrive in one round trip compressed or not, and
#: compressing and decompressing them cost both ends more than it saves (BENCHMARKS.md §3).
MIN_GZIP_BYTES = 14_000
#: Changes with each process start, so ETags of a restarted server never collide.
_INSTANCE = uuid.uuid4().hex[:8]


def _etag() -> str:
    store = get_store()
    key = "\0".join(
        (
            _INSTANCE,
            str(store.generation),
            request.full_path,
            request.headers.get("Accept", ""),
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]  # sent as a weak ETag


def register(app: Flask) -> None:
    """Install the hooks on ``app``: before every request, and after every response."""
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> Response | None:
    g.started = time.perf_counter()
    if request.method == "OPTIONS":
        return _preflight()
    if request.method in READ_METHODS:
        return _not_modified()
    return None


def _preflight() -> Response:
    """The answer to a CORS preflight, before any handler or authentication runs."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


def _not_modified() -> Response | None:
    """A 304 when the client's copy is current (``If-None-Match``, ``If-Modified-Since``)."""
    store = get_store()
    etag = _etag()
    if request.if_none_match.contains_weak(etag) or (
        not request.if_none_match
        and request.if_modified_since is not None
        and store.changed_at.replace(microsecond=0) <= request.if_modified_since
    ):
        response = Response(status=304)
        response.set_etag(etag, weak=True)
        response.last_modified = store.changed_at
        return response
    return None


def _finish(response: Response) -> Response:
    if request.method != "OPTIONS":
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault(
            "Access-Control-Expose-Headers",
            "ETag, Last-Modified, Retry-After, Link, KG-Results-Truncated, KG-Results-Total, "
            "KG-Partial",
        )
    if request.method in READ_METHODS and response.status_code == 200:
        response.set_etag(_etag(), weak=True)
        response.last_modified = get_store().changed_at
        response.cache_control.no_cache = True  # revalidate, then 304
    _compress(response)
    _log(response)
    return response


def _log(response: Response) -> None:
    """The request's metrics and its access-log line, with its duration."""
    started = g.get("started")
    duration = (time.perf_counter() - started) * 1000 if started else 0.0
    route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
    get_metrics().observe(route, request.method, response.status_code, duration / 1000)
    log.info(
        "%s %s %s %d %.1fms",
        request.remote_addr,
        request.method,
        request.full_path.rstrip("?"),
        response.status_code,
        duration,
    )


def _compress(response: Response) -> None:
    response.vary.add("Accept-Encoding")
    if (
        "gzip" not in request.accept_encodings
        or response.direct_passthrough
        or response.status_code < 200
        or response.status_code >= 300
        or "Content-Encoding" in response.headers
    ):
        return
    body = response.get_data()
    if len(body) < MIN_GZIP_BYTES:
        return
    response.set_data(gzip.compress(body, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
