"""Browser assets come from npm at set-up and only the listed files are served."""

from __future__ import annotations

import requests

from api import create_app
from api.vendor import VENDOR_FILES


def test_every_listed_vendor_file_is_served(settings, serve):
    base = serve(create_app(settings=settings, store=_memory()))
    for package, (_, files) in VENDOR_FILES.items():
        for name in files:
            r = requests.get(f"{base}/vendor/{package}/{name}", timeout=10)
            assert r.status_code == 200, (package, name)
            assert r.content


def test_unlisted_files_and_traversal_are_refused(settings, serve):
    base = serve(create_app(settings=settings, store=_memory()))
    for path in (
        "/vendor/leaflet/package.json",
        "/vendor/leaflet/../swagger-ui-dist/package.json",
        "/vendor/leaflet/%2e%2e/%2e%2e/package.json",
        "/vendor/unknown/x.js",
        "/vendor/@scarf/scarf/report.js",
    ):
        r = requests.get(base + path, timeout=10)
        assert r.status_code == 404, path


def test_missing_assets_are_a_clear_503(settings, serve, tmp_path):
    app = create_app(settings=settings.with_overrides(assets_dir=str(tmp_path)), store=_memory())
    r = requests.get(serve(app) + "/vendor/leaflet/leaflet.js", timeout=10)
    assert r.status_code == 503
    assert "npm ci" in r.json()["error"]


def _memory():
    from kg.store import open_store

    return open_store("memory")
