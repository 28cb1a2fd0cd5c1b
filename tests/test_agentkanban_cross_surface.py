"""One domain under every contract: what an AgentKanban key writes is a card and a
note on Tack's API, the HNR Kanban API and the page."""
from agentkanban_helpers import EXT, bearer, make_key


def test_task_and_comment_made_here_are_a_card_and_a_note_elsewhere(app, client):
    key = make_key(app, all_boards=True, name="ide")
    board = client.post(EXT + "/boards", json={"name": "Cross"}, headers=bearer(key))
    board_id = board.json["data"]["id"]
    lanes = [client.post(f"{EXT}/boards/{board_id}/lanes", json={"name": name},
                         headers=bearer(key)).json["data"] for name in ("To Do", "Doing")]
    made = client.post(f"{EXT}/boards/{board_id}/tasks", headers=bearer(key), json={
        "title": "Deploy v2", "laneId": lanes[1]["id"], "priority": 4, "tags": ["ops"]})
    task_id = made.json["data"]["id"]
    client.post(f"{EXT}/boards/{board_id}/tasks/{task_id}/comments", headers=bearer(key),
                json={"body": "Deployed to staging", "authorName": "CI Bot",
                      "source": "agent"})

    card = client.get(f"/api/cards/{task_id}").json
    assert (card["title"], card["priority"], card["tags"]) == ("Deploy v2", "critical", ["ops"])
    assert card["column_name"] == lanes[1]["id"]
    notes = client.get(f"/api/cards/{task_id}/notes").json
    assert [(n["author"], n["content"]) for n in notes] == [("CI Bot", "Deployed to staging")]

    kanban_task = client.get(f"/api/v1/boards/{board_id}/tasks/{task_id}").json
    assert (kanban_task["title"], kanban_task["column_name"]) == ("Deploy v2", "Doing")
    assert kanban_task["priority"] == 3 and kanban_task["comment_count"] == 1

    page = client.get(f"/web/cards/{task_id}")
    assert page.status_code == 200
    assert b"Deploy v2" in page.data and b"Deployed to staging" in page.data
    # The board page shows it as a card tile in its lane's column.
    board_page = client.get(f"/boards/{board_id}").data.decode()
    before, column = board_page.split(f'id="cards-{lanes[1]["id"]}"', 1)
    column = column.split('<div class="cards"', 1)[0]
    assert f'data-card-id="{task_id}"' in column and "Deploy v2" in column
    assert f'data-card-id="{task_id}"' not in before


def test_a_note_written_on_tacks_api_reads_here_as_a_user_or_api_comment(app, client):
    key = make_key(app, all_boards=True)
    board_id = client.post(EXT + "/boards", json={"name": "Back"},
                           headers=bearer(key)).json["data"]["id"]
    client.post(f"{EXT}/boards/{board_id}/lanes", json={"name": "To Do"}, headers=bearer(key))
    task_id = client.post(f"{EXT}/boards/{board_id}/tasks", json={"title": "t"},
                          headers=bearer(key)).json["data"]["id"]
    client.post(f"/api/cards/{task_id}/notes", json={"author": "agent-7", "content": "noted"},
                headers=bearer(key))  # an access key with edit opens its board on /api too
    comments = client.get(f"{EXT}/boards/{board_id}/tasks/{task_id}/comments",
                          headers=bearer(key)).json["data"]
    assert [(c["authorName"], c["body"]) for c in comments] == [("agent-7", "noted")]
