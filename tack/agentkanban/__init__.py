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

    register_surface(is_ext_path, ext_error_response)
    for blueprint in (boards.blp, tasks.blp, webhooks.blp):
        api.register_blueprint(blueprint)
    app.before_request(check_key)
    document_errors(api)


def document_errors(api: Api) -> None:
    """Every /api/ext/v1 operation answers failures as {error: {code, message}} (400
    for bad input, where Tack says 422): say so in the OpenAPI document."""
    api.spec.components.schema("ExtError", {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"],
                                 "properties": {"code": {"type": "string"},
                                                "message": {"type": "string"}}}}})
    api.spec.components.response("EXT_ERROR", {
        "description": "Error in the AgentKanban external API's shape",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/"
                                                            "ExtError"}}}})
    # apispec keeps registered paths here; the operations are plain dicts.
    for path, operations in api.spec._paths.items():
        if not is_ext_path(path):
            continue
        for method, operation in operations.items():
            if not (isinstance(operation, dict) and "responses" in operation):
                continue
            responses = operation["responses"]
            if not any(str(status).startswith("2") for status in responses):
                # Plain JSON views: document the success, or every 2xx would be read
                # against the error schema below.
                success = {"post": "201", "delete": "204"}.get(method, "200")
                responses[success] = {"description": "Success: {data: ...} as the AgentKanban "
                                                     "external API guide shows"}
                if success != "204":
                    responses[success]["content"] = {
                        "application/json": {"schema": {"type": "object"}}}
            responses.pop("422", None)
            responses["default"] = {"$ref": "#/components/responses/EXT_ERROR"}
