"""Many boards on the page: board pages, the switcher, the board list, creating a
board, and each board's settings (columns, WIP limits, flags, keys)."""
import re

import pytest
import sqlalchemy as sa
from helpers import page_csrf_token, toast_text

from tack.extensions import db
from tack.models import Card
from tack.services import boards as board_service

HX = {"HX-Request": "true"}
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def config_overrides():
    return {"board_rate_limit": "1000/hour"}


@pytest.fixture
def page(client):
    token = page_csrf_token(client)

    class Page:
        headers = {**HX, "X-CSRFToken": token}

        def post(self, path, data=None, **form):
            return client.post(path, data=data if data is not None else form,
                               headers=self.headers)

        def get(self, path):
            return client.get(path, headers=HX)

    return Page()


def create_board(page, **form) -> tuple[str, str]:
    """(board id, manage key) of a board made through the page's form."""
    response = page.post("/boards", **{"name": "Ops", "workflow": "columns", **form})
    assert response.status_code == 200, response.data
    text = response.data.decode()
    board_id = re.search(r'href="/boards/([0-9a-f-]{36})"', text).group(1)
    key = re.search(r'<code id="manage-key">(kb_[^<]+)</code>', text).group(1)
    return board_id, key


def column_keys(app, board_id) -> list[str]:
    with app.app_context():
        return [column.key for column in board_service.columns(board_id)]


def test_create_board_shows_its_manage_key_once_and_stores_only_a_hash(app, page, client):
    board_id, key = create_board(page, columns="Todo\nDoing\n\nDone\n")
    with app.app_context():
        board = board_service.get_board(board_id)
        assert [c.name for c in board.columns] == ["Todo", "Doing", "Done"]
        assert board.workflow == "columns"
        assert board_service.manage_key_matches(board, key)
        assert key not in (board.manage_key_hash or "")
    settings = client.get(f"/boards/{board_id}/settings").data.decode()
    assert "This board has a manage key." in settings and key not in settings
    listing = client.get("/boards").data.decode()
    assert key not in listing and "Ops" in listing


def test_board_list_shows_workflow_card_count_and_archived_flag(app, page, client):
    board_id, key = create_board(page, name="Counted board")
    for title in ("one", "two"):
        assert page.post("/web/cards", title=title, board=board_id).status_code == 200
    with app.app_context():
        board_service.set_board_archived(board_id=board_id, archived=True)
    row = re.search(r"<tr class=\"archived\">\s*<td><a href=\"/boards/" + board_id
                    + r"\">Counted board</a></td>\s*<td>columns</td>\s*<td>2</td>"
                    r"\s*<td>archived</td>", client.get("/boards").data.decode())
    assert row


def test_create_board_with_the_tack_workflow_gets_tacks_columns(app, page):
    board_id, _ = create_board(page, name="Tack-like", workflow="tack")
    assert column_keys(app, board_id)[:2] == ["inbox", "approved"]


@pytest.mark.parametrize("form, message", [
    ({"name": ""}, "Board name is empty"),
    ({"workflow": "clawboo"}, "workflow"),
    ({"name": "x" * 1000}, "name"),
    ({"columns": "\n".join(f"c{i}" for i in range(60))}, "columns"),
])
def test_create_board_refusals_show_a_message_and_create_nothing(app, page, form, message):
    with app.app_context():
        before = len(board_service.list_boards(public_only=False, include_archived=True))
    response = page.post("/boards", **{"name": "Refused", "workflow": "columns", **form})
    assert response.status_code in (400, 422)
    assert message in toast_text(response)
    assert "kb_" not in response.data.decode()
    with app.app_context():
        assert len(board_service.list_boards(public_only=False,
                                             include_archived=True)) == before


def test_board_page_shows_only_that_boards_cards_and_columns(app, page, client):
    board_id, _ = create_board(page, name="Second", columns="Alpha\nBeta")
    assert page.post("/web/cards", title="On second", board=board_id).status_code == 200
    assert page.post("/web/cards", title="On main").status_code == 200
    second = client.get(f"/boards/{board_id}").data.decode()
    assert "On second" in second and "On main" not in second
    assert "Alpha" in second and "Awaiting decision" not in second
    assert f'data-board="{board_id}"' in second
    main = client.get("/").data.decode()
    assert "On main" in main and "On second" not in main
    # The contract's view_url serves the same page.
    view = client.get(f"/board/{board_id}")
    assert view.status_code == 200 and "On second" in view.data.decode()
    assert client.get("/boards/no-such-board").status_code == 404


def test_switcher_lists_the_boards_and_marks_the_current_one(page, client):
    board_id, _ = create_board(page, name="Switch target")
    text = client.get(f"/boards/{board_id}").data.decode()
    switcher = re.search(r'<select id="board-switcher".*?</select>', text, re.S).group(0)
    assert f'<option value="/boards/{board_id}" selected>Switch target</option>' in switcher
    assert '<option value="/" >Main board</option>' in switcher


def test_partials_and_live_updates_follow_the_board_parameter(app, page):
    board_id, _ = create_board(page, name="Partials", columns="Todo\nDone")
    todo, done = column_keys(app, board_id)
    created = page.post("/web/cards", title="Partial card", board=board_id)
    card_id = re.search(r'data-card-id="([^"]+)"', created.data.decode()).group(1)
    assert f'id="cards-{todo}"' in created.data.decode()
    moved = page.post(f"/web/cards/{card_id}/move", column_name=done, board=board_id)
    assert moved.status_code == 200
    assert re.search(f'id="cards-{done}"[^>]*>\\s*<article[^>]*id="{card_id}"',
                     moved.data.decode())
    dialog = page.get(f"/web/cards/{card_id}?board={board_id}").data.decode()
    assert f'<option value="{done}" selected>Done</option>' in dialog
    columns = page.get(f"/web/board?board={board_id}").data.decode()
    assert "Partial card" in columns
    assert page.get(f"/web/changes?board={board_id}&after=0").status_code == 200
    seq = re.search(r'data-seq="(\d+)"', moved.data.decode()).group(1)
    assert page.get(f"/web/changes?board={board_id}&after={seq}").status_code == 204
    more = page.get(f"/web/columns/{done}/cards?board={board_id}&offset=0")
    assert more.status_code == 200 and "Partial card" in more.data.decode()


def test_column_at_its_wip_limit_shows_it_and_a_refused_drop_says_why(app, page):
    board_id, _ = create_board(page, name="WIP", columns="Todo\nDoing")
    todo, doing = column_keys(app, board_id)
    assert page.post(f"/boards/{board_id}/columns/{doing}", name="Doing",
                     wip_limit="1").status_code == 200
    ids = []
    for title in ("first", "second"):
        created = page.post("/web/cards", title=title, board=board_id)
        ids.append(re.findall(r'data-card-id="([^"]+)"', created.data.decode())[-1])
    first = page.post(f"/web/cards/{ids[0]}/move", column_name=doing, board=board_id)
    assert '<span class="wip at-limit" title="WIP limit reached">1/1</span>' in \
        first.data.decode()
    refused = page.post(f"/web/cards/{ids[1]}/move", column_name=doing, board=board_id)
    assert refused.status_code == 409
    assert toast_text(refused) == "WIP limit reached: 'Doing' holds at most 1 cards"
    assert refused.headers["HX-Reswap"] == "none"
    # The board as it really is: the refused card is back in Todo.
    assert re.search(f'id="cards-{todo}"[^>]*>\\s*<article[^>]*id="{ids[1]}"',
                     refused.data.decode())


def test_free_columns_show_decision_buttons_only_when_the_card_carries_one(app, page, client):
    board_id, key = create_board(page, name="Free")
    assert page.post("/web/cards", title="Plain", board=board_id).status_code == 200
    text = client.get(f"/boards/{board_id}").data.decode()
    assert 'class="decide"' not in text and 'class="approve"' not in text
    task = client.post(f"/api/v1/boards/{board_id}/tasks", json={
        "title": "Asks", "actor_name": "bot"},
        headers={"Authorization": "Bearer " + key}).get_json()
    # Free boards have no decision column, so no service asks there: a card that
    # carries a question anyway (moved from a Tack board, imported) is arranged here.
    with app.app_context():
        db.session.execute(sa.update(Card).where(Card.id == task["id"]).values(decision={
            "question": "Which?", "options": [{"key": "a", "label": "A"}]}))
        db.session.commit()
    from tack.api.snapshots import fragments, snapshots
    snapshots.clear()
    fragments.clear()
    text = client.get(f"/boards/{board_id}").data.decode()
    assert text.count('class="decide"') == 1 and "Which?" in text


def test_settings_columns_add_rename_reorder_wip_and_delete(app, page, client):
    board_id, _ = create_board(page, name="Settings", columns="A\nB\nC")
    a, b, c = column_keys(app, board_id)
    added = page.post(f"/boards/{board_id}/columns", name="Between", position="1",
                      wip_limit="")
    assert added.status_code == 200 and "Column “Between” added." in toast_text(added)
    with app.app_context():
        names = [col.name for col in board_service.columns(board_id)]
    assert names == ["A", "Between", "B", "C"]
    between = column_keys(app, board_id)[1]
    assert page.post(f"/boards/{board_id}/columns/{between}", name="Middle",
                     wip_limit="3").status_code == 200
    reordered = page.post(f"/boards/{board_id}/columns/order",
                          data={"column_id": [c, b, between, a]})
    assert reordered.status_code == 200 and toast_text(reordered) == "Columns reordered."
    with app.app_context():
        ordered = board_service.columns(board_id)
        assert [col.name for col in ordered] == ["C", "B", "Middle", "A"]
        assert ordered[2].wip_limit == 3
    cleared = page.post(f"/boards/{board_id}/columns/{between}", name="Middle", wip_limit="")
    assert cleared.status_code == 200
    deleted = page.post(f"/boards/{board_id}/columns/{between}/delete")
    assert deleted.status_code == 200 and toast_text(deleted) == "Column deleted."
    assert column_keys(app, board_id) == [c, b, a]
    assert "Middle" not in client.get(f"/boards/{board_id}/settings").data.decode()


@pytest.mark.parametrize("path, form, status, message", [
    ("/columns/{a}/delete", {}, 400, "Column is not empty"),
    ("/columns/{a}", {"name": "A", "wip_limit": "0"}, 400, "wip_limit must be between"),
    ("/columns/{a}", {"name": "A", "wip_limit": "lots"}, 422, "wip_limit"),
    ("/columns/{a}", {"name": "  "}, 400, "Column name is empty"),
    ("/columns", {"name": "New", "position": "-1"}, 422, "position"),
    ("/columns/order", {"column_id": ["{a}"]}, 400, "every column"),
    ("/columns/nope", {"name": "X"}, 404, "Column not found"),
])
def test_settings_refusals_show_the_services_message_and_change_nothing(
        app, page, path, form, status, message):
    board_id, _ = create_board(page, name="Refusals", columns="A\nB")
    a, b = column_keys(app, board_id)
    assert page.post("/web/cards", title="Keeps A busy", board=board_id).status_code == 200
    form = {k: ([v.format(a=a) for v in value] if isinstance(value, list)
                else value.format(a=a)) for k, value in form.items()}
    response = page.post(f"/boards/{board_id}" + path.format(a=a), data=form)
    assert response.status_code == status
    assert message in toast_text(response)
    # The settings as they really are replace the (maybe dragged) list.
    assert response.headers["HX-Retarget"] == "#settings-body"
    assert column_keys(app, board_id) == [a, b]
    with app.app_context():
        assert [(c.name, c.wip_limit) for c in board_service.columns(board_id)] == \
            [("A", None), ("B", None)]


def test_the_last_column_cannot_be_deleted(app, page):
    board_id, _ = create_board(page, name="Lonely", columns="Only")
    (only,) = column_keys(app, board_id)
    response = page.post(f"/boards/{board_id}/columns/{only}/delete")
    assert response.status_code == 400
    assert toast_text(response) == "Cannot delete the board's last column"


def test_settings_public_flag_and_display_name_rule(app, page, client):
    board_id, _ = create_board(page, name="Flags")
    saved = page.post(f"/boards/{board_id}/settings", name="Flags renamed",
                      is_public="on", require_display_name="on")
    assert saved.status_code == 200
    with app.app_context():
        board = board_service.get_board(board_id)
        assert (board.name, board.is_public, board.require_display_name) == \
            ("Flags renamed", True, True)
    assert 'name="is_public" checked' in saved.data.decode()
    page.post(f"/boards/{board_id}/settings", name="Flags renamed")
    with app.app_context():
        board = board_service.get_board(board_id)
        assert (board.is_public, board.require_display_name) == (False, False)


def test_rotating_the_manage_key_shows_the_new_key_once_and_retires_the_old(app, page, client):
    board_id, old_key = create_board(page, name="Keys")
    response = page.post(f"/boards/{board_id}/manage-key")
    assert response.status_code == 200
    new_key = re.search(r'<code id="manage-key">(kb_[^<]+)</code>',
                        response.data.decode()).group(1)
    assert new_key != old_key
    with app.app_context():
        board = board_service.get_board(board_id)
        assert board_service.manage_key_matches(board, new_key)
        assert not board_service.manage_key_matches(board, old_key)
    assert new_key not in client.get(f"/boards/{board_id}/settings").data.decode()


def test_rotate_manage_key_service_on_a_missing_board(app):
    from tack.errors import NotFound
    with app.app_context(), pytest.raises(NotFound):
        board_service.rotate_manage_key(board_id="missing")


def test_hostile_board_and_column_names_are_escaped_everywhere(app, page, client):
    board_id, _ = create_board(page, name=HOSTILE, columns=f"{HOSTILE}\nplain")
    for path in (f"/boards/{board_id}", f"/boards/{board_id}/settings", "/boards", "/"):
        text = client.get(path).data.decode()
        assert HOSTILE not in text, path
        assert "&lt;script&gt;alert(" in text, path
    bad = page.post("/boards", name="ok", columns=HOSTILE + "x" * 300)
    assert bad.status_code == 422 and HOSTILE not in bad.data.decode()


def test_settings_and_board_writes_need_sign_in_when_a_key_is_set(app, client):
    app.config["TACK"].api_key = "page-key"
    token = page_csrf_token(client)
    headers = {**HX, "X-CSRFToken": token}
    response = client.post("/boards", data={"name": "Nope"}, headers=headers)
    assert response.status_code == 401
    with app.app_context():
        assert "Nope" not in [b.name for b in board_service.list_boards(
            public_only=False, include_archived=True)]
    response = client.post("/boards/main/columns", data={"name": "Nope"}, headers=headers)
    assert response.status_code == 401
    assert "Nope" not in [c for c in column_keys(app, "main")]


def test_settings_writes_need_the_csrf_token(app, page, client):
    board_id, _ = create_board(page, name="CSRF")
    response = client.post(f"/boards/{board_id}/columns", data={"name": "X"}, headers=HX)
    assert response.status_code == 400
    assert len(column_keys(app, board_id)) == 5
