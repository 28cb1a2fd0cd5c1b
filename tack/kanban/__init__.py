"""The HNR Kanban API (seeds/kanban-api.md) at /api/v1: blueprints, schemas and the
translation of shapes and names. No rule lives here; every write is a service call.

Other modules extend the surface through the three names below: register their
blueprint with register_v1_blueprint(), answer failures with kanban_error_response()
(tack.kanban.errors) and check keys with require_edit() (tack.kanban.auth)."""
from flask import Flask
from flask_smorest import Api, Blueprint

V1_PREFIX = "/api/v1"
_blueprints: list[Blueprint] = []


def is_kanban_path(path: str) -> bool:
    return path == V1_PREFIX or path.startswith(V1_PREFIX + "/")


def register_v1_blueprint(blueprint: Blueprint) -> Blueprint:
    """Add a blueprint (url_prefix under /api/v1) to those init_kanban registers."""
    if blueprint not in _blueprints:
        _blueprints.append(blueprint)
    return blueprint


def init_kanban(app: Flask, api: Api) -> None:
    from tack.kanban import activity, boards, meta, tasks  # noqa: F401 (they register)
    from tack.error_handlers import register_surface
    from tack.kanban.auth import guard_board_writes
    from tack.kanban.errors import kanban_error_response

    for blueprint in _blueprints:
        api.register_blueprint(blueprint)
    meta.add_root_routes(app, api)
    document_errors(api)
    register_surface(is_kanban_path, kanban_error_response)
    app.before_request(guard_board_writes)


def document_errors(api: Api) -> None:
    """Every /api/v1 operation answers failures in the contract's shape (400 for bad
    input, where Tack says 422): say so in the OpenAPI document."""
    from tack.kanban.schemas import ErrorOut

    api.spec.components.schema("KanbanError", schema=ErrorOut)
    api.spec.components.response("KANBAN_ERROR", {
        "description": "Error in the HNR Kanban contract's shape",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/"
                                                            "KanbanError"}}}})
    # apispec keeps registered paths here; the operations are plain dicts.
    for path, operations in api.spec._paths.items():
        if not is_kanban_path(path):
            continue
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].pop("422", None)
                operation["responses"]["default"] = {"$ref": "#/components/responses/"
                                                             "KANBAN_ERROR"}
