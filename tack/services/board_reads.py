"""Reads for the many-boards surfaces: tasks with every list filter, a board's task
counts, a card's events, and board activity with comments and mentions."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tack.errors import NotFound
from tack.models import Card, Column, Event, Note
from tack.services.boards import board_row
from tack.services.card_details import note_mentioning
from tack.services.cards import has_tag, matching
from tack.services.reading import fetch, fetch_one

CARDS = Card.__table__
EVENTS = Event.__table__
NOTES = Note.__table__
RECENT_COMMENTS = 10


def task_counts(board_ids: list[str]) -> dict[str, int]:
    """Unarchived cards per board."""
    if not board_ids:
        return {}
    rows = fetch(sa.select(Card.board_id, sa.func.count())
                 .where(Card.board_id.in_(board_ids), Card.archived_at.is_(None))
                 .group_by(Card.board_id))
    return dict(rows)


def column_counts(board_id: str) -> dict[str, int]:
    """Unarchived cards per column key."""
    rows = fetch(sa.select(Card.column_key, sa.func.count())
                 .where(Card.board_id == board_id, Card.archived_at.is_(None))
                 .group_by(Card.column_key))
    return dict(rows)


COLUMNS = Column.__table__
# A task as the contract answers it after a write: the card, its column's display
# name and its comment count, in one statement compiled once (three reads before).
TASK_READ_BACK = (
    sa.select(CARDS, COLUMNS.c.name.label("column_title"),
              sa.select(sa.func.count()).where(NOTES.c.card_id == CARDS.c.id)
              .scalar_subquery().label("comment_count"))
    .select_from(CARDS.outerjoin(COLUMNS, sa.and_(COLUMNS.c.board_id == CARDS.c.board_id,
                                                  COLUMNS.c.key == CARDS.c.column_key)))
    .where(CARDS.c.id == sa.bindparam("card_id"), CARDS.c.board_id == sa.bindparam("board_id"))
)


def read_task_back(board_id: str, card_id: str) -> sa.Row:
    """The card with `column_title` and `comment_count` (TASK_NOT_FOUND if it is not
    on the board)."""
    row = fetch_one(TASK_READ_BACK, card_id=card_id, board_id=board_id)
    if row is None:
        raise NotFound("Task not found", "TASK_NOT_FOUND")
    return row


def read_task(board_id: str, card_id: str) -> sa.Row:
    row = fetch_one(sa.select(CARDS).where(Card.id == card_id, Card.board_id == board_id))
    if row is None:
        raise NotFound("Task not found", "TASK_NOT_FOUND")
    return row


def board_cards(board_id: str, *, column: str | None = None,
                include_archived: bool = False) -> sa.Select:
    """The board's cards (in `column`; archived ones only when asked), joined to their
    column so they can be ordered as the board shows them: BOARD_ORDER."""
    query = (sa.select(CARDS)
             .join(Column, sa.and_(Column.board_id == Card.board_id,
                                   Column.key == Card.column_key))
             .where(Card.board_id == board_id))
    if column:
        query = query.where(Card.column_key == column)
    if not include_archived:
        query = query.where(Card.archived_at.is_(None))
    return query


BOARD_ORDER = (Column.position, Card.position, Card.created_at, Card.id)


def list_tasks(*, board_id: str, at: datetime, column: str | None = None,
               assignee: str | None = None, claimed_by: str | None = None,
               priority: str | None = None, label: str | None = None,
               include_archived: bool = False, updated_before: datetime | None = None,
               limit: int = 200, offset: int = 0) -> list[sa.Row]:
    """The board's cards matching every filter, in column then card order."""
    query = board_cards(board_id, column=column, include_archived=include_archived)
    query = matching(query, assignee=assignee, priority=priority)
    if label:
        query = query.where(has_tag(label))
    if claimed_by:
        query = query.where(Card.claimed_by == claimed_by, Card.claim_expires_at > at)
    if updated_before is not None:
        query = query.where(Card.updated_at < updated_before)
    return fetch(query.order_by(*BOARD_ORDER).limit(limit).offset(offset))


def cards_by_id(card_ids) -> dict[str, sa.Row]:
    ids = {card_id for card_id in card_ids if card_id}
    if not ids:
        return {}
    return {row.id: row for row in fetch(sa.select(CARDS).where(Card.id.in_(ids)))}


def notes_by_id(note_ids) -> dict[int, sa.Row]:
    ids = {note_id for note_id in note_ids if note_id}
    if not ids:
        return {}
    return {row.id: row for row in fetch(sa.select(NOTES).where(Note.id.in_(ids)))}


def card_events(board_id: str, card_id: str) -> list[sa.Row]:
    """Everything that happened to the card, oldest first (the card must exist)."""
    read_task(board_id, card_id)
    return fetch(sa.select(EVENTS).where(Event.card_id == card_id, Event.board_id == board_id)
                 .order_by(Event.seq))


# The event that wrote a note, with the note's own fields, in one statement. SQLite
# may give a new note the id of one deleted with its card, so the card and the
# newest event decide.
COMMENT_READ_BACK = (
    sa.select(EVENTS, NOTES.c.content.label("note_content"),
              NOTES.c.author.label("note_author"), NOTES.c.mentions.label("note_mentions"))
    .join_from(EVENTS, NOTES, sa.and_(NOTES.c.id == EVENTS.c.note_id,
                                      NOTES.c.card_id == EVENTS.c.card_id))
    .where(EVENTS.c.note_id == sa.bindparam("note_id"),
           EVENTS.c.card_id == sa.bindparam("card_id"))
    .order_by(EVENTS.c.seq.desc()).limit(1))


@dataclass(frozen=True)
class NoteRead:
    """What an event's view needs of the note it wrote."""
    content: str
    author: str
    mentions: list


def comment_read_back(note_id: int, card_id: str) -> tuple[sa.Row, NoteRead]:
    """(the event that wrote the note, the note) just after a comment."""
    row = fetch_one(COMMENT_READ_BACK, note_id=note_id, card_id=card_id)
    return row, NoteRead(row.note_content, row.note_author, row.note_mentions)


def note_of(event: sa.Row, notes: dict[int, sa.Row]) -> sa.Row | None:
    """The note `event` wrote, if it still exists (not a later note given its id)."""
    note = notes.get(event.note_id)
    return note if note is not None and note.card_id == event.card_id else None


def board_activity(*, board_id: str, since: datetime | None = None,
                   after: int | None = None, limit: int = 50,
                   mentioned: str | None = None) -> list[sa.Row]:
    """Card events on the board. With `after` (a seq cursor) oldest first, so a
    poller never skips one; otherwise newest first."""
    board_row(board_id)
    query = sa.select(EVENTS).where(Event.board_id == board_id, Event.card_id.is_not(None))
    if since is not None:
        query = query.where(Event.created_at > since)
    if mentioned:
        query = query.where(sa.exists(
            sa.select(Note.id).where(Note.id == Event.note_id, Note.card_id == Event.card_id,
                                     note_mentioning(mentioned))))
    if after is not None:
        query = query.where(Event.seq > after).order_by(Event.seq)
    else:
        query = query.order_by(Event.seq.desc())
    return fetch(query.limit(limit))


def recent_comments(card_ids) -> dict[str, list[sa.Row]]:
    """The last RECENT_COMMENTS notes of each card, newest first."""
    ids = {card_id for card_id in card_ids if card_id}
    if not ids:
        return {}
    ranked = sa.select(
        NOTES, sa.func.row_number().over(partition_by=Note.card_id,
                                         order_by=Note.id.desc()).label("rank"),
    ).where(Note.card_id.in_(ids)).subquery()
    rows = fetch(sa.select(ranked).where(ranked.c.rank <= RECENT_COMMENTS)
                 .order_by(ranked.c.card_id, ranked.c.id.desc()))
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row.card_id, []).append(row)
    return found
