"""The page shows what agents keep through /api/ext/v1: a card's todos as a
checklist (tick, add, reorder), its captured turns as a collapsible conversation,
and its short id, which the board's search finds."""
from agentkanban_helpers import EXT, bearer, make_key
from helpers import page_csrf_token as csrf_token
from test_web import HX


def test_card_dialog_checklist_and_conversation(app, client):
    key = make_key(app, boards={"main": "edit"})
    task = client.post(f"{EXT}/boards/main/tasks", json={"title": "Chatty card"},
                       headers=bearer(key)).json["data"]
    base = f"{EXT}/boards/main/tasks/{task['id']}"
    first = client.post(base + "/todos", json={"text": "first <step>"}, headers=bearer(key))
    client.post(base + "/turns", headers=bearer(key), json={"turns": [{
        "source": "codex", "sourceId": "1", "role": "assistant", "content": "Fixed <it>",
        "capturedAt": "2025-06-20T10:30:00Z"}]})
    assert f'/web/cards/{task["id"]}/agent-work' in client.get(f"/web/cards/{task['id']}").data.decode()

    html = client.get(f"/web/cards/{task['id']}/agent-work").data.decode()
    assert "first &lt;step&gt;" in html and "Fixed &lt;it&gt;" in html
    assert "<details" in html and task["shortId"] in html

    headers = {**HX, "X-CSRFToken": csrf_token(client)}
    todo_id = first.json["data"]["id"]
    client.post(f"/web/cards/{task['id']}/todos/{todo_id}/toggle", headers=headers)
    client.post(f"/web/cards/{task['id']}/todos", data={"text": "second", "iteration": "1"},
                headers=headers)
    client.post(f"/web/cards/{task['id']}/todos/{todo_id}/down", headers=headers)
    listed = client.get(base + "/todos", headers=bearer(key)).json["data"]
    assert [(t["text"], t["done"], t["source"]) for t in listed] == [
        ("second", False, "user"), ("first <step>", True, "api")]
    refused = client.post(f"/web/cards/{task['id']}/todos", data={"text": " "},
                          headers=headers)
    assert refused.status_code == 400 and "required" in refused.data.decode()


def test_board_search_finds_a_card_by_its_short_id(app, client):
    key = make_key(app, boards={"main": "edit"})
    for title in ("one", "two"):
        client.post(f"{EXT}/boards/main/tasks", json={"title": title}, headers=bearer(key))
    other, wanted = client.get(f"{EXT}/boards/main/tasks", headers=bearer(key)).json["data"]
    board = client.get("/web/board", query_string={"f_q": wanted["shortId"]},
                       headers=HX).data.decode()
    assert wanted["id"] in board and other["id"] not in board


def test_every_card_tile_shows_its_short_id(app, client):
    key = make_key(app, boards={"main": "edit"})
    client.post(f"{EXT}/boards/main/tasks", json={"title": "tile"}, headers=bearer(key))
    task = client.get(f"{EXT}/boards/main/tasks", headers=bearer(key)).json["data"][0]
    page = client.get("/").data.decode()
    tile = page[page.index(f'id="{task["id"]}"'):]
    tile = tile[:tile.index("</article>")]
    assert f'<span class="short-id" title="short id (search the board by it)">#{task["shortId"]}</span>' in tile


def test_checklist_write_without_csrf_token_is_refused_and_changes_nothing(app, client):
    key = make_key(app, boards={"main": "edit"})
    task = client.post(f"{EXT}/boards/main/tasks", json={"title": "Guarded card"},
                       headers=bearer(key)).json["data"]
    csrf_token(client)  # a session exists; the write below just does not send its token

    refused = client.post(f"/web/cards/{task['id']}/todos", data={"text": "sneaky"},
                          headers=HX)

    assert refused.status_code == 400
    base = f"{EXT}/boards/main/tasks/{task['id']}"
    assert client.get(base + "/todos", headers=bearer(key)).json["data"] == []
