"""/api/ext/v1/boards/<boardId>/tasks: tasks, their comments, todos and turns.
The key's access to the board is checked before any view runs (auth.check_key)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from tack.agentkanban import EXT_PREFIX
from tack.agentkanban import schemas as s
from tack.agentkanban.auth import current_key
from tack.agentkanban.boards import data, no_content
from tack.agentkanban.translate import (
    comment_view,
    stored_priority,
    task_detail,
    task_item,
    todo_view,
    turn_view,
    watermarks_view,
)
from tack.api.responses import json_response
from tack.errors import NotFound
from tack.services import agent_tasks, card_details, deletions, notes, todos, turns
from tack.services.board_reads import read_task

blp = Blueprint("agentkanban_tasks", __name__, url_prefix=EXT_PREFIX + "/boards/<board_id>",
                description="AgentKanban: tasks, comments, todos and captured turns")


def detail(board_id: str, task_id: str, status: int = 200):
    row = read_task(board_id, task_id)
    return data(task_detail(row, agent_tasks.last_turn_at(task_id)), status)


@blp.route("/tasks")
class Tasks(MethodView):
    @blp.arguments(s.AkTaskListArgs(), location="query")
    def get(self, args, board_id):
        """Tasks in lane order; archived ones only with includeArchived=true."""
        rows = agent_tasks.list_tasks(board_id=board_id, lane_id=args["lane_id"],
                                      include_archived=args["include_archived"],
                                      short_id_prefix=args["short_id_prefix"])
        return data([task_item(row) for row in rows])

    @blp.arguments(s.AkTaskCreate())
    def post(self, body, board_id):
        """Create a task at the end of `laneId` (default: the first lane)."""
        priority = body["priority"]
        card = card_details.create_task(
            board_id=board_id, title=body["title"], description=body["description"],
            column_key=body["lane_id"],
            priority="normal" if priority is None else stored_priority(priority),
            tags=body["tags"], actor=current_key().name)
        return detail(board_id, card.id, 201)


@blp.route("/tasks/<task_id>")
class TaskItem(MethodView):
    def get(self, board_id, task_id):
        """The task with its description, short id and last captured turn time."""
        return detail(board_id, task_id)

    @blp.arguments(s.AkTaskUpdate())
    def patch(self, body, board_id, task_id):
        """Change title, description, priority (0-4), tags and/or archived."""
        changes = {field: body[field] for field in ("title", "description", "tags")
                   if field in body}
        if "priority" in body:
            changes["priority"] = stored_priority(body["priority"])
        agent_tasks.edit_task(board_id=board_id, card_id=task_id, changes=changes,
                              archived=body.get("archived"), actor=current_key().name)
        return detail(board_id, task_id)

    def delete(self, board_id, task_id):
        card_details.delete_task(board_id=board_id, card_id=task_id, actor=current_key().name)
        return no_content()


@blp.route("/tasks/<task_id>/move", methods=["POST"])
@blp.arguments(s.AkTaskMove())
def move(body, board_id, task_id):
    """Move to `laneId`, at `position` (0-based) or the end (WIP limits apply)."""
    agent_tasks.move_task(board_id=board_id, card_id=task_id, lane_id=body["lane_id"],
                          position=body["position"], actor=current_key().name)
    row = read_task(board_id, task_id)
    return data({"id": row.id, "laneId": row.column_key,
                 "position": agent_tasks.place_in_lane(board_id, task_id)})


# --- comments -------------------------------------------------------------------

@blp.route("/tasks/<task_id>/comments")
class Comments(MethodView):
    @blp.arguments(s.AkCommentListArgs(), location="query")
    def get(self, args, board_id, task_id):
        """The task's thread, oldest first, with authorSource (user, api or agent)."""
        read_task(board_id, task_id)
        found = [comment_view(note) for note in notes.list_notes(task_id)]
        if args["author_source"]:
            found = [c for c in found if c["authorSource"] == args["author_source"]]
        return data(found)

    @blp.arguments(s.AkCommentCreate())
    def post(self, body, board_id, task_id):
        """Add a comment; source is api (default) or agent."""
        note_id = card_details.comment(
            board_id=board_id, card_id=task_id, message=body["body"],
            actor=(body["author_name"] or "").strip() or current_key().name,
            source=body["source"]).note_id
        note = next(note for note in notes.list_notes(task_id) if note.id == note_id)
        return data(comment_view(note), 201)


@blp.route("/tasks/<task_id>/comments/<comment_id>", methods=["DELETE"])
def delete_comment(board_id, task_id, comment_id):
    if not comment_id.isdigit():
        raise NotFound("Comment not found", "COMMENT_NOT_FOUND")
    deletions.delete_comment(board_id=board_id, card_id=task_id, note_id=int(comment_id),
                             actor=current_key().name)
    return no_content()


# --- todos ----------------------------------------------------------------------

@blp.route("/tasks/<task_id>/todos")
class Todos(MethodView):
    def get(self, board_id, task_id):
        """The checklist, ordered by iteration, then the task's todo order."""
        return data([todo_view(todo) for todo in
                     todos.list_todos(board_id=board_id, card_id=task_id)])

    @blp.arguments(s.AkTodoCreate())
    def post(self, body, board_id, task_id):
        """Add a todo at the end of the list (iteration defaults to 1)."""
        todo = todos.add_todo(board_id=board_id, card_id=task_id, text=body["text"],
                              iteration=body["iteration"], source=body["source"],
                              done=body["done"], actor=current_key().name)
        return data(todo_view(todo), 201)


@blp.route("/tasks/<task_id>/todos/reorder", methods=["POST"])
@blp.arguments(s.AkTodoReorder())
def reorder_todos(body, board_id, task_id):
    """The listed todos first, in that order; the rest keep theirs after them."""
    ordered = todos.reorder_todos(board_id=board_id, card_id=task_id,
                                  ordered_ids=body["ordered_ids"], actor=current_key().name)
    return data([todo_view(todo) for todo in ordered])


@blp.route("/tasks/<task_id>/todos/<todo_id>")
class TodoItem(MethodView):
    def get(self, board_id, task_id, todo_id):
        return data(todo_view(todos.get_todo(board_id=board_id, card_id=task_id,
                                             todo_id=todo_id)))

    @blp.arguments(s.AkTodoUpdate())
    def patch(self, body, board_id, task_id, todo_id):
        """Change text, done (tick) and/or iteration."""
        todo = todos.update_todo(board_id=board_id, card_id=task_id, todo_id=todo_id,
                                 actor=current_key().name, **body)
        return data(todo_view(todo))

    def delete(self, board_id, task_id, todo_id):
        todos.delete_todo(board_id=board_id, card_id=task_id, todo_id=todo_id,
                          actor=current_key().name)
        return no_content()


# --- turns ----------------------------------------------------------------------

@blp.route("/tasks/<task_id>/turns")
class Turns(MethodView):
    @blp.arguments(s.AkTurnListArgs(), location="query")
    def get(self, args, board_id, task_id):
        """Turns oldest first (?source=, ?after=, ?limit=, ?cursor= from the last page)."""
        rows, cursor = turns.list_turns(board_id=board_id, card_id=task_id, **args)
        marks = turns.watermarks(board_id=board_id, card_id=task_id, source=args["source"])
        return json_response({"data": [turn_view(row) for row in rows],
                              "watermarks": watermarks_view(marks), "cursor": cursor})

    @blp.arguments(s.AkTurnBatch())
    def post(self, body, board_id, task_id):
        """Upsert up to 100 turns; a turn already kept (source + sourceId) is skipped."""
        batch = [turns.NewTurn(**turn) for turn in body["turns"]]
        inserted = turns.add_turns(board_id=board_id, card_id=task_id, turns=batch,
                                   actor=current_key().name)
        marks = turns.watermarks(board_id=board_id, card_id=task_id)
        return json_response({"data": {"inserted": inserted},
                              "watermarks": watermarks_view(marks)}, 201)


@blp.route("/tasks/<task_id>/turns/watermark", methods=["GET"])
def watermark(board_id, task_id):
    """Each source's newest turn (sourceId, capturedAt), without content."""
    marks = turns.watermarks(board_id=board_id, card_id=task_id)
    return json_response({"watermarks": watermarks_view(marks)})
