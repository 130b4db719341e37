"""Third-party browser assets (installed from npm at set-up) and the site's own.

``/vendor/<package>/<file>`` serves files from the npm packages named in
``VENDOR_FILES`` only — never an arbitrary path of ``node_modules``. The files
themselves are never committed: ``make run`` / ``make test`` install them with
``npm ci`` from ``package-lock.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, send_from_directory

from api.http.context import get_settings
from api.http.openapi import errors

bp = Blueprint("vendor", __name__)

#: package -> (folder inside the package, files served from it)
VENDOR_FILES: dict[str, tuple[str, frozenset[str]]] = {
    "swagger-ui-dist": (
        "",
        frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}),
    ),
    "leaflet": (
        "dist",
        frozenset(
            {
                "leaflet.css",
                "leaflet.js",
                "images/marker-icon.png",
                "images/marker-icon-2x.png",
                "images/marker-shadow.png",
                "images/layers.png",
                "images/layers-2x.png",
            }
        ),
    ),
}


def vendor_path(package: str) -> Path:
    folder, _ = VENDOR_FILES[package]
    return Path(get_settings().assets_dir) / package / folder


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    entry = VENDOR_FILES.get(package)
    if entry is None or filename not in entry[1]:
        abort(404)
    root = vendor_path(package)
    if not (root / filename).is_file():
        # Set-up did not run `npm ci`: say so instead of a bare 404.
        abort(503, description=f"browser assets missing: run `make run` (npm ci) — {package}")
    return send_from_directory(root, filename, max_age=86400)


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/vendor/{package}/{filename}": {
        "get": {
            "summary": "A browser asset installed from npm (listed files only)",
            "tags": ["service"],
            "parameters": [
                {
                    "name": "package",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": sorted(VENDOR_FILES)},
                },
                {
                    "name": "filename",
                    "in": "path",
                    "required": True,
                    "description": "A file listed for the package (may contain '/')",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {
                    "description": "The file",
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                },
                **errors(
                    {
                        404: "Not a listed file of a listed package",
                        503: "The assets are not installed (run make run: npm ci)",
                    }
                ),
            },
        }
    }
}
