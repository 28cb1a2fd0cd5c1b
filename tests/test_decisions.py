"""Decisions and approvals: ask, answer once, move on."""
from helpers import actions_of, get_card, make_card

OPTIONS = [{"key": "pg", "label": "PostgreSQL", "description": "scale out"},
           {"key": "sqlite", "label": "SQLite", "description": "one file"}]


def ask(client, card_id, **extra):
    return client.post(f"/api/cards/{card_id}/decision", json={
        "question": "Which database?", "options": OPTIONS, "context": "ctx",
        "deadline": "2026-04-01", "actor": "agent-1", **extra})


def test_decision_request_moves_card_and_shows_decision_object(client, frozen):
    card_id = make_card(client)
    response = ask(client, card_id)
    assert response.status_code == 200
    assert response.json == {"status": "awaiting_decision", "question": "Which database?",
                             "options": ["pg", "sqlite"]}
    card = get_card(client, card_id)
    assert card["column_name"] == "awaiting_decision"
    decision = card["decision"]
    assert decision["options"] == OPTIONS and decision["decided"] is None
    assert (decision["requested_by"], decision["context"], decision["deadline"]) == \
        ("agent-1", "ctx", "2026-04-01")
    assert decision["requested_at"] == "2026-03-02T09:00:00+00:00"
    assert [c["id"] for c in client.get("/api/decisions").json] == [card_id]
    assert "decision_requested" in actions_of(client, card_id)


def test_decide_records_choice_adds_note_and_moves_on(client):
    card_id = make_card(client)
    ask(client, card_id)
    response = client.post(f"/api/cards/{card_id}/decide",
                           json={"choice": "pg", "actor": "human", "note": "go big"})
    assert response.status_code == 200
    assert response.json == {"status": "decided", "choice": "pg", "moved_to": "in_progress"}
    card = get_card(client, card_id)
    assert card["decision"]["decided"] == "pg" and card["decision"]["decided_by"] == "human"
    assert card["column_name"] == "in_progress"
    assert client.get(f"/api/cards/{card_id}/notes").json[-1]["content"] == "go big"
    assert client.get("/api/decisions").json == []
    assert "decided" in actions_of(client, card_id)


def test_decide_honours_move_to(client):
    card_id = make_card(client)
    ask(client, card_id)
    response = client.post(f"/api/cards/{card_id}/decide",
                           json={"choice": "sqlite", "move_to": "approved"})
    assert response.json["moved_to"] == "approved"


def test_decide_refusals_are_400_with_tack_phrases(client):
    card_id = make_card(client)
    response = client.post(f"/api/cards/{card_id}/decide", json={"choice": "pg"})
    assert response.status_code == 400 and "No pending decision" in response.json["detail"]
    ask(client, card_id)
    response = client.post(f"/api/cards/{card_id}/decide", json={"choice": "mysql"})
    assert response.status_code == 400 and "Invalid choice" in response.json["detail"]
    response = client.post(f"/api/cards/{card_id}/decide",
                           json={"choice": "pg", "move_to": "limbo"})
    assert response.status_code == 400 and "Invalid column" in response.json["detail"]
    assert get_card(client, card_id)["decision"]["decided"] is None
    client.post(f"/api/cards/{card_id}/decide", json={"choice": "pg"})
    response = client.post(f"/api/cards/{card_id}/decide", json={"choice": "sqlite"})
    assert response.status_code == 400 and "Already decided" in response.json["detail"]


def test_decision_needs_question_and_unique_option_keys(client):
    card_id = make_card(client)
    assert client.post(f"/api/cards/{card_id}/decision",
                       json={"options": OPTIONS}).status_code == 422
    assert client.post(f"/api/cards/{card_id}/decision",
                       json={"question": "q", "options": []}).status_code == 422
    response = client.post(f"/api/cards/{card_id}/decision", json={
        "question": "q", "options": [{"key": "a"}, {"key": "a"}]})
    assert response.status_code == 400
    assert get_card(client, card_id)["decision"] == ""


def test_approval_approved_goes_to_in_progress_with_note(client):
    card_id = make_card(client)
    response = client.post(f"/api/cards/{card_id}/approval",
                           json={"plan": "1. do it", "context": "c", "actor": "bot"})
    assert response.status_code == 200
    assert response.json == {"status": "awaiting_approval", "plan": "1. do it"}
    assert get_card(client, card_id)["column_name"] == "awaiting_approval"
    assert [c["id"] for c in client.get("/api/approvals").json] == [card_id]
    response = client.post(f"/api/cards/{card_id}/approve",
                           json={"approved": True, "comment": "ok", "actor": "boss"})
    assert response.json == {"status": "approved", "moved_to": "in_progress"}
    card = get_card(client, card_id)
    assert card["approval"]["approved"] is True and card["approval"]["approved_by"] == "boss"
    assert client.get(f"/api/cards/{card_id}/notes").json[-1]["content"] == "[APPROVED] ok"
    assert "approval_approved" in actions_of(client, card_id)


def test_approval_denied_goes_to_blocked_unless_move_to(client):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/approval", json={"plan": "p"})
    response = client.post(f"/api/cards/{card_id}/approve",
                           json={"approved": False, "comment": "no"})
    assert response.json == {"status": "denied", "moved_to": "blocked"}
    assert client.get(f"/api/cards/{card_id}/notes").json[-1]["content"] == "[DENIED] no"
    response = client.post(f"/api/cards/{card_id}/approve", json={"approved": True})
    assert response.status_code == 400 and "Already decided" in response.json["detail"]
    other = make_card(client)
    client.post(f"/api/cards/{other}/approval", json={"plan": "p"})
    response = client.post(f"/api/cards/{other}/approve",
                           json={"approved": False, "move_to": "inbox"})
    assert response.json["moved_to"] == "inbox"
    assert "approval_denied" in actions_of(client, other)


def test_approve_without_pending_approval_is_400(client):
    card_id = make_card(client)
    response = client.post(f"/api/cards/{card_id}/approve", json={"approved": True})
    assert response.status_code == 400 and "No pending approval" in response.json["detail"]
