"""The Clawboo board API (seeds/clawboo-board-api.md) at /clawboo/api: blueprints,
schemas and the translation of shapes and names. No rule lives here: the transition
table, the claim, the gate and the ledger are tack.services.workflows."""
from flask import Flask, request
from flask_smorest import Api

PREFIX = "/clawboo/api"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def require_key():
    """Every write names a key that may change its team (tack.services.access),
    Bearer or X-API-Key. The document runs on localhost without auth; Tack without
    an admin key does too, on teams (which have no manage key)."""
    from tack.clawboo.errors import failure
    from tack.services import access
    if request.method not in WRITE_METHODS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    offered = token.strip() if scheme.lower() == "bearer" else ""
    offered = offered or request.headers.get("X-API-Key", "").strip()
    if access.admit_write(offered):
        return None
    return failure(401, "unauthorized", "Invalid or missing API key (send "
                                        "Authorization: Bearer or X-API-Key)")


def init_clawboo(app: Flask, api: Api) -> None:
    from tack.clawboo import page
    from tack.clawboo.errors import is_clawboo_path, respond
    from tack.clawboo.views import blp
    from tack.error_handlers import register_surface
    from tack.openapi_surfaces import document_surface_errors
    register_surface(is_clawboo_path, respond)
    # Failures are {ok: false, error} (400 with `details` for bad input, where Tack
    # says 422); the views answer plain JSON, so their successes are documented here.
    document_surface_errors(
        api, is_clawboo_path, schema_name="ClawbooError", response_name="CLAWBOO_ERROR",
        schema={"type": "object", "required": ["ok", "error"],
                "properties": {"ok": {"type": "boolean", "enum": [False]},
                               "error": {"type": "string"}, "message": {"type": "string"},
                               "details": {"type": "object",
                                           "description": "400 only: field -> messages"}}},
        description="Error in the Clawboo board contract's shape",
        success_description="Success (shapes in the Clawboo board API document)",
        success_status=lambda path, method: "201" if (path, method) == (
            PREFIX + "/teams", "post") else "200")
    api.register_blueprint(blp)
    app.register_blueprint(page.bp)
