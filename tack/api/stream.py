"""Tack's native live stream: every activity action, as /api/activity shows it."""
from flask import request
from flask_smorest import Blueprint

from tack import streams
from tack.services.boards import DEFAULT_BOARD, get_board

blp = Blueprint("stream", __name__, url_prefix="/api", description="Live events")


@blp.route("/stream", methods=["GET"])
@blp.doc(responses={"200": {"description": "text/event-stream"}})
def stream():
    """Server-Sent Events for every action in the log (`event:` is the action, e.g.
    claimed, moved, note_added, column_created; `data:` is the activity item plus
    board_id). ?board=<id> keeps one board's; without it, every board's. `id:` is the
    log's seq: reconnect with Last-Event-ID (or ?after=<seq>) to miss nothing. A
    client further behind than the server replays gets a `warning` event. 503
    TOO_MANY_STREAMS when this server's stream slots are all taken."""
    board_id = request.args.get("board") or None
    if board_id is not None and board_id != DEFAULT_BOARD:
        get_board(board_id)
    board_arg = f"&board={board_id}" if board_id else ""
    return streams.stream_response(
        streams.NATIVE, board_id, "changes",
        lambda gap_after: f"/api/changes?after={gap_after}{board_arg}")
