"""The search index itself: built for an old database's cards on upgrade, and used
by the query the service runs."""
import sqlalchemy as sa
from flask_migrate import upgrade

from conftest import make_config
from tack import ROOT, create_app
from tack.extensions import db
from tack.services.search import POSTGRES_DOCUMENT, search_cards

OLD_CARDS = [
    # The tags as SQLAlchemy writes them: JSON with \u escapes.
    ("card-0000beef", "Payment retries", '["billing", "caf\\u00e9"]', "Backoff on 503"),
    ("card-0000cafe", "Onboarding email", "[]", "Send the welcome mail"),
]


def test_an_old_databases_cards_are_searchable_after_upgrade(tmp_path):
    path = tmp_path / "old.db"
    app = create_app(make_config("sqlite:///" + str(path), str(path)))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="0003")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO boards VALUES ('main', 'Main', '{}', '2026-01-01')")
            connection.exec_driver_sql(
                "INSERT INTO columns (board_id, key, name, position, role) "
                "VALUES ('main', 'inbox', 'Inbox', 0, 'inbox')")
            for card_id, title, tags, description in OLD_CARDS:
                connection.exec_driver_sql(
                    "INSERT INTO cards (id, board_id, column_name, position, title, "
                    "description, priority, assignee, tags, created_by, created_at, "
                    "updated_at) VALUES (?, 'main', 'inbox', 0, ?, ?, 'normal', '', ?, '', "
                    "'2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                    (card_id, title, description, tags))
        upgrade(directory=str(ROOT / "migrations"))

        def found(query):
            rows, total = search_cards(board_id="main", query=query)
            assert total == len(rows)
            return [row.id for row in rows]

        assert found("payment") == ["card-0000beef"]
        assert found("café") == ["card-0000beef"]  # tags decoded, not "caf u00e9"
        assert found("503") == ["card-0000beef"]
        assert found("welcome") == ["card-0000cafe"]
        # The triggers keep working for writes after the upgrade.
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE cards SET title = 'Refund flow' WHERE id = 'card-0000beef'")
        assert found("payment") == [] and found("refund") == ["card-0000beef"]
        db.engine.dispose()


def test_the_search_query_uses_the_index(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = connection.execute(sa.text(
                f"EXPLAIN SELECT id FROM cards WHERE ({POSTGRES_DOCUMENT}) @@ "
                "to_tsquery('simple'::regconfig, 'login:*')")).scalars().all()
            assert any("card_search_gin" in line for line in plan), plan
        else:
            plan = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT rowid FROM card_search "
                "WHERE card_search MATCH '\"login\"*'").all()
            assert any("VIRTUAL TABLE INDEX" in row[-1] for row in plan), plan
