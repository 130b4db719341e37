"""The errors of the core, one vocabulary from the store up to HTTP.

Each is named for what went wrong, not for a status code; the API maps them to HTTP
statuses in one table (``api/http/errors.py``) and the CLI to exit codes.
"""

from __future__ import annotations


class StoreError(Exception):
    """The store could not do what was asked (I/O, lock, corrupt data)."""


class ReadOnlyError(StoreError):
    """A write was attempted on a read-only store."""


class QuerySyntaxError(ValueError):
    """A SPARQL query or update does not parse; the message is the parser's."""


class NotEmptyError(StoreError):
    """A restore into a non-empty store was refused."""


class QueryTimeout(Exception):
    """A query ran past its time limit (its worker was killed)."""


class QueryTooLarge(Exception):
    """A query's worker held more memory than allowed; the query was stopped."""


class RemoteStoreError(StoreError, OSError):
    """The remote engine is unreachable, timed out, or answered with an error.

    Also an ``OSError``, the way pyoxigraph reports evaluation failures, so that callers
    handling the embedded store's errors handle these too.
    """


class RemoteTimeout(RemoteStoreError, QueryTimeout):
    """A request to the remote engine ran past its timeout (answered 503)."""


class ValidationTimeout(Exception):
    """A validation ran past its time limit and was stopped."""


class Saturated(Exception):
    """Too many queries are running or waiting; retry shortly."""


class ServiceRefused(ValueError):
    """A ``SERVICE`` clause may not run; the message names the endpoint and the reason."""


class QueryFailed(StoreError):
    """The engine could not evaluate a query (the query itself was well formed)."""


class ServiceFailed(QueryFailed):
    """A ``SERVICE`` endpoint failed or could not be reached."""
