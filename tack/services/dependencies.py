"""Dependencies between cards: a blocker must be finished (in a done-role column)
before claim-next hands out the card it blocks. Self-dependencies and cycles are
refused, so "what is ready" always has an answer."""
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tack.clock import isoformat
from tack.errors import Conflict, Invalid, NotFound
from tack.models import Card, Column, Dependency
from tack.services.reading import fetch, fetch_one
from tack.services.transaction import connection, record, session, write_transaction

NOTE_MAX = 2000
NAME_MAX = 200
DEPENDENCY_LOCK = 0x7AC5  # with the board's hash, names the advisory lock

_DOWNSTREAM = sa.text(
    """WITH RECURSIVE downstream(card_id) AS (
           SELECT blocked_id FROM dependencies WHERE blocker_id = :start
           UNION
           SELECT dependencies.blocked_id FROM dependencies
           JOIN downstream ON dependencies.blocker_id = downstream.card_id
       )
       SELECT 1 FROM downstream WHERE card_id = :target LIMIT 1"""
)


def has_unfinished_blocker(card_id):
    """WHERE clause: some card blocking `card_id` (a column or value) is not in a
    done-role column. claim-next skips such cards."""
    blocker = aliased(Card)
    return sa.exists(
        sa.select(1)
        .select_from(Dependency)
        .join(blocker, blocker.id == Dependency.blocker_id)
        .join(Column, sa.and_(Column.board_id == blocker.board_id,
                              Column.key == blocker.column_key))
        .where(Dependency.blocked_id == card_id, Column.role != "done")
    )


def _view_query():
    blocker, blocked = aliased(Card), aliased(Card)
    blocker_column, blocked_column = aliased(Column), aliased(Column)
    return sa.select(
        Dependency.id, Dependency.board_id, Dependency.note, Dependency.created_by,
        Dependency.created_at,
        Dependency.blocker_id, blocker.title.label("blocker_title"),
        blocker.column_key.label("blocker_column_name"),
        blocker_column.name.label("blocker_column_title"),
        (blocker_column.role == "done").label("blocker_completed"),
        Dependency.blocked_id, blocked.title.label("blocked_title"),
        blocked.column_key.label("blocked_column_name"),
        blocked_column.name.label("blocked_column_title"),
        (blocked_column.role == "done").label("blocked_completed"),
    ).select_from(Dependency).join(
        blocker, blocker.id == Dependency.blocker_id
    ).join(
        blocker_column, sa.and_(blocker_column.board_id == blocker.board_id,
                                blocker_column.key == blocker.column_key)
    ).join(
        blocked, blocked.id == Dependency.blocked_id
    ).join(
        blocked_column, sa.and_(blocked_column.board_id == blocked.board_id,
                                blocked_column.key == blocked.column_key)
    )


def dependency_view(row) -> dict:
    """Both sides with title, column (key and display name) and completion."""
    return {
        "id": row.id,
        "board_id": row.board_id,
        "blocker_id": row.blocker_id,
        "blocker_title": row.blocker_title,
        "blocker_column_name": row.blocker_column_name,
        "blocker_column_title": row.blocker_column_title,
        "blocker_completed": bool(row.blocker_completed),
        "blocked_id": row.blocked_id,
        "blocked_title": row.blocked_title,
        "blocked_column_name": row.blocked_column_name,
        "blocked_column_title": row.blocked_column_title,
        "blocked_completed": bool(row.blocked_completed),
        "note": row.note or "",
        "created_by": row.created_by or "",
        "created_at": isoformat(row.created_at),
    }


def _card_on(card_id: str, board_id: str | None, role: str) -> Card:
    card = session().get(Card, card_id)
    if card is None or (board_id is not None and card.board_id != board_id):
        raise NotFound(f"{role.capitalize()} card not found: {card_id}", "CARD_NOT_FOUND")
    return card


def _lock_board_dependencies(board_id: str) -> None:
    """Serialise dependency writes per board, so two concurrent inserts cannot each
    pass the cycle check and close a cycle together. (SQLite's writers already
    queue: BEGIN IMMEDIATE.)"""
    if connection().dialect.name == "postgresql":
        connection().execute(sa.text("SELECT pg_advisory_xact_lock(:lock, hashtext(:board))"),
                             {"lock": DEPENDENCY_LOCK, "board": board_id})


def _check_text(value: str, limit: int, field: str) -> str:
    if len(value) > limit:
        raise Invalid(f"{field} is longer than {limit} characters", "INVALID_INPUT")
    return value


@write_transaction
def add_dependency(*, blocker_id: str, blocked_id: str, note: str = "", actor: str = "",
                   board_id: str | None = None) -> dict:
    """Record that `blocker_id` must be finished before `blocked_id`. Both cards must
    be on one board (`board_id`, when given). Refuses a card blocking itself
    (DEPENDENCY_SELF), a pair already recorded (DEPENDENCY_EXISTS) and a pair that
    would close a cycle (DEPENDENCY_CYCLE), all 409. Returns dependency_view()."""
    _check_text(note, NOTE_MAX, "note")
    _check_text(actor, NAME_MAX, "actor")
    if blocker_id == blocked_id:
        raise Conflict("A card cannot block itself", "DEPENDENCY_SELF")
    blocked = _card_on(blocked_id, board_id, "blocked")
    blocker = _card_on(blocker_id, board_id, "blocker")
    if blocker.board_id != blocked.board_id:
        raise Invalid("Both cards must be on the same board", "DEPENDENCY_OTHER_BOARD")
    _lock_board_dependencies(blocked.board_id)
    existing = session().scalar(sa.select(Dependency.id).where(
        Dependency.blocker_id == blocker_id, Dependency.blocked_id == blocked_id))
    if existing:
        raise Conflict(f"{blocker_id} already blocks {blocked_id}", "DEPENDENCY_EXISTS")
    # A path blocked -> ... -> blocker already exists: the new edge would close it.
    if connection().execute(_DOWNSTREAM, {"start": blocked_id, "target": blocker_id}).first():
        raise Conflict(f"{blocked_id} already (directly or through others) blocks "
                       f"{blocker_id}; this dependency would make a cycle",
                       "DEPENDENCY_CYCLE")
    dependency = Dependency(id=str(uuid.uuid4()), board_id=blocked.board_id,
                            blocker_id=blocker_id, blocked_id=blocked_id, note=note,
                            created_by=actor)
    session().add(dependency)
    session().flush()
    record("dependency_added", card_id=blocked_id, actor=actor,
           details=f"blocked by {blocker_id}" + (f": {note}" if note else ""),
           board_id=blocked.board_id)
    row = session().execute(_view_query().where(Dependency.id == dependency.id)).one()
    return dependency_view(row)


def list_dependencies(*, board_id: str | None = None, card_id: str | None = None) -> list[dict]:
    """The board's dependencies, or those where `card_id` is blocker or blocked,
    oldest first. Raises NotFound for an unknown card."""
    if board_id is None and card_id is None:
        raise Invalid("Name a board or a card", "INVALID_INPUT")
    query = _view_query()
    if card_id is not None:
        card = fetch_one(sa.select(Card.board_id).where(Card.id == card_id))
        if card is None or (board_id is not None and card.board_id != board_id):
            raise NotFound("Card not found", "CARD_NOT_FOUND")
        query = query.where(sa.or_(Dependency.blocker_id == card_id,
                                   Dependency.blocked_id == card_id))
    if board_id is not None:
        query = query.where(Dependency.board_id == board_id)
    return [dependency_view(row)
            for row in fetch(query.order_by(Dependency.created_at, Dependency.id))]


def _remove(dependency: Dependency | None, actor: str) -> None:
    if dependency is None:
        raise NotFound("Dependency not found", "DEPENDENCY_NOT_FOUND")
    session().delete(dependency)
    record("dependency_removed", card_id=dependency.blocked_id, actor=actor,
           details=f"no longer blocked by {dependency.blocker_id}",
           board_id=dependency.board_id)


@write_transaction
def remove_dependency(*, dependency_id: str, actor: str = "",
                      board_id: str | None = None) -> None:
    """Delete one dependency by id (on `board_id`, when given)."""
    dependency = session().get(Dependency, dependency_id)
    if dependency is not None and board_id is not None and dependency.board_id != board_id:
        dependency = None
    _remove(dependency, actor)


@write_transaction
def remove_dependency_between(*, blocker_id: str, blocked_id: str, actor: str = "") -> None:
    """Delete the dependency "`blocker_id` blocks `blocked_id`"."""
    _remove(session().scalar(sa.select(Dependency).where(
        Dependency.blocker_id == blocker_id, Dependency.blocked_id == blocked_id)), actor)
