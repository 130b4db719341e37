"""``GET /health``: is the service up, and what does its store hold."""

from __future__ import annotations

from flask import Blueprint, jsonify

from api.context import get_store

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    store = get_store()
    return jsonify(
        {
            "status": "ok",
            "quads": len(store),
            "graphs": [g.value for g in store.named_graphs()],
            "read_only": store.read_only,
        }
    )
