"""Boards and their columns. Behaviour keys off a column's role, not its name."""
import hashlib
import hmac
import secrets
import uuid
from contextlib import suppress

import sqlalchemy as sa

from tack.clock import now
from tack.errors import Conflict, Invalid, NotFound
from tack.models import Board, Column
from tack.services.transaction import (
    read_rows,
    record,
    session,
    write_transaction,
    writing,
)

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
TACK_KEY_ROLES = {key: role for key, _, role in DEFAULT_COLUMNS}


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


COLUMNS_OF_BOARD = (sa.select(Column.__table__)
                    .where(Column.__table__.c.board_id == sa.bindparam("board_id"))
                    .order_by(Column.__table__.c.position))


def column_rows(board_id: str = DEFAULT_BOARD) -> list[sa.Row]:
    """The board's columns in order, as plain rows (key, name, role, wip_limit...):
    for the reads and the hot writes that only look a column up. One Core query is
    a tenth of loading the board and its columns through the ORM, and read fresh
    each call it needs no cache to keep right."""
    found = read_rows(COLUMNS_OF_BOARD, board_id=board_id)
    if not found:  # every board keeps at least one column
        raise NotFound("Board not found", "BOARD_NOT_FOUND")
    return found


def column_named(column_name: str, board_id: str = DEFAULT_BOARD, among=None) -> Column:
    """The column called `column_name`, or Invalid with Tack's message. `among`: the
    board's columns when the caller has them (column_rows() for a plain lookup)."""
    among = columns(board_id) if among is None else among
    for column in among:
        if column.key == column_name:
            return column
    # On a board with free columns, Tack's own column names stand for the column
    # with that role (`inbox`, `done`...), so Tack's clients work there unchanged.
    role = TACK_KEY_ROLES.get(column_name)
    for column in among:
        if role is not None and column.role == role:
            return column
    valid = ", ".join(c.key for c in among)
    raise Invalid(f"Invalid column '{column_name}'. Valid columns: {valid}", "INVALID_COLUMN")


def columns_with_role(role: str, board_id: str = DEFAULT_BOARD, among=None) -> list[Column]:
    among = columns(board_id) if among is None else among
    return [column for column in among if column.role == role]


def column_with_role(role: str, board_id: str = DEFAULT_BOARD, among=None) -> Column:
    for column in columns_with_role(role, board_id, among):
        return column
    raise Invalid(f"Board has no column with role '{role}'", "NO_SUCH_ROLE")


def column_or_default(column_name: str | None, default_role: str,
                      board_id: str = DEFAULT_BOARD, among=None) -> Column:
    """The column a caller named, or, when none was named, the board's column with
    `default_role`: every default move target is chosen by role, never by key."""
    if column_name:
        return column_named(column_name, board_id, among)
    return column_with_role(default_role, board_id, among)


# --- Many boards (issue 8): boards as first-class, with their own keys and rules ---

WORKFLOWS = ("tack", "columns", "clawboo")
# The HNR Kanban contract's default columns for a board created without any.
DEFAULT_FREE_COLUMNS = ("Backlog", "Up Next", "In Progress", "Review", "Done")
BOARD_NAME_MAX = 200
COLUMNS_MAX = 50
ANONYMOUS = "anonymous"
MANAGE_KEY_PREFIX = "kb_"
BOARD_SETTINGS = (
    "name", "description", "is_public", "require_display_name", "quick_done_column_id",
    "quick_done_auto_archive", "quick_reassign_column_id", "quick_reassign_to",
)


def is_real_name(actor: str | None) -> bool:
    """A display name a person or agent chose: not blank, not "anonymous"."""
    name = (actor or "").strip()
    return bool(name) and name.lower() != ANONYMOUS


def check_actor(board: Board, actor: str | None) -> None:
    if board.require_display_name and not is_real_name(actor):
        raise Invalid("This board requires a display name (actor_name) for every write",
                      "DISPLAY_NAME_REQUIRED")


def check_card_writers_named(connection: sa.Connection, events: list[dict]) -> None:
    """The display-name rule for every card write, whichever surface or service made
    it: called with the transaction's events just before they are written. Costs a
    query only when some card event has no real actor."""
    unnamed = {e["board_id"] for e in events if e["card_id"] and not is_real_name(e["actor"])}
    if not unnamed:
        return
    strict = connection.execute(
        sa.select(Board.id).where(Board.id.in_(unnamed), Board.require_display_name)
    ).first()
    if strict is not None:
        raise Invalid("This board requires a display name (actor_name) for every write",
                      "DISPLAY_NAME_REQUIRED")


def new_manage_key() -> tuple[str, str]:
    """(key shown once, its sha256 kept). The key is 256 random bits, so a plain
    hash is enough: nothing to guess, nothing to look up in a table."""
    key = MANAGE_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, hash_key(key)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def manage_key_matches(board: Board, offered: str) -> bool:
    if not board.manage_key_hash or not offered:
        return False
    return hmac.compare_digest(hash_key(offered), board.manage_key_hash)


def free_column_roles(count: int) -> list[str]:
    """Free columns: the first takes new work (inbox), the last is done, the rest
    are plain stages. Completion and claim-next key off these roles."""
    if count == 1:
        return ["inbox"]
    return ["inbox"] + ["open"] * (count - 2) + ["done"]


def _clean_name(name: str | None, code: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(f"{what} name is empty", code)
    if len(name) > BOARD_NAME_MAX:
        raise Invalid(f"{what} name is longer than {BOARD_NAME_MAX} characters",
                      "INVALID_INPUT")
    return name


@write_transaction
def create_board(*, name: str, description: str = "", column_names: list[str] | None = None,
                 workflow: str = "columns", is_public: bool = False,
                 require_display_name: bool = False, actor: str = "") -> tuple[Board, str]:
    """A new board with its columns and a manage key; returns (board, key). The key
    is never stored, only its hash: this is the one time anyone sees it.
    column_names None: the default free columns; [] makes a board without columns
    (AgentKanban boards start empty and get their lanes from the client)."""
    name = _clean_name(name, "EMPTY_NAME", "Board")
    if workflow not in WORKFLOWS:
        raise Invalid(f"Workflow '{workflow}' is not available; use "
                      f"{', '.join(WORKFLOWS)}", "INVALID_INPUT")
    if workflow == "tack":
        specs = [(key, title, role) for key, title, role in DEFAULT_COLUMNS]
    elif workflow == "clawboo":
        from tack.services.workflows import CLAWBOO_COLUMNS
        specs = list(CLAWBOO_COLUMNS)
    else:
        titles = [_clean_name(title, "INVALID_INPUT", "Column")
                  for title in (DEFAULT_FREE_COLUMNS if column_names is None
                                else column_names)]
        if len(titles) > COLUMNS_MAX:
            raise Invalid(f"At most {COLUMNS_MAX} columns", "INVALID_INPUT")
        specs = [(str(uuid.uuid4()), title, role)
                 for title, role in zip(titles, free_column_roles(len(titles)))]
    key, key_hash = new_manage_key()
    at = now()
    board = Board(id=str(uuid.uuid4()), name=name, description=description or "",
                  settings={}, workflow=workflow, is_public=is_public,
                  require_display_name=require_display_name, manage_key_hash=key_hash,
                  created_at=at, updated_at=at)
    orm = session()
    orm.add(board)
    orm.flush()
    orm.add_all(Column(board_id=board.id, key=column_key, name=title, position=i, role=role)
                for i, (column_key, title, role) in enumerate(specs))
    orm.flush()
    orm.refresh(board, ["columns"])
    record("board_created", card_id=None, actor=actor, details=name, board_id=board.id)
    return board, key


def list_boards(*, public_only: bool = True, include_archived: bool = False) -> list[Board]:
    query = sa.select(Board).order_by(Board.created_at, Board.id)
    if public_only:
        query = query.where(Board.is_public)
    if not include_archived:
        query = query.where(Board.archived_at.is_(None))
    return list(session().scalars(query))


@write_transaction
def update_board(*, board_id: str, changes: dict, actor: str = "") -> Board:
    """Change any of BOARD_SETTINGS; quick-action columns must be the board's own."""
    board = get_board(board_id)
    changes = {k: v for k, v in changes.items() if k in BOARD_SETTINGS}
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], "EMPTY_NAME", "Board")
    keys = {column.key for column in board.columns}
    for field in ("quick_done_column_id", "quick_reassign_column_id"):
        if changes.get(field) is not None and changes[field] not in keys:
            raise Invalid(f"{field}: no column '{changes[field]}' on this board",
                          "INVALID_COLUMN")
    edited = [field for field, value in changes.items() if getattr(board, field) != value]
    for field in edited:
        setattr(board, field, changes[field])
    if edited:
        board.updated_at = now()
        record("board_updated", card_id=None, actor=actor, details=", ".join(edited),
               board_id=board.id)
    return board


@write_transaction
def set_board_archived(*, board_id: str, archived: bool, actor: str = "") -> Board:
    board = get_board(board_id)
    if archived and board.archived_at is not None:
        raise Invalid("Board is already archived", "ALREADY_ARCHIVED")
    if not archived and board.archived_at is None:
        raise Invalid("Board is not archived", "NOT_ARCHIVED")
    board.archived_at = now() if archived else None
    board.updated_at = now()
    record("board_archived" if archived else "board_unarchived", card_id=None, actor=actor,
           details=board.name, board_id=board.id)
    return board


@write_transaction
def rotate_manage_key(*, board_id: str, actor: str = "") -> str:
    """A new manage key for the board, returned this once; the old one stops working.
    A board made without one (Tack's main board, a Clawboo team) is governed by the
    admin key and never gains one: tack.services.access counts on that."""
    board = get_board(board_id)
    if not board.manage_key_hash:
        raise Conflict("This board has no manage key to rotate: the admin key "
                       "(TACK_API_KEY) governs it", "NO_MANAGE_KEY")
    from tack.services.access import check_before_key_change
    check_before_key_change(board)
    key, board.manage_key_hash = new_manage_key()
    board.updated_at = now()
    record("board_updated", card_id=None, actor=actor, details="manage key rotated",
           board_id=board.id)
    return key


BOARDS = Board.__table__
COLUMNS = Column.__table__
SELECT_BOARD = sa.select(BOARDS).where(BOARDS.c.id == sa.bindparam("board_id"))
SELECT_COLUMNS = (sa.select(COLUMNS).where(COLUMNS.c.board_id == sa.bindparam("board_id"))
                  .order_by(COLUMNS.c.position, COLUMNS.c.id))


def _read(statement, **params):
    """Inside a write: on its connection; otherwise on the fast read path."""
    from flask import g

    from tack.services.reading import fetch
    if g.get("tack_write") is not None:
        return g.tack_write.connection.execute(statement, params).all()
    return fetch(statement, **params)


def board_row(board_id: str) -> sa.Row:
    """The board's own fields as a plain row (no columns, no ORM): what the per-call
    checks (keys, display names) need."""
    found = _read(SELECT_BOARD, board_id=board_id)
    if not found:
        raise NotFound("Board not found", "BOARD_NOT_FOUND")
    return found[0]


# What a write's key check and display-name rule read of the board, on every write.
SELECT_BOARD_ACCESS = sa.select(BOARDS.c.id, BOARDS.c.manage_key_hash,
                                BOARDS.c.require_display_name).where(
    BOARDS.c.id == sa.bindparam("board_id"))


def board_access(board_id: str) -> sa.Row:
    """The board's id, manage key hash and display-name rule (BOARD_NOT_FOUND when
    there is no such board): only what the per-write checks need."""
    found = _read(SELECT_BOARD_ACCESS, board_id=board_id)
    if not found:
        raise NotFound("Board not found", "BOARD_NOT_FOUND")
    return found[0]


def column_rows(board_id: str) -> list[sa.Row]:
    """The board's columns in position order, as plain rows."""
    return _read(SELECT_COLUMNS, board_id=board_id)
