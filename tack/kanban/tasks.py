"""/api/v1/boards/<id>/tasks: tasks, their actions, and batches."""
import marshmallow as ma
import orjson
from flask.views import MethodView
from flask_smorest import Blueprint

from tack.api.responses import json_response
from tack.api.schemas import TTL_MAX
from tack.api.snapshots import FAR_FUTURE, cached_read
from tack.errors import Invalid, TackError, detail_line
from tack.kanban import register_v1_blueprint
from tack.kanban import schemas as s
from tack.kanban.auth import require_edit
from tack.kanban.common import actor_from, task_answer, task_bodies, task_response
from tack.kanban.translate import normalise_labels, stored_priority
from tack.services import board_reads, card_details
from tack.services.boards import board_row, check_actor

blp = register_v1_blueprint(Blueprint(
    "kanban_tasks", __name__, url_prefix="/api/v1/boards/<board_id>",
    description="HNR Kanban: tasks, task actions and batches"))

# A Kanban claim is a lock until released; Tack's claims always expire, so the
# contract's claims take Tack's longest time (documented in TOOL.md).
CLAIM_SECONDS = TTL_MAX


def task_changes(data: dict) -> tuple[dict, dict]:
    """(Tack's editable fields, metadata/due_at) from the contract's update body."""
    changes = {}
    if "title" in data:
        changes["title"] = data["title"]
    if "description" in data:
        changes["description"] = data["description"]
    if "column_id" in data:
        changes["column_name"] = data["column_id"]
    if "priority" in data:
        changes["priority"] = stored_priority(data["priority"])
    if "assigned_to" in data:
        changes["assignee"] = data["assigned_to"] or ""
    if "labels" in data:
        changes["tags"] = normalise_labels(data["labels"])
    extras = {field: data[field] for field in ("metadata", "due_at") if field in data}
    return changes, extras


@blp.route("/tasks")
class Tasks(MethodView):
    @blp.arguments(s.TaskListArgs(), location="query")
    @blp.response(200, s.TaskOut(many=True))
    def get(self, args, board_id):
        """Tasks on the board, filtered; archived ones only with archived=true."""
        priority = args["priority"]
        priority = None if priority is None else stored_priority(priority)

        def build(at):
            # BOARD_NOT_FOUND is checked when the answer is built: an answer is cached
            # only for a board that exists, and deleting one writes an event, which
            # ends every cached answer.
            board_row(board_id)
            rows = board_reads.list_tasks(
                board_id=board_id, at=at, column=args["column"], assignee=args["assigned"],
                claimed_by=args["claimed"], priority=priority, label=args["label"],
                include_archived=args["archived"], updated_before=args["updated_before"],
                limit=args["limit"], offset=args["offset"])
            # A claim that expires changes the answer: cache no longer than that.
            expiries = [row.claim_expires_at for row in rows
                        if row.claimed_by and row.claim_expires_at and row.claim_expires_at > at]
            return (orjson.dumps(task_bodies(board_id, rows, at)),
                    min(expiries, default=FAR_FUTURE))

        return cached_read(("v1-tasks", board_id, tuple(sorted(args.items()))), build)

    @blp.arguments(s.TaskCreateSchema())
    @blp.response(201, s.TaskOut)
    def post(self, data, board_id):
        """Create a task (title or description required); first column by default."""
        require_edit(board_id)
        card = card_details.create_task(
            board_id=board_id, title=data["title"], description=data["description"],
            column_key=data["column_id"], priority=stored_priority(data["priority"]),
            position=data["position"], assignee=data["assigned_to"] or "",
            tags=normalise_labels(data["labels"]), metadata=data["metadata"],
            due_at=data["due_at"], actor=actor_from(data))
        return task_response(board_id, card.id, 201)


@blp.route("/tasks/batch", methods=["POST"])
@blp.arguments(s.BatchSchema())
@blp.response(200, s.BatchResultOut)
def batch(data, board_id):
    """Up to 50 operations (move, update, delete), each on several tasks. Each
    operation is all or nothing; one failing does not stop the others."""
    board = require_edit(board_id)
    operations = data["operations"]
    if not operations:
        raise Invalid("No operations in batch request", "EMPTY_BATCH")
    if len(operations) > s.BATCH_MAX:
        raise Invalid(f"At most {s.BATCH_MAX} operations per batch", "INVALID_INPUT")
    actor = actor_from(data)
    check_actor(board, actor)
    results = [run_operation(board_id, operation, actor) for operation in operations]
    succeeded = sum(1 for result in results if result["success"])
    return json_response({"total": len(results), "succeeded": succeeded,
                          "failed": len(results) - succeeded, "results": results})


def run_operation(board_id: str, operation: dict, actor: str) -> dict:
    result = {"action": operation.get("action"), "task_ids": operation.get("task_ids"),
              "success": False, "affected": 0}
    try:
        data = s.BatchOperationSchema().load(operation)
        fields = {}
        if data["action"] == "move":
            if not data.get("column_id"):
                raise Invalid("move needs column_id", "INVALID_COLUMN")
            fields["column_key"] = data["column_id"]
        elif data["action"] == "update":
            fields["changes"], extras = task_changes(data)
            fields.update(extras)
        result["affected"] = card_details.apply_to_tasks(
            board_id=board_id, action=data["action"], card_ids=data["task_ids"],
            fields=fields, actor=actor)
        result["success"] = True
    except ma.ValidationError as invalid:
        result["error"] = f"Invalid operation: {invalid.messages}"
    except TackError as refused:
        result["error"] = detail_line(refused.detail)
    return result


@blp.route("/tasks/<task_id>")
class TaskItem(MethodView):
    @blp.response(200, s.TaskOut)
    def get(self, board_id, task_id):
        """One task."""
        return task_response(board_id, task_id)

    @blp.arguments(s.TaskUpdateSchema())
    @blp.response(200, s.TaskOut)
    def patch(self, data, board_id, task_id):
        """Change any field; a task keeps a title or a description."""
        require_edit(board_id)
        changes, extras = task_changes(data)
        card_details.update_task(board_id=board_id, card_id=task_id, changes=changes,
                                 actor=actor_from(data), **extras)
        return task_response(board_id, task_id)

    @blp.arguments(s.ActorArgs(), location="query")
    @blp.response(200, s.MessageOut)
    def delete(self, args, board_id, task_id):
        """Delete the task (?actor= names who did)."""
        require_edit(board_id)
        card_details.delete_task(board_id=board_id, card_id=task_id, actor=actor_from())
        return json_response({"message": "Task deleted"})


def _action(name: str, doc: str):
    """Register POST /tasks/<task_id>/<name> (all take ?actor=)."""

    def register(view):
        view.__doc__ = doc
        blp.route(f"/tasks/<task_id>/{name}", methods=["POST"], endpoint=f"task_{name}")(
            blp.arguments(s.ActorArgs(), location="query")(
                blp.response(200, s.TaskOut)(view)))
        return view

    return register


@_action("claim", "Claim the task for ?actor= (ALREADY_CLAIMED when another holds it).")
def claim(_args, board_id, task_id):
    # The key is checked in the claim's own transaction (auth.CHECKED_IN_WRITE).
    return task_answer(card_details.claim_task(
        board_id=board_id, card_id=task_id, actor=actor_from(), ttl_seconds=CLAIM_SECONDS))


@_action("release", "Release the task's claim.")
def release(_args, board_id, task_id):
    # The key is checked in the release's own transaction (auth.CHECKED_IN_WRITE).
    return task_answer(card_details.release_task(board_id=board_id, card_id=task_id,
                                                 actor=actor_from()))


@_action("archive", "Archive the task (hidden from lists unless archived=true).")
def archive(_args, board_id, task_id):
    require_edit(board_id)
    card_details.set_task_archived(board_id=board_id, card_id=task_id, archived=True,
                                   actor=actor_from())
    return task_response(board_id, task_id)


@_action("unarchive", "Restore an archived task.")
def unarchive(_args, board_id, task_id):
    require_edit(board_id)
    card_details.set_task_archived(board_id=board_id, card_id=task_id, archived=False,
                                   actor=actor_from())
    return task_response(board_id, task_id)


@blp.route("/tasks/<task_id>/move/<column_id>", methods=["POST"])
@blp.arguments(s.ActorArgs(), location="query")
@blp.response(200, s.TaskOut)
def move(_args, board_id, task_id, column_id):
    """Move the task to the end of another column (WIP limit applies)."""
    require_edit(board_id)
    card_details.move_task(board_id=board_id, card_id=task_id, column_key=column_id,
                           actor=actor_from())
    return task_response(board_id, task_id)


@blp.route("/tasks/<task_id>/reorder", methods=["POST"])
@blp.arguments(s.ReorderSchema())
@blp.response(200, s.TaskOut)
def reorder(data, board_id, task_id):
    """Place the task at `position` in its column, or in `column_id`."""
    require_edit(board_id)
    card_details.reorder_task(board_id=board_id, card_id=task_id, position=data["position"],
                              column_key=data["column_id"], actor=actor_from(data))
    return task_response(board_id, task_id)
