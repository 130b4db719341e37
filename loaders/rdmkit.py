"""RDMkit: the tool and resource list and every page, as one named graph.

Reads an RDMkit checkout (``_data/tool_and_resource_list.yml``: loaders/rdmkit_resources.py,
and ``pages/**.md``: loaders/rdmkit_pages.py) and returns triples following docs/model.md.
Every quirk of the source is reported as an :class:`Issue` (duplicates, ``NA`` registry
values, dangling references, stray keys, malformed URLs); malformed YAML is a
:class:`LoadError` naming file, line and column. The store is never touched here.
"""

from __future__ import annotations

from pathlib import Path

from kg.namespaces import Iris
from loaders.common import LoadError, SourceData, source_version
from loaders.rdmkit_pages import PAGES, PageReader
from loaders.rdmkit_resources import TOOL_LIST


def read(root: str | Path, iris: Iris) -> SourceData:
    """Read an RDMkit checkout at ``root`` into triples for the rdmkit graph."""
    root = Path(root)
    tool_file = root / TOOL_LIST
    if not tool_file.is_file():
        raise LoadError(f"{root}: not an RDMkit checkout ({TOOL_LIST} is missing)")
    page_files = sorted(
        p for p in (root / PAGES).rglob("*.md") if not p.name.startswith("TEMPLATE_")
    )
    reader = PageReader(root, iris)
    reader.read_tools(tool_file)
    pages = [reader.parse_page(p) for p in page_files]
    reader.index_pages(pages)
    for page in pages:
        reader.emit_page(page)
    version = source_version(root, [tool_file, *page_files])
    return reader.source_data("rdmkit", str(root.resolve()), version)
