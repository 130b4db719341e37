"""What every ``kg`` command shares: its settings, the store, errors as one line."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from kg.settings import Settings
from kg.store import open_store
from kg.store.base import Store


class CliError(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def settings_of(args: argparse.Namespace) -> Settings:
    overrides = {"store": args.store} if args.store else {}
    return Settings.load(overrides)


@contextlib.contextmanager
def opened(settings: Settings, *, write: bool = False) -> Iterator[Store]:
    """The configured store, read-only unless the command writes; closed afterwards."""
    store = open_store(
        settings.store, read_only=not write and settings.store != "memory", settings=settings
    )
    try:
        yield store
    finally:
        store.close()
