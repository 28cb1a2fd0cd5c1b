"""The event log behind /api/activity and /api/changes."""
from helpers import make_card


def test_activity_is_newest_first_with_tack_keys_and_limit(client):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/move", json={"column_name": "done", "actor": "a"})
    entries = client.get("/api/activity").json
    assert [e["action"] for e in entries] == ["moved", "created"]
    assert set(entries[0]) >= {"id", "card_id", "action", "actor", "details", "timestamp"}
    assert len(client.get("/api/activity?limit=1").json) == 1
    assert client.get("/api/activity?limit=0").status_code == 422
    assert client.get("/api/activity?limit=1001").status_code == 422


def test_changes_since_time_returns_entries_with_current_card(client, frozen):
    old = make_card(client, title="old")
    frozen.advance(minutes=5)
    new = make_card(client, title="new")
    body = client.get("/api/changes?since=2026-03-02T09:01:00%2B00:00").json
    assert [c["card_id"] for c in body["changes"]] == [new]
    assert body["changes"][0]["card"]["title"] == "new"
    assert body["checked_at"] == "2026-03-02T09:05:00+00:00"
    assert old not in [c["card_id"] for c in body["changes"]]


def test_changes_after_cursor_is_oldest_first_and_misses_nothing(client):
    card_ids = [make_card(client, title=f"c{i}") for i in range(7)]
    seen, cursor = [], 0
    while True:
        body = client.get(f"/api/changes?after={cursor}&limit=3").json
        if not body["changes"]:
            break
        seen.extend(change["card_id"] for change in body["changes"])
        assert body["cursor"] == body["changes"][-1]["seq"]
        cursor = body["cursor"]
    assert seen == card_ids
    assert client.get(f"/api/changes?after={cursor}").json["cursor"] == cursor


def test_changes_of_a_deleted_card_have_no_card_key_as_in_tack(client):
    card_id = make_card(client)
    client.delete(f"/api/cards/{card_id}")
    changes = client.get("/api/changes?after=0").json["changes"]
    assert [c["action"] for c in changes] == ["created", "deleted"]
    assert all("card" not in c for c in changes)


def test_changes_since_honours_the_offset(client, frozen):
    make_card(client)
    # 10:30+02:00 is 08:30 UTC, before the card was made at 09:00 UTC.
    assert len(client.get("/api/changes?since=2026-03-02T10:30:00%2B02:00").json["changes"]) == 1
    assert client.get("/api/changes?since=2026-03-02T11:30:00%2B02:00").json["changes"] == []
    assert client.get("/api/changes?since=0001-01-01T00:00:00%2B05:00").status_code == 422


def test_changes_rejects_bad_cursors(client):
    assert client.get("/api/changes?since=yesterday").status_code == 422
    assert client.get("/api/changes?after=-1").status_code == 422
    assert client.get("/api/changes?limit=5000").status_code == 422


def test_a_refused_request_writes_no_event(client):
    card_id = make_card(client)
    before = client.get("/api/activity").json
    client.post(f"/api/cards/{card_id}/move", json={"column_name": "nowhere"})
    client.post(f"/api/cards/{card_id}/decide", json={"choice": "x"})
    assert client.get("/api/activity").json == before
