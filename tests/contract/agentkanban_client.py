"""Contract checks for the AgentKanban external API surface (/api/ext/v1/...).

Written only from /work/shared/seeds/agentkanban-external-api.md; never from the
server's code.

    python tests/contract/agentkanban_client.py --base-url http://127.0.0.1:PORT --key ak_...
        [--read-key ak_...] [--scoped-key ak_...] [--revoked-key ak_...]
        [--rate-key ak_... --rate-limit N]

--key         an access key for all boards with edit permission (made by an admin on
              the settings page or with `tack keys create`).
--read-key    optional: a key for all boards with read permission only; enables the
              checks that writes are refused with 403 forbidden.
--scoped-key  optional: a key granted only chosen boards (none made by this run);
              enables the checks that other boards are invisible / forbidden to it.
--revoked-key optional: a key that was revoked (in Settings or with `tack keys revoke`)
              before the run; enables the checks that every endpoint refuses it with
              401 invalid_key.
--rate-key    optional, with --rate-limit N: a fresh key used by nothing else, on a
              server whose per-key limit is N requests per window; enables the check
              that the N+1st request is 429 rate_limited with Retry-After.

Each group makes its own board. Prints one line per check and ends with
"N passed, M failed"; exit code 0 only when every check passed. Assumptions where
the document is vague are marked "ASSUMPTION" next to the check.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from contractlib import Http, Runner, body_of, describe, parse_time, short, unique  # noqa: E402

parser = argparse.ArgumentParser(description="AgentKanban /api/ext/v1 contract checks")
parser.add_argument("--base-url", required=True)
parser.add_argument("--key", required=True, help="ak_ key: all boards, edit")
parser.add_argument("--read-key", default=None, help="ak_ key: all boards, read only")
parser.add_argument("--scoped-key", default=None, help="ak_ key limited to boards this run does not make")
parser.add_argument("--revoked-key", default=None, help="ak_ key revoked before the run")
parser.add_argument("--rate-key", default=None, help="fresh ak_ key used only by the rate-limit group")
parser.add_argument("--rate-limit", type=int, default=None, help="the server's per-key limit per window")
parser.add_argument("--only", default=None)
parser.add_argument("--verbose", action="store_true")
ARGS = parser.parse_args()

R = Runner(ARGS.only, ARGS.verbose)
PREFIX = "/api/ext/v1"
api = Http(ARGS.base_url, headers={"Authorization": f"Bearer {ARGS.key}"}, prefix=PREFIX)
bare = Http(ARGS.base_url, prefix=PREFIX)
UNKNOWN_ID = "01zzzzzzzzzzzzzzzzzzzzzzzz"
TASK_LIST_KEYS = ["id", "shortId", "title", "laneId", "priority", "tags", "archived", "createdAt", "updatedAt"]
TASK_DETAIL_KEYS = TASK_LIST_KEYS + ["description", "lastTurnAt"]
TURN_KEYS = ["id", "source", "sourceId", "role", "content", "toolUseOnly", "capturedAt"]


def data_of(response):
    body = body_of(response)
    return body.get("data") if isinstance(body, dict) else None


def error(name, response, status, code, doc=None):
    """{ "error": { "code": ..., "message": ... } } with the documented status."""
    body = body_of(response)
    inner = body.get("error") if isinstance(body, dict) else None
    codes = code if isinstance(code, (list, tuple)) else [code]
    ok = (response.status_code == status and isinstance(inner, dict) and inner.get("code") in codes
          and isinstance(inner.get("message"), str) and inner.get("message"))
    R.check(f"{name} -> {status} {'/'.join(codes)}", ok, f"got {describe(response)}",
            doc or '{ "error": { "code": "validation_error", "message": "Board name is required" } }')
    return ok


def no_content(name, response):
    R.check(f"{name} -> 204 with no body", response.status_code == 204 and not response.content,
            f"got {describe(response)}", "Returns 204 with no body.")


class Board:
    def __init__(self, lanes=("To Do", "Doing", "Done")):
        response = api.post("/boards", {"name": unique("ak-board")})
        if response.status_code != 201:
            raise AssertionError(f"could not create a board: {describe(response)}")
        self.id = data_of(response)["id"]
        # ASSUMPTION: the document does not say which lanes a new board starts with, so the
        # checks make their own lanes and address them by id.
        self.lanes = {}
        for name in lanes:
            made = api.post(f"/boards/{self.id}/lanes", {"name": name})
            if made.status_code != 201:
                raise AssertionError(f"could not create a lane: {describe(made)}")
            self.lanes[name] = data_of(made)["id"]

    def path(self, rest=""):
        return f"/boards/{self.id}{rest}"

    def task(self, title=None, lane="To Do", **fields):
        body = {"title": title or unique("task"), "laneId": self.lanes[lane]}
        body.update(fields)
        response = api.post(self.path("/tasks"), body)
        if response.status_code != 201:
            raise AssertionError(f"could not create a task: {describe(response)}")
        return data_of(response)

    def tasks(self, params=None):
        response = api.get(self.path("/tasks"), params=params)
        if response.status_code != 200:
            raise AssertionError(f"could not list tasks: {describe(response)}")
        return data_of(response)

    def detail(self, task_id):
        response = api.get(self.path(f"/tasks/{task_id}"))
        if response.status_code != 200:
            raise AssertionError(f"could not read task: {describe(response)}")
        return data_of(response)


# ----------------------------------------------------------------- groups

def g_auth():
    error("no Authorization header", bare.get("/boards"), 401, "missing_auth", "`missing_auth` | No Authorization header")
    error("unknown key", bare.get("/boards", headers={"Authorization": "Bearer ak_notakey"}), 401, "invalid_key",
          "`invalid_key` | Key not found or revoked")
    # ASSUMPTION: a header without the Bearer scheme is treated as no usable key (missing_auth or invalid_key).
    error("key without Bearer scheme", bare.get("/boards", headers={"Authorization": ARGS.key}), 401,
          ["missing_auth", "invalid_key"])
    # ASSUMPTION: only the Authorization header carries the key on this surface; X-API-Key alone is missing auth.
    error("X-API-Key is not this surface's header", bare.get("/boards", headers={"X-API-Key": ARGS.key}), 401,
          "missing_auth", "All requests go to /api/ext/v1/ with the key in the Authorization header")
    error("writes without a key", bare.post("/boards", {"name": "x"}), 401, "missing_auth")
    R.status("Bearer key accepted", api.get("/boards"), 200)


def g_boards():
    listed = api.get("/boards")
    R.status("list boards 200", listed, 200, "Returns all boards the API key has access to.")
    R.check("list is {data: [...]}", isinstance(data_of(listed), list), describe(listed))
    name = unique("New Board")
    response = api.post("/boards", {"name": name})
    R.status("create board 201", response, 201, 'Response (201): { "data": { "id": "01abc...", "name": "New Board" } }')
    made = data_of(response) or {}
    R.check("created board has id and name", bool(made.get("id")) and made.get("name") == name, describe(response))
    board_id = made.get("id")
    mine = [b for b in data_of(api.get("/boards")) or [] if b.get("id") == board_id]
    R.check("new board listed with permission edit", len(mine) == 1 and mine[0].get("permission") == "edit"
            and mine[0].get("name") == name, f"got {short(mine)}",
            "The key automatically gets edit access to the new board.")
    detail = api.get(f"/boards/{board_id}")
    R.status("board detail 200", detail, 200)
    body = data_of(detail) or {}
    R.check("detail has id, name, lanes list", body.get("id") == board_id and body.get("name") == name
            and isinstance(body.get("lanes"), list), describe(detail))
    lane = api.post(f"/boards/{board_id}/lanes", {"name": "Only"})
    lane_id = (data_of(lane) or {}).get("id")
    api.post(f"/boards/{board_id}/tasks", {"title": "counted", "laneId": lane_id})
    lanes = (data_of(api.get(f"/boards/{board_id}")) or {}).get("lanes") or []
    counted = [item for item in lanes if item.get("id") == lane_id]
    R.check("lane summary has id, name, taskCount", len(counted) == 1 and counted[0].get("name") == "Only"
            and counted[0].get("taskCount") == 1, f"got {short(lanes)}",
            '{ "id": "...", "name": "To Do", "taskCount": 5 }')
    error("create board without name", api.post("/boards", {}), 400, "validation_error",
          '{ "error": { "code": "validation_error", "message": "Board name is required" } }')
    error("create board with empty name", api.post("/boards", {"name": ""}), 400, "validation_error")
    error("create board with a non-JSON body", api.call("POST", "/boards", data="{nope",
                                                        headers={"Content-Type": "application/json"}),
          400, "invalid_body", "`invalid_body` | Request body is not valid JSON")
    error("unknown board", api.get(f"/boards/{UNKNOWN_ID}"), 404, "not_found")
    no_content("delete board", api.delete(f"/boards/{board_id}"))
    error("deleted board reads 404", api.get(f"/boards/{board_id}"), 404, "not_found")
    R.check("deleted board no longer listed", bool(board_id) and board_id not in [b.get("id") for b in data_of(api.get("/boards")) or []],
            "still listed")
    error("delete unknown board", api.delete(f"/boards/{UNKNOWN_ID}"), 404, "not_found")


def g_lanes():
    board = Board(lanes=())
    made = [api.post(board.path("/lanes"), {"name": name}) for name in ("To Do", "Doing", "Done")]
    R.check("create lanes 201 {data: {id, name}}", all(r.status_code == 201 and (data_of(r) or {}).get("id")
                                                        for r in made), f"got {[describe(r) for r in made]}",
            'Response (201): { "data": { "id": "...", "name": "In Review" } }')
    ids = [(data_of(r) or {}).get("id") for r in made]
    listed = api.get(board.path("/lanes"))
    R.status("list lanes 200", listed, 200)
    lanes = data_of(listed) or []
    R.equal("lanes in position order with positions", [(l.get("id"), l.get("name"), l.get("position")) for l in lanes],
            [(ids[0], "To Do", 0), (ids[1], "Doing", 1), (ids[2], "Done", 2)])
    renamed = api.patch(board.path(f"/lanes/{ids[1]}"), {"name": "Code Review"})
    R.status("rename lane 200", renamed, 200)
    R.equal("rename response", {k: (data_of(renamed) or {}).get(k) for k in ("id", "name")},
            {"id": ids[1], "name": "Code Review"}, '{ "data": { "id": "...", "name": "Code Review" } }')
    moved = api.patch(board.path(f"/lanes/{ids[0]}"), {"position": 2})
    R.status("reorder lane 200", moved, 200, 'To reorder, send { "position": 2 }.')
    order = [l.get("id") for l in sorted(data_of(api.get(board.path("/lanes"))) or [], key=lambda l: l["position"])]
    R.equal("lane moved to position 2, others close up", order, [ids[1], ids[2], ids[0]])
    positions = sorted(l.get("position") for l in data_of(api.get(board.path("/lanes"))) or [])
    R.equal("positions stay 0..n-1", positions, [0, 1, 2])
    error("create lane without name", api.post(board.path("/lanes"), {}), 400, "validation_error")
    error("rename lane to empty", api.patch(board.path(f"/lanes/{ids[1]}"), {"name": ""}), 400, "validation_error")
    # ASSUMPTION: a position that is not a non-negative integer is a validation error.
    error("lane position -1", api.patch(board.path(f"/lanes/{ids[1]}"), {"position": -1}), 400, "validation_error")
    error("rename unknown lane", api.patch(board.path(f"/lanes/{UNKNOWN_ID}"), {"name": "x"}), 404, "not_found")
    no_content("delete lane", api.delete(board.path(f"/lanes/{ids[2]}")))
    R.check("deleted lane gone", ids[2] not in [l.get("id") for l in data_of(api.get(board.path("/lanes"))) or []],
            "still listed")
    error("delete unknown lane", api.delete(board.path(f"/lanes/{UNKNOWN_ID}")), 404, "not_found")
    error("lanes of unknown board", api.get(f"/boards/{UNKNOWN_ID}/lanes"), 404, "not_found")


def g_tasks():
    board = Board()
    response = api.post(board.path("/tasks"), {"title": "New task", "laneId": board.lanes["To Do"]})
    R.status("create task 201", response, 201, 'Response (201): { "data": { "id": "...", "title": "New task", "laneId": "..." } }')
    made = data_of(response) or {}
    R.equal("create response", {k: made.get(k) for k in ("title", "laneId")},
            {"title": "New task", "laneId": board.lanes["To Do"]})
    task_id = made.get("id")
    listed = api.get(board.path("/tasks"))
    R.status("list tasks 200", listed, 200)
    items = data_of(listed) or []
    R.check("list items carry the documented keys", bool(items) and all(all(k in t for k in TASK_LIST_KEYS) for t in items),
            f"got {short(items)}")
    detail = board.detail(task_id)
    R.check("detail carries the documented keys", all(k in detail for k in TASK_DETAIL_KEYS), f"got {short(detail)}")
    R.equal("fresh task: archived false, lastTurnAt null, tags []",
            (detail.get("archived"), detail.get("lastTurnAt"), detail.get("tags")), (False, None, []))
    # ASSUMPTION: a short id is 8 lowercase hex characters, as in the example "a1b2c3d4".
    R.check("shortId looks like a1b2c3d4", bool(re.fullmatch(r"[0-9a-f]{8}", str(detail.get("shortId")))),
            f"got {detail.get('shortId')!r}")
    R.check("createdAt / updatedAt ISO-8601", parse_time(detail.get("createdAt")) is not None
            and parse_time(detail.get("updatedAt")) is not None, f"got {short(detail)}")
    updated = api.patch(board.path(f"/tasks/{task_id}"), {"title": "Updated title", "priority": 2})
    R.status("update task 200", updated, 200, '{ "data": { "id": "...", "title": "Updated title", "priority": 2 } }')
    R.equal("update response", {k: (data_of(updated) or {}).get(k) for k in ("id", "title", "priority")},
            {"id": task_id, "title": "Updated title", "priority": 2})
    more = api.patch(board.path(f"/tasks/{task_id}"), {"description": "The login form crashes when...",
                                                       "tags": ["bug", "ui"]})
    R.status("update description and tags 200", more, 200, "Updatable fields: title, description, priority, tags, archived.")
    detail = board.detail(task_id)
    R.equal("updates read back", (detail.get("title"), detail.get("description"), detail.get("priority"), detail.get("tags")),
            ("Updated title", "The login form crashes when...", 2, ["bug", "ui"]))
    for value in (0, 4):
        R.status(f"priority {value} accepted", api.patch(board.path(f"/tasks/{task_id}"), {"priority": value}), 200,
                 "Priority is an integer from 0 to 4")
    for value in (5, -1, "high"):
        error(f"priority {value!r} refused", api.patch(board.path(f"/tasks/{task_id}"), {"priority": value}), 400,
              "validation_error", "Priority is an integer from 0 to 4")
    R.equal("refused updates changed nothing", board.detail(task_id).get("priority"), 4)
    error("create task without title", api.post(board.path("/tasks"), {"laneId": board.lanes["To Do"]}), 400,
          "validation_error")
    error("create task with a non-JSON body", api.call("POST", board.path("/tasks"), data="not json",
                                                       headers={"Content-Type": "application/json"}),
          400, "invalid_body", "`invalid_body` | Request body is not valid JSON")
    error("update task with a non-JSON body", api.call("PATCH", board.path(f"/tasks/{task_id}"), data="{",
                                                       headers={"Content-Type": "application/json"}),
          400, "invalid_body", "`invalid_body` | Request body is not valid JSON")
    # ASSUMPTION: a laneId that is not a lane of this board is a validation error (400) or not found (404).
    unknown_lane = api.post(board.path("/tasks"), {"title": "x", "laneId": UNKNOWN_ID})
    R.check("create task in an unknown lane refused (400 validation_error or 404 not_found)",
            (unknown_lane.status_code, ((body_of(unknown_lane) or {}).get("error") or {}).get("code"))
            in ((400, "validation_error"), (404, "not_found")), describe(unknown_lane))
    error("unknown task", api.get(board.path(f"/tasks/{UNKNOWN_ID}")), 404, "not_found")
    other = Board()
    error("task read through another board", api.get(other.path(f"/tasks/{task_id}")), 404, "not_found")
    no_content("delete task", api.delete(board.path(f"/tasks/{task_id}")))
    error("deleted task reads 404", api.get(board.path(f"/tasks/{task_id}")), 404, "not_found")


def g_task_filters():
    board = Board()
    a = board.task("a")
    b = board.task("b", lane="Doing")
    c = board.task("c")
    api.patch(board.path(f"/tasks/{c['id']}"), {"archived": True})

    def ids(params=None):
        return sorted(t.get("id") for t in board.tasks(params))

    R.equal("archived excluded by default", ids(), sorted([a["id"], b["id"]]))
    R.equal("includeArchived=true", ids({"includeArchived": "true"}), sorted([a["id"], b["id"], c["id"]]),
            "`includeArchived` | Set to true to include archived tasks")
    R.equal("archived flag reads true", board.detail(c["id"]).get("archived"), True)
    R.equal("laneId filter", ids({"laneId": board.lanes["Doing"]}), [b["id"]])
    short_id = board.detail(a["id"]).get("shortId") or ""
    R.equal("shortIdPrefix filter", ids({"shortIdPrefix": short_id[:6]}), [a["id"]],
            "`shortIdPrefix` | Filter tasks by the copied short ID prefix")
    api.patch(board.path(f"/tasks/{c['id']}"), {"archived": False})
    R.equal("unarchive with archived false", ids(), sorted([a["id"], b["id"], c["id"]]))


def g_move():
    board = Board()
    a, b = board.task("a"), board.task("b")
    done = board.lanes["Done"]
    x = board.task("x", lane="Done")
    response = api.post(board.path(f"/tasks/{a['id']}/move"), {"laneId": done, "position": 0})
    R.status("move 200", response, 200, '{ "data": { "id": "...", "laneId": "target-lane-id", "position": 0 } }')
    R.equal("move response", {k: (data_of(response) or {}).get(k) for k in ("id", "laneId", "position")},
            {"id": a["id"], "laneId": done, "position": 0})
    appended = api.post(board.path(f"/tasks/{b['id']}/move"), {"laneId": done})
    R.equal("move without position appends to the end", (data_of(appended) or {}).get("position"), 2,
            "Without it, the task is appended to the end of the target lane.")
    in_done = [t.get("id") for t in board.tasks({"laneId": done})]
    # ASSUMPTION: list order follows position within a lane.
    R.equal("lane order after moves", in_done, [a["id"], x["id"], b["id"]])
    unknown_lane = api.post(board.path(f"/tasks/{a['id']}/move"), {"laneId": UNKNOWN_ID})
    # ASSUMPTION: an unknown target lane is a validation error (400) or not found (404).
    R.check("move to an unknown lane refused (400 validation_error or 404 not_found)",
            (unknown_lane.status_code, ((body_of(unknown_lane) or {}).get("error") or {}).get("code"))
            in ((400, "validation_error"), (404, "not_found")), describe(unknown_lane))
    R.equal("refused move changed nothing", board.detail(a["id"]).get("laneId"), done)
    error("move without laneId", api.post(board.path(f"/tasks/{a['id']}/move"), {}), 400, "validation_error")
    error("move unknown task", api.post(board.path(f"/tasks/{UNKNOWN_ID}/move"), {"laneId": done}), 404, "not_found")


def g_comments():
    board = Board()
    task = board.task("discuss")
    path = board.path(f"/tasks/{task['id']}/comments")
    first = api.post(path, {"body": "Work completed.", "authorName": "CI Bot", "source": "api"})
    # ASSUMPTION: adding a comment answers 201 {data: comment} like the other creates.
    R.status("add comment 201", first, 201)
    agent = api.post(path, {"body": "From the agent", "authorName": "Claude", "source": "agent"})
    R.status("add agent comment 201", agent, 201, "source is optional and may be api or agent.")
    default = api.post(path, {"body": "no source", "authorName": "Script"})
    R.status("add comment without source 201", default, 201)
    listed = api.get(path)
    R.status("list comments 200", listed, 200)
    comments = data_of(listed) or []
    R.equal("comments in order with authorSource", [(c.get("body"), c.get("authorSource")) for c in comments],
            [("Work completed.", "api"), ("From the agent", "agent"), ("no source", "api")],
            "including authorSource so integrations can distinguish user, API, and agent messages. "
            "It defaults to api for ordinary external API callers.")
    R.check("authorName kept", [c.get("authorName") for c in comments][:1] == ["CI Bot"], f"got {short(comments)}")
    error("source outside api/agent", api.post(path, {"body": "x", "source": "user"}), 400, "validation_error",
          "source is optional and may be api or agent.")
    error("empty comment body", api.post(path, {"body": ""}), 400, "validation_error")
    comment_id = (data_of(first) or {}).get("id")
    no_content("delete comment", api.delete(f"{path}/{comment_id}"))
    R.equal("deleted comment gone", [c.get("body") for c in data_of(api.get(path)) or []], ["From the agent", "no source"])
    error("delete unknown comment", api.delete(f"{path}/{UNKNOWN_ID}"), 404, "not_found")
    error("comments of unknown task", api.get(board.path(f"/tasks/{UNKNOWN_ID}/comments")), 404, "not_found")


def g_todos():
    board = Board()
    task = board.task("todo host")
    path = board.path(f"/tasks/{task['id']}/todos")
    made = [api.post(path, {"text": text, "iteration": iteration, "source": "agent"})
            for text, iteration in (("second iteration A", 2), ("first iteration", 1), ("second iteration B", 2))]
    # ASSUMPTION: creating a todo answers 201 {data: todo} with id, text, iteration.
    R.check("create todos 201 {data: {id, text, iteration}}",
            all(r.status_code == 201 and (data_of(r) or {}).get("id") and (data_of(r) or {}).get("text") for r in made),
            f"got {[describe(r) for r in made]}")
    ids = [(data_of(r) or {}).get("id") for r in made]
    listed = api.get(path)
    R.status("list todos 200", listed, 200)
    R.equal("todos ordered by iteration, then todo order", [t.get("text") for t in data_of(listed) or []],
            ["first iteration", "second iteration A", "second iteration B"],
            "Returns todos ordered by iteration, then by task-specific todo order.")
    one = api.get(f"{path}/{ids[0]}")
    R.status("get todo 200", one, 200)
    R.equal("get todo text", (data_of(one) or {}).get("text"), "second iteration A")
    patched = api.patch(f"{path}/{ids[0]}", {"text": "Update release notes"})
    R.status("update todo 200", patched, 200)
    R.equal("update todo text", (data_of(api.get(f"{path}/{ids[0]}")) or {}).get("text"), "Update release notes")
    reordered = api.post(f"{path}/reorder", {"orderedIds": [ids[2], ids[0], ids[1]]})
    R.status("reorder todos 200", reordered, 200, '{ "orderedIds": ["todo-1", "todo-2", "todo-3"] }')
    # ASSUMPTION: reorder sets the task-specific order; iteration still groups first.
    R.equal("reordered within iteration", [t.get("text") for t in data_of(api.get(path)) or []],
            ["first iteration", "second iteration B", "Update release notes"])
    error("reorder with an unknown id", api.post(f"{path}/reorder", {"orderedIds": [ids[0], UNKNOWN_ID]}), 400,
          "validation_error")
    error("todo without text", api.post(path, {"iteration": 1}), 400, "validation_error")
    error("todo with source outside api/agent", api.post(path, {"text": "x", "source": "robot"}), 400,
          "validation_error", "source is optional and may be api or agent.")
    no_content("delete todo", api.delete(f"{path}/{ids[1]}"))
    error("deleted todo reads 404", api.get(f"{path}/{ids[1]}"), 404, "not_found")


def turns(*specs):
    return {"turns": [{"source": source, "sourceId": source_id, "role": role, "content": content,
                       "capturedAt": captured} for source, source_id, role, content, captured in specs]}


def g_turns():
    board = Board()
    task = board.task("turn host")
    path = board.path(f"/tasks/{task['id']}/turns")
    batch = turns(("copilot", "abc123", "user", "How do I fix the login bug?", "2025-06-20T10:30:00Z"),
                  ("copilot", "def456", "assistant", "The issue is in the auth middleware...", "2025-06-20T10:30:05Z"))
    response = api.post(path, batch)
    R.status("post turns 201", response, 201)
    body = body_of(response) or {}
    R.equal("inserted count", (body.get("data") or {}).get("inserted"), 2, '{ "data": { "inserted": 2 }')
    mark = (body.get("watermarks") or {}).get("copilot") or {}
    R.check("watermark is the newest turn per source", mark.get("sourceId") == "def456"
            and parse_time(mark.get("capturedAt")) == parse_time("2025-06-20T10:30:05Z"), f"got {short(body)}")
    again = api.post(path, batch)
    R.equal("duplicates silently ignored", ((body_of(again) or {}).get("data") or {}).get("inserted"), 0,
            "Duplicate turns (same source + sourceId) are silently ignored.")
    api.post(path, turns(("claude-code", "c1", "user", "hi", "2025-06-20T11:00:00Z")))
    listed = api.get(path)
    R.status("list turns 200", listed, 200)
    body = body_of(listed) or {}
    items = body.get("data") or []
    R.equal("three distinct turns", len(items), 3)
    R.check("turn keys", bool(items) and all(all(k in t for k in TURN_KEYS) for t in items), f"got {short(items)}")
    R.check("toolUseOnly false by default", bool(items) and all(t.get("toolUseOnly") is False for t in items),
            f"got {short(items)}")
    R.check("watermarks for both sources, cursor null", set(body.get("watermarks") or {}) == {"copilot", "claude-code"}
            and "cursor" in body and body.get("cursor") is None, f"got {short(body)}")
    only = body_of(api.get(path, params={"source": "copilot"})) or {}
    R.equal("?source= filters", sorted(t.get("sourceId") for t in only.get("data") or []), ["abc123", "def456"])
    later = body_of(api.get(path, params={"limit": 50, "after": "2025-06-20T10:30:00Z"})) or {}
    R.equal("?after= returns later turns", sorted(t.get("sourceId") for t in later.get("data") or []), ["c1", "def456"])
    page = body_of(api.get(path, params={"limit": 1})) or {}
    # ASSUMPTION: when more turns remain than `limit`, `cursor` is non-null.
    R.check("limit=1 returns one turn and a cursor", len(page.get("data") or []) == 1 and page.get("cursor"),
            f"got {short(page)}")
    watermark = api.get(f"{path}/watermark")
    R.status("watermark 200", watermark, 200)
    marks = (body_of(watermark) or {}).get("watermarks") or {}
    R.equal("watermark endpoint", (marks.get("copilot") or {}).get("sourceId"), "def456")
    R.check("watermark has no turn content", "data" not in (body_of(watermark) or {}), f"got {short(body_of(watermark))}",
            "Returns per-source watermarks without turn content.")
    R.check("task lastTurnAt set after turns", parse_time(board.detail(task["id"]).get("lastTurnAt")) is not None,
            f"got {board.detail(task['id']).get('lastTurnAt')!r}")
    too_many = turns(*[("copilot", f"bulk{i}", "user", "x", "2025-06-21T00:00:00Z") for i in range(101)])
    error("101 turns in one batch", api.post(path, too_many), 400, "validation_error", "Up to 100 turns per batch.")
    hundred = turns(*[("copilot", f"ok{i}", "user", "x", "2025-06-21T00:00:00Z") for i in range(100)])
    R.status("100 turns in one batch 201", api.post(path, hundred), 201)
    error("turn without role", api.post(path, {"turns": [{"source": "copilot", "sourceId": "z", "content": "x",
                                                          "capturedAt": "2025-06-20T10:30:00Z"}]}), 400,
          "validation_error")
    everything = body_of(api.get(path, params={"limit": 500})) or {}
    every_id = [t.get("id") for t in everything.get("data") or []]
    # ASSUMPTION: the cursor is passed back as ?cursor= and the next page continues where the last ended.
    pages, cursor, walked = 0, None, []
    while pages < 50:
        params = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = body_of(api.get(path, params=params)) or {}
        walked += [t.get("id") for t in page.get("data") or []]
        cursor, pages = page.get("cursor"), pages + 1
        if not cursor:
            break
    R.check("following the cursor walks every turn once, in list order", walked == every_id and len(every_id) == 103,
            f"walked {len(walked)} in {pages} pages ({len(set(walked))} distinct), listed {len(every_id)}",
            '"cursor": null')
    error("turns as a non-JSON body", api.call("POST", path, data="{nope", headers={"Content-Type": "application/json"}),
          400, "invalid_body", "`invalid_body` | Request body is not valid JSON")


def g_webhooks():
    # ASSUMPTION: the Webhooks guide is not given; a webhook is created from {url, events}
    # and answers {data: {...}} with id, url, events, active like the rest of the API.
    response = api.post("/webhooks", {"url": "https://example.com/ak-hook", "events": ["task.created"]})
    R.status("create webhook 201", response, 201)
    hook = data_of(response) or {}
    R.check("webhook has id, url, active", bool(hook.get("id")) and hook.get("url") == "https://example.com/ak-hook"
            and hook.get("active") is True, f"got {short(hook)}")
    hook_id = hook.get("id")
    listed = api.get("/webhooks")
    R.status("list webhooks 200", listed, 200)
    R.check("webhook listed", hook_id in [h.get("id") for h in data_of(listed) or []], f"got {short(data_of(listed))}")
    detail = api.get(f"/webhooks/{hook_id}")
    R.status("webhook detail 200", detail, 200, "Webhook detail with recent deliveries")
    body = data_of(detail) or {}
    R.check("detail lists recent deliveries", any(isinstance(v, list) and "deliver" in k.lower() for k, v in body.items()),
            f"got {short(body)}")
    patched = api.patch(f"/webhooks/{hook_id}", {"active": False, "url": "https://example.com/ak-hook-2"})
    R.status("update webhook 200", patched, 200, "Update URL, events, or active state")
    R.equal("update reads back", {k: (data_of(api.get(f"/webhooks/{hook_id}")) or {}).get(k) for k in ("active", "url")},
            {"active": False, "url": "https://example.com/ak-hook-2"})
    error("webhook without url", api.post("/webhooks", {"events": ["task.created"]}), 400, "validation_error")
    error("webhook with a non-http url", api.post("/webhooks", {"url": "ftp://example.com/x"}), 400, "validation_error")
    no_content("delete webhook", api.delete(f"/webhooks/{hook_id}"))
    error("deleted webhook reads 404", api.get(f"/webhooks/{hook_id}"), 404, "not_found")
    error("webhooks without a key", bare.get("/webhooks"), 401, "missing_auth")


class Furnished:
    """A board with one of everything (lane, task, comment, todo, turn) made with the
    edit key, so every endpoint of the document can be called on real ids."""

    def __init__(self):
        self.board = Board()
        self.task = self.board.task("furnished")
        self.lane = self.board.lanes["Doing"]
        base = f"/tasks/{self.task['id']}"
        self.comment = data_of(api.post(self.board.path(base + "/comments"), {"body": "kept"})) or {}
        self.todo = data_of(api.post(self.board.path(base + "/todos"), {"text": "kept"})) or {}
        api.post(self.board.path(base + "/turns"), turns(("copilot", "kept", "user", "kept", "2025-06-20T10:30:00Z")))
        self.hook = data_of(api.post("/webhooks", {"url": "https://example.com/furnished",
                                                   "events": ["task.created"]})) or {}

    def board_endpoints(self):
        """(method, path, body, is_write) for every board-scoped endpoint of the document."""
        b, t = self.board.path(), self.board.path(f"/tasks/{self.task['id']}")
        todo, comment = self.todo.get("id"), self.comment.get("id")
        return [
            ("GET", b, None, False),
            ("GET", f"{b}/lanes", None, False),
            ("GET", f"{b}/tasks", None, False),
            ("GET", t, None, False),
            ("GET", f"{t}/comments", None, False),
            ("GET", f"{t}/todos", None, False),
            ("GET", f"{t}/todos/{todo}", None, False),
            ("GET", f"{t}/turns", None, False),
            ("GET", f"{t}/turns/watermark", None, False),
            ("POST", f"{b}/lanes", {"name": "intruder"}, True),
            ("PATCH", f"{b}/lanes/{self.lane}", {"name": "intruder"}, True),
            ("DELETE", f"{b}/lanes/{self.lane}", None, True),
            ("POST", f"{b}/tasks", {"title": "intruder", "laneId": self.lane}, True),
            ("PATCH", t, {"title": "intruder"}, True),
            ("POST", f"{t}/move", {"laneId": self.lane}, True),
            ("POST", f"{t}/comments", {"body": "intruder"}, True),
            ("DELETE", f"{t}/comments/{comment}", None, True),
            ("POST", f"{t}/todos", {"text": "intruder"}, True),
            ("PATCH", f"{t}/todos/{todo}", {"text": "intruder"}, True),
            ("POST", f"{t}/todos/reorder", {"orderedIds": [todo]}, True),
            ("DELETE", f"{t}/todos/{todo}", None, True),
            ("POST", f"{t}/turns", turns(("copilot", "intruder", "user", "x", "2025-06-20T10:31:00Z")), True),
            ("DELETE", t, None, True),
            ("DELETE", b, None, True),
        ]

    def key_endpoints(self):
        """The endpoints that name no board: boards list/create and the key's webhooks."""
        hook = self.hook.get("id")
        return [
            ("GET", "/boards", None, False),
            ("POST", "/boards", {"name": "intruder"}, True),
            ("GET", "/webhooks", None, False),
            ("POST", "/webhooks", {"url": "https://example.com/intruder", "events": ["task.created"]}, True),
            ("GET", f"/webhooks/{hook}", None, False),
            ("PATCH", f"/webhooks/{hook}", {"active": False}, True),
            ("DELETE", f"/webhooks/{hook}", None, True),
        ]

    def snapshot(self):
        """What a refused write would have changed, read with the edit key."""
        t = self.board.path(f"/tasks/{self.task['id']}")
        detail = data_of(api.get(t)) or {}
        hook = data_of(api.get(f"/webhooks/{self.hook.get('id')}")) or {}
        return {
            "board": api.get(self.board.path()).status_code,
            "lanes": [(l.get("id"), l.get("name")) for l in data_of(api.get(self.board.path("/lanes"))) or []],
            "tasks": sorted(x.get("id") for x in data_of(api.get(self.board.path("/tasks"))) or []),
            "task": (detail.get("title"), detail.get("laneId")),
            "comments": [c.get("body") for c in data_of(api.get(f"{t}/comments")) or []],
            "todos": [(x.get("id"), x.get("text")) for x in data_of(api.get(f"{t}/todos")) or []],
            "turns": sorted(x.get("sourceId") for x in data_of(api.get(f"{t}/turns")) or []),
            "hook": (hook.get("url"), hook.get("active")),
        }


def call(client, method, path, body):
    return client.call(method, path, json_body=body)


def g_read_key():
    if not ARGS.read_key:
        R.skip("read key", "no --read-key given")
        return
    board = Board()
    task = board.task("read only")
    reader = Http(ARGS.base_url, headers={"Authorization": f"Bearer {ARGS.read_key}"}, prefix=PREFIX)
    R.status("read key can read the board", reader.get(board.path()), 200)
    R.status("read key can list tasks", reader.get(board.path("/tasks")), 200)
    listed = [b for b in data_of(reader.get("/boards")) or [] if b.get("id") == board.id]
    R.check("board listed with permission read", len(listed) == 1 and listed[0].get("permission") == "read",
            f"got {short(listed)}")
    doc = "403 | Key does not have access to that board"
    error("read key cannot create a task", reader.post(board.path("/tasks"), {"title": "x", "laneId": board.lanes["To Do"]}),
          403, "forbidden", doc)
    error("read key cannot update a task", reader.patch(board.path(f"/tasks/{task['id']}"), {"title": "x"}), 403,
          "forbidden", doc)
    error("read key cannot delete the board", reader.delete(board.path()), 403, "forbidden", "Requires edit permission.")
    error("read key cannot post turns", reader.post(board.path(f"/tasks/{task['id']}/turns"),
                                                    turns(("copilot", "r1", "user", "x", "2025-06-20T10:30:00Z"))),
          403, "forbidden", "Requires edit permission.")
    R.status("read key can list turns", reader.get(board.path(f"/tasks/{task['id']}/turns")), 200,
             "Requires read permission.")
    R.equal("refused writes changed nothing", board.detail(task["id"]).get("title"), "read only")
    place = Furnished()
    before = place.snapshot()
    for method, path, body, is_write in place.board_endpoints():
        response = call(reader, method, path, body)
        if is_write:
            error(f"read key: {method} {path.replace(place.board.id, ':boardId')} refused", response, 403, "forbidden",
                  "403 | Key does not have access to that board")
        else:
            R.status(f"read key: {method} {path.replace(place.board.id, ':boardId')} 200", response, 200,
                     "Requires read permission.")
    R.equal("read key: every refused write changed nothing", place.snapshot(), before)
    R.check("read key: another key's webhook not listed",
            place.hook.get("id") not in [h.get("id") for h in data_of(reader.get("/webhooks")) or []],
            "listed", "GET /api/ext/v1/webhooks List webhooks for this key")
    error("read key: another key's webhook detail", reader.get(f"/webhooks/{place.hook.get('id')}"), 404, "not_found")
    # ASSUMPTION: another key's webhook cannot be changed or deleted (404, as if it did not exist).
    error("read key: another key's webhook update", reader.patch(f"/webhooks/{place.hook.get('id')}", {"active": False}),
          404, "not_found")
    error("read key: another key's webhook delete", reader.delete(f"/webhooks/{place.hook.get('id')}"), 404, "not_found")
    R.equal("another key's webhook untouched", place.snapshot()["hook"], before["hook"])


def g_scoped_key():
    if not ARGS.scoped_key:
        R.skip("scoped key", "no --scoped-key given")
        return
    board = Board()
    outsider = Http(ARGS.base_url, headers={"Authorization": f"Bearer {ARGS.scoped_key}"}, prefix=PREFIX)
    R.check("board not listed for a key without access",
            board.id not in [b.get("id") for b in data_of(outsider.get("/boards")) or []], "listed")
    error("key without access reads the board", outsider.get(board.path()), 403, "forbidden",
          "403 | Key does not have access to that board")
    error("key without access writes", outsider.post(board.path("/lanes"), {"name": "x"}), 403, "forbidden")
    place = Furnished()
    before = place.snapshot()
    for method, path, body, _is_write in place.board_endpoints():
        error(f"wrong-board key: {method} {path.replace(place.board.id, ':boardId')} refused",
              call(outsider, method, path, body), 403, "forbidden", "403 | Key does not have access to that board")
    R.equal("wrong-board key: every refused call changed nothing", place.snapshot(), before)


def g_revoked_key():
    if not ARGS.revoked_key:
        R.skip("revoked key", "no --revoked-key given")
        return
    revoked = Http(ARGS.base_url, headers={"Authorization": f"Bearer {ARGS.revoked_key}"}, prefix=PREFIX)
    place = Furnished()
    before = place.snapshot()
    doc = "`invalid_key` | Key not found or revoked"
    for method, path, body, _is_write in place.board_endpoints() + place.key_endpoints():
        error(f"revoked key: {method} {path.replace(place.board.id, ':boardId')}", call(revoked, method, path, body),
              401, "invalid_key", doc)
    R.equal("revoked key: nothing changed", place.snapshot(), before)


def g_rate_limit():
    if not (ARGS.rate_key and ARGS.rate_limit):
        R.skip("rate limit", "no --rate-key and --rate-limit given")
        return
    limited = Http(ARGS.base_url, headers={"Authorization": f"Bearer {ARGS.rate_key}"}, prefix=PREFIX)
    # A new connection per request, so a server with several processes spreads them out.
    fresh = {"Connection": "close"}
    statuses = [limited.get("/boards", headers=fresh).status_code for _ in range(ARGS.rate_limit)]
    R.check(f"{ARGS.rate_limit} requests within the limit all 200", statuses == [200] * ARGS.rate_limit,
            f"statuses {sorted(set(statuses))}, first non-200 at "
            f"{next((i for i, x in enumerate(statuses) if x != 200), None)}")
    over = limited.get("/boards", headers=fresh)
    error("the next request is limited", over, 429, "rate_limited",
          '429 response with a Retry-After header ... { "error": { "code": "rate_limited", ...')
    retry = over.headers.get("Retry-After", "")
    R.check("Retry-After in whole seconds", retry.isdigit() and int(retry) >= 1, f"Retry-After {retry!r}",
            "a Retry-After header (in seconds)")
    error("a write is limited too", limited.post("/boards", {"name": "limited"}, headers=fresh), 429, "rate_limited")
    R.status("another key is not limited by this one", api.get("/boards"), 200, "Each API key is rate limited")


GROUPS = [
    ("auth", g_auth),
    ("boards", g_boards),
    ("lanes", g_lanes),
    ("tasks", g_tasks),
    ("task filters", g_task_filters),
    ("move", g_move),
    ("comments", g_comments),
    ("todos", g_todos),
    ("turns", g_turns),
    ("webhooks", g_webhooks),
    ("read key", g_read_key),
    ("scoped key", g_scoped_key),
    ("revoked key", g_revoked_key),
    # Last: the limit's window must not be spent by the other groups.
    ("rate limit", g_rate_limit),
]

if __name__ == "__main__":
    for group_name, group_function in GROUPS:
        R.group(group_name, group_function)
    R.finish()
