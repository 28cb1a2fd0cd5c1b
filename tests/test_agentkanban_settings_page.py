"""Settings > API keys on the page: only a signed-in admin creates, reveals and
revokes access keys; what it makes works on /api/ext/v1 at once."""
import re

import pytest
from agentkanban_helpers import EXT
from helpers import page_csrf_token as csrf_token

ADMIN = "page-admin-key"


@pytest.fixture
def config_overrides():
    return {"api_key": ADMIN}


def signed_in(client):
    token = csrf_token(client)
    assert client.post("/web/sign-in", data={"key": ADMIN, "name": "Ann",
                                             "csrf_token": token}).status_code == 303
    return csrf_token(client)


def shown_key(html: str) -> str:
    return re.search(r'value="(ak_[^"]+)"', html).group(1)


def key_row(html: str, key_id: str) -> str:
    return html.split(f'<tr id="key-{key_id}">', 1)[1].split("</tr>", 1)[0]


def test_signed_out_visitors_cannot_see_or_make_keys(client):
    assert client.get("/settings/keys").status_code == 401
    token = csrf_token(client)
    assert client.post("/settings/keys", data={"name": "x", "scope": "all",
                                               "csrf_token": token}).status_code == 401


def test_admin_creates_copies_reveals_and_revokes_a_key(client):
    token = signed_in(client)
    assert client.post("/settings/keys", data={"name": "x", "scope": "all"}).status_code == 400
    made = client.post("/settings/keys", data={"name": "IDE <b>", "scope": "all",
                                               "permission": "read", "csrf_token": token})
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    html = made.data.decode()
    assert "IDE &lt;b&gt;" in html and "copy-key" in html
    key = shown_key(html)
    key_id = re.search(r'id="key-([0-9a-f-]+)"', html).group(1)
    assert "<td>never</td>" in key_row(client.get("/settings/keys").data.decode(), key_id)
    headers = {"Authorization": "Bearer " + key}
    assert client.get(EXT + "/boards", headers=headers).json["data"][0]["permission"] == "read"

    listed = client.get("/settings/keys").data.decode()
    assert key not in listed and key[:11] in listed
    # The list shows when the key was last used.
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d UTC</td>", key_row(listed, key_id))
    revealed = client.post(f"/settings/keys/{key_id}/reveal", data={"csrf_token": token})
    assert shown_key(revealed.data.decode()) == key

    revoked = client.post(f"/settings/keys/{key_id}/revoke", data={"csrf_token": token})
    assert "revoked" in revoked.data.decode()
    assert client.get(EXT + "/boards", headers=headers).status_code == 401


def test_a_key_for_chosen_boards_gets_only_those(client):
    token = signed_in(client)
    made = client.post("/settings/keys", data={"name": "main only", "scope": "chosen",
                                               "board": "main", "permission_main": "edit",
                                               "csrf_token": token})
    assert made.status_code == 201
    headers = {"Authorization": "Bearer " + shown_key(made.data.decode())}
    assert client.get(EXT + "/boards", headers=headers).json["data"] == [
        {"id": "main", "name": "Main board", "permission": "edit"}]
    refused = client.post("/settings/keys", data={"name": "none", "scope": "chosen",
                                                  "csrf_token": token})
    assert refused.status_code == 400 and "at least one board" in refused.data.decode()
