"""The ``kg`` command line: the same operations as the API, from a terminal.

Errors are one line on stderr and a non-zero exit (2; ``kg validate`` exits 1
when the data violates the shapes), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import backups, graph, querying, serving, validating
from cli.common import CliError
from kg.errors import QuerySyntaxError, QueryTimeout, QueryTooLarge, ServiceRefused, StoreError
from kg.queries.catalog import CatalogError
from kg.queries.files import UnknownQuery
from kg.settings import SETTINGS, SettingsError
from kg.store.backup import BackupError
from kg.validation.shapes import ShapesError
from loaders.common import LoadError
from loaders.pipeline import ValidationFailed

#: Every command of ``kg``, in the order of its help, and the module that holds it.
COMMANDS = (
    ("build", graph),
    ("load", graph),
    ("query", querying),
    ("validate", validating),
    ("dump", backups),
    ("backup", backups),
    ("restore", backups),
    ("serve", serving),
    ("settings", serving),
    ("sources", graph),
    ("check", graph),
    ("report", querying),
    ("queries", querying),
)


def parser() -> argparse.ArgumentParser:
    settings_help = "\n".join(f"  {s.env:<20} {s.help}" for s in SETTINGS)
    p = argparse.ArgumentParser(
        prog="kg",
        description="converge-kg: the ELIXIR-CONVERGE toolkit knowledge graph.",
        epilog="settings (environment variables):\n" + settings_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--store", help="store location (overrides KG_STORE): memory | oxigraph:PATH")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for name, module in COMMANDS:
        module.COMMANDS[name](sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return exc.code
    except ValidationFailed as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 1
    except QuerySyntaxError as exc:
        print(f"kg: error: malformed SPARQL: {exc}", file=sys.stderr)
        return 2
    except (QueryTimeout, QueryTooLarge, ServiceRefused) as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    except (
        BackupError,
        LoadError,
        StoreError,
        SettingsError,
        ShapesError,
        UnknownQuery,
        CatalogError,
        OSError,
    ) as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
