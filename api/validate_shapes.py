"""Your own shapes on ``POST /validate`` (helpers of :mod:`api.validate`; the core is
:mod:`kg.validation.custom`).

The shapes graph is an uploaded file (multipart field ``shapes_file``) or pasted text
(form field ``shapes``), in ``shapes_format`` (turtle, trig, ntriples, nquads, rdfxml,
jsonld; default from the file's name, else turtle); ``base`` resolves the relative IRIs
of the document and of the shapes. The document is then validated against those shapes
instead of a profile: standalone only, without the ontology. The request as a whole,
document and shapes, is bounded by ``KG_VALIDATE_MAX_BYTES`` (413 beyond).

Refused with a 400: a ``profile`` or ``mode=in-context`` with the shapes, the shapes with a
named graph of the store (``graph=IRI``), a ``base`` without shapes; an unparseable
shapes graph (naming the field or file, line and column), one that is not SHACL (naming
the shape and line where known).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import request

from api.http.context import get_settings
from api.http.errors import bad_request
from kg.validation.checker import Outcome, Service
from kg.validation.custom import UserShapes, read_shapes, validate_with_shapes
from kg.validation.documents import RDF_INPUTS, format_from_name

#: The form fields of this feature, for the OpenAPI declaration of ``POST /validate``.
FIELDS = {
    "shapes": "your own SHACL shapes graph (pasted text): validate against it, not a profile",
    "shapes_format": f"the shapes' format: {', '.join(RDF_INPUTS)} (default from the "
    "shapes file's name, else turtle)",
    "base": "base IRI of the relative IRIs of the document and of the shapes (with shapes)",
}


FORM_PROPERTIES = {name: {"type": "string", "description": d} for name, d in FIELDS.items()}
MULTIPART_PROPERTIES = {
    "shapes_file": {
        "type": "string",
        "format": "binary",
        "description": "your own SHACL shapes graph (a file): validate against it, not a profile",
    },
    **FORM_PROPERTIES,
}


def _form(name: str) -> str | None:
    value = request.form.get(name) if request.form else None
    return value or request.args.get(name) or None


def given() -> bool:
    """Whether this request brings its own shapes."""
    upload = request.files.get("shapes_file")
    return bool((upload is not None and upload.filename) or _form("shapes"))


def user_shapes(context_urls: Iterable[str]) -> UserShapes:
    """The request's shapes, parsed (a 400 naming field or file, line and column)."""
    upload = request.files.get("shapes_file")
    if upload is not None and upload.filename:
        name = f"shapes_file {upload.filename!r}"
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise bad_request(f"{name}: not UTF-8 (byte {exc.start})") from None
        filename = upload.filename
    else:
        name, text, filename = "field 'shapes'", _form("shapes") or "", None
    fmt = _form("shapes_format") or format_from_name(filename) or "turtle"
    if fmt not in RDF_INPUTS:
        raise bad_request(f"shapes_format {fmt!r}: use one of {', '.join(RDF_INPUTS)}")
    return read_shapes(
        text, fmt, name, get_settings(), base=_form("base"), context_urls=context_urls
    )


def refuse_with_graph() -> None:
    """A named graph of the store is judged by a profile only."""
    if given():
        raise bad_request(
            "your own shapes validate a document (file, text or body), not a graph of the store"
        )


def validate_text(service: Service, text: str, fmt: str, name: str, **options) -> Outcome:
    """``service.validate_text`` with the same arguments, or, when the request brings
    shapes, the document validated against them (:func:`validate_with_shapes`)."""
    if not given():
        if _form("base"):
            raise bad_request("base is the base IRI of your own shapes and document: give shapes")
        return service.validate_text(text, fmt, name, **options)
    if _form("profile"):
        raise bad_request("profile: your own shapes replace the profile; give one or the other")
    if options.get("in_context"):
        raise bad_request(
            "mode in-context: your own shapes judge the document alone; use mode standalone"
        )
    shapes = user_shapes(options.get("context_urls") or ())
    return validate_with_shapes(service, shapes, text, fmt, name, timeout=options.get("timeout"))
