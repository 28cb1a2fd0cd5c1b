"""A board's columns: create at a place, rename, reorder, delete, WIP limits.
The limit itself is enforced where cards move (services.cards)."""
import uuid

import sqlalchemy as sa

from tack.errors import Invalid, NotFound
from tack.models import Card, Column
from tack.services.boards import (
    BOARD_NAME_MAX,
    COLUMNS_MAX,
    DEFAULT_COLUMNS,
    get_board,
)
from tack.services.transaction import record, session, write_transaction

WIP_LIMIT_MAX = 10_000
# On a `tack` board the services need these roles: their columns cannot go.
TACK_ROLES = frozenset(role for _key, _name, role in DEFAULT_COLUMNS)
UNSET = object()


def get_column(board_id: str, column_id: str) -> Column:
    for column in get_board(board_id).columns:
        if column.key == column_id:
            return column
    raise NotFound("Column not found", "COLUMN_NOT_FOUND")


def _clean_name(name) -> str:
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise Invalid("Column name is empty", "INVALID_INPUT")
    if len(name) > BOARD_NAME_MAX:
        raise Invalid(f"Column name is longer than {BOARD_NAME_MAX} characters",
                      "INVALID_INPUT")
    return name


def _check_wip_limit(limit) -> None:
    if limit is not None and not 1 <= limit <= WIP_LIMIT_MAX:
        raise Invalid(f"wip_limit must be between 1 and {WIP_LIMIT_MAX}, or null",
                      "INVALID_INPUT")


def _renumber(ordered: list[Column]) -> None:
    for position, column in enumerate(ordered):
        column.position = position


def card_counts(board_id: str, include_archived: bool = False) -> dict[str, int]:
    """Cards per column key."""
    query = (sa.select(Card.column_key, sa.func.count()).where(Card.board_id == board_id)
             .group_by(Card.column_key))
    if not include_archived:
        query = query.where(Card.archived_at.is_(None))
    return dict(session().execute(query).all())


@write_transaction
def create_column(*, board_id: str, name: str, position: int | None = None,
                  wip_limit: int | None = None, actor: str = "") -> Column:
    """A new plain column at `position` (0-based; None or past the end: last)."""
    board = get_board(board_id)
    name = _clean_name(name)
    _check_wip_limit(wip_limit)
    ordered = list(board.columns)
    if len(ordered) >= COLUMNS_MAX:
        raise Invalid(f"A board has at most {COLUMNS_MAX} columns", "INVALID_INPUT")
    if position is not None and position < 0:
        raise Invalid("position must be 0 or more", "INVALID_INPUT")
    column = Column(board_id=board.id, key=str(uuid.uuid4()), name=name, role="open",
                    wip_limit=wip_limit, position=len(ordered))
    session().add(column)
    ordered.insert(len(ordered) if position is None else min(position, len(ordered)), column)
    _renumber(ordered)
    session().flush()
    session().expire(board, ["columns"])
    record("column_created", card_id=None, actor=actor, details=name, board_id=board.id)
    return column


@write_transaction
def update_column(*, board_id: str, column_id: str, name=UNSET, wip_limit=UNSET,
                  actor: str = "") -> Column:
    """Rename and/or set the WIP limit (None clears it). Omitted fields stay."""
    column = get_column(board_id, column_id)
    if name is not UNSET:
        column.name = _clean_name(name)
    if wip_limit is not UNSET:
        _check_wip_limit(wip_limit)
        column.wip_limit = wip_limit
    record("column_updated", card_id=None, actor=actor, details=column.name,
           board_id=board_id)
    return column


@write_transaction
def delete_column(*, board_id: str, column_id: str, actor: str = "") -> None:
    """Only an empty column goes, never the last one (nor, on a `tack` board, one
    whose role the workflow needs)."""
    board = get_board(board_id)
    column = get_column(board_id, column_id)
    if len(board.columns) == 1:
        raise Invalid("Cannot delete the board's last column", "LAST_COLUMN")
    if card_counts(board_id, include_archived=True).get(column.key):
        raise Invalid("Column is not empty: move or delete its tasks first",
                      "COLUMN_NOT_EMPTY")
    if board.workflow == "tack" and column.role in TACK_ROLES:
        raise Invalid(f"The tack workflow needs the '{column.role}' column",
                      "COLUMN_REQUIRED_BY_WORKFLOW")
    remaining = [c for c in board.columns if c.key != column.key]
    session().delete(column)
    _renumber(remaining)
    for field in ("quick_done_column_id", "quick_reassign_column_id"):
        if getattr(board, field) == column.key:
            setattr(board, field, None)
    session().flush()
    session().expire(board, ["columns"])
    record("column_deleted", card_id=None, actor=actor, details=column.name,
           board_id=board_id)


@write_transaction
def reorder_columns(*, board_id: str, column_ids: list[str], actor: str = "") -> list[Column]:
    """Positions from the full ordered list of the board's column ids."""
    board = get_board(board_id)
    by_key = {column.key: column for column in board.columns}
    unknown = [column_id for column_id in column_ids if column_id not in by_key]
    if unknown:
        raise Invalid(f"Column not found: {unknown[0]}", "COLUMN_NOT_FOUND")
    if len(column_ids) != len(by_key) or set(column_ids) != set(by_key):
        raise Invalid("column_ids must list every column of the board exactly once",
                      "INVALID_COLUMN_LIST")
    ordered = [by_key[column_id] for column_id in column_ids]
    _renumber(ordered)
    session().flush()
    session().expire(board, ["columns"])
    record("columns_reordered", card_id=None, actor=actor, details="", board_id=board_id)
    return ordered
