"""``kg validate``: a steward's document checked against a profile (:mod:`kg.validation`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.common import CliError, opened, settings_of
from loaders.yaml_documents import read_yaml_document


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a document (kg.validation.checker): exit 0 conforms, 1 violations, 2 error."""
    from kg.errors import ValidationTimeout
    from kg.validation.checker import Service
    from kg.validation.contribution import offer
    from kg.validation.documents import DocumentError, format_from_name
    from kg.validation.profiles import UnknownProfile
    from kg.validation.reports import Report

    settings = settings_of(args)
    path = Path(args.file)
    text = _read(path)
    fmt = args.input_format or format_from_name(path.name)
    if fmt is None:
        raise CliError(f"{path}: unknown format; give --input-format")
    service = Service(settings, read_yaml=read_yaml_document)
    rdmkit = None  # the RDMkit tool-list entry offered (kg.validation.contribution)
    try:
        if args.shapes:
            outcome = _with_shapes(service, args, text, fmt, str(path))
        elif args.base:
            raise CliError("--base is the base IRI of your own shapes and document: give --shapes")
        elif args.in_context:
            with opened(settings) as store:
                outcome = service.validate_text(
                    text, fmt, str(path), profile=args.profile, store=store, in_context=True
                )
                rdmkit = offer(outcome, store)
        else:
            outcome = service.validate_text(text, fmt, str(path), profile=args.profile)
            rdmkit = offer(outcome, None)
    except (DocumentError, UnknownProfile, ValidationTimeout) as exc:
        raise CliError(str(exc)) from None
    limit = args.limit if args.limit is not None else settings.validate_max_findings
    sys.stdout.write(Report(outcome, limit, rdmkit).render(args.format))
    sys.stdout.flush()
    return 0 if outcome.result.conforms else 1


def _read(path: Path) -> str:
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 (byte {exc.start})") from None


def _with_shapes(service, args: argparse.Namespace, text: str, fmt: str, name: str):
    """The document validated against the shapes of ``--shapes`` (kg.validation.custom)."""
    from kg.validation.custom import read_shapes, validate_with_shapes
    from kg.validation.documents import format_from_name

    if args.profile or args.in_context:
        raise CliError(
            "--shapes replaces the profile and judges the document alone: "
            "leave out --profile and --in-context"
        )
    path = Path(args.shapes)
    shapes_text = _read(path)
    shapes_fmt = args.shapes_format or format_from_name(path.name) or "turtle"
    settings = service.settings
    shapes = read_shapes(shapes_text, shapes_fmt, str(path), settings, base=args.base)
    return validate_with_shapes(service, shapes, text, fmt, name, timeout=settings.validate_timeout)


def _add_validate(sub) -> None:
    v = sub.add_parser(
        "validate",
        help="validate a document (RDF, a YAML catalogue entry or an RDMkit tool-list entry) "
        "against a profile",
    )
    v.add_argument("file")
    v.add_argument("--profile", help="toolkit-resource, node, business-model, … (default: all)")
    v.add_argument(
        "--in-context",
        action="store_true",
        help="judged against the store's graph (a record replaces its description there)",
    )
    v.add_argument("--format", default="text", choices=["text", "json", "csv", "turtle", "jsonld"])
    v.add_argument(
        "--input-format",
        choices=["turtle", "trig", "ntriples", "nquads", "rdfxml", "jsonld", "yaml"],
        help="the document's format (default: from its extension)",
    )
    v.add_argument("--shapes", help="your own SHACL shapes file: validate against it instead")
    v.add_argument(
        "--shapes-format",
        choices=["turtle", "trig", "ntriples", "nquads", "rdfxml", "jsonld"],
        help="the shapes' format (default: from the extension, else turtle)",
    )
    v.add_argument("--base", help="base IRI of relative IRIs (document and --shapes)")
    v.add_argument(
        "--limit", type=int, help="most findings shown (default KG_VALIDATE_MAX_FINDINGS)"
    )
    v.set_defaults(func=cmd_validate)


#: The commands of this module, each with the function that adds its parser.
COMMANDS = {"validate": _add_validate}
