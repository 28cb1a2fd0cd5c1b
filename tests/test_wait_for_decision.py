"""wait_for_decision follows the change cursor until a person answers, and gives up
after its bound with the cursor to resume from. Time is moved, never slept."""
from tack.agents.mcp_http import AppApi
from tack.agents.tools import POLL_INTERVAL_SECONDS, run_tool, wait_for_answer


class FakeTime:
    """sleep() moves monotonic() on, and runs `on_sleep` (a person acting meanwhile)."""

    def __init__(self, on_sleep=None):
        self.now, self.sleeps, self.on_sleep = 0.0, 0, on_sleep

    def sleep(self, seconds):
        self.now += seconds
        self.sleeps += 1
        if self.on_sleep and self.sleeps == 2:
            self.on_sleep()

    def monotonic(self):
        return self.now


def card_waiting_for(client, api, kind: str) -> str:
    card_id = run_tool(api, "create_card", {"title": "needs a human"}).data["id"]
    if kind == "decision":
        asked = run_tool(api, "request_decision", {"card_id": card_id, "question": "Which?",
                                                   "options": [{"key": "a"}, {"key": "b"}]})
    else:
        asked = run_tool(api, "request_approval", {"card_id": card_id, "plan": "Drop table"})
    assert not asked.is_error, asked.text
    return card_id


def test_returns_the_decision_once_a_person_decides(app, client):
    api = AppApi(app, {}, None)
    card_id = card_waiting_for(client, api, "decision")
    clock = FakeTime(lambda: client.post(f"/api/cards/{card_id}/decide",
                                         json={"choice": "b", "actor": "ana", "note": "safer"}))
    outcome = wait_for_answer(api, {"card_id": card_id, "timeout_seconds": 60},
                              clock.sleep, clock.monotonic)
    assert not outcome.is_error
    assert outcome.data["decided"] == "b" and outcome.data["by"] == "ana"
    assert "Decided: 'b' by ana (safer)" in outcome.text
    assert clock.sleeps == 2  # it noticed on the first poll after the answer


def test_returns_a_denied_approval(app, client):
    api = AppApi(app, {}, None)
    card_id = card_waiting_for(client, api, "approval")
    clock = FakeTime(lambda: client.post(f"/api/cards/{card_id}/approve",
                                         json={"approved": False, "comment": "too risky"}))
    outcome = wait_for_answer(api, {"card_id": card_id}, clock.sleep, clock.monotonic)
    assert outcome.data["approved"] is False and outcome.data["column_name"] == "blocked"
    assert outcome.text.startswith("Denied")


def test_gives_up_after_its_bound_with_the_cursor_to_resume_from(app, client):
    api = AppApi(app, {}, None)
    card_id = card_waiting_for(client, api, "decision")
    clock = FakeTime()
    outcome = wait_for_answer(api, {"card_id": card_id, "timeout_seconds": 5},
                              clock.sleep, clock.monotonic)
    assert outcome.data["answered"] is False
    assert clock.now == 5 * POLL_INTERVAL_SECONDS
    cursor = client.get("/api/changes?limit=1").json["cursor"]
    assert outcome.data["cursor"] == cursor and f"after={cursor}" in outcome.text


def test_a_card_with_nothing_pending_answers_at_once(app, client):
    api = AppApi(app, {}, None)
    card_id = run_tool(api, "create_card", {"title": "plain"}).data["id"]
    clock = FakeTime()
    outcome = wait_for_answer(api, {"card_id": card_id}, clock.sleep, clock.monotonic)
    assert clock.sleeps == 0 and "no pending decision" in outcome.text


def test_the_wait_is_bounded():
    from tack.agents.tools import TOOLS_BY_NAME, WAIT_LIMIT_SECONDS, check_arguments
    tool = TOOLS_BY_NAME["wait_for_decision"]
    problem = check_arguments(tool, {"card_id": "card-1", "timeout_seconds": WAIT_LIMIT_SECONDS + 1})
    assert problem and "maximum" in problem

