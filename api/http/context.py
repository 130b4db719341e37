"""Access to the app's store, settings and catalog of named queries from request handlers.

All three are made once per app by ``create_app`` and kept in ``app.extensions``.
"""

from __future__ import annotations

from flask import current_app

from kg.queries.catalog import Catalog
from kg.settings import Settings
from kg.store.base import Store


def get_store() -> Store:
    return current_app.extensions["kg.store"]


def get_settings() -> Settings:
    return current_app.extensions["kg.settings"]


def get_catalog() -> Catalog:
    return current_app.extensions["kg.queries.catalog"]
