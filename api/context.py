"""Access to the app's store and settings from request handlers."""

from __future__ import annotations

from flask import current_app

from kg.settings import Settings
from kg.store.base import Store


def get_store() -> Store:
    return current_app.extensions["kg.store"]


def get_settings() -> Settings:
    return current_app.extensions["kg.settings"]
