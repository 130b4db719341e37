"""One JSON error shape for every error: ``{"error": message, "status": code}``.

Handlers are named for their HTTP meaning; only 500 logs a stack trace.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

from kg import errors as core
from kg.validation.documents import DocumentError
from kg.validation.profiles import UnknownProfile
from kg.validation.shapes import ShapesError


class ApiError(Exception):
    """An error with an HTTP status and a message meant for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_acceptable(message: str) -> ApiError:
    return ApiError(406, message)


def payload_too_large(message: str) -> ApiError:
    return ApiError(413, message)


def unsupported_media_type(message: str) -> ApiError:
    return ApiError(415, message)


#: The core's errors as HTTP answers: (error, status, message prefix, headers), the most
#: specific class first. One table for every route.
KG_ERRORS: tuple[tuple[type[Exception], int, str, dict[str, str]], ...] = (
    (core.ServiceRefused, 403, "", {}),
    (core.ReadOnlyError, 403, "", {}),
    (core.QuerySyntaxError, 400, "malformed SPARQL query: ", {}),
    (core.Saturated, 503, "", {"Retry-After": "1"}),
    (core.QueryTimeout, 503, "", {"Retry-After": "5"}),
    (core.QueryTooLarge, 503, "", {}),
    (core.ServiceFailed, 502, "", {}),
    (core.QueryFailed, 500, "", {}),
    (core.ValidationTimeout, 503, "", {"Retry-After": "10"}),
    (DocumentError, 400, "", {}),
    (UnknownProfile, 400, "", {}),
    (ShapesError, 500, "the shapes are broken: ", {}),
)


def as_api_error(exc: Exception) -> ApiError:
    """The HTTP error for one of the core's errors (:data:`KG_ERRORS`)."""
    for kind, status, prefix, headers in KG_ERRORS:
        if isinstance(exc, kind):
            return ApiError(status, prefix + str(exc), dict(headers))
    raise TypeError(f"no HTTP status for {type(exc).__name__}")


#: Every error class of :data:`KG_ERRORS`, to catch them all at once.
KG_ERROR_TYPES = tuple(kind for kind, *_ in KG_ERRORS)


def error_response(status: int, message: str, headers: dict[str, str] | None = None):
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        headers = {}
        if exc.code == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        return error_response(exc.code or 500, exc.description or exc.name, headers)

    @app.errorhandler(Exception)
    def _internal_error(exc: Exception):
        current_app.logger.exception("internal error")
        return error_response(500, f"internal error: {type(exc).__name__}")
