"""/api/ext/v1/boards and their lanes."""
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from tack.agentkanban import EXT_PREFIX
from tack.agentkanban import schemas as s
from tack.agentkanban.auth import current_key
from tack.agentkanban.translate import lane_view
from tack.api.responses import json_response
from tack.services import access_keys, board_reads, boards, columns, deletions, lanes
from tack.services.boards import board_row, column_rows

blp = Blueprint("agentkanban_boards", __name__, url_prefix=EXT_PREFIX,
                description="AgentKanban: boards and lanes")


def data(payload, status: int = 200):
    return json_response({"data": payload}, status)


def no_content():
    return Response(status=204)


@blp.route("/boards")
class Boards(MethodView):
    def get(self):
        """The boards this key can read, each with the key's permission."""
        key = current_key()
        found = boards.list_boards(public_only=False)
        return data([{"id": board.id, "name": board.name,
                      "permission": key.permission_on(board.id)}
                     for board in found if key.permission_on(board.id)])

    @blp.arguments(s.AkBoardCreate())
    def post(self, body):
        """Create a board, without lanes (the client makes them); the key gets edit
        on it."""
        key = current_key()
        board, _manage_key = boards.create_board(name=body["name"], column_names=[],
                                                 workflow="columns", actor=key.name)
        access_keys.grant_board(key_id=key.id, board_id=board.id, permission="edit")
        return data({"id": board.id, "name": board.name}, 201)


@blp.route("/boards/<board_id>")
class BoardItem(MethodView):
    def get(self, board_id):
        """The board with its lanes and their task counts (archived tasks not counted)."""
        board = board_row(board_id)
        counts = board_reads.column_counts(board_id)
        return data({"id": board.id, "name": board.name,
                     "lanes": [lane_view(column, counts.get(column.key, 0))
                               for column in column_rows(board_id)]})

    def delete(self, board_id):
        """Delete the board and everything on it (edit permission)."""
        deletions.delete_board(board_id=board_id, actor=current_key().name)
        return no_content()


@blp.route("/boards/<board_id>/lanes")
class Lanes(MethodView):
    def get(self, board_id):
        """The board's lanes in position order."""
        return data([lane_view(column) for column in column_rows(board_id)])

    @blp.arguments(s.AkLaneCreate())
    def post(self, body, board_id):
        """Add a lane at the end."""
        lane = columns.create_column(board_id=board_id, name=body["name"],
                                     actor=current_key().name)
        return data(lane_view(lane), 201)


@blp.route("/boards/<board_id>/lanes/<lane_id>")
class LaneItem(MethodView):
    @blp.arguments(s.AkLaneUpdate())
    def patch(self, body, board_id, lane_id):
        """Rename ({name}) and/or move ({position}, 0-based) the lane."""
        lane = lanes.update_lane(board_id=board_id, lane_id=lane_id,
                                 name=body.get("name", columns.UNSET),
                                 position=body.get("position"), actor=current_key().name)
        return data(lane_view(lane))

    def delete(self, board_id, lane_id):
        """Delete an empty lane (never the last one)."""
        columns.delete_column(board_id=board_id, column_id=lane_id, actor=current_key().name)
        return no_content()
