"""Throughput: requests/s of one cheap named query with 1, 8 and 32 concurrent clients,
through ``kg serve`` and the same peers as ``bench.latency`` (oxigraph serve, Virtuoso,
rdflib-endpoint), over loopback.

Each client is a thread with its own keep-alive ``requests.Session``; a level sends a fixed
number of requests in all (``--requests``, split evenly between its clients), started
together at a barrier. Every non-200 answer or failed request counts as an error. One run
measures every engine at every level in turn, so the ratios (8 clients ÷ 1 client; API ÷
oxigraph) are taken within one run; figures are medians (min–max) over the runs.

Targets (issue #9): 8 clients ≥ 1.6 × one client (2 cores), API ≥ 0.7 × oxigraph serve at 8
clients; zero errors.

    .venv/bin/python -m bench.throughput --workdir var/bench
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench import servers
from bench.common import REPO, parser, print_machine, print_table, runs, spread
from bench.datasets import prepare
from bench.latency import PEERS, peers

QUERY = "nodes/list_node_institutes"
LEVELS = (1, 8, 32)
TIMEOUT = 120.0


def query_text(name: str = QUERY) -> str:
    """The named query with its example parameters bound (as ``bench.latency`` does)."""
    from kg.queries.catalog import load_catalog
    from kg.sparql.rewrite import bind

    q = load_catalog(REPO / "queries").query(name)
    return bind(q.text, q.bind(dict(q.example)))


def level(endpoint: str, text: str, clients: int, total: int) -> tuple[float, int, int]:
    """``clients`` threads sending ``total`` requests in all; (seconds, requests, errors)."""
    per_client = max(1, total // clients)
    barrier = threading.Barrier(clients + 1)
    errors = [0] * clients

    def client(i: int) -> None:
        with requests.Session() as session:
            barrier.wait(timeout=TIMEOUT)
            for _ in range(per_client):
                try:
                    r = session.post(
                        endpoint,
                        data={"query": text},
                        headers={"Accept": servers.SELECT_JSON},
                        timeout=TIMEOUT,
                    )
                    errors[i] += r.status_code != 200
                except requests.RequestException:
                    errors[i] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait(timeout=TIMEOUT)
    start = time.perf_counter()
    for t in threads:
        t.join(timeout=TIMEOUT * per_client)
    seconds = time.perf_counter() - start
    if any(t.is_alive() for t in threads):
        raise TimeoutError(f"{endpoint}: clients still running after {TIMEOUT * per_client:.0f} s")
    return seconds, per_client * clients, sum(errors)


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--requests", type=int, default=None, help="requests per level (default 320)")
    p.add_argument("--peers", nargs="*", default=list(PEERS), choices=PEERS)
    args = p.parse_args(argv)
    n_runs = runs(args, 5)
    total = args.requests or (32 if args.tiny else 320)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    print_machine()
    text = query_text()
    dataset = prepare(workdir, args.scale, tiny=args.tiny)
    with peers(dataset, workdir, set(args.peers)) as (engines, pending):
        http = [e for e in engines if e.endpoint]
        rps: dict[tuple[str, int], list[float]] = {}
        errors: dict[str, int] = {e.name: 0 for e in http}
        sent: dict[str, int] = {e.name: 0 for e in http}
        for e in http:  # warm-up: starts kg serve's query workers (a process each)
            level(e.endpoint, text, max(LEVELS), max(LEVELS))
        for _ in range(n_runs):
            for e in http:
                for c in LEVELS:
                    seconds, n, failed = level(e.endpoint, text, c, total)
                    rps.setdefault((e.name, c), []).append(n / seconds)
                    errors[e.name] += failed
                    sent[e.name] += n
    rows = []
    for e in http:
        one = rps[(e.name, 1)]
        row = [e.name, *[spread(rps[(e.name, c)], 1, 0) for c in LEVELS]]
        row += [spread([a / b for a, b in zip(rps[(e.name, 8)], one, strict=True)], 1, 2)]
        if e.name != "oxigraph" and ("oxigraph", 8) in rps:
            ratios = [a / b for a, b in zip(rps[(e.name, 8)], rps[("oxigraph", 8)], strict=True)]
            row.append(spread(ratios, 1, 2))
        else:
            row.append("—")
        row.append(f"{errors[e.name]} of {sent[e.name]}")
        rows.append(row)
    for name, why in pending.items():
        rows.append([name, why, "", "", "", "", ""])
    print_table(
        f"Throughput of {QUERY} on {dataset.name}: requests/s, median (min–max) of {n_runs} runs, "
        f"{total} requests per level",
        [
            "engine",
            *[f"{c} client{'s' * (c > 1)}" for c in LEVELS],
            "8 ÷ 1",
            "8: ÷ oxigraph",
            "errors",
        ],
        rows,
    )
    api8 = statistics.median(
        a / b for a, b in zip(rps[("kg API", 8)], rps[("kg API", 1)], strict=True)
    )
    print(f"kg API: 8 clients = {api8:.2f} × one client (target ≥ 1.6)")
    main.results = {"errors": errors, "sent": sent, "rps": rps}  # for the smoke test
    return 0


if __name__ == "__main__":
    sys.exit(main())
