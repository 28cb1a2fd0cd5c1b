"""`python -m bench.insights`: how long the insights page takes to render on a big
board, measured in the server (the Flask app itself, no network, no browser).

Seeds one board with 10,000 cards and 200,000 events spread over 120 days (cards
created, moved through the columns, claimed and renewed, noted, sent for decisions,
completed, a few deleted), then renders /boards/main/insights for each range and
/api/insights, cold (nothing kept) and warm, several times each, and prints medians
and the least CPU time seen. See README "Insights".
"""
import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

COLUMNS_PATH = ("inbox", "approved", "in_progress")
DAY = timedelta(days=1)


def history_of(card_number: int, born: datetime, rng: random.Random, events_each: int,
               now: datetime):
    """(card row, [event rows]) for one card: a walk through the board's columns."""
    card_id = f"card-{card_number:08x}"
    agent = f"agent-{rng.randrange(12)}"
    at = born
    events = []

    def add(action, details="", actor=agent, step_hours=None):
        nonlocal at
        at = min(at + timedelta(hours=step_hours if step_hours is not None
                                else rng.uniform(0.2, 20)), now)
        events.append(dict(board_id="main", card_id=card_id, action=action, actor=actor,
                           details=details, created_at=at))

    add("created", f"Card {card_number}", actor="human", step_hours=0)
    column = "inbox"
    fate = rng.random()
    stops = 1 if fate < 0.08 else 2 if fate < 0.15 else 3
    for target in COLUMNS_PATH[1:stops]:
        add("moved", f"{column} -> {target}")
        column = target
        if target == "in_progress":
            add("claimed", "claimed for 3600s")
    decision = stops == 3 and rng.random() < 0.25
    if decision:
        add("moved", "in_progress -> awaiting_decision")
        add("decision_requested", "Which way?")
        column = "awaiting_decision"
    finished = stops == 3 and fate >= 0.25
    # Notes and claim renewals make up the rest of the card's events.
    filler = events_each - len(events) - (4 if decision and finished else 2 if finished else 0)
    for _ in range(max(filler, 0)):
        if column == "in_progress" and rng.random() < 0.4:
            add("claimed", "renewed for 3600s", step_hours=rng.uniform(0.1, 2))
        else:
            add("note_added", "progress", step_hours=rng.uniform(0.1, 3))
    if finished:
        if decision:
            add("decided", "a", actor="human")
            add("moved", "awaiting_decision -> in_progress", actor="human")
        add("moved", "in_progress -> done")
        add("completed", "in_progress -> done")
        column = "done"
    claimed = column == "in_progress" and rng.random() < 0.5
    card = dict(id=card_id, board_id="main", column_key=column, position=card_number,
                title=f"Card {card_number}", created_at=born, updated_at=at,
                claimed_by=agent if claimed else None, claimed_at=at if claimed else None,
                claim_expires_at=now + timedelta(hours=1) if claimed else None,
                completed_at=at if column == "done" else None)
    return card, events


def seed(app, cards: int, events: int, now: datetime, seed_value: int = 7) -> int:
    from tack.extensions import db
    from tack.models import Card, Event
    rng = random.Random(seed_value)
    card_rows, event_rows = [], []
    per_card = events // cards
    for number in range(cards):
        born = now - timedelta(days=120) + timedelta(seconds=rng.uniform(0, 118 * 86400))
        card, history = history_of(number, born, rng, per_card, now)
        card_rows.append(card)
        event_rows.extend(history)
    deleted = rng.sample(card_rows, len(card_rows) // 100)
    for card in deleted:
        event_rows.append(dict(board_id="main", card_id=card["id"], action="deleted",
                               actor="human", details=card["title"],
                               created_at=card["updated_at"]))
    gone = {card["id"] for card in deleted}
    card_rows = [card for card in card_rows if card["id"] not in gone]
    event_rows.sort(key=lambda row: row["created_at"])  # seq follows time, as in a real log
    with app.app_context(), db.engine.begin() as connection:
        for start in range(0, len(card_rows), 2000):
            connection.execute(sa.insert(Card.__table__), card_rows[start:start + 2000])
        for start in range(0, len(event_rows), 10000):
            connection.execute(sa.insert(Event.__table__), event_rows[start:start + 10000])
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load: planner statistics
            # and the visibility map (index-only scans). Measuring before it has run
            # would time plans no running server keeps for long.
            with db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE events")
                connection.exec_driver_sql("VACUUM ANALYZE cards")
    return len(event_rows)


def timed(client, path: str, rounds: int) -> tuple[list[float], list[float]]:
    """(wall ms, CPU ms of this process) per render. On a busy machine the wall time
    includes waiting for a core; the CPU time is the work itself."""
    walls, cpus = [], []
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.data[:300]
    return walls, cpus


def hook_cost(app, card_id: str, requests_per_round: int = 2000, rounds: int = 5) -> None:
    """The /metrics request hook's price: the same app answering GET /api/cards/<id>
    with and without the hook, in alternating rounds (in process, so network and
    gunicorn noise stay out). Prints microseconds per request, medians."""
    from tack import metrics
    before, after = app.before_request_funcs[None], app.after_request_funcs[None]
    client = app.test_client()
    path = f"/api/cards/{card_id}"

    def per_request_us():
        started = time.perf_counter()
        for _ in range(requests_per_round):
            client.get(path)
        return (time.perf_counter() - started) / requests_per_round * 1e6

    with_hook, without_hook = [], []
    for _ in range(rounds):
        with_hook.append(per_request_us())
        before.remove(metrics._start_timer)
        after.remove(metrics._count_request)
        without_hook.append(per_request_us())
        before.insert(0, metrics._start_timer)
        after.insert(0, metrics._count_request)
    on, off = statistics.median(with_hook), statistics.median(without_hook)
    # The hook alone, without the rest of the request around it.
    calls = 20000
    with app.test_request_context(path):
        from flask import request
        request.url_rule = app.url_map.bind("localhost").match(path, return_rule=True)[0]
        response = app.response_class("x")
        started = time.perf_counter()
        for _ in range(calls):
            metrics._start_timer()
            metrics._count_request(response)
        alone = (time.perf_counter() - started) / calls * 1e6
    print(f"\nGET {path} in process, {rounds} x {requests_per_round} requests each way:")
    print(f"  without the metrics hook {off:8.1f} us/request")
    print(f"  with the metrics hook    {on:8.1f} us/request  (+{on - off:.1f} us, "
          f"{(on - off) / off * 100:+.1f} %)")
    print(f"  the hook alone           {alone:8.1f} us/request ({calls} calls)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=9, help="warm renders per path")
    parser.add_argument("--cold-rounds", type=int, default=5, help="cold renders per path "
                        "(the kept facts of ended days dropped before each)")
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite "
                        "(its schema is dropped and rebuilt)")
    parser.add_argument("--hook-cost", action="store_true", help="also measure the "
                        "/metrics request hook's cost per request")
    parser.add_argument("--sqlite", default="", help="keep the SQLite file here; a file "
                        "seeded by an earlier run is measured again without reseeding")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from tack import ROOT, create_app
    from tack.config import Config
    from tack.services.boards import ensure_default_board

    sqlite_path = args.sqlite or str(Path(tempfile.mkdtemp(prefix="tack-insights-bench-"))
                                      / "board.db")
    reuse = bool(args.sqlite) and Path(sqlite_path).exists() and not args.database_url
    url = args.database_url or "sqlite:///" + sqlite_path
    if args.database_url:
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    app = create_app(Config(database_url=url, db_path=sqlite_path, secret_key="bench",
                            scheduler_enabled=False))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        ensure_default_board()
    if reuse:
        print(f"measuring the board seeded earlier in {sqlite_path}")
    else:
        started = time.perf_counter()
        written = seed(app, args.cards, args.events, datetime.now(timezone.utc))
        print(f"seeded {args.cards} cards, {written} events in "
              f"{time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
    client = app.test_client()
    paths = [(f"page, {days} days", f"/boards/main/insights?days={days}") for days in (7, 30, 90)]
    paths += [(f"/api/insights, {days} days", f"/api/insights?board=main&days={days}")
              for days in (7, 30, 90)]
    from tack.services import insights
    client.get(paths[0][1])  # compile the templates, open the connections
    print("\nCold: the first render of a range reads every day of it. Warm: later renders "
          "reread only today\n(the ended days' facts are kept per process until the log "
          "shows an event dated before today's midnight written after them).")
    print(f"Each cold render is repeated {args.cold_rounds} times (the kept facts dropped "
          "before each), each warm one\n"
          f"{args.rounds} times: medians, and the least CPU time seen (the render with the "
          "least interference\nfrom other processes).")
    print(f"\n{'render (server side)':<24} {'cold ms':>8} {'cold CPU':>9} {'min CPU':>8} "
          f"{'warm ms':>8} {'min':>7} {'max':>7} {'warm CPU':>9} {'min CPU':>8}")
    for name, path in paths:
        colds, cold_cpus = [], []
        for _ in range(args.cold_rounds):
            insights._past_days.clear()
            (cold,), (cold_cpu,) = timed(client, path, 1)
            colds.append(cold)
            cold_cpus.append(cold_cpu)
        walls, cpus = timed(client, path, args.rounds)
        print(f"{name:<24} {statistics.median(colds):>8.1f} "
              f"{statistics.median(cold_cpus):>9.1f} {min(cold_cpus):>8.1f} "
              f"{statistics.median(walls):>8.1f} {min(walls):>7.1f} {max(walls):>7.1f} "
              f"{statistics.median(cpus):>9.1f} {min(cpus):>8.1f}")
    print(f"(ms; load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} cores)")
    if args.hook_cost:
        from tack.extensions import db
        from tack.models import Card
        with app.app_context():
            card_id = db.session.scalar(sa.select(Card.id).limit(1))
        hook_cost(app, card_id)


if __name__ == "__main__":
    main()
