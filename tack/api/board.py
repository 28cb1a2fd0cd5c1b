"""Whole-board reads: the board, the waiting lists, activity and changes."""
from datetime import datetime

from flask import current_app
from flask_smorest import Blueprint

from tack.api import schemas as s
from tack.api.board_state import board_body
from tack.api.actions import requested_board
from tack.api.cards import cached_card_list, parse_fields
from tack.api.responses import json_response
from tack.api.snapshots import cached_read
from tack.clock import isoformat, now
from tack.services import decisions, events
from tack.services.card_json import card_view, event_view

blp = Blueprint("board", __name__, url_prefix="/api", description="Board-wide reads")


def build_board(board_id: str, fields, seq: int, at: datetime) -> tuple[bytes, datetime]:
    return board_body(board_id, fields, seq, at, current_app.config["TACK"].done_archive_days)


@blp.route("/board", methods=["GET"])
@blp.arguments(s.BoardArgs(), location="query")
@blp.response(200, s.BoardSchema)
def board(args):
    """The whole board: one key per column. Old done cards are left out."""
    fields = parse_fields(args["fields"])
    board_id = requested_board()
    return cached_read(("board", board_id, fields),
                       lambda seq, at: build_board(board_id, fields, seq, at), pass_seq=True)


@blp.route("/decisions", methods=["GET"])
@blp.response(200, s.CardSchema(many=True))
def pending_decisions():
    """Cards awaiting a decision, oldest update first."""
    return waiting_on("decision")


@blp.route("/approvals", methods=["GET"])
@blp.response(200, s.CardSchema(many=True))
def pending_approvals():
    """Cards awaiting approval, oldest update first."""
    return waiting_on("approval")


def waiting_on(role: str):
    """The cards of `?board=` waiting on a person's `role` answer, cached."""
    board_id = requested_board()
    return cached_card_list(("waiting", role, board_id),
                            lambda: decisions.waiting_cards(role, board_id))


@blp.route("/activity", methods=["GET"])
@blp.arguments(s.ActivityArgs(), location="query")
@blp.response(200, s.ActivitySchema(many=True))
def activity(args):
    """What happened, newest first."""
    found = events.recent_events(args["limit"], board_id=requested_board(),
                                 card_id=args["card_id"])
    return json_response([event_view(e) for e in found])


@blp.route("/changes", methods=["GET"])
@blp.arguments(s.ChangesArgs(), location="query")
@blp.response(200, s.ChangesSchema)
def changes(args):
    """Events with the card as it is now. `after=<seq>` reads oldest-first from a
    cursor and never misses a change; `since=<time>` is Tack's newest-first form."""
    checked_at = now()
    limit = args["limit"]
    board_id = requested_board()
    if args["after"] is not None:
        found = events.events_after(args["after"], limit, board_id)
        cursor = found[-1].seq if found else args["after"]
    elif args["since"] is not None:
        found = events.events_since(args["since"], limit, board_id)
        cursor = found[0].seq if found else events.last_seq(board_id)
    else:
        found = events.recent_events(limit, board_id)
        cursor = found[0].seq if found else events.last_seq(board_id)
    current = events.cards_by_id(e.card_id for e in found)
    changed = []
    for event in found:
        entry = event_view(event)
        card = current.get(event.card_id)
        if card is not None:  # Tack leaves the key out once the card is deleted
            entry["card"] = card_view(card, checked_at)
        changed.append(entry)
    return json_response({"changes": changed, "checked_at": isoformat(checked_at),
                          "cursor": cursor, "has_more": len(found) == limit})
