"""Conversation turns captured by IDE extensions (Copilot, Claude Code, Codex),
kept per card. Posting is an idempotent upsert: a turn is known by its source and
the source's own id, so re-sending a batch inserts nothing, also when several
clients send overlapping batches at once (the unique index decides, not a read).

A source's watermark is its newest turn (by capture time, then arrival): what a
client has already synced."""
import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tack.clock import as_utc, now
from tack.errors import Invalid
from tack.extensions import db
from tack.models_agentkanban import Turn
from tack.services.card_details import card_on_board
from tack.services.reading import fetch
from tack.services.transaction import connection, record, write_transaction

BATCH_MAX = 100
LIST_LIMIT_MAX = 500
SOURCE_MAX = 64
SOURCE_ID_MAX = 200
ROLE_MAX = 32
CONTENT_MAX = 200_000
TURNS = Turn.__table__


@dataclass(frozen=True)
class NewTurn:
    source: str
    source_id: str
    role: str
    content: str
    captured_at: datetime
    tool_use_only: bool = False


def _check_text(value, field: str, limit: int, required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(f"{field} is required", "INVALID_INPUT")
    if len(value) > limit:
        raise Invalid(f"{field} is longer than {limit} characters", "INVALID_INPUT")
    return value


def _check(turn: NewTurn) -> None:
    _check_text(turn.source, "source", SOURCE_MAX)
    _check_text(turn.source_id, "sourceId", SOURCE_ID_MAX)
    _check_text(turn.role, "role", ROLE_MAX)
    _check_text(turn.content, "content", CONTENT_MAX, required=False)
    if not isinstance(turn.captured_at, datetime):
        raise Invalid("capturedAt must be a date-time", "INVALID_INPUT")


def _insert_ignoring_duplicates():
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    # RETURNING yields a row only for a turn really inserted (rowcount is not
    # reliable here on PostgreSQL).
    return dialect.insert(TURNS).on_conflict_do_nothing(
        index_elements=["card_id", "source", "source_id"]).returning(TURNS.c.id)


@write_transaction
def add_turns(*, board_id: str, card_id: str, turns: list[NewTurn], actor: str = "") -> int:
    """Insert the turns not already kept; returns how many were new."""
    if not turns:
        raise Invalid("turns must hold at least one turn", "INVALID_INPUT")
    if len(turns) > BATCH_MAX:
        raise Invalid(f"At most {BATCH_MAX} turns per batch", "INVALID_INPUT")
    for turn in turns:
        _check(turn)
    card_on_board(board_id, card_id)
    statement, at, inserted = _insert_ignoring_duplicates(), now(), 0
    for turn in turns:
        inserted += connection().execute(statement, {
            "card_id": card_id, "source": turn.source, "source_id": turn.source_id,
            "role": turn.role, "content": turn.content, "tool_use_only": turn.tool_use_only,
            "captured_at": as_utc(turn.captured_at), "created_at": at}).first() is not None
    if inserted:
        record("turns_added", card_id=card_id, actor=actor, details=str(inserted),
               board_id=board_id)
    return inserted


def watermarks(*, board_id: str, card_id: str, source: str | None = None) -> dict:
    """{source: newest turn row} for each source of the card's turns."""
    card_on_board(board_id, card_id)
    ranked = sa.select(TURNS.c.source, TURNS.c.source_id, TURNS.c.captured_at,
                       sa.func.row_number().over(
                           partition_by=TURNS.c.source,
                           order_by=(TURNS.c.captured_at.desc(), TURNS.c.id.desc()),
                       ).label("rank")).where(TURNS.c.card_id == card_id)
    if source:
        ranked = ranked.where(TURNS.c.source == source)
    ranked = ranked.subquery()
    rows = fetch(sa.select(ranked).where(ranked.c.rank == 1).order_by(ranked.c.source))
    return {row.source: row for row in rows}


def encode_cursor(row) -> str:
    raw = f"{as_utc(row.captured_at).isoformat()}|{row.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        captured, turn_id = raw.rsplit("|", 1)
        return as_utc(datetime.fromisoformat(captured)), int(turn_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("cursor is not one this server gave out", "INVALID_INPUT") from None


def list_turns(*, board_id: str, card_id: str, source: str | None = None,
               after: datetime | None = None, limit: int = 100,
               cursor: str | None = None) -> tuple[list[sa.Row], str | None]:
    """Turns oldest first (captured after `after`, past `cursor`), and the cursor of
    the next page (None when this is the last)."""
    if not 1 <= limit <= LIST_LIMIT_MAX:
        raise Invalid(f"limit must be 1 to {LIST_LIMIT_MAX}", "INVALID_INPUT")
    card_on_board(board_id, card_id)
    query = sa.select(TURNS).where(TURNS.c.card_id == card_id)
    if source:
        query = query.where(TURNS.c.source == source)
    if after is not None:
        query = query.where(TURNS.c.captured_at > as_utc(after))
    if cursor:
        captured, turn_id = decode_cursor(cursor)
        query = query.where(sa.or_(TURNS.c.captured_at > captured,
                                   sa.and_(TURNS.c.captured_at == captured,
                                           TURNS.c.id > turn_id)))
    rows = fetch(query.order_by(TURNS.c.captured_at, TURNS.c.id).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more else None
