"""The JSON API: flask-smorest wiring, auth for writes, and one error shape."""
import hmac
import logging

import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, current_app, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from tack.agentkanban import init_agentkanban, is_ext_path
from tack.agentkanban.errors import ext_error_response
from tack.api.responses import error_response as tack_error_response
from tack.errors import TackError
from tack.kanban import init_kanban, is_kanban_path
from tack.kanban.errors import kanban_error_response

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HTTP_CODES = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "BODY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE", 422: "VALIDATION_ERROR", 429: "TOO_MANY_REQUESTS",
}


class ErrorSchema(ma.Schema):
    detail = ma.fields.Raw(metadata={"description": "Message (or object, for a claim "
                                                    "conflict) that Tack clients read"})
    code = ma.fields.String(metadata={"description": "Stable machine code"})
    errors = ma.fields.Dict(metadata={"description": "Per-field validation messages"})


def error_response(status: int, detail, code: str, errors: dict | None = None):
    """The failure in the shape of the surface the path belongs to (/api/v1 is the
    HNR Kanban contract's; the rest of /api is Tack's)."""
    if is_kanban_path(request.path):
        return kanban_error_response(status, detail, code, errors)
    if is_ext_path(request.path):
        return ext_error_response(status, detail, code)
    return tack_error_response(status, detail, code, errors)


def is_api_path(path: str) -> bool:
    return path.startswith("/api") or path in ("/health", "/openapi.json")


class TackApi(Api):
    """flask-smorest's Api answering every /api failure in Tack's error shape, and
    leaving other paths (the web page) to HTML error pages."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, self.handle_http_exception)
        self._app.register_error_handler(TackError, handle_domain_error)
        self._app.register_error_handler(sa.exc.OperationalError, handle_database_busy)
        self._app.register_error_handler(sa.exc.IntegrityError, handle_write_conflict)
        self._app.register_error_handler(Exception, handle_unexpected)

    def handle_http_exception(self, error: HTTPException):
        if not is_api_path(request.path):
            from tack.web import html_error
            return html_error(error)
        data = getattr(error, "data", None) or {}
        code = HTTP_CODES.get(error.code, "ERROR")
        if error.code == 413:
            limit = current_app.config["MAX_CONTENT_LENGTH"]
            return error_response(413, f"Request body too large (limit {limit} bytes)", code)
        messages = data.get("messages")
        if error.code == 400 and messages:
            return error_response(400, "Malformed JSON body", "MALFORMED_JSON", messages)
        if error.code == 422 and messages:
            return error_response(422, validation_summary(messages), code, messages)
        if error.code == 404:
            return error_response(404, f"Not found: {request.path}", code)
        if error.code == 405:
            return error_response(405, f"Method {request.method} not allowed on {request.path}",
                                  code)
        return error_response(error.code or 500, error.description or error.name, code)


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


def handle_domain_error(error: TackError):
    if not is_api_path(request.path):
        from tack.web import html_error
        return html_error(error)
    return error_response(error.status, error.detail, error.code)


def handle_database_busy(error):
    db_rollback()
    log.warning("database busy: %s", error.__class__.__name__)
    return error_response(503, "Database busy; retry shortly", "DATABASE_BUSY")


def handle_write_conflict(error):
    db_rollback()
    return error_response(409, "The write conflicted with another; retry", "WRITE_CONFLICT")


def handle_unexpected(error):
    db_rollback()
    # The trace goes to the log only; the client gets no internals.
    log.exception("unhandled error on %s %s", request.method, request.path)
    if not is_api_path(request.path):
        from tack.web import html_error
        return html_error(InternalServerError())
    return error_response(500, "Internal server error", "INTERNAL_ERROR")


def db_rollback():
    from tack.extensions import db
    try:
        db.session.rollback()
    except Exception:
        log.exception("rollback failed")


def require_api_key():
    """Writes under /api need TACK_API_KEY (X-API-Key or Bearer), compared in
    constant time. Reads stay open."""
    key = current_app.config["TACK"].api_key
    if not key or request.method not in WRITE_METHODS or not request.path.startswith("/api"):
        return None
    if is_kanban_path(request.path) or is_ext_path(request.path):
        return None  # /api/v1 and /api/ext/v1 check their own keys (kanban, agentkanban)
    offered = request.headers.get("X-API-Key", "")
    if not offered:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        offered = token.strip() if scheme.lower() == "bearer" else ""
    if offered and hmac.compare_digest(offered.encode(), key.encode()):
        return None
    return error_response(401, "Invalid or missing API key (send X-API-Key or "
                               "Authorization: Bearer)", "UNAUTHORIZED")


def init_api(app: Flask, api: TackApi) -> None:
    from tack.api import batch, board, cards, dependencies, meta, meta_docs, search

    api.init_app(app)
    for blueprint in (meta.blp, meta_docs.blp, board.blp, cards.blp, batch.blp,
                      dependencies.blp, search.blp):
        api.register_blueprint(blueprint)
    init_kanban(app, api)
    init_agentkanban(app, api)
    app.before_request(require_api_key)
    api.spec.components.security_scheme(
        "ApiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
