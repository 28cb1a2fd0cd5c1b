"""Contract checks for the HNR Kanban API surface (/api/v1/...), as an outside client.

Written only from /work/shared/seeds/kanban-api.md; never from the server's code.

    python tests/contract/kanban_v1_client.py --base-url http://127.0.0.1:PORT [--api-key ADMIN]
        [--rate-limit N] [--skills-path /path]

Every group makes its own board(s) through POST /api/v1/boards and works with that
board's manage key, so one failing group cannot disturb another. The document limits
board creation to 10 per hour per IP (BOARD_RATE_LIMIT): run the server with a
limit of at least 60 boards per hour for this script. `--rate-limit N` adds a last
group that creates boards until the N+1st is refused with 429 RATE_LIMIT_EXCEEDED
(only meaningful on a server started with that limit and no boards made yet from
this address in the hour).

`--api-key` is Tack's admin key (TACK_API_KEY); when given, the groups create
their boards with it (so the creation limit does not apply) and the auth group
also checks that it is accepted on a board's writes. It is not needed otherwise.

Prints one line per check and ends with "N passed, M failed"; exit code 0 only
when every check passed. Assumptions where the document is vague are marked
"ASSUMPTION" next to the check.
"""

import argparse
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from contractlib import Http, Runner, body_of, describe, now_utc, parse_time, short, unique  # noqa: E402

parser = argparse.ArgumentParser(description="HNR Kanban /api/v1 contract checks")
parser.add_argument("--base-url", required=True)
parser.add_argument("--api-key", default=None, help="Tack admin key (TACK_API_KEY), optional")
parser.add_argument("--rate-limit", type=int, default=None,
                    help="the server's boards-per-hour limit; enables the rate-limit group")
parser.add_argument("--skills-path", default=None, help="path of the skills index, if known")
parser.add_argument("--check-delivery", action="store_true",
                    help="receive webhook deliveries on 127.0.0.1 (the server must allow loopback URLs)")
parser.add_argument("--only", default=None)
parser.add_argument("--verbose", action="store_true")
ARGS = parser.parse_args()

R = Runner(ARGS.only, ARGS.verbose)
V1 = "/api/v1"
http = Http(ARGS.base_url, prefix=V1)   # never sends a key unless a call passes one
root = Http(ARGS.base_url)

DEFAULT_COLUMNS = ["Backlog", "Up Next", "In Progress", "Review", "Done"]
TASK_KEYS = ["id", "board_id", "column_id", "column_name", "title", "description", "priority",
             "position", "created_by", "assigned_to", "claimed_by", "claimed_at", "labels",
             "metadata", "due_at", "completed_at", "archived_at", "created_at", "updated_at",
             "comment_count"]
COLUMN_KEYS = ["id", "name", "position", "wip_limit", "task_count"]
BOARD_KEYS = ["id", "name", "description", "columns", "task_count", "archived", "is_public",
              "require_display_name", "quick_done_column_id", "quick_done_auto_archive",
              "quick_reassign_column_id", "quick_reassign_to", "created_at", "updated_at"]
SUMMARY_KEYS = ["id", "name", "description", "task_count", "archived", "is_public", "created_at"]
ACTIVITY_KEYS = ["id", "task_id", "task_title", "event_type", "actor", "data", "created_at", "seq"]
DEPENDENCY_KEYS = ["id", "board_id", "blocker_task_id", "blocker_title", "blocker_column",
                   "blocker_completed", "blocked_task_id", "blocked_title", "blocked_column",
                   "note", "created_by", "created_at"]
WEBHOOK_KEYS = ["id", "board_id", "url", "events", "active", "failure_count",
                "last_triggered_at", "created_at"]
EVENT_TYPES = ["task.created", "task.updated", "task.deleted", "task.claimed", "task.released",
               "task.moved", "task.comment"]
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


# ----------------------------------------------------------------- a board as a client holds it

class Board:
    """A board made through the API, with its manage key."""

    def __init__(self, name=None, **fields):
        body = {"name": name or unique("board")}
        body.update(fields)
        # With Tack's admin key the per-address creation limit does not apply (Tack's design:
        # the admin key may do everything), so a run with --api-key needs no raised limit.
        admin = {"Authorization": f"Bearer {ARGS.api_key}"} if ARGS.api_key else None
        response = http.post("/boards", body, headers=admin)
        if response.status_code != 201:
            raise AssertionError(f"could not create a board: {describe(response)}")
        self.created = response.json()
        self.id = self.created["id"]
        self.key = self.created["manage_key"]
        self.columns = {c["name"]: c["id"] for c in self.created["columns"]}
        self.column_ids = [c["id"] for c in sorted(self.created["columns"], key=lambda c: c["position"])]

    @property
    def auth(self):
        return {"Authorization": f"Bearer {self.key}"}

    def path(self, rest=""):
        return f"/boards/{self.id}{rest}"

    # Writes always carry the key (Bearer) unless told otherwise.
    def post(self, rest, body=None, params=None, headers=None):
        return http.post(self.path(rest), body, params=params, headers=headers or self.auth)

    def patch(self, rest, body=None, params=None, headers=None):
        return http.patch(self.path(rest), body, params=params, headers=headers or self.auth)

    def delete(self, rest, params=None, headers=None):
        return http.delete(self.path(rest), params=params, headers=headers or self.auth)

    def get(self, rest="", params=None, headers=None):
        return http.get(self.path(rest), params=params, headers=headers)

    def task(self, title=None, **fields):
        body = {"title": title if title is not None else unique("task")}
        body.update(fields)
        response = self.post("/tasks", body)
        if response.status_code != 201:
            raise AssertionError(f"could not create a task: {describe(response)}")
        return response.json()

    def read_task(self, task_id):
        response = self.get(f"/tasks/{task_id}")
        if response.status_code != 200:
            raise AssertionError(f"could not read task: {describe(response)}")
        return response.json()

    def read(self):
        response = self.get()
        if response.status_code != 200:
            raise AssertionError(f"could not read board: {describe(response)}")
        return response.json()

    def task_ids(self, params=None):
        response = self.get("/tasks", params=params)
        if response.status_code != 200:
            raise AssertionError(f"could not list tasks: {describe(response)}")
        return [t["id"] for t in response.json()]

    def activity(self, params=None):
        response = self.get("/activity", params=params)
        if response.status_code != 200:
            raise AssertionError(f"could not read activity: {describe(response)}")
        return response.json()


def error(name, response, status, code, doc=None):
    """The documented error: status, {error, code, status} shape, the code."""
    body = body_of(response)
    codes = code if isinstance(code, (list, tuple)) else [code]
    ok = (response.status_code == status and isinstance(body, dict)
          and body.get("code") in codes and body.get("status") == status
          and isinstance(body.get("error"), str) and body.get("error") != "")
    R.check(f"{name} -> {status} {'/'.join(codes)}", ok, f"got {describe(response)}",
            doc or f"`{codes[0]}` ({status}); errors are {{error, code, status}}")
    return ok


def json_list(response):
    """The response's JSON list (of objects), or [] when it is anything else (an error body)."""
    body = body_of(response)
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


def json_obj(response):
    """The response's JSON object, or {} when it is anything else."""
    body = body_of(response)
    return body if isinstance(body, dict) else {}


def ok_status(name, response, status, doc=None):
    return R.status(name, response, status, doc)


def keys_present(name, obj, keys, doc=None):
    missing = [k for k in keys if not isinstance(obj, dict) or k not in obj]
    return R.check(name, not missing, f"missing {missing} in {short(obj)}", doc)


def message(name, response, text):
    R.check(name, response.status_code == 200 and (body_of(response) or {}).get("message") == text,
            f"expected 200 {{message: {text!r}}}, got {describe(response)}")


# ----------------------------------------------------------------- system

def g_system():
    health = http.get("/health")
    # ASSUMPTION: the System routes live under the Base URL /api/v1 (GET /api/v1/health),
    # since Tack's own /health keeps its own shape.
    ok_status("GET /api/v1/health 200", health, 200, '{ "status": "ok", "version": "0.1.0" }')
    body = body_of(health) or {}
    R.equal("health status ok", body.get("status"), "ok")
    R.check("health version is a string", isinstance(body.get("version"), str) and body.get("version"),
            f"got {body}")
    spec = http.get("/openapi.json")
    ok_status("GET /api/v1/openapi.json 200", spec, 200, "GET /openapi.json")
    document = body_of(spec) or {}
    R.check("openapi.json is an OpenAPI document", isinstance(document.get("openapi"), str)
            and isinstance(document.get("paths"), dict), f"keys {sorted(document)[:10]}")
    paths = document.get("paths") or {}
    expected = ["/boards", "/boards/{id}/tasks", "/boards/{id}/activity", "/boards/{id}/webhooks",
                "/boards/{id}/dependencies", "/boards/{id}/tasks/batch"]

    def normal(path):
        path = path[len(V1):] if path.startswith(V1) else path
        return re.sub(r"\{[^}]+\}", "{}", path)

    listed = {normal(p) for p in paths}
    missing = [p for p in expected if normal(p) not in listed]
    R.check("openapi.json documents the board, task, activity, webhook, dependency routes",
            not missing, f"missing {missing}; has {sorted(listed)[:20]}")
    llms = http.get("/llms.txt")
    ok_status("GET /api/v1/llms.txt 200", llms, 200, "GET /llms.txt")
    R.check("llms.txt is plain text", llms.headers.get("Content-Type", "").startswith("text/"),
            f"Content-Type {llms.headers.get('Content-Type')!r}")
    # ASSUMPTION: the document gives no content; a guide an LLM can act on names the board
    # routes, tasks and the manage key (either spelling).
    R.check("llms.txt explains boards, tasks and the manage key",
            all(word in llms.text for word in ("/boards", "tasks"))
            and ("manage_key" in llms.text or "manage key" in llms.text.lower()),
            f"got {short(llms.text, 200)!r}")
    # ASSUMPTION: the document does not name the skills index's path. Candidates a client
    # would try, the well-known one first; pass --skills-path to pin it.
    candidates = [ARGS.skills_path] if ARGS.skills_path else [
        "/.well-known/skills/index.json", V1 + "/skills", V1 + "/skills/index.json",
        "/skills/index.json", "/skills"]
    found = None
    for candidate in candidates:
        response = root.get(candidate)
        if response.status_code == 200 and isinstance(body_of(response), (dict, list)):
            found = (candidate, body_of(response))
            break
    R.check("a skills index answers (JSON)", found is not None, f"none of {candidates} answered 200 JSON")
    if found:
        body = found[1]
        skills = body.get("skills") if isinstance(body, dict) else body
        # ASSUMPTION: the index follows the Agent Skills discovery shape: a list of
        # {name, description, ...} (under "skills" when an object).
        R.check(f"skills index at {found[0]} lists skills with name and description",
                isinstance(skills, list) and skills
                and all(isinstance(s, dict) and s.get("name") and s.get("description") for s in skills),
                f"got {short(body)}")


# ----------------------------------------------------------------- boards

def g_board_create():
    response = http.post("/boards", {"name": "Sprint 1", "description": "Optional description",
                                     "columns": ["Todo", "Doing", "Done"], "is_public": False,
                                     "require_display_name": False})
    ok_status("POST /boards 201 without auth", response, 201, "No auth required.")
    body = body_of(response) or {}
    keys_present("create response keys", body, ["id", "name", "description", "columns", "manage_key",
                                                "view_url", "manage_url", "api_base", "created_at"])
    board_id, key = body.get("id", ""), body.get("manage_key", "")
    R.equal("name", body.get("name"), "Sprint 1")
    R.equal("description", body.get("description"), "Optional description")
    R.check("manage_key starts with kb_", isinstance(key, str) and key.startswith("kb_") and len(key) > 8,
            f"got {key!r}", '"manage_key": "kb_abc123"')
    R.equal("view_url", body.get("view_url"), f"/board/{board_id}", '"view_url": "/board/{id}"')
    R.equal("manage_url", body.get("manage_url"), f"/board/{board_id}?key={key}",
            '"manage_url": "/board/{id}?key=kb_abc123"')
    R.equal("api_base", body.get("api_base"), f"/api/v1/boards/{board_id}", '"api_base": "/api/v1/boards/{id}"')
    R.check("created_at ISO-8601", parse_time(body.get("created_at")) is not None, f"{body.get('created_at')!r}")
    columns = body.get("columns") or []
    R.equal("columns as given, in order", [c.get("name") for c in columns], ["Todo", "Doing", "Done"])
    R.equal("column positions 0..n-1", [c.get("position") for c in columns], [0, 1, 2])
    R.check("columns are ColumnResponse with wip_limit null and task_count 0",
            bool(columns) and all(all(k in c for k in COLUMN_KEYS) and c.get("wip_limit") is None and c.get("task_count") == 0
                for c in columns), f"got {columns}")
    defaults = http.post("/boards", {"name": "defaults"})
    ok_status("POST /boards with only name 201", defaults, 201, "All fields except `name` are optional.")
    R.equal("default columns", [c.get("name") for c in (body_of(defaults) or {}).get("columns", [])],
            DEFAULT_COLUMNS, "defaults to: Backlog, Up Next, In Progress, Review, Done")
    R.equal("default description is empty", (body_of(defaults) or {}).get("description"), "")
    second_key = (body_of(defaults) or {}).get("manage_key")
    R.check("each board gets its own key", bool(key) and bool(second_key) and second_key != key,
            f"{key!r} and {second_key!r}")
    error("empty name", http.post("/boards", {"name": ""}), 400, "EMPTY_NAME")
    # ASSUMPTION: a name of only spaces is empty.
    error("blank name", http.post("/boards", {"name": "   "}), 400, "EMPTY_NAME")
    # ASSUMPTION: a missing name is the same as an empty one (EMPTY_NAME), or a general INVALID_INPUT.
    error("missing name", http.post("/boards", {}), 400, ["EMPTY_NAME", "INVALID_INPUT"])
    error("name not a string", http.post("/boards", {"name": 5}), 400, "INVALID_INPUT")
    error("malformed JSON body", http.call("POST", "/boards", data="{not json",
                                           headers={"Content-Type": "application/json"}),
          400, "INVALID_INPUT")


def g_board_get():
    board = Board(columns=["A", "B"])
    response = board.get()
    ok_status("GET /boards/{id} 200 without auth", response, 200, "No auth. Returns full board details")
    body = body_of(response) or {}
    keys_present("BoardResponse keys", body, BOARD_KEYS)
    R.check("manage_key is never read back", "manage_key" not in body, "manage_key present",
            "shown only once")
    R.equal("defaults", {k: body.get(k) for k in ("archived", "is_public", "require_display_name",
                                                   "quick_done_column_id", "quick_done_auto_archive",
                                                   "quick_reassign_column_id", "quick_reassign_to",
                                                   "task_count")},
            {"archived": False, "is_public": False, "require_display_name": False,
             "quick_done_column_id": None, "quick_done_auto_archive": False,
             "quick_reassign_column_id": None, "quick_reassign_to": None, "task_count": 0})
    board.task("one")
    board.task("two", column_id=board.columns["B"])
    body = board.read()
    R.equal("task_count counts tasks", body.get("task_count"), 2)
    R.equal("column task_count", {c["name"]: c.get("task_count") for c in body.get("columns", [])},
            {"A": 1, "B": 1})
    error("unknown board", http.get(f"/boards/{UNKNOWN_ID}"), 404, "BOARD_NOT_FOUND")
    error("non-uuid board id", http.get("/boards/not-a-board"), 404, "BOARD_NOT_FOUND")


def g_board_list():
    public = Board(is_public=True)
    private = Board(is_public=False)
    response = http.get("/boards")
    ok_status("GET /boards 200", response, 200)
    listed = body_of(response) or []
    ids = [b.get("id") for b in listed]
    R.check("public board listed", public.id in ids, "missing", "Returns boards where `is_public = true`.")
    R.check("private board not listed", private.id not in ids, "listed")
    mine = [b for b in listed if b.get("id") == public.id]
    if mine:
        keys_present("BoardSummary keys", mine[0], SUMMARY_KEYS)
        R.equal("summary is_public / archived", (mine[0].get("is_public"), mine[0].get("archived")), (True, False))
    message("archive public board", public.post("/archive"), "Board archived")
    ids = [b.get("id") for b in json_list(http.get("/boards"))]
    R.check("archived board left out by default", public.id not in ids, "still listed")
    ids = [b.get("id") for b in json_list(http.get("/boards", params={"include_archived": "true"}))]
    R.check("include_archived=true lists it", public.id in ids, "missing", "GET /boards?include_archived=true")
    R.check("include_archived still hides private boards", private.id not in ids, "listed")


def g_board_update():
    board = Board(columns=["Todo", "Done"])
    done = board.columns["Done"]
    response = board.patch("", {"name": "New Name", "description": "Updated description", "is_public": True,
                                "require_display_name": True, "quick_done_column_id": done,
                                "quick_done_auto_archive": True, "quick_reassign_column_id": done,
                                "quick_reassign_to": "agent-name"})
    ok_status("PATCH /boards/{id} 200", response, 200, "Response `200`: Full `BoardResponse`.")
    body = body_of(response) or {}
    keys_present("PATCH returns BoardResponse", body, BOARD_KEYS)
    R.equal("updated fields", {k: body.get(k) for k in ("name", "description", "is_public", "require_display_name",
                                                         "quick_done_column_id", "quick_done_auto_archive",
                                                         "quick_reassign_column_id", "quick_reassign_to")},
            {"name": "New Name", "description": "Updated description", "is_public": True,
             "require_display_name": True, "quick_done_column_id": done, "quick_done_auto_archive": True,
             "quick_reassign_column_id": done, "quick_reassign_to": "agent-name"})
    R.equal("update reads back", board.read().get("name"), "New Name")
    R.check("updated_at moves", parse_time(board.read().get("updated_at")) is not None
            and parse_time(board.read().get("updated_at")) >= parse_time(board.created.get("created_at")),
            "bad updated_at")
    partial = board.patch("", {"description": "only this"})
    R.equal("fields left out are unchanged", (body_of(partial) or {}).get("name"), "New Name", "All fields optional.")
    error("quick_done_column_id not a column", board.patch("", {"quick_done_column_id": UNKNOWN_ID}),
          400, "INVALID_COLUMN", "`INVALID_COLUMN` (400, if quick_done/reassign column doesn't exist)")
    error("quick_reassign_column_id not a column", board.patch("", {"quick_reassign_column_id": UNKNOWN_ID}),
          400, "INVALID_COLUMN")
    other = Board()
    error("quick_done_column_id of another board", board.patch("", {"quick_done_column_id": other.column_ids[0]}),
          400, "INVALID_COLUMN")
    error("is_public not a boolean", board.patch("", {"is_public": "sometimes"}), 400, "INVALID_INPUT")
    # ASSUMPTION: renaming to an empty name is refused (EMPTY_NAME as on create, or INVALID_INPUT).
    error("rename to empty", board.patch("", {"name": ""}), 400, ["EMPTY_NAME", "INVALID_INPUT"])
    R.equal("refused updates changed nothing", board.read().get("name"), "New Name")
    back = board.patch("", {"quick_done_column_id": None})
    R.check("quick_done_column_id can be cleared with null", back.status_code == 200
            and (body_of(back) or {}).get("quick_done_column_id") is None, describe(back))
    error("PATCH without key", http.patch(board.path(), {"name": "x"}), 401, "UNAUTHORIZED")
    error("PATCH unknown board", http.patch(f"/boards/{UNKNOWN_ID}", {"name": "x"}, headers=board.auth),
          404, "BOARD_NOT_FOUND")


def g_board_archive():
    board = Board()
    message("archive", board.post("/archive"), "Board archived")
    R.equal("GET shows archived", board.read().get("archived"), True)
    error("archive twice", board.post("/archive"), 400, "ALREADY_ARCHIVED")
    message("unarchive", board.post("/unarchive"), "Board unarchived")
    R.equal("GET shows not archived", board.read().get("archived"), False)
    error("unarchive twice", board.post("/unarchive"), 400, "NOT_ARCHIVED")
    error("archive without key", http.post(board.path("/archive")), 401, "UNAUTHORIZED")
    error("archive unknown board", http.post(f"/boards/{UNKNOWN_ID}/archive", headers=board.auth),
          404, "BOARD_NOT_FOUND")


# ----------------------------------------------------------------- columns

def g_columns():
    board = Board(columns=["Todo", "Doing", "Done"])
    response = board.post("/columns", {"name": "In Review"})
    ok_status("create column 201", response, 201, "Response `201`: `ColumnResponse`")
    column = body_of(response) or {}
    keys_present("ColumnResponse keys", column, COLUMN_KEYS)
    R.equal("appended at the end", column.get("position"), 3, "If position is omitted, appends to the end.")
    R.equal("no WIP limit by default", column.get("wip_limit"), None)
    placed = board.post("/columns", {"name": "Second", "position": 1, "wip_limit": 5})
    ok_status("create column with position and wip_limit 201", placed, 201)
    R.equal("wip_limit set", (body_of(placed) or {}).get("wip_limit"), 5)
    order = [c["name"] for c in sorted(board.read()["columns"], key=lambda c: c["position"])]
    # ASSUMPTION: inserting at a position shifts the columns from there one to the right.
    R.equal("inserted at position 1, others shift", order, ["Todo", "Second", "Doing", "Done", "In Review"])
    positions = sorted(c["position"] for c in board.read()["columns"])
    R.equal("positions stay 0..n-1", positions, list(range(5)))
    col_id = column.get("id")
    renamed = board.patch(f"/columns/{col_id}", {"name": "Code Review", "wip_limit": 10})
    ok_status("update column 200", renamed, 200)
    R.equal("update column response", {k: (body_of(renamed) or {}).get(k) for k in ("name", "wip_limit")},
            {"name": "Code Review", "wip_limit": 10})
    cleared = board.patch(f"/columns/{col_id}", {"wip_limit": None})
    R.equal("wip_limit null removes the limit", (body_of(cleared) or {}).get("wip_limit"), None,
            "Set `wip_limit` to `null` to remove the limit.")
    R.equal("name kept when only wip_limit sent", (body_of(cleared) or {}).get("name"), "Code Review")
    error("update unknown column", board.patch(f"/columns/{UNKNOWN_ID}", {"name": "x"}), 404, "COLUMN_NOT_FOUND")
    error("create column without key", http.post(board.path("/columns"), {"name": "x"}), 401, "UNAUTHORIZED")
    # ASSUMPTION: an empty column name is a validation error.
    error("create column with empty name", board.post("/columns", {"name": ""}), 400, ["INVALID_INPUT", "EMPTY_NAME"])
    error("negative wip_limit", board.post("/columns", {"name": "neg", "wip_limit": -1}), 400, "INVALID_INPUT")

    board.task("occupant", column_id=board.columns["Doing"])
    error("delete non-empty column", board.delete(f"/columns/{board.columns['Doing']}"), 400, "COLUMN_NOT_EMPTY",
          "Column must be empty (no tasks).")
    message("delete empty column", board.delete(f"/columns/{col_id}"), "Column deleted")
    R.check("deleted column gone", col_id not in [c["id"] for c in board.read()["columns"]], "still there")
    error("delete unknown column", board.delete(f"/columns/{UNKNOWN_ID}"), 404, "COLUMN_NOT_FOUND")
    single = Board(columns=["Only"])
    error("delete the last column", single.delete(f"/columns/{single.column_ids[0]}"), 400, "LAST_COLUMN",
          "Cannot delete the last column.")


def g_columns_reorder():
    board = Board(columns=["One", "Two", "Three"])
    one, two, three = board.column_ids
    response = board.post("/columns/reorder", {"column_ids": [three, one, two]})
    ok_status("reorder 200", response, 200, "Response `200`: Array of `ColumnResponse`")
    listed = body_of(response) or []
    R.equal("reorder response in the new order", [(c.get("name"), c.get("position")) for c in listed],
            [("Three", 0), ("One", 1), ("Two", 2)], "First ID gets position 0, second gets position 1, etc.")
    order = [c["name"] for c in sorted(board.read()["columns"], key=lambda c: c["position"])]
    R.equal("board reads the new order", order, ["Three", "One", "Two"])
    error("reorder with a column missing", board.post("/columns/reorder", {"column_ids": [one, two]}),
          400, "INVALID_COLUMN_LIST")
    error("reorder with a duplicate", board.post("/columns/reorder", {"column_ids": [one, one, two]}),
          400, "INVALID_COLUMN_LIST")
    # ASSUMPTION: an id that is no column of this board gives COLUMN_NOT_FOUND (400) as listed;
    # INVALID_COLUMN_LIST is also accepted since the list then does not match.
    error("reorder with an unknown id", board.post("/columns/reorder", {"column_ids": [one, two, UNKNOWN_ID]}),
          400, ["COLUMN_NOT_FOUND", "INVALID_COLUMN_LIST"])
    order = [c["name"] for c in sorted(board.read()["columns"], key=lambda c: c["position"])]
    R.equal("refused reorders changed nothing", order, ["Three", "One", "Two"])


# ----------------------------------------------------------------- tasks

def g_task_create():
    board = Board(columns=["Todo", "Doing", "Done"])
    response = board.post("/tasks", {"title": "Implement auth", "description": "Add JWT-based authentication",
                                     "column_id": board.columns["Doing"], "priority": 2, "position": 0,
                                     "assigned_to": "Jordan", "labels": ["backend", "Security"],
                                     "metadata": {"source": "github-issue-42"},
                                     "due_at": "2026-03-01T00:00:00Z", "actor_name": "Nanook"})
    ok_status("create task 201", response, 201, "Response `201`: `TaskResponse`")
    task = body_of(response) or {}
    keys_present("TaskResponse keys", task, TASK_KEYS)
    R.equal("task fields", {k: task.get(k) for k in ("board_id", "column_id", "column_name", "title",
                                                      "description", "priority", "assigned_to",
                                                      "created_by", "metadata", "comment_count",
                                                      "claimed_by", "archived_at", "completed_at")},
            {"board_id": board.id, "column_id": board.columns["Doing"], "column_name": "Doing",
             "title": "Implement auth", "description": "Add JWT-based authentication", "priority": 2,
             "assigned_to": "Jordan", "created_by": "Nanook", "metadata": {"source": "github-issue-42"},
             "comment_count": 0, "claimed_by": None, "archived_at": None, "completed_at": None})
    R.equal("labels normalized to lowercase", task.get("labels"), ["backend", "security"])
    R.check("due_at kept", parse_time(task.get("due_at")) == parse_time("2026-03-01T00:00:00Z"),
            f"got {task.get('due_at')!r}")
    R.equal("GET task reads the same", board.read_task(task.get("id")).get("title"), "Implement auth")
    first = board.task("no column")
    R.equal("no column_id goes to the first column", first.get("column_id"), board.columns["Todo"],
            "If `column_id` is omitted, the task goes to the first column.")
    R.equal("default priority 0 (low)", first.get("priority"), 0, "0 = low (default)")
    # ASSUMPTION: without actor_name the actor is "anonymous", as the DELETE route documents.
    R.equal("created_by without actor_name is anonymous", first.get("created_by"), "anonymous")
    for word, number in (("low", 0), ("medium", 1), ("high", 2), ("critical", 3)):
        got = board.post("/tasks", {"title": f"p {word}", "priority": word})
        R.check(f"priority \"{word}\" becomes {number}", got.status_code == 201
                and (body_of(got) or {}).get("priority") == number, describe(got),
                'Also accepts strings: `"low"`, `"medium"`, `"high"`, `"critical"`.')
    spaced = board.task("labels", labels=["My Label", "UPPER Case"])
    R.equal("labels normalized with dashes", spaced.get("labels"), ["my-label", "upper-case"],
            'Labels are normalized to lowercase with dashes (e.g., "My Label" → "my-label").')
    only_description = board.post("/tasks", {"description": "just text"})
    ok_status("description without title 201", only_description, 201,
              "at least one of `title` or `description` must be non-empty")
    error("neither title nor description", board.post("/tasks", {"title": "", "description": ""}), 400, "EMPTY_TASK")
    error("empty body", board.post("/tasks", {}), 400, "EMPTY_TASK")
    # ASSUMPTION: whitespace-only text counts as empty.
    error("whitespace title only", board.post("/tasks", {"title": "   "}), 400, "EMPTY_TASK")
    error("unknown column_id", board.post("/tasks", {"title": "x", "column_id": UNKNOWN_ID}), 400, "INVALID_COLUMN")
    other = Board()
    error("column_id of another board", board.post("/tasks", {"title": "x", "column_id": other.column_ids[0]}),
          400, "INVALID_COLUMN")
    # ASSUMPTION: priorities outside 0-3 / the four names are INVALID_INPUT.
    error("priority 7", board.post("/tasks", {"title": "x", "priority": 7}), 400, "INVALID_INPUT")
    error("priority \"urgent\"", board.post("/tasks", {"title": "x", "priority": "urgent"}), 400, "INVALID_INPUT")
    error("labels not a list", board.post("/tasks", {"title": "x", "labels": "a,b"}), 400, "INVALID_INPUT")
    error("metadata not an object", board.post("/tasks", {"title": "x", "metadata": [1]}), 400, "INVALID_INPUT")
    error("due_at not a time", board.post("/tasks", {"title": "x", "due_at": "soon"}), 400, "INVALID_INPUT")
    error("create task without key", http.post(board.path("/tasks"), {"title": "x"}), 401, "UNAUTHORIZED")
    error("create task on unknown board", http.post(f"/boards/{UNKNOWN_ID}/tasks", {"title": "x"},
                                                    headers=board.auth), 404, "BOARD_NOT_FOUND")
    R.equal("refused creates made nothing", len(board.task_ids()), 8)
    error("GET unknown task", board.get(f"/tasks/{UNKNOWN_ID}"), 404, "TASK_NOT_FOUND")
    error("GET a task through another board", other.get(f"/tasks/{first.get('id')}"), 404, "TASK_NOT_FOUND")


def g_task_positions():
    board = Board(columns=["Todo", "Done"])
    a = board.task("a")
    b = board.task("b")
    c = board.task("c", position=0)
    ordered = [t["id"] for t in sorted(json_list(board.get("/tasks")), key=lambda t: t["position"])]
    R.equal("position 0 puts a new task first; others follow in creation order", ordered,
            [c["id"], a["id"], b["id"]])


def g_task_list():
    board = Board(columns=["Todo", "Doing"])
    doing = board.columns["Doing"]
    a = board.task("alpha", assigned_to="jordan", priority=2, labels=["backend"])
    b = board.task("beta", column_id=doing, assigned_to="sam", priority=1, labels=["frontend", "backend"])
    c = board.task("gamma", column_id=doing, priority=2)
    board.post(f"/tasks/{c['id']}/claim", params={"actor": "worker-1"})
    response = board.get("/tasks")
    ok_status("list tasks 200 without auth", response, 200, "No auth. Returns tasks for a board.")
    R.equal("list returns every task", sorted(board.task_ids()), sorted([a["id"], b["id"], c["id"]]))
    listed = body_of(response) or []
    if listed:
        keys_present("listed items are TaskResponse", listed[0], TASK_KEYS)

    def ids(params):
        return sorted(board.task_ids(params))

    R.equal("filter column", ids({"column": doing}), sorted([b["id"], c["id"]]), "`column` | Filter by column ID")
    R.equal("filter assigned", ids({"assigned": "jordan"}), [a["id"]])
    R.equal("filter claimed", ids({"claimed": "worker-1"}), [c["id"]])
    R.equal("filter priority", ids({"priority": 2}), sorted([a["id"], c["id"]]))
    R.equal("filter label", ids({"label": "backend"}), sorted([a["id"], b["id"]]), "(exact match)")
    R.equal("filter label exact (no prefix match)", ids({"label": "back"}), [])
    R.equal("filters combine", ids({"column": doing, "priority": 2}), [c["id"]])
    board.post(f"/tasks/{a['id']}/archive")
    R.equal("archived excluded by default", ids({}), sorted([b["id"], c["id"]]), "excluded by default")
    R.equal("archived=true includes them", ids({"archived": "true"}), sorted([a["id"], b["id"], c["id"]]))
    cut = now_utc()
    time.sleep(1.1)
    board.patch(f"/tasks/{b['id']}", {"title": "beta 2"})
    R.equal("updated_before", ids({"updated_before": cut.isoformat()}), [c["id"]],
            "only tasks with `updated_at` before this time")
    page = board.task_ids({"limit": 1})
    R.equal("limit", len(page), 1)
    second = board.task_ids({"limit": 1, "offset": 1})
    R.check("offset pages", len(second) == 1 and second != page, f"{page} then {second}")
    R.equal("offset past the end", board.task_ids({"offset": 10}), [])
    for value in ("0", "1001", "-1", "many"):
        # ASSUMPTION: a limit outside 1..1000 (or not a number) is a 400 INVALID_INPUT.
        error(f"limit={value}", board.get("/tasks", params={"limit": value}), 400, "INVALID_INPUT",
              "`limit` | Max results (default 200, max 1000)")
    # ASSUMPTION: the filter takes the integer; accepting the names create accepts is additive,
    # but a value that is neither is INVALID_INPUT.
    error("priority filter neither integer nor name", board.get("/tasks", params={"priority": "urgent"}), 400,
          "INVALID_INPUT", "`priority` | Filter by priority (integer)")
    error("updated_before not a time", board.get("/tasks", params={"updated_before": "later"}), 400, "INVALID_INPUT")
    error("list tasks of unknown board", http.get(f"/boards/{UNKNOWN_ID}/tasks"), 404, "BOARD_NOT_FOUND")


def g_task_list_default_limit():
    board = Board(columns=["Todo"])
    for i in range(205):
        got = board.post("/tasks", {"title": f"bulk {i}"})
        if got.status_code != 201:
            raise AssertionError(describe(got))
    R.equal("default limit 200", len(board.task_ids()), 200, "Max results (default 200, max 1000)")
    R.equal("limit=1000 returns all 205", len(board.task_ids({"limit": 1000})), 205)


def g_search():
    board = Board(columns=["Todo", "Doing"])
    a = board.task("Implement auth", labels=["security"], assigned_to="jordan")
    b = board.task("Write docs", description="explain the auth flow", column_id=board.columns["Doing"])
    c = board.task("Fix styles", labels=["auth"])
    board.task("Unrelated")
    response = board.get("/tasks/search", params={"q": "auth"})
    ok_status("search 200 without auth", response, 200)
    body = body_of(response) or {}
    keys_present("search response keys", body, ["query", "tasks", "total", "limit", "offset"])
    R.equal("search echo and defaults", {k: body.get(k) for k in ("query", "total", "limit", "offset")},
            {"query": "auth", "total": 3, "limit": 50, "offset": 0}, '"limit": 50, "offset": 0')
    R.equal("search matches titles, descriptions and labels",
            sorted(t.get("id") for t in body.get("tasks", [])), sorted([a["id"], b["id"], c["id"]]),
            "Full-text search across titles, descriptions, and labels.")
    narrowed = json_obj(board.get("/tasks/search", params={"q": "auth", "column": board.columns["Doing"]}))
    R.equal("search with column filter", [t["id"] for t in narrowed.get("tasks", [])], [b["id"]],
            "Additional filters (`column`, `assigned`, `claimed`, `priority`, `label`) can be combined")
    narrowed = json_obj(board.get("/tasks/search", params={"q": "auth", "assigned": "jordan"}))
    R.equal("search with assigned filter", [t["id"] for t in narrowed.get("tasks", [])], [a["id"]])
    narrowed = json_obj(board.get("/tasks/search", params={"q": "auth", "label": "auth"}))
    R.equal("search with label filter", [t["id"] for t in narrowed.get("tasks", [])], [c["id"]])
    page = json_obj(board.get("/tasks/search", params={"q": "auth", "limit": 1, "offset": 1}))
    R.check("search paging keeps total", page.get("total") == 3 and len(page.get("tasks", [])) == 1
            and page.get("limit") == 1 and page.get("offset") == 1, f"got {short(page)}")
    # ASSUMPTION: full-text search ignores case.
    R.equal("search is case-insensitive", json_obj(board.get("/tasks/search", params={"q": "AUTH"})).get("total"), 3)
    R.equal("no match is an empty result", json_obj(board.get("/tasks/search", params={"q": "zebra"})).get("tasks"), [])
    error("empty q", board.get("/tasks/search", params={"q": ""}), 400, "EMPTY_QUERY")
    error("missing q", board.get("/tasks/search"), 400, "EMPTY_QUERY", "`q` | Search query (required)")
    # ASSUMPTION: a limit outside 1-100 is INVALID_INPUT rather than silently clamped.
    error("search limit 101", board.get("/tasks/search", params={"q": "auth", "limit": 101}), 400, "INVALID_INPUT",
          "`limit` | Max results (1–100, default 50)")
    error("search limit 0", board.get("/tasks/search", params={"q": "auth", "limit": 0}), 400, "INVALID_INPUT")
    odd = board.get("/tasks/search", params={"q": "\"auth OR ( * -"})
    R.check("search text with query syntax is not an error", odd.status_code == 200, describe(odd))
    board.post(f"/tasks/{a['id']}/archive")
    # ASSUMPTION: search, like the list, leaves archived tasks out.
    R.equal("archived tasks not found by search",
            json_obj(board.get("/tasks/search", params={"q": "auth"})).get("total"), 2)
    R.check("another board's tasks are never found", json_obj(Board().get("/tasks/search", params={"q": "auth"})).get("total") == 0,
            "found tasks of another board")


def g_task_update():
    board = Board(columns=["Todo", "Doing"])
    task = board.task("Old", description="old description")
    time.sleep(0.05)
    response = board.patch(f"/tasks/{task['id']}", {"title": "Updated title", "description": "Updated description",
                                                    "column_id": board.columns["Doing"], "priority": 3,
                                                    "assigned_to": "Jordan", "labels": ["Frontend", "urgent"],
                                                    "metadata": {"sprint": 2}, "due_at": "2026-03-15T00:00:00Z",
                                                    "actor_name": "Nanook"})
    ok_status("PATCH task 200", response, 200, "Response `200`: `TaskResponse`")
    got = body_of(response) or {}
    R.equal("patched fields", {k: got.get(k) for k in ("title", "description", "column_id", "column_name",
                                                        "priority", "assigned_to", "labels", "metadata")},
            {"title": "Updated title", "description": "Updated description", "column_id": board.columns["Doing"],
             "column_name": "Doing", "priority": 3, "assigned_to": "Jordan", "labels": ["frontend", "urgent"],
             "metadata": {"sprint": 2}})
    R.check("updated_at moved", (parse_time(got.get("updated_at")) or now_utc()) > parse_time(task["updated_at"]),
            f"{task['updated_at']} -> {got.get('updated_at')}")
    R.equal("priority by name on update", (body_of(board.patch(f"/tasks/{task['id']}", {"priority": "medium"}))
                                           or {}).get("priority"), 1)
    cleared = board.patch(f"/tasks/{task['id']}", {"title": ""})
    R.check("title may be emptied while description remains", cleared.status_code == 200, describe(cleared),
            "At least one of `title` or `description` must remain non-empty after update.")
    error("emptying both", board.patch(f"/tasks/{task['id']}", {"description": ""}), 400, "EMPTY_TASK")
    R.equal("refused update changed nothing", board.read_task(task["id"]).get("description"), "Updated description")
    error("PATCH into unknown column", board.patch(f"/tasks/{task['id']}", {"column_id": UNKNOWN_ID}), 400,
          "INVALID_COLUMN")
    error("PATCH unknown task", board.patch(f"/tasks/{UNKNOWN_ID}", {"title": "x"}), 404, "TASK_NOT_FOUND")
    error("PATCH without key", http.patch(board.path(f"/tasks/{task['id']}"), {"title": "x"}), 401, "UNAUTHORIZED")
    nulled = board.patch(f"/tasks/{task['id']}", {"due_at": None, "assigned_to": None})
    R.check("due_at and assigned_to can be cleared with null", nulled.status_code == 200
            and (body_of(nulled) or {}).get("due_at") is None and (body_of(nulled) or {}).get("assigned_to") is None,
            describe(nulled))


def g_task_delete():
    board = Board()
    task = board.task("delete me")
    message("DELETE task", board.delete(f"/tasks/{task['id']}", params={"actor": "Nanook"}), "Task deleted")
    error("deleted task reads 404", board.get(f"/tasks/{task['id']}"), 404, "TASK_NOT_FOUND")
    error("delete twice", board.delete(f"/tasks/{task['id']}"), 404, "TASK_NOT_FOUND")
    plain = board.task("no actor")
    message("DELETE without actor", board.delete(f"/tasks/{plain['id']}"), "Task deleted")
    events = [e for e in board.activity() if e.get("task_id") == plain["id"] and e.get("event_type") == "deleted"]
    R.check("delete without actor is by \"anonymous\"", bool(events) and events[0].get("actor") == "anonymous",
            f"got {events}", 'The `actor` query param is optional (defaults to "anonymous").')
    kept = board.task("kept")
    error("DELETE without key", http.delete(board.path(f"/tasks/{kept['id']}")), 401, "UNAUTHORIZED")
    R.equal("refused delete kept the task", board.read_task(kept["id"]).get("title"), "kept")


# ----------------------------------------------------------------- task actions

def g_claim_release():
    board = Board()
    task = board.task("claim me")
    response = board.post(f"/tasks/{task['id']}/claim", params={"actor": "Nanook"})
    ok_status("claim 200", response, 200, "Response `200`: `TaskResponse`")
    got = body_of(response) or {}
    R.equal("claimed_by", got.get("claimed_by"), "Nanook")
    R.check("claimed_at set", parse_time(got.get("claimed_at")) is not None, f"{got.get('claimed_at')!r}")
    error("claim by another", board.post(f"/tasks/{task['id']}/claim", params={"actor": "Other"}), 409,
          "ALREADY_CLAIMED")
    R.equal("loser changed nothing", board.read_task(task["id"]).get("claimed_by"), "Nanook")
    # ASSUMPTION: the holder claiming again is not a conflict (it already holds it).
    again = board.post(f"/tasks/{task['id']}/claim", params={"actor": "Nanook"})
    R.check("holder re-claims without conflict", again.status_code == 200, describe(again))
    released = board.post(f"/tasks/{task['id']}/release", params={"actor": "Nanook"})
    ok_status("release 200", released, 200, "Response `200`: `TaskResponse`")
    R.equal("released: claimed_by null", (body_of(released) or {}).get("claimed_by"), None)
    R.equal("released: claimed_at null", (body_of(released) or {}).get("claimed_at"), None)
    taken = board.post(f"/tasks/{task['id']}/claim", params={"actor": "Other"})
    R.equal("released task can be claimed by another", (body_of(taken) or {}).get("claimed_by"), "Other")
    error("claim unknown task", board.post(f"/tasks/{UNKNOWN_ID}/claim", params={"actor": "x"}), 404,
          "TASK_NOT_FOUND")
    error("release unknown task", board.post(f"/tasks/{UNKNOWN_ID}/release", params={"actor": "x"}), 404,
          "TASK_NOT_FOUND")
    error("claim without key", http.post(board.path(f"/tasks/{task['id']}/claim"), params={"actor": "x"}), 401,
          "UNAUTHORIZED")
    types = [e.get("event_type") for e in json_list(board.get(f"/tasks/{task['id']}/events"))]
    # ASSUMPTION: task events use the SSE names without the "task." prefix (claimed, released).
    R.check("task events record claimed and released", "claimed" in types and "released" in types,
            f"event types {types}")


def g_claim_race():
    board = Board()
    task = board.task("race")
    results = []

    def claim(agent):
        response = http.post(board.path(f"/tasks/{task['id']}/claim"), params={"actor": agent}, headers=board.auth)
        results.append((agent, response.status_code, (body_of(response) or {}).get("code")))

    threads = [threading.Thread(target=claim, args=(f"agent-{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if r[1] == 200]
    losers = [r for r in results if r[1] == 409 and r[2] == "ALREADY_CLAIMED"]
    R.check("8 concurrent claims: exactly one wins, 7 get 409 ALREADY_CLAIMED",
            len(winners) == 1 and len(losers) == 7, f"results {results}",
            "Prevents other agents from claiming it.")
    if len(winners) == 1:
        R.equal("the winner holds the task", board.read_task(task["id"]).get("claimed_by"), winners[0][0])


def g_move():
    board = Board(columns=["Todo", "Doing", "Done"])
    task = board.task("move me")
    response = board.post(f"/tasks/{task['id']}/move/{board.columns['Doing']}", params={"actor": "Nanook"})
    ok_status("move 200", response, 200, "Response `200`: `TaskResponse`")
    R.equal("moved task column", {k: (body_of(response) or {}).get(k) for k in ("column_id", "column_name")},
            {"column_id": board.columns["Doing"], "column_name": "Doing"})
    plain = board.post(f"/tasks/{task['id']}/move/{board.columns['Todo']}")
    ok_status("move without actor 200", plain, 200, "The `actor` query param is optional.")
    error("move to unknown column", board.post(f"/tasks/{task['id']}/move/{UNKNOWN_ID}"), 400, "INVALID_COLUMN")
    other = Board()
    error("move to another board's column", board.post(f"/tasks/{task['id']}/move/{other.column_ids[0]}"), 400,
          "INVALID_COLUMN")
    error("move unknown task", board.post(f"/tasks/{UNKNOWN_ID}/move/{board.columns['Done']}"), 404, "TASK_NOT_FOUND")
    error("move without key", http.post(board.path(f"/tasks/{task['id']}/move/{board.columns['Done']}")), 401,
          "UNAUTHORIZED")
    R.equal("refused moves changed nothing", board.read_task(task["id"]).get("column_name"), "Todo")
    done = board.post(f"/tasks/{task['id']}/move/{board.columns['Done']}")
    # ASSUMPTION: a task in the board's last column (Done) is completed: completed_at is set,
    # and cleared when it leaves.
    R.check("moving into the last column sets completed_at",
            parse_time((body_of(done) or {}).get("completed_at")) is not None, describe(done))
    back = board.post(f"/tasks/{task['id']}/move/{board.columns['Todo']}")
    R.equal("moving out of it clears completed_at", (body_of(back) or {}).get("completed_at"), None)


def g_wip():
    board = Board(columns=["Todo", "Doing"])
    doing = board.columns["Doing"]
    board.patch(f"/columns/{doing}", {"wip_limit": 1})
    first = board.task("first", column_id=doing)
    waiting = board.task("waiting")
    error("create into a full column", board.post("/tasks", {"title": "x", "column_id": doing}), 409,
          "WIP_LIMIT_EXCEEDED", "Creating or moving a task into it returns `409 Conflict`")
    error("move into a full column", board.post(f"/tasks/{waiting['id']}/move/{doing}"), 409, "WIP_LIMIT_EXCEEDED")
    error("reorder into a full column", board.post(f"/tasks/{waiting['id']}/reorder",
                                                   {"position": 0, "column_id": doing}), 409, "WIP_LIMIT_EXCEEDED")
    # ASSUMPTION: PATCH column_id is a move and obeys the same limit.
    error("PATCH column_id into a full column", board.patch(f"/tasks/{waiting['id']}", {"column_id": doing}), 409,
          "WIP_LIMIT_EXCEEDED")
    R.equal("refused moves left the task", board.read_task(waiting["id"]).get("column_name"), "Todo")
    same = board.post(f"/tasks/{first['id']}/reorder", {"position": 0})
    R.check("reorder inside a full column is allowed", same.status_code == 200, describe(same))
    board.patch(f"/columns/{doing}", {"wip_limit": None})
    ok_status("limit removed: move allowed", board.post(f"/tasks/{waiting['id']}/move/{doing}"), 200,
              "Set `wip_limit` to `null` to remove the limit")


def g_reorder():
    board = Board(columns=["Todo", "Doing"])
    a, b, c = board.task("a"), board.task("b"), board.task("c")
    response = board.post(f"/tasks/{c['id']}/reorder", {"position": 0}, params={"actor": "Nanook"})
    ok_status("reorder 200", response, 200, "Response `200`: `TaskResponse`")
    R.equal("reordered position", (body_of(response) or {}).get("position"), 0)

    def order(column):
        tasks = [t for t in json_list(board.get("/tasks")) if t["column_id"] == board.columns[column]]
        return [t["id"] for t in sorted(tasks, key=lambda t: t["position"])]

    R.equal("task moved to the top", order("Todo"), [c["id"], a["id"], b["id"]])
    R.equal("positions stay distinct", sorted(t["position"] for t in json_list(board.get("/tasks"))), [0, 1, 2])
    d = board.task("d", column_id=board.columns["Doing"])
    moved = board.post(f"/tasks/{a['id']}/reorder", {"position": 0, "column_id": board.columns["Doing"]})
    R.equal("reorder into another column", (body_of(moved) or {}).get("column_id"), board.columns["Doing"],
            "or moves to a different column at a specific position")
    R.equal("placed at the asked position", order("Doing"), [a["id"], d["id"]])
    R.equal("old column closes ranks", order("Todo"), [c["id"], b["id"]])
    error("reorder into unknown column", board.post(f"/tasks/{b['id']}/reorder",
                                                    {"position": 0, "column_id": UNKNOWN_ID}), 400, "INVALID_COLUMN")
    error("reorder unknown task", board.post(f"/tasks/{UNKNOWN_ID}/reorder", {"position": 0}), 404, "TASK_NOT_FOUND")
    # ASSUMPTION: a negative or non-integer position is INVALID_INPUT.
    error("negative position", board.post(f"/tasks/{b['id']}/reorder", {"position": -1}), 400, "INVALID_INPUT")
    big = board.post(f"/tasks/{c['id']}/reorder", {"position": 99})
    # ASSUMPTION: a position past the end places the task last.
    R.check("position past the end places it last", big.status_code == 200 and order("Todo") == [b["id"], c["id"]],
            describe(big))


def g_task_archive():
    board = Board()
    task = board.task("archive me")
    response = board.post(f"/tasks/{task['id']}/archive", params={"actor": "Nanook"})
    ok_status("archive task 200", response, 200, "Response `200`: `TaskResponse`")
    R.check("archived_at set", parse_time((body_of(response) or {}).get("archived_at")) is not None, describe(response))
    R.check("archived task left out of the list", task["id"] not in board.task_ids(), "still listed")
    R.check("archived=true includes it", task["id"] in board.task_ids({"archived": "true"}), "missing")
    R.equal("GET still reads an archived task", board.read_task(task["id"]).get("id"), task["id"])
    back = board.post(f"/tasks/{task['id']}/unarchive", params={"actor": "Nanook"})
    ok_status("unarchive 200", back, 200)
    R.equal("unarchive clears archived_at", (body_of(back) or {}).get("archived_at"), None)
    R.check("unarchived task listed again", task["id"] in board.task_ids(), "missing")
    error("archive unknown task", board.post(f"/tasks/{UNKNOWN_ID}/archive"), 404, "TASK_NOT_FOUND")
    error("archive without key", http.post(board.path(f"/tasks/{task['id']}/archive")), 401, "UNAUTHORIZED")


# ----------------------------------------------------------------- batch

def g_batch():
    board = Board(columns=["Todo", "Done"])
    done = board.columns["Done"]
    t = [board.task(f"t{i}") for i in range(1, 6)]
    response = board.post("/tasks/batch", {"actor_name": "Nanook", "operations": [
        {"action": "move", "task_ids": [t[0]["id"], t[1]["id"]], "column_id": done},
        {"action": "update", "task_ids": [t[2]["id"]], "priority": 3, "assigned_to": "Jordan",
         "labels": ["Urgent"], "due_at": "2026-03-01T00:00:00Z"},
        {"action": "delete", "task_ids": [t[3]["id"], t[4]["id"]]}]})
    ok_status("batch 200", response, 200)
    body = body_of(response) or {}
    R.equal("batch totals", {k: body.get(k) for k in ("total", "succeeded", "failed")},
            {"total": 3, "succeeded": 3, "failed": 0})
    documented = ("action", "task_ids", "success", "affected")
    R.equal("batch results", [{k: r.get(k) for k in documented} for r in body.get("results") or []], [
        {"action": "move", "task_ids": [t[0]["id"], t[1]["id"]], "success": True, "affected": 2},
        {"action": "update", "task_ids": [t[2]["id"]], "success": True, "affected": 1},
        {"action": "delete", "task_ids": [t[3]["id"], t[4]["id"]], "success": True, "affected": 2}])
    R.equal("batch move applied", board.read_task(t[0]["id"]).get("column_id"), done)
    updated = board.read_task(t[2]["id"])
    R.equal("batch update applied", (updated.get("priority"), updated.get("assigned_to"), updated.get("labels")),
            (3, "Jordan", ["urgent"]))
    error("batch-deleted task gone", board.get(f"/tasks/{t[3]['id']}"), 404, "TASK_NOT_FOUND")
    # ASSUMPTION: an operation naming a task that does not exist fails on its own
    # (success false, counted in `failed`) while the other operations apply.
    mixed = board.post("/tasks/batch", {"actor_name": "Nanook", "operations": [
        {"action": "move", "task_ids": [UNKNOWN_ID], "column_id": done},
        {"action": "update", "task_ids": [t[0]["id"]], "priority": 1}]})
    body = body_of(mixed) or {}
    R.check("a failing operation does not stop the others", mixed.status_code == 200
            and body.get("failed") == 1 and body.get("succeeded") == 1
            and (body.get("results") or [{}])[0].get("success") is False, describe(mixed))
    R.equal("the good operation applied", board.read_task(t[0]["id"]).get("priority"), 1)
    error("empty operations", board.post("/tasks/batch", {"operations": []}), 400, "EMPTY_BATCH")
    error("no operations key", board.post("/tasks/batch", {}), 400, "EMPTY_BATCH")
    fifty = [{"action": "update", "task_ids": [t[0]["id"]], "priority": 0}] * 50
    ok_status("50 operations allowed", board.post("/tasks/batch", {"operations": fifty}), 200, "(max 50 operations)")
    # ASSUMPTION: more than 50 operations is INVALID_INPUT and applies nothing.
    error("51 operations", board.post("/tasks/batch", {"operations": fifty + [
        {"action": "update", "task_ids": [t[0]["id"]], "priority": 3}]}), 400, "INVALID_INPUT")
    R.equal("refused batch applied nothing", board.read_task(t[0]["id"]).get("priority"), 0)
    unknown = board.post("/tasks/batch", {"operations": [{"action": "explode", "task_ids": [t[0]["id"]]}]})
    # ASSUMPTION: an unknown action is refused, either for the whole request (400 INVALID_INPUT)
    # or as that one operation failing (success false, counted in `failed`).
    body = json_obj(unknown)
    whole = unknown.status_code == 400 and body.get("code") == "INVALID_INPUT" and body.get("status") == 400
    one = (unknown.status_code == 200 and body.get("failed") == 1 and body.get("succeeded") == 0
           and (body.get("results") or [{}])[0].get("success") is False)
    R.check("unknown action refused (400 INVALID_INPUT, or that operation fails)", whole or one, describe(unknown),
            "**Actions:** `move`, `update`, `delete`")
    error("batch without key", http.post(board.path("/tasks/batch"), {"operations": fifty[:1]}), 401, "UNAUTHORIZED")
    board.patch(f"/columns/{done}", {"wip_limit": 2})
    t6 = board.task("t6")
    wip = board.post("/tasks/batch", {"operations": [{"action": "move", "task_ids": [t6["id"]], "column_id": done}]})
    R.check("batch move obeys the WIP limit (operation fails)", wip.status_code in (200, 409)
            and board.read_task(t6["id"]).get("column_id") != done, describe(wip))


# ----------------------------------------------------------------- comments, events, activity

def g_comments():
    board = Board()
    task = board.task("discuss")
    response = board.post(f"/tasks/{task['id']}/comment",
                          {"message": "This looks good. @Jordan can you review?", "actor_name": "Nanook"})
    ok_status("comment 201", response, 201)
    body = body_of(response) or {}
    keys_present("comment event keys", body, ["id", "event_type", "actor", "data", "created_at"])
    R.equal("comment event", {k: body.get(k) for k in ("event_type", "actor")}, {"event_type": "comment", "actor": "Nanook"})
    R.equal("comment data", body.get("data"), {"message": "This looks good. @Jordan can you review?",
                                               "actor": "Nanook", "mentions": ["Jordan"]})
    quoted = board.post(f"/tasks/{task['id']}/comment",
                        {"message": 'Ping @"Quoted Name" and @sam, thanks', "actor_name": "Nanook"})
    R.equal("quoted and plain mentions", sorted((body_of(quoted) or {}).get("data", {}).get("mentions", [])),
            ["Quoted Name", "sam"], 'Use `@Name` or `@"Quoted Name"` in comment text.')
    none = board.post(f"/tasks/{task['id']}/comment", {"message": "mail me at a@b.c", "actor_name": "Nanook"})
    # ASSUMPTION: an @ inside a word (an e-mail address) is not a mention.
    R.equal("e-mail address is not a mention", (body_of(none) or {}).get("data", {}).get("mentions"), [])
    R.equal("comment_count counts comments", board.read_task(task["id"]).get("comment_count"), 3)
    error("empty message", board.post(f"/tasks/{task['id']}/comment", {"message": "", "actor_name": "x"}), 400,
          "EMPTY_MESSAGE")
    error("blank message", board.post(f"/tasks/{task['id']}/comment", {"message": "  ", "actor_name": "x"}), 400,
          "EMPTY_MESSAGE")
    error("comment on unknown task", board.post(f"/tasks/{UNKNOWN_ID}/comment", {"message": "x"}), 404,
          "TASK_NOT_FOUND")
    error("comment without key", http.post(board.path(f"/tasks/{task['id']}/comment"), {"message": "x"}), 401,
          "UNAUTHORIZED")
    events = board.get(f"/tasks/{task['id']}/events")
    ok_status("task events 200 without auth", events, 200, "No auth. Returns the complete activity log")
    listed = body_of(events) or []
    types = [e.get("event_type") for e in listed]
    R.check("task events include created and the comments", "created" in types and types.count("comment") == 3,
            f"types {types}")
    if listed:
        keys_present("TaskEventResponse keys", listed[0], ["id", "event_type", "actor", "data", "created_at"])
    error("events of unknown task", board.get(f"/tasks/{UNKNOWN_ID}/events"), 404, "TASK_NOT_FOUND")
    # A comment answers with its own event, even right after a deleted task took its comments along.
    doomed = board.task("doomed")
    old = json_obj(board.post(f"/tasks/{doomed['id']}/comment", {"message": "on the doomed task", "actor_name": "Doomed"}))
    board.delete(f"/tasks/{doomed['id']}")
    fresh = board.post(f"/tasks/{task['id']}/comment", {"message": "fresh comment", "actor_name": "Fresh"})
    got = json_obj(fresh)
    R.check("comment after a deleted task's comment answers with its own event",
            got.get("id") not in (None, old.get("id")) and got.get("actor") == "Fresh", f"deleted task's comment event "
            f"{short(old)}; new comment answered {describe(fresh)}", "Response `201`: {id: event-uuid, ...}")
    own = [e for e in json_list(board.get(f"/tasks/{task['id']}/events")) if e.get("id") == got.get("id")]
    R.check("the answered event id is in the task's events", len(own) == 1 and own[0].get("actor") == "Fresh",
            f"got {short(own)}")


def g_activity():
    board = Board(columns=["Todo", "Done"])
    task = board.task("Implement auth", actor_name="Nanook")
    board.post(f"/tasks/{task['id']}/move/{board.columns['Done']}", params={"actor": "Nanook"})
    for i in range(12):
        board.post(f"/tasks/{task['id']}/comment", {"message": f"note {i} @Jordan" if i == 11 else f"note {i}",
                                                    "actor_name": "Nanook"})
    # The document gives no default limit; ask for enough to see all 15 events.
    response = board.get("/activity", params={"limit": 100})
    ok_status("activity 200 without auth", response, 200)
    items = body_of(response) or []
    R.check("activity items carry the documented keys",
            bool(items) and all(all(k in i for k in ACTIVITY_KEYS) for i in items),
            f"first {short(items[:1])}")
    seqs = [i.get("seq") for i in items]
    R.check("seq are integers, all distinct", bool(seqs) and all(isinstance(s, int) for s in seqs) and len(set(seqs)) == len(seqs),
            f"seqs {seqs}")
    created = [i for i in items if i.get("event_type") == "created"]
    R.check("created event has a full task snapshot", bool(created) and isinstance(created[0].get("task"), dict)
            and all(k in created[0]["task"] for k in TASK_KEYS), f"got {short(created[:1])}",
            "`created` events include a full `task` snapshot")
    R.check("created event task_title", bool(created) and created[0].get("task_title") == "Implement auth",
            f"got {short(created[:1])}")
    comments = [i for i in items if i.get("event_type") == "comment"]
    last = max(comments, key=lambda i: i.get("seq", 0)) if comments else {}
    recent = last.get("recent_comments") or []
    R.check("comment event has task, recent_comments and mentions",
            isinstance(last.get("task"), dict) and isinstance(last.get("recent_comments"), list)
            and last.get("mentions") == ["Jordan"], f"got {short(last)}",
            "`comment` events include `task` snapshot, `recent_comments` (last 10, newest first), and `mentions`")
    R.equal("recent_comments are the last 10, newest first", [c.get("message") for c in recent],
            [f"note {i} @Jordan" if i == 11 else f"note {i}" for i in range(11, 1, -1)])
    if recent:
        keys_present("recent comment keys", recent[0], ["id", "actor", "message", "created_at"])
    moved = [i for i in items if i.get("event_type") == "moved"]
    R.check("moved event is lean (no task snapshot)", bool(moved) and not moved[0].get("task")
            and not moved[0].get("recent_comments"), f"got {short(moved[:1])}",
            "Other event types (`moved`, `archived`, `updated`, `deleted`) are lean (no snapshots)")
    # Cursor: after the highest seq nothing; after an earlier seq only the newer ones.
    top = max(seqs) if seqs else 0
    R.equal("after=<highest seq> returns nothing new", board.activity({"after": top}), [],
            "Store the highest `seq` from the response and use `?after={seq}` on the next poll.")
    board.patch(f"/tasks/{task['id']}", {"title": "Implement auth v2"})
    newer = board.activity({"after": top})
    R.check("after=<seq> returns only newer events", len(newer) == 1 and newer[0].get("seq", 0) > top
            and newer[0].get("event_type") == "updated", f"got {short(newer)}")
    # ASSUMPTION: with `after`, events come oldest first (a cursor reads forward).
    forward = board.activity({"after": 0, "limit": 5})
    forward_seqs = [i.get("seq") for i in forward]
    R.check("after=0&limit=5 reads the first five, oldest first", forward_seqs == sorted(forward_seqs)
            and len(forward_seqs) == 5 and forward[0].get("event_type") == "created", f"got {short(forward)}")
    R.equal("limit", len(board.activity({"limit": 3})), 3, "`limit` | Max results")
    mentioned = board.activity({"mentioned": "Jordan"})
    R.check("mentioned=Jordan returns only events mentioning Jordan", len(mentioned) == 1
            and "Jordan" in (mentioned[0].get("mentions") or mentioned[0].get("data", {}).get("mentions", [])),
            f"got {short(mentioned)}", "`mentioned` | Filter to events mentioning this name")
    since = now_utc()
    time.sleep(1.1)
    board.post(f"/tasks/{task['id']}/comment", {"message": "after since", "actor_name": "Nanook"})
    recent_items = board.activity({"since": since.isoformat()})
    R.check("since=<time> returns only later events", len(recent_items) == 1
            and recent_items[0].get("data", {}).get("message") == "after since", f"got {short(recent_items)}",
            "`since` | ISO-8601 timestamp — only events after this time")
    other = Board()
    other.task("elsewhere")
    elsewhere = other.activity()
    R.check("activity is per board", bool(elsewhere) and all(i.get("task_id") != task["id"] for i in elsewhere),
            f"got {short(elsewhere)}")
    error("after not a number", board.get("/activity", params={"after": "x"}), 400, "INVALID_INPUT")
    error("since not a time", board.get("/activity", params={"since": "yesterday"}), 400, "INVALID_INPUT")
    error("activity of unknown board", http.get(f"/boards/{UNKNOWN_ID}/activity"), 404, "BOARD_NOT_FOUND")


def g_sse():
    board = Board()
    url = f"{ARGS.base_url.rstrip('/')}{V1}{board.path('/events/stream')}"
    import requests
    seen = []
    try:
        # A short read timeout ends the wait if nothing arrives; chunk_size=1 hands each
        # line over as it comes instead of waiting for a full buffer.
        with requests.get(url, stream=True, timeout=(5, 8)) as response:
            # Not R.status: describing a response reads its body, which never ends here.
            R.check("event stream 200 without auth", response.status_code == 200,
                    f"got status {response.status_code}", "No auth. Server-Sent Events stream")
            R.check("event stream content type", response.headers.get("Content-Type", "").startswith("text/event-stream"),
                    f"Content-Type {response.headers.get('Content-Type')!r}")
            creator = threading.Timer(0.5, lambda: board.task("streamed"))
            creator.start()
            deadline = time.time() + 15
            for line in response.iter_lines(chunk_size=1, decode_unicode=True):
                if line:
                    seen.append(line)
                created_at = next((i for i, l in enumerate(seen) if l.startswith("event:") and "task.created" in l), None)
                # Read on to the data line of the task.created event, then stop.
                if created_at is not None and any(l.startswith("data:") for l in seen[created_at:]):
                    break
                if time.time() > deadline:
                    break
            creator.join()
    except requests.RequestException as problem:
        seen.append(f"error: {problem}")
    R.check("task.created arrives on the stream", any(l.startswith("event:") and "task.created" in l for l in seen),
            f"lines {seen[:10]}", "`task.created` | A task is created")
    created_at = next((i for i, l in enumerate(seen) if l.startswith("event:") and "task.created" in l), len(seen))
    data_lines = [l for l in seen[created_at:] if l.startswith("data:")]
    parsed = None
    for line in data_lines:
        try:
            parsed = json.loads(line[5:].strip())
        except ValueError:
            continue
    R.check("stream data is JSON", parsed is not None, f"data lines {data_lines[:3]}")
    error("stream of unknown board", http.get(f"/boards/{UNKNOWN_ID}/events/stream"), 404, "BOARD_NOT_FOUND")


# ----------------------------------------------------------------- dependencies

def g_dependencies():
    board = Board(columns=["Backlog", "In Progress", "Done"])
    blocker = board.task("Implement auth", column_id=board.columns["In Progress"])
    blocked = board.task("Add API routes")
    third = board.task("Unrelated")
    response = board.post("/dependencies", {"blocker_task_id": blocker["id"], "blocked_task_id": blocked["id"],
                                            "note": "Auth must be done before API routes"},
                          headers={**board.auth})
    ok_status("create dependency 201", response, 201, "Response `201`: `DependencyResponse`")
    dep = body_of(response) or {}
    keys_present("DependencyResponse keys", dep, DEPENDENCY_KEYS)
    R.equal("dependency fields", {k: dep.get(k) for k in ("board_id", "blocker_task_id", "blocker_title",
                                                           "blocker_column", "blocker_completed", "blocked_task_id",
                                                           "blocked_title", "blocked_column", "note")},
            {"board_id": board.id, "blocker_task_id": blocker["id"], "blocker_title": "Implement auth",
             "blocker_column": "In Progress", "blocker_completed": False, "blocked_task_id": blocked["id"],
             "blocked_title": "Add API routes", "blocked_column": "Backlog",
             "note": "Auth must be done before API routes"})
    other_dep = board.post("/dependencies", {"blocker_task_id": third["id"], "blocked_task_id": blocker["id"]})
    ok_status("second dependency 201", other_dep, 201)
    listed = board.get("/dependencies")
    ok_status("list dependencies 200 without auth", listed, 200)
    R.equal("list has both", len(json_list(listed)), 2)
    only = json_list(board.get("/dependencies", params={"task": blocked["id"]}))
    R.equal("?task= filters to the task as blocked", [d.get("id") for d in only], [dep.get("id")],
            "returns dependencies where the task is blocker or blocked")
    both = json_list(board.get("/dependencies", params={"task": blocker["id"]}))
    R.equal("?task= includes the task as blocker and as blocked", len(both), 2)
    board.post(f"/tasks/{blocker['id']}/move/{board.columns['Done']}")
    after = [d for d in json_list(board.get("/dependencies")) if d.get("id") == dep.get("id")]
    # ASSUMPTION: a blocker moved into the board's last (Done) column reads as completed.
    R.check("blocker_completed once the blocker is done", bool(after) and after[0].get("blocker_completed") is True
            and after[0].get("blocker_column") == "Done", f"got {short(after)}")
    # ASSUMPTION: the refusals below use the documented codes closest to their meaning.
    error("dependency on itself", board.post("/dependencies", {"blocker_task_id": third["id"],
                                                               "blocked_task_id": third["id"]}), 400, "INVALID_INPUT")
    error("dependency with unknown task", board.post("/dependencies", {"blocker_task_id": UNKNOWN_ID,
                                                                       "blocked_task_id": third["id"]}),
          404, "TASK_NOT_FOUND")
    error("dependency that closes a cycle", board.post("/dependencies", {"blocker_task_id": blocked["id"],
                                                                         "blocked_task_id": third["id"]}),
          400, "INVALID_INPUT")
    error("dependency missing a field", board.post("/dependencies", {"blocker_task_id": third["id"]}), 400,
          "INVALID_INPUT")
    error("create dependency without key", http.post(board.path("/dependencies"),
                                                     {"blocker_task_id": third["id"], "blocked_task_id": blocked["id"]}),
          401, "UNAUTHORIZED")
    message("delete dependency", board.delete(f"/dependencies/{dep.get('id')}"), "Dependency deleted")
    R.equal("deleted dependency gone", [d.get("id") for d in json_list(board.get("/dependencies"))],
            [(body_of(other_dep) or {}).get("id")])
    # ASSUMPTION: deleting an unknown dependency is a 404; the document lists no code for it.
    unknown = board.delete(f"/dependencies/{UNKNOWN_ID}")
    R.check("delete unknown dependency 404 in the error shape", unknown.status_code == 404
            and isinstance(body_of(unknown), dict) and (body_of(unknown) or {}).get("status") == 404, describe(unknown))
    deleted_task = board.task("goes away")
    board.post("/dependencies", {"blocker_task_id": deleted_task["id"], "blocked_task_id": third["id"]})
    board.delete(f"/tasks/{deleted_task['id']}")
    R.check("deleting a task removes its dependencies",
            all(deleted_task["id"] not in (d.get("blocker_task_id"), d.get("blocked_task_id"))
                for d in json_list(board.get("/dependencies"))), "dangling dependency")


# ----------------------------------------------------------------- webhooks

def g_webhooks():
    board = Board()
    response = board.post("/webhooks", {"url": "https://example.com/webhook", "events": ["task.created", "task.moved"]})
    ok_status("create webhook 201", response, 201)
    hook = body_of(response) or {}
    keys_present("webhook keys incl. secret", hook, WEBHOOK_KEYS + ["secret"])
    R.equal("webhook fields", {k: hook.get(k) for k in ("board_id", "url", "events", "active", "failure_count",
                                                         "last_triggered_at")},
            {"board_id": board.id, "url": "https://example.com/webhook", "events": ["task.created", "task.moved"],
             "active": True, "failure_count": 0, "last_triggered_at": None})
    # ASSUMPTION: the secret keeps the documented prefix whsec_.
    R.check("secret starts with whsec_", str(hook.get("secret", "")).startswith("whsec_"), f"got {hook.get('secret')!r}",
            '"secret": "whsec_abc123"')
    everything = board.post("/webhooks", {"url": "https://example.com/all", "events": []})
    ok_status("webhook with no events 201", everything, 201, "If `events` is empty, all event types are delivered.")
    listed = board.get("/webhooks", headers=board.auth)
    ok_status("list webhooks 200 with key", listed, 200)
    items = json_list(listed)
    R.equal("both webhooks listed", sorted(h.get("id") for h in items),
            sorted([hook.get("id"), (body_of(everything) or {}).get("id")]))
    R.check("list never shows the secret", bool(items) and all("secret" not in h for h in items), f"got {short(items)}",
            "Array of `WebhookResponse` (without `secret`)")
    if items:
        keys_present("WebhookResponse keys", items[0], WEBHOOK_KEYS)
    error("list webhooks without key", board.get("/webhooks"), 401, "UNAUTHORIZED", "🔑 Auth required.")
    updated = board.patch(f"/webhooks/{hook.get('id')}", {"url": "https://new-url.com/webhook",
                                                          "events": ["task.created"], "active": False})
    ok_status("update webhook 200", updated, 200)
    R.equal("updated webhook", {k: (body_of(updated) or {}).get(k) for k in ("url", "events", "active")},
            {"url": "https://new-url.com/webhook", "events": ["task.created"], "active": False})
    R.check("update does not reveal the secret", "secret" not in (body_of(updated) or {}), "secret shown")
    reactivated = board.patch(f"/webhooks/{hook.get('id')}", {"active": True})
    R.equal("re-enable via PATCH active true", (body_of(reactivated) or {}).get("active"), True)
    error("create with empty url", board.post("/webhooks", {"url": "", "events": []}), 400, "EMPTY_URL")
    error("create without url", board.post("/webhooks", {"events": []}), 400, ["EMPTY_URL", "INVALID_INPUT"])
    error("create with unknown event type", board.post("/webhooks", {"url": "https://example.com/x",
                                                                     "events": ["task.exploded"]}),
          400, "INVALID_EVENT_TYPE")
    error("update to empty url", board.patch(f"/webhooks/{hook.get('id')}", {"url": ""}), 400, "EMPTY_URL")
    error("update with unknown event type", board.patch(f"/webhooks/{hook.get('id')}", {"events": ["nope"]}), 400,
          "INVALID_EVENT_TYPE")
    # ASSUMPTION: a url that is not http(s) is INVALID_INPUT (outbound URLs are checked).
    error("create with a non-http url", board.post("/webhooks", {"url": "file:///etc/passwd"}), 400, "INVALID_INPUT")
    error("create webhook without key", http.post(board.path("/webhooks"), {"url": "https://example.com/x"}), 401,
          "UNAUTHORIZED")
    all_types = board.post("/webhooks", {"url": "https://example.com/types", "events": EVENT_TYPES})
    ok_status("every documented event type accepted", all_types, 201)
    other = Board()
    # ASSUMPTION: another board's webhook id is not found through this board (404).
    foreign = other.patch(f"/webhooks/{hook.get('id')}", {"active": False})
    R.check("another board cannot touch this webhook", foreign.status_code == 404, describe(foreign))
    message("delete webhook", board.delete(f"/webhooks/{hook.get('id')}"), "Webhook deleted")
    R.check("deleted webhook gone", hook.get("id") not in [h.get("id") for h in json_list(board.get("/webhooks", headers=board.auth))],
            "still listed")
    gone = board.delete(f"/webhooks/{hook.get('id')}")
    R.check("delete unknown webhook 404", gone.status_code == 404, describe(gone))


def g_webhook_delivery():
    if not ARGS.check_delivery:
        R.skip("webhook delivery", "no --check-delivery given")
        return
    import hashlib
    import hmac
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server hook name
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append((dict(self.headers), raw))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):  # keep the check's output to one line per check
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        board = Board()
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        made = json_obj(board.post("/webhooks", {"url": url, "events": ["task.created"]}))
        secret = made.get("secret") or ""
        task = board.task("Fix bug")
        board.patch(f"/tasks/{task['id']}", {"title": "Fix bug (not delivered: task.updated not subscribed)"})
        deadline = time.time() + 30
        while time.time() < deadline and not received:
            time.sleep(0.5)
        time.sleep(2)  # let a wrongly delivered task.updated arrive too
        R.check("a task.created delivery arrives (asynchronous, within 30 s)", bool(received), "nothing received",
                "Asynchronous delivery")
        if not received:
            return
        headers, raw = received[0]
        headers = {k.lower(): v for k, v in headers.items()}
        expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        R.equal("X-Kanban-Signature is the HMAC-SHA256 of the body", headers.get("x-kanban-signature"), expected,
                "`X-Kanban-Signature: sha256=<hex-digest>` (HMAC-SHA256 of body using webhook secret)")
        R.equal("X-Kanban-Event", headers.get("x-kanban-event"), "task.created")
        R.equal("X-Kanban-Board", headers.get("x-kanban-board"), board.id)
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = {}
        R.check("payload {event, board_id, data: {title, task_id}, timestamp}",
                payload.get("event") == "task.created" and payload.get("board_id") == board.id
                and (payload.get("data") or {}).get("task_id") == task["id"]
                and (payload.get("data") or {}).get("title") == "Fix bug"
                and parse_time(payload.get("timestamp")) is not None, f"got {short(payload)}")
        events = [h.get("X-Kanban-Event") or h.get("x-kanban-event") for h, _ in received]
        R.equal("only subscribed events are delivered", events, ["task.created"],
                '"events": ["task.created", "task.moved"]')
        listed = [h for h in json_list(board.get("/webhooks", headers=board.auth)) if h.get("id") == made.get("id")]
        R.check("last_triggered_at set after a delivery", bool(listed) and parse_time(listed[0].get("last_triggered_at")),
                f"got {short(listed)}")
    finally:
        receiver.shutdown()


# ----------------------------------------------------------------- display names

def g_display_name():
    board = Board(columns=["Todo", "Done"], require_display_name=True)
    done = board.columns["Done"]
    code = "DISPLAY_NAME_REQUIRED"
    doc = ("Boards with `require_display_name: true` reject write operations that don't include a "
           "non-empty, non-\"anonymous\" actor name.")
    error("create task without actor_name", board.post("/tasks", {"title": "x"}), 400, code, doc)
    error("create task as anonymous", board.post("/tasks", {"title": "x", "actor_name": "anonymous"}), 400, code, doc)
    error("create task with blank actor", board.post("/tasks", {"title": "x", "actor_name": "  "}), 400, code, doc)
    task = board.task("named", actor_name="Nanook")
    R.equal("created_by is the actor", task.get("created_by"), "Nanook")
    tid = task["id"]
    error("update without actor", board.patch(f"/tasks/{tid}", {"title": "y"}), 400, code, doc)
    ok_status("update with actor", board.patch(f"/tasks/{tid}", {"title": "y", "actor_name": "Nanook"}), 200)
    error("move without actor", board.post(f"/tasks/{tid}/move/{done}"), 400, code, doc)
    ok_status("move with actor", board.post(f"/tasks/{tid}/move/{done}", params={"actor": "Nanook"}), 200)
    error("claim without actor", board.post(f"/tasks/{tid}/claim"), 400, code, doc)
    error("claim as anonymous", board.post(f"/tasks/{tid}/claim", params={"actor": "anonymous"}), 400, code, doc)
    ok_status("claim with actor", board.post(f"/tasks/{tid}/claim", params={"actor": "Nanook"}), 200)
    error("release without actor", board.post(f"/tasks/{tid}/release"), 400, code, doc)
    ok_status("release with actor", board.post(f"/tasks/{tid}/release", params={"actor": "Nanook"}), 200)
    error("reorder without actor", board.post(f"/tasks/{tid}/reorder", {"position": 0}), 400, code, doc)
    error("archive without actor", board.post(f"/tasks/{tid}/archive"), 400, code, doc)
    error("unarchive without actor", board.post(f"/tasks/{tid}/unarchive"), 400, code, doc)
    error("comment without actor_name", board.post(f"/tasks/{tid}/comment", {"message": "hi"}), 400, code, doc)
    ok_status("comment with actor_name", board.post(f"/tasks/{tid}/comment", {"message": "hi", "actor_name": "N"}), 201)
    error("batch without actor_name", board.post("/tasks/batch", {"operations": [
        {"action": "update", "task_ids": [tid], "priority": 1}]}), 400, code, doc)
    error("delete without actor", board.delete(f"/tasks/{tid}"), 400, code, doc)
    R.equal("refused writes left the task", board.read_task(tid).get("title"), "y")
    message("delete with actor", board.delete(f"/tasks/{tid}", params={"actor": "Nanook"}), "Task deleted")


# ----------------------------------------------------------------- auth

def g_auth():
    board = Board()
    other = Board()
    body = {"title": "auth"}
    R.status("Authorization: Bearer accepted",
             http.post(board.path("/tasks"), body, headers={"Authorization": f"Bearer {board.key}"}), 201,
             "`Authorization: Bearer kb_abc123`")
    R.status("X-API-Key accepted", http.post(board.path("/tasks"), body, headers={"X-API-Key": board.key}), 201,
             "`X-API-Key: kb_abc123`")
    R.status("?key= accepted", http.post(board.path("/tasks"), body, params={"key": board.key}), 201,
             "`?key=` query param")
    error("no key", http.post(board.path("/tasks"), body), 401, "UNAUTHORIZED", "Missing or invalid manage key")
    error("wrong key", http.post(board.path("/tasks"), body, headers={"Authorization": "Bearer kb_wrong"}), 401,
          "UNAUTHORIZED")
    error("wrong X-API-Key", http.post(board.path("/tasks"), body, headers={"X-API-Key": board.key + "x"}), 401,
          "UNAUTHORIZED")
    # ASSUMPTION: another board's manage key is an invalid key here (401, the only auth code documented).
    error("another board's key", http.post(board.path("/tasks"), body, headers={"Authorization": f"Bearer {other.key}"}),
          401, "UNAUTHORIZED")
    # "checked in order": the header wins over the query parameter.
    good_header = http.post(board.path("/tasks"), body, headers={"Authorization": f"Bearer {board.key}"},
                            params={"key": "kb_wrong"})
    R.check("Authorization header is checked first (wins over a bad ?key=)", good_header.status_code == 201,
            describe(good_header), "The manage key can be sent three ways (checked in order)")
    error("Basic scheme is not a bearer key", http.post(board.path("/tasks"), body,
                                                        headers={"Authorization": f"Basic {board.key}"}),
          401, "UNAUTHORIZED")
    R.equal("three authorized creates, nothing else", board.read().get("task_count"), 4)
    R.status("reads need no key: board", http.get(board.path()), 200, "Read operations (GET) → public")
    R.status("reads need no key: tasks", http.get(board.path("/tasks")), 200)
    R.status("reads need no key: activity", http.get(board.path("/activity")), 200)
    R.status("reads need no key: dependencies", http.get(board.path("/dependencies")), 200)
    R.status("private board readable by id", http.get(board.path()), 200,
             "Read operations (GET) → public, just need the board UUID")
    error("unarchive without key", http.post(board.path("/unarchive")), 401, "UNAUTHORIZED")
    error("column reorder without key", http.post(board.path("/columns/reorder"), {"column_ids": board.column_ids}),
          401, "UNAUTHORIZED")
    error("delete column with another board's key", http.delete(board.path(f"/columns/{board.column_ids[0]}"),
                                                                headers={"X-API-Key": other.key}), 401, "UNAUTHORIZED")
    if ARGS.api_key:
        R.status("Tack admin key accepted on any board (design: TACK_API_KEY is the admin key)",
                 http.post(board.path("/tasks"), body, headers={"Authorization": f"Bearer {ARGS.api_key}"}), 201)
    else:
        R.skip("admin key", "no --api-key given")


def g_rate_limit():
    if not ARGS.rate_limit:
        R.skip("rate limit", "no --rate-limit given")
        return
    statuses = []
    refused = None
    for _ in range(ARGS.rate_limit + 1):
        response = http.post("/boards", {"name": unique("rl")})
        statuses.append(response.status_code)
        if response.status_code == 429:
            refused = response
            break
    R.check(f"board creation refused within {ARGS.rate_limit + 1} tries", refused is not None,
            f"statuses {statuses}", "10 boards per hour per IP (configurable via `BOARD_RATE_LIMIT` env var)")
    if refused is not None:
        error("over the limit", refused, 429, "RATE_LIMIT_EXCEEDED")


GROUPS = [
    ("system", g_system),
    ("board create", g_board_create),
    ("board get", g_board_get),
    ("board list", g_board_list),
    ("board update", g_board_update),
    ("board archive", g_board_archive),
    ("columns", g_columns),
    ("columns reorder", g_columns_reorder),
    ("task create", g_task_create),
    ("task positions", g_task_positions),
    ("task list", g_task_list),
    ("task list default limit", g_task_list_default_limit),
    ("search", g_search),
    ("task update", g_task_update),
    ("task delete", g_task_delete),
    ("claim release", g_claim_release),
    ("claim race", g_claim_race),
    ("move", g_move),
    ("wip", g_wip),
    ("reorder", g_reorder),
    ("task archive", g_task_archive),
    ("batch", g_batch),
    ("comments", g_comments),
    ("activity", g_activity),
    ("sse", g_sse),
    ("dependencies", g_dependencies),
    ("webhooks", g_webhooks),
    ("webhook delivery", g_webhook_delivery),
    ("display name", g_display_name),
    ("auth", g_auth),
    ("rate limit", g_rate_limit),
]

if __name__ == "__main__":
    for group_name, group_function in GROUPS:
        R.group(group_name, group_function)
    R.finish()
