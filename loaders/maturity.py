"""The ELIXIR RDM maturity model (elixir-europe/rdm-maturity-model) and assessments.

Reads ``maturity_model.json`` (the model, its domains, indicators, ordered levels and
weights: loaders/maturity_model.py, which reports the model's quirks as issues) and,
optionally, assessment files (``*.yaml`` of a folder, ``TEMPLATE*`` skipped; format in
docs/catalogues.md: loaders/maturity_assessments.py) into one named graph, following
docs/model.md. An unreadable model or assessment is a :class:`LoadError` naming the
file, the line and the field.
"""

from __future__ import annotations

from pathlib import Path

from kg.namespaces import Iris
from loaders.catalogue_format import catalogue_files, entry_from_text, file_key
from loaders.common import LoadError, SourceData, checksum
from loaders.maturity_assessments import AssessmentReader


def read(
    model_json: str | Path, iris: Iris, assessments_dir: str | Path | None = None
) -> SourceData:
    """Read the maturity model JSON (and the assessments of a folder) into triples."""
    path = Path(model_json)
    reader = _read_model(path, iris)
    files: list[Path] = []
    if assessments_dir is not None:
        folder = Path(assessments_dir)
        if not folder.is_dir():
            raise LoadError(f"{folder}: not a directory (expected maturity assessments)")
        files = catalogue_files(folder)
        for file in files:
            reader.assessment(file, folder)
    # a checksum of the model file and the assessment files (names and contents)
    return reader.source_data("maturity", str(path.resolve()), checksum([path, *sorted(files)]))


def read_assessment_text(text: str, name: str, model_json: str | Path, iris: Iris) -> SourceData:
    """One assessment document (``name``: its file name, which is its id), as triples.

    The model is read to resolve the ratings' indicators and levels, but only the
    assessment's own triples are returned (the model is in the graph already).
    """
    reader = _read_model(Path(model_json), iris)
    model_triples = len(reader.out.items)
    reader.assessment_entry(entry_from_text(text, name), file_key(name, name, "assessment"))
    data = reader.source_data("maturity", name, "")
    data.triples = data.triples[model_triples:]
    return data


def _read_model(path: Path, iris: Iris) -> AssessmentReader:
    """A reader that has read the model at ``path`` (a missing file is a LoadError)."""
    if not path.is_file():
        raise LoadError(f"{path}: no such file (expected the RDM maturity model JSON)")
    reader = AssessmentReader(path, iris)
    reader.model()
    return reader
