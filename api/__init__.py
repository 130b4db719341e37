"""The converge-kg HTTP API: ``create_app()`` and one blueprint per feature."""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from typing import Any

from flask import Flask

from kg.settings import Settings
from kg.sparql.execution import Executor
from kg.store import open_store
from kg.store.base import Store

#: (path, label) of the pages in the navigation bar; features add theirs here.
SITE_NAV: list[tuple[str, str]] = [
    ("/resources", "Resources"),
    ("/nodes", "Nodes"),
    ("/docs", "API docs"),
    ("/query", "Query"),
    ("/validate", "Validate"),
]


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
    app.extensions["kg.store"] = (
        store if store is not None else open_store(settings.store, settings=settings)
    )

    from api import assets, description, errors, graph_store, health, metrics, queries, sparql, web

    app.extensions["kg.metrics"] = metrics.Metrics()
    executor = Executor(app.extensions["kg.store"], settings, events=app.extensions["kg.metrics"])
    app.extensions["kg.executor"] = executor
    atexit.register(executor.close)
    errors.register(app)
    web.register(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(description.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(queries.bp)
    app.register_blueprint(assets.bp)
    from api import validate

    app.register_blueprint(validate.bp)
    from api import docs, openapi, sparql_examples

    app.register_blueprint(openapi.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(sparql_examples.bp)
    from api import web_pages

    app.register_blueprint(web_pages.bp)
    from api import dcat, json_api, linked_data

    app.register_blueprint(linked_data.bp)
    app.register_blueprint(json_api.bp)
    app.register_blueprint(dcat.bp)

    @app.context_processor
    def _site_nav() -> dict[str, Any]:
        # The links of every HTML page's navigation bar (templates/base.html).
        return {"site_nav": SITE_NAV}

    return app
