"""Queries: p50 / p95 latency of the named-query catalog (each with its example or default
parameters, bound by ``kg.sparql.rewrite.bind``) and the heavier analytic queries of
``bench/queries/*.rq``, on the same data, through:

- ``in-process``: pyoxigraph on the store, results serialised to SPARQL JSON (the limit);
- ``kg API``: ``kg serve`` (waitress, query workers) — ``POST /sparql``;
- ``oxigraph``: Oxigraph's Rust server (``oxigraph serve-read-only --union-default-graph``);
- ``rdflib``: rdflib-endpoint over the same quads;
- ``virtuoso``: Virtuoso over HTTP (``tools.virtuoso``), when its launcher exists.

Every HTTP engine gets the same query text by ``POST`` (form), ``Accept:
application/sparql-results+json``, over one keep-alive session. Samples are interleaved
(one run = every engine once, in turn), so the ratios are taken within one run. The row
count of each answer is checked against in-process; a disagreement is shown as ``≠``.

Every HTTP request is stopped at ``--cap`` seconds (default 60): the engine's cell then
says ``stopped at N s`` and a peer server still busy with the stopped query is restarted
(rdflib-endpoint keeps evaluating a query its client gave up on, which would slow the next
ones). A query's warm-up longer than 5 s gets 5 runs; longer than 30 s, it is the only run.

Targets (issue #9): API ≤ in-process + 1.5 ms + 10 %; API ≤ 1.3 × oxigraph; API faster
than rdflib on every query (a query rdflib did not finish within the cap counts as faster,
one it failed on does not count); API not slower than Virtuoso on the median.

    .venv/bin/python -m bench.latency --workdir var/bench --scales 1 10

rdflib-endpoint is a peer up to ``--rdflib-up-to`` × (default 1).
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests

from bench import servers
from bench.common import REPO, parser, percentile, print_machine, print_table, runs
from bench.datasets import Dataset, prepare

HEAVY_DIR = Path(__file__).resolve().parent / "queries"
#: Default of ``--cap``: seconds an HTTP request may take before it is stopped.
CAP = 60.0
#: An engine whose warm-up of a query took longer than this gets the minimum of 5 runs.
SLOW = 5.0
MIN_RUNS = 5
#: … and longer than this: its warm-up is its only sample (marked "1 run").
LONG = 30.0


#: The queries of ``--tiny`` runs (names or prefixes): a few that find rows in the sample.
TINY_QUERIES = ("admin/list_sources", "curation/worklist", "heavy/")


def workload(only: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(name, SPARQL text) of every catalog query (example/default parameters bound) and
    every heavy query; only those whose name starts with one of ``only``, if given."""
    from kg.queries.catalog import load_catalog
    from kg.sparql.rewrite import bind

    out = []
    for q in load_catalog(REPO / "queries"):
        if q.form != "select":
            continue
        out.append((q.name, bind(q.text, q.bind(dict(q.example)))))
    for path in sorted(HEAVY_DIR.glob("*.rq")):
        out.append((f"heavy/{path.stem}", path.read_text(encoding="utf-8")))
    return [(name, text) for name, text in out if only is None or name.startswith(only)]


@dataclass
class Engine:
    name: str
    run: Callable[[str], tuple[bytes, int]]  # query → (body, rows)
    samples: dict[str, list[float]] = field(default_factory=dict)
    rows: dict[str, int | str] = field(default_factory=dict)  # count, or "error: …"
    endpoint: str | None = None  # SPARQL query URL (HTTP engines)
    restart: Callable[[], None] | None = None  # a fresh server after a stopped query


def _rows(body: bytes) -> int:
    data = json.loads(body)
    return len(data["results"]["bindings"]) if "results" in data else 1


def in_process(store: ox.Store) -> Callable[[str], tuple[bytes, int]]:
    def run(text: str) -> tuple[bytes, int]:
        result = store.query(text, use_default_graph_as_union=True)
        body = result.serialize(format=ox.QueryResultsFormat.JSON)
        return body, -1  # counted outside the timed part

    return run


def over_http(endpoint: str, cap: float = CAP) -> Callable[[str], tuple[bytes, int]]:
    session = requests.Session()
    headers = {"Accept": servers.SELECT_JSON}

    def run(text: str) -> tuple[bytes, int]:
        r = session.post(endpoint, data={"query": text}, headers=headers, timeout=cap)
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
        return r.content, -1

    return run


def _stopped(e: Engine, name: str, cap: float) -> None:
    e.rows[name] = f"stopped at {cap:g} s"
    if e.restart is not None:
        e.restart()


def measure(
    engines: list[Engine], queries: list[tuple[str, str]], n_runs: int, cap: float = CAP
) -> None:
    """Warm every engine up on each query (and count its rows), then interleave ``n_runs``."""
    for name, text in queries:
        active = []
        for e in engines:
            try:
                start = time.perf_counter()
                body, _ = e.run(text)
                warm = time.perf_counter() - start
                e.rows[name] = _rows(body)
            except requests.Timeout:
                _stopped(e, name, cap)
                continue
            except (RuntimeError, requests.RequestException, OSError, ValueError) as exc:
                e.rows[name] = f"error: {str(exc)[:120]}"
                continue
            e.samples[name] = []
            if warm > LONG:
                e.samples[name].append(warm)
                continue
            active.append((e, MIN_RUNS if warm > SLOW else n_runs))
        for i in range(n_runs):
            for e, wanted in active:
                if i >= wanted or isinstance(e.rows[name], str):
                    continue
                try:
                    start = time.perf_counter()
                    e.run(text)
                    e.samples[name].append(time.perf_counter() - start)
                except requests.Timeout:
                    _stopped(e, name, cap)
                except (RuntimeError, requests.RequestException, OSError) as exc:
                    e.rows[name] = f"error: {str(exc)[:120]}"


def _ms(samples: list[float]) -> str:
    if not samples:
        return "—"
    return f"{percentile(samples, 50) * 1e3:.1f} / {percentile(samples, 95) * 1e3:.1f}"


def report(
    dataset: Dataset, engines: list[Engine], queries, pending: dict[str, str], n_runs: int
) -> dict:
    """Print the table and the targets; returns the per-query rows of every engine."""
    by = {e.name: e for e in engines}
    base, api = by["in-process"], by["kg API"]
    names = [e.name for e in engines]
    headers = ["query", "rows", *[f"{n} p50 / p95 ms" for n in names], *pending, "API ÷ in-proc"]
    if "oxigraph" in by:
        headers.append("API ÷ oxigraph")
    table_rows = []
    targets = {"overhead": 0, "oxigraph": 0, "rdflib": 0, "measured": 0}
    virtuoso_ratios = []
    for name, _ in queries:
        expected = base.rows.get(name)
        cells = [name, str(expected)]
        for e in engines:
            got = e.rows.get(name)
            if isinstance(got, str):
                cells.append(got[:40])
                continue
            mark = "" if got == expected else f" ≠ {got} rows"
            samples = e.samples.get(name, [])
            once = " (1 run)" if len(samples) == 1 and n_runs > 1 else ""
            cells.append(_ms(samples) + once + mark)
        cells += [pending[p] for p in pending]
        a, b = api.samples.get(name), base.samples.get(name)
        if a and b:
            targets["measured"] += 1
            a50, b50 = statistics.median(a), statistics.median(b)
            cells.append(f"{a50 / b50:.2f}")
            targets["overhead"] += a50 <= b50 * 1.1 + 0.0015
            for peer in ("oxigraph", "rdflib", "virtuoso"):
                s = by[peer].samples.get(name) if peer in by else None
                if not s:
                    got = by[peer].rows.get(name) if peer in by else None
                    if peer == "rdflib" and str(got).startswith("stopped"):
                        targets["rdflib"] += 1  # not finished within the cap: API faster
                    continue
                ratio = a50 / statistics.median(s)
                if peer == "oxigraph":
                    cells.append(f"{ratio:.2f}")
                    targets["oxigraph"] += ratio <= 1.3
                elif peer == "rdflib":
                    targets["rdflib"] += ratio < 1
                else:
                    virtuoso_ratios.append(ratio)
        # A query some engine could not answer has no ratios: its cells say so.
        table_rows.append(cells + ["—"] * (len(headers) - len(cells)))
    n = targets["measured"]
    print_table(
        f"Query latency on {dataset.name} ({dataset.quads:,} quads), p50 / p95 ms",
        headers,
        table_rows,
    )
    print(f"targets on {dataset.name}, over {n} queries:")
    print(f"  API ≤ in-process + 1.5 ms + 10 %: {targets['overhead']} of {n}")
    if "oxigraph" in by:
        print(f"  API ≤ 1.3 × oxigraph serve: {targets['oxigraph']} of {n}")
    if "rdflib" in by:
        print(f"  API faster than rdflib-endpoint: {targets['rdflib']} of {n}")
    if virtuoso_ratios:
        med = statistics.median(virtuoso_ratios)
        print(f"  API ÷ Virtuoso, median over queries: {med:.2f} (target ≤ 1)")
    for peer, why in pending.items():
        print(f"  {peer}: {why}")
    return {e.name: dict(e.rows) for e in engines}


class _Restartable:
    """A peer server that can be stopped and started again (after a stopped query)."""

    def __init__(self, start: Callable[[], contextlib.AbstractContextManager]):
        self._start, self._running = start, None

    def start(self) -> servers.Server:
        self._running = self._start()
        return self._running.__enter__()

    def stop(self) -> None:
        if self._running is not None:
            running, self._running = self._running, None
            running.__exit__(None, None, None)


def _restartable_engine(name: str, start, stack: contextlib.ExitStack, cap: float) -> Engine:
    peer = _Restartable(start)
    stack.callback(peer.stop)
    server = peer.start()
    engine = Engine(name, over_http(server.endpoint, cap), endpoint=server.endpoint)

    def restart() -> None:
        peer.stop()
        fresh = peer.start()
        engine.run, engine.endpoint = over_http(fresh.endpoint, cap), fresh.endpoint

    engine.restart = restart
    return engine


@contextlib.contextmanager
def peers(dataset: Dataset, workdir: Path, wanted: set[str], cap: float = CAP):
    """Start every wanted server over the dataset; yields (engines, pending reasons)."""
    logs = workdir / "logs" / dataset.name
    copy = servers.copy_store(dataset.store, workdir / "serve-copies" / dataset.name)
    with contextlib.ExitStack() as stack:
        store = ox.Store.read_only(str(copy))
        engines = [Engine("in-process", in_process(store))]
        pending: dict[str, str] = {}
        kg = stack.enter_context(servers.kg_server(dataset.store, logs / "kg.log"))
        engines.append(Engine("kg API", over_http(kg.endpoint, cap), endpoint=kg.endpoint))
        if "oxigraph" in wanted:
            ox_server = stack.enter_context(servers.oxigraph_server(copy, logs / "oxigraph.log"))
            engines.append(
                Engine("oxigraph", over_http(ox_server.endpoint, cap), endpoint=ox_server.endpoint)
            )
        if "rdflib" in wanted:
            log = logs / "rdflib.log"
            start = lambda: servers.rdflib_server(dataset.nquads, log)  # noqa: E731
            engines.append(_restartable_engine("rdflib", start, stack, cap))
        if "virtuoso" in wanted:
            try:
                v = stack.enter_context(servers.virtuoso_server(dataset.nquads, logs / "v.log"))
                engines.append(Engine("virtuoso", over_http(v.endpoint, cap), endpoint=v.endpoint))
            except servers.Pending as why:
                pending["virtuoso"] = str(why)
        yield engines, pending


PEERS = ("oxigraph", "rdflib", "virtuoso")


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    p.add_argument("--peers", nargs="*", default=list(PEERS), choices=PEERS)
    p.add_argument("--cap", type=float, default=CAP, help="seconds before a request is stopped")
    p.add_argument(
        "--rdflib-up-to",
        type=int,
        default=1,
        help="rdflib-endpoint up to this × (it needs minutes per query at ×10)",
    )
    args = p.parse_args(argv)
    n_runs = max(runs(args, 20), 1)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    print_machine()
    queries = workload(TINY_QUERIES if args.tiny else None)
    results = {}
    for factor in args.scales:
        dataset = prepare(workdir, factor, tiny=args.tiny)
        wanted = set(args.peers) - ({"rdflib"} if factor > args.rdflib_up_to else set())
        with peers(dataset, workdir, wanted, args.cap) as (engines, pending):
            measure(engines, queries, n_runs, args.cap)
            results[dataset.name] = report(dataset, engines, queries, pending, n_runs)
    main.results = results  # for the smoke test
    return 0


if __name__ == "__main__":
    sys.exit(main())
