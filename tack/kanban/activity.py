"""/api/v1: comments, a task's events, and board activity."""
from types import SimpleNamespace

from flask_smorest import Blueprint

from tack.api.responses import json_response
from tack.kanban import register_v1_blueprint
from tack.kanban import schemas as s
from tack.kanban.common import actor_from, task_bodies
from tack.kanban.translate import event_view, timestamp
from tack.services import board_reads, card_details

blp = register_v1_blueprint(Blueprint(
    "kanban_activity", __name__, url_prefix="/api/v1/boards/<board_id>",
    description="HNR Kanban: comments, task events, board activity"))

ENRICHED = ("created", "note_added")


def comment_body(event, note) -> dict:
    view = event_view(event, note)
    return {key: view[key] for key in ("id", "event_type", "actor", "data", "created_at")}


@blp.route("/tasks/<task_id>/comment", methods=["POST"])
@blp.arguments(s.CommentSchema())
@blp.response(201, s.EventOut)
def post_comment(data, board_id, task_id):
    """Comment on a task; @Name and @"Quoted Name" mentions are extracted."""
    # The key is checked in the comment's own transaction (auth.CHECKED_IN_WRITE).
    added = card_details.comment(board_id=board_id, card_id=task_id,
                                 message=data["message"], actor=actor_from(data))
    if "seq" in added.event:  # the write's only event: answered from what it wrote
        event, note = SimpleNamespace(**added.event), added
    else:
        event, note = board_reads.comment_read_back(added.note_id, task_id)
    return json_response(comment_body(event, note), 201)


@blp.route("/tasks/<task_id>/events", methods=["GET"])
@blp.response(200, s.EventOut(many=True))
def task_events(board_id, task_id):
    """The task's whole activity log, oldest first."""
    found = board_reads.card_events(board_id, task_id)
    notes = board_reads.notes_by_id(e.note_id for e in found)
    return json_response([event_view(e, board_reads.note_of(e, notes)) for e in found])


@blp.route("/activity", methods=["GET"])
@blp.arguments(s.ActivityArgs(), location="query")
@blp.response(200, s.ActivityOut(many=True))
def activity(args, board_id):
    """Activity across the board's tasks. ?after=<seq> reads oldest first from a
    cursor (recommended); otherwise newest first. `created` and `comment` events
    carry the task, and comments the last 10 comments and the mentions."""
    found = board_reads.board_activity(board_id=board_id, since=args["since"],
                                       after=args["after"], limit=args["limit"],
                                       mentioned=args["mentioned"])
    notes = board_reads.notes_by_id(e.note_id for e in found)
    cards = board_reads.cards_by_id(e.card_id for e in found)
    enriched_ids = [e.card_id for e in found if e.action in ENRICHED and e.card_id in cards]
    tasks = {body["id"]: body for body in
             task_bodies(board_id, [cards[i] for i in dict.fromkeys(enriched_ids)])}
    commented = board_reads.recent_comments(
        e.card_id for e in found if e.action == "note_added")
    items = []
    for event in found:
        item = event_view(event, board_reads.note_of(event, notes))
        card = cards.get(event.card_id)
        item["task_title"] = card.title if card is not None else None
        if event.action in ENRICHED:
            item["task"] = tasks.get(event.card_id)
        if event.action == "note_added":
            item["recent_comments"] = [
                {"id": str(note.id), "actor": note.author or "", "message": note.content,
                 "created_at": timestamp(note.created_at)}
                for note in commented.get(event.card_id, [])]
            item["mentions"] = item["data"].get("mentions", [])
        items.append(item)
    return json_response(items)
