"""Concurrency torture: several processes, each with many agent threads, loop
claim-next -> note -> complete over one shared pool until it is empty. Then the
event log and the notes must show: no card held by two agents at once, no lost
note, every card done exactly once.

    python -m harness.torture [--processes 4 --threads 16 --cards 1000] [--url URL]

Without --url it starts the server itself (gunicorn, --workers processes) on a
fresh SQLite file, or on --database-url."""
import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import threading
from collections import Counter, defaultdict
from pathlib import Path

import requests

from harness.schema import reset_postgres_schema
from harness.server import LiveServer


def agent_loop(url: str, agent: str, ttl: int, out: list, failures: list) -> None:
    session = requests.Session()
    while True:
        response = session.post(url + "/api/cards/claim-next",
                                json={"agent": agent, "ttl_seconds": ttl})
        if response.status_code == 204:
            return
        if response.status_code in (409, 503):  # contended or busy: try again
            continue
        if response.status_code != 200:
            failures.append(f"claim-next {response.status_code} {response.text[:200]}")
            return
        card_id = response.json()["id"]
        note = f"{agent} worked {card_id}"
        noted = session.post(f"{url}/api/cards/{card_id}/notes",
                             json={"author": agent, "content": note})
        done = session.post(f"{url}/api/cards/{card_id}/complete",
                            json={"actor": agent, "note": "done"})
        if noted.status_code != 201 or done.status_code != 200:
            failures.append(f"{card_id}: note {noted.status_code}, complete {done.status_code}")
        out.append({"card": card_id, "agent": agent, "note": note,
                    "noted": noted.status_code == 201})


def process_main(url: str, index: int, threads: int, ttl: int, queue) -> None:
    claimed, failures = [], []
    workers = [threading.Thread(target=agent_loop,
                                args=(url, f"p{index}-t{i}", ttl, claimed, failures))
               for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put({"claimed": claimed, "failures": failures})


def create_pool(url: str, cards: int) -> list[str]:
    ids = []
    for start in range(0, cards, 100):
        batch = [{"action": "create", "title": f"torture {i}", "column_name": "approved"}
                 for i in range(start, min(cards, start + 100))]
        response = requests.post(url + "/api/batch", json=batch)
        response.raise_for_status()
        ids.extend(result["id"] for result in response.json()["results"])
    return ids


def run(url: str, processes: int, threads: int, cards: int, ttl: int = 600) -> dict:
    """Drive the load and check the invariants; returns the findings."""
    pool = create_pool(url, cards)
    queue = multiprocessing.get_context("spawn").Queue()
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=process_main, args=(url, i, threads, ttl, queue))
                for i in range(processes)]
    for child in children:
        child.start()
    reports = [queue.get(timeout=1800) for _ in children]
    for child in children:
        child.join(60)
    claimed = [item for report in reports for item in report["claimed"]]
    failures = [failure for report in reports for failure in report["failures"]]
    return check(url, pool, claimed, failures)


def check(url: str, pool: list[str], claimed: list[dict], failures: list[str]) -> dict:
    problems = list(failures)
    claims = Counter(item["card"] for item in claimed)
    twice = [card for card, count in claims.items() if count > 1]
    if twice:
        problems.append(f"{len(twice)} cards handed out twice: {twice[:5]}")
    missing = set(pool) - set(claims)
    if missing:
        problems.append(f"{len(missing)} cards never claimed: {sorted(missing)[:5]}")
    # The log: per card, claims and completions in order; a claim while another
    # agent holds the card (no release/complete/expiry between) is a double hold.
    events = read_all_events(url)
    holder, completed, overlaps = {}, Counter(), []
    for event in events:
        card = event["card_id"]
        if event["action"] == "claimed":
            if holder.get(card) not in (None, event["actor"]):
                overlaps.append(card)
            holder[card] = event["actor"]
        elif event["action"] in ("released", "claim_expired", "completed", "deleted"):
            holder[card] = None
            if event["action"] == "completed":
                completed[card] += 1
    if overlaps:
        problems.append(f"{len(overlaps)} claims taken while another agent held the card")
    not_once = [card for card in pool if completed[card] != 1]
    if not_once:
        problems.append(f"{len(not_once)} cards not completed exactly once: {not_once[:5]}")
    lost = 0
    notes_by_card = defaultdict(set)
    for item in claimed:
        if item["noted"]:
            notes_by_card[item["card"]].add(item["note"])
    for card, expected in notes_by_card.items():
        stored = {note["content"] for note in requests.get(f"{url}/api/cards/{card}/notes").json()}
        lost += len(expected - stored)
    if lost:
        problems.append(f"{lost} acknowledged notes are missing")
    board = requests.get(url + "/api/cards?column=done&fields=id").json()
    not_done = set(pool) - {card["id"] for card in board}
    if not_done:
        problems.append(f"{len(not_done)} cards are not in done")
    return {"cards": len(pool), "claims": len(claimed), "events": len(events),
            "problems": problems}


def read_all_events(url: str) -> list[dict]:
    events, cursor = [], 0
    while True:
        body = requests.get(f"{url}/api/changes?after={cursor}&limit=1000").json()
        events.extend(body["changes"])
        if not body["changes"]:
            return events
        cursor = body["cursor"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--url", default="", help="an already running board")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    server = None
    url = args.url
    if not url:
        workdir = Path(tempfile.mkdtemp(prefix="tack-torture-"))
        if args.database_url:
            reset_postgres_schema(args.database_url)
            database_url = args.database_url
        else:
            database_url = "sqlite:///" + str(workdir / "board.db")
        os.environ.pop("TACK_API_KEY", None)
        server = LiveServer(database_url, str(workdir / "board.db"), workers=args.workers)
        url = server.url
    try:
        findings = run(url, args.processes, args.threads, args.cards)
    finally:
        if server:
            server.stop()
    print(json.dumps(findings, indent=2))
    sys.exit(1 if findings["problems"] else 0)


if __name__ == "__main__":
    main()
