"""``GET /docs``: the API browsable with Swagger UI, on ``/openapi.json``.

Swagger UI comes from npm's ``swagger-ui-dist`` (served under ``/vendor/``, see
:mod:`api.vendor`), never from a CDN; the page has no inline script: ``static/docs.js``
reads the document's URL from the ``data-openapi`` attribute and starts Swagger UI.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

bp = Blueprint("docs", __name__)


@bp.get("/docs")
def docs() -> str:
    return render_template("docs.html")


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/docs": {
        "get": {
            "summary": "This API, browsable (Swagger UI on /openapi.json)",
            "tags": ["service"],
            "responses": {
                "200": {
                    "description": "An HTML page",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                }
            },
        }
    }
}
