"""Validation speed: the stewards' service (kg.validation.checker) beside a plain whole-graph pySHACL run.

Three workloads, each measured both ways in the same run, on the same data:

1. **one record in context**: a business model (data/business-models/example-central.yaml,
   converted by the loader) validated in context — the service validates its focus nodes
   and their neighbourhood; the plain run validates the whole graph plus the record;
2. **100 records in context**: 100 impact observations (Turtle) citing the graph's
   indicators and Nodes, likewise;
3. **the whole graph**: every triple of the store, validated as one standalone document
   by the service, and by plain pySHACL.

The graph is built with the project's loaders from ``../shared/data`` (every source,
bio.tools and EDAM included; ``--tiny``: ontology, shapes and catalogues only, no
warm-up run). The plain run is ``pyshacl.validate`` with the profile's shapes on the data graph
with the ontology mixed in (as kg.validation does), everything parsed beforehand. Figures
are the median (min–max) of ``--runs`` runs (default 5) in milliseconds.

4. **a served record in context**: a real toolkit resource as its IRI serves it (Turtle),
   submitted unchanged, as a steward checking an edit would;
5. **your own shapes**: :mod:`bench.validation_custom` (documents of 10, 100 and 1,000 nodes
   against a small shapes graph), the service against pySHACL run directly.

``--workloads`` picks some of them by name (``one``, ``hundred``, ``whole``, ``record``,
``custom``; default all):
e.g. ``--workloads one hundred`` skips the whole-graph document, whose service run takes
tens of seconds (each workload still has its own plain whole-graph run beside it).

    .venv/bin/python -m bench.validation [--tiny] [--runs N] [--workloads one hundred whole]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import pyshacl
from rdflib import Graph

from bench import validation_custom
from bench.common import REPO, SHARED_DATA, parser, print_machine, print_table, runs, spread, timed
from kg.settings import Settings
from kg.sparql.formats import BY_NAME, serialize
from kg.store import open_store
from kg.validation.checker import Service
from kg.validation.custom import read_shapes, validate_with_shapes
from kg.validation.profiles import get_profile
from kg.validation.shapes import Validator, to_rdflib
from loaders.pipeline import SOURCES, load
from loaders.yaml_documents import read_yaml_document

TINY_SOURCES = ("ontology", "shapes", "catalogues")
BUSINESS_MODEL = REPO / "data" / "business-models" / "example-central.yaml"
#: ``--workloads`` names: one record in context, 100 records in context, the whole graph, a
#: served record in context, your own shapes.
WORKLOADS = ("one", "hundred", "whole", "record", "custom")


def build(settings: Settings, tiny: bool):
    store = open_store("memory")
    validator = Validator(settings)
    for name in TINY_SOURCES if tiny else SOURCES:
        load(store, settings, name, validator=validator)
    return store


def observations(store, settings: Settings, n: int) -> str:
    """``n`` impact observations citing the graph's indicators and Nodes (Turtle)."""
    indicators = [
        r["i"].value
        for r in store.query(
            "SELECT ?i WHERE { ?i a <https://w3id.org/elixir-converge/ontology#ImpactIndicator> ;"
            " <https://w3id.org/elixir-converge/ontology#isExample> true } ORDER BY ?i"
        )
    ]
    nodes = [
        r["n"].value
        for r in store.query(
            "SELECT ?n WHERE { ?n a <https://w3id.org/elixir-converge/ontology#Node> } ORDER BY ?n"
        )
    ] or [settings.base_iri + "node/XX"]
    lines = [
        "@prefix ckg: <https://w3id.org/elixir-converge/ontology#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for k in range(n):
        obs = f"{settings.base_iri}impact/observation/bench/{k}"
        lines.append(
            f"<{obs}> a ckg:ImpactObservation ; ckg:indicator <{indicators[k % len(indicators)]}> ;"
            f" ckg:node <{nodes[k % len(nodes)]}> ; ckg:period <{obs}#period> ; ckg:value {k}.0 ;"
            f" ckg:isExample true ; dct:source <https://example.org/report/{k}> ."
        )
        lines.append(
            f'<{obs}#period> a dct:PeriodOfTime ; dcat:startDate "{2000 + k % 20}-01-01"^^xsd:date ;'
            f' dcat:endDate "{2000 + k % 20}-12-31"^^xsd:date .'
        )
    return "\n".join(lines) + "\n"


def plain(data: Graph, shapes: Graph) -> Callable[[], object]:
    def run() -> object:
        conforms, _, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
        return conforms

    return run


def measure(fn: Callable[[], object], n: int, warm_up: bool = True) -> list[float]:
    if warm_up:
        fn()  # profiles cached, imports done
    return [timed(fn)[0] for _ in range(n)]


def main(argv: Sequence[str] | None = None) -> int:
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument(
        "--workloads",
        nargs="+",
        choices=WORKLOADS,
        default=list(WORKLOADS),
        help="which workloads to run (default: all)",
    )
    args = cli.parse_args(argv)
    n = runs(args, 5)
    print_machine()
    settings = Settings.load({"store": "memory", "sources_dir": str(SHARED_DATA)}, environ={})
    store = build(settings, args.tiny)
    service = Service(settings, read_yaml=read_yaml_document)
    whole = to_rdflib(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    print(f"graph: {len(whole):,} triples{' (tiny)' if args.tiny else ''}", flush=True)
    records = 10 if args.tiny else 100
    workloads = [
        (
            "one",
            "one record in context",
            "business-model",
            BUSINESS_MODEL.read_text(),
            "yaml",
            True,
        ),
        (
            "hundred",
            f"{records} records in context",
            "impact-report",
            observations(store, settings, records),
            "turtle",
            True,
        ),
        (
            "record",
            "a served record in context",
            "all",
            served_record(store),
            "turtle",
            True,
        ),
        (
            "whole",
            "whole graph",
            "all",
            whole.serialize(format="nt") if "whole" in args.workloads else "",
            "ntriples",
            False,
        ),
    ]
    rows = []
    main.results = {}
    for key, title, profile, text, fmt, in_context in workloads:
        if key not in args.workloads or (key == "record" and not text):
            continue
        name = BUSINESS_MODEL.name if fmt == "yaml" else f"bench.{fmt}"
        outcome = service.validate_text(
            text, fmt, name, profile=profile, store=store, in_context=in_context
        )
        loaded = service.profiles.get(get_profile(profile))
        data = Graph()
        data += whole
        data += to_rdflib(outcome.document.triples)
        data += loaded.ontology
        ours = measure(
            lambda t=text, f=fmt, p=profile, c=in_context, nm=name: service.validate_text(
                t, f, nm, profile=p, store=store, in_context=c
            ),
            n,
            not args.tiny,
        )
        theirs = measure(plain(data, loaded.shapes), n, not args.tiny)
        main.results[title] = {
            "document triples": len(outcome.document.triples),
            "focus nodes": len(outcome.focus),
            "findings": len(outcome.result.findings),
        }
        rows.append(
            [
                title,
                f"{len(outcome.document.triples):,}",
                f"{len(outcome.focus):,}",
                f"{outcome.context_triples:,}",
                spread(ours, 1000, 0),
                f"{len(data):,}",
                spread(theirs, 1000, 0),
            ]
        )
    print_table(
        f"Validation ({'tiny' if args.tiny else 'full'} graph, {len(whole):,} triples, {n} runs)",
        [
            "workload",
            "document triples",
            "focus nodes",
            "context triples",
            "service ms",
            "plain data triples",
            "plain pySHACL ms",
        ],
        rows,
    )
    if "custom" in args.workloads:
        custom(service, settings, n, not args.tiny)
    return 0


def served_record(store) -> str:
    """Zenodo (or the first resource) as ``/resource/<id>`` serves it in Turtle; empty
    when the graph has no resource (``--tiny``)."""
    from kg.records.describe import describe

    iri = next(
        (
            r["r"]
            for r in store.query(
                "SELECT ?r WHERE { ?r a <https://w3id.org/elixir-converge/ontology#ToolkitResource> ;"
                ' <http://purl.org/dc/terms/identifier> ?id } ORDER BY DESC(?id = "zenodo") ?id'
                " LIMIT 1"
            )
        ),
        None,
    )
    if iri is None:
        return ""
    return serialize(describe(store, iri), BY_NAME["turtle"]).decode("utf-8")


def custom(service: Service, settings: Settings, n: int, warm_up: bool) -> None:
    shapes = read_shapes(validation_custom.SHAPES, "turtle", "shapes.ttl", settings)
    rows = []
    for size in (10, 100, 1000):
        text = validation_custom.document(size)
        outcome = validate_with_shapes(service, shapes, text, "turtle", "doc.ttl")
        ours = measure(
            lambda t=text: validate_with_shapes(service, shapes, t, "turtle", "doc.ttl"),
            n,
            warm_up,
        )
        shapes_graph, data = validation_custom.graphs(size)
        theirs = measure(plain(data, shapes_graph), n, warm_up)
        rows.append(
            [
                f"{size:,} nodes",
                f"{len(outcome.document.triples):,}",
                f"{len(outcome.result.findings):,}",
                spread(ours, 1000, 0),
                spread(theirs, 1000, 0),
            ]
        )
    print_table(
        f"Your own shapes ({n} runs)",
        ["document", "triples", "findings", "service ms", "plain pySHACL ms"],
        rows,
    )


if __name__ == "__main__":
    sys.exit(main())
