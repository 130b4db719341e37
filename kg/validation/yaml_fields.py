"""Where a finding is written in a YAML catalogue entry: the field path and its line.

A YAML document (a business model, an impact report, a maturity assessment, the Nodes
file, an RDMkit tool entry) becomes triples through its loader; a finding about one of them
is found again in the YAML by its value: the first scalar, from the entry's line on, that
is the value or the last segment of the value's IRI (``XX`` of ``…/node/XX``, ``archiving``
of ``ckg:archiving``). Its path is written the way the loaders name fields in their own
errors: ``funding_sources[2].type`` (list items numbered from 1).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import yaml

_LAST_SEGMENT = re.compile(r"[#/]")


def _scalars(node: yaml.Node, path: str) -> Iterator[tuple[str, str, int]]:
    """(field path, value, line) of every scalar under ``node``, in document order."""
    stack: list[tuple[yaml.Node, str]] = [(node, path)]
    while stack:  # bounded by the document's nodes
        current, where = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            yield where, current.value, current.start_mark.line + 1
        elif isinstance(current, yaml.MappingNode):
            children = [
                (value, f"{where}.{key.value}" if where else str(key.value))
                for key, value in current.value
            ]
            stack.extend(reversed(children))
        elif isinstance(current, yaml.SequenceNode):
            children = [(item, f"{where}[{i}]") for i, item in enumerate(current.value, 1)]
            stack.extend(reversed(children))


def _matches(scalar: str, value: str) -> bool:
    return scalar == value or (bool(scalar) and _LAST_SEGMENT.split(value)[-1] == scalar)


@functools.lru_cache(maxsize=4)
def _fields(text: str) -> tuple[tuple[str, str, int], ...]:
    """Every scalar of a YAML text, composed once per text (a report asks for each finding)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return ()  # the loader read it; a document it could not compose has no fields
    return tuple(_scalars(root, "")) if root is not None else ()


def yaml_field(text: str, start: int | None, value: str | None) -> tuple[str, int] | None:
    """(field path, line) of the offending value in a YAML text, from line ``start`` on."""
    if not text or value is None:
        return None
    for path, scalar, line in _fields(text):
        if line >= (start or 1) and _matches(scalar, value):
            return path, line
    return None
