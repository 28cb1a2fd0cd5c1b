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
    # They register in import order, which is the order of the document's tags:
    # streams first, as the v1 document has always listed it.
    from tack.kanban import streams  # noqa: F401, I001
    from tack.kanban import (  # noqa: F401 (they register)
        activity, boards, dependencies, meta, search, tasks, webhooks)
    from tack.error_handlers import register_surface
    from tack.kanban.auth import guard_board_writes, no_write_left_unchecked
    from tack.kanban.errors import kanban_error_response
    from tack.kanban.schemas import ErrorOut
    from tack.openapi_surfaces import document_surface_errors

    # Failures in the contract's shape (400 for bad input, where Tack says 422).
    document_surface_errors(
        api, is_kanban_path, schema_name="KanbanError", response_name="KANBAN_ERROR",
        schema=ErrorOut, description="Error in the HNR Kanban contract's shape",
        success_description="Success, as kanban-api.md shows")
    for blueprint in _blueprints:
        api.register_blueprint(blueprint)
    meta.add_root_routes(app, api)
    register_surface(is_kanban_path, kanban_error_response)
    app.before_request(guard_board_writes)
    app.after_request(no_write_left_unchecked)
