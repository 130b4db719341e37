"""Query-string parameters read one way for every route: a 400 naming the parameter when a
value is repeated or not of its kind.

- :func:`single` — a parameter given at most once
- :func:`count` — a whole number within bounds (paging)
- :func:`paging`, :func:`page_links` — ``limit``/``offset`` of the list pages and the JSON
  API, and the URLs of their first, previous, next and last pages
- :func:`resource_filters` — the filters of ``/resources`` and ``/api/resources``, documented
  by :data:`RESOURCE_FILTER_PARAMETERS`
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import request

from api.http.errors import bad_request
from api.http.openapi import query_parameter
from kg import records

#: Items of a list page (``/resources``, ``/api/resources``) by default, and at most.
LIST_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
#: At most 18 digits: every such number is a machine integer.
_COUNT = re.compile(r"[0-9]{1,18}")


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:60] + "…"


def single(name: str) -> str | None:
    """The value of parameter ``name`` if given; a 400 when it is given more than once."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise bad_request(f"parameter '{_shown(name)}': given {len(values)} times; give it once")
    return values[0] if values else None


def count(
    name: str, default: int, low: int = 0, high: int | None = None, *, blank: bool = False
) -> int:
    """Parameter ``name`` as a whole number from ``low`` to ``high`` (no upper bound when
    None); ``default`` when it is not given, or blank if ``blank`` allows it; a 400
    otherwise."""
    value = single(name)
    if value is None or (blank and value == ""):
        return default
    if not _COUNT.fullmatch(value) or int(value) < low or (high is not None and int(value) > high):
        bounds = f"from {low} to {high}" if high is not None else f"of {low} or more"
        raise bad_request(
            f"parameter '{name}': expected an integer {bounds}, got {_shown(value)!r}"
        )
    return int(value)


def paging(default: int = LIST_PAGE_SIZE) -> tuple[int, int]:
    """``limit`` (1…MAX_PAGE_SIZE) and ``offset`` (0 or more) of a list request; blank
    values (a list page's form sends them) count as not given."""
    return (
        count("limit", default, 1, MAX_PAGE_SIZE, blank=True),
        count("offset", 0, blank=True),
    )


def other_args() -> list[tuple[str, str]]:
    """Every parameter of the request but ``limit`` and ``offset``, in order (for links)."""
    return [
        (k, v)
        for k in request.args
        if k not in ("limit", "offset")
        for v in request.args.getlist(k)
    ]


def page_links(total: int, limit: int, offset: int) -> dict[str, str]:
    """first / prev / next / last URLs (this path, the same other parameters)."""
    kept = other_args()

    def url(at: int) -> str:
        return f"{request.path}?{urlencode([*kept, ('limit', limit), ('offset', at)])}"

    links = {"first": url(0)}
    if offset > 0:
        links["prev"] = url(max(0, offset - limit))
    if offset + limit < total:
        links["next"] = url(offset + limit)
    links["last"] = url(max(0, (total - 1) // limit * limit) if total else 0)
    return links


def resource_filters() -> dict[str, str]:
    """The resource filters of the request (empty values ignored); 400 naming a repeated one."""
    filters = {}
    for name in records.FILTER_NAMES:
        value = single(name)
        if value:
            filters[name] = value
    return filters


#: The OpenAPI parameters of :func:`resource_filters` and :func:`paging`.
RESOURCE_FILTER_PARAMETERS: list[dict[str, Any]] = [
    query_parameter(
        "stage", "Life-cycle stage (plan, collect, process, analyse, preserve, share, reuse)"
    ),
    query_parameter("task", "Task page id, e.g. data_publication"),
    query_parameter("domain", "Domain page id, e.g. plants"),
    query_parameter("role", "Role page id, e.g. data_steward"),
    query_parameter("node", "Node code: resources with a national instance there"),
    query_parameter("country", "Same as node (ISO 3166-1 alpha-2)"),
    {
        **query_parameter("registry", "Registered in"),
        "schema": {"type": "string", "enum": ["biotools", "fairsharing"]},
    },
    {
        **query_parameter("missing", "Not registered in"),
        "schema": {"type": "string", "enum": ["biotools", "fairsharing"]},
    },
    query_parameter("q", "Text in the name or description (ignoring case)"),
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PAGE_SIZE,
            "default": LIST_PAGE_SIZE,
        },
    },
    {
        "name": "offset",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 0, "default": 0},
    },
]
