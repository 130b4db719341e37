"""Memory: peak RSS of ``kg build`` (from ``../shared/data``), of ``kg load`` of bio.tools ×N
(into a new store, and over a previous version of the graph: the file with every 10th
triple dropped, as in ``bench.load``), and of ``kg serve`` over the ×N graph (default ×100)
while it answers every query of ``bench.latency``'s workload once, then 8 at a time.

``kg build`` and ``kg load`` are measured by ``wait4`` (the process's own peak);
``kg serve`` by sampling (psutil, every 50 ms) the RSS of the server and of its query
worker processes: the figure is the peak of their sum. Target (issue #9): serving ≤ 1 GiB.

    .venv/bin/python -m bench.memory --workdir var/bench --scale 100
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

from bench import servers
from bench.common import TINY_TRIPLES, parser, print_machine, print_table, runs, spread
from bench.datasets import biotools_file, build, kg, prepare
from bench.latency import TINY_QUERIES, workload
from bench.load import previous_version

GIB = 1024**3
SAMPLE_EVERY = 0.05


class Sampler:
    """Peak RSS of a process and its children, sampled in a thread until stopped."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)
        self.peak_total = self.peak_main = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                main = self.process.memory_info().rss
                children = sum(c.memory_info().rss for c in self.process.children(recursive=True))
            except psutil.Error:
                main = children = 0
            self.peak_main = max(self.peak_main, main)
            self.peak_total = max(self.peak_total, main + children)
            self._stop.wait(SAMPLE_EVERY)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def serve_peak(store: Path, log: Path, queries: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(peak total, peak of the server process, queries answered) while serving the workload."""
    with servers.kg_server(store, log) as server, Sampler(server.pid) as sampler:
        answered = 0

        def ask(text: str) -> bool:
            r = requests.post(
                server.endpoint,
                data={"query": text},
                headers={"Accept": servers.SELECT_JSON},
                timeout=600,
            )
            return r.status_code == 200

        for _, text in queries:
            answered += ask(text)
        with ThreadPoolExecutor(8) as pool:
            answered += sum(pool.map(ask, [t for _, t in queries]))
    return sampler.peak_total, sampler.peak_main, answered


def mib(n: float) -> str:
    return f"{n / 1024**2:,.0f}"


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=int, default=100, help="the ×N graph kg serve is measured on")
    p.add_argument(
        "--load-scale",
        type=int,
        default=10,
        help="the ×N file kg load is measured on (×100 does not fit in memory: BENCHMARKS.md §2)",
    )
    args = p.parse_args(argv)
    n_runs = runs(args, 5)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    print_machine()
    scratch = workdir / "memory-scratch"
    sample = biotools_file(workdir, 1, tiny=True)[0] if args.tiny else None
    builds = [build(scratch / "store", tiny=args.tiny, biotools=sample) for _ in range(n_runs)]
    dataset = prepare(workdir, args.scale, tiny=args.tiny)
    scaled, triples = biotools_file(workdir, args.load_scale, tiny=args.tiny)
    scratch.mkdir(parents=True, exist_ok=True)
    previous = previous_version(scaled, scratch)
    first_loads, replaces = [], []
    for _ in range(n_runs):
        target = scratch / "load-store"
        if target.exists():
            shutil.rmtree(target)
        first_loads.append(kg(["load", "biotools", str(scaled)], target))
        shutil.rmtree(target)
        kg(["load", "biotools", str(previous)], target)  # not measured: the graph to replace
        replaces.append(kg(["load", "biotools", str(scaled), "--force"], target))
    shutil.rmtree(target)
    queries = workload(TINY_QUERIES if args.tiny else None)
    log = workdir / "logs" / "memory-kg.log"
    served = [serve_peak(dataset.store, log, queries) for _ in range(n_runs)]
    what = (
        f"tiny build ({TINY_TRIPLES} bio.tools triples)" if args.tiny else "kg build (all sources)"
    )
    rows = [
        [what, "—", spread([b.peak_rss for b in builds], 1 / 1024**2, 0), "—"],
        [
            f"kg load biotools ×{args.load_scale} into a new store",
            f"{triples:,} triples",
            spread([r.peak_rss for r in first_loads], 1 / 1024**2, 0),
            "—",
        ],
        [
            f"kg load biotools ×{args.load_scale} over its previous version",
            f"{triples:,} triples",
            spread([r.peak_rss for r in replaces], 1 / 1024**2, 0),
            "—",
        ],
        [
            f"kg serve, {len(queries)} queries then 8 at a time",
            f"{dataset.quads:,} quads",
            spread([s[0] for s in served], 1 / 1024**2, 0),
            spread([s[1] for s in served], 1 / 1024**2, 0),
        ],
    ]
    print_table(
        f"Peak RSS in MiB, median (min–max) of {n_runs} runs",
        ["process", "data", "peak RSS (with query workers)", "server process alone"],
        rows,
    )
    peak = statistics.median(s[0] for s in served)
    print(f"kg serve with ×{args.scale}: {mib(peak)} MiB peak (target ≤ {mib(GIB)} MiB)")
    asked = 2 * len(queries)
    answered = ", ".join(str(s[2]) for s in served)
    print(f"kg serve answered (200) per run: {answered} of {asked} requests (the others: 503)")
    main.results = {"served": served, "answered": [s[2] for s in served], "queries": len(queries)}
    return 0


if __name__ == "__main__":
    sys.exit(main())
