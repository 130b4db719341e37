"""The converge-kg HTTP API: ``create_app()`` and one route module per family of URLs.

Each route module is named for the URLs it serves; the helpers they share live in
:mod:`api.http`, and no route module imports another.

- ``sparql`` — ``/sparql`` (SPARQL 1.1 Protocol), ``/sparql/description``
- ``store`` — ``/store`` (SPARQL 1.1 Graph Store)
- ``queries`` — ``/queries``, ``/queries/<name>`` (named questions as REST)
- ``query_page`` — ``/query`` (the SPARQL query page)
- ``validate`` — ``/validate``, ``/validate/profiles``
- ``linked_data`` — the graph's IRIs: ``/resource/<id>``, ``/node/<code>``, ``/page/<key>``…
- ``lists`` — ``/`` and the HTML lists ``/resources``, ``/nodes``, ``/pages``, ``/standards``
- ``json_api`` — ``/api/...`` and ``/context.jsonld``
- ``catalog`` — ``/catalog``, ``/catalog.ttl``, ``/catalog.jsonld`` (DCAT)
- ``well_known`` — ``/.well-known/void``, ``/.well-known/sparql-examples``
- ``openapi`` — ``/openapi.json``; ``docs`` — ``/docs``
- ``health`` — ``/health``; ``metrics`` — ``/metrics``; ``vendor`` — ``/vendor/...``
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from typing import Any

from flask import Flask

from api import (
    catalog,
    docs,
    health,
    json_api,
    linked_data,
    lists,
    metrics,
    openapi,
    queries,
    query_page,
    sparql,
    store,
    validate,
    vendor,
    well_known,
)
from api.http import errors, hooks, templates
from api.http.metrics import Metrics
from kg.queries.catalog import load_catalog
from kg.settings import Settings
from kg.sparql.execution import Executor
from kg.store import open_store
from kg.store.base import Store

#: Every route module, in the order their blueprints are registered.
ROUTES = (
    health,
    sparql,
    store,
    well_known,
    metrics,
    queries,
    vendor,
    validate,
    openapi,
    docs,
    query_page,
    linked_data,
    lists,
    json_api,
    catalog,
)


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    store: Store | None = None,
) -> Flask:
    """Build the app. ``test_config`` overrides settings (by setting name).

    The store is opened here once (from ``settings.store``) unless one is given; the
    catalog of named queries is read here too, so a malformed query file stops start-up.
    """
    settings = settings or Settings.load(test_config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes
    app.json.sort_keys = False
    _add_services(app, settings, store)
    errors.register(app)
    hooks.register(app)
    templates.register(app)
    for module in ROUTES:
        app.register_blueprint(module.bp)
    return app


def _add_services(app: Flask, settings: Settings, store: Store | None) -> None:
    """What the routes use, made once per app and kept in ``app.extensions``: the settings,
    the store, the catalog of named queries, the metrics and the query executor."""
    app.extensions["kg.settings"] = settings
    app.extensions["kg.store"] = (
        store if store is not None else open_store(settings.store, settings=settings)
    )
    app.extensions["kg.queries.catalog"] = load_catalog(settings.queries_dir)
    app.extensions["kg.metrics"] = Metrics()
    executor = Executor(app.extensions["kg.store"], settings, events=app.extensions["kg.metrics"])
    app.extensions["kg.executor"] = executor
    atexit.register(executor.close)
