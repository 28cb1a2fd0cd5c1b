"""TACK_API_KEY guards every write; reads, /health and / stay open."""
import pytest
from helpers import make_card

KEY = "s3cret-key"


@pytest.fixture
def config_overrides():
    return {"api_key": KEY}


def test_write_without_key_is_401_and_changes_nothing(client):
    response = client.post("/api/cards", json={"title": "t"})
    assert response.status_code == 401 and "API key" in response.json["detail"]
    response = client.post("/api/cards", json={"title": "t"}, headers={"X-API-Key": "wrong"})
    assert response.status_code == 401
    assert client.get("/api/cards").json == []


def test_key_in_header_or_bearer_is_accepted(client):
    assert make_card_with(client, {"X-API-Key": KEY}) == 201
    assert make_card_with(client, {"Authorization": f"Bearer {KEY}"}) == 201
    assert make_card_with(client, {"Authorization": f"Basic {KEY}"}) == 401


def make_card_with(client, headers) -> int:
    return client.post("/api/cards", json={"title": "t"}, headers=headers).status_code


def test_every_write_method_needs_the_key(client):
    card_id = client.post("/api/cards", json={"title": "t"},
                          headers={"X-API-Key": KEY}).json["id"]
    for method, path in [("patch", f"/api/cards/{card_id}"), ("delete", f"/api/cards/{card_id}"),
                         ("post", f"/api/cards/{card_id}/claim"), ("post", "/api/batch")]:
        assert getattr(client, method)(path, json={}).status_code == 401, path


def test_reads_health_and_page_stay_open(client):
    for path in ("/api/board", "/api/cards", "/api/activity", "/health", "/", "/openapi.json"):
        assert client.get(path).status_code == 200, path


def test_open_board_needs_no_key(app):
    app.config["TACK"].api_key = ""
    assert make_card(app.test_client())
