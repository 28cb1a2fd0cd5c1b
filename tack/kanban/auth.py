"""Who may write on /api/v1: the rule of tack.services.access (the admin key, the
board's manage key or an access key with edit), checked before the view runs, or
inside the write for the hottest ones."""
from flask import g, request

from tack.services.access import Unauthorized, key_may_edit
from tack.services.boards import board_access
from tack.services.transaction import check_at_write_start, write_checks_pending


def offered_key() -> str:
    """The key the request carries, checked in the contract's order: Authorization
    Bearer, X-API-Key, ?key=."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if request.headers.get("X-API-Key", "").strip():
        return request.headers["X-API-Key"].strip()
    return request.args.get("key", "").strip()


def can_edit(board) -> bool:
    return key_may_edit(board, offered_key())


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def require_edit(board_id: str):
    """The board's access row (id, manage key hash, display-name rule;
    BOARD_NOT_FOUND first), when the request may change it. Checked once per
    request."""
    checked = g.get("kanban_board")
    if checked is not None and checked.id == board_id:
        return checked
    board = board_access(board_id)
    if not can_edit(board):
        raise Unauthorized("Missing or invalid manage key (send Authorization: Bearer, "
                           "X-API-Key or ?key=)")
    g.kanban_board = board
    return board


# The hottest writes (what agents do in a loop) check the key inside their own write
# transaction, on its connection, instead of in a query and transaction of their
# own before the view runs. Each of these views always calls one write service.
CHECKED_IN_WRITE = frozenset({
    "kanban_tasks.task_claim", "kanban_tasks.task_release", "kanban_activity.post_comment"})


def require_edit_in_write(board_id: str) -> None:
    """require_edit(), run first thing in the request's write transaction: nothing
    is changed when it refuses (BOARD_NOT_FOUND, UNAUTHORIZED)."""
    check_at_write_start(lambda: require_edit(board_id))


def guard_board_writes() -> None:
    """before_request: every write under /api/v1/boards/<board_id>/... needs edit on
    that board, so an endpoint added later cannot forget the check."""
    from tack.kanban import is_kanban_path
    if request.method in WRITE_METHODS and is_kanban_path(request.path):
        board_id = (request.view_args or {}).get("board_id")
        if board_id is None:
            return
        if request.endpoint in CHECKED_IN_WRITE:
            require_edit_in_write(board_id)
        else:
            require_edit(board_id)


def no_write_left_unchecked(response):
    """after_request: a view in CHECKED_IN_WRITE that answered success without
    opening a write never ran its key check; that is a bug, never a success."""
    if write_checks_pending() and response.status_code < 400:
        raise RuntimeError(f"{request.endpoint} answered without its key check")
    return response
