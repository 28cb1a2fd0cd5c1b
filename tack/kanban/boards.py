"""/api/v1/boards and their columns."""
import orjson
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tack.api.responses import json_response
from tack.api.snapshots import FAR_FUTURE, cached_read
from tack.extensions import limiter
from tack.kanban import register_v1_blueprint
from tack.kanban import schemas as s
from tack.kanban.auth import offered_key, require_edit
from tack.kanban.common import actor_from
from tack.kanban.translate import board_summary, board_view, column_view
from tack.services import board_reads, boards, columns
from tack.services.access import is_admin_key
from tack.services.boards import board_row, column_rows

blp = register_v1_blueprint(Blueprint(
    "kanban_boards", __name__, url_prefix="/api/v1",
    description="HNR Kanban: boards and columns"))


def board_rate_limit() -> str:
    return current_app.config["TACK"].board_rate_limit


def board_body(board_id: str) -> dict:
    board = board_row(board_id)
    return board_view(board, column_rows(board_id), board_reads.column_counts(board_id))


@blp.route("/boards")
class Boards(MethodView):
    @blp.arguments(s.BoardListArgs(), location="query")
    @blp.response(200, s.BoardSummaryOut(many=True))
    def get(self, args):
        """Public boards (add include_archived=true for archived ones too)."""
        found = boards.list_boards(include_archived=args["include_archived"])
        counts = board_reads.task_counts([board.id for board in found])
        return json_response([board_summary(b, counts.get(b.id, 0)) for b in found])

    @blp.arguments(s.BoardCreateSchema())
    @blp.response(201, s.BoardCreatedOut)
    def post(self, data):
        """Create a board; the manage key in the answer is shown only this once.
        Without the admin key, limited per client address (BOARD_RATE_LIMIT)."""
        if not is_admin_key(offered_key()):
            # Counts this request and answers 429 RATE_LIMIT_EXCEEDED past the limit.
            with limiter.limit(board_rate_limit, scope="kanban-board-create"):
                pass
        board, key = boards.create_board(
            name=data["name"], description=data["description"],
            column_names=data["columns"], workflow=data["workflow"],
            is_public=data["is_public"], require_display_name=data["require_display_name"],
        )
        body = board_body(board.id)
        return json_response({
            "id": board.id, "name": body["name"], "description": body["description"],
            "columns": body["columns"], "manage_key": key,
            "view_url": f"/board/{board.id}", "manage_url": f"/board/{board.id}?key={key}",
            "api_base": f"/api/v1/boards/{board.id}", "created_at": body["created_at"],
        }, 201)


@blp.route("/boards/<board_id>")
class BoardItem(MethodView):
    @blp.response(200, s.BoardOut)
    def get(self, board_id):
        """The board with its columns and task counts."""
        # Cached until the next event (any change to a board or its cards writes one).
        return cached_read(("v1-board", board_id),
                           lambda at: (orjson.dumps(board_body(board_id)), FAR_FUTURE))

    @blp.arguments(s.BoardUpdateSchema())
    @blp.response(200, s.BoardOut)
    def patch(self, data, board_id):
        """Change the board's name, description, flags and quick-action settings."""
        require_edit(board_id)
        boards.update_board(board_id=board_id, changes=data, actor=actor_from(data))
        return json_response(board_body(board_id))


@blp.route("/boards/<board_id>/archive", methods=["POST"])
@blp.response(200, s.MessageOut)
def archive_board(board_id):
    """Archive the board (ALREADY_ARCHIVED when it is)."""
    require_edit(board_id)
    boards.set_board_archived(board_id=board_id, archived=True, actor=actor_from())
    return json_response({"message": "Board archived"})


@blp.route("/boards/<board_id>/unarchive", methods=["POST"])
@blp.response(200, s.MessageOut)
def unarchive_board(board_id):
    """Restore an archived board (NOT_ARCHIVED when it is not)."""
    require_edit(board_id)
    boards.set_board_archived(board_id=board_id, archived=False, actor=actor_from())
    return json_response({"message": "Board unarchived"})


def column_body(board_id: str, column_id: str) -> dict:
    column = columns.get_column(board_id, column_id)
    return column_view(column, board_reads.column_counts(board_id).get(column.key, 0))


@blp.route("/boards/<board_id>/columns", methods=["POST"])
@blp.arguments(s.ColumnCreateSchema())
@blp.response(201, s.ColumnOut)
def create_column(data, board_id):
    """Add a column at `position` (default: the end), with an optional WIP limit."""
    require_edit(board_id)
    column = columns.create_column(board_id=board_id, name=data["name"],
                                   position=data["position"], wip_limit=data["wip_limit"],
                                   actor=actor_from())
    return json_response(column_body(board_id, column.key), 201)


@blp.route("/boards/<board_id>/columns/reorder", methods=["POST"])
@blp.arguments(s.ColumnReorderSchema())
@blp.response(200, s.ColumnOut(many=True))
def reorder_columns(data, board_id):
    """Send every column id in the new order; the first gets position 0."""
    require_edit(board_id)
    columns.reorder_columns(board_id=board_id, column_ids=data["column_ids"],
                            actor=actor_from())
    return json_response(board_body(board_id)["columns"])


@blp.route("/boards/<board_id>/columns/<column_id>")
class ColumnItem(MethodView):
    @blp.arguments(s.ColumnUpdateSchema())
    @blp.response(200, s.ColumnOut)
    def patch(self, data, board_id, column_id):
        """Rename, or set the WIP limit (null removes it)."""
        require_edit(board_id)
        columns.update_column(board_id=board_id, column_id=column_id, actor=actor_from(),
                              **data)
        return json_response(column_body(board_id, column_id))

    @blp.response(200, s.MessageOut)
    def delete(self, board_id, column_id):
        """Delete an empty column (never the last one)."""
        require_edit(board_id)
        columns.delete_column(board_id=board_id, column_id=column_id, actor=actor_from())
        return json_response({"message": "Column deleted"})
