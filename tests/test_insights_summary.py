"""The insights summaries: what writes keep equals a replay of the log, and migration
0013 fills them from an old database's log."""
import sqlite3

import pytest
import sqlalchemy as sa
from helpers import make_card, statements_sent
from test_cli import run_flask_db, run_tack

from tack.clock import now
from tack.extensions import db
from tack.services import insights, insights_summary
from tack.services.boards import create_board
from tack.services.card_details import create_task, move_task, set_task_archived

ORDER = {"insight_flow": "board_id, day, column_key", "insight_cards": "card_id",
         "insight_done": "id"}


def summaries(app) -> dict[str, list[tuple]]:
    """Every summary row, in a stable order (a completion's id left out)."""
    with app.app_context(), db.engine.connect() as connection:
        found = {}
        for table in insights_summary.SUMMARY_TABLES:
            columns = [c for c in table.c if c.name != "id"]
            found[table.name] = [tuple(row) for row in connection.execute(
                sa.select(*columns).order_by(sa.text(ORDER[table.name])))]
        return found


def rebuild(app) -> dict[str, int]:
    with app.app_context(), db.engine.begin() as connection:
        return insights_summary.rebuild(connection)


def test_kept_summaries_equal_a_replay_of_the_log_after_mixed_writes(app, client, frozen):
    def post(path, **body):
        response = client.post(path, json=body)
        assert response.status_code in (200, 201), (path, response.json)
        return response

    def move(card_id, column, actor="bot1"):
        post(f"/api/cards/{card_id}/move", column_name=column, actor=actor)

    a, b, c, d = (make_card(client, title=f"Card {name}", created_by="ann") for name in "abcd")
    e = make_card(client, title="Card e", column_name="approved")
    f = make_card(client, title="Card f", column_name="in_progress")
    frozen.advance(hours=2)
    move(a, "in_progress")
    post(f"/api/cards/{a}/claim", agent="bot1")
    post(f"/api/cards/{a}/notes", author="bot1", content="started")
    move(e, "in_progress", "bot2")
    post(f"/api/cards/{e}/claim", agent="bot2")
    frozen.advance(days=1)
    post(f"/api/cards/{a}/claim", agent="bot1")  # a renewal
    post(f"/api/cards/{a}/complete", actor="bot1", note="done it")
    post(f"/api/cards/{e}/move", column_name="in_progress", position=0, actor="bot2")  # reorder
    move(b, "approved", "ann")
    post(f"/api/cards/{f}/move", column_name="in_progress", position=0, actor="bot3")
    post(f"/api/cards/{d}/delete", reason="never moved")
    frozen.advance(days=1, hours=3)
    move(e, "done", "bot2")
    move(e, "in_progress", "bot2")  # reopened, and done again later: two completions
    post(f"/api/cards/{b}/delete", reason="moved, then deleted")
    post(f"/api/cards/{c}/notes", author="", content="unnamed")
    frozen.advance(hours=5)
    move(e, "done", "bot1")
    move(f, "done", "bot3")  # its work started with a reorder in its doing column
    with app.app_context():
        set_task_archived(board_id="main", card_id=a, archived=True, actor="ann")
        board, _ = create_board(name="Second", actor="ann")
        task = create_task(board_id=board.id, title="elsewhere", actor="ann").id
        doing = [column.key for column in board.columns][1]
        move_task(board_id=board.id, card_id=task, column_key=doing, actor="bot3")
    frozen.advance(days=1)
    move(c, "in_progress", "bot1")

    kept = summaries(app)
    assert all(kept.values()), kept  # every table has rows to compare
    assert [(row[1], row[2]) for row in kept["insight_done"]] == [
        (a, "bot1"), (e, "bot2"), (e, "bot1"), (f, "bot3")]
    assert all(row[6] is not None for row in kept["insight_done"])  # all started
    with app.app_context():
        before = [insights.board_insights(board_id="main", days=days, now=frozen.at)
                  for days in (7, 30)]
    written = rebuild(app)
    assert summaries(app) == kept
    assert written["insight_done"] == 4
    with app.app_context():
        assert [insights.board_insights(board_id="main", days=days, now=frozen.at)
                for days in (7, 30)] == before


def test_summaries_match_the_figures_they_stand_for(app, client, frozen):
    card = make_card(client, title="one")
    frozen.advance(hours=1)
    client.post(f"/api/cards/{card}/move", json={"column_name": "in_progress", "actor": "bot"})
    frozen.advance(hours=2)
    client.post(f"/api/cards/{card}/complete", json={"actor": "bot"})
    kept = summaries(app)
    assert kept["insight_flow"] == [("main", "2026-03-02", "done", 1),
                                    ("main", "2026-03-02", "in_progress", 0),
                                    ("main", "2026-03-02", "inbox", 0)]
    ((board_id, card_id, actor, day, done_at, created_at, started_at),) = kept["insight_done"]
    assert (card_id, actor, day) == (card, "bot", "2026-03-02")
    with app.app_context():
        result = insights.board_insights(board_id="main", days=7, now=frozen.at)
    assert result["lead_time"]["percentiles_days"]["p50"] == round(3 / 24, 2)
    assert result["cycle_time"]["percentiles_days"]["p50"] == round(2 / 24, 2)


def test_migration_0013_fills_the_summaries_from_an_old_log(tmp_path):
    db_path = tmp_path / "old.db"
    assert run_flask_db("upgrade", "0012_cards_column_key", db_path=db_path).returncode == 0
    at = "2026-03-0{} {}:00:00.000000".format
    with sqlite3.connect(db_path) as connection:
        connection.execute("INSERT INTO boards (id, name, settings, created_at) "
                           "VALUES ('main', 'Main', '{}', '2026-01-01 00:00:00')")
        connection.executemany(
            "INSERT INTO columns (board_id, key, name, position, role) VALUES "
            "('main', ?, ?, ?, ?)",
            [("inbox", "Inbox", 0, "inbox"), ("in_progress", "In progress", 1, "doing"),
             ("done", "Done", 2, "done")])
        connection.executemany(
            "INSERT INTO cards (id, board_id, column_key, position, title, description, "
            "priority, assignee, tags, created_by, created_at, updated_at) VALUES "
            "(?, 'main', ?, 0, ?, '', 'normal', '', '[]', 'ann', ?, ?)",
            [("card-a", "done", "A", at(1, "09"), at(3, "09")),
             ("card-c", "inbox", "C", at(2, "09"), at(2, "09"))])
        connection.executemany(
            "INSERT INTO events (board_id, card_id, action, actor, details, created_at) "
            "VALUES ('main', ?, ?, ?, ?, ?)",
            [("card-a", "created", "ann", "A", at(1, "09")),
             ("card-a", "moved", "bot", "inbox -> in_progress", at(1, "10")),
             ("card-a", "claimed", "bot", "claimed for 3600s", at(1, "10")),
             ("card-b", "created", "ann", "B", at(2, "09")),
             ("card-c", "created", "ann", "C", at(2, "09")),
             ("card-a", "claimed", "bot", "renewed for 3600s", at(2, "10")),
             ("card-a", "note_added", "bot", "progress", at(2, "11")),
             ("card-a", "moved", "bot", "in_progress -> done", at(3, "09")),
             ("card-b", "deleted", "ann", "B", at(4, "09"))])
    upgraded = run_tack("db", "upgrade", db_path=db_path)
    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(db_path) as connection:
        def rows(sql):
            return [tuple(value[:19] if isinstance(value, str) and len(value) > 19 else value
                          for value in row) for row in connection.execute(sql)]

        assert rows("SELECT day, column_key, cards FROM insight_flow "
                    "ORDER BY day, column_key") == [
            ("2026-03-01", "in_progress", 1), ("2026-03-01", "inbox", 0),
            ("2026-03-02", "inbox", 2),
            ("2026-03-03", "done", 1), ("2026-03-03", "in_progress", -1),
            ("2026-03-04", "inbox", -1)]
        assert rows("SELECT card_id, actor, day, done_at, created_at, started_at "
                    "FROM insight_done") == [
            ("card-a", "bot", "2026-03-03", at(3, "09")[:19], at(1, "09")[:19],
             at(1, "10")[:19])]
        assert rows("SELECT card_id, entered_at, started_at FROM insight_cards") == [
            ("card-a", at(3, "09")[:19], at(1, "10")[:19])]
        # Claims and notes keep no summary (the page counts them from the log).
        assert rows("SELECT name FROM sqlite_master WHERE name LIKE 'insight_%' "
                    "AND type = 'table' ORDER BY name") == [
            ("insight_cards",), ("insight_done",), ("insight_flow",)]
    down = run_flask_db("downgrade", "0012_cards_column_key", db_path=db_path)
    assert down.returncode == 0, down.stderr


def test_a_claim_and_a_note_send_no_summary_statement(app, client, monkeypatch):
    """Claims and notes are hot writes: with the summaries they send exactly the
    statements they would send without them (nothing on an insight_ table, no CTE
    riding on the event's INSERT)."""
    cards = [make_card(client, title=f"card {n}") for n in range(4)]

    def claim(card):
        return lambda: client.post(f"/api/cards/{card}/claim", json={"agent": "bot"})

    def note(card):
        return lambda: client.post(f"/api/cards/{card}/notes",
                                   json={"author": "bot", "content": "hello"})

    # The listener does see summary statements where writes send them: a move does.
    moved = statements_sent(app, lambda: client.post(
        f"/api/cards/{cards[3]}/move", json={"column_name": "in_progress", "actor": "bot"}))
    assert any("insight_" in statement for statement in moved)

    with_summaries = [statements_sent(app, claim(cards[0])),
                      statements_sent(app, note(cards[0]))]
    for statements in with_summaries:
        assert not [s for s in statements if "insight_" in s or s.lstrip().startswith("WITH")]
    from tack.services import transaction
    monkeypatch.setattr(transaction, "note_events", lambda *args: None)
    without = [statements_sent(app, claim(cards[1])), statements_sent(app, note(cards[1]))]
    assert with_summaries == without
    with app.app_context():
        result = insights.board_insights(board_id="main", days=7, now=now())
    bot = next(agent for agent in result["agents"] if agent["agent"] == "bot")
    assert (bot["claims"], bot["notes"]) == (2, 2)
