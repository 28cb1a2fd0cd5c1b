"""Arrange helpers for the Clawboo surface tests (/clawboo/api)."""
import subprocess
from pathlib import Path

from tack.services.workflows import STATUSES, TRANSITIONS

API = "/clawboo/api"


def run_git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


def make_team(client, name="Team") -> str:
    response = client.post(f"{API}/teams", json={"name": name})
    assert response.status_code == 201, response.json
    return response.json["team"]["id"]


def make_task(client, team_id, title="task", **fields) -> dict:
    response = client.post(f"{API}/board", json={"title": title, "teamId": team_id, **fields})
    assert response.status_code == 200, response.json
    return response.json["task"]


def read_task(client, task_id) -> dict:
    response = client.get(f"{API}/board/{task_id}")
    assert response.status_code == 200, response.json
    return response.json


def status_pairs():
    """Every (source, target) pair with whether the table allows it."""
    return [(source, target, target == source or target in TRANSITIONS[source])
            for source in STATUSES for target in STATUSES]
