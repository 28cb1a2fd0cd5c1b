"""Whatever goes wrong behind a tool, the agent gets a tool error it can read: never a
crash, never a stack trace."""
from tack.agents.calls import Answer, HttpApi
from tack.agents.tools import run_tool


def test_an_answer_the_tool_did_not_expect_is_a_tool_error_not_a_crash():
    class OddApi:
        def request(self, method, path, **parts):
            return Answer(200, {"unexpected": "shape"})

    outcome = run_tool(OddApi(), "get_card", {"card_id": "card-1"})
    assert outcome.is_error and "failed unexpectedly" in outcome.text


def test_only_http_urls_are_called():
    outcome = run_tool(HttpApi("file:///etc/passwd"), "list_cards", {})
    assert outcome.is_error and "not an http(s) URL" in outcome.text


def test_unknown_tools_and_bad_arguments_are_named():
    unknown = run_tool(HttpApi("http://127.0.0.1:9"), "drop_board", {})
    assert unknown.is_error and "Unknown tool 'drop_board'" in unknown.text
    extra = run_tool(HttpApi("http://127.0.0.1:9"), "get_card", {"card_id": "c", "x": 1})
    assert extra.is_error and "Additional properties are not allowed" in extra.text
