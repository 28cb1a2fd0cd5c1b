"""A real server killed (kill -9, master and workers) while it checks a worktree out:
after a restart, provisioning the same task again succeeds."""
import threading
import time
from pathlib import Path

import pytest
import requests
from clawboo_helpers import API, run_git

from harness.server import LiveServer

pytestmark = pytest.mark.server


def slow_repository(folder: Path) -> Path:
    """20,000 files: checking one out takes seconds, long enough to kill it midway."""
    folder.mkdir(parents=True)
    run_git(folder, "init", "-q", "-b", "main")
    for directory in range(200):
        (folder / f"d{directory}").mkdir()
        for number in range(100):
            (folder / f"d{directory}" / f"f{number}.txt").write_text(f"{directory} {number}\n")
    run_git(folder, "add", "-A")
    run_git(folder, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "big")
    return folder


def test_a_server_killed_mid_provision_leaves_nothing_that_blocks_a_retry(app, database,
                                                                          tmp_path):
    url, sqlite_path = database
    roots = tmp_path / "roots"
    repo = slow_repository(roots / "big")
    worktrees = tmp_path / "worktrees"
    settings = {"TACK_WORKSPACE_ROOTS": str(roots), "TACK_WORKSPACE_DIR": str(worktrees)}
    server = LiveServer(url, sqlite_path, extra_env=settings)
    try:
        team = requests.post(server.url + f"{API}/teams", json={"name": "crash"}).json()
        task = requests.post(server.url + f"{API}/board",
                             json={"title": "big", "teamId": team["team"]["id"]}).json()["task"]
        target = worktrees / task["id"]
        request = threading.Thread(target=lambda: _provision_ignoring_the_crash(
            server.url, task["id"], repo), daemon=True)
        request.start()
        deadline = time.monotonic() + 30
        while not (target / ".git").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        server.crash()
    finally:
        server.stop()
    # Killed mid-checkout: a half-made worktree and its branch, no workspace row.
    assert (target / ".git").exists()
    assert len(list(target.rglob("*.txt"))) < 20000
    # (Read from the file: git's own commands may refuse a half-made worktree's
    # admin folder, which is what the retry must cope with.)
    assert (repo / ".git" / "refs" / "heads" / "clawboo" / f"task-{task['id']}").is_file()
    server = LiveServer(url, sqlite_path, extra_env=settings)
    try:
        assert requests.get(server.url + f"{API}/board/{task['id']}/workspace").status_code == 404
        retry = requests.post(server.url + f"{API}/board/{task['id']}/workspace",
                              json={"repoPath": str(repo)}, timeout=120)
        assert retry.status_code == 200, retry.text
        assert retry.json()["worktree"]["worktreePath"] == str(target)
        assert len(list(target.rglob("f*.txt"))) == 20000
        assert (target / "TASK.md").exists()
        assert len(run_git(repo, "worktree", "list").splitlines()) == 2
    finally:
        server.stop()


def _provision_ignoring_the_crash(base_url: str, task_id: str, repo: Path) -> None:
    try:
        requests.post(base_url + f"{API}/board/{task_id}/workspace",
                      json={"repoPath": str(repo)}, timeout=60)
    except requests.RequestException:
        pass  # the server died under it: that is the point
