"""The Clawboo board API (seeds/clawboo-board-api.md) at /clawboo/api: blueprints,
schemas and the translation of shapes and names. No rule lives here: the transition
table, the claim, the gate and the ledger are tack.services.workflows."""
import hmac

from flask import Flask, current_app, request
from flask_smorest import Api

PREFIX = "/clawboo/api"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def require_key():
    """With TACK_API_KEY set, every write names it (Bearer or X-API-Key); the
    document runs on localhost without auth, Tack does not."""
    from tack.clawboo.errors import failure
    key = current_app.config["TACK"].api_key
    if not key or request.method not in WRITE_METHODS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    offered = token.strip() if scheme.lower() == "bearer" else ""
    offered = offered or request.headers.get("X-API-Key", "").strip()
    if offered and hmac.compare_digest(offered.encode(), key.encode()):
        return None
    return failure(401, "unauthorized", "Invalid or missing API key (send "
                                        "Authorization: Bearer or X-API-Key)")


def init_clawboo(app: Flask, api: Api) -> None:
    from tack.clawboo import page
    from tack.clawboo.errors import is_clawboo_path, respond
    from tack.clawboo.views import blp
    from tack.error_handlers import register_surface
    register_surface(is_clawboo_path, respond)
    api.register_blueprint(blp)
    app.register_blueprint(page.bp)
    document_errors(api)


def document_errors(api: Api) -> None:
    """Every /clawboo/api operation answers failures as {ok: false, error} (400 with
    `details` for bad input, where Tack says 422): say so in the OpenAPI document."""
    api.spec.components.schema("ClawbooError", {
        "type": "object", "required": ["ok", "error"],
        "properties": {"ok": {"type": "boolean", "enum": [False]},
                       "error": {"type": "string"}, "message": {"type": "string"},
                       "details": {"type": "object",
                                   "description": "400 only: field -> messages"}}})
    api.spec.components.response("CLAWBOO_ERROR", {
        "description": "Error in the Clawboo board contract's shape",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/"
                                                            "ClawbooError"}}}})
    # apispec keeps registered paths here; the operations are plain dicts.
    for path, operations in api.spec._paths.items():
        if not path.startswith(PREFIX + "/"):
            continue
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                # The views answer plain JSON: document the success, or every 2xx
                # would be read against the error schema below.
                success = "201" if (path, method) == (PREFIX + "/teams", "post") else "200"
                operation["responses"].setdefault(success, {
                    "description": "Success (shapes in seeds/clawboo-board-api.md)",
                    "content": {"application/json": {"schema": {"type": "object"}}}})
                operation["responses"].pop("422", None)
                operation["responses"]["default"] = {"$ref": "#/components/responses/"
                                                             "CLAWBOO_ERROR"}
