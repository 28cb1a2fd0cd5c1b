"""The AgentKanban external API (seeds/agentkanban-external-api.md) at /api/ext/v1:
blueprints, schemas and the translation of shapes and names (tasks, lanes, camelCase,
{data: ...} envelopes, {error: {code, message}}). Every rule is a service call.

Every request names an access key (Authorization: Bearer ak_...), checked before the
view runs, then counted against the key's rate limit; a request under
/boards/<boardId> also needs the key's read (GET) or edit (writes) on that board."""
from flask import Flask
from flask_smorest import Api

EXT_PREFIX = "/api/ext/v1"


def is_ext_path(path: str) -> bool:
    return path == EXT_PREFIX or path.startswith(EXT_PREFIX + "/")


def init_agentkanban(app: Flask, api: Api) -> None:
    from tack.agentkanban import boards, tasks, webhooks
    from tack.agentkanban.auth import check_key
    from tack.agentkanban.errors import ext_error_response
    from tack.error_handlers import register_surface
    from tack.openapi_surfaces import document_surface_errors

    register_surface(is_ext_path, ext_error_response)
    # Failures are {error: {code, message}} (400 for bad input, where Tack says 422).
    document_surface_errors(
        api, is_ext_path, schema_name="ExtError", response_name="EXT_ERROR",
        schema={"type": "object", "required": ["error"],
                "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"},
                                   "message": {"type": "string"}}}}},
        description="Error in the AgentKanban external API's shape",
        success_description="Success: {data: ...} as the AgentKanban external API guide shows")
    for blueprint in (boards.blp, tasks.blp, webhooks.blp):
        api.register_blueprint(blueprint)
    app.before_request(check_key)
