"""`tack card ...` and `tack watch` against a live server with an API key: each command,
its --json form, and the failures a shell agent must be able to tell apart."""
import json
import subprocess

import pytest
import requests
from agent_helpers import KEY, TACK, create_cards, new_board, read_card, read_notes, server  # noqa: F401
from click.testing import CliRunner

from tack.cli import main

pytestmark = pytest.mark.server


@pytest.fixture
def tack(server):
    """Run `tack ARGS` in-process with the server, key and agent name from the environment."""
    env = {"TACK_URL": server.url, "TACK_API_KEY": KEY, "TACK_AGENT": "cli-agent"}

    def run(*args, **extra_env):
        return CliRunner().invoke(main, list(args), env={**env, **extra_env})

    return run


def test_card_create_then_show(tack, server):
    board = new_board(server)
    created = tack("card", "create", "Fix the login page", "--board", board,
                   "--priority", "high", "--tag", "web", "--json")
    assert created.exit_code == 0, created.output
    card_id = json.loads(created.output)["id"]
    shown = tack("card", "show", card_id)
    assert shown.exit_code == 0 and "Fix the login page" in shown.output
    card = json.loads(tack("card", "show", card_id, "--json").output)
    assert (card["priority"], card["tags"], card["created_by"]) == ("high", ["web"], "cli-agent")


def test_card_list_filters_and_json(tack, server):
    board = new_board(server)
    create_cards(server, board, "alpha", "beta")
    listed = tack("card", "list", "--board", board)
    assert listed.exit_code == 0 and "2 cards" in listed.output and "alpha" in listed.output
    found = json.loads(tack("card", "list", "--board", board, "--q", "beta", "--json").output)
    assert [card["title"] for card in found] == ["beta"]


def test_claim_next_note_move_complete(tack, server):
    board = new_board(server)
    [card_id] = create_cards(server, board, "the work")
    claimed = tack("card", "claim-next", "--board", board, "--json")
    assert claimed.exit_code == 0 and json.loads(claimed.output)["id"] == card_id
    assert tack("card", "note", card_id, "halfway there").exit_code == 0
    moved = tack("card", "move", card_id, "in_progress")
    assert moved.exit_code == 0 and "to in_progress" in moved.output
    done = tack("card", "complete", card_id, "--note", "finished",
                "--followup-title", "check it in a week", "--json")
    assert done.exit_code == 0, done.output
    followup_id = json.loads(done.output)["followup_id"]
    assert read_card(server, card_id)["column_name"] == "done"
    assert read_card(server, followup_id)["title"] == "check it in a week"
    assert read_notes(server, card_id)[:1] == ["halfway there"]


def test_claim_next_with_nothing_free(tack, server):
    board = new_board(server)
    plain = tack("card", "claim-next", "--board", board)
    assert plain.exit_code == 0 and "No free card" in plain.output
    assert tack("card", "claim-next", "--board", board, "--json").output.strip() == "null"


def test_claim_next_needs_an_agent_name(tack, server):
    result = tack("card", "claim-next", TACK_AGENT="")
    assert result.exit_code != 0 and "--agent" in result.output


def test_watch_prints_changes_after_the_cursor(tack, server):
    board = new_board(server)
    cursor = requests.get(server.url + "/api/changes", params={"board": board, "limit": 1},
                          timeout=10).json()["cursor"]
    [card_id] = create_cards(server, board, "watched")
    requests.post(f"{server.url}/api/cards/{card_id}/notes", headers={"X-API-Key": KEY},
                  json={"author": "x", "content": "hello"}, timeout=10)
    lines = tack("watch", "--board", board, "--after", str(cursor), "--count", "2", "--json")
    assert lines.exit_code == 0, lines.output
    changes = [json.loads(line) for line in lines.output.splitlines()]
    assert [change["card_id"] for change in changes] == [card_id, card_id]
    text = tack("watch", "--board", board, "--after", str(cursor), "--count", "1")
    assert f"{card_id} \"watched\"" in text.output


def test_watch_stops_after_seconds_when_nothing_happens(tack, server):
    board = new_board(server)
    result = tack("watch", "--board", board, "--seconds", "0.5")
    assert result.exit_code == 0 and result.output == ""


def test_wrong_key_is_refused_with_a_clear_message(tack, server):
    result = tack("card", "create", "nope", TACK_API_KEY="wrong-key")
    assert result.exit_code == 1
    assert "401 UNAUTHORIZED" in result.output and "--key" in result.output
    assert "Traceback" not in result.output


def test_unreachable_server_is_a_clear_message_and_exit_1(tmp_path):
    # The real command, as a shell agent runs it.
    result = subprocess.run([TACK, "card", "list", "--url", "http://127.0.0.1:9"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "cannot reach the Tack server at http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_refused_card_ids_and_columns_say_why(tack, server):
    missing = tack("card", "show", "card-00000000")
    assert missing.exit_code == 1 and "404 CARD_NOT_FOUND" in missing.output
    board = new_board(server)
    [card_id] = create_cards(server, board, "x")
    bad_column = tack("card", "move", card_id, "nowhere")
    assert bad_column.exit_code == 1 and "the board refused: 400" in bad_column.output
