"""Every failure is answered here, once: JSON `{detail, code, errors?}` under the API
paths, and on the web page an HTML error page, or for an htmx request a fragment
the page shows (its message and the board as it really is)."""
import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tack.api.responses import error_response
from tack.errors import TackError

log = logging.getLogger(__name__)

# The JSON surfaces; everything else is a page.
API_PATH_PREFIXES = ("/api",)
API_PATHS = frozenset({"/health", "/openapi.json"})
HTTP_CODES = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "BODY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE", 422: "VALIDATION_ERROR", 429: "TOO_MANY_REQUESTS",
}
DATABASE_BUSY = "Database busy; retry shortly"
WRITE_CONFLICT = "The write conflicted with another; retry"


# Each compatibility surface answers in its own contract's shape: (owns path?, answer).
# Checked before Tack's own /api shape, so /api/v1 is not taken for Tack's.
_surfaces: list[tuple[Callable[[str], bool], Callable[..., Response]]] = []


def register_surface(owns_path: Callable[[str], bool],
                     respond: Callable[..., Response]) -> None:
    """Answer failures on the paths `owns_path` accepts with respond(status, detail,
    code, errors)."""
    if (owns_path, respond) not in _surfaces:
        _surfaces.append((owns_path, respond))


def is_api_path(path: str) -> bool:
    return path.startswith(API_PATH_PREFIXES) or path in API_PATHS


def json_error_response(path: str) -> Callable[..., Response] | None:
    """The JSON error answer for `path`'s surface; None on a page."""
    for owns_path, respond in _surfaces:
        if owns_path(path):
            return respond
    return error_response if is_api_path(path) else None


def init_error_handlers(app: Flask) -> None:
    """HTTP errors reach handle_http_exception through flask-smorest's Api (see
    tack.api.TackApi); these are the rest. Flask picks the most specific class."""
    app.register_error_handler(TackError, handle_domain_error)
    app.register_error_handler(sa.exc.OperationalError, handle_database_busy)
    app.register_error_handler(sa.exc.IntegrityError, handle_write_conflict)
    app.register_error_handler(Exception, handle_unexpected)


def answer(status: int, detail, code: str, errors: dict | None = None) -> Response:
    respond = json_error_response(request.path)
    if respond is not None:
        return respond(status, detail, code, errors)
    message = page_message(detail)
    if request.headers.get("HX-Request"):
        # Imported here: the page imports the API's schemas, whose package imports this.
        from tack.web.views import refusal_update
        return refusal_update(message, status)
    html = render_template("error.html", status=status, message=message)
    return Response(html, status=status, mimetype="text/html")


def page_message(detail) -> str:
    """A refusal as one line of text (a claim conflict's detail is an object)."""
    if isinstance(detail, dict):
        holder = detail.get("claimed_by")
        reason = detail.get("error", "Refused")
        return f"{reason} by {holder}" if holder else reason
    return str(detail)


def handle_http_exception(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    code = HTTP_CODES.get(error.code, "ERROR")
    messages = data.get("messages")
    if isinstance(error, CSRFError):
        return answer(400, "This page is out of date: reload it and try again.",
                      "CSRF_FAILED")
    if error.code == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return answer(413, f"Request body too large (limit {limit} bytes)", code)
    if error.code == 400 and messages:
        return answer(400, "Malformed JSON body", "MALFORMED_JSON", messages)
    if error.code == 422 and messages:
        return answer(422, validation_summary(messages), code, messages)
    if error.code == 404:
        return answer(404, f"Not found: {request.path}", code)
    if error.code == 405:
        return answer(405, f"Method {request.method} not allowed on {request.path}", code)
    return answer(error.code or 500, error.description or error.name, code)


def validation_summary(messages: dict) -> str:
    """One readable line from webargs' {location: {field: [message]}}."""
    parts = []
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            for field, problems in location_errors.items():
                parts.append(f"{field}: {_first_message(problems)}")
        else:
            parts.append(_first_message(location_errors))
    return "Validation failed: " + "; ".join(parts[:5])


def _first_message(problems) -> str:
    while isinstance(problems, (list, dict)) and problems:
        problems = problems[0] if isinstance(problems, list) else next(iter(problems.values()))
    return str(problems)


def handle_domain_error(error: TackError) -> Response:
    return answer(error.status, error.detail, error.code)


def handle_database_busy(error: sa.exc.OperationalError) -> Response:
    db_rollback()
    log.warning("database busy: %s", error.__class__.__name__)
    return answer(503, DATABASE_BUSY, "DATABASE_BUSY")


def handle_write_conflict(_error: sa.exc.IntegrityError) -> Response:
    db_rollback()
    return answer(409, WRITE_CONFLICT, "WRITE_CONFLICT")


def handle_unexpected(_error: Exception) -> Response:
    db_rollback()
    # The trace goes to the log only; the client gets no internals.
    log.exception("unhandled error on %s %s", request.method, request.path)
    return answer(500, "Internal server error", "INTERNAL_ERROR")


def db_rollback() -> None:
    from tack.extensions import db
    try:
        db.session.rollback()
    except Exception:
        log.exception("rollback failed")
