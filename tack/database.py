"""Engine settings per database: SQLite in WAL mode with writers that queue."""
import sqlalchemy as sa
from flask import Flask

from tack.config import Config

SQLITE_BUSY_TIMEOUT_MS = 30_000


def engine_options(config: Config) -> dict:
    # A pooled connection per serving thread (and the scheduler's): connections
    # beyond the pool size are opened and closed per request, which costs more
    # than the query.
    pool = {"pool_size": config.threads + 2, "max_overflow": 4}
    if config.is_sqlite:
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                 "check_same_thread": False}, **pool}
    # No pre-ping: it is a round trip on every checkout. A connection the server
    # dropped fails once (503, "retry"), and SQLAlchemy then refreshes the pool.
    return {"pool_recycle": 1800, **pool}


def configure_engine(engine: sa.engine.Engine) -> None:
    if engine.dialect.name == "sqlite":
        # A pool event: unlike engine "begin"/"execute" listeners, it puts no
        # event dispatch on every statement's path.
        sa.event.listen(engine.pool, "connect", _sqlite_on_connect)


def _sqlite_on_connect(dbapi_connection, _record):
    # Take transactions out of the driver's hands so BEGIN is ours to say.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # In WAL mode NORMAL survives a process crash; only power loss may drop the
    # last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def begin_write(connection: sa.Connection) -> None:
    """Writers begin IMMEDIATE so they queue on the lock (and busy timeout) instead
    of failing with "database is locked" when a read upgrades to a write. Reads run
    in autocommit: each statement sees the newest commit, with no BEGIN/ROLLBACK.
    (The driver's commit() and rollback() end the transaction begun here.)"""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.begin()


def init_database(app: Flask) -> None:
    from tack.extensions import db
    with app.app_context():
        configure_engine(db.engine)
