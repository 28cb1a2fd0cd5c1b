"""Cards: create, read, edit, move, complete, delete, and the follow-up thread."""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from tack.clock import now
from tack.errors import Conflict, Invalid, NotFound
from tack.extensions import db
from tack.models import Card, Column, Note
from tack.services.boards import (
    DEFAULT_BOARD,
    column_named,
    column_or_default,
    column_rows,
    column_with_role,
    columns_with_role,
)
from tack.services.reading import fetch, fetch_one
from tack.services.settings import settings
from tack.services.transaction import connection, record, session, write_transaction

PRIORITIES = ("low", "normal", "high", "critical")
PRIORITY_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}
EDITABLE_FIELDS = ("title", "description", "column_name", "assignee", "priority", "tags")
CARDS = Card.__table__
SELECT_CARD = sa.select(CARDS).where(CARDS.c.id == sa.bindparam("card_id"))
THREAD_LIMIT = 1000  # longest follow-up chain walked, so a cycle cannot hang a read


def priority_rank_sql():
    """ORDER BY expression: critical first (with .desc())."""
    return sa.case(PRIORITY_RANK, value=Card.priority, else_=PRIORITY_RANK["normal"])


def check_priority(priority: str) -> str:
    if priority not in PRIORITY_RANK:
        raise Invalid(
            f"Invalid priority '{priority}'. Valid priorities: {', '.join(PRIORITIES)}",
            "INVALID_PRIORITY",
        )
    return priority


def clean_tags(tags: list[str]) -> list[str]:
    """Trimmed, without blanks or repeats, in the order given."""
    seen: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def get_card(card_id: str) -> Card:
    """The card to change, in the write session."""
    card = session().get(Card, card_id)
    if card is None:
        raise NotFound("Card not found", "CARD_NOT_FOUND")
    return card


def read_card(card_id: str) -> sa.Row:
    """The card to show: a plain row, off the fast read path."""
    row = fetch_one(SELECT_CARD, card_id=card_id)
    if row is None:
        raise NotFound("Card not found", "CARD_NOT_FOUND")
    return row


def end_of_column(board_id: str, column_name: str, card_id: str | None = None) -> int:
    """The position just past the last card in the column (other than `card_id`)."""
    last = session().scalar(
        sa.select(sa.func.max(Card.position)).where(
            Card.board_id == board_id, Card.column_key == column_name,
            Card.id != (card_id or ""),
        )
    )
    return 0 if last is None else last + 1


def put_at(card: Card, column_name: str, position: int) -> None:
    """Give `card` exactly `position` in the column (inside a write transaction): when
    another card holds it, that card and every one after it move down by one (one
    UPDATE), so the order of the others is kept and no two cards share a position."""
    others = sa.and_(Card.board_id == card.board_id, Card.column_key == column_name,
                     Card.id != card.id)
    taken = session().scalar(sa.select(Card.id).where(others, Card.position == position)
                             .limit(1))
    if taken is not None:
        session().execute(
            sa.update(Card).where(others, Card.position >= position)
            .values(position=Card.position + 1)
            .execution_options(synchronize_session=False)
        )
    card.position = position


def _position_of(board_id: str, column_name: str, card_id: str) -> int | None:
    return session().scalar(sa.select(Card.position).where(
        Card.id == card_id, Card.board_id == board_id, Card.column_key == column_name))


def defer_deadline(at: datetime) -> datetime:
    """When a card deferred at `at` returns (TACK_DEFER_DAYS later)."""
    return at + timedelta(days=settings().defer_days)


LOCK_COLUMN = (sa.select(Column.__table__.c.id)
               .where(Column.__table__.c.id == sa.bindparam("column_id")).with_for_update())


def lock_column(column: Column) -> None:
    """Take the column's row lock for the rest of the write: two writes placing cards
    in one column then cannot both pass its WIP limit or both take the same position.
    Only PostgreSQL needs it; SQLite runs one writer at a time (and a query saved
    counts on the hottest writes). Every create into the column queues here until
    the holder commits, so it is a prebuilt Core statement, taken as late as the
    write allows."""
    if connection().dialect.name == "postgresql":
        connection().execute(LOCK_COLUMN, {"column_id": column.id})


def _check_wip_limit(column: Column, card_id: str | None) -> None:
    if column.wip_limit is None:
        return
    count = session().scalar(
        sa.select(sa.func.count()).select_from(Card).where(
            Card.board_id == column.board_id, Card.column_key == column.key,
            Card.id != (card_id or ""),
        )
    )
    if count >= column.wip_limit:
        raise Conflict(
            f"WIP limit reached: '{column.name}' holds at most {column.wip_limit} cards",
            "WIP_LIMIT",
        )


def create_card(*, title: str, description: str = "", column_name: str | None = None,
                assignee: str = "", priority: str = "normal", created_by: str = "",
                tags: list[str] | None = None, follows_id: str | None = None,
                board_id: str = DEFAULT_BOARD) -> Card:
    """A new card at the end of `column_name` (default: the board's inbox-role column).
    The column and priority are checked before the write begins (out of the writer
    lock); the column, the insert and its checks are Core statements built once."""
    column = column_or_default(column_name, "inbox", board_id, column_rows(board_id))
    check_priority(priority)
    return _insert_card(column, dict(
        title=title, description=description, priority=priority, assignee=assignee,
        tags=clean_tags(tags or []), created_by=created_by, follows_id=follows_id))


SELECT_ID = sa.select(CARDS.c.id).where(CARDS.c.id == sa.bindparam("card_id"))
END_OF_COLUMN = sa.select(sa.func.max(CARDS.c.position)).where(
    CARDS.c.board_id == sa.bindparam("board_id"),
    CARDS.c.column_key == sa.bindparam("column_key"))
INSERT_CARD = sa.insert(CARDS)


@write_transaction
def _insert_card(column: sa.Row, values: dict) -> Card:
    at = now()
    write = connection()
    # A free id is found before the column lock: the lock is held to the commit.
    card_id = "card-" + secrets.token_hex(4)
    while write.execute(SELECT_ID, {"card_id": card_id}).first() is not None:
        card_id = "card-" + secrets.token_hex(4)
    lock_column(column)
    _check_wip_limit(column, None)
    last = write.execute(END_OF_COLUMN, {"board_id": column.board_id,
                                         "column_key": column.key}).scalar()
    values = dict(values, id=card_id, board_id=column.board_id, column_key=column.key,
                  position=0 if last is None else last + 1, created_at=at, updated_at=at,
                  defer_until=None)
    if column.role == "deferred":
        values["defer_until"] = defer_deadline(at)
    if column.role == "done":
        values["completed_at"] = at
    write.execute(INSERT_CARD, values)
    record("created", card_id=card_id, actor=values["created_by"], details=values["title"],
           board_id=column.board_id, column_key=column.key)
    return Card(**values)


def place_card(card: Card, column_name: str, position: int | None, actor: str,
               at: datetime, details_suffix: str = "",
               human_override=None) -> tuple[str, str]:
    """Move `card` (inside a write transaction) and record the move. The one place
    where column rules live: every move, from any caller, comes through here.

    `position` is the card's sort key in the column, kept exactly as given (Tack
    clients read back what they set); a card already there moves down one with all
    that follow it. None means the end of the column, same column included.
    `human_override` (workflows.HumanOverride) passes a clawboo board's failing
    verification gate, audited."""
    column = column_named(column_name, card.board_id)
    source = card.column_key
    if column.board.workflow == "clawboo":
        from tack.services.workflows import check_transition
        check_transition(card, source, column, human_override, actor, at)
    lock_column(column)
    if column.key != source:
        _check_wip_limit(column, card.id)
    if position is None:
        card.position = end_of_column(card.board_id, column.key, card.id)
    else:
        put_at(card, column.key, position)
    card.column_key = column.key
    card.updated_at = at
    if column.role == "deferred":
        if source != column.key:
            card.defer_until = defer_deadline(at)
    else:
        card.defer_until = None
    if column.role == "done":
        # Finished work has no holder.
        card.claimed_by = card.claimed_at = card.claim_expires_at = None
        if source != column.key:
            card.completed_at = at
    else:
        card.archived_at = card.completed_at = None
    record("moved", card_id=card.id, actor=actor,
           details=f"{source} -> {column.key}{details_suffix}", board_id=card.board_id,
           column_role=column.role)
    return source, column.key


@write_transaction
def move_card(*, card_id: str, column_name: str, position: int | None = None,
              before_id: str | None = None, actor: str = "") -> tuple[str, str]:
    """Move the card to `position` in `column_name`, or (as a drop on the page says
    it) just above card `before_id`. Neither, or a `before_id` that is not another
    card in that column: the end of the column. Resolved here, inside the write, so
    a concurrent move cannot make the answer stale."""
    card = get_card(card_id)
    if before_id is not None:
        position = None
        if before_id != card_id:
            position = _position_of(card.board_id, column_name, before_id)
    return place_card(card, column_name, position, actor, now())


@write_transaction
def update_card(*, card_id: str, changes: dict, actor: str = "") -> str:
    """Apply the given fields. Returns "no changes" when none were given."""
    changes = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS and v is not None}
    if not changes:
        get_card(card_id)
        return "no changes"
    card = get_card(card_id)
    if "priority" in changes:
        check_priority(changes["priority"])
    if "tags" in changes:
        changes["tags"] = clean_tags(changes["tags"])
    at = now()
    if "column_name" in changes and changes["column_name"] != card.column_key:
        place_card(card, changes["column_name"], None, actor, at)
    elif "column_name" in changes:
        column_named(changes["column_name"], card.board_id)
    edited = [
        field for field in EDITABLE_FIELDS
        if field != "column_name" and field in changes and getattr(card, field) != changes[field]
    ]
    for field in edited:
        setattr(card, field, changes[field])
    if edited:
        card.updated_at = at
        record("updated", card_id=card.id, actor=actor, details=", ".join(edited),
               board_id=card.board_id)
    return "updated"


INSERT_NOTE = sa.insert(Note.__table__).returning(Note.__table__.c.id)


def insert_note(card_id: str, board_id: str, author: str, content: str,
                at: datetime, source: str = "tack") -> int:
    """Append a note to the trace (inside a write transaction); returns its id.
    Every note is a comment: its @mentions are kept for the mention filter."""
    return insert_note_event(card_id, board_id, author, content, at, source).note_id


@dataclass(frozen=True)
class NoteAdded:
    """A note just written: its id and mentions, and the note_added event it recorded
    (a dict that gains `seq` and `created_at` when the write commits; see record())."""
    note_id: int
    content: str
    author: str
    mentions: list[str]
    event: dict


def insert_note_event(card_id: str, board_id: str, author: str, content: str,
                      at: datetime, source: str = "tack", with_seq: bool = False) -> NoteAdded:
    """insert_note, returning the note and the event it recorded (`with_seq`: see
    record())."""
    from tack.services.mentions import mentions_in
    mentions = mentions_in(content)
    note_id = connection().execute(
        INSERT_NOTE, {"card_id": card_id, "author": author, "content": content,
                      "created_at": at, "source": source,
                      "mentions": mentions}).scalar_one()
    event = record("note_added", card_id=card_id, actor=author, details=content[:200],
                   board_id=board_id, note_id=note_id, with_seq=with_seq)
    return NoteAdded(note_id, content, author, mentions, event)


def add_note_to(card: Card, author: str, content: str, at: datetime,
                source: str = "tack") -> int:
    card.updated_at = at
    return insert_note(card.id, card.board_id, author, content, at, source)


def followup_text(note: str, description: str) -> str:
    """A follow-up's description, as Tack writes it: the completion note carried over
    first, a blank line, then the given description. Without a note, just the
    description; without a description, just the note line (no dangling blank line)."""
    if not note:
        return description
    carried = f"Previous card completed with note: {note}"
    return f"{carried}\n\n{description}" if description else carried


@write_transaction
def complete_card(*, card_id: str, note: str = "", actor: str = "", followup: bool = False,
                  followup_title: str = "", followup_description: str = "") -> dict:
    card = get_card(card_id)
    at = now()
    done = column_with_role("done", card.board_id)
    source = card.column_key
    if note:
        add_note_to(card, actor, "[COMPLETED] " + note, at)
    place_card(card, done.key, None, actor, at)
    record("completed", card_id=card.id, actor=actor, details=f"{source} -> {done.key}",
           board_id=card.board_id)
    result = {"from": source}
    if followup:
        title = followup_title or ("Follow-up: " + card.title)[:500]
        next_card = create_card(
            title=title, description=followup_text(note, followup_description),
            assignee=card.assignee, priority=card.priority, created_by=actor,
            tags=list(card.tags or []), follows_id=card.id, board_id=card.board_id,
        )
        result["followup_id"] = next_card.id
    return result


@write_transaction
def delete_card(*, card_id: str, reason: str = "", actor: str = "") -> str:
    card = get_card(card_id)
    details = f"{card.title}: {reason}" if reason else card.title
    session().delete(card)
    record("deleted", card_id=card_id, actor=actor, details=details, board_id=card.board_id,
           column_key=card.column_key)
    return reason


def list_cards(*, board_id: str = DEFAULT_BOARD, column_name: str | None = None,
               assignee: str | None = None, q: str | None = None, tag: str | None = None,
               priority: str | None = None, columns=(CARDS,)) -> list[sa.Row]:
    """Cards matching every filter given, in board order (`columns`: what to read). An
    unknown column or priority is refused (400), not answered with an empty list."""
    query = sa.select(*columns).where(Card.board_id == board_id)
    if column_name:
        column = column_named(column_name, board_id, column_rows(board_id))
        query = query.where(Card.column_key == column.key)
    query = matching(query, assignee=assignee, q=q, tag=tag, priority=priority)
    return fetch(query.order_by(Card.column_key, Card.position, Card.created_at, Card.id))


def matching(query, *, assignee=None, q=None, tag=None, priority=None):
    """Narrow a card query by the search filters the API and the page share."""
    if assignee:
        query = query.where(Card.assignee == assignee)
    if priority:
        query = query.where(Card.priority == check_priority(priority))
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # The id too: people search by a card's copied short id (its hex part).
        query = query.where(sa.or_(Card.title.ilike(pattern, escape="\\"),
                                   Card.description.ilike(pattern, escape="\\"),
                                   Card.id.ilike(pattern, escape="\\")))
    if tag:
        query = query.where(has_tag(tag))
    return query


def has_tag(tag: str):
    """WHERE clause: the card's JSON tag list holds `tag` (per dialect)."""
    if db.engine.dialect.name == "postgresql":
        return sa.cast(Card.tags, sa.dialects.postgresql.JSONB).contains([tag])
    each = sa.func.json_each(Card.tags).table_valued("value")
    return sa.exists(sa.select(1).select_from(each).where(each.c.value == tag))


# The done archive, written once: a done card last updated more than `archive_days`
# ago is off the board (and the archive sweep marks it archived). The board's query,
# the sweep and the board snapshot's expiry all use these.

def archive_cutoff(at: datetime, archive_days: int) -> datetime:
    """Done cards last updated before this moment are off the board at `at`."""
    return at - timedelta(days=archive_days)


def leaves_board_at(updated_at: datetime, archive_days: int) -> datetime:
    """The last moment a done card updated at `updated_at` is still on the board."""
    return updated_at + timedelta(days=archive_days)


def past_archive_cutoff(at: datetime, archive_days: int):
    """WHERE clause: the card is older than the done archive allows."""
    return Card.updated_at < archive_cutoff(at, archive_days)


def board_cards(*, board_id: str = DEFAULT_BOARD, at: datetime, archive_days: int,
                columns=(CARDS,), **filters) -> list[sa.Row]:
    """Every card the board shows, in position order. `filters` are matching()'s;
    `columns` what to read."""
    query = on_board(sa.select(*columns), board_id=board_id, at=at, archive_days=archive_days)
    query = matching(query, **filters)
    return fetch(query.order_by(Card.position, Card.created_at, Card.id))


def on_board(query, *, board_id: str, at: datetime, archive_days: int):
    """Narrow a card query to what the board shows: done cards last updated more than
    `archive_days` ago (or archived by the sweep) are left out."""
    done_keys = [c.key for c in columns_with_role("done", board_id, column_rows(board_id))]
    hidden = sa.and_(
        Card.column_key.in_(done_keys),
        sa.or_(Card.archived_at.is_not(None), past_archive_cutoff(at, archive_days)),
    )
    return query.where(Card.board_id == board_id, sa.not_(hidden))


def thread(card_id: str) -> dict:
    """The chain of follow-ups through `card_id`: ancestors root-first, then every
    card that follows it, breadth-first."""
    card = get_card(card_id)
    ancestors: list[Card] = []
    seen = {card.id}
    parent_id = card.follows_id
    while parent_id and parent_id not in seen and len(ancestors) < THREAD_LIMIT:
        parent = session().get(Card, parent_id)
        if parent is None:
            break
        ancestors.insert(0, parent)
        seen.add(parent.id)
        parent_id = parent.follows_id
    descendants: list[Card] = []
    frontier = [card.id]
    while frontier and len(descendants) < THREAD_LIMIT:
        children = list(session().scalars(
            sa.select(Card).where(Card.follows_id.in_(frontier))
            .order_by(Card.created_at, Card.id)
        ))
        children = [c for c in children if c.id not in seen]
        seen.update(c.id for c in children)
        descendants.extend(children)
        frontier = [c.id for c in children]
    return {"card": card, "ancestors": ancestors, "descendants": descendants}
