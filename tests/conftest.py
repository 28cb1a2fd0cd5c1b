"""Fixtures: a migrated database per test session, wiped per test; a frozen clock.

Runs on SQLite by default and on PostgreSQL when TACK_TEST_DATABASE_URL is set."""
import os
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from harness.schema import reset_postgres_schema
from tack import clock, create_app
from tack.config import Config, database_url
from tack.extensions import db
from tack.services.boards import COLUMN_NAMES, DEFAULT_COLUMNS
from tack.streams import stop_feed

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=timezone.utc)
DATA_TABLES = ("clawboo_workspaces", "clawboo_overrides", "clawboo_executions", "clawboo_comment_authors",
               "clawboo_tasks", "notes", "dependencies", "turns", "todos", "cards", "events",
               "webhook_deliveries", "access_key_webhooks", "webhooks", "access_key_boards",
               "access_keys", "insight_flow", "insight_cards", "insight_done")


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """(url, sqlite path): a database migrated once for the whole run."""
    sqlite_path = str(tmp_path_factory.mktemp("db") / "board.db")
    url = os.environ.get("TACK_TEST_DATABASE_URL", "")
    if url:
        os.environ["TACK_DATABASE_URL"] = url
        url = database_url(sqlite_path)
        reset_postgres_schema(url)
    else:
        url = "sqlite:///" + sqlite_path
    config = make_config(url, sqlite_path)
    app = create_app(config)
    from flask_migrate import upgrade

    from tack import ROOT
    from tack.services.boards import ensure_default_board
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        ensure_default_board()
        db.session.remove()
        db.engine.dispose()
    return url, sqlite_path


def make_config(url: str, sqlite_path: str, **overrides) -> Config:
    values = dict(database_url=url, db_path=sqlite_path, secret_key="test-secret",
                  scheduler_enabled=False)
    values.update(overrides)
    return Config(**values)


def wipe(app) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            for table in DATA_TABLES:
                connection.execute(sa.text(f"DELETE FROM {table}"))
            # Boards other tests made, and changes to main's columns and settings, go too:
            # each test starts from board main as `tack db upgrade` leaves it.
            connection.execute(sa.text("DELETE FROM columns WHERE board_id != 'main'"))
            connection.execute(sa.text("DELETE FROM boards WHERE id != 'main'"))
            connection.execute(sa.text("DELETE FROM columns WHERE board_id = 'main' AND key "
                                       "NOT IN :keys").bindparams(
                sa.bindparam("keys", expanding=True)), {"keys": COLUMN_NAMES})
            for position, (key, name, role) in enumerate(DEFAULT_COLUMNS):
                connection.execute(sa.text(
                    "UPDATE columns SET name = :name, position = :position, role = :role, "
                    "wip_limit = NULL WHERE board_id = 'main' AND key = :key"),
                    {"name": name, "position": position, "role": role, "key": key})
            connection.execute(sa.text(
                "UPDATE boards SET require_display_name = :no, is_public = :no, "
                "archived_at = NULL WHERE id = 'main'"), {"no": False})
        db.session.remove()


@pytest.fixture
def config_overrides():
    """Override in a test module to change settings (api_key, ...)."""
    return {}


@pytest.fixture
def app(database, config_overrides):
    url, sqlite_path = database
    app = create_app(make_config(url, sqlite_path, **config_overrides))
    app.config["TESTING"] = True
    wipe(app)
    from tack.api import board_state
    from tack.api.snapshots import fragments, snapshots
    snapshots.clear()
    fragments.clear()
    board_state.clear()
    yield app
    stop_feed(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def frozen(monkeypatch):
    """A clock pinned at T0; call frozen.advance(seconds=...) to move it."""

    class Clock:
        at = T0

        def advance(self, **delta):
            from datetime import timedelta
            self.at = self.at + timedelta(**delta)
            clock.freeze(self.at)
            return self.at

    clock.freeze(T0)
    yield Clock()
    clock.freeze(None)
