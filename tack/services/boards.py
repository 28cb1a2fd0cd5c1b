"""Boards and their columns. Behaviour keys off a column's role, not its name."""
from contextlib import suppress

import sqlalchemy as sa

from tack.errors import Invalid, NotFound
from tack.models import Board, Column
from tack.services.transaction import session, writing

DEFAULT_BOARD = "main"

# Tack's eight columns, in board order, with the role the services understand.
DEFAULT_COLUMNS = [
    ("inbox", "Inbox", "inbox"),
    ("approved", "Approved", "ready"),
    ("in_progress", "In progress", "doing"),
    ("awaiting_decision", "Awaiting decision", "decision"),
    ("awaiting_approval", "Awaiting approval", "approval"),
    ("deferred", "Deferred", "deferred"),
    ("done", "Done", "done"),
    ("blocked", "Blocked", "blocked"),
]
COLUMN_NAMES = [key for key, _, _ in DEFAULT_COLUMNS]


def ensure_default_board() -> Board:
    """Create board `main` with its eight columns unless it exists. Idempotent, and
    safe when two processes start at once (the loser's insert is rolled back)."""
    board = session().get(Board, DEFAULT_BOARD)
    if board is not None:
        return board
    with suppress(sa.exc.IntegrityError):  # another process created it first
        with writing():
            orm = session()
            orm.add(Board(id=DEFAULT_BOARD, name="Main board", settings={}))
            orm.flush()
            orm.add_all(
                Column(board_id=DEFAULT_BOARD, key=key, name=name, position=i, role=role)
                for i, (key, name, role) in enumerate(DEFAULT_COLUMNS)
            )
    return session().get(Board, DEFAULT_BOARD)


def get_board(board_id: str = DEFAULT_BOARD) -> Board:
    board = session().get(Board, board_id)
    if board is None:
        raise NotFound("Board not found", "BOARD_NOT_FOUND")
    return board


def columns(board_id: str = DEFAULT_BOARD) -> list[Column]:
    return get_board(board_id).columns


def column_named(column_name: str, board_id: str = DEFAULT_BOARD) -> Column:
    """The column called `column_name`, or Invalid with Tack's message."""
    for column in columns(board_id):
        if column.key == column_name:
            return column
    valid = ", ".join(c.key for c in columns(board_id))
    raise Invalid(f"Invalid column '{column_name}'. Valid columns: {valid}", "INVALID_COLUMN")


def columns_with_role(role: str, board_id: str = DEFAULT_BOARD) -> list[Column]:
    return [column for column in columns(board_id) if column.role == role]


def column_with_role(role: str, board_id: str = DEFAULT_BOARD) -> Column:
    for column in columns_with_role(role, board_id):
        return column
    raise Invalid(f"Board has no column with role '{role}'", "NO_SUCH_ROLE")


def column_or_default(column_name: str | None, default_role: str,
                      board_id: str = DEFAULT_BOARD) -> Column:
    """The column a caller named, or, when none was named, the board's column with
    `default_role`: every default move target is chosen by role, never by key."""
    if column_name:
        return column_named(column_name, board_id)
    return column_with_role(default_role, board_id)
