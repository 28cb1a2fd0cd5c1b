"""Who may write from the page: with TACK_API_KEY set, a person signs in once with
the key and holds a signed session cookie (the key itself is never stored)."""
import hmac

from flask import current_app, session

from tack.errors import TackError


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
