"""``kg query``, ``kg report`` and ``kg queries``: questions asked from a terminal, under the
limits of ``/sparql`` (timeout, memory, row cap, SERVICE policy: :mod:`kg.sparql.execution`)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from cli.common import CliError, opened, settings_of
from kg.queries.catalog import load_catalog
from kg.queries.files import query_text
from kg.queries.pages import TRANSPORT, Page, run_page
from kg.queries.parameters import ParameterError
from kg.settings import Settings
from kg.sparql import formats
from kg.sparql.execution import Executor


@contextlib.contextmanager
def executor_for(settings: Settings) -> Iterator[Executor]:
    """The store, read-only, with the limits of ``/sparql``: timeout, memory, row cap,
    SERVICE policy (:mod:`kg.sparql.execution`)."""
    with opened(settings) as store:
        executor = Executor(store, settings)
        try:
            yield executor
        finally:
            executor.close()


def _choice(fmt_name: str) -> dict[str, formats.Format | Exception]:
    """What to answer in per result kind: the named format where it suits, else an error."""
    choice: dict[str, formats.Format | Exception] = {}
    for kind, transport in TRANSPORT.items():
        if fmt_name == "table":
            choice[kind] = transport
        elif formats.BY_NAME[fmt_name].kind == kind:
            choice[kind] = formats.BY_NAME[fmt_name]
        else:
            names = ", ".join(f.name for f in formats.formats_for(kind))
            choice[kind] = CliError(
                f"--format {fmt_name} does not suit this query; use one of: {names}"
            )
    return choice


def run_and_print(settings: Settings, text: str, fmt_name: str, *, width: int = 60) -> None:
    """Run ``text`` under every limit; print it as a table or in a format that suits it."""
    with executor_for(settings) as executor:
        outcome = executor.run(text, _choice(fmt_name))
    if fmt_name == "table":
        page = Page.decode(
            "query",
            outcome.kind,
            outcome.body,
            total=outcome.total,
            limit=settings.max_rows,
            offset=0,
            truncated=outcome.truncated,
        )
        sys.stdout.write(page.table(max_width=width) + "\n")
    else:
        sys.stdout.buffer.write(outcome.body)
        sys.stdout.flush()
    if outcome.truncated:
        print(f"kg: note: the result was cut at KG_MAX_ROWS={settings.max_rows}", file=sys.stderr)


def cmd_query(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    text = Path(args.file).read_text(encoding="utf-8") if args.file else args.sparql
    if not text:
        raise CliError("give a query as an argument or with --file")
    run_and_print(settings, text, args.format)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    name = {"curation": "curation/worklist", "links": "curation/biotools_links"}[args.report]
    run_and_print(settings, query_text(settings, name), args.format, width=args.width)
    return 0


def cmd_queries_list(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    catalog = load_catalog(settings.queries_dir)
    if args.format == "json":
        print(json.dumps([q.to_dict() for q in catalog], indent=2, ensure_ascii=False))
        return 0
    rows = [
        (
            q.name,
            " ".join(f"{p.name}:{p.type}{'' if p.required else '?'}" for p in q.parameters),
            q.title,
        )
        for q in catalog
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(("name", "parameters"))]
    print(f"{'name':<{widths[0]}}  {'parameters':<{widths[1]}}  title")
    for name, params, title in rows:
        print(f"{name:<{widths[0]}}  {params:<{widths[1]}}  {title}")
    print(f"({len(rows)} queries; name:type? marks an optional parameter)")
    return 0


def cmd_queries_run(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    query = load_catalog(settings.queries_dir).query(args.name)
    given: dict[str, str] = {}
    for item in args.param:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise CliError(f"--param {item!r}: expected NAME=VALUE")
        if key in given:
            raise CliError(f"--param {key}: given twice")
        given[key] = value
    if args.offset < 0 or (args.limit is not None and not 0 <= args.limit <= settings.max_rows):
        raise CliError(f"--limit takes 0 to {settings.max_rows} and --offset 0 or more")
    try:
        bindings = query.bind(given)
    except ParameterError as exc:
        raise CliError(str(exc)) from None
    with executor_for(settings) as executor:
        page = run_page(executor, query, bindings, limit=args.limit, offset=args.offset)
    if args.format == "table":
        print(page.table(max_width=args.width))
        if page.kind != "boolean" and (page.offset or page.total != len(page.rows)):
            total = page.total if page.total is not None else f"more than {settings.max_rows}"
            first = page.offset + 1 if page.rows else page.offset
            print(f"(rows {first}-{page.offset + len(page.rows)} of {total})")
    elif args.format == "json":
        print(json.dumps(page.document(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.buffer.write(page.serialize(formats.BY_NAME[args.format]))
        sys.stdout.flush()
    return 0


def _add_query(sub) -> None:
    q = sub.add_parser("query", help="run a SPARQL query against the store")
    q.add_argument("sparql", nargs="?", help="the query text")
    q.add_argument("--file", help="read the query from a file")
    q.add_argument("--format", default="table", choices=["table", *formats.BY_NAME])
    q.set_defaults(func=cmd_query)


def _add_report(sub) -> None:
    rp = sub.add_parser("report", help="reports: 'curation' (editors' worklist), 'links'")
    rp.add_argument("report", choices=["curation", "links"])
    rp.add_argument("--format", default="table", choices=["table", "json", "csv", "tsv"])
    rp.add_argument("--width", type=int, default=120, help="column width in tables")
    rp.set_defaults(func=cmd_report)


def _add_queries(sub) -> None:
    qs = sub.add_parser("queries", help="the named queries of queries/: list them, run one")
    qsub = qs.add_subparsers(dest="action", required=True, metavar="ACTION")
    ql = qsub.add_parser("list", help="every named query with its parameters and title")
    ql.add_argument("--format", default="table", choices=["table", "json"])
    ql.set_defaults(func=cmd_queries_list)
    qr = qsub.add_parser("run", help="run a named query with typed parameters")
    qr.add_argument("name", help="the query's name, e.g. rdmkit/resources_for_stage")
    qr.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter value"
    )
    qr.add_argument("--format", default="table", choices=["table", "json", "csv", "tsv"])
    qr.add_argument("--limit", type=int, help="at most this many rows (default: KG_MAX_ROWS)")
    qr.add_argument("--offset", type=int, default=0, help="skip this many rows first")
    qr.add_argument("--width", type=int, default=60, help="column width in tables")
    qr.set_defaults(func=cmd_queries_run)


#: The commands of this module, each with the function that adds its parser.
COMMANDS = {"query": _add_query, "report": _add_report, "queries": _add_queries}
