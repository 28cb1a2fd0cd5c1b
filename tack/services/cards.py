"""Cards: create, read, edit, move, complete, delete, and the follow-up thread."""
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from tack.clock import now
from tack.errors import Conflict, Invalid, NotFound
from tack.extensions import db
from tack.models import Card, Column, Note
from tack.services.boards import (
    DEFAULT_BOARD,
    column_named,
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
    """ORDER BY expression: critical first."""
    return sa.case(PRIORITY_RANK, value=Card.priority, else_=1)


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


def _new_card_id() -> str:
    while True:
        card_id = "card-" + secrets.token_hex(4)
        if session().get(Card, card_id) is None:
            return card_id


def end_of_column(board_id: str, column_name: str) -> int:
    last = session().scalar(
        sa.select(sa.func.max(Card.position)).where(
            Card.board_id == board_id, Card.column_name == column_name
        )
    )
    return 0 if last is None else last + 1


def _check_wip_limit(column: Column, card_id: str | None) -> None:
    if column.wip_limit is None:
        return
    count = session().scalar(
        sa.select(sa.func.count()).select_from(Card).where(
            Card.board_id == column.board_id, Card.column_name == column.key,
            Card.id != (card_id or ""),
        )
    )
    if count >= column.wip_limit:
        raise Conflict(
            f"WIP limit reached: '{column.key}' holds at most {column.wip_limit} cards",
            "WIP_LIMIT",
        )


@write_transaction
def create_card(*, title: str, description: str = "", column_name: str = "inbox",
                assignee: str = "", priority: str = "normal", created_by: str = "",
                tags: list[str] | None = None, follows_id: str | None = None,
                board_id: str = DEFAULT_BOARD) -> Card:
    column = column_named(column_name, board_id)
    check_priority(priority)
    _check_wip_limit(column, None)
    at = now()
    card = Card(
        id=_new_card_id(), board_id=board_id, column_name=column.key,
        position=end_of_column(board_id, column.key), title=title,
        description=description, priority=priority, assignee=assignee,
        tags=clean_tags(tags or []), created_by=created_by, created_at=at,
        updated_at=at, follows_id=follows_id,
    )
    if column.role == "deferred":
        card.defer_until = at + timedelta(days=settings().defer_days)
    if column.role == "done":
        card.completed_at = at
    session().add(card)
    record("created", card_id=card.id, actor=created_by, details=title, board_id=board_id)
    return card


def place_card(card: Card, column_name: str, position: int | None, actor: str,
               at: datetime, details_suffix: str = "") -> tuple[str, str]:
    """Move `card` (inside a write transaction) and record the move. The one place
    where column rules live: every move, from any caller, comes through here.
    `position` is the 0-based place among the column's cards; None means the end."""
    column = column_named(column_name, card.board_id)
    source = card.column_name
    if column.key != source:
        _check_wip_limit(column, card.id)
    if position is not None:
        _insert_at(card, column.key, position)
    elif column.key != source:
        card.position = end_of_column(card.board_id, column.key)
    card.column_name = column.key
    card.updated_at = at
    if column.role == "deferred":
        if source != column.key:
            card.defer_until = at + timedelta(days=settings().defer_days)
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
           details=f"{source} -> {column.key}{details_suffix}", board_id=card.board_id)
    return source, column.key


def _insert_at(card: Card, column_name: str, index: int) -> None:
    """Renumber the column 0..n-1 with `card` at `index`, touching only rows whose
    position changes (one executemany)."""
    rows = session().execute(
        sa.select(Card.id, Card.position)
        .where(Card.board_id == card.board_id, Card.column_name == column_name,
               Card.id != card.id)
        .order_by(Card.position, Card.created_at, Card.id)
    ).all()
    order = [row.id for row in rows]
    order.insert(min(max(index, 0), len(order)), card.id)
    old_positions = {row.id: row.position for row in rows}
    changed = [
        {"id": card_id, "position": new_position}
        for new_position, card_id in enumerate(order)
        if card_id != card.id and old_positions[card_id] != new_position
    ]
    if changed:
        session().execute(sa.update(Card), changed)
    card.position = order.index(card.id)


def index_before(card_id: str, column_name: str, before_card_id: str | None) -> int | None:
    """The 0-based place just above `before_card_id` in the column, as drag-and-drop
    says it (None: the end). Unknown or foreign cards also mean the end."""
    if not before_card_id:
        return None
    card = get_card(card_id)
    ids = list(session().scalars(
        sa.select(Card.id)
        .where(Card.board_id == card.board_id, Card.column_name == column_name,
               Card.id != card_id)
        .order_by(Card.position, Card.created_at, Card.id)
    ))
    return ids.index(before_card_id) if before_card_id in ids else None


@write_transaction
def move_card(*, card_id: str, column_name: str, position: int | None = None,
              actor: str = "") -> tuple[str, str]:
    card = get_card(card_id)
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
    if "column_name" in changes and changes["column_name"] != card.column_name:
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
    from tack.services.mentions import mentions_in
    note_id = connection().execute(
        INSERT_NOTE, {"card_id": card_id, "author": author, "content": content,
                      "created_at": at, "source": source,
                      "mentions": mentions_in(content)}).scalar_one()
    record("note_added", card_id=card_id, actor=author, details=content[:200],
           board_id=board_id, note_id=note_id)
    return note_id


def add_note_to(card: Card, author: str, content: str, at: datetime,
                source: str = "tack") -> int:
    card.updated_at = at
    return insert_note(card.id, card.board_id, author, content, at, source)


@write_transaction
def complete_card(*, card_id: str, note: str = "", actor: str = "", followup: bool = False,
                  followup_title: str = "", followup_description: str = "") -> dict:
    card = get_card(card_id)
    at = now()
    done = column_with_role("done", card.board_id)
    source = card.column_name
    if note:
        add_note_to(card, actor, "[COMPLETED] " + note, at)
    place_card(card, done.key, None, actor, at)
    record("completed", card_id=card.id, actor=actor, details=f"{source} -> {done.key}",
           board_id=card.board_id)
    result = {"from": source}
    if followup:
        title = followup_title or ("Follow-up: " + card.title)[:500]
        next_card = create_card(
            title=title, description=followup_description,
            column_name=column_with_role("inbox", card.board_id).key,
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
    record("deleted", card_id=card_id, actor=actor, details=details, board_id=card.board_id)
    return reason


def list_cards(*, board_id: str = DEFAULT_BOARD, column_name: str | None = None,
               assignee: str | None = None, q: str | None = None, tag: str | None = None,
               priority: str | None = None) -> list[sa.Row]:
    """Cards matching every filter given, in board order."""
    query = sa.select(CARDS).where(Card.board_id == board_id)
    if column_name:
        query = query.where(Card.column_name == column_name)
    query = matching(query, assignee=assignee, q=q, tag=tag, priority=priority)
    return fetch(query.order_by(Card.column_name, Card.position, Card.created_at, Card.id))


def matching(query, *, assignee=None, q=None, tag=None, priority=None):
    """Narrow a card query by the search filters the API and the page share."""
    if assignee:
        query = query.where(Card.assignee == assignee)
    if priority:
        query = query.where(Card.priority == priority)
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


def board_cards(*, board_id: str = DEFAULT_BOARD, at: datetime, archive_days: int,
                **filters) -> list[sa.Row]:
    """Every card the board shows, in position order. Done cards last updated more
    than `archive_days` ago (or archived by the sweep) are left out. `filters` are
    matching()'s."""
    done_keys = [c.key for c in columns_with_role("done", board_id)]
    cutoff = at - timedelta(days=archive_days)
    hidden = sa.and_(
        Card.column_name.in_(done_keys),
        sa.or_(Card.archived_at.is_not(None), Card.updated_at < cutoff),
    )
    query = sa.select(CARDS).where(Card.board_id == board_id, sa.not_(hidden))
    query = matching(query, **filters)
    return fetch(query.order_by(Card.position, Card.created_at, Card.id))


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
