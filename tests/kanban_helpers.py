"""Arrange helpers for the /api/v1 (HNR Kanban) tests."""

ERROR_KEYS = {"error", "code", "status"}


def make_board(client, **fields) -> dict:
    """A new board's creation answer (id, columns, manage_key...)."""
    response = client.post("/api/v1/boards", json={"name": "Sprint 1", **fields})
    assert response.status_code == 201, response.json
    return response.json


def auth(board: dict) -> dict:
    return {"Authorization": "Bearer " + board["manage_key"]}


def make_task(client, board: dict, **fields) -> dict:
    body = {"title": "A task", "actor_name": "Nanook", **fields}
    response = client.post(f"/api/v1/boards/{board['id']}/tasks", json=body,
                           headers=auth(board))
    assert response.status_code == 201, response.json
    return response.json


def assert_error(response, status: int, code: str) -> None:
    """The contract's error shape, status and code."""
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    assert body is not None and set(body) == ERROR_KEYS, body
    assert body["code"] == code and body["status"] == status, body
    assert isinstance(body["error"], str) and body["error"]
