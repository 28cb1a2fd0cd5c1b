"""`python -m bench.insights`: how long the insights page takes to render on a big
board, measured in the server (the Flask app itself, no network, no browser).

Seeds one board with 10,000 cards and 200,000 events spread over 120 days (cards
created, moved through the columns, claimed and renewed, noted, sent for decisions,
completed, a few deleted) straight into the tables, fills the insights summaries
from that log (as migration 0013 does for an old database), then renders
/boards/main/insights for each range and /api/insights, cold (the first render after
a write: a move and a note through the API) and warm, several times each, and prints
medians and the least CPU time seen. See README "Insights".
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
    from tack.services.insights_summary import rebuild
    started = time.perf_counter()
    with app.app_context(), db.engine.begin() as connection:
        summed = rebuild(connection)
    print(f"summaries rebuilt from the log in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{rows} {table}" for table, rows in summed.items()))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load: planner statistics
            # and the visibility map (index-only scans). Measuring before it has run
            # would time plans no running server keeps for long.
            with db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE events")
                connection.exec_driver_sql("VACUUM ANALYZE cards")
                for table in summed:
                    connection.exec_driver_sql(f"VACUUM ANALYZE {table}")
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


def write_cost(app, rounds: int = 5, requests_per_round: int = 200) -> None:
    """What keeping the summaries adds to the hot writes: the same app creating,
    claiming, noting and moving cards through the API with the summaries kept and
    with them switched off (tack.services.transaction's call replaced by a no-op), in
    alternating rounds, in process (on PostgreSQL a card's creation's upsert rides on
    the event's INSERT; off, the event is inserted alone). Claims and notes keep no
    summary, so for them the two sides send the same statements and the difference
    is noise. Prints microseconds per request, medians."""
    from tack.services import transaction
    client = app.test_client()
    kept = transaction.note_events, transaction.append_with_summary

    def skipped(connection, events, at, facts=None):
        return None

    def not_combined(connection, event, known, at):
        return None  # not a combined write: the event is inserted as without summaries

    counter = iter(range(10**9))

    def create():
        return client.post("/api/cards", json={"title": f"w{next(counter)}", "created_by": "w"})

    made = [create().json["id"] for _ in range(requests_per_round)]

    def per_request_us(kind: str) -> float:
        started = time.perf_counter()
        for index in range(requests_per_round):
            card_id = made[index]
            if kind == "create":
                response = create()
            elif kind == "claim":
                response = client.post(f"/api/cards/{card_id}/claim",
                                       json={"agent": "w", "ttl_seconds": 60})
            elif kind == "note":
                response = client.post(f"/api/cards/{card_id}/notes",
                                       json={"author": "w", "content": "n"})
            else:
                column = "approved" if next(counter) % 2 else "inbox"
                response = client.post(f"/api/cards/{card_id}/move",
                                       json={"column_name": column, "actor": "w"})
            assert response.status_code in (200, 201), response.data[:200]
        return (time.perf_counter() - started) / requests_per_round * 1e6

    print(f"\nWrites in process, {rounds} rounds x {requests_per_round} requests each way "
          "(us/request, medians):")
    for kind in ("create", "claim", "note", "move"):
        on, off = [], []
        for round_number in range(rounds * 2):
            # Which side goes first alternates: the one after the other runs warmer.
            summing = (round_number % 4) in (0, 3)
            if not summing:
                transaction.note_events, transaction.append_with_summary = skipped, not_combined
            try:
                (on if summing else off).append(per_request_us(kind))
            finally:
                transaction.note_events, transaction.append_with_summary = kept
        with_kept, without = statistics.median(on), statistics.median(off)
        print(f"  {kind:<7} without summaries {without:8.1f}  with {with_kept:8.1f}  "
              f"({(with_kept - without):+.1f} us, {(with_kept - without) / without * 100:+.1f} %)")
    # The summing alone, without the request around it (rolled back afterwards).
    from datetime import datetime, timezone

    from tack.extensions import db
    from tack.services.insights_summary import note_events
    calls = 2000
    at = datetime.now(timezone.utc)
    events = {
        "create": dict(action="created", card_id=made[0], actor="w", details="t",
                       board_id="main"),
        "claim": dict(action="claimed", card_id=made[0], actor="w", details="",
                      board_id="main"),
        "note": dict(action="note_added", card_id=made[0], actor="w", details="n",
                     board_id="main"),
        "move": dict(action="moved", card_id=made[0], actor="w", details="inbox -> approved",
                     board_id="main"),
    }
    # What record() is told by the services that write these (the column, its role).
    facts = {"create": {0: ("inbox", None)}, "move": {0: (None, "ready")}}
    print(f"  the summing alone ({calls} calls each, one event a call): " + ", ".join(
        f"{kind} {_summing_us(app, db, note_events, event, facts.get(kind), at, calls):.0f} us"
        for kind, event in events.items()))
    print(f"(load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")


def _summing_us(app, db, note_events, event: dict, facts, at, calls: int) -> float:
    with app.app_context(), db.engine.connect() as connection:
        connection.begin()
        started = time.perf_counter()
        for _ in range(calls):
            note_events(connection, [event], at, facts)
        spent = time.perf_counter() - started
        connection.rollback()
    return spent / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=9, help="warm renders per path")
    parser.add_argument("--cold-rounds", type=int, default=5, help="cold renders per path "
                        "(each the first render after a write: a move and a note)")
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite "
                        "(its schema is dropped and rebuilt)")
    parser.add_argument("--hook-cost", action="store_true", help="also measure the "
                        "/metrics request hook's cost per request")
    parser.add_argument("--write-cost", action="store_true", help="also measure what "
                        "keeping the summaries adds to create, claim, note and move")
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
    from tack.extensions import db
    from tack.models import Card
    with app.app_context():
        inbox_card = db.session.scalar(sa.select(Card.id).where(Card.column_key == "inbox")
                                       .order_by(Card.id).limit(1))
    writes = iter(range(10**9))

    def write() -> None:
        """A move (there and back on alternate calls) and a note: the render that
        follows is the first after a write."""
        column = "approved" if next(writes) % 2 == 0 else "inbox"
        moved = client.post(f"/api/cards/{inbox_card}/move",
                            json={"column_name": column, "actor": "bench"})
        noted = client.post(f"/api/cards/{inbox_card}/notes",
                            json={"author": "bench", "content": "cold"})
        assert moved.status_code == 200 and noted.status_code in (200, 201), \
            (moved.data[:200], noted.data[:200])

    client.get(paths[0][1])  # compile the templates, open the connections
    print("\nCold: the first render after a write (a move and a note through the API). "
          "Warm: renders with\nno write between them. Every render reads the summaries "
          "the writes keep and counts\nclaims and notes per agent from the log; nothing "
          "is kept between renders.")
    print(f"Each cold render is repeated {args.cold_rounds} times, each warm one "
          f"{args.rounds} times: medians, and the\nleast CPU time seen (the render with "
          "the least interference from other processes).")
    print(f"\n{'render (server side)':<24} {'cold ms':>8} {'cold CPU':>9} {'min CPU':>8} "
          f"{'warm ms':>8} {'min':>7} {'max':>7} {'warm CPU':>9} {'min CPU':>8}")
    cold_pages = {}
    for name, path in paths:
        colds, cold_cpus = [], []
        for _ in range(args.cold_rounds):
            write()
            (cold,), (cold_cpu,) = timed(client, path, 1)
            colds.append(cold)
            cold_cpus.append(cold_cpu)
        if name.startswith("page"):
            cold_pages[name.split(", ")[1]] = (statistics.median(colds),
                                               statistics.median(cold_cpus))
        walls, cpus = timed(client, path, args.rounds)
        print(f"{name:<24} {statistics.median(colds):>8.1f} "
              f"{statistics.median(cold_cpus):>9.1f} {min(cold_cpus):>8.1f} "
              f"{statistics.median(walls):>8.1f} {min(walls):>7.1f} {max(walls):>7.1f} "
              f"{statistics.median(cpus):>9.1f} {min(cpus):>8.1f}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nInsights page, cold, median wall (CPU) ms on {database}, load {load}: "
          + ", ".join(f"{days} {wall:.0f} ({cpu:.0f})" for days, (wall, cpu)
                      in cold_pages.items()))
    print(f"(ms; load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} cores)")
    if args.hook_cost:
        with app.app_context():
            card_id = db.session.scalar(sa.select(Card.id).limit(1))
        hook_cost(app, card_id)
    if args.write_cost:
        write_cost(app)


if __name__ == "__main__":
    main()
