"""Webhook delivery out of the event log (at least once, in the log's order).

A pass, per active hook that has events after its cursor (`last_delivered_seq`):
1. take the hook's lease with a conditional UPDATE (only one process delivers a hook
   at a time; a lease a dead process left runs out after two request timeouts);
2. post each matching event in seq order. A success moves the cursor to that event
   in the same transaction that logs the attempt, so a restart or a kill -9 can
   only lead to the same event being posted again, with the same delivery id;
3. a failure logs the attempt, counts it, and sets the next try after an exponential
   backoff; the tenth failure in a row turns the hook off (PATCH active=true turns
   it on again with a fresh count).

Outbound addresses: unless allowed (TACK_WEBHOOK_ALLOW_PRIVATE=1), every delivery
resolves the host and refuses private, loopback, link-local, reserved and multicast
addresses, then connects to the very address it checked (no second lookup a
rebinding DNS server could answer differently), sending the URL's host name in the
Host header (and for TLS in SNI, with the certificate checked against it).
"""
import hashlib
import hmac
import http.client
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import orjson
import sqlalchemy as sa

from tack.clock import now
from tack.errors import Conflict
from tack.kanban.translate import (CONTRACT_EVENTS, contract_event_type, contract_payload,
                                   event_title)
from tack.models import Card, Event, Note, Webhook, WebhookDelivery
from tack.services.reading import fetch
from tack.services.transaction import connection, writing
from tack.services.webhooks import is_public_address, webhook_signing_secret

HOOKS = Webhook.__table__
EVENTS = Event.__table__
DELIVERIES = WebhookDelivery.__table__
TIMEOUT_SECONDS = 10.0
FAILURES_TO_DISABLE = 10
BACKOFF_MAX_SECONDS = 300.0
EVENTS_PER_PASS = 100
DELIVERIES_KEPT = 500
ERROR_MAX = 500
DELIVERY_NAMESPACE = uuid.UUID("6f2b0c5e-7a59-4f0b-9d8e-5a3f1c2d7e10")
USER_AGENT = "Tack-Webhook/1"


@dataclass
class Outcome:
    ok: bool
    response_code: int | None
    error: str
    duration_ms: int


class Refused(Exception):
    """The target address is not allowed."""


def delivery_id(webhook_id: str, seq: int) -> str:
    """The same for every try of one event to one hook: receivers de-duplicate on it."""
    return str(uuid.uuid5(DELIVERY_NAMESPACE, f"{webhook_id}:{seq}"))


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff_seconds(failures: int, base: float) -> float:
    return min(base * 2 ** max(failures - 1, 0), BACKOFF_MAX_SECONDS)


def resolve(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to: the first the name resolves to, checked."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"cannot resolve {host}: {error.strerror}") from None
    address = found[0][4][0]
    if not allow_private and not is_public_address(address):
        raise Refused(f"refused: {host} resolves to {address}, a private, loopback, "
                      "link-local or reserved address (TACK_WEBHOOK_ALLOW_PRIVATE=0)")
    return address


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, *, allow_private: bool,
         timeout: float = TIMEOUT_SECONDS) -> Outcome:
    """POST once; 2xx is success. Redirects are not followed (a redirect could point
    anywhere, past the address check)."""
    started = time.monotonic()
    code, error = None, ""
    try:
        parts = urlsplit(url)
        https = parts.scheme.lower() == "https"
        port = parts.port or (443 if https else 80)
        address = resolve(parts.hostname, port, allow_private)
        kind = _PinnedHTTPS if https else _PinnedHTTP
        client = kind(parts.hostname, port, address, timeout)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            client.request("POST", path, body=body, headers=headers)
            response = client.getresponse()
            code = response.status
            response.read(64 * 1024)
        finally:
            client.close()
        if not 200 <= code < 300:
            error = f"receiver answered {code}"
    except Refused as refused:
        error = str(refused)
    except (OSError, http.client.HTTPException, ValueError) as failure:
        error = f"{failure.__class__.__name__}: {failure}"
    return Outcome(ok=not error, response_code=code, error=error[:ERROR_MAX],
                   duration_ms=int((time.monotonic() - started) * 1000))


def due_hooks(at: datetime) -> list[sa.Row]:
    """Active hooks that are not leased and not waiting out a backoff, and whose
    board has events after their cursor."""
    newer = sa.select(EVENTS.c.seq).where(
        EVENTS.c.board_id == HOOKS.c.board_id,
        EVENTS.c.seq > HOOKS.c.last_delivered_seq).exists()
    return fetch(sa.select(HOOKS.c.id).where(
        HOOKS.c.active.is_(True),
        sa.or_(HOOKS.c.lease_expires_at.is_(None), HOOKS.c.lease_expires_at <= at),
        sa.or_(HOOKS.c.retry_at.is_(None), HOOKS.c.retry_at <= at),
        newer).order_by(HOOKS.c.created_at, HOOKS.c.id))


def take_lease(webhook_id: str, owner: str, at: datetime, seconds: float) -> bool:
    with writing():
        taken = connection().execute(
            sa.update(HOOKS).where(
                HOOKS.c.id == webhook_id, HOOKS.c.active.is_(True),
                sa.or_(HOOKS.c.lease_expires_at.is_(None), HOOKS.c.lease_expires_at <= at),
                sa.or_(HOOKS.c.retry_at.is_(None), HOOKS.c.retry_at <= at))
            .values(lease_owner=owner, lease_expires_at=at + timedelta(seconds=seconds)))
        return taken.rowcount == 1


def release_lease(webhook_id: str, owner: str, skipped_to: int | None = None) -> None:
    """Give the hook back; `skipped_to` moves the cursor over events the hook's
    filter does not want (nothing was owed for them)."""
    values = {"lease_owner": None, "lease_expires_at": None}
    with writing():
        mine = sa.and_(HOOKS.c.id == webhook_id, HOOKS.c.lease_owner == owner)
        if skipped_to is not None:
            connection().execute(sa.update(HOOKS).where(
                mine, HOOKS.c.last_delivered_seq < skipped_to)
                .values(last_delivered_seq=skipped_to))
        connection().execute(sa.update(HOOKS).where(mine).values(**values))


def wanted(action: str, card_id: str | None, event_types: list[str]) -> str | None:
    """The contract event type a hook with the filter `event_types` (empty: every
    type) is sent for this log entry; None when it is not sent (skipped, not owed)."""
    event_type = contract_event_type(action) if card_id else None
    if event_type is None or (event_types and event_type not in event_types):
        return None
    return event_type


def owed_count(board_id: str | None, after: int, event_types: list[str]) -> sa.ScalarSelect:
    """SQL: how many events after the cursor `after` the hook would be sent, by the
    same rule as `wanted` (what /metrics reports as the hook's backlog)."""
    actions = [action for action, event_type in CONTRACT_EVENTS.items()
               if not event_types or event_type in event_types]
    return (sa.select(sa.func.count()).select_from(EVENTS)
            .where(EVENTS.c.board_id == board_id, EVENTS.c.seq > after,
                   EVENTS.c.card_id.is_not(None), EVENTS.c.action.in_(actions))
            .scalar_subquery())


def pending_events(board_id: str, after: int, limit: int) -> list[sa.Row]:
    return fetch(sa.select(EVENTS).where(EVENTS.c.board_id == board_id,
                                         EVENTS.c.seq > after)
                 .order_by(EVENTS.c.seq).limit(limit))


def payloads(rows) -> dict[int, dict]:
    note_ids = {row.note_id for row in rows if row.note_id}
    card_ids = {row.card_id for row in rows if row.card_id}
    notes = {n.id: n for n in fetch(sa.select(Note.__table__).where(Note.id.in_(note_ids)))} \
        if note_ids else {}
    titles = {c.id: c.title for c in fetch(sa.select(Card.id, Card.title)
                                           .where(Card.id.in_(card_ids)))} if card_ids else {}
    return {row.seq: contract_payload(row, notes.get(row.note_id), event_title(row, titles))
            for row in rows}


def _log_attempt(hook, seq: int, event_type: str, outcome: Outcome, at: datetime) -> None:
    connection().execute(sa.insert(DELIVERIES).values(
        webhook_id=hook.id, delivery_id=delivery_id(hook.id, seq), event_seq=seq,
        event_type=event_type, attempt=hook.failure_count + 1,
        status="succeeded" if outcome.ok else "failed", response_code=outcome.response_code,
        duration_ms=outcome.duration_ms, error=outcome.error, created_at=at))


def record_success(hook, seq: int, event_type: str, outcome: Outcome, owner: str,
                   at: datetime, lease_seconds: float) -> bool:
    """Cursor and log in one transaction. False when the lease was lost meanwhile
    (another process will deliver from the cursor; the receiver may see this event
    twice, under one delivery id)."""
    with writing():
        moved = connection().execute(
            sa.update(HOOKS).where(HOOKS.c.id == hook.id, HOOKS.c.lease_owner == owner)
            .values(last_delivered_seq=seq, failure_count=0, retry_at=None,
                    last_triggered_at=at,
                    lease_expires_at=at + timedelta(seconds=lease_seconds)))
        if moved.rowcount != 1:
            return False
        _log_attempt(hook, seq, event_type, outcome, at)
        hook.failure_count = 0
        return True


def record_failure(hook, seq: int, event_type: str, outcome: Outcome, owner: str,
                   at: datetime, backoff_base: float) -> None:
    failures = hook.failure_count + 1
    with writing():
        changed = connection().execute(
            sa.update(HOOKS).where(HOOKS.c.id == hook.id, HOOKS.c.lease_owner == owner)
            .values(failure_count=failures, last_triggered_at=at,
                    active=failures < FAILURES_TO_DISABLE,
                    retry_at=at + timedelta(seconds=backoff_seconds(failures, backoff_base)),
                    lease_owner=None, lease_expires_at=None))
        if changed.rowcount == 1:
            _log_attempt(hook, seq, event_type, outcome, at)
            _prune(hook.id)


def _prune(webhook_id: str) -> None:
    """Keep the newest DELIVERIES_KEPT attempts per hook."""
    oldest_kept = sa.select(DELIVERIES.c.id).where(DELIVERIES.c.webhook_id == webhook_id) \
        .order_by(DELIVERIES.c.id.desc()).offset(DELIVERIES_KEPT).limit(1).scalar_subquery()
    connection().execute(sa.delete(DELIVERIES).where(
        DELIVERIES.c.webhook_id == webhook_id, DELIVERIES.c.id <= oldest_kept))


def deliver_hook(webhook_id: str, *, app_secret: str, allow_private: bool, owner: str,
                 at=None, timeout: float = TIMEOUT_SECONDS, backoff_base: float = 1.0,
                 clock=now) -> int:
    """Deliver what the hook is owed, if this process wins its lease. Returns the
    number of events delivered."""
    lease_seconds = 2 * timeout + 1  # a request, the writes around it, and slack
    if not take_lease(webhook_id, owner, at or clock(), lease_seconds):
        return 0
    found = fetch(sa.select(HOOKS).where(HOOKS.c.id == webhook_id))
    if not found:
        return 0  # deleted since the lease was taken
    hook = found[0]
    hook = _Hook(hook.id, hook.board_id, hook.url, list(hook.events or []),
                 hook.failure_count, hook.last_delivered_seq)
    delivered, scanned_to = 0, None
    try:
        try:
            secret = webhook_signing_secret(webhook_id=webhook_id, app_secret=app_secret)
        except Conflict as unreadable:
            secret, unreadable_error = None, str(unreadable.detail)
        rows = pending_events(hook.board_id, hook.last_delivered_seq, EVENTS_PER_PASS)
        bodies = payloads([r for r in rows if r.card_id and contract_event_type(r.action)])
        for row in rows:
            event_type = wanted(row.action, row.card_id, hook.events)
            if event_type is None:
                scanned_to = row.seq
                continue
            if secret is None:
                outcome = Outcome(False, None, unreadable_error, 0)
            else:
                body = orjson.dumps(bodies[row.seq])
                outcome = post(hook.url, body, {
                    "Content-Type": "application/json", "User-Agent": USER_AGENT,
                    "X-Kanban-Signature": sign(secret, body),
                    "X-Kanban-Event": event_type, "X-Kanban-Board": hook.board_id,
                    "X-Kanban-Delivery": delivery_id(hook.id, row.seq),
                }, allow_private=allow_private, timeout=timeout)
            moment = clock() if at is None else at
            if not outcome.ok:
                record_failure(hook, row.seq, event_type, outcome, owner, moment,
                               backoff_base)
                return delivered
            if not record_success(hook, row.seq, event_type, outcome, owner, moment,
                                  lease_seconds):
                return delivered
            delivered += 1
            scanned_to = None
        return delivered
    finally:
        release_lease(webhook_id, owner, scanned_to)


@dataclass
class _Hook:
    id: str
    board_id: str
    url: str
    events: list
    failure_count: int
    last_delivered_seq: int


def deliver_due(*, app_secret: str, allow_private: bool, owner: str, at=None,
                timeout: float = TIMEOUT_SECONDS, backoff_base: float = 1.0,
                clock=now) -> int:
    """One delivery pass over every hook that is owed something. Idempotent and safe
    in several processes at once (the lease decides who posts)."""
    delivered = 0
    for hook in due_hooks(at or clock()):
        delivered += deliver_hook(hook.id, app_secret=app_secret,
                                  allow_private=allow_private, owner=owner, at=at,
                                  timeout=timeout, backoff_base=backoff_base, clock=clock)
    return delivered
