"""What every benchmark shares: the machine, statistics, tables, arguments, datasets paths."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
BIOTOOLS = SHARED_DATA / "biotools" / "biotools-dump-20171129.ttl"
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin"
#: Triples of bio.tools kept by ``--tiny`` runs (the smoke test).
TINY_TRIPLES = 1500


def tool(name: str) -> str:
    """A command installed in the project's environment (kg, oxigraph…)."""
    path = VENV_BIN / name
    if not path.exists():
        raise SystemExit(
            f"bench: {path} is missing; install the bench extra: .venv/bin/pip install -e '.[bench]'"
        )
    return str(path)


def machine() -> dict[str, str]:
    """The machine a figure was measured on: cores, CPU model, RAM, date."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        ram = f"{mem_kb / 1024**2:.1f} GiB"
    except OSError:
        ram = "unknown"
    return {
        "date": dt.date.today().isoformat(),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
    }


def print_machine() -> None:
    m = machine()
    print(
        f"machine: {m['nproc']} cores, {m['cpu']}, {m['ram']} RAM; "
        f"Python {m['python']}; {m['date']}",
        flush=True,
    )


def percentile(samples: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of at least one sample."""
    ordered = sorted(samples)
    rank = max(1, round(p / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def spread(samples: Sequence[float], scale: float = 1.0, digits: int = 1) -> str:
    """``median (min–max)`` of the samples, multiplied by ``scale``."""
    med = statistics.median(samples) * scale
    lo, hi = min(samples) * scale, max(samples) * scale
    return f"{med:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (pastes into BENCHMARKS.md as it is)."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    print(f"\n### {title}\n\n{table(headers, rows)}\n", flush=True)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # so `finally` blocks stop the servers a benchmark started


def parser(description: str) -> argparse.ArgumentParser:
    """The common options; also makes SIGTERM (e.g. from `timeout`) unwind cleanly."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--tiny", action="store_true", help="tiny data, few runs (the smoke test)")
    p.add_argument("--runs", type=int, default=None, help="measured runs per figure (≥ 5)")
    p.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where datasets and stores go (default: a temp dir)",
    )
    return p


def runs(args: argparse.Namespace, default: int) -> int:
    if args.runs is not None:
        return max(1, args.runs)
    return 2 if args.tiny else default
