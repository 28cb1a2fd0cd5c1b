"""Who is calling: the access key in `Authorization: Bearer ak_...` (the only place
this surface reads a key), its rate limit, and its permission on the board a path
names."""
import time

from flask import current_app, g, request
from limits import parse

from tack.errors import Forbidden, NotFound, TackError
from tack.extensions import limiter
from tack.services import access_keys
from tack.services.access_keys import KeyAccess
from tack.services.boards import board_row

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Unauthenticated(TackError, status=401, code="invalid_key"):
    """No access key, or one that is unknown or revoked."""


class RateLimited(TackError, status=429, code="rate_limited"):
    """The key made more requests than its rate limit allows."""


def check_key() -> None:
    """before_request: the key, its rate limit, and its access to the path's board."""
    from tack.agentkanban import is_ext_path
    if not is_ext_path(request.path):
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Missing Authorization: Bearer ak_... header", "missing_auth")
    key = access_keys.authenticate(token.strip())
    if key is None:
        raise Unauthenticated("API key not found or revoked", "invalid_key")
    g.ext_key = key
    count_request(key)
    board_id = (request.view_args or {}).get("board_id")
    if board_id is not None:
        require_board(board_id, "edit" if request.method in WRITE_METHODS else "read")


def count_request(key: KeyAccess) -> None:
    """One hit on the key's limit (in Redis when TACK_REDIS_URL is set, so every
    process counts together); RateLimited with the seconds to wait past it."""
    rate = parse(current_app.config["TACK"].ext_rate_limit)
    if limiter.limiter.hit(rate, "agentkanban", key.id):
        return
    reset_at = limiter.limiter.get_window_stats(rate, "agentkanban", key.id).reset_time
    g.ext_retry_after = reset_at - time.time()
    raise RateLimited("Rate limit exceeded. Try again later.")


def current_key() -> KeyAccess:
    return g.ext_key


def require_board(board_id: str, need: str) -> str:
    """The key's permission on the board: 403 without access (or read when edit is
    needed), then 404 when the board does not exist."""
    permission = current_key().permission_on(board_id)
    if permission is None:
        raise Forbidden("This key does not have access to that board", "forbidden")
    if need == "edit" and permission != "edit":
        raise Forbidden("This key has read access only to that board", "forbidden")
    try:
        board_row(board_id)
    except NotFound:
        raise NotFound("Board not found", "not_found") from None
    return permission
