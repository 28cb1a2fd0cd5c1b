"""Small arrange/assert helpers shared by the API tests."""


def make_card(client, **fields) -> str:
    body = {"title": "A card", **fields}
    response = client.post("/api/cards", json=body)
    assert response.status_code == 201, response.json
    return response.json["id"]


def get_card(client, card_id: str) -> dict:
    response = client.get(f"/api/cards/{card_id}")
    assert response.status_code == 200, response.json
    return response.json


def actions_of(client, card_id: str | None = None) -> list[str]:
    """Activity actions, oldest first (optionally for one card)."""
    entries = client.get("/api/activity?limit=1000").json
    return [e["action"] for e in reversed(entries) if card_id in (None, e["card_id"])]
