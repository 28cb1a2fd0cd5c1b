"""/api/batch: each operation answers as its single call would."""
from helpers import get_card, make_card


def test_batch_runs_each_operation_and_reports_failures_in_place(client):
    card_id = make_card(client)
    operations = [
        {"action": "create", "title": "from batch", "tags": ["b"]},
        {"action": "move", "card_id": card_id, "column_name": "in_progress"},
        {"action": "update", "card_id": card_id, "priority": "high"},
        {"action": "claim", "card_id": card_id, "agent": "a1"},
        {"action": "claim", "card_id": card_id, "agent": "a2"},
        {"action": "note", "card_id": card_id, "author": "a1", "content": "hi"},
        {"action": "release", "card_id": card_id, "agent": "a1"},
        {"action": "move", "card_id": "card-00000000", "column_name": "done"},
        {"action": "create"},
        {"action": "explode"},
        {"action": {"not": "a string"}, "card_id": card_id},
    ]
    response = client.post("/api/batch", json=operations)
    assert response.status_code == 200
    results = response.json["results"]
    assert response.json["count"] == 11
    assert results[0]["status"] == "created"
    assert results[1] == {"status": "moved", "from": "inbox", "to": "in_progress"}
    assert results[2] == {"status": "updated"}
    assert results[3]["status"] == "claimed"
    assert results[4]["status_code"] == 409
    assert results[4]["error"]["error"] == "Card already claimed"
    assert results[5]["status"] == "added"
    assert results[6] == {"status": "released"}
    assert results[7] == {"error": "Card not found", "status_code": 404}
    assert results[8]["status_code"] == 422
    assert results[9]["status_code"] == 400
    assert results[10]["status_code"] == 400
    card = get_card(client, card_id)
    assert (card["column_name"], card["priority"], card["claimed_by"]) == \
        ("in_progress", "high", "")
    assert get_card(client, results[0]["id"])["tags"] == ["b"]


def test_batch_over_100_operations_is_400_and_runs_none(client):
    response = client.post("/api/batch", json=[{"action": "create", "title": "x"}] * 101)
    assert response.status_code == 400
    assert client.get("/api/cards").json == []


def test_batch_body_must_be_a_list(client):
    assert client.post("/api/batch", json={"action": "create"}).status_code == 422
