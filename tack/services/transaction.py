"""Write transactions: one per service call, with its events appended last.

A write runs on one Core connection. Services that work with model objects get an
ORM session bound to that same connection (session()); the hottest writes (claims,
releases, notes) use prebuilt statements on connection() and never pay for one.

Events are appended at the very end so that, on PostgreSQL, the advisory lock that
makes `seq` order equal commit order is held only for the instant before COMMIT.
Without it a poller reading `after=100` could see 102 committed before 101 and
skip 101 for ever. On SQLite, BEGIN IMMEDIATE already serialises writers.
"""
import functools
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import Session

from tack.clock import now
from tack.database import begin_write
from tack.extensions import db
from tack.models import Event
from tack.services.insights_summary import note_events

EVENT_ORDER_LOCK = 0x7AC4  # any fixed number; names the advisory lock
INSERT_EVENT = sa.insert(Event.__table__)
# One event whose recorder asked for its seq: it comes back from the INSERT itself.
INSERT_EVENT_RETURNING_SEQ = INSERT_EVENT.returning(Event.__table__.c.seq)


@dataclass
class Write:
    connection: sa.Connection
    events: list = field(default_factory=list)
    orm: Session | None = None
    wants_seq: bool = False  # return the event's seq (see record(with_seq=True))
    # What record() was told for the insights summaries, by the event's index.
    facts: dict = field(default_factory=dict)


@contextmanager
def writing():
    """Run the body as one write transaction (nested calls join the outer one)."""
    if g.get("tack_write") is not None:
        yield g.tack_write
        return
    with _sqlite_writer_queue(), db.engine.connect() as connection:
        begin_write(connection)
        write = g.tack_write = Write(connection)
        try:
            for check in g.pop(WRITE_CHECKS, ()):
                check()
            yield write
            if write.orm is not None:
                write.orm.flush()
            _append_events(write)
            connection.commit()
            # Objects the request read before this write must not hide what it wrote.
            db.session.expire_all()
        except BaseException:
            connection.rollback()
            raise
        finally:
            g.tack_write = None
            if write.orm is not None:
                write.orm.close()


WRITE_CHECKS = "tack_write_checks"


def check_at_write_start(check) -> None:
    """Run check() first thing in this request's next write transaction, on its
    connection (reads through read_rows() use it): a request's precondition costs
    no connection and transaction of its own, and whatever check() raises rolls the
    write back before it changed anything."""
    g.setdefault(WRITE_CHECKS, []).append(check)


def write_checks_pending() -> bool:
    """Whether a check_at_write_start() check has not run yet (no write began)."""
    return bool(g.get(WRITE_CHECKS))


def write_transaction(service):
    """Decorator: the service runs inside writing()."""

    @functools.wraps(service)
    def run(*args, **kwargs):
        with writing():
            return service(*args, **kwargs)

    return run


def connection() -> sa.Connection:
    """The current write transaction's connection, for Core statements."""
    return g.tack_write.connection


def read_rows(statement: sa.Executable, **params) -> list[sa.Row]:
    """A Core read: inside a write on its connection (so it sees what the write did
    so far), else on a connection of its own."""
    write = g.get("tack_write")
    if write is None:
        with db.engine.connect() as own:
            return own.execute(statement, params).all()
    return write.connection.execute(statement, params).all()


def session() -> Session:
    """The ORM session: inside a write, one bound to the write's connection (made on
    first use); outside, the request's read session."""
    write = g.get("tack_write")
    if write is None:
        return db.session
    if write.orm is None:
        # The session joins the connection's transaction and never ends it.
        write.orm = Session(bind=write.connection, expire_on_commit=False,
                            join_transaction_mode="rollback_only")
    return write.orm


def record(action: str, *, card_id: str | None, actor: str = "", details: str = "",
           board_id: str = "main", note_id: int | None = None,
           with_seq: bool = False, column_key: str | None = None,
           column_role: str | None = None) -> dict:
    """Note an event; it is written in the same transaction, just before commit.
    Returns the event as a dict, which gains `created_at` when it is written. With
    `with_seq`, when it is the transaction's only event, it also gains its `seq`
    (from the INSERT's RETURNING): the caller can answer with the event once the
    write is over, without reading it back.
    `column_key` (the column a card was created in or deleted from) and
    `column_role` (the role of the column a card moved to) are not logged: the
    insights summaries use them instead of looking them up."""
    event = dict(action=action, card_id=card_id, actor=actor or "", details=details,
                 board_id=board_id, note_id=note_id)
    write = g.tack_write
    if column_key is not None or column_role is not None:
        write.facts[len(write.events)] = (column_key, column_role)
    write.events.append(event)
    write.wants_seq = write.wants_seq or with_seq
    return event


_sqlite_writers = threading.Lock()


def _sqlite_writer_queue():
    """SQLite takes one writer at a time. Threads of this process queue on a lock,
    which wakes the next at once, instead of on SQLite's busy handler, which polls
    with sleeps of up to 100 ms. Other processes still queue on the busy timeout."""
    if db.engine.dialect.name == "sqlite":
        return _sqlite_writers
    return nullcontext()


def _append_events(write: Write) -> None:
    if not write.events:
        return
    from tack.services.access import check_touched_boards
    from tack.services.boards import check_card_writers_named
    check_touched_boards(write.connection, write.events)
    check_card_writers_named(write.connection, write.events)
    if write.connection.dialect.name == "postgresql":
        write.connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": EVENT_ORDER_LOCK})
    at = now()
    for event in write.events:
        event["created_at"] = at
    if write.wants_seq and len(write.events) == 1:
        event = write.events[0]
        event["seq"] = write.connection.execute(INSERT_EVENT_RETURNING_SEQ, event).scalar_one()
    else:
        write.connection.execute(INSERT_EVENT, write.events)
    note_events(write.connection, write.events, at, write.facts)
