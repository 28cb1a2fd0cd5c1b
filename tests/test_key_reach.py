"""One rule for who may change a board, on every surface (tack.services.access): the
admin key any board, a board's manage key (kb_) its board, an access key (ak_) the
boards it has edit on; a board with no manage key is open while no admin key is set.
A refused write changes nothing."""
import itertools
import re

import pytest
import sqlalchemy as sa
from agentkanban_helpers import bearer, make_key
from helpers import get_card, make_card, page_csrf_token, statements_sent
from kanban_helpers import auth, make_board

from tack.extensions import db
from tack.models_agentkanban import AccessKey

ADMIN = "admin-key-for-reach"
CLAWBOO = "/clawboo/api"
HX = {"HX-Request": "true"}
TITLES = (f"renamed {n}" for n in itertools.count())  # each update changes something


def tack_writes(client, card_id: str, headers: dict) -> list[int]:
    """The statuses of a run of Tack API writes on one card (each its own request)."""
    return [
        client.post(f"/api/cards/{card_id}/claim", json={"agent": "bot"},
                    headers=headers).status_code,
        client.post(f"/api/cards/{card_id}/notes", json={"author": "bot", "content": "hi"},
                    headers=headers).status_code,
        client.post(f"/api/cards/{card_id}/release", json={"agent": "bot"},
                    headers=headers).status_code,
        client.patch(f"/api/cards/{card_id}", json={"title": next(TITLES)},
                     headers=headers).status_code,
    ]


def card_actions(client, board: dict, card_id: str) -> list[str]:
    entries = client.get(f"/api/activity?board={board['id']}&card_id={card_id}&limit=500").json
    return [entry["action"] for entry in entries]


def keyed_card(client) -> tuple[dict, str]:
    """A board made on /api/v1 (so it has a manage key) and a card on it."""
    board = make_board(client)
    response = client.post(f"/api/cards?board={board['id']}", json={"title": "guarded"},
                           headers=auth(board))
    assert response.status_code == 201, response.json
    return board, response.json["id"]


def test_without_an_admin_key_a_keyed_board_is_changed_only_with_a_key_for_it(app, client):
    board, card_id = keyed_card(client)
    other = make_board(client, name="Other")
    before = card_actions(client, board, card_id)
    assert before == ["created"]
    reader = make_key(app, boards={board["id"]: "read"}, name="reader")
    elsewhere = make_key(app, boards={other["id"]: "edit"}, name="elsewhere")
    for headers in ({}, auth(other), bearer(reader), bearer(elsewhere),
                    {"Authorization": "Bearer kb_not-a-real-key"}):
        assert tack_writes(client, card_id, headers) == [401] * 4, headers
        refused = client.post(f"/api/cards?board={board['id']}", json={"title": "x"},
                              headers=headers)
        assert refused.status_code == 401 and refused.json["code"] == "UNAUTHORIZED"
    assert card_actions(client, board, card_id) == before
    assert get_card(client, card_id)["title"] == "guarded"

    assert tack_writes(client, card_id, auth(board)) == [200, 201, 200, 200]
    editor = make_key(app, boards={board["id"]: "edit"}, name="editor")
    assert tack_writes(client, card_id, bearer(editor)) == [200, 201, 200, 200]
    # The main board has no manage key: open, as Tack's API is without a key.
    assert tack_writes(client, make_card(client), {}) == [200, 201, 200, 200]


def test_a_batch_refuses_each_write_on_a_board_its_key_does_not_open(client):
    board, guarded = keyed_card(client)
    open_card = make_card(client)
    response = client.post("/api/batch", json=[
        {"action": "update", "card_id": open_card, "title": "batched"},
        {"action": "update", "card_id": guarded, "title": "batched"}])
    assert response.status_code == 200, response.json
    moved, refused = response.json["results"]
    assert "error" not in moved and refused["status_code"] == 401, response.json
    assert get_card(client, open_card)["title"] == "batched"
    assert get_card(client, guarded)["title"] == "guarded"


def test_hnr_and_clawboo_writes_take_an_access_key_with_edit(app, client):
    board = make_board(client)
    editor, reader = (make_key(app, boards={board["id"]: permission}, name=permission)
                      for permission in ("edit", "read"))
    path = f"/api/v1/boards/{board['id']}/tasks"
    task = {"title": "by an access key", "actor_name": "Nanook"}
    assert client.post(path, json=task, headers=bearer(editor)).status_code == 201
    assert client.post(path, json=task, headers=bearer(reader)).status_code == 401


@pytest.mark.parametrize("config_overrides", [{"api_key": ADMIN}])
class TestWithAnAdminKey:
    def test_tack_api_takes_the_admin_key_and_keys_for_the_cards_board(self, app, client):
        admin = {"X-API-Key": ADMIN}
        main_card = make_card(client, headers=admin)
        board = make_board(client)
        guarded = client.post(f"/api/cards?board={board['id']}", json={"title": "g"},
                              headers=auth(board)).json["id"]
        assert tack_writes(client, guarded, auth(board)) == [200, 201, 200, 200]
        # A board's key opens its board only; no key at all is refused before the write.
        assert tack_writes(client, main_card, auth(board)) == [401] * 4
        assert tack_writes(client, main_card, {}) == [401] * 4
        everywhere = make_key(app, all_boards=True, permission="edit")
        assert tack_writes(client, main_card, bearer(everywhere)) == [200, 201, 200, 200]
        read_all = make_key(app, all_boards=True, permission="read", name="read-all")
        assert tack_writes(client, main_card, bearer(read_all)) == [401] * 4
        assert tack_writes(client, main_card, admin) == [200, 201, 200, 200]

    def test_clawboo_takes_an_access_key_for_the_team(self, app, client):
        admin = {"Authorization": f"Bearer {ADMIN}"}
        team_id = client.post(f"{CLAWBOO}/teams", json={"name": "T"},
                              headers=admin).json["team"]["id"]
        other_id = client.post(f"{CLAWBOO}/teams", json={"name": "U"},
                               headers=admin).json["team"]["id"]
        on_team = make_key(app, boards={team_id: "edit"})
        on_other = make_key(app, boards={other_id: "edit"}, name="other")
        task = {"title": "t", "teamId": team_id}
        made = client.post(f"{CLAWBOO}/board", json=task, headers=bearer(on_team))
        assert made.status_code == 200, made.json
        for headers in ({}, bearer(on_other)):
            refused = client.post(f"{CLAWBOO}/board", json=task, headers=headers)
            assert refused.status_code == 401, refused.json
            assert refused.json["ok"] is False and refused.json["error"] == "unauthorized"
        listed = client.get(f"{CLAWBOO}/board?teamId={team_id}").json["tasks"]
        assert [t["title"] for t in listed] == ["t"]


# ---- the page -----------------------------------------------------------------------

def page_post(client, path, **form):
    return client.post(path, data=form, headers={**HX, "X-CSRFToken": page_csrf_token(client)})


def test_the_page_changes_a_keyed_board_only_after_its_manage_link(app, client):
    board, card_id = keyed_card(client)
    note = {"content": "from the page"}
    refused = page_post(client, f"/web/cards/{card_id}/notes?board={board['id']}", **note)
    assert refused.status_code == 401 and "manage key" in refused.data.decode()
    assert card_actions(client, board, card_id) == ["created"]
    # The settings page shows the board's webhooks (URLs may carry tokens) only to
    # a person who may change it.
    settings = f"/boards/{board['id']}/settings"
    assert "to see this board's webhooks" in client.get(settings).data.decode()

    wrong = client.get(f"/board/{board['id']}?key=kb_wrong")
    assert wrong.status_code == 401 and "not this board" in wrong.data.decode()
    opened = client.get(f"/board/{board['id']}?key={board['manage_key']}")
    assert opened.status_code == 303 and opened.headers["Location"] == f"/board/{board['id']}"
    assert board["manage_key"] not in str(client.get_cookie("session"))
    accepted = page_post(client, f"/web/cards/{card_id}/notes?board={board['id']}", **note)
    assert accepted.status_code == 200, accepted.data
    assert card_actions(client, board, card_id) == ["note_added", "created"]
    assert "No webhooks." in client.get(settings).data.decode()


def test_a_board_made_on_the_page_is_its_makers_and_a_rotation_closes_old_holders(app):
    maker, stranger = app.test_client(), app.test_client()
    made = page_post(maker, "/boards", name="Mine", workflow="columns").data.decode()
    board_id = re.search(r'href="/boards/([0-9a-f-]{36})"', made).group(1)
    key = re.search(r'<code id="manage-key">(kb_[^<]+)</code>', made).group(1)
    column = {"name": "Later"}
    assert page_post(maker, f"/boards/{board_id}/columns", **column).status_code == 200
    assert page_post(stranger, f"/boards/{board_id}/columns", **column).status_code == 401
    assert stranger.get(f"/board/{board_id}?key={key}").status_code == 303
    assert page_post(stranger, f"/boards/{board_id}/columns", **column).status_code == 200
    # The maker rotates the key: still theirs; the stranger's copy no longer opens it.
    assert page_post(maker, f"/boards/{board_id}/manage-key").status_code == 200
    assert page_post(maker, f"/boards/{board_id}/columns", **column).status_code == 200
    assert page_post(stranger, f"/boards/{board_id}/columns", **column).status_code == 401


def test_a_board_without_a_manage_key_never_gains_one(client):
    response = page_post(client, "/boards/main/manage-key")
    assert response.status_code == 409
    assert "no manage key" in response.data.decode()


def test_writes_on_an_open_board_send_no_key_statement_after_the_first(app, client):
    """The board-key check is cached for open boards: a claim and a note send the
    statements they sent before the check existed."""
    card_id = make_card(client)
    claim = statements_sent(app, lambda: client.post(f"/api/cards/{card_id}/claim",
                                                     json={"agent": "bot"}))
    note = statements_sent(app, lambda: client.post(
        f"/api/cards/{card_id}/notes", json={"author": "bot", "content": "hi"}))
    for statements in (claim, note):
        assert not any("manage_key_hash" in statement for statement in statements)


def test_an_access_key_is_checked_on_the_writes_own_connection(app, client):
    """Each busy write holding a second pooled connection for its key check could
    empty the pool (seen on PostgreSQL: 32 racing claims, pool timeouts). The key's
    last use is stamped after the write, not inside it."""
    board, card_id = keyed_card(client)
    editor = make_key(app, boards={board["id"]: "edit"})
    checkouts = []

    def checked_out(*_args):
        checkouts.append(1)

    with app.app_context():
        sa.event.listen(db.engine, "checkout", checked_out)
        try:
            claimed = client.post(f"/api/cards/{card_id}/claim", json={"agent": "bot"},
                                  headers=bearer(editor))
            writing = len(checkouts)
        finally:
            sa.event.remove(db.engine, "checkout", checked_out)
    assert claimed.status_code == 200, claimed.json
    assert writing == 2  # the write, then the last-use stamp after it
    with app.app_context():
        assert db.session.get(AccessKey, editor["id"]).last_used_at is not None
