"""``kg build``, ``kg load``, ``kg sources``, ``kg check``: the graph filled from its sources."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections import Counter
from pathlib import Path

from cli.common import CliError, opened, settings_of
from kg.namespaces import Iris
from kg.progress import Progress
from kg.queries.files import query_text
from kg.settings import Settings
from kg.validation.shapes import Validator, to_rdflib
from loaders.common import LoadError
from loaders.pipeline import SOURCES, load, load_rdf

#: Sources loaded by ``kg build``, in order (the ontology and shapes first).
BUILD_SOURCES = tuple(SOURCES)


def cmd_build(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    progress = Progress(len(BUILD_SOURCES) * 3, enabled=settings.progress)
    validator = Validator(settings)
    with opened(settings, write=True) as store, contextlib.closing(progress):
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
    settings = settings_of(args)
    progress = Progress(3, enabled=settings.progress)
    with opened(settings, write=True) as store, contextlib.closing(progress):
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


def cmd_sources(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    with opened(settings) as store:
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
    settings = settings_of(args)
    iris = Iris(settings.base_iri)
    graphs = [iris.graph(s.name) for s in SOURCES.values() if s.validate]
    with opened(settings) as store:
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


def _add_build(sub) -> None:
    b = sub.add_parser("build", help="load every configured source into the store")
    b.add_argument("-v", "--verbose", action="store_true", help="list every source quirk")
    b.add_argument("--force", action="store_true", help="reload sources even if unchanged")
    b.set_defaults(func=cmd_build)


def _add_load(sub) -> None:
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


def _add_sources(sub) -> None:
    so = sub.add_parser("sources", help="list the sources with location, last load, status")
    so.set_defaults(func=cmd_sources)


def _add_check(sub) -> None:
    c = sub.add_parser("check", help="validate the whole built graph; per-shape summary")
    c.set_defaults(func=cmd_check)


#: The commands of this module, each with the function that adds its parser.
COMMANDS = {"build": _add_build, "load": _add_load, "sources": _add_sources, "check": _add_check}
