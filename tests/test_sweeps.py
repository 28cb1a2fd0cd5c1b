"""Scheduled sweeps, called directly with a chosen `now`: no sleeping."""
from datetime import timedelta

from conftest import T0
from helpers import actions_of, get_card, make_card

from tack.services import sweeps


def test_expire_claims_frees_expired_claims_once(app, client, frozen):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/claim", json={"agent": "a1", "ttl_seconds": 60})
    with app.app_context():
        assert sweeps.expire_claims(T0 + timedelta(seconds=59)) == 0
        assert sweeps.expire_claims(T0 + timedelta(seconds=60)) == 1
        assert sweeps.expire_claims(T0 + timedelta(seconds=61)) == 0
    assert actions_of(client, card_id)[-1] == "claim_expired"


def test_expire_claims_leaves_a_renewed_claim(app, client, frozen):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/claim", json={"agent": "a1", "ttl_seconds": 60})
    frozen.advance(seconds=30)
    client.post(f"/api/cards/{card_id}/claim", json={"agent": "a1", "ttl_seconds": 60})
    with app.app_context():
        assert sweeps.expire_claims(T0 + timedelta(seconds=61)) == 0
    assert get_card(client, card_id)["claimed_by"] == "a1"


def test_return_deferred_sends_cards_back_to_awaiting_decision(app, client, frozen):
    card_id = make_card(client, column_name="deferred")
    with app.app_context():
        assert sweeps.return_deferred(T0 + timedelta(days=7) - timedelta(seconds=1)) == 0
        assert sweeps.return_deferred(T0 + timedelta(days=7)) == 1
        assert sweeps.return_deferred(T0 + timedelta(days=8)) == 0
    card = get_card(client, card_id)
    assert card["column_name"] == "awaiting_decision" and card["defer_until"] == ""
    entry = client.get("/api/activity").json[0]
    assert "defer period expired" in entry["details"]


def test_done_cards_leave_the_board_after_archive_days(app, client, frozen):
    card_id = make_card(client, column_name="done")
    assert [c["id"] for c in client.get("/api/board").json["done"]] == [card_id]
    frozen.advance(days=7, seconds=1)
    # Off the board by the clock alone, before any sweep runs...
    assert client.get("/api/board").json["done"] == []
    with app.app_context():
        assert sweeps.archive_done(frozen.at, 7) == 1
        assert sweeps.archive_done(frozen.at, 7) == 0
    assert "archived" in actions_of(client, card_id)
    # ...and back when someone moves it out of done.
    client.post(f"/api/cards/{card_id}/move", json={"column_name": "inbox"})
    assert [c["id"] for c in client.get("/api/board").json["inbox"]] == [card_id]


def test_board_cache_notices_a_claim_expiring(client, frozen):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/claim", json={"agent": "a1", "ttl_seconds": 10})
    assert client.get("/api/board").json["inbox"][0]["claimed_by"] == "a1"
    frozen.advance(seconds=10)
    assert client.get("/api/board").json["inbox"][0]["claimed_by"] == ""


def test_scheduler_job_runs_every_sweep(app, client, frozen):
    from tack.jobs import run_sweeps
    card_id = make_card(client, column_name="deferred")
    frozen.advance(days=8)
    run_sweeps(app)
    assert get_card(client, card_id)["column_name"] == "awaiting_decision"


def test_scheduler_starts_once_per_process(app):
    from tack.extensions import scheduler
    from tack.jobs import start_scheduler
    try:
        start_scheduler(app)
        start_scheduler(app)
        jobs = scheduler.get_jobs()
        assert sorted(job.id for job in jobs) == ["tack-sweeps", "tack-webhooks"]
        assert jobs[0].coalesce is True and jobs[0].max_instances == 1
    finally:
        scheduler.shutdown(wait=False)


def test_a_failing_sweep_does_not_stop_the_others(app, client, frozen, monkeypatch):
    from tack.jobs import run_sweeps
    from tack.services.sweeps import SWEEPS

    def broken(now, config):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("tack.jobs.SWEEPS", {"broken": broken, **SWEEPS})
    card_id = make_card(client, column_name="deferred")
    frozen.advance(days=8)
    assert run_sweeps(app) == {"broken": None, "claims expired": 0,
                               "deferred returned": 1, "done archived": 0,
                               "orphaned Clawboo runs released": 0}
    assert get_card(client, card_id)["column_name"] == "awaiting_decision"


def test_deferred_return_is_an_ordinary_move_to_the_end_of_the_column(app, client, frozen):
    waiting = make_card(client, column_name="awaiting_decision")
    card_id = make_card(client, column_name="deferred")
    with app.app_context():
        assert sweeps.return_deferred(T0 + timedelta(days=7)) == 1
    column = client.get("/api/board").json["awaiting_decision"]
    assert [c["id"] for c in column] == [waiting, card_id]
    assert column[1]["position"] > column[0]["position"]
    entry = client.get(f"/api/activity?card_id={card_id}").json[0]
    assert (entry["action"], entry["actor"]) == ("moved", "system")
    assert entry["details"] == "deferred -> awaiting_decision (defer period expired)"


def test_deferred_return_respects_the_wip_limit_and_retries_later(app, client, frozen):
    import sqlalchemy as sa

    from tack.extensions import db
    make_card(client, column_name="awaiting_decision")
    card_id = make_card(client, column_name="deferred")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(
            "UPDATE columns SET wip_limit = 1 WHERE key = 'awaiting_decision'"))
    with app.app_context():
        assert sweeps.return_deferred(T0 + timedelta(days=7)) == 0
    assert get_card(client, card_id)["column_name"] == "deferred"
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE columns SET wip_limit = 2"))
    with app.app_context():
        assert sweeps.return_deferred(T0 + timedelta(days=7)) == 1
    assert get_card(client, card_id)["column_name"] == "awaiting_decision"


def test_a_deferred_card_moved_away_before_the_sweep_is_left_alone(app, client, frozen):
    card_id = make_card(client, column_name="deferred")
    client.post(f"/api/cards/{card_id}/move", json={"column_name": "blocked"})
    with app.app_context():
        assert sweeps.return_deferred(T0 + timedelta(days=8)) == 0
    assert get_card(client, card_id)["column_name"] == "blocked"


def test_sweeps_racing_in_four_threads_return_each_deferred_card_once(app, client, frozen):
    import threading
    card_ids = [make_card(client, column_name="deferred") for _ in range(8)]
    start = threading.Barrier(4)
    returned, errors = [], []

    def sweep():
        try:
            with app.app_context():
                start.wait()
                returned.append(sweeps.return_deferred(T0 + timedelta(days=7)))
        except Exception as failure:  # reported below
            errors.append(repr(failure))

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and sum(returned) == len(card_ids)
    for card_id in card_ids:
        assert actions_of(client, card_id) == ["created", "moved"]
    positions = [c["position"] for c in client.get("/api/board").json["awaiting_decision"]]
    assert sorted(set(positions)) == positions
