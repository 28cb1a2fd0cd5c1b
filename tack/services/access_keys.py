"""Access keys (`ak_...`) for the AgentKanban surface: for all boards or chosen
boards, each with read or edit.

A key can be revealed again, so it cannot only be hashed: it is kept encrypted with
a key derived from the server's secret. Authentication never decrypts: the key's
first characters (`lookup`) find the row and its sha256 is compared in constant
time. Every check reads the database, so a revoke holds at once in every process."""
import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from flask import g

from tack.clock import now
from tack.errors import Conflict, Invalid, NotFound
from tack.models import Board
from tack.models_agentkanban import AccessKey, AccessKeyBoard
from tack.services.transaction import connection, read_rows, session, write_transaction
from tack.services.webhooks import secret_box

log = logging.getLogger(__name__)
KEY_PREFIX = "ak_"
LOOKUP_LENGTH = 11  # "ak_" and 8 random characters
PERMISSIONS = ("read", "edit")
NAME_MAX = 200
# last_used_at is written at most this often per key, so reads stay reads.
LAST_USED_PRECISION = timedelta(minutes=1)
KEY_PURPOSE = b"tack access keys"
KEYS_USED = "tack_access_keys_used"  # g: keys to stamp once the request's writes are over
KEYS = AccessKey.__table__
GRANTS = AccessKeyBoard.__table__


@dataclass(frozen=True)
class KeyAccess:
    """What an authenticated key may do: `permission` on every board (all_boards),
    else the permission per board id in `boards`."""
    id: str
    name: str
    all_boards: bool
    permission: str
    boards: dict[str, str]

    def permission_on(self, board_id: str) -> str | None:
        return self.permission if self.all_boards else self.boards.get(board_id)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _check_permission(permission: str) -> str:
    if permission not in PERMISSIONS:
        raise Invalid(f"Permission must be read or edit, not '{permission}'", "INVALID_INPUT")
    return permission


@write_transaction
def create_key(*, name: str, app_secret: str, all_boards: bool = False,
               permission: str = "edit", boards: dict[str, str] | None = None,
               created_by: str = "") -> tuple[AccessKey, str]:
    """A new key; returns (row, the key). `boards` maps board id -> read|edit and is
    used when not `all_boards`."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise Invalid(f"Key name must be 1 to {NAME_MAX} characters", "INVALID_INPUT")
    _check_permission(permission)
    boards = dict(boards or {})
    if not all_boards and not boards:
        raise Invalid("Choose all boards or at least one board", "INVALID_INPUT")
    for board_id, board_permission in boards.items():
        _check_permission(board_permission)
        if session().get(Board, board_id) is None:
            raise NotFound(f"Board not found: {board_id}", "BOARD_NOT_FOUND")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = AccessKey(id=str(uuid.uuid4()), name=name, lookup=key[:LOOKUP_LENGTH],
                    key_hash=_hash(key),
                    key_encrypted=secret_box(app_secret, KEY_PURPOSE).encrypt(
                        key.encode()).decode(),
                    all_boards=all_boards, permission=permission if all_boards else "read",
                    created_by=created_by, created_at=now())
    session().add(row)
    session().flush()
    if not all_boards:
        session().add_all(AccessKeyBoard(access_key_id=row.id, board_id=board_id,
                                         permission=board_permission)
                          for board_id, board_permission in boards.items())
    return row, key


def authenticate(offered: str) -> KeyAccess | None:
    """The live (not revoked) key `offered` is, or None."""
    if not offered.startswith(KEY_PREFIX) or len(offered) < LOOKUP_LENGTH:
        return None
    # Inside a write (a board's key checked there) on the write's own connection: a
    # second one per write would let busy writers empty the pool waiting on each other.
    candidates = read_rows(sa.select(KEYS).where(KEYS.c.lookup == offered[:LOOKUP_LENGTH],
                                                 KEYS.c.revoked_at.is_(None)))
    offered_hash = _hash(offered)
    found = None
    for row in candidates:
        if hmac.compare_digest(offered_hash, row.key_hash):
            found = row
    if found is None:
        return None
    grants = {} if found.all_boards else dict(
        read_rows(sa.select(GRANTS.c.board_id, GRANTS.c.permission)
                  .where(GRANTS.c.access_key_id == found.id)))
    if found.last_used_at is None or now() - found.last_used_at >= LAST_USED_PRECISION:
        if g.get("tack_write") is None:
            note_used(found.id)
        else:
            # Not inside another write: it would hold this key's row until that write
            # commits, and a write that checked its key first could wait on it.
            g.setdefault(KEYS_USED, set()).add(found.id)
    return KeyAccess(id=found.id, name=found.name, all_boards=found.all_boards,
                     permission=found.permission, boards=grants)


def note_keys_used_in_writes(_error=None) -> None:
    """teardown_request: the last-used times authenticate() left for after the
    request's writes."""
    for key_id in g.pop(KEYS_USED, ()):
        try:
            note_used(key_id)
        except Exception:  # a bookkeeping time is not worth failing a finished request
            log.exception("last use of access key %s not recorded", key_id)


@write_transaction
def note_used(key_id: str) -> None:
    """Record when the key was last used (at most once per LAST_USED_PRECISION)."""
    at = now()
    connection().execute(
        sa.update(KEYS).where(KEYS.c.id == key_id, sa.or_(
            KEYS.c.last_used_at.is_(None), KEYS.c.last_used_at <= at - LAST_USED_PRECISION))
        .values(last_used_at=at))


@write_transaction
def grant_board(*, key_id: str, board_id: str, permission: str = "edit") -> None:
    """Give the key `permission` on a board (a no-op for an all-boards key). Used when
    a key creates a board: it gets edit on it."""
    key = _key(key_id)
    _check_permission(permission)
    if key.all_boards:
        return
    grant = session().get(AccessKeyBoard, (key_id, board_id))
    if grant is None:
        session().add(AccessKeyBoard(access_key_id=key_id, board_id=board_id,
                                     permission=permission))
    else:
        grant.permission = permission


def _key(key_id: str) -> AccessKey:
    key = session().get(AccessKey, key_id)
    if key is None:
        raise NotFound("Access key not found", "KEY_NOT_FOUND")
    return key


def list_keys() -> list[dict]:
    """Every key, newest first, with its grants (never the key itself)."""
    keys = list(session().scalars(sa.select(AccessKey)
                                  .order_by(AccessKey.created_at.desc(), AccessKey.id)))
    grants: dict[str, dict[str, str]] = {}
    for grant in session().scalars(sa.select(AccessKeyBoard)):
        grants.setdefault(grant.access_key_id, {})[grant.board_id] = grant.permission
    return [{
        "id": key.id, "name": key.name, "prefix": key.lookup,
        "all_boards": key.all_boards,
        "permission": key.permission if key.all_boards else None,
        "boards": grants.get(key.id, {}), "created_by": key.created_by,
        "created_at": key.created_at, "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    } for key in keys]


def reveal_key(*, key_id: str, app_secret: str) -> str:
    """The key itself, decrypted. Conflict when the server's secret has changed."""
    key = _key(key_id)
    try:
        return secret_box(app_secret, KEY_PURPOSE).decrypt(key.key_encrypted.encode()).decode()
    except InvalidToken:
        raise Conflict("This key cannot be read with the server's current secret; "
                       "revoke it and make a new one", "KEY_UNREADABLE") from None


@write_transaction
def revoke_key(*, key_id: str) -> AccessKey:
    """Stop the key working, at once. Revoking twice is a no-op."""
    key = _key(key_id)
    if key.revoked_at is None:
        key.revoked_at = now()
    return key
