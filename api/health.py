"""``GET /health``: is the service up, and what does its store hold."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from api.http.context import get_store
from api.http.openapi import json_content

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


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/health": {
        "get": {
            "summary": "Is the service up, and what does its store hold",
            "tags": ["service"],
            "responses": {
                "200": {
                    "description": "Up",
                    "content": json_content(
                        {
                            "type": "object",
                            "required": ["status", "quads", "graphs", "read_only"],
                            "properties": {
                                "status": {"type": "string", "enum": ["ok"]},
                                "quads": {"type": "integer", "minimum": 0},
                                "graphs": {
                                    "type": "array",
                                    "items": {"type": "string", "format": "iri"},
                                },
                                "read_only": {"type": "boolean"},
                            },
                        }
                    ),
                }
            },
        }
    }
}
