"""The clawboo workflow beyond its own API: the page's move obeys the same table and
gate, and orphan reconciliation releases silent runs."""
import re

import pytest
from clawboo_helpers import API, make_task, make_team, read_task, status_pairs

from tack import clock
from tack.services import workflows

HX = {"HX-Request": "true"}


@pytest.fixture
def page(client):
    """A client that has loaded the page and sends its CSRF token like htmx does."""
    html = client.get("/").data.decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def post(path, **form):
        return client.post(path, data=form, headers={**HX, "X-CSRFToken": token})

    return post


@pytest.fixture
def team_id(client):
    return make_team(client)


@pytest.mark.parametrize("source,target,legal", status_pairs())
def test_every_pair_of_statuses_obeys_the_table_through_the_page_move(client, page, team_id,
                                                                      source, target, legal):
    task = make_task(client, team_id, status=source)
    response = page(f"/web/cards/{task['id']}/move", column_name=target, before_id="")
    assert_move_obeys_table(client, task, response, source, target, legal)


@pytest.mark.parametrize("source,target,legal", status_pairs())
def test_every_pair_of_statuses_obeys_the_table_through_the_team_page_move(client, team_id,
                                                                           source, target,
                                                                           legal):
    task = make_task(client, team_id, status=source)
    # A done or cancelled task has no move form on the page (no legal target), so the
    # session's token comes from the board page; a forged move must still be refused.
    html = client.get("/").data.decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = client.post(f"/clawboo/teams/{team_id}/tasks/{task['id']}/move",
                           data={"status": target, "csrf_token": token})
    assert_move_obeys_table(client, task, response, source, target, legal)


def assert_move_obeys_table(client, task, response, source, target, legal):
    """A page's move answer and the task's status afterwards, as the table says."""
    status = read_task(client, task["id"])["task"]["status"]
    if legal:
        assert response.status_code == 200
        assert status == target
    else:
        assert response.status_code == 409
        assert "Illegal transition" in response.data.decode()
        assert status == source


def test_the_page_move_to_done_is_gated_by_a_failing_verdict(client, page, team_id):
    task = make_task(client, team_id, status="in_review")
    client.put(f"{API}/board/{task['id']}/verification", json={"verdict": "failing"})
    response = page(f"/web/cards/{task['id']}/move", column_name="done", before_id="")
    assert response.status_code == 409
    assert "Verification is failing" in response.data.decode()
    assert read_task(client, task["id"])["task"]["status"] == "in_review"


def claimed_with_running_execution(client, team_id) -> tuple[dict, dict]:
    task = make_task(client, team_id)
    client.post(f"{API}/board/{task['id']}/claim", json={"assigneeAgentId": "a1",
                                                         "assigneeRuntime": "claude-code"})
    execution = client.post(f"{API}/board/{task['id']}/executions",
                            json={"executorType": "claude-code"}).json["execution"]
    return task, execution


def test_orphan_reconciliation_releases_silent_runs_and_says_why(app, client, team_id, frozen):
    silent, silent_run = claimed_with_running_execution(client, team_id)
    frozen.advance(minutes=30)
    lively, lively_run = claimed_with_running_execution(client, team_id)
    with app.app_context():
        assert workflows.reconcile_orphans(clock.now(), ttl_minutes=60) == 0
    frozen.advance(minutes=31)  # silent: 61 minutes; lively: 31
    with app.app_context():
        assert workflows.reconcile_orphans(clock.now(), ttl_minutes=60) == 1
        assert workflows.reconcile_orphans(clock.now(), ttl_minutes=60) == 0  # idempotent
    released = read_task(client, silent["id"])
    assert (released["task"]["status"], released["task"]["assigneeAgentId"],
            released["task"]["assigneeRuntime"]) == ("todo", None, None)
    why = released["comments"][-1]
    assert why["authorType"] == "system" and "orphan reconciliation" in why["body"]
    run, = client.get(f"{API}/board/{silent['id']}/executions").json["executions"]
    assert run["status"] == "timed_out" and "silent for over 60 minutes" in run["error"]
    # A run that closes after being timed out is refused, not silently rewritten.
    late = client.patch(f"{API}/board/executions/{silent_run['id']}",
                        json={"status": "succeeded"})
    assert (late.status_code, late.json["error"]) == (409, "already_closed")
    assert read_task(client, lively["id"])["task"]["status"] == "in_progress"
    assert client.get(f"{API}/board/{lively['id']}/executions").json[
        "executions"][0]["status"] == "running"
    # The released task is claimable again.
    again = client.post(f"{API}/board/{silent['id']}/claim", json={"assigneeAgentId": "a2"})
    assert again.status_code == 200


def test_the_scheduled_sweeps_run_reconciliation(app, client, team_id, frozen):
    from tack.jobs import run_sweeps
    task, _run = claimed_with_running_execution(client, team_id)
    app.config["TACK"].clawboo_orphan_ttl_minutes = 5
    frozen.advance(minutes=6)
    run_sweeps(app)
    assert read_task(client, task["id"])["task"]["status"] == "todo"


def team_page_token(client, team_id) -> str:
    html = client.get(f"/clawboo/teams/{team_id}").data.decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_team_page_shows_statuses_ready_marker_dependencies_runs_and_verdict(client, team_id):
    first = make_task(client, team_id, "first <b>step</b>")
    second = make_task(client, team_id, "second step")
    client.post(f"{API}/board/{second['id']}/deps", json={"dependsOnTaskId": first["id"]})
    client.post(f"{API}/board/{first['id']}/claim", json={"assigneeAgentId": "a1"})
    run = client.post(f"{API}/board/{first['id']}/executions",
                      json={"executorType": "claude-code"}).json["execution"]
    client.patch(f"{API}/board/executions/{run['id']}",
                 json={"status": "succeeded", "inputTokens": 1200, "outputTokens": 340,
                       "costUsd": 0.012})
    client.put(f"{API}/board/{first['id']}/verification",
               json={"verdict": "failing", "detail": "lint red"})
    response = client.get(f"/clawboo/teams/{team_id}")
    assert response.status_code == 200
    html = response.data.decode()
    for status in ("backlog", "todo", "in progress", "in review", "blocked", "done",
                   "cancelled"):
        assert f"<h2>{status} " in html
    assert "first &lt;b&gt;step&lt;/b&gt;" in html and "<b>step</b>" not in html
    assert "waits for <a href=\"#task-" + first["id"] in html
    assert "1200 in / 340 out tokens · $0.0120" in html
    assert "verdict-failing" in html and "lint red" in html
    assert 'name="confirm" value="yes" required' in html
    # Nothing is ready: second waits for first, which is in progress.
    assert 'class="ready-marker"' not in html
    client.patch(f"{API}/board/{first['id']}", json={"status": "todo"})
    assert 'class="ready-marker"' in client.get(f"/clawboo/teams/{team_id}").data.decode()


def test_team_page_override_needs_confirmation_and_reason_and_is_audited(client, team_id):
    task = make_task(client, team_id, status="in_review")
    client.put(f"{API}/board/{task['id']}/verification", json={"verdict": "failing"})
    token = team_page_token(client, team_id)
    path = f"/clawboo/teams/{team_id}/tasks/{task['id']}"
    refused = client.post(path + "/move", data={"status": "done", "csrf_token": token})
    assert refused.status_code == 409 and "Verification is failing" in refused.data.decode()
    unconfirmed = client.post(path + "/override", data={"reason": "ok", "csrf_token": token})
    assert unconfirmed.status_code == 400
    no_reason = client.post(path + "/override", data={"confirm": "yes", "csrf_token": token})
    assert no_reason.status_code == 400
    assert read_task(client, task["id"])["task"]["status"] == "in_review"
    assert client.get(f"{API}/audit/overrides").json["overrides"] == []
    done = client.post(path + "/override", data={"confirm": "yes", "reason": "known flake",
                                                 "csrf_token": token})
    assert done.status_code == 200
    assert read_task(client, task["id"])["task"]["status"] == "done"
    entry, = client.get(f"{API}/audit/overrides").json["overrides"]
    assert (entry["overriddenBy"], entry["reason"], entry["overriddenVerdict"]) == \
        ("human", "known flake", "failing")


def test_team_page_refuses_illegal_moves_and_writes_without_csrf(client, team_id):
    task = make_task(client, team_id, status="backlog")
    token = team_page_token(client, team_id)
    path = f"/clawboo/teams/{team_id}/tasks/{task['id']}/move"
    illegal = client.post(path, data={"status": "done", "csrf_token": token})
    assert illegal.status_code == 409 and "Illegal transition" in illegal.data.decode()
    assert client.post(path, data={"status": "todo"}).status_code == 400
    assert read_task(client, task["id"])["task"]["status"] == "backlog"
    assert client.post(path, data={"status": "todo", "csrf_token": token}).status_code == 200
    assert read_task(client, task["id"])["task"]["status"] == "todo"


def test_team_page_of_an_unknown_team_is_an_html_not_found_page(client):
    response = client.get("/clawboo/teams/no-such-team")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
