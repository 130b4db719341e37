"""What every HTML page's templates get: the navigation bar and two filters.

- ``site_nav``: the (path, label) links of the navigation bar (``templates/base.html``);
  a page that belongs there adds itself to :data:`SITE_NAV`.
- ``href``: a URL from the data made safe for ``href`` (http/https only, else None);
  an IRI under the base IRI becomes this site's path, so links stay on the site.
- ``term``: a short text for a SPARQL JSON term (IRIs bare, literals by value).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from api.http.context import get_settings

#: (path, label) of the pages in the navigation bar.
SITE_NAV: list[tuple[str, str]] = [
    ("/resources", "Resources"),
    ("/nodes", "Nodes"),
    ("/docs", "API docs"),
    ("/query", "Query"),
    ("/validate", "Validate"),
]


def register(app: Flask) -> None:
    """Give every template of ``app`` the navigation bar and the filters."""
    app.add_template_filter(href, "href")
    app.add_template_filter(term, "term")
    app.context_processor(_site_nav)


def _site_nav() -> dict[str, Any]:
    return {"site_nav": SITE_NAV}


def href(url: Any) -> str | None:
    """A URL from the data, safe to put in ``href``: site paths and http(s) URLs only.

    IRIs under the base IRI become this site's paths (the pages that describe them).
    """
    if not isinstance(url, str):
        return None
    if url.startswith("/") and not url.startswith("//"):
        return url  # a path of this site
    base = get_settings().base_iri
    if url.startswith(base):
        return "/" + url[len(base) :]
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def term(value: Any) -> str:
    """A SPARQL JSON results term as short text: IRIs bare, literals by value."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    if value.get("type") == "bnode":
        return "_:" + value["value"]
    if value.get("type") == "triple":
        inner = value["value"]
        return "<< " + " ".join(term(inner[k]) for k in ("subject", "predicate", "object")) + " >>"
    return str(value.get("value", ""))
