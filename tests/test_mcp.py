"""The agent tools over MCP, driven by the official SDK's client against a live server:
`tack mcp` as a stdio subprocess, and /mcp on the board over streamable HTTP."""
import threading
import time
from contextlib import asynccontextmanager

import anyio
import pytest
import requests
from agent_helpers import KEY, TACK, create_cards, new_board, read_card, read_notes, server  # noqa: F401
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tack.agents.tools import TOOLS

pytestmark = pytest.mark.server


def stdio_client(server, key: str | None = KEY) -> Client:
    args = ["mcp", "--url", server.url] + (["--key", key] if key else [])
    return Client(StdioServerParameters(command=TACK, args=args))


@asynccontextmanager
async def http_client(server, key: str | None = KEY):
    headers = {"X-API-Key": key} if key else {}
    # The SDK leaves a client it was given open: this one is closed here.
    async with create_mcp_http_client(headers=headers) as http:
        transport = streamable_http_client(server.url + "/mcp", http_client=http)
        async with Client(transport) as client:
            yield client


def agent_loop(make_client, server) -> None:
    board = new_board(server)
    [card_id] = create_cards(server, board, "Write the release notes")

    async def work():
        async with make_client(server) as client:
            listed = await client.list_tools()
            assert [tool.name for tool in listed.tools] == [tool.name for tool in TOOLS]
            claimed = await client.call_tool("claim_next_card", {"agent": "mcp-agent",
                                                                 "board": board})
            assert not claimed.is_error, claimed.content
            assert claimed.structured_content["card"]["id"] == card_id
            assert "Next:" in claimed.content[0].text
            noted = await client.call_tool("add_note", {"card_id": card_id, "author": "mcp-agent",
                                                        "content": "drafted from the changelog"})
            assert not noted.is_error, noted.content
            done = await client.call_tool("complete_card", {"card_id": card_id, "note": "shipped",
                                                            "actor": "mcp-agent"})
            assert not done.is_error, done.content

    anyio.run(work)
    card = read_card(server, card_id)
    assert card["column_name"] == "done" and card["claimed_by"] == ""
    assert read_notes(server, card_id)[0] == "drafted from the changelog"
    assert "[COMPLETED] shipped" in read_notes(server, card_id)


def test_stdio_server_runs_the_agent_loop_against_a_live_board(server):
    agent_loop(stdio_client, server)


def test_http_endpoint_runs_the_agent_loop_on_the_board_itself(server):
    agent_loop(http_client, server)


def todo_round(make_client, server) -> None:
    """An agent keeps a card's checklist through MCP; the Tack API sees the result."""
    board = new_board(server)
    [card_id] = create_cards(server, board, "Migrate the database")

    async def work():
        async with make_client(server) as client:
            first = await client.call_tool("add_todo", {"card_id": card_id, "actor": "mcp-agent",
                                                        "text": "write the migration"})
            assert not first.is_error, first.content
            second = await client.call_tool("add_todo", {"card_id": card_id, "iteration": 2,
                                                         "text": "run it on staging"})
            todo_id = first.structured_content["id"]
            assert f"update_todo todo_id={todo_id} done=true" in first.content[0].text
            ticked = await client.call_tool("update_todo", {"card_id": card_id, "done": True,
                                                            "todo_id": todo_id})
            assert not ticked.is_error and ticked.structured_content["done"] is True
            listed = await client.call_tool("list_todos", {"card_id": card_id})
            assert listed.content[0].text.startswith("[x] write the migration")
            assert "1 of 2 open" in listed.content[0].text
            reordered = await client.call_tool("reorder_todos", {
                "card_id": card_id, "ordered_ids": [second.structured_content["id"], todo_id]})
            assert not reordered.is_error, reordered.content
            removed = await client.call_tool("remove_todo", {"card_id": card_id,
                                                             "todo_id": todo_id})
            assert not removed.is_error, removed.content
            missing = await client.call_tool("update_todo", {"card_id": card_id, "done": True,
                                                             "todo_id": todo_id})
            assert missing.is_error and "404 TODO_NOT_FOUND" in missing.content[0].text

    anyio.run(work)
    todos = requests.get(f"{server.url}/api/cards/{card_id}/todos", timeout=10).json()
    assert [(todo["text"], todo["done"], todo["iteration"]) for todo in todos] == \
        [("run it on staging", False, 2)]


def test_stdio_server_keeps_a_cards_todos(server):
    todo_round(stdio_client, server)


def test_http_endpoint_keeps_a_cards_todos(server):
    todo_round(http_client, server)


def test_two_mcp_clients_racing_claim_next_never_get_the_same_card(server):
    board = new_board(server)
    cards = create_cards(server, board, *[f"task {n}" for n in range(12)])
    taken: dict[str, list[str]] = {"stdio": [], "http": []}

    async def drain(name, make_client):
        async with make_client(server) as client:
            while True:
                result = await client.call_tool("claim_next_card",
                                                {"agent": name, "board": board})
                assert not result.is_error, result.content
                card = result.structured_content["card"]
                if card is None:
                    return
                taken[name].append(card["id"])

    async def race():
        async with anyio.create_task_group() as group:
            group.start_soon(drain, "stdio", stdio_client)
            group.start_soon(drain, "http", http_client)

    anyio.run(race)
    assert not set(taken["stdio"]) & set(taken["http"])
    assert sorted(taken["stdio"] + taken["http"]) == sorted(cards)


def test_a_refused_call_is_a_tool_error_with_the_boards_message(server):
    board = new_board(server)
    [card_id] = create_cards(server, board, "held")
    requests.post(f"{server.url}/api/cards/{card_id}/claim", headers={"X-API-Key": KEY},
                  json={"agent": "someone-else"}, timeout=10)

    async def refused():
        async with http_client(server) as client:
            conflict = await client.call_tool("claim_card", {"card_id": card_id, "agent": "me"})
            unknown = await client.call_tool("get_card", {"card_id": "card-00000000"})
            invalid = await client.call_tool("move_card", {"card_id": card_id})
        return conflict, unknown, invalid

    conflict, unknown, invalid = anyio.run(refused)
    assert conflict.is_error and "409 ALREADY_CLAIMED" in conflict.content[0].text
    assert "claimed_by: someone-else" in conflict.content[0].text
    assert unknown.is_error and "404" in unknown.content[0].text
    assert invalid.is_error and "'column_name' is a required property" in invalid.content[0].text
    assert "Traceback" not in conflict.content[0].text + unknown.content[0].text


@pytest.mark.parametrize("make_client", [stdio_client, http_client], ids=["stdio", "http"])
def test_writes_without_the_key_are_refused_and_reads_still_work(server, make_client):
    board = new_board(server)
    create_cards(server, board, "visible")

    async def keyless():
        async with make_client(server, key=None) as client:
            write = await client.call_tool("create_card", {"title": "x", "board": board})
            read = await client.call_tool("list_cards", {"board": board})
        return write, read

    write, read = anyio.run(keyless)
    assert write.is_error and "401 UNAUTHORIZED" in write.content[0].text
    assert not read.is_error and read.structured_content["total"] == 1


def test_stdio_server_says_so_when_the_board_is_unreachable(server):
    class Nowhere:
        url = "http://127.0.0.1:9"

    async def unreachable():
        async with stdio_client(Nowhere) as client:
            return await client.call_tool("list_cards", {})

    result = anyio.run(unreachable)
    assert result.is_error and "cannot reach the Tack server" in result.content[0].text


def test_mcp_endpoint_answers_only_posts(server):
    response = requests.get(server.url + "/mcp", timeout=10)
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


def test_wait_for_decision_returns_when_a_person_decides(server):
    board = new_board(server)
    [card_id] = create_cards(server, board, "pick a database")

    def person_decides():
        time.sleep(1.5)  # a real person on a real server: after the agent starts waiting
        requests.post(f"{server.url}/api/cards/{card_id}/decide", headers={"X-API-Key": KEY},
                      json={"choice": "postgres", "actor": "ana"}, timeout=10)

    async def ask_and_wait():
        async with http_client(server) as client:
            asked = await client.call_tool("request_decision", {
                "card_id": card_id, "question": "Which database?",
                "options": [{"key": "sqlite"}, {"key": "postgres"}]})
            assert not asked.is_error, asked.content
            person = threading.Thread(target=person_decides)
            person.start()
            waited = await client.call_tool("wait_for_decision", {
                "card_id": card_id, "board": board, "timeout_seconds": 30})
            person.join()
            return waited

    waited = anyio.run(ask_and_wait)
    assert not waited.is_error, waited.content
    assert waited.structured_content["decided"] == "postgres"
    assert waited.content[0].text.startswith("Decided: 'postgres' by ana")
