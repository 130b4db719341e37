"""``/validate``: the data stewards' validation service (see kg.validation.checker) over HTTP.

- ``GET /validate``: the web page (paste, upload or give a URL, choose profile and mode;
  ``?example=<key>`` fills it with an example document: api/validate_page.py).
- ``GET /validate/profiles``: the named profiles (JSON).
- ``POST /validate``: validate one document. The document is, in this order of precedence:
  an uploaded file (multipart field ``file``), pasted text (form field ``text``), a URL
  (``url``: fetched from ``KG_ALLOWED_HOSTS`` only, never with text or a file), a named
  graph of the store (``graph=IRI``), or the raw body (its ``Content-Type`` names the
  format). Parameters (query string or form): ``format`` (the input format: turtle,
  trig, ntriples, nquads, rdfxml, jsonld, yaml; default from the file name or media
  type, else turtle), ``profile`` (default ``all``), ``mode`` (``standalone``, the
  default, or ``in-context``), ``name`` (a pasted document's file name: a YAML
  catalogue entry's id), ``limit`` (findings shown, at most ``KG_VALIDATE_MAX_FINDINGS``)
  and ``report`` (json, csv, turtle, jsonld, text, html; else by ``Accept``; JSON by
  default). The answer is 200 whether or not the document conforms
  (``KG-Validation-Conforms: true|false``); a document that cannot be read is a 400
  naming line and column, a body over ``KG_VALIDATE_MAX_BYTES`` a 413, a validation
  running past ``KG_VALIDATE_TIMEOUT`` a 503, a broken shapes file a 500 naming the file
  and line — in the JSON error shape, or, when the report asked for is HTML (the page's
  form), as the page with the message next to the field and the input kept. A conforming
  document holding one toolkit resource (profile toolkit-resource — which reads RDMkit's
  tool-list YAML — or all) is offered its RDMkit tool-list entry, and in context what
  RDMkit's editors would object to (kg.validation.contribution): ``rdmkit`` in the JSON,
  text and HTML reports.
- Your own shapes (``shapes`` or ``shapes_file``, ``shapes_format``, ``base``): the
  document is validated against them instead of a profile (api/validate_shapes.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from api import validate_shapes
from api.http.context import get_settings, get_store
from api.http.errors import as_api_error, bad_request
from api.http.negotiation import Offer, negotiate
from api.validate_page import (
    FormError,
    example_page,
    fetch_document,
    no_document,
    render_page,
    render_report,
)
from api.validate_page import register as register_page_errors
from kg.errors import ValidationTimeout
from kg.validation.checker import Outcome, Service
from kg.validation.contribution import offer
from kg.validation.documents import (
    INPUT_FORMATS,
    DocumentError,
    format_from_media_type,
    format_from_name,
)
from kg.validation.profiles import DEFAULT_PROFILE, PROFILES, UnknownProfile
from kg.validation.reports import MEDIA_TYPES, REPORT_FORMATS, Report
from kg.validation.shapes import ShapesError
from loaders.yaml_documents import read_yaml_document

bp = Blueprint("validate", __name__)

MODES = ("standalone", "in-context")


def _service() -> Service:
    service = current_app.extensions.get("kg.validation_service")
    if service is None:
        service = Service(get_settings(), read_yaml=read_yaml_document)
        current_app.extensions["kg.validation_service"] = service
    return service


def _param(name: str) -> str | None:
    value = request.form.get(name) if request.form else None
    if value in (None, ""):
        value = request.args.get(name)
    return value or None


#: The report formats, by ``report`` or ``Accept``; JSON by default and when nothing suits.
REPORT_OFFERS = tuple(Offer(f, MEDIA_TYPES[f].split(";")[0]) for f in REPORT_FORMATS)
register_page_errors(bp, REPORT_OFFERS)


def _report_format() -> str:
    # An unknown report is a 400 here (a bad parameter, as every other of this route).
    return negotiate(
        REPORT_OFFERS,
        _param("report"),
        parameter="report",
        bad_parameter=bad_request,
        fallback="json",
    ).name


def _limit() -> int:
    cap = get_settings().validate_max_findings
    raw = _param("limit")
    if raw is None:
        return cap
    if not raw.isdigit():
        raise bad_request(f"limit {raw!r}: expected a whole number from 0 to {cap}")
    return min(int(raw), cap)


def _input_format(name: str | None, media_type: str | None) -> str:
    requested = _param("format")
    if requested:
        if requested not in INPUT_FORMATS:
            raise FormError(
                "format",
                f"format {requested!r} is not an input format; use one of "
                f"{', '.join(INPUT_FORMATS)}",
            )
        return requested
    return format_from_name(name) or format_from_media_type(media_type) or "turtle"


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"{what}: not UTF-8 (byte {exc.start})") from None


def _outcome() -> Outcome:
    settings = get_settings()
    service = _service()
    profile = _param("profile") or DEFAULT_PROFILE
    mode = _param("mode") or "standalone"
    if mode not in MODES:
        raise FormError("mode", f"mode {mode!r}: use one of {', '.join(MODES)}")
    in_context = mode == "in-context"
    options = {
        "profile": profile,
        "in_context": in_context,
        "timeout": settings.validate_timeout,
    }
    upload = request.files.get("file")
    if _param("url"):
        name, text, fmt = fetch_document(_param("url") or "", _input_format)
    elif upload is not None and upload.filename:
        name = upload.filename
        text = _decode(upload.read(), name)
        fmt = _input_format(name, upload.mimetype)
    elif _param("text"):
        fmt = _input_format(_param("name"), None)
        name = _param("name") or f"document.{fmt}"
        text = _param("text") or ""
    elif _param("graph"):
        validate_shapes.refuse_with_graph()
        return service.validate_graph(_param("graph"), get_store(), **options)
    else:
        media = request.mimetype
        fmt = _input_format(None, media) if _param("format") else format_from_media_type(media)
        if fmt is None or request.form:
            raise no_document(media)
        name = _param("name") or f"document.{fmt}"
        text = _decode(request.get_data(cache=False), "the request body")
        if not text.strip():
            raise bad_request("the document is empty")
    context_url = request.host_url.rstrip("/") + "/context.jsonld"
    return validate_shapes.validate_text(
        service,
        text,
        fmt,
        name,
        store=get_store() if in_context else None,
        context_urls={context_url},
        **options,
    )


@bp.get("/validate")
def page() -> tuple[str, int]:
    if request.args.get("example"):
        return example_page(request.args["example"])
    return render_page({}), 200


@bp.get("/validate/profiles")
def profiles() -> Response:
    return jsonify(
        {"default": DEFAULT_PROFILE, "profiles": [p.to_dict() for p in PROFILES.values()]}
    )


@bp.post("/validate")
def validate() -> Response:
    settings = get_settings()
    request.max_content_length = settings.validate_max_bytes
    request.max_form_memory_size = settings.validate_max_bytes
    fmt = _report_format()
    limit = _limit()
    try:
        outcome = _outcome()
    except (DocumentError, UnknownProfile, ShapesError, ValidationTimeout) as exc:
        raise as_api_error(exc) from None
    report = Report(outcome, limit, offer(outcome, get_store() if outcome.in_context else None))
    if fmt == "html":
        body = render_report(report)
    else:
        body = report.render(fmt)
    response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    if fmt in ("csv", "turtle", "text", "html"):
        response.charset = "utf-8"
    response.headers["KG-Validation-Conforms"] = str(outcome.result.conforms).lower()
    if report.more:
        response.headers["KG-Findings-More"] = str(report.more)
    return response


_PARAMETERS = [
    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
    for n, d in (
        ("format", f"input format: {', '.join(INPUT_FORMATS)}"),
        ("profile", f"validation profile: {', '.join(PROFILES)} (default {DEFAULT_PROFILE})"),
        ("mode", "standalone (default) or in-context"),
        ("graph", "validate this named graph of the store instead of a document"),
        ("url", "validate the document at this URL (fetched from KG_ALLOWED_HOSTS only)"),
        ("name", "file name of a pasted document (a YAML catalogue entry's id)"),
        ("limit", "most findings shown (at most KG_VALIDATE_MAX_FINDINGS)"),
        ("report", f"report format: {', '.join(REPORT_FORMATS)} (else by Accept)"),
    )
]
_ERROR = {
    "description": "JSON error {error, status}; when the report is HTML (report=html, as the "
    "page's form sends, or Accept: text/html), the page with the message next to the field",
    "content": {"application/json": {}, "text/html": {}},
}

#: OpenAPI path items of this blueprint (collected by api/openapi.py).
OPENAPI_PATHS: dict[str, dict] = {
    "/validate": {
        "get": {
            "summary": "The validation web page (paste, upload or give the URL of a document)",
            "tags": ["validation"],
            "parameters": [
                {
                    "name": "example",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "fill the form with this example document",
                }
            ],
            "responses": {
                "200": {"description": "HTML form", "content": {"text/html": {}}},
                "404": {"description": "no such example", "content": {"text/html": {}}},
            },
        },
        "post": {
            "summary": "Validate a document (upload, pasted text, raw body or a named graph)",
            "tags": ["validation"],
            "parameters": _PARAMETERS,
            "requestBody": {
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "text": {"type": "string"},
                                "url": {"type": "string"},
                                **validate_shapes.MULTIPART_PROPERTIES,
                            },
                        }
                    },
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "text": {"type": "string"},
                                "url": {"type": "string"},
                                **validate_shapes.FORM_PROPERTIES,
                            },
                        }
                    },
                    **{
                        media: {"schema": {"type": "string"}}
                        for media in (
                            "text/turtle",
                            "application/trig",
                            "application/n-triples",
                            "application/n-quads",
                            "application/rdf+xml",
                            "application/ld+json",
                            "application/yaml",
                        )
                    },
                }
            },
            "responses": {
                "200": {
                    "description": "the validation report (header KG-Validation-Conforms)",
                    "content": {MEDIA_TYPES[f].split(";")[0]: {} for f in REPORT_FORMATS},
                },
                "400": _ERROR,
                "413": _ERROR,
                "415": _ERROR,
                "500": _ERROR,
                "502": _ERROR,
                "503": _ERROR,
            },
        },
    },
    "/validate/profiles": {
        "get": {
            "summary": "The validation profiles: shapes files, ontology, inference, YAML format",
            "tags": ["validation"],
            "responses": {
                "200": {"description": "the profiles", "content": {"application/json": {}}}
            },
        }
    },
}
