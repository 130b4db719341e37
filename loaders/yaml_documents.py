"""The YAML catalogue documents a steward may validate, read by the loaders' own code.

:func:`read_yaml_document` is the :data:`kg.validation.documents.YamlReader` that the API
and the CLI give the validation service: one document of a catalogue (a business model,
an impact report, a maturity assessment, the Nodes file, one entry of RDMkit's tool list)
is converted exactly as ``kg build`` converts it, and what cannot be read is a
:class:`~kg.validation.documents.DocumentError` naming the file, the line and the field.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import Iris
from kg.settings import Settings
from kg.validation.documents import DocumentError
from loaders import catalogues, maturity, nodes, rdmkit_resources
from loaders.common import LoadError, SourceData


def _converted(data: SourceData) -> tuple[list[ox.Triple], dict[str, int]]:
    return list(dict.fromkeys(data.triples)), dict(data.lines)


def read_yaml_document(
    text: str,
    kind: str | None,
    name: str,
    settings: Settings,
    known_indicators: dict[str, tuple[ox.NamedNode, bool]] | None = None,
) -> tuple[list[ox.Triple], dict[str, int]]:
    """A YAML catalogue document converted by its loader (``kind``: the profile's format)."""
    iris = Iris(settings.base_iri)
    try:
        if kind == "business-model":
            return _converted(catalogues.read_business_model_text(text, name, iris))
        if kind == "impact":
            return _converted(catalogues.read_impact_text(text, name, iris, known_indicators))
        if kind == "maturity-assessment":
            model = Path(settings.sources_dir) / "rdm-maturity-model" / "maturity_model.json"
            return _converted(maturity.read_assessment_text(text, name, model, iris))
        if kind == "nodes":
            return _converted(nodes.read_nodes_text(text, name, iris))
        if kind == "rdmkit-tool":
            return _converted(rdmkit_resources.read_entry_text(text, name, iris))
    except LoadError as exc:
        raise DocumentError(str(exc)) from None
    raise DocumentError(
        f"{name}: YAML is read as a catalogue document: choose the profile toolkit-resource, "
        "business-model, impact-report, maturity-assessment or node"
    )
