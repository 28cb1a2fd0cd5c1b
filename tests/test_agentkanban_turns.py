"""Captured turns: an idempotent batch upsert (source + sourceId), watermarks, pages;
and racing clients against a real server insert each turn once."""
import threading

import pytest
import requests
from agentkanban_helpers import EXT, assert_ext_error, bearer, make_key
from harness.server import LiveServer

from tack.extensions import db
from tack.models_agentkanban import Turn


def batch(ids, source="copilot", minute=30):
    return {"turns": [{"source": source, "sourceId": f"t{i}", "role": "user",
                       "content": f"turn {i}", "capturedAt": f"2025-06-20T10:{minute}:{i % 60:02d}Z"}
                      for i in ids]}


@pytest.fixture
def task(app, client):
    key = make_key(app, all_boards=True)
    board = client.post(EXT + "/boards", json={"name": "Turns"}, headers=bearer(key)).json
    board_id = board["data"]["id"]
    client.post(f"{EXT}/boards/{board_id}/lanes", json={"name": "To Do"}, headers=bearer(key))
    made = client.post(f"{EXT}/boards/{board_id}/tasks", json={"title": "chat"},
                       headers=bearer(key))
    path = f"{EXT}/boards/{board_id}/tasks/{made.json['data']['id']}/turns"
    return {"key": key, "path": path, "headers": bearer(key)}


def test_reposting_the_same_100_turns_inserts_nothing_and_keeps_the_watermarks(client, task):
    first = client.post(task["path"], json=batch(range(100)), headers=task["headers"])
    assert first.status_code == 201 and first.json["data"] == {"inserted": 100}
    again = client.post(task["path"], json=batch(range(100)), headers=task["headers"])
    assert again.status_code == 201 and again.json["data"] == {"inserted": 0}
    assert again.json["watermarks"] == first.json["watermarks"] == {
        "copilot": {"sourceId": "t59", "capturedAt": "2025-06-20T10:30:59.000Z"}}


def test_a_batch_over_100_is_refused_whole(client, task):
    assert_ext_error(client.post(task["path"], json=batch(range(101)),
                                 headers=task["headers"]), 400, "validation_error")
    assert client.get(task["path"], headers=task["headers"]).json["data"] == []


def test_turns_page_by_cursor_and_filter_by_source_and_time(client, task):
    client.post(task["path"], json=batch(range(5)), headers=task["headers"])
    client.post(task["path"], json=batch(range(2), source="codex", minute=40),
                headers=task["headers"])
    seen, cursor = [], None
    while True:
        page = client.get(task["path"], query_string={"limit": 3, **(
            {"cursor": cursor} if cursor else {})}, headers=task["headers"]).json
        seen += [(turn["source"], turn["sourceId"]) for turn in page["data"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == [("copilot", f"t{i}") for i in range(5)] + [("codex", "t0"), ("codex", "t1")]
    codex = client.get(task["path"] + "?source=codex", headers=task["headers"]).json
    assert [turn["sourceId"] for turn in codex["data"]] == ["t0", "t1"]
    assert set(codex["watermarks"]) == {"codex"}
    later = client.get(task["path"], query_string={"after": "2025-06-20T10:30:03Z"},
                       headers=task["headers"]).json["data"]
    assert [turn["sourceId"] for turn in later] == ["t4", "t0", "t1"]
    marks = client.get(task["path"] + "/watermark", headers=task["headers"]).json
    assert marks == {"watermarks": {
        "codex": {"sourceId": "t1", "capturedAt": "2025-06-20T10:40:01.000Z"},
        "copilot": {"sourceId": "t4", "capturedAt": "2025-06-20T10:30:04.000Z"}}}
    assert_ext_error(client.get(task["path"] + "?cursor=bogus", headers=task["headers"]),
                     400, "validation_error")


@pytest.mark.server
def test_eight_clients_posting_overlapping_batches_insert_each_turn_once(app, database, task):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path, workers=2, threads=8)
    try:
        start, results, errors = threading.Barrier(8), [], []

        def post(client_number):
            # Client n sends turns 10n .. 10n+39: every turn is in up to four batches.
            ids = range(10 * client_number, 10 * client_number + 40)
            try:
                start.wait()
                for _ in range(3):
                    response = requests.post(live.url + task["path"], json=batch(ids),
                                             headers=task["headers"], timeout=60)
                    assert response.status_code == 201, response.text
                    results.append(response.json()["data"]["inserted"])
            except Exception as failure:  # reported below, with the others
                errors.append(failure)

        threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        distinct = 10 * 7 + 40
        assert sum(results) == distinct
        with app.app_context():
            rows = db.session.query(Turn.source_id).all()
        assert sorted(row.source_id for row in rows) == sorted(f"t{i}" for i in range(distinct))
    finally:
        live.stop()


def test_a_capture_time_without_offset_is_utc_and_a_bad_one_is_refused(client, task):
    turn = {"source": "codex", "sourceId": "n1", "role": "user", "content": "x",
            "capturedAt": "2025-06-20T10:30:00"}
    posted = client.post(task["path"], json={"turns": [turn]}, headers=task["headers"])
    assert posted.json["watermarks"]["codex"]["capturedAt"] == "2025-06-20T10:30:00.000Z"
    for bad in ({**turn, "capturedAt": "yesterday"}, {**turn, "role": ""},
                {**turn, "sourceId": None}):
        assert_ext_error(client.post(task["path"], json={"turns": [bad]},
                                     headers=task["headers"]), 400, "validation_error")
