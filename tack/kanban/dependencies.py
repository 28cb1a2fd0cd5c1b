"""/api/v1/boards/<id>/dependencies: the contract's names for Tack's dependencies
(tack.services.dependencies holds every rule: self, duplicates, cycles, one board)."""
from datetime import datetime

from flask.views import MethodView
from flask_smorest import Blueprint

from tack.api.responses import json_response
from tack.kanban import register_v1_blueprint
from tack.kanban import schemas as s
from tack.kanban.auth import require_edit
from tack.kanban.common import actor_from
from tack.kanban.translate import timestamp
from tack.services import dependencies
from tack.services.boards import board_row

blp = register_v1_blueprint(Blueprint(
    "kanban_dependencies", __name__, url_prefix="/api/v1/boards/<board_id>",
    description="HNR Kanban: task dependencies (a blocker must be done first)"))


def dependency_body(view: dict) -> dict:
    """Tack's dependency_view() as the contract's DependencyResponse; columns by their
    display names, as the contract shows them."""
    return {
        "id": view["id"],
        "board_id": view["board_id"],
        "blocker_task_id": view["blocker_id"],
        "blocker_title": view["blocker_title"],
        "blocker_column": view["blocker_column_title"],
        "blocker_completed": view["blocker_completed"],
        "blocked_task_id": view["blocked_id"],
        "blocked_title": view["blocked_title"],
        "blocked_column": view["blocked_column_title"],
        "note": view["note"],
        "created_by": view["created_by"],
        "created_at": timestamp(datetime.fromisoformat(view["created_at"])),
    }


@blp.route("/dependencies")
class Dependencies(MethodView):
    @blp.arguments(s.TaskDependencyListArgs(), location="query")
    @blp.response(200, s.TaskDependencyOut(many=True))
    def get(self, args, board_id):
        """The board's dependencies, or (?task=) those where the task is blocker or
        blocked; oldest first."""
        board_row(board_id)
        views = dependencies.list_dependencies(board_id=board_id, card_id=args["task"])
        return json_response([dependency_body(view) for view in views])

    @blp.arguments(s.TaskDependencyCreateSchema())
    @blp.response(201, s.TaskDependencyOut)
    def post(self, data, board_id):
        """`blocker_task_id` must be done before `blocked_task_id`; a task blocking
        itself, a pair already recorded, or a cycle is refused (400 INVALID_INPUT)."""
        require_edit(board_id)
        view = dependencies.add_dependency(
            blocker_id=data["blocker_task_id"], blocked_id=data["blocked_task_id"],
            note=data["note"], actor=actor_from(data), board_id=board_id)
        return json_response(dependency_body(view), 201)


@blp.route("/dependencies/<dependency_id>", methods=["DELETE"])
@blp.arguments(s.ActorArgs(), location="query")
@blp.response(200, s.MessageOut)
def delete_dependency(_args, board_id, dependency_id):
    """Remove one dependency (?actor= names who did)."""
    require_edit(board_id)
    dependencies.remove_dependency(dependency_id=dependency_id, actor=actor_from(),
                                   board_id=board_id)
    return json_response({"message": "Dependency deleted"})
