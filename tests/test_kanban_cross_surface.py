"""One domain, two contracts: what is written through /api/v1 reads the same through
Tack's /api, and the other way round; the rules hold whichever surface writes."""
from kanban_helpers import assert_error, auth, make_board, make_task


def test_task_written_through_v1_reads_through_tack(client):
    board = make_board(client)
    task = make_task(client, board, title="Ship it", priority="medium",
                     labels=["Back End"], assigned_to="Jordan")
    card = client.get(f"/api/cards/{task['id']}").json
    assert (card["title"], card["priority"], card["tags"], card["assignee"],
            card["created_by"]) == ("Ship it", "normal", ["back-end"], "Jordan", "Nanook")
    assert card["column_name"] == board["columns"][0]["id"]
    shown = client.get(f"/api/board?board={board['id']}").json
    assert list(shown) == [c["id"] for c in board["columns"]]
    assert [c["id"] for c in shown[board["columns"][0]["id"]]] == [task["id"]]
    listed = client.get(f"/api/cards?board={board['id']}&tag=back-end").json
    assert [c["id"] for c in listed] == [task["id"]]
    client.post(f"/api/v1/boards/{board['id']}/tasks/{task['id']}/comment",
                headers=auth(board), json={"message": "@Sam see", "actor_name": "Nanook"})
    notes = client.get(f"/api/cards/{task['id']}/notes").json
    assert [(n["author"], n["content"]) for n in notes] == [("Nanook", "@Sam see")]
    actions = [e["action"] for e in
               client.get(f"/api/activity?board={board['id']}").json]
    # Board and column changes are in the log too (they end cached reads).
    assert actions == ["note_added", "created", "board_created"]
    # Board main's activity does not show another board's events.
    assert client.get("/api/activity").json == []


def test_card_written_through_tack_reads_through_v1(client):
    board = make_board(client)
    made = client.post(f"/api/cards?board={board['id']}",
                       json={"title": "From Tack", "priority": "critical", "tags": ["As Given"],
                             "created_by": "agent-7"}, headers=auth(board))
    assert made.status_code == 201, made.json
    card_id = made.json["id"]
    client.post(f"/api/cards/{card_id}/notes", headers=auth(board),
                json={"author": "agent-7", "content": 'ask @"Big Al"'})
    task = client.get(f"/api/v1/boards/{board['id']}/tasks/{card_id}").json
    assert (task["title"], task["priority"], task["labels"], task["created_by"],
            task["comment_count"]) == ("From Tack", 3, ["As Given"], "agent-7", 1)
    assert task["column_name"] == "Backlog"
    mentioned = client.get(f"/api/v1/boards/{board['id']}/activity?mentioned=Big Al").json
    assert [(e["event_type"], e["actor"]) for e in mentioned] == [("comment", "agent-7")]
    # Tack's claim shows as the contract's claim.
    client.post(f"/api/cards/{card_id}/claim", json={"agent": "agent-7"}, headers=auth(board))
    assert client.get(f"/api/v1/boards/{board['id']}/tasks/{card_id}").json[
        "claimed_by"] == "agent-7"
    assert_error(client.post(f"/api/v1/boards/{board['id']}/tasks/{card_id}/claim?actor=x",
                             headers=auth(board)), 409, "ALREADY_CLAIMED")


def test_board_main_is_served_by_v1_with_tacks_columns(client):
    made = client.post("/api/cards", json={"title": "main card", "column_name": "approved"})
    card_id = made.json["id"]
    board = client.get("/api/v1/boards/main").json
    assert [c["id"] for c in board["columns"]][:3] == ["inbox", "approved", "in_progress"]
    assert board["task_count"] == 1
    tasks = client.get("/api/v1/boards/main/tasks").json
    assert [(t["id"], t["column_id"], t["priority"]) for t in tasks] == \
        [(card_id, "approved", 1)]
    # Without TACK_API_KEY, board main (which has no manage key) is open, as /api is.
    moved = client.post(f"/api/v1/boards/main/tasks/{card_id}/move/done?actor=Sam")
    assert moved.status_code == 200 and moved.json["completed_at"]
    assert client.get(f"/api/cards/{card_id}").json["column_name"] == "done"


def test_wip_limit_set_through_v1_holds_for_tack_moves(client):
    board = make_board(client)
    doing = board["columns"][2]["id"]
    client.patch(f"/api/v1/boards/{board['id']}/columns/{doing}", headers=auth(board),
                 json={"wip_limit": 1})
    first, second = make_task(client, board), make_task(client, board)
    assert client.post(f"/api/cards/{first['id']}/move", headers=auth(board),
                       json={"column_name": doing}).status_code == 200
    refused = client.post(f"/api/cards/{second['id']}/move", json={"column_name": doing},
                          headers=auth(board))
    assert (refused.status_code, refused.json["code"]) == (409, "WIP_LIMIT")
    assert client.get(f"/api/cards/{second['id']}").json["column_name"] == \
        board["columns"][0]["id"]


def test_tack_calls_refuse_an_unknown_board(client):
    for path in ("/api/board?board=nope", "/api/cards?board=nope",
                 "/api/activity?board=nope", "/api/changes?board=nope"):
        response = client.get(path)
        assert (response.status_code, response.json["code"]) == (404, "BOARD_NOT_FOUND"), path
    refused = client.post("/api/cards?board=nope", json={"title": "x"})
    assert (refused.status_code, refused.json["code"]) == (404, "BOARD_NOT_FOUND")
    assert client.get("/api/cards").json == []


def test_tack_claim_next_and_changes_on_another_board(client):
    board = make_board(client)
    task = make_task(client, board, priority="high")
    make_task(client, board, priority="low")
    # The board's manage key opens it on Tack's API too; without it nothing is handed out.
    refused = client.post(f"/api/cards/claim-next?board={board['id']}", json={"agent": "a1"})
    assert (refused.status_code, refused.json["code"]) == (401, "UNAUTHORIZED")
    claimed = client.post(f"/api/cards/claim-next?board={board['id']}", json={"agent": "a1"},
                          headers=auth(board))
    assert claimed.status_code == 200 and claimed.json["id"] == task["id"]
    assert client.post("/api/cards/claim-next", json={"agent": "a1"}).status_code == 204
    changes = client.get(f"/api/changes?board={board['id']}&after=0").json
    assert [c["action"] for c in changes["changes"]] == \
        ["board_created", "created", "created", "claimed"]
