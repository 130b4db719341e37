"""Soak: the API under a steady mixed load for a while, with one reload half-way.

    .venv/bin/python -m bench.soak [--seconds 300] [--rate 20] [--json FILE]

Builds an on-disk store (ontology, shapes, RDMkit, Nodes, maturity, catalogues) in a
temporary directory, serves it on 127.0.0.1 with waitress (queries in killable worker
processes, as in production), and sends requests at a steady rate from a few client
threads: SPARQL queries (GET and POST), named queries with their example parameters,
``POST /validate`` of a small Turtle document, ``/health``. Half-way, the RDMkit source
is reloaded (forced) through the real pipeline while the load goes on.

Reports requests by kind, errors (any 5xx, connection failure or unexpected status —
there must be none), latency p50/p95/max, and the resident memory of this process (the
server and its clients) and of the query workers at the start and the end. Exits 1 when
there was any error. The server shares the process with its clients, so RSS includes
theirs (small and constant).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("ontology", "shapes", "rdmkit", "nodes", "maturity", "catalogues")
QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "PREFIX ckg: <https://w3id.org/elixir-converge/ontology#> "
    "SELECT ?r WHERE { ?r a ckg:ToolkitResource } LIMIT 20",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
]
DOCUMENT = """@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://w3id.org/elixir-converge/resource/soak-tool> a ckg:ToolkitResource ;
    dct:identifier "soak-tool" ; schema:name "Soak tool" .
"""


def build(store_path: Path, sources: tuple[str, ...] = SOURCES):
    from kg.settings import Settings
    from kg.store import open_store
    from kg.validation.shapes import Validator
    from loaders.pipeline import load

    settings = Settings.load({"store": f"oxigraph:{store_path}"})
    store = open_store(settings.store)
    validator = Validator(settings)
    for name in sources:
        load(store, settings, name, validator=validator)
    return settings, store


def requests_mix(base: str, settings) -> list[tuple[str, dict]]:
    from kg.queries.catalog import load_catalog

    mix: list[tuple[str, dict]] = []
    for q in QUERIES:
        mix.append(
            ("sparql-get", {"method": "GET", "url": f"{base}/sparql?{urlencode({'query': q})}"})
        )
        mix.append(
            (
                "sparql-post",
                {
                    "method": "POST",
                    "url": f"{base}/sparql",
                    "data": q.encode(),
                    "headers": {"Content-Type": "application/sparql-query"},
                },
            )
        )
    for query in list(load_catalog(settings.queries_dir))[:12]:
        params = urlencode(dict(query.example)) if query.example else ""
        mix.append(
            ("named", {"method": "GET", "url": f"{base}/queries/{query.name}?{params}&limit=50"})
        )
    mix.append(
        (
            "validate",
            {
                "method": "POST",
                "url": f"{base}/validate?profile=toolkit-resource",
                "data": DOCUMENT.encode(),
                "headers": {"Content-Type": "text/turtle", "Accept": "application/json"},
            },
        )
    )
    mix.append(("health", {"method": "GET", "url": f"{base}/health"}))
    return mix


def rss(process: psutil.Process) -> dict[str, int]:
    workers = sum(c.memory_info().rss for c in process.children(recursive=True))
    return {"server_mb": process.memory_info().rss >> 20, "workers_mb": workers >> 20}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def soak(seconds: float, rate: float, clients: int = 4, sources: tuple[str, ...] = SOURCES) -> dict:
    from waitress.server import create_server

    from api import create_app
    from loaders.pipeline import load

    with tempfile.TemporaryDirectory(prefix="kg-soak-") as tmp:
        settings, store = build(Path(tmp) / "store", sources)
        app = create_app(settings=settings, store=store)
        server = create_server(app, host="127.0.0.1", port=0, threads=8)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.effective_port}"
        mix = requests_mix(base, settings)
        me = psutil.Process(os.getpid())
        requests.get(base + "/health", timeout=30)
        start_mem = rss(me)

        latencies: dict[str, list[float]] = {}
        errors: list[str] = []
        lock = threading.Lock()
        interval = 1.0 / rate
        started = time.monotonic()
        deadline = started + seconds
        total_slots = int(seconds * rate)
        counter = iter(range(total_slots))

        def client() -> None:
            session = requests.Session()
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                due = started + n * interval
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                if time.monotonic() > deadline + 60:
                    return
                kind, spec = mix[n % len(mix)]
                t0 = time.perf_counter()
                try:
                    r = session.request(timeout=120, **spec)
                    ok = r.status_code < 400 or (kind == "validate" and r.status_code == 422)
                    problem = (
                        None
                        if ok
                        else f"{kind} {spec['url'][:80]}: HTTP {r.status_code} {r.text[:120]}"
                    )
                except requests.RequestException as exc:
                    problem = f"{kind}: {exc}"
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.setdefault(kind, []).append(elapsed)
                    if problem:
                        errors.append(problem)

        reload_report: dict = {}

        def reloader() -> None:
            time.sleep(seconds / 2)
            t0 = time.perf_counter()
            try:
                report = load(store, settings, "rdmkit", force=True)
                reload_report.update(
                    triples=report.triples, seconds=round(time.perf_counter() - t0, 2)
                )
            except Exception as exc:  # noqa: BLE001 - reported as an error of the run
                errors.append(f"reload: {exc}")

        threads = [threading.Thread(target=client) for _ in range(clients)]
        threads.append(threading.Thread(target=reloader))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 300)
        wall = time.monotonic() - started
        end_mem = rss(me)
        server.close()
        thread.join(timeout=10)
        app.extensions["kg.executor"].close()
        store.close()

    everything = [x for values in latencies.values() for x in values]
    return {
        "seconds": round(wall, 1),
        "rate": rate,
        "requests": len(everything),
        "by_kind": {k: len(v) for k, v in sorted(latencies.items())},
        "errors": len(errors),
        "error_samples": errors[:10],
        "latency_ms": {
            "p50": round(percentile(everything, 50) * 1000, 1),
            "p95": round(percentile(everything, 95) * 1000, 1),
            "max": round(max(everything, default=0) * 1000, 1),
            "mean": round(statistics.fmean(everything) * 1000, 1) if everything else 0.0,
        },
        "reload": reload_report,
        "rss_start": start_mem,
        "rss_end": end_mem,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=300, help="how long to run (default 300)")
    p.add_argument("--rate", type=float, default=20, help="requests per second (default 20)")
    p.add_argument("--clients", type=int, default=4, help="client threads (default 4)")
    p.add_argument("--json", help="also write the report as JSON to this file")
    args = p.parse_args(argv)
    report = soak(args.seconds, args.rate, args.clients)
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 1 if report["errors"] or not report["reload"] else 0


if __name__ == "__main__":
    sys.exit(main())
