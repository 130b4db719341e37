"""The ``/validate`` page for a person in a browser (helpers of :mod:`api.validate`).

- **Errors in the page.** An error of ``POST /validate`` whose report would be HTML (the
  page's form sends ``report=html``; else ``Accept`` prefers ``text/html`` — the same
  negotiation as the report's, so the parameter wins over ``Accept``) is the page again:
  the message next to the field it concerns (``aria-invalid``, ``aria-describedby``,
  ``autofocus``), every field as it was sent, the error's status (400, 413, 502, 503…).
  Every other client keeps the JSON error shape ``{"error", "status"}``. An uploaded file
  cannot be put back in a file field: its text is copied into the text box instead.
- **A document by URL** (form field ``url``): fetched by :func:`loaders.fetch.fetch_bytes`
  — only from ``KG_ALLOWED_HOSTS``, public addresses only, at most
  ``KG_VALIDATE_MAX_BYTES``, within ``KG_VALIDATE_TIMEOUT`` seconds.
- **Examples** (:data:`EXAMPLES`): ``GET /validate?example=<key>`` fills the form with a
  real document, each from a file of ``data/`` or from the graph itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from api import validate_report as report_view
from api.http.context import get_settings, get_store
from api.http.errors import ApiError, bad_request, error_response, unsupported_media_type
from api.http.negotiation import Offer, negotiate
from kg.records.describe import describe
from kg.settings import Settings
from kg.sparql import formats
from kg.store.base import Store
from kg.validation.documents import INPUT_FORMATS, DocumentError
from kg.validation.profiles import DEFAULT_PROFILE, PROFILES, UnknownProfile
from kg.validation.reports import Report
from loaders.common import LoadError
from loaders.fetch import TooLarge, check_host, fetch_bytes, is_url

#: The form's fields that hold a document (a file is copied into ``text``).
SOURCES = ("text", "url")


class FormError(ApiError):
    """A bad value of one field of the form: on the page, its message goes next to it."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(status, message)
        self.field = field


# --------------------------------------------------------------------------- errors


def wants_page(offers: Sequence[Offer]) -> bool:
    """Whether this request's report, and so its error, is the HTML page."""
    try:
        requested = request.form.get("report") or request.args.get("report")
    except RequestEntityTooLarge:  # the body is never read: the query string and Accept
        requested = request.args.get("report")
    try:
        chosen = negotiate(offers, requested, parameter="report", bad_parameter=bad_request)
    except ApiError:
        return False
    return chosen.name == "html"


def kept_form() -> tuple[dict[str, str], str | None]:
    """The form's fields as sent, and the name of an uploaded file copied into ``text``
    (a file field cannot be filled again); nothing when the body was too large to read."""
    try:
        kept = {key: value for key, value in request.form.items() if key != "report"}
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return {}, None
    if upload is None or not upload.filename or kept.get("text"):
        return kept, None
    try:
        upload.stream.seek(0)
        kept["text"] = upload.stream.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return kept, None
    kept["name"] = upload.filename
    return kept, upload.filename


def _field(exc: Exception, kept: dict[str, str], copied: str | None) -> str | None:
    """The field an error concerns; None for the form as a whole."""
    if isinstance(exc, FormError):
        return exc.field
    cause = exc.__context__
    if isinstance(cause, UnknownProfile):
        return "profile"
    if isinstance(cause, DocumentError):
        if copied:
            return "text"
        return next((s for s in SOURCES if kept.get(s)), None)
    return None


def error_page(exc: Exception, offers: Sequence[Offer]) -> Response:
    """The error of ``POST /validate``: the page with the form kept, or the JSON error."""
    if isinstance(exc, RequestEntityTooLarge):
        status, message, headers = 413, exc.description or exc.name, {}
    else:
        assert isinstance(exc, ApiError)
        status, message, headers = exc.status, exc.message, exc.headers
    if request.endpoint != "validate.validate" or not wants_page(offers):
        return error_response(status, message, headers)
    kept, copied = kept_form()
    if status == 413:
        message = (
            f"The document is larger than {get_settings().validate_max_bytes:,} bytes "
            "(KG_VALIDATE_MAX_BYTES), so it was not read: validate a smaller document, or "
            "split it. Your browser's Back button brings the form back as you filled it."
        )
    elif status == 503:
        message += (
            ". The service is busy or the document takes long to check: try again in a "
            "moment; a smaller document, or the standalone mode, takes less time."
        )
    field = _field(exc, kept, copied)
    error = {"message": message, "status": status, "field": field, "copied": copied}
    if field == "text":
        error["excerpt"] = excerpt(kept.get("text", ""), message)
    response = Response(render_page(kept, error=error), status=status, mimetype="text/html")
    response.headers.update(headers)
    return response


#: Where a reader's message puts the error: "line 11", "at line 3 column 5", "name:2:18:".
_LINE = re.compile(r"\bline (\d+)|:(\d+):\d+:")


def excerpt(text: str, message: str) -> list[tuple[int, str, bool]]:
    """The line ``message`` names and the one before it, as (number, text, named)."""
    found = _LINE.search(message)
    lines = text.splitlines()
    if found is None or not lines:
        return []
    number = int(found.group(1) or found.group(2))
    if not 1 <= number <= len(lines):
        return []
    return [(n, lines[n - 1][:200], n == number) for n in range(max(1, number - 1), number + 1)]


def register(bp: Blueprint, offers: Sequence[Offer]) -> None:
    """Answer the errors of ``bp``'s routes as :func:`error_page` does."""

    def handler(exc: Exception) -> Response:
        return error_page(exc, offers)

    bp.register_error_handler(ApiError, handler)
    bp.register_error_handler(RequestEntityTooLarge, handler)


# --------------------------------------------------------------------------- the page


def _form_context(form: dict[str, str], error: dict | None) -> dict[str, Any]:
    """What the form (``templates/_validate_form.html``) is drawn from."""
    settings = get_settings()
    return {
        "form": form,
        "error": error,
        "profiles": list(PROFILES.values()),
        "formats": INPUT_FORMATS,
        "default_profile": DEFAULT_PROFILE,
        "allowed_hosts": allowed_hosts(settings),
        "max_bytes": settings.validate_max_bytes,
    }


def render_page(form: dict[str, str], *, error: dict | None = None, **more: Any) -> str:
    """The validation page with ``form`` filled in, ``error`` shown next to its field."""
    return render_template("validate.html", examples=EXAMPLES, **_form_context(form, error), **more)


def render_report(report: Report) -> str:
    """The HTML report (findings grouped, the document with its lines marked:
    api/validate_report.py), with the form below it, filled in, to validate again."""
    form, _ = kept_form()
    data = report.to_dict()
    return render_template(
        "validate_report.html",
        report=report,
        data=data,
        view=report_view.view(data, report.findings, report.outcome.document.text),
        full_lines=report_view.FULL_LINES,
        context=report_view.CONTEXT,
        **_form_context(form, None),
    )


def allowed_hosts(settings: Settings) -> list[str]:
    return sorted({h.strip().lower() for h in settings.allowed_hosts.split(",") if h.strip()})


# --------------------------------------------------------------------------- the document


def no_document(media: str | None) -> ApiError:
    """The error for a request without a document: an empty form, or a raw body whose
    ``Content-Type`` is no document format (415)."""
    if media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return FormError(
            "text", "The form has no document: paste one, upload a file or give a URL."
        )
    return unsupported_media_type(
        f"Content-Type {media or '(none)'!r} is not a document format; send a file "
        "(multipart field 'file'), pasted text (form field 'text'), a URL (url=), graph=IRI, "
        "or a body in Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD or YAML"
    )


def fetch_document(
    url: str, input_format: Callable[[str | None, str | None], str]
) -> tuple[str, str, str]:
    """The document at ``url`` (form field ``url``): its name, text and format. A URL the
    settings refuse is a 400, a document too large a 413, a failed download a 502."""
    if request.form.get("text") or any(f.filename for f in request.files.getlist("file")):
        raise FormError(
            "url",
            "Give one document: a URL, pasted text or a file — this form has a URL and "
            "another document. Empty the text box or the file field, or the URL.",
        )
    settings, url = get_settings(), url.strip()
    if not is_url(url):
        raise FormError("url", f"{url!r} is not an http or https URL")
    try:
        check_host(url, settings)
    except LoadError as exc:
        advice = ". Download the document and upload or paste it instead."
        raise FormError("url", str(exc) + advice) from None
    limit = (settings.validate_max_bytes, "KG_VALIDATE_MAX_BYTES")
    try:
        data, media_type = fetch_bytes(url, settings, limit, settings.validate_timeout)
    except TooLarge as exc:
        raise FormError("url", str(exc), 413) from None
    except LoadError as exc:
        raise FormError("url", str(exc), 502) from None
    name = Path(urlsplit(url).path).name or "document"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormError("url", f"{url}: not UTF-8 (byte {exc.start})") from None
    return name, text, input_format(name, media_type)


# --------------------------------------------------------------------------- examples


@dataclass(frozen=True)
class Example:
    """A document to start from: what it is, where it comes from, how to validate it."""

    key: str
    title: str
    source: str
    profile: str
    format: str
    name: str
    read: Callable[[Settings, Store], str | None]
    mode: str = "standalone"
    href: str | None = None  # where this site serves the source, if it does

    def form(self, settings: Settings, store: Store) -> dict[str, str] | None:
        text = self.read(settings, store)
        if text is None:
            return None
        keys = ("profile", "format", "name", "mode")
        return {"text": text, **{key: getattr(self, key) for key in keys}}


def _data_file(*parts: str) -> Callable[[Settings, Store], str | None]:
    def read(settings: Settings, store: Store) -> str | None:
        path = Path(settings.data_dir).joinpath(*parts)
        return path.read_text(encoding="utf-8") if path.is_file() else None

    return read


#: The toolkit resource of the graph shown as an example.
EXAMPLE_RESOURCE = "zenodo"


def _graph_resource(settings: Settings, store: Store) -> str | None:
    """``/resource/<id>.ttl`` of :data:`EXAMPLE_RESOURCE`: the same triples, the same
    Turtle; None when the graph does not describe it."""
    triples = describe(store, ox.NamedNode(f"{settings.base_iri}resource/{EXAMPLE_RESOURCE}"))
    if not triples:
        return None
    return formats.serialize(triples, formats.BY_NAME["turtle"]).decode("utf-8")


EXAMPLES: tuple[Example, ...] = (
    Example(
        "business-model",
        "A Node's business model (YAML)",
        "data/business-models/example-central.yaml, the catalogue's illustrative entry",
        "business-model",
        "yaml",
        "example-central.yaml",
        _data_file("business-models", "example-central.yaml"),
    ),
    Example(
        "toolkit-resource",
        "A toolkit resource of the graph (Turtle)",
        f"this graph's own /resource/{EXAMPLE_RESOURCE}.ttl",
        "toolkit-resource",
        "turtle",
        f"{EXAMPLE_RESOURCE}.ttl",
        _graph_resource,
        href=f"/resource/{EXAMPLE_RESOURCE}.ttl",
    ),
    Example(
        "broken-resource",
        "A toolkit resource with mistakes (Turtle)",
        "data/validation-examples/broken-resource.ttl",
        "toolkit-resource",
        "turtle",
        "broken-resource.ttl",
        _data_file("validation-examples", "broken-resource.ttl"),
    ),
    Example(
        "unreadable",
        "A document that cannot be read (Turtle)",
        "data/validation-examples/unreadable.ttl",
        "toolkit-resource",
        "turtle",
        "unreadable.ttl",
        _data_file("validation-examples", "unreadable.ttl"),
    ),
)


def example_page(key: str) -> tuple[str, int]:
    """``GET /validate?example=<key>``: the page with the example's document filled in."""
    example = next((e for e in EXAMPLES if e.key == key), None)
    form = example.form(get_settings(), get_store()) if example else None
    if example is None or form is None:
        message = (
            f"The example “{example.title}” is not available: {example.source} is missing."
            if example
            else f"There is no example named “{key}”: choose one of the list."
        )
        error = {"message": message, "status": 404, "field": None, "title": "No such example"}
        return render_page({}, error=error), 404
    return render_page(form, example=example), 200
