"""Content negotiation, one way for every endpoint: ``format`` parameter, else ``Accept``."""

from __future__ import annotations

from flask import request

from api.errors import not_acceptable
from kg.sparql import formats


def choose_format(kind: str, requested: str | None = None) -> formats.Format:
    """The format for a result of ``kind`` ("solutions" or "graph").

    ``requested`` (a ``format`` parameter: a name or a media type) wins over the
    ``Accept`` header; without either the first format of the kind is used
    (SPARQL JSON, Turtle). Raises 406 when nothing acceptable suits.
    """
    allowed = formats.formats_for(kind)
    if requested:
        fmt = formats.format_from_parameter(requested, kind)
        if fmt is not None:
            return fmt
        raise not_acceptable(
            f"format {requested!r} is not available here; "
            f"use one of {', '.join(f.name for f in allowed)}"
        )
    if not request.accept_mimetypes:
        return allowed[0]
    names = {f.name for f in allowed}
    offered = [f.media_type for f in allowed]
    offered += [alias for alias, name in formats.ALIASES.items() if name in names]
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        raise not_acceptable(
            f"none of the accepted media types ({request.headers.get('Accept')}) is "
            f"available; offered: {', '.join(f.media_type for f in allowed)}"
        )
    name = formats.ALIASES.get(best)
    return next(f for f in allowed if f.media_type == best or f.name == name)
