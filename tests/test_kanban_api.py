"""The HNR Kanban contract at /api/v1 through the Flask client: every endpoint, its
error cases and codes, and that a refused call changes nothing."""
import hashlib

import pytest
import sqlalchemy as sa
from kanban_helpers import assert_error, auth, make_board, make_task

from tack.extensions import db
from tack.kanban.translate import kanban_priority, stored_priority
from tack.services.cards import PRIORITIES

ADMIN = "admin-secret-key"
TASK_KEYS = {
    "id", "board_id", "column_id", "column_name", "title", "description", "priority",
    "position", "created_by", "assigned_to", "claimed_by", "claimed_at", "labels",
    "metadata", "due_at", "completed_at", "archived_at", "created_at", "updated_at",
    "comment_count",
}
BOARD_KEYS = {
    "id", "name", "description", "columns", "task_count", "archived", "is_public",
    "require_display_name", "quick_done_column_id", "quick_done_auto_archive",
    "quick_reassign_column_id", "quick_reassign_to", "created_at", "updated_at",
}


@pytest.fixture
def config_overrides():
    return {"board_rate_limit": "1000/hour", "api_key": ADMIN}


@pytest.fixture
def board(client):
    return make_board(client)


def url(board, rest=""):
    return f"/api/v1/boards/{board['id']}{rest}"


def tasks_of(client, board, query=""):
    response = client.get(url(board, "/tasks" + query))
    assert response.status_code == 200, response.json
    return response.json


# --- boards ---

def test_create_board_answers_the_contract_and_keeps_only_a_hash(client, app):
    created = make_board(client, description="d", columns=["Todo", "Doing", "Done"])
    assert set(created) == {"id", "name", "description", "columns", "manage_key",
                            "view_url", "manage_url", "api_base", "created_at"}
    key = created["manage_key"]
    assert key.startswith("kb_") and len(key) > 40
    assert [c["name"] for c in created["columns"]] == ["Todo", "Doing", "Done"]
    assert [c["position"] for c in created["columns"]] == [0, 1, 2]
    assert created["columns"][0] == {"id": created["columns"][0]["id"], "name": "Todo",
                                     "position": 0, "wip_limit": None, "task_count": 0}
    assert created["api_base"] == f"/api/v1/boards/{created['id']}"
    assert created["manage_url"] == f"/board/{created['id']}?key={key}"
    assert created["created_at"].endswith("Z")
    shown = client.get(url(created)).json
    assert set(shown) == BOARD_KEYS and "manage_key" not in str(shown)
    with app.app_context():
        stored = db.session.execute(sa.text("SELECT manage_key_hash FROM boards WHERE id = :id"),
                                    {"id": created["id"]}).scalar()
    assert stored == hashlib.sha256(key.encode()).hexdigest()


def test_default_columns_are_the_contracts(client, board):
    assert [c["name"] for c in board["columns"]] == \
        ["Backlog", "Up Next", "In Progress", "Review", "Done"]


def test_board_creation_refuses_empty_name_and_bad_columns(client):
    before = client.get("/api/v1/boards?include_archived=true").json
    assert_error(client.post("/api/v1/boards", json={"name": "  "}), 400, "EMPTY_NAME")
    assert_error(client.post("/api/v1/boards", json={}), 400, "EMPTY_NAME")
    assert_error(client.post("/api/v1/boards", json={"name": "x", "columns": []}),
                 400, "INVALID_INPUT")
    assert_error(client.post("/api/v1/boards", json={"name": "x", "columns": [""]}),
                 400, "INVALID_INPUT")
    assert_error(client.post("/api/v1/boards", json={"name": "x", "columns": ["a"] * 51}),
                 400, "INVALID_INPUT")
    assert_error(client.post("/api/v1/boards", json={"name": "x", "workflow": "clawboo"}),
                 400, "INVALID_INPUT")
    assert client.get("/api/v1/boards?include_archived=true").json == before


def test_list_shows_public_boards_and_archived_only_when_asked(client):
    public = make_board(client, name="Open", is_public=True)
    make_board(client, name="Private")
    listed = client.get("/api/v1/boards").json
    assert [b["name"] for b in listed] == ["Open"]
    assert set(listed[0]) == {"id", "name", "description", "task_count", "archived",
                              "is_public", "created_at"}
    make_task(client, public)
    assert client.get("/api/v1/boards").json[0]["task_count"] == 1
    assert client.post(url(public, "/archive"), headers=auth(public)).json == \
        {"message": "Board archived"}
    assert client.get("/api/v1/boards").json == []
    archived = client.get("/api/v1/boards?include_archived=true").json
    assert [(b["name"], b["archived"]) for b in archived] == [("Open", True)]


def test_get_unknown_board_is_board_not_found(client):
    assert_error(client.get("/api/v1/boards/nope"), 404, "BOARD_NOT_FOUND")
    assert_error(client.get("/api/v1/boards/nope/tasks"), 404, "BOARD_NOT_FOUND")
    assert_error(client.get("/api/v1/boards/nope/activity"), 404, "BOARD_NOT_FOUND")
    assert_error(client.patch("/api/v1/boards/nope", json={"name": "x"}), 404,
                 "BOARD_NOT_FOUND")


def test_update_board_needs_its_key_in_any_of_three_places(client, board):
    other = make_board(client, name="Other")
    patch = {"name": "Renamed"}
    assert_error(client.patch(url(board), json=patch), 401, "UNAUTHORIZED")
    assert_error(client.patch(url(board), json=patch, headers=auth(other)), 401,
                 "UNAUTHORIZED")
    assert_error(client.patch(url(board), json=patch, headers={"X-API-Key": "kb_wrong"}),
                 401, "UNAUTHORIZED")
    assert client.get(url(board)).json["name"] == "Sprint 1"
    key = board["manage_key"]
    assert client.patch(url(board), json={"name": "A"},
                        headers={"Authorization": "Bearer " + key}).json["name"] == "A"
    assert client.patch(url(board), json={"name": "B"},
                        headers={"X-API-Key": key}).json["name"] == "B"
    assert client.patch(url(board) + "?key=" + key, json={"name": "C"}).json["name"] == "C"
    # TACK_API_KEY is the admin key for every board.
    assert client.patch(url(board), json={"name": "D"},
                        headers={"X-API-Key": ADMIN}).json["name"] == "D"


def test_update_board_settings_and_quick_columns(client, board):
    done = board["columns"][-1]["id"]
    body = client.patch(url(board), headers=auth(board), json={
        "description": "new", "is_public": True, "require_display_name": True,
        "quick_done_column_id": done, "quick_done_auto_archive": True,
        "quick_reassign_column_id": board["columns"][1]["id"], "quick_reassign_to": "Jordan",
    }).json
    assert set(body) == BOARD_KEYS
    assert (body["description"], body["is_public"], body["require_display_name"],
            body["quick_done_column_id"], body["quick_done_auto_archive"],
            body["quick_reassign_to"]) == ("new", True, True, done, True, "Jordan")
    assert_error(client.patch(url(board), headers=auth(board),
                              json={"quick_done_column_id": "no-such-column"}),
                 400, "INVALID_COLUMN")
    assert_error(client.patch(url(board), headers=auth(board), json={"name": ""}),
                 400, "EMPTY_NAME")
    assert_error(client.patch(url(board), headers=auth(board), json={"is_public": "maybe"}),
                 400, "INVALID_INPUT")
    assert client.get(url(board)).json["quick_done_column_id"] == done


def test_archive_and_unarchive_board_say_when_already_so(client, board):
    assert_error(client.post(url(board, "/archive")), 401, "UNAUTHORIZED")
    assert_error(client.post(url(board, "/unarchive"), headers=auth(board)), 400,
                 "NOT_ARCHIVED")
    assert client.post(url(board, "/archive"), headers=auth(board)).status_code == 200
    assert client.get(url(board)).json["archived"] is True
    assert_error(client.post(url(board, "/archive"), headers=auth(board)), 400,
                 "ALREADY_ARCHIVED")
    assert client.post(url(board, "/unarchive"), headers=auth(board)).json == \
        {"message": "Board unarchived"}
    assert client.get(url(board)).json["archived"] is False


def test_board_creation_is_rate_limited_per_address(client, app):
    app.config["TACK"].board_rate_limit = "2/hour"
    make_board(client)
    make_board(client)
    refused = client.post("/api/v1/boards", json={"name": "third"})
    assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
    assert int(refused.headers["Retry-After"]) > 0
    # Another address has its own count; the admin key is not limited.
    assert client.post("/api/v1/boards", json={"name": "x"},
                       environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 201
    assert client.post("/api/v1/boards", json={"name": "x"},
                       headers={"X-API-Key": ADMIN}).status_code == 201


# --- columns ---

def test_create_column_at_a_position_or_the_end(client, board):
    made = client.post(url(board, "/columns"), headers=auth(board),
                       json={"name": "In Review", "position": 2, "wip_limit": 5})
    assert made.status_code == 201
    assert set(made.json) == {"id", "name", "position", "wip_limit", "task_count"}
    assert (made.json["name"], made.json["position"], made.json["wip_limit"]) == \
        ("In Review", 2, 5)
    names = [c["name"] for c in client.get(url(board)).json["columns"]]
    assert names == ["Backlog", "Up Next", "In Review", "In Progress", "Review", "Done"]
    last = client.post(url(board, "/columns"), headers=auth(board), json={"name": "Later"})
    assert last.json["position"] == 6
    assert_error(client.post(url(board, "/columns"), headers=auth(board), json={"name": ""}),
                 400, "INVALID_INPUT")
    assert_error(client.post(url(board, "/columns"), headers=auth(board),
                             json={"name": "x", "wip_limit": 0}), 400, "INVALID_INPUT")
    assert_error(client.post(url(board, "/columns"), json={"name": "x"}), 401,
                 "UNAUTHORIZED")
    assert len(client.get(url(board)).json["columns"]) == 7


def test_update_column_renames_and_sets_or_clears_the_wip_limit(client, board):
    column = board["columns"][0]["id"]
    path = url(board, f"/columns/{column}")
    body = client.patch(path, headers=auth(board), json={"name": "Renamed", "wip_limit": 10})
    assert body.status_code == 200
    assert (body.json["name"], body.json["wip_limit"]) == ("Renamed", 10)
    assert client.patch(path, headers=auth(board), json={"wip_limit": None}).json[
        "wip_limit"] is None
    assert client.patch(path, headers=auth(board), json={}).json["name"] == "Renamed"
    assert_error(client.patch(url(board, "/columns/nope"), headers=auth(board),
                              json={"name": "x"}), 404, "COLUMN_NOT_FOUND")
    assert_error(client.patch(path, headers=auth(board), json={"wip_limit": -1}), 400,
                 "INVALID_INPUT")


def test_delete_column_only_when_empty_and_not_the_last(client):
    board = make_board(client, columns=["Only", "Other"])
    only, other = (c["id"] for c in board["columns"])
    make_task(client, board, column_id=other)
    assert_error(client.delete(url(board, f"/columns/{other}"), headers=auth(board)), 400,
                 "COLUMN_NOT_EMPTY")
    assert client.delete(url(board, f"/columns/{only}"), headers=auth(board)).json == \
        {"message": "Column deleted"}
    task = tasks_of(client, board)[0]
    client.delete(url(board, f"/tasks/{task['id']}"), headers=auth(board))
    assert_error(client.delete(url(board, f"/columns/{other}"), headers=auth(board)), 400,
                 "LAST_COLUMN")
    assert_error(client.delete(url(board, "/columns/nope"), headers=auth(board)), 404,
                 "COLUMN_NOT_FOUND")
    assert [c["position"] for c in client.get(url(board)).json["columns"]] == [0]


def test_reorder_columns_takes_the_full_list(client, board):
    ids = [c["id"] for c in board["columns"]]
    new_order = [ids[2], ids[0], ids[1], ids[4], ids[3]]
    body = client.post(url(board, "/columns/reorder"), headers=auth(board),
                       json={"column_ids": new_order})
    assert body.status_code == 200
    assert [c["id"] for c in body.json] == new_order
    assert [c["position"] for c in body.json] == [0, 1, 2, 3, 4]
    assert_error(client.post(url(board, "/columns/reorder"), headers=auth(board),
                             json={"column_ids": ids[:3]}), 400, "INVALID_COLUMN_LIST")
    assert_error(client.post(url(board, "/columns/reorder"), headers=auth(board),
                             json={"column_ids": ids + ids[:1]}), 400, "INVALID_COLUMN_LIST")
    assert_error(client.post(url(board, "/columns/reorder"), headers=auth(board),
                             json={"column_ids": ids[:4] + ["nope"]}), 400,
                 "COLUMN_NOT_FOUND")
    assert_error(client.post(url(board, "/columns/reorder"), headers=auth(board), json={}),
                 400, "INVALID_INPUT")
    assert [c["id"] for c in client.get(url(board)).json["columns"]] == new_order


# --- tasks ---

def test_create_task_with_every_field(client, board):
    column = board["columns"][1]
    task = make_task(client, board, title="Implement auth", description="JWT",
                     column_id=column["id"], priority=2, assigned_to="Jordan",
                     labels=["Backend", "My  Label", "backend"], metadata={"source": "gh-42"},
                     due_at="2026-03-01T00:00:00Z")
    assert set(task) == TASK_KEYS
    assert (task["board_id"], task["column_id"], task["column_name"]) == \
        (board["id"], column["id"], "Up Next")
    assert (task["priority"], task["assigned_to"], task["created_by"]) == (2, "Jordan", "Nanook")
    assert task["labels"] == ["backend", "my-label"]
    assert task["metadata"] == {"source": "gh-42"}
    assert task["due_at"] == "2026-03-01T00:00:00Z"
    assert (task["claimed_by"], task["completed_at"], task["archived_at"]) == (None, None, None)
    assert task["comment_count"] == 0 and task["created_at"].endswith("Z")
    assert client.get(url(board, f"/tasks/{task['id']}")).json == task


def test_create_task_defaults_and_refusals(client, board):
    task = make_task(client, board, title="", description="only a description")
    assert (task["column_id"], task["priority"]) == (board["columns"][0]["id"], 0)
    assert task["metadata"] == {} and task["labels"] == []
    bad = [
        ({"title": "", "description": " "}, 400, "EMPTY_TASK"),
        ({"title": "x", "column_id": "nope"}, 400, "INVALID_COLUMN"),
        ({"title": "x", "priority": 7}, 400, "INVALID_INPUT"),
        ({"title": "x", "priority": "urgent"}, 400, "INVALID_INPUT"),
        ({"title": "x", "metadata": {"blob": "x" * 17000}}, 400, "INVALID_INPUT"),
        ({"title": "x", "metadata": [1]}, 400, "INVALID_INPUT"),
        ({"title": "x", "due_at": "tomorrow"}, 400, "INVALID_INPUT"),
        ({"title": "x" * 501}, 400, "INVALID_INPUT"),
        ({"title": "x", "position": -1}, 400, "INVALID_INPUT"),
    ]
    for body, status, code in bad:
        assert_error(client.post(url(board, "/tasks"), json=body, headers=auth(board)),
                     status, code)
    assert_error(client.post(url(board, "/tasks"), json={"title": "x"}), 401, "UNAUTHORIZED")
    assert len(tasks_of(client, board)) == 1


def test_priority_names_map_to_the_contracts_numbers_and_round_trip(client, board):
    for name, number in (("low", 0), ("medium", 1), ("high", 2), ("critical", 3)):
        assert make_task(client, board, priority=name)["priority"] == number
    for number in range(4):
        assert kanban_priority(stored_priority(number)) == number
    for stored in PRIORITIES:
        assert stored_priority(kanban_priority(stored)) == stored


def test_position_set_by_the_client_reads_back(client, board):
    first = make_task(client, board, title="first")
    second = make_task(client, board, title="second")
    top = make_task(client, board, title="top", position=0)
    assert top["position"] == 0
    order = [(t["title"], t["position"]) for t in tasks_of(client, board)]
    assert order == [("top", 0), ("first", 1), ("second", 2)]
    assert client.get(url(board, f"/tasks/{second['id']}")).json["position"] == 2
    assert first["position"] == 0  # before `top` went above it


def test_list_tasks_with_every_filter(client, board, frozen):
    columns = [c["id"] for c in board["columns"]]
    a = make_task(client, board, title="a", column_id=columns[1], assigned_to="Jordan",
                  priority=3, labels=["backend"])
    frozen.advance(minutes=5)
    b = make_task(client, board, title="b", labels=["frontend"])
    c = make_task(client, board, title="c")
    client.post(url(board, f"/tasks/{b['id']}/claim?actor=Sam"), headers=auth(board))
    client.post(url(board, f"/tasks/{c['id']}/archive"), headers=auth(board))

    def titles(query):
        return [t["title"] for t in tasks_of(client, board, query)]

    assert titles("") == ["b", "a"]
    assert titles(f"?column={columns[1]}") == ["a"]
    assert titles("?assigned=Jordan") == ["a"]
    assert titles("?claimed=Sam") == ["b"]
    assert titles("?priority=3") == ["a"]
    assert titles("?label=frontend") == ["b"]
    assert titles("?archived=true") == ["b", "c", "a"]
    assert titles("?updated_before=" + a["updated_at"].replace("Z", "%2B00:00")) == []
    assert titles("?updated_before=2026-03-02T09:01:00Z") == ["a"]
    assert titles("?limit=1") == ["b"]
    assert titles("?limit=1&offset=1") == ["a"]
    assert titles("?search=ignored") == ["b", "a"]
    for query in ("?limit=0", "?limit=1001", "?offset=-1", "?priority=9",
                  "?updated_before=soon", "?archived=perhaps"):
        assert_error(client.get(url(board, "/tasks" + query)), 400, "INVALID_INPUT")


def test_a_claim_that_expires_unseen_leaves_the_claimed_filter(client, board, frozen):
    task = make_task(client, board)
    client.post(url(board, f"/tasks/{task['id']}/claim?actor=Sam"), headers=auth(board))
    assert [t["id"] for t in tasks_of(client, board, "?claimed=Sam")] == [task["id"]]
    frozen.advance(seconds=86_401)  # no event: only the claim's expiry changes the answer
    assert tasks_of(client, board, "?claimed=Sam") == []
    assert tasks_of(client, board)[0]["claimed_by"] is None


def test_get_task_from_another_board_is_task_not_found(client, board):
    other = make_board(client, name="Other")
    task = make_task(client, other)
    assert_error(client.get(url(board, f"/tasks/{task['id']}")), 404, "TASK_NOT_FOUND")
    assert_error(client.get(url(board, "/tasks/card-00000000")), 404, "TASK_NOT_FOUND")
    assert_error(client.patch(url(board, f"/tasks/{task['id']}"), headers=auth(board),
                              json={"title": "x"}), 404, "TASK_NOT_FOUND")
    assert_error(client.delete(url(board, f"/tasks/{task['id']}"), headers=auth(board)),
                 404, "TASK_NOT_FOUND")
    assert client.get(url(other, f"/tasks/{task['id']}")).json["title"] == "A task"


def test_update_task_fields(client, board):
    task = make_task(client, board, labels=["old"], metadata={"a": 1})
    done = board["columns"][-1]["id"]
    body = client.patch(url(board, f"/tasks/{task['id']}"), headers=auth(board), json={
        "title": "New", "description": "More", "column_id": done, "priority": "critical",
        "assigned_to": "Jordan", "labels": ["Front End"], "metadata": {"sprint": 2},
        "due_at": "2026-03-15T00:00:00Z", "actor_name": "Nanook"})
    assert body.status_code == 200, body.json
    updated = body.json
    assert (updated["title"], updated["description"], updated["column_id"],
            updated["priority"], updated["assigned_to"], updated["labels"],
            updated["metadata"], updated["due_at"]) == \
        ("New", "More", done, 3, "Jordan", ["front-end"], {"sprint": 2},
         "2026-03-15T00:00:00Z")
    assert updated["completed_at"] is not None  # Done is the board's done column
    cleared = client.patch(url(board, f"/tasks/{task['id']}"), headers=auth(board),
                           json={"assigned_to": None, "due_at": None, "metadata": None}).json
    assert (cleared["assigned_to"], cleared["due_at"], cleared["metadata"]) == (None, None, {})


def test_update_task_refusals_change_nothing(client, board):
    task = make_task(client, board, title="kept", description="")
    path = url(board, f"/tasks/{task['id']}")
    assert_error(client.patch(path, headers=auth(board), json={"title": ""}), 400,
                 "EMPTY_TASK")
    assert_error(client.patch(path, headers=auth(board), json={"column_id": "nope"}), 400,
                 "INVALID_COLUMN")
    assert_error(client.patch(path, headers=auth(board),
                              json={"title": "x", "metadata": {"b": "x" * 17000}}),
                 400, "INVALID_INPUT")
    assert_error(client.patch(path, json={"title": "x"}), 401, "UNAUTHORIZED")
    assert client.get(path).json == task


def test_delete_task(client, board):
    task = make_task(client, board)
    path = url(board, f"/tasks/{task['id']}")
    assert_error(client.delete(path), 401, "UNAUTHORIZED")
    assert client.delete(path + "?actor=Nanook", headers=auth(board)).json == \
        {"message": "Task deleted"}
    assert_error(client.get(path), 404, "TASK_NOT_FOUND")
    assert_error(client.delete(path, headers=auth(board)), 404, "TASK_NOT_FOUND")


# --- task actions ---

def test_claim_and_release(client, board):
    task = make_task(client, board)
    path = url(board, f"/tasks/{task['id']}")
    claimed = client.post(path + "/claim?actor=Nanook", headers=auth(board))
    assert claimed.status_code == 200
    assert claimed.json["claimed_by"] == "Nanook" and claimed.json["claimed_at"]
    # The holder may claim again; anyone else is refused.
    assert client.post(path + "/claim?actor=Nanook", headers=auth(board)).status_code == 200
    assert_error(client.post(path + "/claim?actor=Other", headers=auth(board)), 409,
                 "ALREADY_CLAIMED")
    assert_error(client.post(path + "/release?actor=Nanook"), 401, "UNAUTHORIZED")
    released = client.post(path + "/release?actor=Nanook", headers=auth(board))
    assert (released.status_code, released.json["claimed_by"]) == (200, None)
    assert client.post(path + "/claim?actor=Other", headers=auth(board)).json[
        "claimed_by"] == "Other"
    assert_error(client.post(url(board, "/tasks/card-00000000/claim?actor=x"),
                             headers=auth(board)), 404, "TASK_NOT_FOUND")


def test_claim_and_release_answer_the_task_and_stay_on_their_board(client, board):
    task = make_task(client, board, column_id=board["columns"][1]["id"])
    client.post(url(board, f"/tasks/{task['id']}/comment"), headers=auth(board),
                json={"message": "first", "actor_name": "Nanook"})
    claimed = client.post(url(board, f"/tasks/{task['id']}/claim?actor=Nanook"),
                          headers=auth(board)).json
    shown = client.get(url(board, f"/tasks/{task['id']}")).json
    assert claimed == shown and claimed["comment_count"] == 1
    assert claimed["column_name"] == board["columns"][1]["name"]
    # Through another board's path (with that board's key) the task is not there,
    # whether it is held or free, and nothing about it changes.
    other = make_board(client, name="Other")
    for action in ("claim", "release", "claim"):
        assert_error(client.post(url(other, f"/tasks/{task['id']}/{action}?actor=Eve"),
                                 headers=auth(other)), 404, "TASK_NOT_FOUND")
    assert client.get(url(board, f"/tasks/{task['id']}")).json == shown
    released = client.post(url(board, f"/tasks/{task['id']}/release?actor=Nanook"),
                           headers=auth(board)).json
    assert released["claimed_by"] is None and released["comment_count"] == 1


def test_move_obeys_the_wip_limit_and_sets_completed_time(client, board):
    doing, done = board["columns"][2]["id"], board["columns"][4]["id"]
    client.patch(url(board, f"/columns/{doing}"), headers=auth(board), json={"wip_limit": 1})
    first, second = make_task(client, board), make_task(client, board)
    moved = client.post(url(board, f"/tasks/{first['id']}/move/{doing}?actor=N"),
                        headers=auth(board))
    assert (moved.status_code, moved.json["column_id"]) == (200, doing)
    assert_error(client.post(url(board, f"/tasks/{second['id']}/move/{doing}"),
                             headers=auth(board)), 409, "WIP_LIMIT_EXCEEDED")
    assert_error(client.post(url(board, "/tasks"), headers=auth(board),
                             json={"title": "x", "column_id": doing}), 409,
                 "WIP_LIMIT_EXCEEDED")
    assert_error(client.post(url(board, f"/tasks/{second['id']}/move/nope"),
                             headers=auth(board)), 400, "INVALID_COLUMN")
    finished = client.post(url(board, f"/tasks/{first['id']}/move/{done}"),
                           headers=auth(board)).json
    assert finished["completed_at"] is not None
    reopened = client.post(url(board, f"/tasks/{first['id']}/move/{doing}"),
                           headers=auth(board)).json
    assert reopened["completed_at"] is None
    assert client.get(url(board, f"/tasks/{second['id']}")).json["column_id"] == \
        board["columns"][0]["id"]


def test_reorder_within_and_across_columns(client, board):
    backlog, up_next = board["columns"][0]["id"], board["columns"][1]["id"]
    a, b, c = (make_task(client, board, title=t) for t in "abc")
    body = client.post(url(board, f"/tasks/{c['id']}/reorder"), headers=auth(board),
                       json={"position": 0})
    assert body.json["position"] == 0
    assert [t["title"] for t in tasks_of(client, board, f"?column={backlog}")] == \
        ["c", "a", "b"]
    moved = client.post(url(board, f"/tasks/{a['id']}/reorder"), headers=auth(board),
                        json={"position": 0, "column_id": up_next}).json
    assert (moved["column_id"], moved["position"]) == (up_next, 0)
    client.patch(url(board, f"/columns/{up_next}"), headers=auth(board), json={"wip_limit": 1})
    assert_error(client.post(url(board, f"/tasks/{b['id']}/reorder"), headers=auth(board),
                             json={"position": 0, "column_id": up_next}), 409,
                 "WIP_LIMIT_EXCEEDED")
    assert_error(client.post(url(board, f"/tasks/{b['id']}/reorder"), headers=auth(board),
                             json={"position": 0, "column_id": "nope"}), 400, "INVALID_COLUMN")
    assert_error(client.post(url(board, f"/tasks/{b['id']}/reorder"), headers=auth(board),
                             json={}), 400, "INVALID_INPUT")


def test_archive_and_unarchive_task(client, board):
    task = make_task(client, board)
    path = url(board, f"/tasks/{task['id']}")
    archived = client.post(path + "/archive?actor=N", headers=auth(board)).json
    assert archived["archived_at"] is not None
    assert tasks_of(client, board) == []
    assert client.get(url(board)).json["task_count"] == 0
    restored = client.post(path + "/unarchive?actor=N", headers=auth(board)).json
    assert restored["archived_at"] is None
    assert [t["id"] for t in tasks_of(client, board)] == [task["id"]]
    assert_error(client.post(path + "/archive"), 401, "UNAUTHORIZED")


# --- batch ---

def test_batch_runs_each_operation_and_reports(client, board):
    done = board["columns"][-1]["id"]
    one, two, three, four = (make_task(client, board, title=t) for t in "1234")
    body = client.post(url(board, "/tasks/batch"), headers=auth(board), json={
        "actor_name": "Nanook",
        "operations": [
            {"action": "move", "task_ids": [one["id"], two["id"]], "column_id": done},
            {"action": "update", "task_ids": [three["id"]], "priority": 3,
             "assigned_to": "Jordan", "labels": ["Urgent"], "due_at": "2026-03-01T00:00:00Z"},
            {"action": "delete", "task_ids": [four["id"]]},
            {"action": "move", "task_ids": [three["id"], "card-00000000"], "column_id": done},
            {"action": "explode", "task_ids": [three["id"]]},
        ]})
    assert body.status_code == 200, body.json
    result = body.json
    assert (result["total"], result["succeeded"], result["failed"]) == (5, 3, 2)
    assert result["results"][0] == {"action": "move", "task_ids": [one["id"], two["id"]],
                                    "success": True, "affected": 2}
    assert [r["success"] for r in result["results"]] == [True, True, True, False, False]
    assert result["results"][3]["affected"] == 0 and result["results"][3]["error"]
    updated = client.get(url(board, f"/tasks/{three['id']}")).json
    assert (updated["priority"], updated["labels"], updated["column_id"]) == \
        (3, ["urgent"], board["columns"][0]["id"])  # the failed move moved nothing
    assert_error(client.get(url(board, f"/tasks/{four['id']}")), 404, "TASK_NOT_FOUND")


def test_batch_refusals(client, board):
    task = make_task(client, board)
    path = url(board, "/tasks/batch")
    assert_error(client.post(path, headers=auth(board), json={"operations": []}), 400,
                 "EMPTY_BATCH")
    assert_error(client.post(path, headers=auth(board), json={}), 400, "EMPTY_BATCH")
    too_many = [{"action": "delete", "task_ids": [task["id"]]}] * 51
    assert_error(client.post(path, headers=auth(board), json={"operations": too_many}), 400,
                 "INVALID_INPUT")
    assert_error(client.post(path, json={"operations": too_many[:1]}), 401, "UNAUTHORIZED")
    assert_error(client.post(path, headers=auth(board), json={"operations": "x"}), 400,
                 "INVALID_INPUT")
    assert [t["id"] for t in tasks_of(client, board)] == [task["id"]]


# --- comments, events, activity ---

def test_comment_extracts_mentions(client, board):
    task = make_task(client, board)
    path = url(board, f"/tasks/{task['id']}/comment")
    made = client.post(path, headers=auth(board), json={
        "message": 'Looks good. @Jordan can you review? cc @"Big Al", mail x@y.com @Jordan.',
        "actor_name": "Nanook"})
    assert made.status_code == 201
    body = made.json
    assert set(body) == {"id", "event_type", "actor", "data", "created_at"}
    assert (body["event_type"], body["actor"]) == ("comment", "Nanook")
    assert body["data"]["mentions"] == ["Jordan", "Big Al"]
    assert body["data"]["actor"] == "Nanook" and body["data"]["message"].startswith("Looks")
    assert client.get(url(board, f"/tasks/{task['id']}")).json["comment_count"] == 1
    assert_error(client.post(path, headers=auth(board), json={"message": "  "}), 400,
                 "EMPTY_MESSAGE")
    assert_error(client.post(path, json={"message": "x"}), 401, "UNAUTHORIZED")
    assert_error(client.post(url(board, "/tasks/card-00000000/comment"), headers=auth(board),
                             json={"message": "x"}), 404, "TASK_NOT_FOUND")


def test_a_comment_after_a_deleted_tasks_comment_answers_its_own_event(client, board):
    """SQLite may hand a new note the id of one deleted with its task: the answer, the
    events and the mention filter must still be the new comment's own."""
    doomed, kept = make_task(client, board), make_task(client, board)
    client.post(url(board, f"/tasks/{doomed['id']}/comment"), headers=auth(board),
                json={"message": "old @Ann", "actor_name": "Doomed"})
    assert client.delete(url(board, f"/tasks/{doomed['id']}?actor=Doomed"),
                         headers=auth(board)).status_code == 200
    made = client.post(url(board, f"/tasks/{kept['id']}/comment"), headers=auth(board),
                       json={"message": "fresh comment", "actor_name": "Fresh"})
    assert made.status_code == 201
    assert (made.json["actor"], made.json["data"]["message"]) == ("Fresh", "fresh comment")
    events = client.get(url(board, f"/tasks/{kept['id']}/events")).json
    assert events[-1]["id"] == made.json["id"]
    mentioning_ann = client.get(url(board, "/activity?mentioned=Ann")).json
    assert all(item["task_id"] != kept["id"] for item in mentioning_ann)


def test_a_comments_answer_is_its_event_as_the_log_reads_it(client, board):
    """The answer is built from what the write returned (no read after it): it must
    match the event the task's log then holds, field for field."""
    task = make_task(client, board)
    made = client.post(url(board, f"/tasks/{task['id']}/comment"), headers=auth(board),
                       json={"message": 'Ship it @Ann and @"Big Al"', "actor_name": "Nanook"})
    assert made.status_code == 201
    logged = client.get(url(board, f"/tasks/{task['id']}/events")).json[-1]
    assert made.json == {key: logged[key] for key in made.json}
    assert made.json["id"] == str(logged["seq"])
    assert made.json["data"]["mentions"] == ["Ann", "Big Al"]


def test_claim_release_and_comment_check_the_key_in_their_write(client, board):
    """These three check the key inside their own write transaction: a refusal
    there (another board's key, none, an unknown board) must still change nothing."""
    other = make_board(client, name="Other")
    task = make_task(client, board)
    path = url(board, f"/tasks/{task['id']}")
    events_before = client.get(path + "/events").json
    for headers in ({}, auth(other), {"X-API-Key": "kb_wrong"}):
        assert_error(client.post(path + "/claim?actor=Nanook", headers=headers), 401,
                     "UNAUTHORIZED")
        assert_error(client.post(path + "/comment", headers=headers,
                                 json={"message": "sneaky", "actor_name": "Nanook"}),
                     401, "UNAUTHORIZED")
    for rest in ("/claim?actor=Nanook", "/release?actor=Nanook"):
        assert_error(client.post(f"/api/v1/boards/nope/tasks/{task['id']}{rest}",
                                 headers=auth(board)), 404, "BOARD_NOT_FOUND")
    assert_error(client.post(f"/api/v1/boards/nope/tasks/{task['id']}/comment",
                             headers=auth(board), json={"message": "x"}),
                 404, "BOARD_NOT_FOUND")
    after = client.get(path).json
    assert (after["claimed_by"], after["comment_count"]) == (None, 0)
    assert after["updated_at"] == task["updated_at"]
    assert client.get(path + "/events").json == events_before
    # The key of the board itself still works, then the other board's cannot release.
    assert client.post(path + "/claim?actor=Nanook", headers=auth(board)).status_code == 200
    assert_error(client.post(path + "/release?actor=Nanook", headers=auth(other)), 401,
                 "UNAUTHORIZED")
    assert client.get(path).json["claimed_by"] == "Nanook"


def test_task_events_oldest_first(client, board):
    task = make_task(client, board)
    path = url(board, f"/tasks/{task['id']}")
    client.post(path + "/claim?actor=Nanook", headers=auth(board))
    client.post(path + "/comment", headers=auth(board), json={"message": "hi"})
    events = client.get(path + "/events").json
    assert [e["event_type"] for e in events] == ["created", "claimed", "comment"]
    assert set(events[0]) == {"id", "task_id", "event_type", "actor", "data", "created_at",
                              "seq"}
    assert events[2]["data"] == {"message": "hi", "actor": "anonymous", "mentions": []}
    assert_error(client.get(url(board, "/tasks/card-00000000/events")), 404, "TASK_NOT_FOUND")


def test_activity_cursor_since_limit_and_mentions(client, board, frozen):
    task = make_task(client, board, title="Implement auth")
    frozen.advance(minutes=1)
    client.post(url(board, f"/tasks/{task['id']}/comment"), headers=auth(board),
                json={"message": "@Jordan look", "actor_name": "Nanook"})
    frozen.advance(minutes=1)
    client.post(url(board, f"/tasks/{task['id']}/move/{board['columns'][1]['id']}"),
                headers=auth(board))
    newest_first = client.get(url(board, "/activity")).json
    assert [e["event_type"] for e in newest_first] == ["moved", "comment", "created"]
    created, comment, moved = reversed(newest_first)
    assert created["task"]["id"] == task["id"] and created["task_title"] == "Implement auth"
    assert comment["task"]["comment_count"] == 1
    assert comment["mentions"] == ["Jordan"]
    assert comment["recent_comments"][0]["message"] == "@Jordan look"
    assert set(comment["recent_comments"][0]) == {"id", "actor", "message", "created_at"}
    assert "task" not in moved and "recent_comments" not in moved
    assert moved["data"]["to_column_id"] == board["columns"][1]["id"]
    after = client.get(url(board, f"/activity?after={created['seq']}")).json
    assert [e["seq"] for e in after] == [comment["seq"], moved["seq"]]
    assert client.get(url(board, f"/activity?after={moved['seq']}")).json == []
    assert [e["event_type"] for e in
            client.get(url(board, "/activity?since=2026-03-02T09:00:30Z")).json] == \
        ["moved", "comment"]
    assert len(client.get(url(board, "/activity?limit=1")).json) == 1
    assert [e["event_type"] for e in client.get(url(board, "/activity?mentioned=Jordan")).json] \
        == ["comment"]
    assert client.get(url(board, "/activity?mentioned=Nobody")).json == []
    for query in ("?after=x", "?limit=0", "?since=later", "?limit=501"):
        assert_error(client.get(url(board, "/activity" + query)), 400, "INVALID_INPUT")


# --- display names ---

def test_display_name_required_refuses_unnamed_writes(client):
    board = make_board(client, require_display_name=True)
    named = make_task(client, board, actor_name="Nanook")
    path = url(board, f"/tasks/{named['id']}")
    unnamed = [
        client.post(url(board, "/tasks"), headers=auth(board), json={"title": "x"}),
        client.post(url(board, "/tasks"), headers=auth(board),
                    json={"title": "x", "actor_name": "anonymous"}),
        client.patch(path, headers=auth(board), json={"title": "changed"}),
        client.post(path + "/claim", headers=auth(board)),
        client.post(path + "/release", headers=auth(board)),
        client.post(path + "/archive", headers=auth(board)),
        client.post(path + "/comment", headers=auth(board), json={"message": "hi"}),
        client.post(path + f"/move/{board['columns'][1]['id']}", headers=auth(board)),
        client.post(path + "/reorder", headers=auth(board), json={"position": 0}),
        client.delete(path, headers=auth(board)),
        client.post(url(board, "/tasks/batch"), headers=auth(board),
                    json={"operations": [{"action": "delete", "task_ids": [named["id"]]}]}),
    ]
    for response in unnamed:
        assert_error(response, 400, "DISPLAY_NAME_REQUIRED")
    assert tasks_of(client, board) == [client.get(path).json]
    assert client.get(path).json["title"] == "A task"
    # The rule is the domain's: Tack's own API is held to it on this board too.
    refused = client.post(f"/api/cards/{named['id']}/notes", json={"content": "x"},
                          headers={"X-API-Key": ADMIN})
    assert (refused.status_code, refused.json["code"]) == (400, "DISPLAY_NAME_REQUIRED")
    assert client.post(path + "/claim?actor=Nanook", headers=auth(board)).status_code == 200


# --- system ---

def test_health_and_version(client):
    assert client.get("/api/v1/health").json == {"status": "ok", "version": "0.1.0"}
    health = client.get("/health").json
    assert health["status"] == "ok" and health["service"] == "tack"
    assert health["version"] == "0.1.0" and health["timestamp"]


def test_v1_openapi_documents_the_v1_paths_only(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = set(spec["paths"])
    assert "/api/v1/boards/{board_id}/tasks/{task_id}/move/{column_id}" in paths
    assert "/api/v1/boards/{board_id}/activity" in paths
    assert all(path.startswith("/api/v1/") for path in paths)
    operation = spec["paths"]["/api/v1/boards"]["post"]
    assert operation["responses"]["default"]["$ref"].endswith("KANBAN_ERROR")
    assert "/api/v1/boards" in client.get("/openapi.json").json["paths"]


def test_unknown_v1_route_and_method_answer_in_the_contracts_shape(client):
    assert_error(client.get("/api/v1/nothing"), 404, "NOT_FOUND")
    assert_error(client.put("/api/v1/boards"), 405, "METHOD_NOT_ALLOWED")
    assert_error(client.post("/api/v1/boards", data="{", content_type="application/json"),
                 400, "INVALID_INPUT")
    # Tack's own paths keep Tack's shape.
    assert set(client.get("/api/nothing").json) == {"detail", "code"}
