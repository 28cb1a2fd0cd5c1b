"""A live Tack server with an API key for the agent-client tests (MCP, CLI), and a
fresh board per test so tests never see each other's cards (no wipe, no stale
read cache in the server)."""
import uuid
from pathlib import Path

import pytest
import requests
from harness.server import LiveServer

KEY = "agent-test-key"
TACK = str(Path(__import__("sys").executable).with_name("tack"))


@pytest.fixture(scope="module")
def server(database):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path, workers=2, threads=8,
                      extra_env={"TACK_API_KEY": KEY})
    yield live
    live.stop()


def new_board(server) -> str:
    """A board with Tack's eight columns, created through /api/v1 with the admin key."""
    response = requests.post(server.url + "/api/v1/boards", headers={"X-API-Key": KEY},
                             json={"name": "agents " + uuid.uuid4().hex[:6],
                                   "workflow": "tack"}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def create_cards(server, board: str, *titles: str) -> list[str]:
    ids = []
    for title in titles:
        response = requests.post(server.url + "/api/cards", params={"board": board},
                                 headers={"X-API-Key": KEY}, json={"title": title}, timeout=10)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def read_card(server, card_id: str) -> dict:
    return requests.get(f"{server.url}/api/cards/{card_id}", timeout=10).json()


def read_notes(server, card_id: str) -> list[str]:
    notes = requests.get(f"{server.url}/api/cards/{card_id}/notes", timeout=10).json()
    return [note["content"] for note in notes]
