"""Arrange helpers for the /api/ext/v1 (AgentKanban) tests."""
from tack.services import access_keys

EXT = "/api/ext/v1"


def make_key(app, *, all_boards=False, permission="edit", boards=None, name="agent") -> dict:
    """{"id", "key"} of a new access key."""
    with app.app_context():
        row, key = access_keys.create_key(name=name, app_secret=app.config["SECRET_KEY"],
                                          all_boards=all_boards, permission=permission,
                                          boards=boards)
    return {"id": row.id, "key": key}


def revoke(app, key: dict) -> None:
    with app.app_context():
        access_keys.revoke_key(key_id=key["id"])


def bearer(key: dict) -> dict:
    return {"Authorization": "Bearer " + key["key"]}


def assert_ext_error(response, status: int, code: str) -> None:
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
