"""Queries from HTTP: the core's executor (:mod:`kg.sparql.execution`), which applies
every limit, and the translation of its answer for Flask.

The executor is made once per app (``create_app``) and kept in
``app.extensions["kg.executor"]``; its errors become HTTP statuses by
:func:`api.http.errors.as_api_error`, and a partial federated answer sets ``KG-Partial``.
"""

from __future__ import annotations

from flask import after_this_request, current_app

from api.http.errors import KG_ERROR_TYPES, as_api_error
from kg.errors import ServiceRefused
from kg.sparql.execution import Choice, Executor, Outcome
from kg.sparql.probe import PARTIAL_HEADER

#: Set (to the row limit) when a result was cut at KG_MAX_ROWS.
TRUNCATED_HEADER = "KG-Results-Truncated"

__all__ = ["TRUNCATED_HEADER", "Choice", "check_service_clauses", "get_executor", "run_query"]


def get_executor() -> Executor:
    return current_app.extensions["kg.executor"]


def check_service_clauses(text: str, *, is_update: bool) -> None:
    try:
        get_executor().check_services(text, is_update=is_update)
    except ServiceRefused as exc:
        raise as_api_error(exc) from None


def run_query(text: str, choice: Choice, **options) -> Outcome:
    """Run ``text`` under every limit (see :meth:`kg.sparql.execution.Executor.run`)."""
    try:
        outcome = get_executor().run(text, choice, **options)
    except KG_ERROR_TYPES as exc:
        raise as_api_error(exc) from None
    if outcome.partial:

        @after_this_request
        def _signal(response):
            response.headers[PARTIAL_HEADER] = outcome.partial
            return response

    return outcome
