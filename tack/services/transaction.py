"""Write transactions: one per service call, with its events appended last.

Events are appended at the very end so that, on PostgreSQL, the advisory lock that
makes `seq` order equal commit order is held only for the instant before COMMIT.
Without it a poller reading `after=100` could see 102 committed before 101 and
skip 101 for ever. On SQLite, BEGIN IMMEDIATE already serialises writers.
"""
import functools
import threading
from contextlib import contextmanager, nullcontext

import sqlalchemy as sa

from tack.clock import now
from tack.database import begin_write
from tack.extensions import db
from tack.models import Event

EVENT_ORDER_LOCK = 0x7AC4  # any fixed number; names the advisory lock
INSERT_EVENT = sa.insert(Event.__table__)


@contextmanager
def writing():
    """Run the body as one write transaction (nested calls join the outer one)."""
    session = db.session()  # the request's Session itself, not the scoped proxy
    if session.info.get("tack_writing"):
        yield session
        return
    # End any read transaction so this one starts as a write (BEGIN IMMEDIATE),
    # and forget what earlier transactions loaded: it is re-read inside this one.
    if session.in_transaction():
        session.commit()
    session.expire_all()
    session.info["tack_writing"] = True
    session.info["tack_events"] = []
    queue = _sqlite_writer_queue(session)
    try:
        with queue:
            session.info["tack_connection"] = session.connection()
            begin_write(session.info["tack_connection"])
            try:
                yield session
                _append_events(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        session.info["tack_writing"] = False
        session.info["tack_events"] = []
        session.info["tack_connection"] = None


_sqlite_writers = threading.Lock()


def _sqlite_writer_queue(session):
    """SQLite takes one writer at a time. Threads of this process queue on a lock,
    which wakes the next at once, instead of on SQLite's busy handler, which polls
    with sleeps of up to 100 ms. Other processes still queue on the busy timeout."""
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_writers
    return nullcontext()


def connection() -> sa.Connection:
    """The current write transaction's connection, for Core statements."""
    return db.session.info["tack_connection"]


def write_transaction(service):
    """Decorator: the service runs inside writing()."""

    @functools.wraps(service)
    def run(*args, **kwargs):
        with writing():
            return service(*args, **kwargs)

    return run


def record(action: str, *, card_id: str | None, actor: str = "", details: str = "",
           board_id: str = "main") -> None:
    """Note an event; it is written in the same transaction, just before commit."""
    db.session.info["tack_events"].append(
        dict(action=action, card_id=card_id, actor=actor or "", details=details,
             board_id=board_id)
    )


def _append_events(session) -> None:
    pending = session.info["tack_events"]
    if not pending:
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": EVENT_ORDER_LOCK})
    at = now()
    session.info["tack_connection"].execute(INSERT_EVENT, [dict(event, created_at=at) for event in pending])
