"""``/query``: the SPARQL query page, and the template filters every HTML page uses.

``GET /query`` shows a form: a textarea and a select offering the named queries of
the catalog (``queries/``). ``GET /query?example=<name>`` fills the textarea with that
query, its example parameters bound as a ``VALUES`` block rendered from typed terms
(:func:`kg.sparql.rewrite.bind`), and runs it; ``POST /query`` (form field ``query``) runs the
text as written. Queries run through :func:`api.http.execution.run_query`, under the limits
of ``/sparql`` (SERVICE check, concurrency slots, worker timeouts, ``KG_MAX_ROWS``);
the first :data:`SHOWN_ROWS` rows are shown as an HTML table with a note saying how
many more there are. A malformed or refused query is shown as a message on the page,
answered with the error's status (400, 403, 503…), never a 500 page.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from api.http.context import get_catalog, get_settings
from api.http.errors import ApiError
from api.http.execution import run_query
from kg.queries.catalog import NamedQuery, UnknownQuery
from kg.queries.pages import TRANSPORT, Page
from kg.queries.parameters import ParameterError
from kg.sparql.rewrite import bind

bp = Blueprint("query_page", __name__)

#: Rows of a result shown on the query page; the rest are counted, not shown.
SHOWN_ROWS = 200

OPENAPI_PATHS: dict[str, dict] = {
    "/query": {
        "get": {
            "summary": "SPARQL query page (HTML)",
            "description": (
                "A form to write a SPARQL query or pick one of the catalog's named queries. "
                f"With `example`, runs that named query with its example parameters and shows "
                f"the first {SHOWN_ROWS} rows as an HTML table."
            ),
            "tags": ["web pages"],
            "parameters": [
                {
                    "name": "example",
                    "in": "query",
                    "required": False,
                    "description": "Name of a named query (GET /queries lists them).",
                    "schema": {"type": "string"},
                },
                {
                    "name": "query",
                    "in": "query",
                    "required": False,
                    "description": "SPARQL query text to run.",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {"description": "The page", "content": {"text/html": {}}},
                "400": {
                    "description": "The page, showing why the query failed",
                    "content": {"text/html": {}},
                },
                "404": {
                    "description": "The page, saying the example does not exist",
                    "content": {"text/html": {}},
                },
            },
        },
        "post": {
            "summary": "Run a SPARQL query from the query page (HTML result table)",
            "tags": ["web pages"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {"query": {"type": "string"}},
                            "required": ["query"],
                        }
                    }
                },
            },
            "responses": {
                "200": {"description": "The page with the result", "content": {"text/html": {}}},
                "400": {
                    "description": "The page, showing why the query failed",
                    "content": {"text/html": {}},
                },
            },
        },
    }
}


def _example_text(query: NamedQuery) -> str:
    """The named query with its example parameters bound as typed terms (a VALUES block)."""
    return bind(query.text, query.bind(query.example))


@bp.route("/query", methods=["GET", "POST"])
def query_page() -> Response | tuple[str, int]:
    catalog = get_catalog()
    source = request.form if request.method == "POST" else request.args
    text = source.get("query", "")
    example = source.get("example", "")
    status, error, page = 200, None, None
    if example and not text:
        try:
            text = _example_text(catalog.query(example))
        except UnknownQuery:
            status, error = 404, f"There is no example query named “{example}”."
        except ParameterError as exc:
            status, error = 400, f"The example “{example}” cannot be bound: {exc}"
    if text.strip() and error is None:
        try:
            outcome = run_query(text, TRANSPORT, limit=SHOWN_ROWS)
            page = Page.decode(
                "query",
                outcome.kind,
                outcome.body,
                total=outcome.total,
                limit=SHOWN_ROWS,
                offset=0,
                truncated=outcome.truncated,
            )
        except ApiError as exc:
            status, error = exc.status, exc.message
    elif request.method == "POST" and error is None:
        status, error = 400, "Write a query first: the query text is empty."
    body = render_template(
        "query.html",
        examples=list(catalog),
        example=example,
        text=text,
        page=page,
        error=error,
        status=status,
        shown_rows=SHOWN_ROWS,
        max_rows=get_settings().max_rows,
    )
    return body, status
