"""The ``kg`` command line: the same operations as the API, from a terminal.

Errors are one line on stderr and a non-zero exit (2; ``kg validate`` exits 1
when the data violates the shapes), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from kg import formats
from kg.config import SETTINGS, Settings, SettingsError
from kg.progress import Progress
from kg.store import QuerySyntaxError, StoreError, open_store
from kg.validation import ShapesError, Validator, to_rdflib
from loaders.common import LoadError
from loaders.pipeline import SOURCES, ValidationFailed, load
from loaders.rdf_files import read_file

#: Sources loaded by ``kg build``, in order.
BUILD_SOURCES = ("ontology", "shapes", "rdmkit")


class CliError(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"store": args.store} if args.store else {}
    return Settings.load(overrides)


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = open_store(settings.store)
    progress = Progress(len(BUILD_SOURCES) * 3, enabled=settings.progress)
    validator = Validator(settings)
    try:
        for name in BUILD_SOURCES:
            report = load(store, settings, name, validator=validator, progress=progress.step)
            progress.close()
            print(report.summary())
            if args.verbose:
                _print_issues(report.issues)
    finally:
        progress.close()
        store.close()
    print(f"store {settings.store}: built from {len(BUILD_SOURCES)} sources")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = open_store(settings.store)
    progress = Progress(3, enabled=settings.progress)
    try:
        report = load(store, settings, args.source, args.path, progress=progress.step)
    finally:
        progress.close()
        store.close()
    print(report.summary())
    if args.report:
        Path(args.report).write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    if args.verbose:
        _print_issues(report.issues)
    return 0


def _print_issues(issues) -> None:
    for issue in issues:
        print(f"  {issue.kind}: {issue.where}: {issue.message}")


def cmd_query(args: argparse.Namespace) -> int:
    settings = _settings(args)
    text = Path(args.file).read_text(encoding="utf-8") if args.file else args.sparql
    if not text:
        raise CliError("give a query as an argument or with --file")
    store = open_store(settings.store, read_only=settings.store != "memory")
    try:
        result = store.query(text)
        if args.format == "table":
            sys.stdout.write(formats.table(result) + "\n")
            return 0
        fmt = formats.BY_NAME[args.format]
        kind = formats.result_kind(result)
        if fmt.kind != kind:
            names = ", ".join(f.name for f in formats.formats_for(kind))
            raise CliError(f"--format {args.format} does not suit this query; use one of: {names}")
        sys.stdout.buffer.write(formats.serialize(result, fmt))
        sys.stdout.flush()
    finally:
        store.close()
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    triples = read_file(path)
    result = Validator(settings).validate(to_rdflib(triples))
    if args.format == "json":
        payload = {"conforms": result.conforms, "findings": [f.to_dict() for f in result.findings]}
        print(json.dumps(payload, indent=2))
    else:
        for f in result.findings:
            where = f" {f.path}" if f.path else ""
            value = f" = {f.value}" if f.value else ""
            print(f"{f.severity}: {f.focus}{where}{value}: {f.message}")
        print(
            f"{path}: {'conforms' if result.conforms else 'does not conform'} ({result.summary()})"
        )
    return 0 if result.conforms else 1


def cmd_dump(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = open_store(settings.store, read_only=settings.store != "memory")
    try:
        if args.output and args.output != "-":
            with open(args.output, "wb") as out:
                store.dump(out)
        else:
            store.dump(sys.stdout.buffer)
            sys.stdout.flush()
    finally:
        store.close()
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = open_store(settings.store)
    try:
        with open(args.input, "rb") as inp:
            n = store.restore(inp, force=args.force)
    except SyntaxError as exc:
        raise CliError(f"{args.input}: not valid N-Quads: {exc}") from None
    finally:
        store.close()
    print(f"restored {n} quads into {settings.store}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from api import create_app

    overrides = {
        k: v for k, v in (("store", args.store), ("host", args.host), ("port", args.port)) if v
    }
    settings = Settings.load(overrides)
    app = create_app(settings=settings)
    print(f"serving {settings.store} on http://{settings.host}:{settings.port}/", flush=True)
    waitress.serve(app, host=settings.host, port=settings.port, threads=8, ident="converge-kg")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    settings = _settings(args)
    for s in SETTINGS:
        print(
            f"{s.env:<20} {getattr(settings, s.name)!s:<50} ({settings.origins[s.name]})  {s.help}"
        )
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    for source in SOURCES.values():
        print(f"{source.name:<10} {source.help}")
    return 0


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

    b = sub.add_parser("build", help="load every configured source into the store")
    b.add_argument("-v", "--verbose", action="store_true", help="list every source quirk")
    b.set_defaults(func=cmd_build)

    ld = sub.add_parser("load", help="load one source (e.g. 'kg load rdmkit PATH')")
    ld.add_argument("source", choices=sorted(SOURCES))
    ld.add_argument("path", nargs="?", help="where to read it (default: the configured location)")
    ld.add_argument("--report", help="write the load report as JSON to this file")
    ld.add_argument("-v", "--verbose", action="store_true", help="list every source quirk")
    ld.set_defaults(func=cmd_load)

    q = sub.add_parser("query", help="run a SPARQL query against the store")
    q.add_argument("sparql", nargs="?", help="the query text")
    q.add_argument("--file", help="read the query from a file")
    q.add_argument("--format", default="table", choices=["table", *formats.BY_NAME])
    q.set_defaults(func=cmd_query)

    v = sub.add_parser("validate", help="validate an RDF file against the shapes")
    v.add_argument("file")
    v.add_argument("--format", default="text", choices=["text", "json"])
    v.set_defaults(func=cmd_validate)

    d = sub.add_parser("dump", help="write the whole store as N-Quads")
    d.add_argument("output", nargs="?", help="file to write (default: stdout)")
    d.set_defaults(func=cmd_dump)

    r = sub.add_parser("restore", help="load an N-Quads dump into an empty store")
    r.add_argument("input")
    r.add_argument("--force", action="store_true", help="replace a non-empty store")
    r.set_defaults(func=cmd_restore)

    s = sub.add_parser("serve", help="serve the API")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.set_defaults(func=cmd_serve)

    st = sub.add_parser("settings", help="show every setting, its value and origin")
    st.set_defaults(func=cmd_settings)

    so = sub.add_parser("sources", help="list the sources kg can load")
    so.set_defaults(func=cmd_sources)
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
    except (LoadError, StoreError, SettingsError, ShapesError, OSError) as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
