"""A clawboo team's transition table and verification gate hold on every surface that
can move a card: Tack's API (update, move, complete, batch), HNR Kanban's /api/v1
(update, move, batch), AgentKanban's /api/ext/v1 move, the board page's move and the
team page's move. Each refusal is the surface's own 409 and changes nothing."""
import re

import pytest
from agentkanban_helpers import EXT, bearer, make_key
from clawboo_helpers import API, make_task, make_team, read_task


def page_token(client) -> str:
    html = client.get("/").data.decode()
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def team_page_token(client, team_id) -> str:
    html = client.get(f"/clawboo/teams/{team_id}").data.decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# Each surface: (app, client, team_id, task_id, target) -> (HTTP status, what it said).
def tack_update(app, client, team_id, task_id, target):
    response = client.patch(f"/api/cards/{task_id}", json={"column_name": target})
    return response.status_code, response.json.get("code")


def tack_move(app, client, team_id, task_id, target):
    response = client.post(f"/api/cards/{task_id}/move", json={"column_name": target})
    return response.status_code, response.json.get("code")


def tack_complete(app, client, team_id, task_id, target):
    assert target == "done"  # complete always means done
    response = client.post(f"/api/cards/{task_id}/complete", json={"note": "finished"})
    return response.status_code, response.json.get("code")


def tack_batch(app, client, team_id, task_id, target):
    response = client.post("/api/batch", json=[
        {"action": "move", "card_id": task_id, "column_name": target}])
    result, = response.json["results"]
    # A successful operation answers what the single call would (no status_code).
    return result.get("status_code", 200), str(result.get("error"))


def kanban_update(app, client, team_id, task_id, target):
    response = client.patch(f"/api/v1/boards/{team_id}/tasks/{task_id}",
                            json={"column_id": target})
    return response.status_code, response.json.get("code")


def kanban_move(app, client, team_id, task_id, target):
    response = client.post(f"/api/v1/boards/{team_id}/tasks/{task_id}/move/{target}")
    return response.status_code, response.json.get("code")


def kanban_batch(app, client, team_id, task_id, target):
    response = client.post(f"/api/v1/boards/{team_id}/tasks/batch", json={"operations": [
        {"action": "move", "task_ids": [task_id], "column_id": target}]})
    result, = response.json["results"]
    # The batch answers 200 with the operation's failure in its result.
    return (200 if result["success"] else 409), result.get("error", "")


def ext_move(app, client, team_id, task_id, target):
    key = make_key(app, all_boards=True)
    response = client.post(f"{EXT}/boards/{team_id}/tasks/{task_id}/move",
                           json={"laneId": target}, headers=bearer(key))
    # The contract has no 409 code of its own: "conflict", with Tack's reason as the message.
    error = response.json.get("error") or {}
    return response.status_code, f"{error.get('code')}: {error.get('message')}"


def board_page_move(app, client, team_id, task_id, target):
    response = client.post(f"/web/cards/{task_id}/move", data={
        "column_name": target, "before_id": ""},
        headers={"HX-Request": "true", "X-CSRFToken": page_token(client)})
    return response.status_code, response.data.decode()


def team_page_move(app, client, team_id, task_id, target):
    response = client.post(f"/clawboo/teams/{team_id}/tasks/{task_id}/move", data={
        "status": target, "csrf_token": team_page_token(client, team_id)})
    return response.status_code, response.data.decode()


MOVERS = [tack_update, tack_move, tack_batch, kanban_update, kanban_move, kanban_batch,
          ext_move, board_page_move, team_page_move]


@pytest.fixture
def team_id(client):
    return make_team(client)


@pytest.mark.parametrize("mover", MOVERS, ids=lambda mover: mover.__name__)
def test_every_surface_refuses_an_illegal_transition_and_changes_nothing(app, client, team_id,
                                                                         mover):
    task = make_task(client, team_id, status="backlog")
    status, said = mover(app, client, team_id, task["id"], "done")
    assert status == 409, said
    assert "illegal" in said.lower(), said
    assert read_task(client, task["id"])["task"]["status"] == "backlog"


@pytest.mark.parametrize("mover", MOVERS + [tack_complete], ids=lambda mover: mover.__name__)
def test_every_surface_refuses_done_past_a_failing_verdict(app, client, team_id, mover):
    task = make_task(client, team_id, status="in_review")
    client.put(f"{API}/board/{task['id']}/verification", json={"verdict": "failing"})
    status, said = mover(app, client, team_id, task["id"], "done")
    assert status == 409, said
    assert "verification" in said.lower(), said
    after = read_task(client, task["id"])["task"]
    assert (after["status"], after["verificationVerdict"]) == ("in_review", "failing")
    assert client.get(f"{API}/audit/overrides").json["overrides"] == []


@pytest.mark.parametrize("mover", MOVERS + [tack_complete], ids=lambda mover: mover.__name__)
def test_every_surface_moves_a_legal_transition(app, client, team_id, mover):
    task = make_task(client, team_id, status="in_review")
    status, said = mover(app, client, team_id, task["id"], "done")
    assert status in (200, 201), said
    assert read_task(client, task["id"])["task"]["status"] == "done"
