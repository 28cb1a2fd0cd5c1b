"""GET /api/v1/boards/<id>/tasks/search: the contract's search over Tack's ranked
full-text search (tack.services.search), archived tasks left out as in the list."""
from flask_smorest import Blueprint

from tack.api.responses import json_response
from tack.kanban import register_v1_blueprint
from tack.kanban import schemas as s
from tack.kanban.common import task_bodies
from tack.kanban.translate import stored_priority
from tack.services import search

blp = register_v1_blueprint(Blueprint(
    "kanban_search", __name__, url_prefix="/api/v1/boards/<board_id>",
    description="HNR Kanban: full-text search over a board's tasks"))


@blp.route("/tasks/search", methods=["GET"])
@blp.arguments(s.TaskSearchArgs(), location="query")
@blp.response(200, s.TaskSearchOut)
def search_tasks(args, board_id):
    """Tasks matching every word of `q` (titles above labels above descriptions),
    narrowed by the list's filters, with the total across pages."""
    priority = args["priority"]
    rows, total = search.search_cards(
        board_id=board_id, query=args["q"], column_name=args["column"],
        assignee=args["assigned"], tag=args["label"], claimed_by=args["claimed"],
        priority=None if priority is None else stored_priority(priority),
        include_archived=False, limit=args["limit"], offset=args["offset"])
    return json_response({"query": args["q"], "tasks": task_bodies(board_id, rows),
                          "total": total, "limit": args["limit"], "offset": args["offset"]})
