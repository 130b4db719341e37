"""Progress for long work: a bar on a terminal, nothing otherwise.

Callers always print their own one-line summary when done, so a log (CI, a
pipe) gets one line per step and a terminal also sees the bar move.
"""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    def __init__(self, total: int, *, enabled: bool = True, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.total = max(total, 1)
        self.done = 0

    def step(self, label: str) -> None:
        """Mark one step done and show ``label`` as the current activity."""
        self.done = min(self.done + 1, self.total)
        if not self.enabled:
            return
        width = 24
        filled = width * self.done // self.total
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label[:60]:<60}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
