"""`tack keys create/list/reveal/revoke`: a script gets the key on stdout, and a
revoked key stops working for a server that is already running."""
import requests
from agentkanban_helpers import EXT
from harness.server import LiveServer
from test_cli import run_tack, sqlite_env  # noqa: F401 (same environment as the CLI tests)


def tack(*args, db_path):
    result = run_tack(*args, db_path=db_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_keys_from_the_cli_work_and_a_revoke_holds_in_a_running_server(tmp_path, monkeypatch):
    db_path = tmp_path / "board.db"
    monkeypatch.setenv("TACK_SECRET_KEY", "live-test")  # the live server's secret
    tack("db", "upgrade", db_path=db_path)
    key = tack("keys", "create", "--name", "ci", "--all", db_path=db_path)
    reader = tack("keys", "create", "--name", "ro", "--board", "main:read", db_path=db_path)
    assert key.startswith("ak_") and reader.startswith("ak_") and key != reader
    listed = tack("keys", "list", db_path=db_path).splitlines()
    assert len(listed) == 2 and all("last used never" in line for line in listed)
    key_id = next(line.split("\t")[0] for line in listed if "\tci\t" in line)
    assert tack("keys", "reveal", key_id, db_path=db_path) == key
    refused = run_tack("keys", "create", "--name", "x", "--board", "main:admin",
                       db_path=db_path)
    assert refused.returncode != 0 and "read or BOARD_ID:edit" in refused.stderr

    server = LiveServer(f"sqlite:///{db_path}", str(db_path))
    try:
        headers = {"Authorization": "Bearer " + key}
        assert requests.get(server.url + EXT + "/boards", headers=headers).status_code == 200
        tack("keys", "revoke", key_id, db_path=db_path)
        refused = requests.get(server.url + EXT + "/boards", headers=headers)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_key"
    finally:
        server.stop()
    ci_line = next(line for line in tack("keys", "list", db_path=db_path).splitlines()
                   if line.startswith(key_id))
    assert "revoked" in ci_line and "last used never" not in ci_line
