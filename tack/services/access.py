"""Who may change a board: one rule for every surface and the page.

- The admin key (TACK_API_KEY) may change every board.
- A board's manage key (`kb_...`) may change its board.
- An access key (`ak_...`) may change the boards it has edit on (or all of them).
- A board with no manage key, while no admin key is set, is open: anyone may change
  it, as Tack's own board is without a key.

A surface that lets a request write without the admin key says so once
(limit_writes_to); then every write transaction of that request checks the boards
its events touch, just before they are written (check_touched_boards). A card's
board is only known inside the write, so that is where the check is made, and no
surface can reach a board around its key (a card on a keyed board claimed through
/api, say). A refusal rolls the whole write back."""
import hmac
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, g

from tack.errors import TackError
from tack.models import Board
from tack.services import access_keys
from tack.services.boards import MANAGE_KEY_PREFIX, manage_key_matches

WRITE_ACCESS = "tack_write_access"
# Boards seen without a manage key, per app. A board never gains one once made
# (rotate_manage_key refuses a board without a key) and the admin key is fixed for a
# process, so an open board stays open: the hot writes on it pay no query.
OPEN_BOARDS = "tack_open_boards"
CHECKED_BOARDS = "tack_boards_checked"  # judged before the write changed their key
SELECT_KEYS = sa.select(Board.id, Board.manage_key_hash)
REFUSAL = ("This board needs a key that may change it: the admin key, its manage key "
           "or an access key with edit on it")


class Unauthorized(TackError, status=401, code="UNAUTHORIZED"):
    """A write without a key that may change the board."""


def admin_key_set() -> bool:
    return bool(current_app.config["TACK"].api_key)


def is_admin_key(offered: str) -> bool:
    admin_key = current_app.config["TACK"].api_key
    return bool(admin_key) and bool(offered) and \
        hmac.compare_digest(offered.encode(), admin_key.encode())


def looks_like_board_key(offered: str) -> bool:
    """A manage or access key: one that may open some boards (not the admin key)."""
    return offered.startswith((MANAGE_KEY_PREFIX, access_keys.KEY_PREFIX))


def is_open(board) -> bool:
    return not board.manage_key_hash and not admin_key_set()


def key_may_edit(board, offered: str) -> bool:
    """Whether `offered` may change `board` (a row with id and manage_key_hash)."""
    if is_open(board) or is_admin_key(offered) or manage_key_matches(board, offered):
        return True
    if offered.startswith(access_keys.KEY_PREFIX):
        access = access_keys.authenticate(offered)
        return access is not None and access.permission_on(board.id) == "edit"
    return False


def limit_writes_to(may_edit: Callable[[sa.Row], bool]) -> None:
    """This request's writes may change only the boards may_edit(board) allows."""
    setattr(g, WRITE_ACCESS, may_edit)


def admit_write(offered: str) -> bool:
    """Before a request that writes: whether it may go on. The admin key may; with
    an admin key set, a request without a manage or access key is refused at once;
    any other goes on with each board it touches checked inside its write."""
    if is_admin_key(offered):
        return True
    if admin_key_set() and not looks_like_board_key(offered):
        return False
    limit_writes_to(lambda board: key_may_edit(board, offered))
    return True


def check_before_key_change(board) -> None:
    """For a write that changes `board`'s manage key: judged by the key it had, so
    its holder may rotate it (the check at the end would see the new one)."""
    may_edit = g.get(WRITE_ACCESS)
    if may_edit is None:
        return
    if not may_edit(board):
        raise Unauthorized(REFUSAL)
    g.setdefault(CHECKED_BOARDS, set()).add(board.id)


def check_touched_boards(connection: sa.Connection, events: list[dict]) -> None:
    """Called with a write's events just before they are written. A board made in
    this write is its maker's (each surface rules who may make one)."""
    may_edit = g.get(WRITE_ACCESS)
    if may_edit is None:
        return
    open_boards = current_app.extensions.setdefault(OPEN_BOARDS, set())
    made = {event["board_id"] for event in events if event["action"] == "board_created"}
    touched = ({event["board_id"] for event in events} - made - open_boards
               - g.get(CHECKED_BOARDS, set()))
    if not touched:
        return
    found = connection.execute(SELECT_KEYS.where(Board.id.in_(touched))).all()
    for board in found:
        if is_open(board):
            open_boards.add(board.id)
        elif not may_edit(board):
            raise Unauthorized(REFUSAL)
    if len(found) < len(touched):  # a board removed in this write: nobody's to judge
        raise Unauthorized("Only the admin key may change a board that is gone")
