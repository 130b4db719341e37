"""``GET /metrics``: Prometheus text exposition of the service's own counters
(:class:`api.http.metrics.Metrics`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from api.http.metrics import get_metrics

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics() -> Response:
    return Response(
        get_metrics().exposition(), content_type="text/plain; version=0.0.4; charset=utf-8"
    )


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics of the service",
            "description": "Requests by route and status, latency histogram, queries running, "
            "timeouts and rejections.",
            "tags": ["service"],
            "responses": {
                "200": {
                    "description": "Prometheus text exposition format 0.0.4",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    }
}
