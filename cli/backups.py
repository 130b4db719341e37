"""``kg dump``, ``kg backup``, ``kg restore``: the store to a file and back, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.common import CliError, opened, settings_of
from kg.store import backup
from kg.store.backup import write_atomically


def cmd_dump(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    with opened(settings) as store:
        if args.output and args.output != "-":
            write_atomically(Path(args.output), store.dump, force=args.force)
        else:
            store.dump(sys.stdout.buffer)
            sys.stdout.flush()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    with opened(settings) as store:
        manifest = backup.backup(store, Path(args.directory), location=settings.store)
    print(
        f"backed up {manifest['quads']} quads in {len(manifest['graphs'])} graphs to "
        f"{args.directory} (sha256 {manifest['sha256'][:16]}…)"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    if Path(args.input).is_dir():  # a backup made by kg backup
        with opened(settings, write=True) as store:
            manifest = backup.restore(store, Path(args.input), force=args.force)
        print(
            f"restored {manifest['quads']} quads from the backup {args.input} into {settings.store}"
        )
        return 0
    with opened(settings, write=True) as store, open(args.input, "rb") as inp:
        try:
            n = store.restore(inp, force=args.force)
        except SyntaxError as exc:
            raise CliError(f"{args.input}: not valid N-Quads: {exc}") from None
    print(f"restored {n} quads into {settings.store}")
    return 0


def _add_dump(sub) -> None:
    d = sub.add_parser("dump", help="write the whole store as N-Quads")
    d.add_argument("output", nargs="?", help="file to write (default: stdout)")
    d.add_argument("--force", action="store_true", help="replace an existing file")
    d.set_defaults(func=cmd_dump)


def _add_backup(sub) -> None:
    bk = sub.add_parser("backup", help="write a backup directory (N-Quads dump + manifest)")
    bk.add_argument("directory", help="a new directory to create")
    bk.set_defaults(func=cmd_backup)


def _add_restore(sub) -> None:
    r = sub.add_parser(
        "restore", help="load an N-Quads dump or a kg backup directory into an empty store"
    )
    r.add_argument("input", help="an N-Quads file, or a directory written by kg backup")
    r.add_argument("--force", action="store_true", help="replace a non-empty store")
    r.set_defaults(func=cmd_restore)


#: The commands of this module, each with the function that adds its parser.
COMMANDS = {"dump": _add_dump, "backup": _add_backup, "restore": _add_restore}
