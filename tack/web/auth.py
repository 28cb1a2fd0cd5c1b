"""Who may write from the page: with TACK_API_KEY set, a person signs in once with
the key and holds a signed session cookie (the key itself is never stored). Also
the two things every page blueprint that writes needs: the CSRF check on its POSTs,
and a write whose refusal is shown on the page."""
import hmac
from collections.abc import Callable

from flask import Blueprint, current_app, request, session

from tack.errors import TackError
from tack.extensions import csrf


class SignInRequired(TackError, status=401, code="SIGN_IN_REQUIRED"):
    """A page write while TACK_API_KEY is set and nobody signed in."""


def key_required() -> bool:
    return bool(current_app.config["TACK"].api_key)


def signed_in() -> bool:
    return not key_required() or bool(session.get("signed_in"))


def require_sign_in() -> None:
    if not signed_in():
        raise SignInRequired("Sign in with the board's API key to make changes")


def sign_in(offered_key: str, name: str) -> bool:
    key = current_app.config["TACK"].api_key
    if not key or not hmac.compare_digest(offered_key.encode(), key.encode()):
        return False
    session.clear()
    session["signed_in"] = True
    session["name"] = name
    session.permanent = True
    return True


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
