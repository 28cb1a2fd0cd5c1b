"""The AgentKanban external API (/api/ext/v1): every endpoint with an edit key, a
read key, a key for another board and a revoked key; the contract's shapes."""
import pytest
from agentkanban_helpers import EXT, assert_ext_error, bearer, make_key, revoke

from tack.agentkanban.translate import EXT_PRIORITY, STORED_PRIORITY, ext_priority, \
    stored_priority
from tack.services.cards import PRIORITIES

TURN = {"source": "copilot", "sourceId": "abc123", "role": "user",
        "content": "How do I fix the login bug?", "capturedAt": "2025-06-20T10:30:00Z"}


class World:
    """A board made by an all-boards edit key, with lanes, a task, a comment, a todo,
    a turn and a webhook; and the four kinds of key the matrix tries."""

    def __init__(self, app, client):
        self.client = client
        self.owner = make_key(app, all_boards=True, name="owner")
        board = self.call("POST", "/boards", {"name": "Sprint"}, self.owner)
        assert board.status_code == 201, board.json
        self.board = board.json["data"]["id"]
        self.lane = self.made("POST", "/lanes", {"name": "To Do"})
        self.other_lane = self.made("POST", "/lanes", {"name": "Doing"})
        self.task = self.made("POST", "/tasks", {"title": "Fix login", "laneId": self.lane})
        self.comment = self.made("POST", f"/tasks/{self.task}/comments", {"body": "hi"})
        self.todo = self.made("POST", f"/tasks/{self.task}/todos", {"text": "write test"})
        self.made("POST", f"/tasks/{self.task}/turns", {"turns": [TURN]}, has_id=False)
        self.spare_lane = self.made("POST", "/lanes", {"name": "Spare"})
        hook = self.call("POST", "/webhooks", {"url": "https://example.com/hook"}, self.owner)
        self.webhook = hook.json["data"]["id"]
        self.editor = make_key(app, boards={self.board: "edit"}, name="editor")
        self.reader = make_key(app, boards={self.board: "read"}, name="reader")
        self.outsider = make_key(app, boards={"main": "edit"}, name="outsider")
        self.revoked = make_key(app, boards={self.board: "edit"}, name="revoked")
        revoke(app, self.revoked)

    def call(self, method, path, body, key):
        return self.client.open(EXT + path, method=method, json=body,
                                headers=bearer(key) if key else {})

    def made(self, method, rest, body, has_id=True):
        response = self.call(method, f"/boards/{self.board}{rest}", body, self.owner)
        assert response.status_code == 201, response.json
        return response.json["data"]["id"] if has_id else None


@pytest.fixture
def world(app, client):
    return World(app, client)


# (method, path under /boards/<board>, body, success status). Writes need edit.
BOARD_ENDPOINTS = [
    ("GET", "", None, 200),
    ("DELETE", "", None, 204),
    ("GET", "/lanes", None, 200),
    ("POST", "/lanes", {"name": "Review"}, 201),
    ("PATCH", "/lanes/{lane}", {"name": "Later", "position": 1}, 200),
    ("DELETE", "/lanes/{spare_lane}", None, 204),
    ("GET", "/tasks?includeArchived=true", None, 200),
    ("POST", "/tasks", {"title": "New", "laneId": "{lane}"}, 201),
    ("GET", "/tasks/{task}", None, 200),
    ("PATCH", "/tasks/{task}", {"title": "Renamed", "priority": 4, "archived": True}, 200),
    ("POST", "/tasks/{task}/move", {"laneId": "{other_lane}", "position": 0}, 200),
    ("DELETE", "/tasks/{task}", None, 204),
    ("GET", "/tasks/{task}/comments", None, 200),
    ("POST", "/tasks/{task}/comments", {"body": "done", "source": "agent"}, 201),
    ("DELETE", "/tasks/{task}/comments/{comment}", None, 204),
    ("GET", "/tasks/{task}/todos", None, 200),
    ("POST", "/tasks/{task}/todos", {"text": "more", "iteration": 2}, 201),
    ("GET", "/tasks/{task}/todos/{todo}", None, 200),
    ("PATCH", "/tasks/{task}/todos/{todo}", {"done": True}, 200),
    ("DELETE", "/tasks/{task}/todos/{todo}", None, 204),
    ("POST", "/tasks/{task}/todos/reorder", {"orderedIds": ["{todo}"]}, 200),
    ("GET", "/tasks/{task}/turns", None, 200),
    ("POST", "/tasks/{task}/turns", {"turns": [dict(TURN, sourceId="new")]}, 201),
    ("GET", "/tasks/{task}/turns/watermark", None, 200),
]


def fill(value, world):
    if isinstance(value, str):
        return value.format(**vars(world))
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    return value


@pytest.mark.parametrize("method,rest,body,success", BOARD_ENDPOINTS,
                         ids=[f"{m} {r}" for m, r, _b, _s in BOARD_ENDPOINTS])
def test_board_endpoint_answers_each_kind_of_key(world, method, rest, body, success):
    path, body = f"/boards/{world.board}" + fill(rest, world), fill(body, world)
    assert_ext_error(world.call(method, path, body, None), 401, "missing_auth")
    assert_ext_error(world.call(method, path, body, world.revoked), 401, "invalid_key")
    assert_ext_error(world.call(method, path, body, world.outsider), 403, "forbidden")
    read = world.call(method, path, body, world.reader)
    if method == "GET":
        assert read.status_code == 200, read.json
    else:
        assert_ext_error(read, 403, "forbidden")
    done = world.call(method, path, body, world.editor)
    assert done.status_code == success, done.json
    if success == 204:
        assert done.data == b""
    else:
        assert "data" in done.json or "watermarks" in done.json


def test_boards_list_shows_only_the_keys_boards_with_permission(world):
    listed = world.call("GET", "/boards", None, world.reader).json["data"]
    assert listed == [{"id": world.board, "name": "Sprint", "permission": "read"}]
    assert world.board not in [b["id"] for b in
                               world.call("GET", "/boards", None, world.outsider).json["data"]]
    assert_ext_error(world.call("GET", "/boards", None, world.revoked), 401, "invalid_key")


def test_a_board_key_creating_a_board_gets_edit_on_it(world):
    made = world.call("POST", "/boards", {"name": "Mine"}, world.reader)
    assert made.status_code == 201
    board_id = made.json["data"]["id"]
    mine = [b for b in world.call("GET", "/boards", None, world.reader).json["data"]
            if b["id"] == board_id]
    assert mine == [{"id": board_id, "name": "Mine", "permission": "edit"}]
    assert world.call("POST", f"/boards/{board_id}/lanes", {"name": "x"},
                      world.reader).status_code == 201


def test_board_detail_counts_tasks_per_lane(world):
    detail = world.call("GET", f"/boards/{world.board}", None, world.reader).json["data"]
    counts = {lane["id"]: lane["taskCount"] for lane in detail["lanes"]}
    assert counts[world.lane] == 1 and counts[world.other_lane] == 0


def test_unknown_board_is_404_for_an_all_boards_key_and_403_for_others(world):
    assert_ext_error(world.call("GET", "/boards/nope", None, world.owner), 404, "not_found")
    assert_ext_error(world.call("GET", "/boards/nope", None, world.reader), 403, "forbidden")


def test_webhooks_belong_to_the_key_that_made_them(world):
    path = f"/webhooks/{world.webhook}"
    for key in (world.editor, world.reader):
        assert world.call("GET", "/webhooks", None, key).json["data"] == []
        assert_ext_error(world.call("GET", path, None, key), 404, "not_found")
        assert_ext_error(world.call("DELETE", path, None, key), 404, "not_found")
    assert_ext_error(world.call("GET", "/webhooks", None, world.revoked), 401, "invalid_key")
    detail = world.call("GET", path, None, world.owner).json["data"]
    assert detail["url"] == "https://example.com/hook" and detail["recentDeliveries"] == []
    patched = world.call("PATCH", path, {"active": False, "events": ["task.created"]},
                         world.owner).json["data"]
    assert patched["active"] is False and patched["events"] == ["task.created"]
    assert world.call("DELETE", path, None, world.owner).status_code == 204
    assert_ext_error(world.call("GET", path, None, world.owner), 404, "not_found")


def test_webhook_on_a_board_needs_access_to_it(world):
    made = world.call("POST", "/webhooks", {"url": "https://example.com/x",
                                            "boardId": world.board}, world.reader)
    assert made.status_code == 201 and made.json["data"]["boardId"] == world.board
    assert made.json["data"]["secret"].startswith("whsec_")
    assert_ext_error(world.call("POST", "/webhooks", {"url": "https://example.com/x",
                                                      "boardId": world.board},
                                world.outsider), 403, "forbidden")
    assert_ext_error(world.call("POST", "/webhooks", {"url": "ftp://example.com/x"},
                                world.reader), 400, "validation_error")


def test_private_webhook_targets_are_refused_at_registration(app, world):
    """TACK_WEBHOOK_ALLOW_PRIVATE off (the default): a private, loopback or link-local
    address written in the URL is this surface's 400 at once, on create and update."""
    assert app.config["TACK"].webhook_allow_private is False
    for url in ("http://127.0.0.1:9000/hook", "http://169.254.169.254/latest",
                "http://[::1]/hook", "http://localhost:8080/hook"):
        assert_ext_error(world.call("POST", "/webhooks", {"url": url}, world.owner),
                         400, "validation_error")
    assert_ext_error(world.call("PATCH", f"/webhooks/{world.webhook}",
                                {"url": "http://10.0.0.7/hook"}, world.owner),
                     400, "validation_error")
    detail = world.call("GET", f"/webhooks/{world.webhook}", None, world.owner).json["data"]
    assert detail["url"] == "https://example.com/hook"
    app.config["TACK"].webhook_allow_private = True
    allowed = world.call("POST", "/webhooks", {"url": "http://127.0.0.1:9000/hook"},
                         world.owner)
    assert allowed.status_code == 201, allowed.json


def test_task_fields_short_id_and_filters(world):
    detail = world.call("GET", f"/boards/{world.board}/tasks/{world.task}", None,
                        world.reader).json["data"]
    assert detail["id"] == "card-" + detail["shortId"] and len(detail["shortId"]) == 8
    assert detail["lastTurnAt"] == "2025-06-20T10:30:00.000Z"
    assert detail["priority"] == 2 and detail["archived"] is False
    found = world.call("GET", f"/boards/{world.board}/tasks?shortIdPrefix="
                       + detail["shortId"][:5], None, world.reader).json["data"]
    assert [task["id"] for task in found] == [world.task]
    assert world.call("GET", f"/boards/{world.board}/tasks?laneId={world.other_lane}", None,
                      world.reader).json["data"] == []
    assert_ext_error(world.call("GET", f"/boards/{world.board}/tasks?shortIdPrefix=zz", None,
                                world.reader), 400, "validation_error")


def test_archived_tasks_are_hidden_unless_asked_for(world):
    world.call("PATCH", f"/boards/{world.board}/tasks/{world.task}", {"archived": True},
               world.editor)
    tasks = f"/boards/{world.board}/tasks"
    assert world.call("GET", tasks, None, world.reader).json["data"] == []
    shown = world.call("GET", tasks + "?includeArchived=true", None, world.reader).json["data"]
    assert [(t["id"], t["archived"]) for t in shown] == [(world.task, True)]


@pytest.mark.parametrize("body", [{"priority": 5}, {"priority": -1}, {"priority": "high"},
                                  {"priority": True}, {"title": ""}, {"archived": "yes"},
                                  {"tags": "bug"}])
def test_bad_task_updates_are_validation_errors_and_change_nothing(world, body):
    path = f"/boards/{world.board}/tasks/{world.task}"
    before = world.call("GET", path, None, world.editor).json["data"]
    assert_ext_error(world.call("PATCH", path, body, world.editor), 400, "validation_error")
    assert world.call("GET", path, None, world.editor).json["data"] == before


def test_body_that_is_not_json_is_invalid_body(world):
    response = world.client.post(EXT + "/boards", data="{nope", headers={
        **bearer(world.owner), "Content-Type": "application/json"})
    assert_ext_error(response, 400, "invalid_body")


def test_key_without_bearer_scheme_or_in_x_api_key_is_missing_auth(world):
    for headers in ({"Authorization": world.owner["key"]}, {"X-API-Key": world.owner["key"]}):
        assert_ext_error(world.client.get(EXT + "/boards", headers=headers), 401,
                         "missing_auth")


def test_move_reports_the_place_and_appends_without_position(world):
    base = f"/boards/{world.board}/tasks"
    second = world.call("POST", base, {"title": "b", "laneId": world.other_lane},
                        world.editor).json["data"]["id"]
    moved = world.call("POST", f"{base}/{world.task}/move", {"laneId": world.other_lane},
                       world.editor).json["data"]
    assert moved == {"id": world.task, "laneId": world.other_lane, "position": 1}
    moved = world.call("POST", f"{base}/{world.task}/move",
                       {"laneId": world.other_lane, "position": 0}, world.editor).json["data"]
    assert moved["position"] == 0
    order = [t["id"] for t in world.call("GET", f"{base}?laneId={world.other_lane}", None,
                                         world.editor).json["data"]]
    assert order == [world.task, second]


def test_comments_keep_author_and_source(world):
    path = f"/boards/{world.board}/tasks/{world.task}/comments"
    world.call("POST", path, {"body": "from agent", "authorName": "Claude",
                              "source": "agent"}, world.editor)
    comments = world.call("GET", path, None, world.reader).json["data"]
    assert [(c["body"], c["authorName"], c["authorSource"]) for c in comments] == [
        ("hi", "owner", "api"), ("from agent", "Claude", "agent")]
    only = world.call("GET", path + "?authorSource=agent", None, world.reader).json["data"]
    assert [c["body"] for c in only] == ["from agent"]
    assert_ext_error(world.call("POST", path, {"body": "x", "source": "user"}, world.editor),
                     400, "validation_error")


def test_todos_are_ordered_by_iteration_then_order(world):
    path = f"/boards/{world.board}/tasks/{world.task}/todos"
    late = world.call("POST", path, {"text": "iteration 2", "iteration": 2,
                                     "source": "agent"}, world.editor).json["data"]
    early = world.call("POST", path, {"text": "iteration 0", "iteration": 0},
                       world.editor).json["data"]
    texts = [t["text"] for t in world.call("GET", path, None, world.reader).json["data"]]
    assert texts == ["iteration 0", "write test", "iteration 2"]
    assert late["source"] == "agent" and early["source"] == "api"
    reordered = world.call("POST", path + "/reorder", {"orderedIds": [late["id"], world.todo,
                                                                      early["id"]]},
                           world.editor)
    assert reordered.status_code == 200
    assert_ext_error(world.call("POST", path + "/reorder", {"orderedIds": ["nope"]},
                                world.editor), 400, "validation_error")
    ticked = world.call("PATCH", f"{path}/{world.todo}", {"done": True}, world.editor)
    assert ticked.json["data"]["done"] is True


def test_lane_rename_and_reorder_keep_positions_dense(world):
    path = f"/boards/{world.board}/lanes"
    world.call("PATCH", f"{path}/{world.lane}", {"name": "Later", "position": 99},
               world.editor)
    lanes = world.call("GET", path, None, world.reader).json["data"]
    assert [lane["position"] for lane in lanes] == list(range(len(lanes)))
    assert (lanes[-1]["id"], lanes[-1]["name"]) == (world.lane, "Later")
    assert_ext_error(world.call("PATCH", f"{path}/{world.lane}", {"position": -1},
                                world.editor), 400, "validation_error")
    assert_ext_error(world.call("DELETE", f"{path}/{world.lane}", None, world.editor),
                     400, "validation_error")  # it still holds the task


def test_revoking_a_key_stops_it_at_once(app, world):
    assert world.call("GET", "/boards", None, world.editor).status_code == 200
    revoke(app, world.editor)
    assert_ext_error(world.call("GET", "/boards", None, world.editor), 401, "invalid_key")


def test_ext_priority_round_trips_with_tacks_priorities():
    for stored in PRIORITIES:
        assert stored_priority(ext_priority(stored)) == stored
    assert sorted(STORED_PRIORITY) == [0, 1, 2, 3, 4]
    assert set(EXT_PRIORITY) == set(PRIORITIES)


def test_a_new_board_has_no_lanes_and_takes_no_task_until_it_has_one(world):
    board_id = world.call("POST", "/boards", {"name": "Empty"}, world.owner).json["data"]["id"]
    assert world.call("GET", f"/boards/{board_id}/lanes", None, world.owner).json["data"] == []
    assert_ext_error(world.call("POST", f"/boards/{board_id}/tasks", {"title": "x"},
                                world.owner), 400, "validation_error")
