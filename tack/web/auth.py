"""Who may write from the page, by the rule of tack.services.access. With
TACK_API_KEY set, a person signs in once with it and holds a signed session cookie
(the key itself is never stored). A board's manage key (from its manage link,
`/board/<id>?key=kb_...`, or the sign-in form on its page) opens that board alone:
the session keeps the key's hash, so a rotated key closes it again. Also the two
things every page blueprint that writes needs: the CSRF check on its POSTs, and a
write whose refusal is shown on the page."""
import hmac
from collections.abc import Callable

from flask import Blueprint, current_app, request, session

from tack.errors import TackError
from tack.extensions import csrf
from tack.services import access
from tack.services.boards import hash_key, manage_key_matches

BOARD_KEYS = "board_keys"  # session: board id -> the hash of the manage key given
BOARD_KEYS_KEPT = 20  # boards one session holds a manage key for (cookie size)


class SignInRequired(TackError, status=401, code="SIGN_IN_REQUIRED"):
    """A page write while TACK_API_KEY is set and nobody signed in."""


def key_required() -> bool:
    return bool(current_app.config["TACK"].api_key)


def admin_signed_in() -> bool:
    return key_required() and bool(session.get("signed_in"))


def signed_in() -> bool:
    """No admin key to sign in with, or signed in with it: otherwise the page offers
    its sign-in form."""
    return not key_required() or admin_signed_in()


def holds_board_key(board) -> bool:
    held = session.get(BOARD_KEYS, {}).get(board.id)
    return bool(held and board.manage_key_hash) and \
        hmac.compare_digest(held, board.manage_key_hash)


def may_edit(board) -> bool:
    """Whether this person may change `board` from the page."""
    return admin_signed_in() or holds_board_key(board) or access.is_open(board)


def require_sign_in() -> None:
    """Before a page write: the signed-in admin writes anywhere; anyone else only on
    open boards and those whose manage key this session holds (checked per board
    inside the write)."""
    if admin_signed_in():
        return
    if key_required() and not session.get(BOARD_KEYS):
        raise SignInRequired("Sign in with the board's API key to make changes")
    access.limit_writes_to(may_edit)


def require_admin() -> None:
    if not admin_signed_in():
        raise SignInRequired("Sign in with the admin key (TACK_API_KEY) for this")


def sign_in(offered_key: str, name: str, board=None) -> bool:
    """The admin key signs in for every board; `board`'s manage key for that board
    (kept beside any others this session holds)."""
    if access.is_admin_key(offered_key):
        session.clear()
        session["signed_in"] = True
    elif board is not None and manage_key_matches(board, offered_key):
        remember_board_key(board.id, offered_key)
    else:
        return False
    session["name"] = name
    session.permanent = True
    return True


def remember_board_key(board_id: str, key: str) -> None:
    kept = {k: v for k, v in session.get(BOARD_KEYS, {}).items() if k != board_id}
    kept[board_id] = hash_key(key)
    session[BOARD_KEYS] = dict(list(kept.items())[-BOARD_KEYS_KEPT:])
    session.permanent = True


def sign_out() -> None:
    session.clear()


def display_name() -> str:
    return session.get("name") or "human"


def protect_posts(blueprint: Blueprint) -> None:
    """Check the CSRF token on the blueprint's POSTs (the app checks none by default:
    the JSON API has no forms)."""
    @blueprint.before_request
    def check_csrf():
        if request.method == "POST":
            csrf.protect()


def page_write(write: Callable[[], str | None], show: Callable[..., object]):
    """Run `write` as the signed-in person and answer show(message, status): its
    message, or a refusal's reason and status (not signed in, a rule, bad input),
    with nothing changed."""
    try:
        require_sign_in()
        message = write()
    except TackError as refused:
        return show(str(refused.detail), refused.status)
    return show(message or "", 200)
