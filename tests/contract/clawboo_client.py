"""Contract checks for the Clawboo board API surface (/clawboo/api/board/...).

Written only from /work/shared/seeds/clawboo-board-api.md and clawboo-notes.md;
never from the server's code.

    python tests/contract/clawboo_client.py --base-url http://127.0.0.1:PORT [--key K]

--key  a key with edit on the boards this run makes (Tack's admin key, or an
       access key for all boards). The Clawboo document runs on localhost without
       auth; on Tack every write names a key, so it is sent as
       `Authorization: Bearer K`. Without --key the auth group is skipped.

Every group makes its own team (a board of the clawboo workflow) through
POST /clawboo/api/teams. Prints one line per check and ends with
"N passed, M failed"; exit code 0 only when every check passed. Assumptions where
the documents are vague are marked "ASSUMPTION" next to the check.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from contractlib import Http, Runner, body_of, describe, short, unique  # noqa: E402

parser = argparse.ArgumentParser(description="Clawboo board contract checks")
parser.add_argument("--base-url", required=True)
parser.add_argument("--key", default=None, help="key sent as Authorization: Bearer on every call")
parser.add_argument("--only", default=None)
parser.add_argument("--verbose", action="store_true")
ARGS = parser.parse_args()

R = Runner(ARGS.only, ARGS.verbose)
PREFIX = "/clawboo/api"
api = Http(ARGS.base_url, headers={"Authorization": f"Bearer {ARGS.key}"} if ARGS.key else {}, prefix=PREFIX)
bare = Http(ARGS.base_url, prefix=PREFIX)
STATUSES = ["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"]
LEGAL = {
    "backlog": {"todo", "blocked", "cancelled"},
    "todo": {"in_progress", "blocked", "backlog", "cancelled"},
    "in_progress": {"in_review", "done", "blocked", "todo", "cancelled"},
    "in_review": {"done", "in_progress", "blocked", "cancelled"},
    "blocked": {"todo", "in_progress", "backlog", "cancelled"},
    "done": set(),
    "cancelled": set(),
}
UNKNOWN_ID = "task-does-not-exist-0000"


def ok_false(name, response, status, error_word, doc):
    """{ "ok": false, "error": "<word>" } with the status."""
    body = body_of(response)
    good = response.status_code == status and isinstance(body, dict) and body.get("ok") is False \
        and body.get("error") == error_word
    R.check(f"{name} -> {status} {error_word}", good, f"got {describe(response)}", doc)
    return good


def invalid(name, response):
    """A body the schema refuses: 400 with a details object."""
    body = body_of(response)
    good = response.status_code == 400 and isinstance(body, dict) and isinstance(body.get("details"), (dict, list))
    R.check(f"{name} -> 400 with details", good, f"got {describe(response)}",
            "an invalid body returns 400 with a details object carrying the schema errors")
    return good


def team():
    response = api.post("/teams", {"name": unique("team")})
    if response.status_code != 201:
        raise AssertionError(f"could not create a team: {describe(response)}")
    return response.json()["team"]["id"]


def create(team_id, title=None, **fields):
    body = {"title": title or unique("task"), "teamId": team_id}
    body.update(fields)
    response = api.post("/board", body)
    if response.status_code != 200:
        raise AssertionError(f"could not create a task: {describe(response)}")
    return response.json()["task"]


def read(task_id):
    response = api.get(f"/board/{task_id}")
    if response.status_code != 200:
        raise AssertionError(f"could not read task: {describe(response)}")
    return response.json()


def listing(params):
    response = api.get("/board", params=params)
    if response.status_code != 200:
        raise AssertionError(f"could not list: {describe(response)}")
    return response.json()["tasks"]


def claim(task_id, agent="agent-1", runtime="claude-code"):
    return api.post(f"/board/{task_id}/claim", {"assigneeAgentId": agent, "assigneeRuntime": runtime})


# ----------------------------------------------------------------- groups

def g_teams():
    name = unique("Team")
    response = api.post("/teams", {"name": name})
    R.status("create team 201", response, 201, 'answers 201 `{"team": {"id", "name"}}`')
    made = (body_of(response) or {}).get("team") or {}
    R.check("team has id and name", bool(made.get("id")) and made.get("name") == name, describe(response))
    listed = api.get("/teams")
    R.status("list teams 200", listed, 200)
    teams = (body_of(listed) or {}).get("teams")
    R.check("team listed", isinstance(teams, list) and made.get("id") in [t.get("id") for t in teams],
            f"got {short(body_of(listed))}", '`GET /clawboo/api/teams` answers `{"teams": [...]}`')
    # ASSUMPTION: a team without a name is refused like any invalid body.
    invalid("team without name", api.post("/teams", {}))


def g_create():
    team_id = team()
    response = api.post("/board", {"title": "Implement /api/foo", "teamId": team_id, "priority": 1,
                                   "description": "details"})
    R.status("create task 200", response, 200, 'Response 200 OK { "task": { "<DbTask>" } }')
    task = (body_of(response) or {}).get("task") or {}
    # ASSUMPTION: DbTask carries at least id, title, description, status, priority (names as in the request).
    R.equal("created task fields", {k: task.get(k) for k in ("title", "description", "status", "priority")},
            {"title": "Implement /api/foo", "description": "details", "status": "todo", "priority": 1},
            'Defaults to status: "todo" (immediately claimable).')
    R.check("task has an id", bool(task.get("id")), f"got {short(task)}")
    backlog = api.post("/board", {"title": "triage", "teamId": team_id, "status": "backlog"})
    R.equal("status backlog on create", ((body_of(backlog) or {}).get("task") or {}).get("status"), "backlog",
            'Pass status: "backlog" for triage.')
    for status in STATUSES:
        made = api.post("/board", {"title": f"s {status}", "teamId": team_id, "status": status})
        R.equal(f"initial status {status} accepted", ((body_of(made) or {}).get("task") or {}).get("status"), status,
                "Initial status. Defaults to \"todo\". One of the seven task statuses.")
    R.status("title of 500 chars", api.post("/board", {"title": "t" * 500, "teamId": team_id}), 200, "Task title. 1–500 chars.")
    invalid("title of 501 chars", api.post("/board", {"title": "t" * 501, "teamId": team_id}))
    invalid("empty title", api.post("/board", {"title": "", "teamId": team_id}))
    invalid("missing title", api.post("/board", {"teamId": team_id}))
    R.status("description of 20000 chars", api.post("/board", {"title": "d", "description": "d" * 20000,
                                                               "teamId": team_id}), 200, "Up to 20,000 chars.")
    invalid("description of 20001 chars", api.post("/board", {"title": "d", "description": "d" * 20001,
                                                              "teamId": team_id}))
    invalid("unknown status", api.post("/board", {"title": "x", "status": "doing", "teamId": team_id}))
    invalid("priority not an integer", api.post("/board", {"title": "x", "priority": 1.5, "teamId": team_id}))
    invalid("priority a string", api.post("/board", {"title": "x", "priority": "high", "teamId": team_id}))
    # ASSUMPTION: a teamId that names no team is refused (400 details or 404 not_found).
    unknown_team = api.post("/board", {"title": "x", "teamId": "no-such-team"})
    R.check("unknown teamId refused", unknown_team.status_code in (400, 404), describe(unknown_team))
    default = api.post("/board", {"title": "no team"})
    R.status("task without teamId 200 (default team)", default, 200, "Tasks created without `teamId` go to a default team.")


def g_list():
    team_id = team()
    other_team = team()
    a = create(team_id, "a", priority=1)
    b = create(team_id, "b", priority=5)
    c = create(team_id, "c", status="backlog")
    d = create(team_id, "d", status="in_progress")
    elsewhere = create(other_team, "elsewhere")
    response = api.get("/board", params={"teamId": team_id})
    R.status("list 200", response, 200, "tasks DbTask[]")
    tasks = (body_of(response) or {}).get("tasks") or []
    R.equal("teamId scopes the list", sorted(t.get("id") for t in tasks), sorted([a["id"], b["id"], c["id"], d["id"]]))
    R.equal("newest updatedAt first", [t.get("id") for t in tasks], [d["id"], c["id"], b["id"], a["id"]],
            "The task list, newest updatedAt first.")
    R.equal("status filter", [t.get("id") for t in listing({"teamId": team_id, "status": "backlog"})], [c["id"]])
    ready = [t.get("id") for t in listing({"teamId": team_id, "ready": "true"})]
    R.equal("ready: todo only, highest priority first", ready, [b["id"], a["id"]],
            "The ready variant orders by priority then updatedAt.")
    R.equal("ready ignores status", [t.get("id") for t in listing({"teamId": team_id, "ready": "true",
                                                                   "status": "backlog"})], [b["id"], a["id"]],
            "Ignored when ready=true.")
    everything = [t.get("id") for t in listing({})]
    R.check("no teamId lists all teams", a["id"] in everything and elsewhere["id"] in everything, "missing",
            "Omit for all teams.")
    invalid("unknown status filter", api.get("/board", params={"teamId": team_id, "status": "doing"}))


def g_ready_deps():
    team_id = team()
    step1 = create(team_id, "step 1")
    step2 = create(team_id, "step 2", priority=9)
    response = api.post(f"/board/{step2['id']}/deps", {"dependsOnTaskId": step1["id"]})
    # ASSUMPTION: linking answers 200 (the document shows no body for it).
    R.status("link dependency 200", response, 200)
    ready = [t.get("id") for t in listing({"teamId": team_id, "ready": "true"})]
    R.equal("a task with an undone dependency is not ready", ready, [step1["id"]],
            "returns only tasks whose dependencies are all done")
    again = api.post(f"/board/{step2['id']}/deps", {"dependsOnTaskId": step1["id"]})
    R.status("re-linking is harmless", again, 200, "Re-linking an existing dependency is harmless.")
    api.patch(f"/board/{step1['id']}", {"status": "in_progress"})
    api.patch(f"/board/{step1['id']}", {"status": "done"})
    ready = [t.get("id") for t in listing({"teamId": team_id, "ready": "true"})]
    R.equal("ready once the dependency is done", ready, [step2["id"]])
    missing = api.post(f"/board/{step2['id']}/deps", {"dependsOnTaskId": UNKNOWN_ID})
    R.check("dependency on an unknown task refused (404)", missing.status_code == 404, describe(missing),
            "The id of the blocking task. Both tasks must exist.")
    invalid("dependency without dependsOnTaskId", api.post(f"/board/{step2['id']}/deps", {}))
    # ASSUMPTION: a task cannot depend on itself (400).
    R.check("self-dependency refused", api.post(f"/board/{step2['id']}/deps",
                                                {"dependsOnTaskId": step2["id"]}).status_code == 400, "accepted")


def g_claim():
    team_id = team()
    task = create(team_id, "claim me")
    response = claim(task["id"], "native-leader-abc", "clawboo-native")
    R.status("claim 200", response, 200, '200 OK — the claim won; the task is now in_progress: { "ok": true, "task": ... }')
    body = body_of(response) or {}
    R.equal("claim ok true", body.get("ok"), True)
    won = body.get("task") or {}
    R.equal("claimed task in_progress", won.get("status"), "in_progress")
    # ASSUMPTION: DbTask names the assignee assigneeAgentId / assigneeRuntime, as the request does.
    R.equal("assignee recorded", (won.get("assigneeAgentId"), won.get("assigneeRuntime")),
            ("native-leader-abc", "clawboo-native"))
    ok_false("second claim", claim(task["id"], "someone-else"), 409, "conflict",
             '409 Conflict — the task was not in a claimable state: { "ok": false, "error": "conflict" }')
    R.equal("loser changed nothing", (read(task["id"]).get("task") or {}).get("assigneeAgentId"), "native-leader-abc")
    ok_false("claim unknown task", claim(UNKNOWN_ID), 404, "not_found",
             '404 Not Found — the task does not exist: { "ok": false, "error": "not_found" }')
    backlog = create(team_id, "triage", status="backlog")
    ok_false("claim a backlog task", claim(backlog["id"]), 409, "conflict", "Atomically claims a todo task")
    invalid("claim with empty assigneeAgentId", api.post(f"/board/{create(team_id)['id']}/claim",
                                                         {"assigneeAgentId": ""}))
    invalid("claim without assigneeAgentId", api.post(f"/board/{create(team_id)['id']}/claim", {}))


def g_claim_race():
    team_id = team()
    tasks = [create(team_id, f"race {n}") for n in range(4)]
    results = {task["id"]: [] for task in tasks}
    barrier = threading.Barrier(32)
    lock = threading.Lock()

    def attempt(number):
        own = Http(ARGS.base_url, headers=dict(api.headers), prefix=PREFIX)  # a session per thread
        agent = f"agent-{number}"
        order = tasks[number % len(tasks):] + tasks[:number % len(tasks)]
        barrier.wait()
        for task in order:
            response = own.post(f"/board/{task['id']}/claim", {"assigneeAgentId": agent,
                                                                 "assigneeRuntime": "claude-code"})
            with lock:
                results[task["id"]].append((agent, response.status_code, (body_of(response) or {}).get("error")))

    threads = [threading.Thread(target=attempt, args=(number,)) for number in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for number, task in enumerate(tasks):
        outcome = results[task["id"]]
        winners = [r for r in outcome if r[1] == 200]
        losers = [r for r in outcome if r[1] == 409 and r[2] == "conflict"]
        R.check(f"task {number}: 32 concurrent claims, one wins, 31 get 409 conflict",
                len(winners) == 1 and len(losers) == 31,
                f"statuses {sorted((r[1], r[2]) for r in outcome if r[1] != 409)} winners {winners}",
                "At most one caller wins — the task flips to in_progress and the loser gets 409.")
        if len(winners) == 1:
            got = read(task["id"]).get("task") or {}
            R.equal(f"task {number}: the winner is the assignee, in_progress",
                    (got.get("assigneeAgentId"), got.get("status")), (winners[0][0], "in_progress"))


def status_task(team_id, status):
    return create(team_id, f"from {status}", status=status)


def g_transitions():
    team_id = team()
    for source in STATUSES:
        for target in STATUSES:
            task = status_task(team_id, source)
            response = api.patch(f"/board/{task['id']}", {"status": target})
            name = f"{source} -> {target}"
            if target == source:
                R.check(f"{name} (same status) is an allowed no-op", response.status_code == 200
                        and ((body_of(response) or {}).get("task") or {}).get("status") == source,
                        describe(response), "A same-status change is an allowed no-op.")
            elif target in LEGAL[source]:
                R.check(f"{name} legal", response.status_code == 200 and (body_of(response) or {}).get("ok") is True
                        and ((body_of(response) or {}).get("task") or {}).get("status") == target,
                        describe(response), "| from | legal targets |")
            else:
                ok_false(f"{name} illegal", response, 409, "illegal_transition",
                         '409 Conflict — illegal transition: { "ok": false, "error": "illegal_transition" }')
                R.equal(f"{name} refused: status unchanged", (read(task["id"]).get("task") or {}).get("status"), source)


def g_patch():
    team_id = team()
    task = create(team_id, "edit me", priority=1)
    response = api.patch(f"/board/{task['id']}", {"priority": 5, "title": "Updated title"})
    R.status("edit priority and title 200", response, 200)
    R.equal("edits applied", {k: ((body_of(response) or {}).get("task") or {}).get(k) for k in ("priority", "title")},
            {"priority": 5, "title": "Updated title"})
    invalid("empty PATCH", api.patch(f"/board/{task['id']}", {}))
    invalid("title of 501 chars", api.patch(f"/board/{task['id']}", {"title": "t" * 501}))
    invalid("unknown status", api.patch(f"/board/{task['id']}", {"status": "doing"}))
    missing = api.patch(f"/board/{UNKNOWN_ID}", {"title": "x"})
    R.check("PATCH unknown task 404", missing.status_code == 404, describe(missing))
    claimed = create(team_id, "release me")
    claim(claimed["id"], "agent-x", "claude-code")
    released = api.patch(f"/board/{claimed['id']}", {"status": "todo"})
    got = (body_of(released) or {}).get("task") or {}
    R.check("in_progress -> todo releases: assignee and runtime cleared", released.status_code == 200
            and got.get("status") == "todo" and not got.get("assigneeAgentId") and not got.get("assigneeRuntime"),
            describe(released), "in_progress -> todo is the release path: it clears the assignee, the assignee runtime")
    R.status("released task can be claimed again", claim(claimed["id"], "agent-y"), 200)
    done = api.patch(f"/board/{claimed['id']}", {"status": "done"})
    R.check("unverified task lands done", done.status_code == 200
            and ((body_of(done) or {}).get("task") or {}).get("status") == "done", describe(done),
            "A task with no stored verification verdict is unverified, not failing — it lands done normally.")
    forced = create(team_id, "override", status="in_review")
    override = api.patch(f"/board/{forced['id']}", {"status": "done", "humanOverride": True})
    R.status("done with humanOverride 200", override, 200, "Pass humanOverride: true to bypass the gate")


def g_get_and_comments():
    team_id = team()
    parent = create(team_id, "parent")
    child = create(team_id, "child", parentTaskId=parent["id"])
    grandchild = create(team_id, "grandchild", parentTaskId=child["id"])
    response = api.get(f"/board/{grandchild['id']}")
    R.status("get task 200", response, 200)
    body = body_of(response) or {}
    R.check("get has task, comments, ancestors", isinstance(body.get("task"), dict)
            and isinstance(body.get("comments"), list) and isinstance(body.get("ancestors"), list), f"got {short(body)}")
    ancestors = body.get("ancestors") or []
    # ASSUMPTION: the chain is listed nearest parent first.
    R.equal("ancestors walk the parent chain", [a.get("id") for a in ancestors], [child["id"], parent["id"]],
            "its ancestor chain (parent-task lineage)")
    if ancestors:
        R.equal("ancestor fields", {k: ancestors[0].get(k) for k in ("id", "parent_task_id", "title", "status")},
                {"id": child["id"], "parent_task_id": parent["id"], "title": "child", "status": "todo"})
    invalid("parentTaskId of an unknown task", api.post("/board", {"title": "orphan", "teamId": team_id,
                                                                   "parentTaskId": UNKNOWN_ID}))
    # ASSUMPTION: the comment request uses the comment's own field names (body, authorAgentId,
    # authorType); it answers 200 or 201.
    first = api.post(f"/board/{parent['id']}/comments", {"body": "first", "authorAgentId": "agent-1",
                                                         "authorType": "agent"})
    R.check("add comment 200/201", first.status_code in (200, 201), describe(first))
    api.post(f"/board/{parent['id']}/comments", {"body": "second", "authorType": "user"})
    comments = (read(parent["id"]).get("comments")) or []
    R.equal("comments oldest first", [c.get("body") for c in comments], ["first", "second"],
            "Returns one task with its comments (oldest first)")
    if comments:
        R.equal("comment fields", {k: comments[0].get(k) for k in ("taskId", "authorAgentId", "authorType", "body")},
                {"taskId": parent["id"], "authorAgentId": "agent-1", "authorType": "agent", "body": "first"})
        R.check("createdAt is a number", isinstance(comments[0].get("createdAt"), (int, float)),
                f"got {comments[0].get('createdAt')!r}", "createdAt: number")
    invalid("comment with empty body", api.post(f"/board/{parent['id']}/comments", {"body": ""}))
    invalid("comment with unknown authorType", api.post(f"/board/{parent['id']}/comments",
                                                        {"body": "x", "authorType": "robot"}))
    missing = api.get(f"/board/{UNKNOWN_ID}")
    R.check("get unknown task 404", missing.status_code == 404, describe(missing))


def g_executions():
    team_id = team()
    task = create(team_id, "run me")
    claim(task["id"], "agent-1", "claude-code")
    response = api.post(f"/board/{task['id']}/executions", {"executorType": "claude-code", "beforeCommit": "abc123",
                                                            "runReason": "first run"})
    R.status("open execution 200", response, 200)
    body = body_of(response) or {}
    execution = body.get("execution") or {}
    keys = ["id", "taskId", "executorType", "status", "beforeCommit", "afterCommit", "inputTokens", "outputTokens",
            "costUsd", "summary", "error", "createdAt"]
    R.check("execution carries the documented fields", body.get("ok") is True and all(k in execution for k in keys),
            f"got {short(body)}")
    R.equal("execution starts running", (execution.get("status"), execution.get("taskId"), execution.get("beforeCommit")),
            ("running", task["id"], "abc123"), 'The created execution row starts in status: "running"')
    invalid("execution without executorType", api.post(f"/board/{task['id']}/executions", {}))
    invalid("executorType of 101 chars", api.post(f"/board/{task['id']}/executions", {"executorType": "x" * 101}))
    closed = api.patch(f"/board/executions/{execution.get('id')}", {"status": "succeeded", "inputTokens": 1200,
                                                                    "outputTokens": 340, "costUsd": 0.012,
                                                                    "afterCommit": "def456", "summary": "done"})
    R.status("close execution 200", closed, 200)
    invalid("close with status running", api.patch(f"/board/executions/{execution.get('id')}", {"status": "running"}))
    invalid("close without status", api.patch(f"/board/executions/{execution.get('id')}", {"summary": "x"}))
    missing = api.patch("/board/executions/no-such-exec", {"status": "failed"})
    R.check("close unknown execution 404", missing.status_code == 404, describe(missing))
    second = api.post(f"/board/{task['id']}/executions", {"executorType": "clawboo-native"})
    listed = api.get(f"/board/{task['id']}/executions")
    R.status("list executions 200", listed, 200)
    raw = body_of(listed)
    # ASSUMPTION: the ledger is {executions: [...]} (a bare list is accepted too).
    rows = raw.get("executions") if isinstance(raw, dict) else raw
    rows = rows or []
    R.equal("ledger oldest first", [r.get("id") for r in rows],
            [execution.get("id"), ((body_of(second) or {}).get("execution") or {}).get("id")],
            "Lists a task's execution-process rows (the full run ledger), oldest first.")
    if rows:
        R.equal("closed execution's outcome", {k: rows[0].get(k) for k in ("status", "inputTokens", "outputTokens",
                                                                             "costUsd", "afterCommit", "summary")},
                {"status": "succeeded", "inputTokens": 1200, "outputTokens": 340, "costUsd": 0.012,
                 "afterCommit": "def456", "summary": "done"})


def g_cancel_dependents():
    team_id = team()
    failed = create(team_id, "failed", status="in_progress")
    b = create(team_id, "b")
    c = create(team_id, "c", status="backlog")
    running = create(team_id, "running", status="in_progress")
    finished = create(team_id, "finished", status="done")
    untouched = create(team_id, "unrelated")
    api.post(f"/board/{b['id']}/deps", {"dependsOnTaskId": failed["id"]})
    api.post(f"/board/{c['id']}/deps", {"dependsOnTaskId": b["id"]})
    api.post(f"/board/{running['id']}/deps", {"dependsOnTaskId": failed["id"]})
    api.post(f"/board/{finished['id']}/deps", {"dependsOnTaskId": failed["id"]})
    response = api.post(f"/board/{failed['id']}/cancel-dependents")
    R.status("cancel-dependents 200", response, 200, '{ "cancelled": [{ "id": "<task-id>", "title": "..." }] }')
    cancelled = (body_of(response) or {}).get("cancelled") or []
    R.equal("transitive todo/backlog dependents cancelled", sorted((t.get("id"), t.get("title")) for t in cancelled),
            sorted([(b["id"], "b"), (c["id"], "c")]), "Cancels still-pending (todo/backlog) transitive dependents")
    statuses = {name: (read(t["id"]).get("task") or {}).get("status")
                for name, t in (("b", b), ("c", c), ("running", running), ("finished", finished), ("unrelated", untouched))}
    R.equal("statuses after", statuses, {"b": "cancelled", "c": "cancelled", "running": "in_progress",
                                         "finished": "done", "unrelated": "todo"},
            "Dependents already in_progress, done, or cancelled are left untouched.")
    again = api.post(f"/board/{failed['id']}/cancel-dependents")
    R.equal("second call cancels nothing", (body_of(again) or {}).get("cancelled"), [])


def verdict(task_id, value, detail=""):
    # ASSUMPTION: the contract document does not say how a verdict is stored; Tack documents
    # PUT /clawboo/api/board/:taskId/verification {"verdict", "detail"} (docs/clawboo.md).
    return api.call("PUT", f"/board/{task_id}/verification", json_body={"verdict": value, "detail": detail})


def overrides_of(task_id):
    # ASSUMPTION: the audit log is read at GET /clawboo/api/audit/overrides?taskId= (docs/clawboo.md).
    response = api.get("/audit/overrides", params={"taskId": task_id})
    if response.status_code != 200:
        raise AssertionError(f"could not read the audit log: {describe(response)}")
    return (body_of(response) or {}).get("overrides")


def g_gate():
    team_id = team()
    task = create(team_id, "gated")
    claim(task["id"], "agent-1", "claude-code")
    stored = verdict(task["id"], "failing", "3 tests fail")
    R.status("store a failing verdict 200", stored, 200)
    R.equal("task carries the verdict", (((body_of(stored) or {}).get("task") or {}).get("verificationVerdict")),
            "failing")
    ok_false("in_progress -> done with a failing verdict", api.patch(f"/board/{task['id']}", {"status": "done"}),
             409, "verification_required",
             "a task with a failing deterministic verdict is rejected with 409 verification_required")
    R.equal("refused: still in_progress", (read(task["id"]).get("task") or {}).get("status"), "in_progress")
    R.status("in_progress -> in_review still legal", api.patch(f"/board/{task['id']}", {"status": "in_review"}), 200)
    ok_false("in_review -> done with a failing verdict", api.patch(f"/board/{task['id']}", {"status": "done"}),
             409, "verification_required", "When the target status is done, the verification gate applies")
    ok_false("humanOverride false is no override", api.patch(f"/board/{task['id']}", {"status": "done",
                                                                                        "humanOverride": False}),
             409, "verification_required", "Pass humanOverride: true to bypass the gate")
    R.equal("no override logged for refused moves", overrides_of(task["id"]), [])
    forced = api.patch(f"/board/{task['id']}", {"status": "done", "humanOverride": True, "overriddenBy": "alice",
                                                "overrideReason": "flaky test, verified by hand"})
    R.check("done with humanOverride 200", forced.status_code == 200
            and ((body_of(forced) or {}).get("task") or {}).get("status") == "done", describe(forced),
            "Pass humanOverride: true to bypass the gate; the override is recorded in the governance audit log.")
    log = overrides_of(task["id"]) or []
    R.check("the override is in the audit log: who, when, which task, the verdict it overrode",
            len(log) == 1 and log[0].get("taskId") == task["id"] and log[0].get("overriddenBy") == "alice"
            and log[0].get("overriddenVerdict") == "failing" and isinstance(log[0].get("createdAt"), (int, float))
            and log[0].get("reason") == "flaky test, verified by hand", f"got {short(log)}",
            "the override is recorded in the governance audit log")
    team_log = (body_of(api.get("/audit/overrides", params={"teamId": team_id})) or {}).get("overrides") or []
    R.check("the team's audit log lists it", task["id"] in [o.get("taskId") for o in team_log], f"got {short(team_log)}")
    plain = create(team_id, "override without a reason")
    claim(plain["id"])
    verdict(plain["id"], "failing")
    bare_override = api.patch(f"/board/{plain['id']}", {"status": "done", "humanOverride": True})
    R.status("the document's override body (no reason) 200", bare_override, 200,
             '-d \'{"status":"done","humanOverride":true}\'')
    R.equal("logged too", len(overrides_of(plain["id"]) or []), 1)
    released = create(team_id, "released")
    claim(released["id"], "agent-2", "codex")
    verdict(released["id"], "failing", "lint")
    back = api.patch(f"/board/{released['id']}", {"status": "todo"})
    got = (body_of(back) or {}).get("task") or {}
    R.check("moving back to todo clears assignee and verdict", back.status_code == 200 and got.get("status") == "todo"
            and not got.get("assigneeAgentId") and got.get("verificationVerdict") in (None, "unverified"),
            describe(back), "Moving a task back to todo clears the assignee and verdict.")
    claim(released["id"], "agent-3")
    landed = api.patch(f"/board/{released['id']}", {"status": "done"})
    R.status("after the release the verdict no longer blocks done", landed, 200)
    green = create(team_id, "green")
    claim(green["id"])
    verdict(green["id"], "passing")
    R.status("a passing verdict lands done", api.patch(f"/board/{green['id']}", {"status": "done"}), 200)
    R.equal("no override logged without an override", overrides_of(green["id"]), [])
    invalid("unknown verdict", verdict(green["id"], "maybe"))
    ok_false("verdict on an unknown task", verdict(UNKNOWN_ID, "failing"), 404, "not_found", "404 Not Found")


def g_graph():
    team_id = team()
    a, b, c = create(team_id, "a"), create(team_id, "b"), create(team_id, "c")
    api.post(f"/board/{b['id']}/deps", {"dependsOnTaskId": a["id"]})
    api.post(f"/board/{c['id']}/deps", {"dependsOnTaskId": b["id"]})
    # ASSUMPTION: a link that would close a cycle is refused with {ok: false} (Tack: 409 cycle).
    for name, task, on in (("two-step cycle", a, b), ("three-step cycle", a, c)):
        refused = api.post(f"/board/{task['id']}/deps", {"dependsOnTaskId": on["id"]})
        body = body_of(refused) or {}
        R.check(f"{name} refused", refused.status_code in (400, 409) and body.get("ok") is False
                and isinstance(body.get("error"), str), describe(refused))
    R.equal("only the root is ready", [t.get("id") for t in listing({"teamId": team_id, "ready": "true"})], [a["id"]])
    # ASSUMPTION: soft-delete is Tack's DELETE /clawboo/api/board/:taskId (docs/clawboo.md).
    dropped = create(team_id, "dropped")
    R.status("drop a task 200", api.delete(f"/board/{dropped['id']}"), 200)
    R.check("a dropped task is not listed", dropped["id"] not in [t.get("id") for t in listing({"teamId": team_id})],
            "listed")
    R.check("includeDropped=true lists it", dropped["id"] in [t.get("id") for t in listing(
        {"teamId": team_id, "includeDropped": "true"})], "missing", "Pass \"true\" to include soft-deleted tasks.")
    R.check("a dropped task is never ready", dropped["id"] not in [t.get("id") for t in listing(
        {"teamId": team_id, "ready": "true", "includeDropped": "true"})], "ready",
        "Overrides status and includeDropped.")
    ok_false("a dropped task cannot be claimed", claim(dropped["id"]), 409, "conflict",
             "One conditional update: status todo, no assignee, not dropped.")
    # ASSUMPTION: past the delegation depth limit a subtask is refused with {ok: false}.
    parent, depth, refused = create(team_id, "depth 1"), 1, None
    while depth < 30:
        response = api.post("/board", {"title": f"depth {depth + 1}", "teamId": team_id, "parentTaskId": parent["id"]})
        if response.status_code != 200:
            refused = response
            break
        parent, depth = response.json()["task"], depth + 1
    R.check("the parent chain bounds delegation depth", refused is not None and refused.status_code in (400, 409)
            and (body_of(refused) or {}).get("ok") is False, f"nested {depth} deep, last {describe(refused) if refused else 'accepted'}",
            "The parent chain bounds delegation depth.")
    R.equal("the deepest task lists its whole chain", len(read(parent["id"]).get("ancestors") or []), depth - 1)


def g_not_found():
    doc = '404 Not Found — the task does not exist: { "ok": false, "error": "not_found" }'
    for method, path, body in (("GET", f"/board/{UNKNOWN_ID}", None),
                               ("PATCH", f"/board/{UNKNOWN_ID}", {"title": "x"}),
                               ("POST", f"/board/{UNKNOWN_ID}/comments", {"body": "x"}),
                               ("GET", f"/board/{UNKNOWN_ID}/executions", None),
                               ("POST", f"/board/{UNKNOWN_ID}/executions", {"executorType": "claude-code"}),
                               ("PATCH", "/board/executions/no-such-exec", {"status": "failed"}),
                               ("POST", f"/board/{UNKNOWN_ID}/deps", {"dependsOnTaskId": UNKNOWN_ID}),
                               ("POST", f"/board/{UNKNOWN_ID}/cancel-dependents", None)):
        ok_false(f"{method} {path}", api.call(method, path, json_body=body), 404, "not_found", doc)
    body = body_of(api.post("/board", {"title": ""})) or {}
    R.check("a 400 is {ok: false, error, details}", body.get("ok") is False and isinstance(body.get("error"), str)
            and isinstance(body.get("details"), dict), f"got {short(body)}",
            "an invalid body returns 400 with a details object carrying the schema errors")
    broken = api.call("POST", "/board", data="{nope", headers={"Content-Type": "application/json"})
    body = body_of(broken) or {}
    R.check("a body that is not JSON is 400 {ok: false, error}", broken.status_code == 400 and body.get("ok") is False
            and isinstance(body.get("error"), str), describe(broken))


def make_repo():
    folder = tempfile.mkdtemp(prefix="contract-clawboo-repo-")
    run = lambda *args: subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)  # noqa: E731
    run("init", "-q", "-b", "main")
    run("config", "user.email", "contract@example.com")
    run("config", "user.name", "contract")
    with open(os.path.join(folder, "README.md"), "w") as handle:
        handle.write("repo for contract checks\n")
    run("add", "README.md")
    run("commit", "-q", "-m", "initial")
    return folder


def g_workspace():
    team_id = team()
    repo = make_repo()
    try:
        research = create(team_id, "research")
        refused = api.post(f"/board/{research['id']}/workspace", {"repoPath": repo, "kind": "research"})
        body = body_of(refused) or {}
        R.check("research kind refused 422 no_isolation", refused.status_code == 422 and body.get("ok") is False
                and body.get("error") == "no_isolation" and body.get("isolation") == "none", describe(refused),
                '422 Unprocessable Entity: { "ok": false, "error": "no_isolation", "isolation": "none" }')
        review = api.post(f"/board/{research['id']}/workspace", {"repoPath": repo, "kind": "review"})
        R.check("review kind refused 422", review.status_code == 422, describe(review))
        invalid("workspace without repoPath", api.post(f"/board/{research['id']}/workspace", {"kind": "code"}))
        task = create(team_id, "code task")
        claim(task["id"], "agent-1", "claude-code")
        # ASSUMPTION: the server may provision worktrees for a repository on its own machine
        # (the checks make a fresh git repository in /tmp).
        made = api.post(f"/board/{task['id']}/workspace", {"repoPath": repo, "kind": "code"})
        R.status("provision worktree 200", made, 200)
        body = body_of(made) or {}
        tree = body.get("worktree") or {}
        R.check("worktree fields", body.get("ok") is True and body.get("isolation") == "worktree"
                and bool(body.get("workspaceId")) and tree.get("taskId") == task["id"]
                and tree.get("branch") == f"clawboo/task-{task['id']}" and bool(tree.get("baseCommit"))
                and isinstance(tree.get("detached"), bool), f"got {short(body)}", "branch: 'clawboo/task-<id>'")
        path = tree.get("worktreePath") or ""
        R.check("worktree lives outside the repository", bool(path) and os.path.isabs(path)
                and not os.path.realpath(path).startswith(os.path.realpath(repo) + os.sep), f"got {path!r}",
                "The worktree lives outside the user's repo so it never pollutes git status.")
        status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
        R.equal("user's repo stays clean", status, "")
        handoff = api.post(f"/board/{task['id']}/workspace/handoff", {
            "handoffFrom": "native-specialist-abc", "runtime": "clawboo-native",
            "completedSubtasks": ["wired the route"], "nextBestStep": "stabilize the flaky e2e test"})
        R.status("handoff 200", handoff, 200, "Writes the clock-out AGENT_HANDOFF.json into the task's worktree")
        if path:
            R.check("AGENT_HANDOFF.json written in the worktree", os.path.exists(os.path.join(path, "AGENT_HANDOFF.json")),
                    f"no file in {path}")
        invalid("handoff without runtime", api.post(f"/board/{task['id']}/workspace/handoff", {"handoffFrom": "human"}))
        resume = api.get(f"/board/{task['id']}/workspace")
        R.status("cold-resume read 200", resume, 200)
        R.check("resume state mentions the next step", "stabilize the flaky e2e test" in resume.text, short(resume.text))
        detail = api.get(f"/board/{task['id']}/workspace/detail")
        R.status("workspace detail 200", detail, 200)
        R.check("detail carries the SoR files", all(name in detail.text for name in ("TASK.md", "AGENT_HANDOFF.json")),
                short(detail.text), "Returns the SoR file contents (TASK.md, ...)")
        invalid("workspace action outside pause/complete", api.patch(f"/board/{task['id']}/workspace", {"action": "stop"}))
        paused = api.patch(f"/board/{task['id']}/workspace", {"action": "pause"})
        R.status("pause 200", paused, 200, "pause — commits uncommitted work, drops the worktree, keeps the branch")
        branches = subprocess.run(["git", "branch", "--list", f"clawboo/task-{task['id']}"], cwd=repo,
                                  capture_output=True, text=True).stdout
        R.check("branch kept after pause", f"clawboo/task-{task['id']}" in branches, f"branches {branches!r}")
        R.check("worktree dropped after pause", bool(path) and not os.path.exists(path), f"{path} still there")
    finally:
        shutil.rmtree(repo, ignore_errors=True)


def g_auth():
    if not ARGS.key:
        R.skip("auth", "no --key given")
        return
    team_id = team()
    refused = bare.post("/board", {"title": "no key", "teamId": team_id})
    # ASSUMPTION: a write without a key answers 401 in this surface's shape {ok: false, error}.
    body = body_of(refused) or {}
    R.check("write without key -> 401 {ok: false, error}", refused.status_code == 401 and body.get("ok") is False
            and isinstance(body.get("error"), str), describe(refused))
    wrong = bare.post("/board", {"title": "bad key", "teamId": team_id}, headers={"Authorization": "Bearer nope"})
    R.check("write with a wrong key -> 401", wrong.status_code == 401, describe(wrong))
    task = create(team_id, "guarded")
    unverified = bare.call("PUT", f"/board/{task['id']}/verification", json_body={"verdict": "failing"})
    R.check("verdict without key -> 401", unverified.status_code == 401, describe(unverified))
    R.equal("refused verdict stored nothing", (read(task["id"]).get("task") or {}).get("verificationVerdict"),
            "unverified")
    R.check("refused writes made nothing", all(t.get("title") not in ("no key", "bad key")
                                               for t in listing({"teamId": team_id})), "created")


GROUPS = [
    ("teams", g_teams),
    ("create", g_create),
    ("list", g_list),
    ("ready and deps", g_ready_deps),
    ("claim", g_claim),
    ("claim race", g_claim_race),
    ("transitions", g_transitions),
    ("patch", g_patch),
    ("get and comments", g_get_and_comments),
    ("executions", g_executions),
    ("cancel dependents", g_cancel_dependents),
    ("verification gate", g_gate),
    ("graph, drops and depth", g_graph),
    ("not found and error shapes", g_not_found),
    ("workspace", g_workspace),
    ("auth", g_auth),
]

if __name__ == "__main__":
    for group_name, group_function in GROUPS:
        R.group(group_name, group_function)
    R.finish()
