"""The Clawboo board surface (/clawboo/api) over Tack's domain: teams, the state
machine, the claim, the ready queue, subtasks, executions and the gate."""
from datetime import timedelta

import pytest
from clawboo_helpers import API, make_task, make_team, read_task, status_pairs
from conftest import T0


@pytest.fixture
def team_id(client):
    return make_team(client)


def test_team_is_a_board_of_the_clawboo_workflow_with_seven_status_columns(client):
    response = client.post(f"{API}/teams", json={"name": "Alpha"})
    assert response.status_code == 201
    team = response.json["team"]
    assert team["name"] == "Alpha"
    assert team["id"] in [t["id"] for t in client.get(f"{API}/teams").json["teams"]]
    board = client.get(f"/api/v1/boards/{team['id']}").json
    assert [c["id"] for c in board["columns"]] == [
        "backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"]


def test_task_without_team_goes_to_the_default_team(client):
    response = client.post(f"{API}/board", json={"title": "loose"})
    assert response.status_code == 200
    assert response.json["task"]["teamId"] == "clawboo"
    assert response.json["task"]["status"] == "todo"


@pytest.mark.parametrize("source,target,legal", status_pairs())
def test_every_pair_of_statuses_obeys_the_table_through_the_api(client, team_id, source,
                                                                target, legal):
    task = make_task(client, team_id, status=source)
    response = client.patch(f"{API}/board/{task['id']}", json={"status": target})
    if legal:
        assert response.status_code == 200, response.json
        assert response.json["task"]["status"] == target
    else:
        assert response.status_code == 409
        assert response.json == {"ok": False, "error": "illegal_transition",
                                 "message": response.json["message"]}
        assert read_task(client, task["id"])["task"]["status"] == source


def test_other_surfaces_obey_the_table_too(client, team_id):
    task = make_task(client, team_id, status="backlog")
    # Tack's own API and the /api/v1 surface move through the same service.
    refused = client.patch(f"/api/cards/{task['id']}", json={"column_name": "done"})
    assert refused.status_code == 409 and refused.json["code"] == "illegal_transition"
    refused = client.patch(f"/api/v1/boards/{team_id}/tasks/{task['id']}",
                           json={"column_id": "in_progress"})
    assert refused.status_code == 409
    assert read_task(client, task["id"])["task"]["status"] == "backlog"


def test_claim_wins_once_and_the_loser_gets_conflict(client, team_id):
    task = make_task(client, team_id)
    won = client.post(f"{API}/board/{task['id']}/claim",
                      json={"assigneeAgentId": "a1", "assigneeRuntime": "claude-code"})
    assert won.status_code == 200 and won.json["ok"] is True
    assert (won.json["task"]["status"], won.json["task"]["assigneeAgentId"],
            won.json["task"]["assigneeRuntime"]) == ("in_progress", "a1", "claude-code")
    lost = client.post(f"{API}/board/{task['id']}/claim", json={"assigneeAgentId": "a2"})
    assert (lost.status_code, lost.json["ok"], lost.json["error"]) == (409, False, "conflict")
    missing = client.post(f"{API}/board/nope/claim", json={"assigneeAgentId": "a2"})
    assert (missing.status_code, missing.json["error"]) == (404, "not_found")
    bad = client.post(f"{API}/board/{task['id']}/claim", json={"assigneeAgentId": ""})
    assert bad.status_code == 400 and "assigneeAgentId" in bad.json["details"]


def test_release_to_todo_clears_assignee_runtime_and_verdict(client, team_id):
    task = make_task(client, team_id)
    client.post(f"{API}/board/{task['id']}/claim",
                json={"assigneeAgentId": "a1", "assigneeRuntime": "claude-code"})
    client.put(f"{API}/board/{task['id']}/verification", json={"verdict": "failing"})
    released = client.patch(f"{API}/board/{task['id']}", json={"status": "todo"}).json["task"]
    assert (released["assigneeAgentId"], released["assigneeRuntime"],
            released["verificationVerdict"]) == (None, None, "unverified")


def test_ready_queue_orders_by_priority_then_update_and_waits_for_dependencies(client, team_id,
                                                                              frozen):
    low = make_task(client, team_id, "low", priority=1)
    frozen.advance(minutes=1)
    high = make_task(client, team_id, "high", priority=9)
    frozen.advance(minutes=1)
    newer_low = make_task(client, team_id, "newer low", priority=1)
    make_task(client, team_id, "triage", status="backlog")
    ready = client.get(f"{API}/board", query_string={"teamId": team_id, "ready": "true"})
    assert [t["id"] for t in ready.json["tasks"]] == [high["id"], newer_low["id"], low["id"]]
    linked = client.post(f"{API}/board/{high['id']}/deps", json={"dependsOnTaskId": low["id"]})
    assert linked.status_code == 200
    again = client.post(f"{API}/board/{high['id']}/deps", json={"dependsOnTaskId": low["id"]})
    assert again.status_code == 200 and again.json["created"] is False
    cycle = client.post(f"{API}/board/{low['id']}/deps", json={"dependsOnTaskId": high["id"]})
    assert (cycle.status_code, cycle.json["error"]) == (409, "cycle")
    ready = client.get(f"{API}/board", query_string={"teamId": team_id, "ready": "true"}).json
    assert [t["id"] for t in ready["tasks"]] == [newer_low["id"], low["id"]]
    client.patch(f"{API}/board/{low['id']}", json={"status": "in_progress"})
    client.patch(f"{API}/board/{low['id']}", json={"status": "done"})
    ready = client.get(f"{API}/board", query_string={"teamId": team_id, "ready": "true"}).json
    assert [t["id"] for t in ready["tasks"]] == [high["id"], newer_low["id"]]


def test_priority_round_trips_and_follows_other_surfaces(client, team_id):
    task = make_task(client, team_id, priority=7)
    assert task["priority"] == 7
    edited = client.patch(f"{API}/board/{task['id']}", json={"priority": -2}).json["task"]
    assert edited["priority"] == -2
    client.patch(f"/api/cards/{task['id']}", json={"priority": "high"})
    assert read_task(client, task["id"])["task"]["priority"] == 2


def test_cancel_dependents_cancels_pending_downstream_only(client, team_id):
    failed = make_task(client, team_id, "failed", status="in_progress")
    b = make_task(client, team_id, "b")
    c = make_task(client, team_id, "c", status="backlog")
    running = make_task(client, team_id, "running", status="in_progress")
    finished = make_task(client, team_id, "finished", status="done")
    behind_running = make_task(client, team_id, "behind running")
    for blocked, blocker in ((b, failed), (c, b), (running, failed), (finished, failed),
                             (behind_running, running)):
        assert client.post(f"{API}/board/{blocked['id']}/deps",
                           json={"dependsOnTaskId": blocker["id"]}).status_code == 200
    response = client.post(f"{API}/board/{failed['id']}/cancel-dependents")
    assert response.status_code == 200
    assert sorted(t["title"] for t in response.json["cancelled"]) == ["b", "behind running", "c"]
    statuses = {t["title"]: t["status"] for t in
                client.get(f"{API}/board", query_string={"teamId": team_id}).json["tasks"]}
    assert statuses == {"failed": "in_progress", "b": "cancelled", "c": "cancelled",
                        "running": "in_progress", "finished": "done",
                        "behind running": "cancelled"}
    assert client.post(f"{API}/board/{failed['id']}/cancel-dependents").json == {"cancelled": []}


def test_subtasks_show_ancestors_and_respect_the_depth_limit(client, team_id, app):
    app.config["TACK"].clawboo_max_delegation_depth = 3
    root = make_task(client, team_id, "root")
    child = make_task(client, team_id, "child", parentTaskId=root["id"])
    grandchild = make_task(client, team_id, "grandchild", parentTaskId=child["id"])
    detail = read_task(client, grandchild["id"])
    assert detail["ancestors"] == [
        {"id": child["id"], "parent_task_id": root["id"], "title": "child", "status": "todo"},
        {"id": root["id"], "parent_task_id": None, "title": "root", "status": "todo"}]
    too_deep = client.post(f"{API}/board", json={"title": "too deep", "teamId": team_id,
                                                 "parentTaskId": grandchild["id"]})
    assert (too_deep.status_code, too_deep.json["error"]) == (409, "delegation_depth_exceeded")
    unknown = client.post(f"{API}/board", json={"title": "x", "teamId": team_id,
                                                "parentTaskId": "card-nope"})
    assert unknown.status_code == 400 and "parentTaskId" in unknown.json["details"]


def test_dropped_tasks_are_listed_only_when_asked_and_never_claimable(client, team_id):
    kept = make_task(client, team_id, "kept")
    dropped = make_task(client, team_id, "dropped")
    assert client.delete(f"{API}/board/{dropped['id']}").status_code == 200
    listed = client.get(f"{API}/board", query_string={"teamId": team_id}).json["tasks"]
    assert [t["id"] for t in listed] == [kept["id"]]
    everything = client.get(f"{API}/board", query_string={"teamId": team_id,
                                                          "includeDropped": "true"}).json
    assert {t["id"] for t in everything["tasks"]} == {kept["id"], dropped["id"]}
    ready = client.get(f"{API}/board", query_string={"teamId": team_id, "ready": "true",
                                                     "includeDropped": "true"}).json
    assert [t["id"] for t in ready["tasks"]] == [kept["id"]]
    claim = client.post(f"{API}/board/{dropped['id']}/claim", json={"assigneeAgentId": "a"})
    assert claim.status_code == 409


def test_executions_ledger_open_close_list_with_totals(client, team_id):
    task = make_task(client, team_id)
    early = client.post(f"{API}/board/{task['id']}/executions", json={"executorType": "cc"})
    assert (early.status_code, early.json["error"]) == (409, "not_claimed")
    client.post(f"{API}/board/{task['id']}/claim", json={"assigneeAgentId": "a1"})
    opened = client.post(f"{API}/board/{task['id']}/executions",
                         json={"executorType": "claude-code", "beforeCommit": "abc",
                               "runReason": "first"}).json["execution"]
    assert (opened["status"], opened["beforeCommit"], opened["runReason"]) == \
        ("running", "abc", "first")
    closed = client.patch(f"{API}/board/executions/{opened['id']}",
                          json={"status": "succeeded", "summary": "ok", "afterCommit": "def",
                                "inputTokens": 1200, "outputTokens": 340, "costUsd": 0.012})
    assert closed.status_code == 200 and closed.json["execution"]["costUsd"] == 0.012
    twice = client.patch(f"{API}/board/executions/{opened['id']}", json={"status": "failed"})
    assert (twice.status_code, twice.json["error"]) == (409, "already_closed")
    second = client.post(f"{API}/board/{task['id']}/executions",
                         json={"executorType": "native"}).json["execution"]
    client.patch(f"{API}/board/executions/{second['id']}",
                 json={"status": "failed", "inputTokens": 100, "outputTokens": 10,
                       "costUsd": 0.001, "error": "boom"})
    ledger = client.get(f"{API}/board/{task['id']}/executions").json
    assert [e["id"] for e in ledger["executions"]] == [opened["id"], second["id"]]
    assert ledger["totals"] == {"inputTokens": 1300, "outputTokens": 350, "costUsd": 0.013}
    bad = client.patch(f"{API}/board/executions/{second['id']}", json={"status": "running"})
    assert bad.status_code == 400 and "status" in bad.json["details"]


def test_failing_verdict_is_refused_at_done_unless_a_human_overrides_it(client, team_id,
                                                                       frozen):
    task = make_task(client, team_id, status="in_review")
    verdict = client.put(f"{API}/board/{task['id']}/verification",
                         json={"verdict": "failing", "detail": "3 tests red"})
    assert verdict.json["task"]["verificationVerdict"] == "failing"
    refused = client.patch(f"{API}/board/{task['id']}", json={"status": "done"})
    assert (refused.status_code, refused.json["error"]) == (409, "verification_required")
    # The gate is in the service: Tack's API is refused the same way.
    tack = client.patch(f"/api/cards/{task['id']}", json={"column_name": "done"})
    assert tack.status_code == 409 and tack.json["code"] == "verification_required"
    assert read_task(client, task["id"])["task"]["status"] == "in_review"
    assert client.get(f"{API}/audit/overrides").json["overrides"] == []
    frozen.advance(minutes=5)
    forced = client.patch(f"{API}/board/{task['id']}",
                          json={"status": "done", "humanOverride": True,
                                "overriddenBy": "maria", "overrideReason": "flaky suite"})
    assert forced.status_code == 200 and forced.json["task"]["status"] == "done"
    log = client.get(f"{API}/audit/overrides", query_string={"taskId": task["id"]}).json
    entry, = log["overrides"]
    assert (entry["taskId"], entry["overriddenBy"], entry["overriddenVerdict"],
            entry["verdictDetail"], entry["reason"]) == \
        (task["id"], "maria", "failing", "3 tests red", "flaky suite")
    assert entry["createdAt"] == int((T0 + timedelta(minutes=5)).timestamp() * 1000)


def test_passing_and_unverified_tasks_land_done(client, team_id):
    passing = make_task(client, team_id, status="in_review")
    client.put(f"{API}/board/{passing['id']}/verification", json={"verdict": "passing"})
    assert client.patch(f"{API}/board/{passing['id']}", json={"status": "done"}).status_code == 200
    plain = make_task(client, team_id, status="in_progress")
    assert client.patch(f"{API}/board/{plain['id']}", json={"status": "done"}).status_code == 200


def test_comments_oldest_first_with_author_types(client, team_id):
    task = make_task(client, team_id)
    client.post(f"{API}/board/{task['id']}/comments",
                json={"body": "first", "authorAgentId": "a1", "authorType": "agent"})
    client.post(f"{API}/board/{task['id']}/comments", json={"body": "second",
                                                            "authorType": "user"})
    comments = read_task(client, task["id"])["comments"]
    assert [(c["body"], c["authorAgentId"], c["authorType"]) for c in comments] == \
        [("first", "a1", "agent"), ("second", None, "user")]
    bad = client.post(f"{API}/board/{task['id']}/comments", json={"body": "x",
                                                                  "authorType": "robot"})
    assert bad.status_code == 400 and "authorType" in bad.json["details"]


@pytest.mark.parametrize("body", [
    {}, {"title": ""}, {"title": "t" * 501}, {"title": "x", "priority": 1.5},
    {"title": "x", "priority": "high"}, {"title": "x", "priority": True},
    {"title": "x", "status": "doing"}, {"title": "x", "description": "d" * 20001},
])
def test_invalid_bodies_are_400_with_details_and_change_nothing(client, team_id, body):
    response = client.post(f"{API}/board", json={"teamId": team_id, **body} if body else body)
    assert response.status_code == 400
    assert response.json["ok"] is False and isinstance(response.json["details"], dict)
    assert client.get(f"{API}/board", query_string={"teamId": team_id}).json["tasks"] == []


def test_errors_keep_the_surface_shape(client, team_id):
    task = make_task(client, team_id)
    assert client.patch(f"{API}/board/{task['id']}", json={}).status_code == 400
    missing = client.get(f"{API}/board/card-nope")
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    unknown = client.get(f"{API}/nothing/here")
    assert unknown.status_code == 404 and unknown.json["ok"] is False
    malformed = client.post(f"{API}/board", data="{", content_type="application/json")
    assert malformed.status_code == 400 and malformed.json["ok"] is False
    not_a_team = client.post(f"{API}/board", json={"title": "x", "teamId": "main"})
    assert not_a_team.status_code == 400 and "teamId" in not_a_team.json["details"]
    # A Tack card (not on a Clawboo board) is not a Clawboo task.
    card = client.post("/api/cards", json={"title": "tack card"}).json["id"]
    assert client.get(f"{API}/board/{card}").status_code == 404


def test_openapi_documents_the_surface_and_its_error_shape(client):
    spec = client.get("/openapi.json").json
    claim = spec["paths"]["/clawboo/api/board/{task_id}/claim"]["post"]
    assert "422" not in claim["responses"]
    assert claim["responses"]["default"]["$ref"].endswith("CLAWBOO_ERROR")
    assert "/clawboo/api/teams" in spec["paths"]
