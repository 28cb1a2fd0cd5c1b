"""The `tack` command: db upgrade on a fresh file, and backup while serving."""
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from live_server import LiveServer

TACK = str(Path(sys.executable).with_name("tack"))


def run_tack(*args, db_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TACK_DATABASE_URL", "DATABASE_URL")}
    env["TACK_DB"] = str(db_path)
    return subprocess.run([TACK, *args], env=env, capture_output=True, text=True, timeout=120)


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
    env = {k: v for k, v in os.environ.items()
           if k not in ("TACK_DATABASE_URL", "DATABASE_URL")}
    env.update(TACK_DB=str(db_path), FLASK_APP="app.py")
    flask = str(Path(sys.executable).with_name("flask"))
    root = Path(__file__).resolve().parent.parent
    down = subprocess.run([flask, "db", "downgrade", "base"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert down.returncode == 0, down.stderr
    assert run_tack("db", "upgrade", db_path=db_path).returncode == 0
