"""The query files in ``queries/`` (``<area>/<verb_noun>.rq``): all SPARQL text lives there."""

from __future__ import annotations

import functools
from pathlib import Path

from kg.settings import Settings


class UnknownQuery(LookupError):
    pass


def query_text(settings: Settings, name: str) -> str:
    """The text of ``queries/<name>.rq`` (``name`` like ``curation/worklist``).

    Read once per process: the files are part of the installation, and handlers
    such as ``/.well-known/void`` ask for the same ones on every request.
    """
    return _read(settings.queries_dir, name)


@functools.lru_cache(maxsize=256)
def _read(queries_dir: str, name: str) -> str:
    root = Path(queries_dir).resolve()
    path = (root / f"{name}.rq").resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise UnknownQuery(f"no query named {name!r} in {root}")
    return path.read_text(encoding="utf-8")
