"""The benchmark datasets, made with the project's own commands.

- ``x1``: ``kg build`` from ``../shared/data`` into an on-disk store (``KG_STORE`` in the
  work directory);
- ``x10``, ``x100``: the same store with the bio.tools graph replaced by bio.tools ×10 / ×100
  (``bench.scale``) through ``kg load biotools FILE --force`` (×100: Oxigraph's bulk loader,
  see ``raw_replace``).

``--tiny`` (the smoke test) loads only the first ``TINY_TRIPLES`` triples of bio.tools
instead of the full build, and scales those. Each dataset also gets an N-Quads
dump (``kg dump``) that the peers (rdflib-endpoint, Virtuoso) read. A dataset already made
in the work directory is reused.

    .venv/bin/python -m bench.datasets --workdir var/bench --scales 1 10 100
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bench import scale
from bench.common import SHARED_DATA, TINY_TRIPLES, parser, print_machine, print_table, tool

COMMAND_TIMEOUT = 3600.0  # seconds; a ×100 load takes minutes
BIOTOOLS_GRAPH = "https://w3id.org/elixir-converge/graph/biotools"
#: From this factor on, datasets are made with the raw bulk loader (see raw_replace).
RAW_FROM = 100


@dataclass
class Dataset:
    name: str
    store: Path  # an on-disk Oxigraph store (closed)
    nquads: Path  # its dump
    quads: int
    biotools_triples: int


@dataclass
class Run:
    """One finished command: wall time, peak RSS of its process, output."""

    seconds: float
    peak_rss: int  # bytes
    output: str


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: float = COMMAND_TIMEOUT) -> Run:
    """Run a command; its wall time and its own peak RSS (``wait4``), bounded by ``timeout``."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise TimeoutError(f"{' '.join(cmd)}: still running after {timeout:.0f} s")
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-3000:]}")
    return Run(seconds, usage.ru_maxrss * 1024, text)


def kg(args: list[str], store: Path, **settings: str) -> Run:
    """``kg ARGS`` on the on-disk store at ``store``."""
    env = {
        "KG_STORE": f"oxigraph:{store}",
        "KG_SOURCES_DIR": str(SHARED_DATA),
        "KG_PROGRESS": "false",
        **{f"KG_{k.upper()}": v for k, v in settings.items()},
    }
    return run([tool("kg"), *args], env)


def build(store: Path, *, tiny: bool, biotools: Path | None = None) -> Run:
    """``kg build`` (``--tiny``: only a bio.tools sample, by ``kg load biotools FILE``)."""
    if store.exists():
        shutil.rmtree(store)
    if not tiny:
        return kg(["build"], store)
    assert biotools is not None
    return kg(["load", "biotools", str(biotools)], store)


def biotools_file(workdir: Path, factor: int, *, tiny: bool) -> tuple[Path, int]:
    """bio.tools ×factor as N-Triples in the work directory (made once); path, triples."""
    path = workdir / f"biotools-x{factor}{'-tiny' if tiny else ''}.nt"
    if not path.exists():
        partial = path.with_suffix(".partial")
        scale.write(partial, factor, limit=TINY_TRIPLES if tiny else None)
        partial.rename(path)
    with path.open("rb") as f:
        return path, sum(1 for line in f if line.strip())


def raw_replace(store: Path, ntriples: Path) -> None:
    """The bio.tools graph replaced by Oxigraph's own bulk loader (no transaction).

    ``kg load`` writes a graph in one transaction (atomic for readers and crashes), and
    Oxigraph holds a transaction in memory: bio.tools ×100 (7.2 M triples) would need more
    memory than this machine has (BENCHMARKS.md §2, §5). The ×100 dataset, which exists
    to measure *serving*, is therefore made with the bulk loader.
    """
    s = ox.Store(str(store))
    try:
        graph = ox.NamedNode(BIOTOOLS_GRAPH)
        s.remove_graph(graph)
        s.bulk_load(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        s.flush()
    finally:
        del s


def counts(store: Path) -> tuple[int, int]:
    """Quads in the store and triples in its bio.tools graph (read-only open)."""
    s = ox.Store.read_only(str(store))
    try:
        graph = ox.NamedNode(BIOTOOLS_GRAPH)
        return len(s), sum(1 for _ in s.quads_for_pattern(None, None, None, graph))
    finally:
        del s


def prepare(workdir: Path, factor: int, *, tiny: bool) -> Dataset:
    """The ×factor dataset (store + dump) in ``workdir``, made unless already there."""
    name = f"x{factor}{'-tiny' if tiny else ''}"
    home = workdir / name
    store, nquads, done = home / "store", home / "dump.nq", home / "done"
    if not done.exists():
        home.mkdir(parents=True, exist_ok=True)
        if factor == 1:
            sample = biotools_file(workdir, 1, tiny=True)[0] if tiny else None
            build(store, tiny=tiny, biotools=sample)
        else:
            base = prepare(workdir, 1, tiny=tiny)
            if store.exists():
                shutil.rmtree(store)
            shutil.copytree(base.store, store)
            scaled, _ = biotools_file(workdir, factor, tiny=tiny)
            if factor >= RAW_FROM:
                raw_replace(store, scaled)
            else:
                kg(["load", "biotools", str(scaled), "--force"], store)
        kg(["dump", str(nquads)], store)
        done.write_text("ok\n")
    quads, biotools = counts(store)
    return Dataset(name, store, nquads, quads, biotools)


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    args = p.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    print_machine()
    rows = []
    for factor in args.scales:
        start = time.perf_counter()
        d = prepare(workdir, factor, tiny=args.tiny)
        rows.append(
            [
                d.name,
                f"{d.quads:,}",
                f"{d.biotools_triples:,}",
                f"{time.perf_counter() - start:.1f}",
            ]
        )
    print_table(
        f"Datasets (in {workdir})",
        ["dataset", "quads (whole store)", "bio.tools triples", "seconds (making or reusing)"],
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
