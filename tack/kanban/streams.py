"""/api/v1: the board's live event stream (Server-Sent Events)."""
from flask_smorest import Blueprint

from tack import streams
from tack.kanban import register_v1_blueprint
from tack.services.boards import board_row

blp = register_v1_blueprint(Blueprint(
    "kanban_streams", __name__, url_prefix="/api/v1/boards/<board_id>",
    description="HNR Kanban: live events"))


@blp.route("/events/stream", methods=["GET"])
@blp.doc(responses={"200": {"description": "text/event-stream"}})
def event_stream(board_id):
    """Live events: task.created, task.updated, task.deleted, task.claimed,
    task.released, task.moved, task.comment. Each `id:` is the log's seq; reconnect
    with Last-Event-ID (or ?after=<seq>) to get every event missed, in order. A
    client further behind than the server replays gets a `warning` event. A comment
    line (`: heartbeat`) every 15 s keeps proxies from closing the stream. 503
    TOO_MANY_STREAMS when this server's stream slots are all taken."""
    board_row(board_id)
    return streams.stream_response(
        streams.CONTRACT, board_id, "activity",
        lambda gap_after: f"/api/v1/boards/{board_id}/activity?after={gap_after}")
