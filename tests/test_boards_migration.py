"""Migration 0004 (many boards) on a database left at 0003 with data in it."""
import sqlite3

from test_cli import run_flask_db, run_tack


def test_a_database_at_0003_upgrades_with_its_cards_notes_and_events(tmp_path):
    db_path = tmp_path / "old.db"
    assert run_flask_db("upgrade", "0003", db_path=db_path).returncode == 0
    with sqlite3.connect(db_path) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("INSERT INTO boards VALUES ('main', 'Main', '{}', '2026-01-01')")
        connection.executemany(
            "INSERT INTO columns (board_id, key, name, position, role) VALUES (?, ?, ?, ?, ?)",
            [("main", "inbox", "Inbox", 0, "inbox"), ("main", "done", "Done", 1, "done")])
        connection.executemany(
            "INSERT INTO cards (id, board_id, column_name, position, title, description, "
            "priority, assignee, tags, created_by, created_at, updated_at) VALUES "
            "(?, 'main', ?, 0, ?, '', 'high', '', '[\"Kept Tag\"]', '', "
            "'2026-01-01 00:00:00', ?)",
            [("card-0000beef", "inbox", "open card", "2026-01-02 00:00:00"),
             ("card-0000d0e0", "done", "done card", "2026-01-03 00:00:00")])
        connection.execute("INSERT INTO notes (card_id, author, content, created_at) VALUES "
                           "('card-0000beef', 'agent', 'old note', '2026-01-02 00:00:00')")
        connection.execute("INSERT INTO events (board_id, card_id, action, actor, details, "
                           "created_at) VALUES ('main', 'card-0000beef', 'created', '', "
                           "'open card', '2026-01-01 00:00:00')")
    upgraded = run_tack("db", "upgrade", db_path=db_path)
    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(db_path) as connection:
        cards = connection.execute(
            "SELECT id, title, priority, tags, metadata, due_at, completed_at FROM cards "
            "ORDER BY id").fetchall()
        board = connection.execute(
            "SELECT workflow, is_public, require_display_name, description, manage_key_hash, "
            "updated_at IS NOT NULL FROM boards").fetchone()
        note = connection.execute("SELECT content, source, mentions FROM notes").fetchone()
        events = connection.execute("SELECT action, note_id FROM events").fetchall()
    assert [card[:4] for card in cards] == [
        ("card-0000beef", "open card", "high", '["Kept Tag"]'),
        ("card-0000d0e0", "done card", "high", '["Kept Tag"]')]
    # Only the card already in a done column has a completed time (its last update).
    assert [card[6] for card in cards][0] is None
    assert cards[1][6].startswith("2026-01-03")
    assert board == ("tack", 0, 0, "", None, 1)
    assert note == ("old note", "", None)
    assert events == [("created", None)]
    # And back down: 0004's downgrade keeps the data too.
    down = run_flask_db("downgrade", "0003", db_path=db_path)
    assert down.returncode == 0, down.stderr
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT count(*) FROM cards").fetchone()[0] == 2
