"""Where the graph is kept: one small protocol (:mod:`kg.store.base`), two backends.

- :mod:`kg.store.oxigraph` — the embedded Oxigraph store, in memory or on disk;
- :mod:`kg.store.remote` — any SPARQL 1.1 engine over the W3C protocols;
- :mod:`kg.store.backup` — dumps and backups of either, and their restore.
"""

from __future__ import annotations

from typing import Any

from kg.errors import StoreError
from kg.store.base import Store
from kg.store.oxigraph import OxigraphStore


def open_store(url: str, *, read_only: bool = False, settings: Any = None) -> Store:
    """Open a store from its location: ``memory``, ``oxigraph:PATH`` or ``sparql:URL``.

    ``sparql:QUERY_URL`` is a remote SPARQL 1.1 engine (:mod:`kg.store.remote`); its
    update and Graph Store URLs and credentials come from ``settings`` (``remote_*``).
    """
    if url.startswith("sparql:"):
        from kg.store.remote import open_sparql_store

        return open_sparql_store(url, settings, read_only=read_only)
    if url == "memory":
        if read_only:
            raise StoreError("a memory store cannot be opened read-only")
        return OxigraphStore()
    if url.startswith("oxigraph:"):
        path = url.removeprefix("oxigraph:")
        if not path:
            raise StoreError("oxigraph: needs a path, e.g. oxigraph:var/store")
        return OxigraphStore(path, read_only=read_only)
    raise StoreError(
        f"unknown store location {url!r}: expected 'memory', 'oxigraph:PATH' or 'sparql:URL'"
    )
