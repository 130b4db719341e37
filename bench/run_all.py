"""Every benchmark of issue #9 in turn, over one work directory (datasets made once).

    .venv/bin/python -m bench.run_all --workdir var/bench | tee var/bench/results.md
    .venv/bin/python -m bench.run_all --tiny          # the smoke test's size, a minute or two

(``bench.validation`` and ``bench.soak`` are run on their own; see BENCHMARKS.md.)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench import datasets, latency, load, memory, throughput
from bench.common import parser


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.split("\n\n")[0])
    args = p.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    common = ["--workdir", str(workdir)]
    if args.tiny:
        common.append("--tiny")
    if args.runs is not None:
        common += ["--runs", str(args.runs)]
    big = ["--scale", "10"] if args.tiny else []
    steps = [
        (datasets.main, ["--scales", "1", "10"] + ([] if args.tiny else ["100"])),
        (load.main, []),
        (latency.main, []),
        (throughput.main, []),
        (memory.main, big),
    ]
    for step, extra in steps:
        code = step([*common, *extra])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
