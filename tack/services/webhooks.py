"""Webhook registrations per board, and the log their deliveries write.

The signing secret is shown once, at creation. It has to be read again to sign each
delivery (HMAC-SHA256), so it cannot be hashed: it is stored encrypted (Fernet) with
a key derived from the server's secret (TACK_SECRET_KEY, or what config derives).
If that secret changes, stored webhook secrets can no longer be read: the delivery
job reports WEBHOOK_SECRET_UNREADABLE and the owner re-creates the hook.

Delivery itself (the job that reads the event log and posts) is in
tack.services.webhook_delivery."""
import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
import uuid
from urllib.parse import urlsplit

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from tack.clock import isoformat, now
from tack.errors import Conflict, Invalid, NotFound
from tack.models import Webhook, WebhookDelivery
from tack.services.boards import get_board
from tack.services.reading import fetch
from tack.services.transaction import session, write_transaction

# The HNR Kanban contract's event types; an empty filter means all of them.
EVENT_TYPES = ("task.created", "task.updated", "task.deleted", "task.claimed",
               "task.released", "task.moved", "task.comment")
URL_MAX = 2048
WEBHOOKS_PER_BOARD_MAX = 20
DELIVERIES_LIMIT_MAX = 1000
SECRET_PREFIX = "whsec_"


def secret_box(app_secret: str, purpose: bytes) -> Fernet:
    """Fernet with a key derived from the server's secret, one key per `purpose`, for
    secrets Tack must read again (webhook signing secrets, access keys)."""
    if not app_secret:
        raise ValueError("the server secret is needed to keep revealable secrets")
    key = hmac.new(app_secret.encode(), purpose, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet(app_secret: str) -> Fernet:
    return secret_box(app_secret, b"tack webhook secrets")


def check_url(url: str | None, *, allow_private: bool) -> str:
    """The URL, trimmed, if it is an absolute http(s) URL a delivery can be posted to;
    otherwise Invalid (EMPTY_URL or INVALID_URL). Unless `allow_private`
    (TACK_WEBHOOK_ALLOW_PRIVATE), a host that is a private, loopback or link-local
    address as written (or `localhost`) is refused here already; a name is checked
    after DNS resolution on every delivery (webhook_delivery), since what it resolves
    to can change."""
    url = (url or "").strip()
    if not url:
        raise Invalid("Webhook URL is empty", "EMPTY_URL")
    if len(url) > URL_MAX:
        raise Invalid(f"Webhook URL is longer than {URL_MAX} characters", "INVALID_URL")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise Invalid("Webhook URL must not contain spaces or control characters",
                      "INVALID_URL")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError:
        raise Invalid("Webhook URL is not a valid URL", "INVALID_URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise Invalid("Webhook URL must start with http:// or https://", "INVALID_URL")
    if not parts.hostname:
        raise Invalid("Webhook URL has no host", "INVALID_URL")
    if parts.username is not None or parts.password is not None:
        # They would sit in the database and in logs in clear; use the signature.
        raise Invalid("Webhook URL must not contain a user name or password",
                      "INVALID_URL")
    if port == 0:
        raise Invalid("Webhook URL has an invalid port", "INVALID_URL")
    _check_host(parts.hostname)
    if not allow_private and not _may_be_public(parts.hostname):
        raise Invalid(f"Webhook URL's host {parts.hostname} is a private, loopback or "
                      "link-local address, which this server does not post to "
                      "(TACK_WEBHOOK_ALLOW_PRIVATE=0)", "INVALID_URL")
    return url


def _check_host(host: str) -> None:
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or not all(0 < len(label) <= 63 for label in labels):
        raise Invalid("Webhook URL has an invalid host name", "INVALID_URL")


def is_public_address(address: str) -> bool:
    """A global unicast address (not private, loopback, link-local, shared, reserved
    or multicast); an IPv4-mapped IPv6 address is judged by its IPv4 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def _may_be_public(host: str) -> bool:
    """False for a host that is not public as written: an IP literal outside the
    public range (also IPv4 in the short or numeric forms resolvers accept, such as
    127.1 or 2130706433) or a `localhost` name. A host name is judged at delivery."""
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return is_public_address(host)
    except ValueError:
        pass
    try:
        return is_public_address(socket.inet_ntoa(socket.inet_aton(host)))
    except OSError:
        return True  # a name


def check_events(events: list[str] | None) -> list[str]:
    """The event filter without repeats; Invalid (INVALID_EVENT_TYPE) for a type the
    contract does not name."""
    chosen: list[str] = []
    for event in events or []:
        if event not in EVENT_TYPES:
            raise Invalid(f"Unknown event type '{event}'. Valid types: "
                          + ", ".join(EVENT_TYPES), "INVALID_EVENT_TYPE")
        if event not in chosen:
            chosen.append(event)
    return chosen


def webhook_view(hook: Webhook) -> dict:
    """The registration as its owner reads it: never the secret."""
    return {
        "id": hook.id,
        "board_id": hook.board_id,
        "url": hook.url,
        "events": list(hook.events or []),
        "active": bool(hook.active),
        "failure_count": hook.failure_count,
        "last_triggered_at": isoformat(hook.last_triggered_at),
        "created_at": isoformat(hook.created_at),
        "updated_at": isoformat(hook.updated_at),
    }


def _hook(webhook_id: str, board_id: str | None) -> Webhook:
    hook = session().get(Webhook, webhook_id)
    if hook is None or (board_id is not None and hook.board_id != board_id):
        raise NotFound("Webhook not found", "WEBHOOK_NOT_FOUND")
    return hook


@write_transaction
def create_webhook(*, board_id: str | None, url: str, events: list[str] | None = None,
                   app_secret: str, allow_private: bool) -> dict:
    """Register a hook on `board_id` (None: an access key's hook, which the caller
    links to its key and limits). Returns webhook_view() plus `secret`, the only
    time the secret is shown. `app_secret` is the server's secret (Flask's
    SECRET_KEY), which the stored copy of the secret is encrypted with;
    `allow_private` is the server's TACK_WEBHOOK_ALLOW_PRIVATE (see check_url)."""
    url, events = check_url(url, allow_private=allow_private), check_events(events)
    if board_id is not None:
        get_board(board_id)
    count = session().scalar(sa.select(sa.func.count()).where(Webhook.board_id == board_id))
    if board_id is not None and count >= WEBHOOKS_PER_BOARD_MAX:
        raise Conflict(f"A board has at most {WEBHOOKS_PER_BOARD_MAX} webhooks",
                       "WEBHOOK_LIMIT")
    secret = SECRET_PREFIX + secrets.token_urlsafe(24)
    at = now()
    hook = Webhook(id=str(uuid.uuid4()), board_id=board_id, url=url, events=events,
                   secret_encrypted=_fernet(app_secret).encrypt(secret.encode()).decode(),
                   active=True, failure_count=0, last_delivered_seq=0,
                   created_at=at, updated_at=at)
    session().add(hook)
    session().flush()
    return {**webhook_view(hook), "secret": secret}


def list_webhooks(*, board_id: str) -> list[dict]:
    """The board's hooks, oldest first (without secrets)."""
    get_board(board_id)
    hooks = session().scalars(sa.select(Webhook).where(Webhook.board_id == board_id)
                              .order_by(Webhook.created_at, Webhook.id))
    return [webhook_view(hook) for hook in hooks]


def get_webhook(*, webhook_id: str, board_id: str | None = None) -> dict:
    return webhook_view(_hook(webhook_id, board_id))


@write_transaction
def update_webhook(*, webhook_id: str, allow_private: bool, board_id: str | None = None,
                   url: str | None = None, events: list[str] | None = None,
                   active: bool | None = None) -> dict:
    """Change what is given (None leaves a field as it is; events=[] means all
    types). Turning a hook on again resets its failure count, so a hook the delivery
    job disabled gets a fresh start. A new URL is checked as at creation."""
    hook = _hook(webhook_id, board_id)
    if url is not None:
        hook.url = check_url(url, allow_private=allow_private)
    if events is not None:
        hook.events = check_events(events)
    if active is not None:
        if active and not hook.active:
            hook.failure_count = 0
            hook.retry_at = None  # no backoff left over from before
        hook.active = active
    hook.updated_at = now()
    session().flush()
    return webhook_view(hook)


@write_transaction
def delete_webhook(*, webhook_id: str, board_id: str | None = None) -> None:
    """Remove the hook and its delivery log."""
    session().delete(_hook(webhook_id, board_id))


def webhook_signing_secret(*, webhook_id: str, app_secret: str) -> str:
    """The hook's secret, for signing a delivery. Conflict (WEBHOOK_SECRET_UNREADABLE)
    when the server's secret has changed since the hook was made."""
    hook = _hook(webhook_id, None)
    try:
        return _fernet(app_secret).decrypt(hook.secret_encrypted.encode()).decode()
    except InvalidToken:
        raise Conflict("The webhook's secret cannot be read with this server's secret; "
                       "re-create the webhook", "WEBHOOK_SECRET_UNREADABLE") from None


def list_deliveries(*, webhook_id: str, board_id: str | None = None,
                    limit: int = 50) -> list[dict]:
    """The hook's latest delivery attempts, newest first."""
    if not 1 <= limit <= DELIVERIES_LIMIT_MAX:
        raise Invalid(f"limit must be 1 to {DELIVERIES_LIMIT_MAX}", "INVALID_INPUT")
    _hook(webhook_id, board_id)
    rows = fetch(sa.select(WebhookDelivery.__table__)
                 .where(WebhookDelivery.webhook_id == webhook_id)
                 .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                 .limit(limit))
    return [{
        "id": row.delivery_id, "event_seq": row.event_seq, "event_type": row.event_type,
        "attempt": row.attempt, "status": row.status, "response_code": row.response_code,
        "duration_ms": row.duration_ms, "error": row.error,
        "created_at": isoformat(row.created_at),
    } for row in rows]
