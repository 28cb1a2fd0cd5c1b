"""The JSON API: flask-smorest wiring and auth for writes."""
import marshmallow as ma
from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from tack import error_handlers
from tack.agentkanban import init_agentkanban, is_ext_path
from tack.api.responses import error_response
from tack.kanban import init_kanban, is_kanban_path
from tack.services import access, access_keys

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorSchema(ma.Schema):
    detail = ma.fields.Raw(metadata={"description": "Message (or object, for a claim "
                                                    "conflict) that Tack clients read"})
    code = ma.fields.String(metadata={"description": "Stable machine code"})
    errors = ma.fields.Dict(metadata={"description": "Per-field validation messages"})


class TackApi(Api):
    """flask-smorest's Api, documenting Tack's error shape. flask-smorest registers
    its public `handle_http_exception` app-wide for HTTPException; overriding it hands
    those errors to tack.error_handlers, which answers every other failure too."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        return error_handlers.handle_http_exception(error)


def require_api_key():
    """Writes under /api need a key that may change the board they touch
    (tack.services.access): X-API-Key or Bearer. Reads stay open."""
    if request.method not in WRITE_METHODS or not request.path.startswith("/api"):
        return None
    if is_kanban_path(request.path) or is_ext_path(request.path):
        return None  # /api/v1 and /api/ext/v1 check their own keys (kanban, agentkanban)
    offered = request.headers.get("X-API-Key", "").strip()
    if not offered:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        offered = token.strip() if scheme.lower() == "bearer" else ""
    if access.admit_write(offered):
        return None
    return error_response(401, "Invalid or missing API key (send X-API-Key or "
                               "Authorization: Bearer)", "UNAUTHORIZED")


def init_api(app: Flask, api: TackApi) -> None:
    from tack.api import (batch, board, cards, dependencies, insights, meta, meta_docs,
                          search, stream, todos)

    api.init_app(app)
    for blueprint in (meta.blp, board.blp, cards.blp, batch.blp,
                      dependencies.blp, todos.blp, search.blp, stream.blp, insights.blp):
        api.register_blueprint(blueprint)
    init_kanban(app, api)
    init_agentkanban(app, api)
    # After the surfaces, so its /api/v1/llms.txt is documented with /api/v1's errors.
    api.register_blueprint(meta_docs.blp)
    app.before_request(require_api_key)
    app.teardown_request(access_keys.note_keys_used_in_writes)
    api.spec.components.security_scheme(
        "ApiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
