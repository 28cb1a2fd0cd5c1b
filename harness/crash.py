"""Crash safety: kill -9 the server in the middle of a write load, restart it, and
check that every write that was answered 2xx is there (and, on SQLite, that the
file passes its integrity check).

    python -m harness.crash [--seconds 2] [--writers 8] [--database-url URL]"""
import argparse
import json
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from harness.schema import reset_postgres_schema
from harness.server import LiveServer


def write_load(url: str, writer: int, stop: threading.Event, acknowledged: list) -> None:
    session = requests.Session()
    sequence = 0
    while not stop.is_set():
        sequence += 1
        title = f"crash w{writer} #{sequence}"
        try:
            created = session.post(url + "/api/cards", json={"title": title}, timeout=5)
            if created.status_code == 201:
                card_id = created.json()["id"]
                acknowledged.append(("card", card_id, title))
                noted = session.post(f"{url}/api/cards/{card_id}/notes",
                                     json={"content": title + " note"}, timeout=5)
                if noted.status_code == 201:
                    acknowledged.append(("note", card_id, title + " note"))
        except requests.RequestException:
            return  # the server is gone


def run(database_url: str, sqlite_path: str, seconds: float, writers: int) -> dict:
    server = LiveServer(database_url, sqlite_path)
    stop, acknowledged = threading.Event(), []
    threads = [threading.Thread(target=write_load, args=(server.url, i, stop, acknowledged))
               for i in range(writers)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    server.crash()
    stop.set()
    for thread in threads:
        thread.join(30)
    problems = []
    if database_url.startswith("sqlite"):
        with sqlite3.connect(sqlite_path) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            problems.append(f"integrity_check: {verdict}")
    restarted = LiveServer(database_url, sqlite_path)
    try:
        cards = {card["id"]: card["title"] for card in
                 requests.get(restarted.url + "/api/cards?fields=id,title").json()}
        missing_notes = 0
        notes_by_card: dict[str, set] = {}
        for kind, card_id, text in acknowledged:
            if kind == "card" and cards.get(card_id) != text:
                problems.append(f"acknowledged card {card_id} is missing")
            if kind == "note":
                if card_id not in notes_by_card:
                    notes = requests.get(f"{restarted.url}/api/cards/{card_id}/notes").json()
                    notes_by_card[card_id] = {note["content"] for note in notes}
                if text not in notes_by_card[card_id]:
                    missing_notes += 1
        if missing_notes:
            problems.append(f"{missing_notes} acknowledged notes are missing")
    finally:
        restarted.stop()
    return {"acknowledged_writes": len(acknowledged), "problems": problems}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    sqlite_path = str(Path(tempfile.mkdtemp(prefix="tack-crash-")) / "board.db")
    database_url = args.database_url
    if database_url:
        reset_postgres_schema(database_url)
    else:
        database_url = "sqlite:///" + sqlite_path
    findings = run(database_url, sqlite_path, args.seconds, args.writers)
    print(json.dumps(findings, indent=2))
    sys.exit(1 if findings["problems"] else 0)


if __name__ == "__main__":
    main()
