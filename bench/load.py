"""Load: triples/s of ``kg load`` into an on-disk store, with and without validation, against
raw ``pyoxigraph.Store.bulk_load`` of the same file in the same run (the limit).

Each run loads the file three ways into fresh on-disk stores, in turn:

- ``bulk_load``: ``pyoxigraph.Store(path).bulk_load(path=file, to_graph=G)``, then flush;
- ``kg load``: ``loaders.pipeline.load(store, settings, "biotools", file, force=True)`` — the
  function ``kg load biotools FILE`` runs (read, provenance, atomic replace; no validation);
- ``kg load rdf``: ``loaders.pipeline.load_rdf`` — the function ``kg load rdf FILE --graph G``
  runs, which validates against the shapes first (only up to ``--validate-up-to`` ×);
- ``kg load`` replacing a non-empty graph (the daily reload): the store already holds the
  previous version of the graph — the same file with every 10th triple dropped, loaded
  first and not timed — and ``kg load biotools FILE`` swaps in the file (one atomic update).

The ratio ``kg load / bulk_load`` is taken within each run; its median is the figure.
Target (issue #9): without validation ≥ 50 % of raw.

    .venv/bin/python -m bench.load --workdir var/bench
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from bench.common import SHARED_DATA, parser, print_machine, print_table, runs, spread
from bench.datasets import biotools_file

GRAPH = "https://w3id.org/elixir-converge/graph/biotools"
IMPORT_GRAPH = "https://w3id.org/elixir-converge/graph/bench-import"


def _settings(store: str):
    from kg.settings import Settings

    return Settings.load({"store": store, "sources_dir": str(SHARED_DATA)}, environ={})


def raw_bulk_load(file: Path, where: Path) -> int:
    store = ox.Store(str(where))
    store.bulk_load(path=str(file), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    store.flush()
    n = len(store)
    del store
    return n


def previous_version(file: Path, scratch: Path) -> Path:
    """The "previous version" of an N-Triples file: every 10th triple dropped."""
    out = scratch / f"{file.stem}-previous.nt"
    if not out.exists() or out.stat().st_mtime < file.stat().st_mtime:
        with file.open("rb") as src, out.open("wb") as dst:
            dst.writelines(line for n, line in enumerate(src) if n % 10 != 9)
    return out


def kg_load(
    file: Path, where: Path, *, validate: bool, validator=None, timer: list | None = None
) -> int:
    """``kg load`` of ``file``; with ``timer``, over a previous version of the graph that is
    loaded first, and the seconds of the replace alone are appended to ``timer``."""
    from kg.store import open_store
    from loaders.pipeline import load, load_rdf

    url = f"oxigraph:{where}"
    settings = _settings(url)
    store = open_store(url)
    try:
        if timer is not None:
            load(store, settings, "biotools", str(previous_version(file, where.parent)))
            start = time.perf_counter()
            report = load(store, settings, "biotools", str(file), force=True)
            store.flush()
            timer.append(time.perf_counter() - start)
            return report.triples
        if validate:
            report = load_rdf(store, settings, str(file), IMPORT_GRAPH, validator=validator)
        else:
            report = load(store, settings, "biotools", str(file), force=True)
        store.flush()
        return report.triples
    finally:
        store.close()


def _timed_fresh(scratch: Path, fn: Callable[[Path], int]) -> tuple[float, int]:
    where = scratch / "store"
    if where.exists():
        shutil.rmtree(where)
    start = time.perf_counter()
    n = fn(where)
    seconds = time.perf_counter() - start
    shutil.rmtree(where)
    return seconds, n


def measure(file: Path, triples: int, n_runs: int, scratch: Path, *, validate: bool) -> dict:
    from kg.validation.shapes import Validator

    validator = Validator(_settings("memory")) if validate else None
    raw, plain, checked, replace = [], [], [], []
    loaded = {}
    for _ in range(n_runs):
        t, loaded["bulk_load"] = _timed_fresh(scratch, lambda w: raw_bulk_load(file, w))
        raw.append(t)
        t, loaded["kg load"] = _timed_fresh(scratch, lambda w: kg_load(file, w, validate=False))
        plain.append(t)
        _, loaded["kg load (replace)"] = _timed_fresh(
            scratch, lambda w: kg_load(file, w, validate=False, timer=replace)
        )
        if validate:
            t, loaded["kg load rdf"] = _timed_fresh(
                scratch, lambda w: kg_load(file, w, validate=True, validator=validator)
            )
            checked.append(t)
    return {
        "raw": raw,
        "plain": plain,
        "checked": checked,
        "replace": replace,
        "loaded": loaded,
        "triples": triples,
    }


def rows_for(name: str, m: dict) -> list[list[str]]:
    n = m["triples"]
    rate = [n / t for t in m["raw"]]
    out = [[name, "bulk_load (raw pyoxigraph)", f"{n:,}", spread(rate, 1e-3, 0), "1.00"]]
    for key, label in (
        ("plain", "kg load (no validation)"),
        ("checked", "kg load rdf (validated)"),
        ("replace", "kg load (replace a non-empty graph)"),
    ):
        if m[key]:
            ratios = [r / t for r, t in zip(m["raw"], m[key], strict=True)]
            out.append(
                [
                    name,
                    label,
                    f"{n:,}",
                    spread([n / t for t in m[key]], 1e-3, 0),
                    spread(ratios, 1, 2),
                ]
            )
    return out


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    p.add_argument("--validate-up-to", type=int, default=1, help="validated loads up to this ×")
    args = p.parse_args(argv)
    n_runs = runs(args, 5)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    scratch = workdir / "load-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    print_machine()
    rows, results = [], {}
    for factor in args.scales:
        file, triples = biotools_file(workdir, factor, tiny=args.tiny)
        m = measure(file, triples, n_runs, scratch, validate=factor <= args.validate_up_to)
        results[factor] = m
        rows += rows_for(f"bio.tools ×{factor}{' (tiny)' if args.tiny else ''}", m)
    print_table(
        f"Load into an on-disk store: k triples/s, median (min–max) of {n_runs} runs; "
        "ratio to bulk_load within each run (target: kg load ≥ 0.50)",
        ["data", "loader", "triples", "k triples/s", "× of bulk_load"],
        rows,
    )
    ratio = statistics.median(
        r / t for m in results.values() for r, t in zip(m["raw"], m["plain"], strict=True)
    )
    print(f"kg load without validation: {ratio:.2f} of raw bulk_load (target ≥ 0.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
