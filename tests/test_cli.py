"""The `tack` command: db upgrade on a fresh file, and backup while serving."""
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from harness.server import LiveServer

TACK = str(Path(sys.executable).with_name("tack"))


FLASK = str(Path(sys.executable).with_name("flask"))
ROOT = Path(__file__).resolve().parent.parent


def sqlite_env(db_path: Path) -> dict:
    """The environment of a board on the SQLite file `db_path`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TACK_DATABASE_URL", "DATABASE_URL")}
    env.update(TACK_DB=str(db_path), FLASK_APP="app.py")
    return env


def run_tack(*args, db_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([TACK, *args], env=sqlite_env(db_path), capture_output=True,
                          text=True, timeout=120)


def run_flask_db(*args, db_path: Path) -> subprocess.CompletedProcess:
    """Flask-Migrate's own commands (downgrade, check, upgrade to a revision)."""
    return subprocess.run([FLASK, "db", *args], cwd=ROOT, env=sqlite_env(db_path),
                          capture_output=True, text=True, timeout=120)


def test_db_upgrade_creates_main_board_and_is_idempotent(tmp_path):
    db_path = tmp_path / "fresh" / "board.db"
    for _ in range(2):
        result = run_tack("db", "upgrade", db_path=db_path)
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(db_path) as connection:
        columns = connection.execute(
            "SELECT key, role FROM columns WHERE board_id = 'main' ORDER BY position").fetchall()
    assert [key for key, _ in columns] == ["inbox", "approved", "in_progress",
                                           "awaiting_decision", "awaiting_approval",
                                           "deferred", "done", "blocked"]


def test_backup_while_writes_are_in_flight_is_consistent(tmp_path):
    db_path = tmp_path / "live" / "board.db"
    assert run_tack("db", "upgrade", db_path=db_path).returncode == 0
    server = LiveServer("sqlite:///" + str(db_path), str(db_path))
    stop = threading.Event()
    created = []

    def write_load():
        session = requests.Session()
        while not stop.is_set():
            response = session.post(server.url + "/api/cards", json={"title": "load"})
            assert response.status_code == 201
            created.append(response.json()["id"])

    writer = threading.Thread(target=write_load)
    writer.start()
    try:
        while len(created) < 20:
            time.sleep(0.05)
        backup_path = tmp_path / "backup.db"
        result = run_tack("backup", str(backup_path), db_path=db_path)
        assert result.returncode == 0, result.stderr
    finally:
        stop.set()
        writer.join(30)
        server.stop()
    with sqlite3.connect(backup_path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = copy.execute("SELECT count(*) FROM cards").fetchone()[0]
    assert 20 <= count <= len(created)


def test_backup_refuses_to_overwrite_its_source(tmp_path):
    db_path = tmp_path / "board.db"
    run_tack("db", "upgrade", db_path=db_path)
    result = run_tack("backup", str(db_path), db_path=db_path)
    assert result.returncode != 0 and "another file" in result.stderr


def test_migrations_downgrade_and_upgrade_again(tmp_path):
    """Every migration has a working downgrade; head is reachable from nothing."""
    db_path = tmp_path / "board.db"
    assert run_tack("db", "upgrade", db_path=db_path).returncode == 0
    down = run_flask_db("downgrade", "base", db_path=db_path)
    assert down.returncode == 0, down.stderr
    assert run_tack("db", "upgrade", db_path=db_path).returncode == 0


def test_a_database_at_the_first_migration_upgrades_with_its_data(tmp_path):
    db_path = tmp_path / "old.db"
    assert run_flask_db("upgrade", "0001", db_path=db_path).returncode == 0
    with sqlite3.connect(db_path) as connection:
        connection.execute("INSERT INTO boards VALUES ('main', 'Main', '{}', '2026-01-01')")
        connection.execute("INSERT INTO columns (board_id, key, name, position, role) "
                           "VALUES ('main', 'inbox', 'Inbox', 0, 'inbox')")
        connection.execute(
            "INSERT INTO cards (id, board_id, column_name, position, title, description, "
            "priority, assignee, tags, created_by, created_at, updated_at) VALUES "
            "('card-0000beef', 'main', 'inbox', 0, 'kept', '', 'high', '', '[]', '', "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')")
        connection.execute("INSERT INTO events (board_id, card_id, action, actor, details, "
                           "created_at) VALUES ('main', 'card-0000beef', 'created', '', "
                           "'kept', '2026-01-01 00:00:00')")
    assert run_tack("db", "upgrade", db_path=db_path).returncode == 0
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT title, priority FROM cards").fetchall() == \
            [("kept", "high")]
        assert connection.execute("SELECT count(*) FROM events").fetchone()[0] == 1
        indexes = {row[1] for row in connection.execute("PRAGMA index_list('events')")}
    assert "ix_events_board_seq" in indexes


def test_models_and_migrations_agree(tmp_path):
    """Every schema change ships as a migration: autogenerate finds nothing new."""
    db_path = tmp_path / "board.db"
    assert run_tack("db", "upgrade", db_path=db_path).returncode == 0
    check = run_flask_db("check", db_path=db_path)
    assert check.returncode == 0, check.stdout + check.stderr
