"""The converge-kg HTTP API: ``create_app()`` and one blueprint per feature."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from kg.config import Settings
from kg.store import Store, open_store


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    store: Store | None = None,
) -> Flask:
    """Build the app. ``test_config`` overrides settings (by setting name).

    The store is opened here once (from ``settings.store``) unless one is given.
    """
    settings = settings or Settings.load(test_config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes
    app.json.sort_keys = False
    app.extensions["kg.settings"] = settings
    app.extensions["kg.store"] = store if store is not None else open_store(settings.store)

    from api import errors, health, sparql

    errors.register(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(sparql.bp)
    return app
