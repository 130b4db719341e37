"""Curated catalogues: business models of national data-management support and impact.

Reads ``business-models/*.yaml`` and ``impact/*.yaml`` under a data directory (the
project's ``data/``; files named ``TEMPLATE*`` are skipped) into one named graph,
following docs/catalogues.md (the format) and docs/model.md (the graph). No public
structured catalogue of the CONVERGE business models or Node impact indicators
exists: the shipped entries are labelled examples (``example: true`` →
``ckg:isExample true``), never ELIXIR facts.

Every problem of a catalogue file is a :class:`LoadError` naming the file, the line
and the field, and for a closed list (funding source types, service delivery models,
canvas blocks, impact categories, logic-model stages) the allowed values, which are
the ``skos:notation`` of the concepts in ontology/schemes.ttl. The file format is read
by loaders/catalogue_format.py (shared with loaders/maturity_assessments.py), business
models by loaders/business_models.py and impact by loaders/impact.py.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import Iris
from loaders.business_models import (
    CANVAS_BLOCKS,
    FUNDING_SOURCE_TYPES,
    SERVICE_DELIVERY_MODELS,
    BusinessModelReader,
)
from loaders.catalogue_format import (
    Entry,
    catalogue_files,
    entry_from_text,
    file_key,
    read_entry,
)
from loaders.common import Collector, LoadError, SourceData, relative_where, source_version
from loaders.impact import (
    IMPACT_CATEGORIES,
    LOGIC_MODEL_STAGES,
    ImpactReader,
    checked_impact_entry,
)

BUSINESS_MODELS = "business-models"
IMPACT = "impact"

#: scheme → its notations, for docs and tests (compared with ontology/schemes.ttl).
SCHEMES = {
    "FundingSourceTypeScheme": FUNDING_SOURCE_TYPES,
    "ServiceDeliveryModelScheme": SERVICE_DELIVERY_MODELS,
    "CanvasBlockScheme": CANVAS_BLOCKS,
    "ImpactCategoryScheme": IMPACT_CATEGORIES,
    "LogicModelStageScheme": LOGIC_MODEL_STAGES,
}


def read(directory: str | Path, iris: Iris) -> SourceData:
    """Read ``business-models/`` and ``impact/`` of a data directory into triples."""
    root = Path(directory)
    if not root.is_dir():
        raise LoadError(f"{root}: not a directory (expected the catalogue data folder)")
    collector = Collector()
    models = BusinessModelReader(collector, iris)
    impact = ImpactReader(collector, iris)
    bm_files = catalogue_files(root / BUSINESS_MODELS)
    impact_files = catalogue_files(root / IMPACT)
    for path in bm_files:
        entry = _top(path, root)
        models.read(entry, file_key(path, entry.where, "business model"))
    impact_docs = [checked_impact_entry(_top(path, root)) for path in impact_files]
    for doc in impact_docs:
        impact.indicators(doc)
    for doc in impact_docs:
        impact.observations(doc)
    files = [*bm_files, *impact_files]
    return collector.source_data("catalogues", str(root.resolve()), source_version(root, files))


def read_business_model_text(text: str, name: str, iris: Iris) -> SourceData:
    """One business-model document (its text; ``name`` is its file name, which is its id)."""
    collector = Collector()
    entry = entry_from_text(text, name)
    BusinessModelReader(collector, iris).read(entry, file_key(name, name, "business model"))
    return collector.source_data("catalogues", name, "")


def read_impact_text(
    text: str,
    name: str,
    iris: Iris,
    known_indicators: dict[str, tuple[ox.NamedNode, bool]] | None = None,
) -> SourceData:
    """One impact document; its observations may also cite ``known_indicators``.

    ``known_indicators`` (id → (IRI, is an example)) are indicators defined elsewhere,
    e.g. already in the graph; an indicator the document defines itself takes precedence.
    """
    collector = Collector()
    impact = ImpactReader(collector, iris)
    for key, (node, example) in (known_indicators or {}).items():
        impact.known_indicators[key] = (node, example, "the graph")
    entry = checked_impact_entry(entry_from_text(text, name))
    impact.indicators(entry)
    impact.observations(entry)
    return collector.source_data("catalogues", name, "")


def _top(path: Path, root: Path) -> Entry:
    """The top mapping of a catalogue file, named relative to the data directory."""
    return read_entry(path, relative_where(path, root))
