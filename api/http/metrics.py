"""The service's own counters, exposed in the Prometheus text format by ``GET /metrics``.

Requests (by route, method and status), request latency (a histogram per route), queries
running, query timeouts, memory stops and rejections (503 when saturated). One
:class:`Metrics` per app, in ``app.extensions["kg.metrics"]``: the request hooks
(:mod:`api.http.hooks`) observe every request, the core's executor reports its events.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict

from flask import current_app

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.latency: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self.latency_sum: Counter[str] = Counter()
        self.events: Counter[str] = Counter()  # query_timeouts, query_rejections
        self.running = 0

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, status)] += 1
            counts = self.latency[route]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            counts[-1] += 1  # +Inf
            self.latency_sum[route] += seconds

    def event(self, name: str) -> None:
        with self._lock:
            self.events[name] += 1

    def query_started(self) -> None:
        with self._lock:
            self.running += 1

    def query_finished(self) -> None:
        with self._lock:
            self.running -= 1

    def exposition(self) -> str:
        with self._lock:
            out = [
                "# HELP kg_http_requests_total HTTP requests answered.",
                "# TYPE kg_http_requests_total counter",
            ]
            for (route, method, status), n in sorted(self.requests.items()):
                out.append(
                    f'kg_http_requests_total{{route="{_esc(route)}",method="{method}",'
                    f'status="{status}"}} {n}'
                )
            out += [
                "# HELP kg_http_request_duration_seconds Time to answer a request.",
                "# TYPE kg_http_request_duration_seconds histogram",
            ]
            for route, counts in sorted(self.latency.items()):
                label = f'route="{_esc(route)}"'
                for bound, n in zip(BUCKETS, counts, strict=False):
                    out.append(
                        f'kg_http_request_duration_seconds_bucket{{{label},le="{bound}"}} {n}'
                    )
                out.append(
                    f'kg_http_request_duration_seconds_bucket{{{label},le="+Inf"}} {counts[-1]}'
                )
                out.append(
                    f"kg_http_request_duration_seconds_sum{{{label}}} {self.latency_sum[route]:.6f}"
                )
                out.append(f"kg_http_request_duration_seconds_count{{{label}}} {counts[-1]}")
            for name, help_text in (
                ("query_timeouts", "Queries stopped at the time limit."),
                ("query_memory_stops", "Queries stopped at the memory limit (KG_QUERY_MEMORY_MB)."),
                ("query_rejections", "Queries refused with 503 because the service was saturated."),
            ):
                out += [
                    f"# HELP kg_{name}_total {help_text}",
                    f"# TYPE kg_{name}_total counter",
                    f"kg_{name}_total {self.events[name]}",
                ]
            out += [
                "# HELP kg_queries_running Queries being evaluated now.",
                "# TYPE kg_queries_running gauge",
                f"kg_queries_running {self.running}",
            ]
        return "\n".join(out) + "\n"


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def get_metrics() -> Metrics:
    return current_app.extensions["kg.metrics"]
