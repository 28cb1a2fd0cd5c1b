"""What a card gained with many boards: metadata, due date, archive, a position the
client sets, comments with mentions, and changes to many cards at once. Moves,
edits and claims still go through services.cards and services.claims."""
from datetime import datetime

import orjson
import sqlalchemy as sa

from tack.clock import now
from tack.errors import Conflict, Invalid, NotFound
from tack.models import Board, Card, Column, Note
from tack.services import cards, claims
from tack.models import UTCDateTime
from tack.services.boards import board_row, check_actor, get_board
from tack.services.transaction import connection, record, session, write_transaction

CARDS = Card.__table__
CARD_BOARD = sa.select(CARDS.c.board_id).where(CARDS.c.id == sa.bindparam("card_id"))
TOUCH_CARD_ON_BOARD = (
    sa.update(CARDS)
    .where(CARDS.c.id == sa.bindparam("card_id"),
           CARDS.c.board_id == sa.bindparam("on_board"))
    .values(updated_at=sa.bindparam("at", type_=UTCDateTime()))
    .returning(CARDS.c.id)
)

# What the contract's task answer adds to the card row: its column's display name
# and its comment count. As scalar subqueries, a write can return them with the card
# it changed, and the answer needs no read after the write.
# The card's columns are named in full: SQLAlchemy writes SQLite's RETURNING without
# table names, and inside the subquery a bare `board_id` would be the column's own.
COLUMNS = Column.__table__
NOTES = Note.__table__
COLUMN_TITLE = (
    sa.select(COLUMNS.c.name)
    .where(COLUMNS.c.board_id == sa.literal_column("cards.board_id"),
           COLUMNS.c.key == sa.literal_column("cards.column_key"))
    .scalar_subquery().label("column_title"))
COMMENT_COUNT = (
    sa.select(sa.func.count()).where(NOTES.c.card_id == sa.literal_column("cards.id"))
    .scalar_subquery().label("comment_count"))
ON_BOARD = CARDS.c.board_id == sa.bindparam("on_board")


def returning_the_task(statement: sa.Update) -> sa.Update:
    """`statement`, an UPDATE of one card, returning the whole task (what it already
    returns is not asked for twice)."""
    returned = {column.name for column in statement.exported_columns}
    return statement.returning(*(column for column in CARDS.c if column.name not in returned),
                               COLUMN_TITLE, COMMENT_COUNT)


# A claim and a release on the board's card only, answering with the task.
CLAIM_TASK = returning_the_task(claims.CLAIM.where(ON_BOARD))
RELEASE_TASK = returning_the_task(claims.RELEASE_ANY.where(ON_BOARD))

# Documented limit: a card's metadata is a JSON object of at most this many bytes.
METADATA_MAX_BYTES = 16 * 1024
UNSET = object()


def check_metadata(metadata) -> dict:
    if not isinstance(metadata, dict):
        raise Invalid("metadata must be a JSON object", "INVALID_INPUT")
    try:
        size = len(orjson.dumps(metadata))
    except TypeError:
        raise Invalid("metadata must be plain JSON", "INVALID_INPUT") from None
    if size > METADATA_MAX_BYTES:
        raise Invalid(f"metadata is {size} bytes; at most {METADATA_MAX_BYTES}",
                      "INVALID_INPUT")
    return metadata


def _check_not_empty(title: str, description: str) -> None:
    if not (title or "").strip() and not (description or "").strip():
        raise Invalid("A task needs a title or a description", "EMPTY_TASK")


def card_on_board(board_id: str, card_id: str) -> Card:
    """The card, only when it belongs to `board_id` (else TASK_NOT_FOUND)."""
    card = session().get(Card, card_id)
    if card is None or card.board_id != board_id:
        raise NotFound("Task not found", "TASK_NOT_FOUND")
    return card


def check_on_board(board_id: str, card_id: str) -> None:
    """TASK_NOT_FOUND unless the card is on the board (one indexed read, no ORM)."""
    if connection().execute(CARD_BOARD, {"card_id": card_id}).scalar() != board_id:
        raise NotFound("Task not found", "TASK_NOT_FOUND")


def first_column(board: Board) -> Column:
    if not board.columns:
        raise Invalid("The board has no columns yet: create one first", "NO_COLUMNS")
    return min(board.columns, key=lambda column: column.position)


@write_transaction
def create_task(*, board_id: str, title: str = "", description: str = "",
                column_key: str | None = None, priority: str = "low",
                position: int | None = None, assignee: str = "",
                tags: list[str] | None = None, metadata: dict | None = None,
                due_at: datetime | None = None, actor: str = "") -> Card:
    """A card with the extra fields, in one transaction. No column: the first."""
    board = get_board(board_id)
    _check_not_empty(title, description)
    if metadata is not None:
        check_metadata(metadata)
    column_key = column_key or first_column(board).key
    created = cards.create_card(title=title, description=description, column_name=column_key,
                                assignee=assignee, priority=priority, created_by=actor,
                                tags=tags, board_id=board_id)
    card = cards.get_card(created.id)  # create_card inserts with Core: load it to edit
    card.card_metadata = metadata or {}
    card.due_at = due_at
    if position is not None:
        cards.put_at(card, card.column_key, position)
    return card


@write_transaction
def update_task(*, board_id: str, card_id: str, changes: dict, metadata=UNSET,
                due_at=UNSET, actor: str = "") -> Card:
    """Tack's editable fields through update_card (moves obey the WIP limit there),
    then metadata and due date. A task keeps a title or a description."""
    card = card_on_board(board_id, card_id)
    cards.update_card(card_id=card_id, changes=changes, actor=actor)
    card = cards.get_card(card_id)
    _check_not_empty(card.title, card.description)
    edited = []
    if metadata is not UNSET:
        metadata = {} if metadata is None else check_metadata(metadata)
        if metadata != (card.card_metadata or {}):
            card.card_metadata = metadata
            edited.append("metadata")
    if due_at is not UNSET and due_at != card.due_at:
        card.due_at = due_at
        edited.append("due_at")
    if edited:
        card.updated_at = now()
        record("updated", card_id=card.id, actor=actor, details=", ".join(edited),
               board_id=board_id)
    return card


@write_transaction
def set_task_archived(*, board_id: str, card_id: str, archived: bool,
                      actor: str = "") -> Card:
    """Archive (hidden from lists by default) or restore. Doing it twice is a no-op,
    but still a write: on a board requiring display names it needs one."""
    card = card_on_board(board_id, card_id)
    check_actor(board_row(board_id), actor)
    if archived == (card.archived_at is not None):
        return card
    at = now()
    card.archived_at = at if archived else None
    card.updated_at = at
    record("archived" if archived else "unarchived", card_id=card.id, actor=actor,
           details=card.title, board_id=board_id)
    return card


@write_transaction
def reorder_task(*, board_id: str, card_id: str, position: int,
                 column_key: str | None = None, actor: str = "") -> Card:
    """Place the card at `position` in its column, or in `column_key` (WIP limit
    applies when the column changes)."""
    card = card_on_board(board_id, card_id)
    cards.place_card(card, column_key or card.column_key, max(position, 0), actor, now())
    return card


@write_transaction
def move_task(*, board_id: str, card_id: str, column_key: str, actor: str = "") -> Card:
    card = card_on_board(board_id, card_id)
    cards.place_card(card, column_key, None, actor, now())
    return card


@write_transaction
def delete_task(*, board_id: str, card_id: str, actor: str = "") -> None:
    check_on_board(board_id, card_id)
    cards.delete_card(card_id=card_id, actor=actor)


@write_transaction
def claim_task(*, board_id: str, card_id: str, actor: str, ttl_seconds: int) -> sa.Row:
    """Returns the task as claimed (the card with column_title and comment_count).
    One statement claims it and checks it is on the board; only a failed claim
    asks which it was, so a task elsewhere is TASK_NOT_FOUND, not taken."""
    try:
        return claims.claim_card(card_id=card_id, agent=actor, ttl_seconds=ttl_seconds,
                                 statement=CLAIM_TASK, on_board=board_id)
    except (Conflict, NotFound):
        check_on_board(board_id, card_id)
        raise


@write_transaction
def release_task(*, board_id: str, card_id: str, actor: str = "") -> sa.Row:
    """Anyone with edit on the board may free a task (a person unsticking an agent's
    claim); the release is recorded under `actor`. Returns the task as released."""
    task = connection().execute(RELEASE_TASK, {"card_id": card_id, "on_board": board_id}).first()
    if task is None:
        raise NotFound("Task not found", "TASK_NOT_FOUND")
    record("released", card_id=card_id, actor=actor, details="", board_id=board_id)
    return task


@write_transaction
def comment(*, board_id: str, card_id: str, message: str, actor: str = "",
            source: str = "kanban") -> cards.NoteAdded:
    """A note with its author, source and mentions; returns the note and its event
    (whose seq and time are filled in as the write commits)."""
    if not (message or "").strip():
        raise Invalid("Comment message is empty", "EMPTY_MESSAGE")
    at = now()
    touched = connection().execute(TOUCH_CARD_ON_BOARD,
                                   {"card_id": card_id, "on_board": board_id, "at": at})
    if touched.first() is None:
        raise NotFound("Task not found", "TASK_NOT_FOUND")
    return cards.insert_note_event(card_id, board_id, actor, message, at, source,
                                   with_seq=True)


BATCH_ACTIONS = ("move", "update", "delete")


@write_transaction
def apply_to_tasks(*, board_id: str, action: str, card_ids: list[str], fields: dict,
                   actor: str = "") -> int:
    """One batch operation on several cards, all or nothing; returns how many."""
    for card_id in card_ids:
        if action == "move":
            move_task(board_id=board_id, card_id=card_id, column_key=fields["column_key"],
                      actor=actor)
        elif action == "update":
            update_task(board_id=board_id, card_id=card_id, changes=fields["changes"],
                        metadata=fields.get("metadata", UNSET),
                        due_at=fields.get("due_at", UNSET), actor=actor)
        elif action == "delete":
            delete_task(board_id=board_id, card_id=card_id, actor=actor)
        else:
            raise Invalid(f"Unknown action '{action}'. Valid: {', '.join(BATCH_ACTIONS)}",
                          "INVALID_INPUT")
    return len(card_ids)


def note_mentioning(name: str):
    """WHERE clause on notes: its mentions hold `name` (per dialect)."""
    from tack.extensions import db
    from tack.models import Note
    if db.engine.dialect.name == "postgresql":
        return sa.cast(Note.mentions, sa.dialects.postgresql.JSONB).contains([name])
    each = sa.func.json_each(Note.mentions).table_valued("value")
    return sa.exists(sa.select(1).select_from(each).where(each.c.value == name))
