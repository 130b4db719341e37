"""Writes need a bearer token; reads are anonymous.

``require_write()`` is called by every handler that changes the store. The
token is compared in constant time. With no token configured, or in read-only
mode, every write is refused.
"""

from __future__ import annotations

import hmac

from flask import request

from api.http.context import get_settings
from api.http.errors import ApiError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="converge-kg"'}


def require_write() -> None:
    """Raise 401/403 unless this request may write."""
    settings = get_settings()
    if settings.read_only:
        raise ApiError(403, "this service is read-only")
    if not settings.write_token:
        raise ApiError(403, "writes are disabled (no KG_WRITE_TOKEN configured)")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "this operation needs 'Authorization: Bearer <token>'", CHALLENGE)
    if not hmac.compare_digest(token.strip().encode(), settings.write_token.encode()):
        raise ApiError(403, "the bearer token is not valid", CHALLENGE)
