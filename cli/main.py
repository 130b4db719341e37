"""The ``kg`` command line: the same operations as the API, from a terminal.

Errors are one line on stderr and a non-zero exit (2; ``kg validate`` exits 1
when the data violates the shapes), never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from kg.errors import QuerySyntaxError, QueryTimeout, QueryTooLarge, ServiceRefused, StoreError
from kg.namespaces import Iris
from kg.progress import Progress
from kg.queries.catalog import CatalogError, load_catalog
from kg.queries.files import UnknownQuery, query_text
from kg.queries.pages import TRANSPORT, Page, run_page
from kg.queries.parameters import ParameterError
from kg.settings import SETTINGS, Settings, SettingsError
from kg.sparql import formats
from kg.sparql.execution import Executor
from kg.store import backup, open_store
from kg.store.backup import BackupError, write_atomically
from kg.store.base import Store
from kg.validation.shapes import ShapesError, Validator, to_rdflib
from loaders.common import LoadError
from loaders.pipeline import SOURCES, ValidationFailed, load, load_rdf
from loaders.yaml_documents import read_yaml_document

#: Sources loaded by ``kg build``, in order (the ontology and shapes first).
BUILD_SOURCES = tuple(SOURCES)


class CliError(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"store": args.store} if args.store else {}
    return Settings.load(overrides)


@contextlib.contextmanager
def _opened(settings: Settings, *, write: bool = False) -> Iterator[Store]:
    """The configured store, read-only unless the command writes; closed afterwards."""
    store = open_store(
        settings.store, read_only=not write and settings.store != "memory", settings=settings
    )
    try:
        yield store
    finally:
        store.close()


@contextlib.contextmanager
def _executor(settings: Settings) -> Iterator[Executor]:
    """The store, read-only, with the limits of ``/sparql``: timeout, memory, row cap,
    SERVICE policy (:mod:`kg.sparql.execution`)."""
    with _opened(settings) as store:
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


def _run_and_print(settings: Settings, text: str, fmt_name: str, *, width: int = 60) -> None:
    """Run ``text`` under every limit; print it as a table or in a format that suits it."""
    with _executor(settings) as executor:
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


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    progress = Progress(len(BUILD_SOURCES) * 3, enabled=settings.progress)
    validator = Validator(settings)
    with _opened(settings, write=True) as store, contextlib.closing(progress):
        for name in BUILD_SOURCES:
            report = load(
                store, settings, name, validator=validator, force=args.force, progress=progress.step
            )
            progress.close()
            print(report.summary(), flush=True)
            if args.verbose:
                _print_issues(report.issues)
        print(_link_summary(store, settings))
    print(f"store {settings.store}: built from {len(BUILD_SOURCES)} sources")
    return 0


def _link_summary(store, settings: Settings) -> str:
    rows = list(store.query(query_text(settings, "curation/biotools_links")))
    resolved = sum(1 for r in rows if r["resolves"].value == "true")
    return f"bio.tools links: {resolved} of {len(rows)} resolve (kg report links lists them)"


def cmd_load(args: argparse.Namespace) -> int:
    settings = _settings(args)
    progress = Progress(3, enabled=settings.progress)
    with _opened(settings, write=True) as store, contextlib.closing(progress):
        if args.source == "rdf":
            if not args.path or not args.graph:
                raise CliError("kg load rdf FILE --graph IRI: both are required")
            report = load_rdf(
                store, settings, args.path, args.graph, force=args.force, progress=progress.step
            )
        else:
            if args.graph:
                raise CliError("--graph goes with 'kg load rdf' only")
            report = load(
                store, settings, args.source, args.path, force=args.force, progress=progress.step
            )
    print(report.summary())
    if report.validation and report.validation.warnings:
        _print_findings(report.validation.warnings)
    if args.report:
        Path(args.report).write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    if args.verbose:
        _print_issues(report.issues)
    return 0


def _print_findings(findings) -> None:
    for f in findings:
        where = f" {f.path}" if f.path else ""
        value = f" = {f.value}" if f.value else ""
        print(f"  {f.severity}: {f.focus}{where}{value}: {f.message}", file=sys.stderr)


def _print_issues(issues) -> None:
    for issue in issues:
        print(f"  {issue.kind}: {issue.where}: {issue.message}")


def cmd_query(args: argparse.Namespace) -> int:
    settings = _settings(args)
    text = Path(args.file).read_text(encoding="utf-8") if args.file else args.sparql
    if not text:
        raise CliError("give a query as an argument or with --file")
    _run_and_print(settings, text, args.format)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a document (kg.validation.checker): exit 0 conforms, 1 violations, 2 error."""
    from kg.validation.checker import Service, ValidationTimeout
    from kg.validation.documents import DocumentError, format_from_name
    from kg.validation.profiles import UnknownProfile
    from kg.validation.reports import Report

    settings = _settings(args)
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    fmt = args.input_format or format_from_name(path.name)
    if fmt is None:
        raise CliError(f"{path}: unknown format; give --input-format")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 (byte {exc.start})") from None
    service = Service(settings, read_yaml=read_yaml_document)
    try:
        if args.in_context:
            with _opened(settings) as store:
                outcome = service.validate_text(
                    text, fmt, str(path), profile=args.profile, store=store, in_context=True
                )
        else:
            outcome = service.validate_text(text, fmt, str(path), profile=args.profile)
    except (DocumentError, UnknownProfile, ValidationTimeout) as exc:
        raise CliError(str(exc)) from None
    limit = args.limit if args.limit is not None else settings.validate_max_findings
    sys.stdout.write(Report(outcome, limit).render(args.format))
    sys.stdout.flush()
    return 0 if outcome.result.conforms else 1


def cmd_dump(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _opened(settings) as store:
        if args.output and args.output != "-":
            write_atomically(Path(args.output), store.dump, force=args.force)
        else:
            store.dump(sys.stdout.buffer)
            sys.stdout.flush()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _opened(settings) as store:
        manifest = backup.backup(store, Path(args.directory), location=settings.store)
    print(
        f"backed up {manifest['quads']} quads in {len(manifest['graphs'])} graphs to "
        f"{args.directory} (sha256 {manifest['sha256'][:16]}…)"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if Path(args.input).is_dir():  # a backup made by kg backup
        with _opened(settings, write=True) as store:
            manifest = backup.restore(store, Path(args.input), force=args.force)
        print(
            f"restored {manifest['quads']} quads from the backup {args.input} into {settings.store}"
        )
        return 0
    with _opened(settings, write=True) as store, open(args.input, "rb") as inp:
        try:
            n = store.restore(inp, force=args.force)
        except SyntaxError as exc:
            raise CliError(f"{args.input}: not valid N-Quads: {exc}") from None
    print(f"restored {n} quads into {settings.store}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from api import create_app

    overrides = {
        k: v for k, v in (("store", args.store), ("host", args.host), ("port", args.port)) if v
    }
    settings = Settings.load(overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
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
    settings = _settings(args)
    with _opened(settings) as store:
        status = {
            row["graph"].value: row
            for row in store.query(query_text(settings, "admin/list_sources"))
        }
    iris = Iris(settings.base_iri)
    print(f"{'source':<11} {'last load':<26} {'triples':>8}  {'status':<32} location")
    for source in SOURCES.values():
        try:
            location = source.default_location(settings)
        except LoadError as exc:
            location = f"(unavailable: {exc})"
        row = status.get(iris.graph(source.name).value)
        if row is None:
            when, triples, state = "never", "-", "not loaded"
        else:
            when, triples = row["loaded"].value, row["triples"].value
            state = "loaded"
            if row["violations"] is not None:
                state += f", {row['warnings'].value} warnings"
            if row["issues"] is not None and int(row["issues"].value):
                state += f", {row['issues'].value} quirks"
        print(f"{source.name:<11} {when:<26} {triples:>8}  {state:<32} {location}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate every validated source's graph, together, against the shapes."""
    settings = _settings(args)
    iris = Iris(settings.base_iri)
    graphs = [iris.graph(s.name) for s in SOURCES.values() if s.validate]
    with _opened(settings) as store:
        present = set(store.named_graphs())
        missing = [g.value for g in graphs if g not in present]
        triples = list(
            store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=graphs)
        )
    validator = Validator(settings)
    result = validator.validate(to_rdflib(triples))
    counts: dict[str, Counter[str]] = {shape: Counter() for shape in validator.shape_names()}
    for f in result.findings:
        counts.setdefault(f.shape or "?", Counter())[f.severity] += 1
    print(f"{'violations':>10} {'warnings':>8} {'infos':>6}  shape")
    for shape, c in sorted(counts.items()):
        print(f"{c['Violation']:>10} {c['Warning']:>8} {c['Info']:>6}  {shape}")
    for f in result.violations:
        print(f"Violation: {f.focus} {f.path or ''}: {f.message}")
    if missing:
        print(f"not loaded: {', '.join(missing)}")
    verdict = "conforms" if result.conforms else "does not conform"
    print(
        f"{len(triples)} triples in {len(graphs) - len(missing)} graphs: {verdict} ({result.summary()})"
    )
    return 0 if result.conforms else 1


def cmd_report(args: argparse.Namespace) -> int:
    settings = _settings(args)
    name = {"curation": "curation/worklist", "links": "curation/biotools_links"}[args.report]
    _run_and_print(settings, query_text(settings, name), args.format, width=args.width)
    return 0


def cmd_queries_list(args: argparse.Namespace) -> int:
    settings = _settings(args)
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
    settings = _settings(args)
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
    with _executor(settings) as executor:
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
    b.add_argument("--force", action="store_true", help="reload sources even if unchanged")
    b.set_defaults(func=cmd_build)

    ld = sub.add_parser(
        "load", help="load one source (kg load rdmkit PATH | kg load rdf FILE --graph IRI)"
    )
    ld.add_argument("source", choices=[*SOURCES, "rdf"])
    ld.add_argument(
        "path", nargs="?", help="a path or URL (default: the source's configured location)"
    )
    ld.add_argument("--graph", help="with 'rdf': the named graph to replace")
    ld.add_argument("--force", action="store_true", help="reload even if unchanged")
    ld.add_argument("--report", help="write the load report as JSON to this file")
    ld.add_argument("-v", "--verbose", action="store_true", help="list every source quirk")
    ld.set_defaults(func=cmd_load)

    q = sub.add_parser("query", help="run a SPARQL query against the store")
    q.add_argument("sparql", nargs="?", help="the query text")
    q.add_argument("--file", help="read the query from a file")
    q.add_argument("--format", default="table", choices=["table", *formats.BY_NAME])
    q.set_defaults(func=cmd_query)

    v = sub.add_parser(
        "validate", help="validate a document (RDF or a YAML catalogue entry) against a profile"
    )
    v.add_argument("file")
    v.add_argument("--profile", default="all", help="toolkit-resource, node, business-model, …")
    v.add_argument("--in-context", action="store_true", help="as if added to the store's graph")
    v.add_argument("--format", default="text", choices=["text", "json", "csv", "turtle", "jsonld"])
    v.add_argument(
        "--input-format",
        choices=["turtle", "trig", "ntriples", "nquads", "rdfxml", "jsonld", "yaml"],
        help="the document's format (default: from its extension)",
    )
    v.add_argument(
        "--limit", type=int, help="most findings shown (default KG_VALIDATE_MAX_FINDINGS)"
    )
    v.set_defaults(func=cmd_validate)

    d = sub.add_parser("dump", help="write the whole store as N-Quads")
    d.add_argument("output", nargs="?", help="file to write (default: stdout)")
    d.add_argument("--force", action="store_true", help="replace an existing file")
    d.set_defaults(func=cmd_dump)

    bk = sub.add_parser("backup", help="write a backup directory (N-Quads dump + manifest)")
    bk.add_argument("directory", help="a new directory to create")
    bk.set_defaults(func=cmd_backup)

    r = sub.add_parser(
        "restore", help="load an N-Quads dump or a kg backup directory into an empty store"
    )
    r.add_argument("input", help="an N-Quads file, or a directory written by kg backup")
    r.add_argument("--force", action="store_true", help="replace a non-empty store")
    r.set_defaults(func=cmd_restore)

    s = sub.add_parser("serve", help="serve the API")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.set_defaults(func=cmd_serve)

    st = sub.add_parser("settings", help="show every setting, its value and origin")
    st.set_defaults(func=cmd_settings)

    so = sub.add_parser("sources", help="list the sources with location, last load, status")
    so.set_defaults(func=cmd_sources)

    c = sub.add_parser("check", help="validate the whole built graph; per-shape summary")
    c.set_defaults(func=cmd_check)

    rp = sub.add_parser("report", help="reports: 'curation' (editors' worklist), 'links'")
    rp.add_argument("report", choices=["curation", "links"])
    rp.add_argument("--format", default="table", choices=["table", "json", "csv", "tsv"])
    rp.add_argument("--width", type=int, default=120, help="column width in tables")
    rp.set_defaults(func=cmd_report)

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
