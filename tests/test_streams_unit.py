"""Stream slots and the one action -> contract event mapping, in process."""
import pytest

from tack.kanban.translate import CONTRACT_EVENTS, contract_event_type
from tack.services.webhooks import EVENT_TYPES


@pytest.fixture
def config_overrides():
    return {"streams_max": 1}


def test_slot_is_given_back_even_when_the_body_is_never_read(client):
    first = client.get("/api/stream")
    assert first.status_code == 200 and first.mimetype == "text/event-stream"
    refused = client.get("/api/v1/boards/main/events/stream")
    assert refused.status_code == 503
    assert refused.json == {"error": refused.json["error"], "code": "TOO_MANY_STREAMS",
                            "status": 503}
    native = client.get("/api/stream")
    assert native.status_code == 503 and native.json["code"] == "TOO_MANY_STREAMS"
    first.close()  # the server closes a body it never read
    again = client.get("/api/stream?after=0")
    assert again.status_code == 200
    again.close()


def test_bad_cursor_is_refused_before_a_slot_is_taken(client):
    bad = client.get("/api/stream", headers={"Last-Event-ID": "-1"})
    assert bad.status_code == 400 and bad.json["code"] == "INVALID_INPUT"
    bad = client.get("/api/v1/boards/main/events/stream?after=1e9")
    assert bad.status_code == 400 and bad.json["code"] == "INVALID_INPUT"
    fine = client.get("/api/stream?after=5")
    assert fine.status_code == 200
    fine.close()


def test_every_contract_event_type_has_actions_and_board_actions_have_none():
    assert set(CONTRACT_EVENTS.values()) == set(EVENT_TYPES)
    assert contract_event_type("note_added") == "task.comment"
    assert contract_event_type("claim_expired") == "task.released"
    assert contract_event_type("completed") == "task.moved"
    for action in ("board_created", "column_created", "columns_reordered"):
        assert contract_event_type(action) is None
