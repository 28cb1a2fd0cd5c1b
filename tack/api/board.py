"""Whole-board reads: the board, the waiting lists, activity and changes."""
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import orjson
from flask import current_app
from flask_smorest import Blueprint

from tack.api import schemas as s
from tack.api.cards import card_list_response, parse_fields
from tack.api.responses import json_response, with_etag
from tack.clock import isoformat, now
from tack.services import cards, decisions, events
from tack.services.boards import DEFAULT_BOARD, columns, columns_with_role
from tack.services.views import card_view, claim_is_active, event_view, sparse

blp = Blueprint("board", __name__, url_prefix="/api", description="Board-wide reads")
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class BoardSnapshot:
    seq: int
    valid_until: datetime  # when time alone (an expiring claim, archiving) changes it
    etag: str
    body: bytes


class BoardCache:
    """Rendered boards keyed by the last event seq. The log is append-only, so a new
    event is the only way the data changes and the cache invalidates itself; the
    clock's part (claims expiring, done cards ageing out) is `valid_until`."""

    MAX_ENTRIES = 64

    def __init__(self):
        self._entries: dict[tuple, BoardSnapshot] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, seq: int, at: datetime) -> BoardSnapshot | None:
        hit = self._entries.get(key)
        if hit and hit.seq == seq and at < hit.valid_until:
            return hit
        return None

    def put(self, key: tuple, snapshot: BoardSnapshot) -> None:
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = snapshot

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


board_cache = BoardCache()


def build_board(board_id: str, fields, at: datetime, seq: int) -> BoardSnapshot:
    archive_days = current_app.config["TACK"].done_archive_days
    shown = cards.board_cards(board_id=board_id, at=at, archive_days=archive_days)
    by_column = {column.key: [] for column in columns(board_id)}
    done = {column.key for column in columns_with_role("done", board_id)}
    valid_until = FAR_FUTURE
    for card in shown:
        by_column[card.column_name].append(sparse(card_view(card, at), fields))
        if claim_is_active(card, at):
            valid_until = min(valid_until, card.claim_expires_at)
        if card.column_name in done:
            valid_until = min(valid_until, card.updated_at + timedelta(days=archive_days))
    body = orjson.dumps(by_column)
    field_key = ",".join(sorted(fields)) if fields else "*"
    digest = hashlib.blake2b(f"{board_id}|{seq}|{field_key}|{valid_until}".encode(),
                             digest_size=12).hexdigest()
    return BoardSnapshot(seq=seq, valid_until=valid_until, etag=digest,
                         body=body)


@blp.route("/board", methods=["GET"])
@blp.arguments(s.BoardArgs, location="query")
@blp.response(200, s.BoardSchema)
def board(args):
    """The whole board: one key per column. Old done cards are left out."""
    fields = parse_fields(args["fields"])
    at = now()
    # Read seq before the cards: a snapshot is then never older than its key.
    seq = events.last_seq(DEFAULT_BOARD)
    key = (DEFAULT_BOARD, fields)
    snapshot = board_cache.get(key, seq, at)
    if snapshot is None:
        snapshot = build_board(DEFAULT_BOARD, fields, at, seq)
        board_cache.put(key, snapshot)
    return with_etag(snapshot.body, snapshot.etag)


@blp.route("/decisions", methods=["GET"])
@blp.response(200, s.CardSchema(many=True))
def pending_decisions():
    """Cards awaiting a decision, oldest update first."""
    return card_list_response(decisions.waiting_cards("decision"), None)


@blp.route("/approvals", methods=["GET"])
@blp.response(200, s.CardSchema(many=True))
def pending_approvals():
    """Cards awaiting approval, oldest update first."""
    return card_list_response(decisions.waiting_cards("approval"), None)


@blp.route("/activity", methods=["GET"])
@blp.arguments(s.ActivityArgs, location="query")
@blp.response(200, s.ActivitySchema(many=True))
def activity(args):
    """What happened, newest first."""
    found = events.recent_events(args["limit"], card_id=args["card_id"])
    return json_response([event_view(e) for e in found])


@blp.route("/changes", methods=["GET"])
@blp.arguments(s.ChangesArgs, location="query")
@blp.response(200, s.ChangesSchema)
def changes(args):
    """Events with the card as it is now. `after=<seq>` reads oldest-first from a
    cursor and never misses a change; `since=<time>` is Tack's newest-first form."""
    checked_at = now()
    limit = args["limit"]
    if args["after"] is not None:
        found = events.events_after(args["after"], limit)
        cursor = found[-1].seq if found else args["after"]
    elif args["since"] is not None:
        found = events.events_since(args["since"], limit)
        cursor = found[0].seq if found else events.last_seq()
    else:
        found = events.recent_events(limit)
        cursor = found[0].seq if found else events.last_seq()
    current = events.cards_by_id(e.card_id for e in found)
    changed = []
    for event in found:
        entry = event_view(event)
        card = current.get(event.card_id)
        entry["card"] = card_view(card, checked_at) if card else None
        changed.append(entry)
    return json_response({"changes": changed, "checked_at": isoformat(checked_at),
                          "cursor": cursor, "has_more": len(found) == limit})
