"""Insights over a known history written with a moved clock: every figure exact."""
from datetime import datetime, timedelta, timezone

import pytest
from helpers import make_card

from tack.services import insights

DAY = timedelta(days=1)


def at(month_day: str, hour: int) -> datetime:
    month, day = map(int, month_day.split("-"))
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def history(app, client, frozen):
    """Cards A-E on the main board (T0 is 2026-03-02 09:00 UTC):
    03-02 09:00 A, B, C, D created in inbox; 10:00 A to in_progress, claimed by bot1
    03-03 09:00 A completed by bot1; 10:00 B to in_progress by bot2
    03-04 09:00 E created; D (never moved) deleted
    03-05 15:00 B dragged to done by bot2; 16:00 C to awaiting_decision
    03-06 09:00 E claimed by bot1 for 10 h, bot1 notes on E. Now: 03-06 15:00."""
    def move(card_id, column, actor):
        response = client.post(f"/api/cards/{card_id}/move",
                               json={"column_name": column, "actor": actor})
        assert response.status_code == 200, response.json

    def set_clock(month_day, hour):
        frozen.advance(seconds=(at(month_day, hour) - frozen.at).total_seconds())

    cards = {name: make_card(client, title=f"Card {name}", created_by="ann")
             for name in "ABCD"}
    set_clock("03-02", 10)
    move(cards["A"], "in_progress", "bot1")
    client.post(f"/api/cards/{cards['A']}/claim", json={"agent": "bot1"})
    set_clock("03-03", 9)
    assert client.post(f"/api/cards/{cards['A']}/complete",
                       json={"actor": "bot1"}).status_code == 200
    set_clock("03-03", 10)
    move(cards["B"], "in_progress", "bot2")
    set_clock("03-04", 9)
    cards["E"] = make_card(client, title="Card E", created_by="ann")
    assert client.post(f"/api/cards/{cards['D']}/delete", json={"reason": "duplicate"}).status_code == 200
    set_clock("03-05", 15)
    move(cards["B"], "done", "bot2")
    set_clock("03-05", 16)
    move(cards["C"], "awaiting_decision", "ann")
    set_clock("03-06", 9)
    client.post(f"/api/cards/{cards['E']}/claim", json={"agent": "bot1", "ttl_seconds": 36000})
    client.post(f"/api/cards/{cards['E']}/notes", json={"author": "bot1", "content": "looking"})
    set_clock("03-06", 15)
    return cards


def figures(app, days=7):
    with app.app_context():
        return insights.board_insights(board_id="main", days=days, now=at("03-06", 15))


def counts_on(flow, column):
    return next(c["counts"] for c in flow["columns"] if c["key"] == column)


def test_cumulative_flow_counts_cards_per_column_at_the_end_of_each_day(app, history):
    flow = figures(app)["cumulative_flow"]
    assert flow["days"] == ["2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03",
                            "2026-03-04", "2026-03-05", "2026-03-06"]
    assert counts_on(flow, "inbox") == [0, 0, 3, 2, 2, 1, 1]
    assert counts_on(flow, "in_progress") == [0, 0, 1, 1, 1, 0, 0]
    assert counts_on(flow, "awaiting_decision") == [0, 0, 0, 0, 0, 1, 1]
    assert counts_on(flow, "done") == [0, 0, 0, 1, 1, 2, 2]


def test_lead_and_cycle_time_percentiles_use_nearest_rank(app, history):
    result = figures(app)
    # A: created 03-02 09:00, in progress 10:00, done 03-03 09:00 (1 day, 23 h).
    # B: created 03-02 09:00, in progress 03-03 10:00, done 03-05 15:00 (3.25 d, 2 d 5 h).
    assert result["lead_time"]["count"] == 2
    assert result["lead_time"]["percentiles_days"] == {"p50": 1.0, "p85": 3.25, "p95": 3.25}
    assert result["cycle_time"]["percentiles_days"] == {"p50": 0.96, "p85": 2.21, "p95": 2.21}
    lead_buckets = {b["label"]: b["cards"] for b in result["lead_time"]["buckets"]}
    assert lead_buckets["1-2 days"] == 1 and lead_buckets["2-4 days"] == 1
    assert sum(lead_buckets.values()) == 2


def test_percentile_is_always_one_of_the_values():
    values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]
    assert insights.percentile(values, 50) == 5
    assert insights.percentile(values, 85) == 9
    assert insights.percentile(values, 95) == 10
    assert insights.percentile([], 50) is None


def test_throughput_counts_entries_into_done_per_day(app, history):
    throughput = figures(app)["throughput"]
    assert throughput["completed"] == [0, 0, 0, 1, 0, 1, 0]
    assert throughput["total"] == 2


def test_aging_names_the_oldest_cards_in_progress_first(app, history):
    aging = figures(app)["aging"]
    oldest = [(card["card_id"], card["column_name"], card["age_days"])
              for card in aging["oldest"]]
    assert oldest == [(history["E"], "inbox", 2.25),
                      (history["C"], "awaiting_decision", 0.96)]
    assert aging["totals"] == [1, 1, 0, 0, 0, 0]
    inbox = next(c for c in aging["columns"] if c["key"] == "inbox")
    assert inbox["cards"] == [0, 1, 0, 0, 0, 0]
    assert "done" not in [c["key"] for c in aging["columns"]]


def test_stale_claims_and_cards_waiting_on_a_person(app, history):
    result = figures(app)
    assert [(c["card_id"], c["claimed_by"], c["held_hours"]) for c in result["stale_claims"]] \
        == [(history["E"], "bot1", 6.0)]
    assert [c["card_id"] for c in result["waiting"]] == [history["C"]]


def test_agent_activity_counts_claims_completions_and_notes(app, history):
    agents = {a["agent"]: a for a in figures(app)["agents"]}
    assert agents["bot1"] == {"agent": "bot1", "claims": 2, "completions": 1, "notes": 1}
    assert agents["bot2"] == {"agent": "bot2", "claims": 0, "completions": 1, "notes": 0}


def test_a_shorter_range_leaves_older_days_out(app, client, frozen):
    make_card(client, title="old")
    frozen.advance(days=10)
    with app.app_context():
        result = insights.board_insights(board_id="main", days=7, now=frozen.at)
    assert counts_on(result["cumulative_flow"], "inbox") == [1] * 7
    assert result["throughput"]["total"] == 0


def test_cards_behind_a_chart_are_the_ones_counted(app, history):
    with app.app_context():
        def ids(kind, value=""):
            return [c["card_id"] for c in insights.cards_behind(
                board_id="main", days=7, now=at("03-06", 15), kind=kind, value=value)]
        assert ids("completed", "2026-03-05") == [history["B"]]
        assert ids("completed") == [history["A"], history["B"]]
        assert ids("column", "inbox") == [history["E"]]
        assert ids("column", "done") == [history["A"], history["B"]]
        assert ids("age", "1-3 days") == [history["E"]]
        assert ids("stale") == [history["E"]]
        assert ids("waiting") == [history["C"]]
        assert ids("agent", "bot2") == [history["B"]]


@pytest.fixture
def runs(client, frozen):
    """A Clawboo team with executions recorded through /clawboo/api:
    03-02 09:00 task "Parser" claimed; claude-code runs it (1000 in, 200 out, $0.5)
    03-03 09:00 claude-code runs it again (500 in, 100 out, $0.25)
    03-03 10:00 task "Login" claimed; native runs it (10 in, 5 out, $0.01), and a
                claude-code run on it is still open (no tokens yet). Now: 03-03 15:00."""
    from clawboo_helpers import API, make_task, make_team
    team = make_team(client, "Costs")

    def run(task_id, executor, **closed):
        opened = client.post(f"{API}/board/{task_id}/executions",
                             json={"executorType": executor})
        assert opened.status_code == 200, opened.json
        if closed:
            done = client.patch(f"{API}/board/executions/{opened.json['execution']['id']}",
                                json={"status": "succeeded", **closed})
            assert done.status_code == 200, done.json

    def claim(task_id):
        claimed = client.post(f"{API}/board/{task_id}/claim", json={"assigneeAgentId": "a1"})
        assert claimed.status_code == 200, claimed.json

    parser = make_task(client, team, "Parser")["id"]
    claim(parser)
    run(parser, "claude-code", inputTokens=1000, outputTokens=200, costUsd=0.5)
    frozen.advance(days=1)
    run(parser, "claude-code", inputTokens=500, outputTokens=100, costUsd=0.25)
    frozen.advance(hours=1)
    login = make_task(client, team, "Login")["id"]
    claim(login)
    run(login, "native", inputTokens=10, outputTokens=5, costUsd=0.01)
    run(login, "claude-code")
    frozen.advance(hours=5)
    return {"team": team, "parser": parser, "login": login}


def test_costs_per_agent_and_per_day_come_from_the_clawboo_ledger(app, runs):
    with app.app_context():
        costs = insights.board_insights(board_id=runs["team"], days=7,
                                        now=at("03-03", 15))["costs"]
    assert costs["agents"] == [
        {"agent": "claude-code", "runs": 3, "input_tokens": 1500, "output_tokens": 300,
         "cost": 0.75},
        {"agent": "native", "runs": 1, "input_tokens": 10, "output_tokens": 5, "cost": 0.01}]
    assert costs["days"][-2:] == [
        {"day": "2026-03-02", "runs": 1, "input_tokens": 1000, "output_tokens": 200,
         "cost": 0.5},
        {"day": "2026-03-03", "runs": 3, "input_tokens": 510, "output_tokens": 105,
         "cost": 0.26}]
    assert costs["days"][0] == {"day": "2026-02-25", "runs": 0, "input_tokens": 0,
                                "output_tokens": 0, "cost": 0.0}
    by_agent = {series["agent"]: series["days"] for series in costs["agent_days"]}
    assert [series["agent"] for series in costs["agent_days"]] == ["claude-code", "native"]
    assert [d["cost"] for d in by_agent["claude-code"]] == [0, 0, 0, 0, 0, 0.5, 0.25]
    assert by_agent["claude-code"][-1]["runs"] == 2
    assert [d["cost"] for d in by_agent["native"]] == [0, 0, 0, 0, 0, 0, 0.01]


def test_a_shorter_range_leaves_older_runs_out(app, runs, frozen):
    frozen.advance(days=6)  # now 03-09 15:00: the 7 days start on 03-03
    with app.app_context():
        costs = insights.board_insights(board_id=runs["team"], days=7, now=frozen.at)["costs"]
    assert [(a["agent"], a["runs"], a["cost"]) for a in costs["agents"]] == \
        [("claude-code", 2, 0.25), ("native", 1, 0.01)]


def test_cards_behind_a_cost_bar_are_the_ones_the_agent_ran(app, runs):
    with app.app_context():
        def ran(agent, day=""):
            return [(c["card_id"], c["detail"]) for c in insights.cards_behind(
                board_id=runs["team"], days=7, now=at("03-03", 15), kind="runs",
                value=agent, day=day)]
        assert ran("claude-code") == [(runs["parser"], "2 runs by claude-code, cost 0.75 USD"),
                                      (runs["login"], "1 run by claude-code, cost 0 USD")]
        assert ran("claude-code", "2026-03-02") == [
            (runs["parser"], "1 run by claude-code, cost 0.5 USD")]
        assert ran("native", "2026-03-02") == []


def test_cost_panels_on_the_page_and_in_the_api(client, runs):
    team = runs["team"]
    page = client.get(f"/boards/{team}/insights?days=7").get_data(as_text=True)
    assert page.count("<svg") == 8  # the six charts, cost per agent, cost per agent per day
    assert 'id="agent_day_costs"' in page
    assert (f"/boards/{team}/insights/cards?days=7&amp;kind=runs&amp;value=claude-code"
            "&amp;day=2026-03-02") in page
    assert "2026-03-02 · claude-code: 0.5 USD" in page
    listed = client.get(f"/boards/{team}/insights/cards?days=7&kind=runs&value=native"
                        "&day=2026-03-03").get_data(as_text=True)
    assert "Login" in listed and "Parser" not in listed
    body = client.get(f"/api/insights?board={team}&days=7").json
    assert body["costs"]["agents"][0]["cost"] == 0.75
    assert body["costs"]["agent_days"][1]["days"][-1]["input_tokens"] == 10
    bad_day = client.get(f"/boards/{team}/insights/cards?days=7&kind=runs&value=native"
                         "&day=2026-01-01")
    assert bad_day.status_code == 400


def test_a_board_that_never_ran_an_execution_has_no_cost_panels(app, history):
    assert figures(app)["costs"] is None


def test_only_the_offered_ranges_are_accepted(app):
    from tack.errors import Invalid
    with app.app_context(), pytest.raises(Invalid):
        insights.board_insights(board_id="main", days=8, now=at("03-06", 15))


# ---- the JSON API and the page -----------------------------------------------------------

def test_api_gives_the_same_figures_as_the_service(app, client, history):
    response = client.get("/api/insights?board=main&days=7")
    assert response.status_code == 200
    body = response.json
    assert body["from"] == "2026-02-28T00:00:00+00:00"
    assert next(c["counts"] for c in body["cumulative_flow"]["columns"]
                if c["key"] == "done") == [0, 0, 0, 1, 1, 2, 2]
    assert body["lead_time"]["percentiles_days"]["p85"] == 3.25
    assert body["throughput"]["completed"] == [0, 0, 0, 1, 0, 1, 0]
    assert [c["card_id"] for c in body["aging"]["oldest"]] == [history["E"], history["C"]]
    assert body["costs"] is None


def test_api_documents_its_answer_in_openapi(client):
    spec = client.get("/openapi.json").json
    operation = spec["paths"]["/api/insights"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"board", "days"}
    schema = spec["components"]["schemas"]["Insights"]
    assert {"cumulative_flow", "lead_time", "cycle_time", "throughput", "aging",
            "stale_claims", "waiting", "agents", "costs", "from"} <= set(schema["properties"])


@pytest.mark.parametrize("query, status, code", [
    ("days=8", 422, "VALIDATION_ERROR"), ("days=x", 422, "VALIDATION_ERROR"),
    ("board=nope", 404, "BOARD_NOT_FOUND")])
def test_api_refuses_bad_ranges_and_unknown_boards(client, query, status, code):
    response = client.get(f"/api/insights?{query}")
    assert (response.status_code, response.json["code"]) == (status, code)


def test_page_draws_each_chart_with_its_table_and_card_links(client, history):
    page = client.get("/boards/main/insights?days=7").get_data(as_text=True)
    assert page.count("<svg") == 6  # flow, lead, cycle, throughput, aging, agents
    assert "<table>" in page and 'aria-current="page">7 days' in page
    assert "/boards/main/insights/cards?days=7&amp;kind=completed&amp;value=2026-03-05" in page
    assert "/boards/main/insights/cards?days=7&amp;kind=column&amp;value=inbox" in page
    assert "Card E" in page  # the oldest card in progress is named
    assert 'style="' not in page  # the CSP forbids inline styles


def test_card_list_page_shows_the_cards_behind_a_bar(client, history):
    page = client.get("/boards/main/insights/cards?days=7&kind=completed&value=2026-03-05")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Card B" in text and "Card A" not in text


@pytest.mark.parametrize("path", ["/boards/main/insights?days=8",
                                  "/boards/main/insights/cards?days=7&kind=nope",
                                  "/boards/nope/insights"])
def test_page_refuses_bad_input_with_an_html_error(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert response.mimetype == "text/html"


def test_board_page_links_to_its_insights(client):
    assert 'href="/boards/main/insights"' in client.get("/").get_data(as_text=True)
    other = client.post("/api/v1/boards", json={"name": "Other"}).json["id"]
    assert f'href="/boards/{other}/insights"' in \
        client.get(f"/boards/{other}").get_data(as_text=True)


def test_an_event_dated_before_today_counts_on_its_own_day(app, client, history, frozen):
    figures(app)
    # A clock set back: a card created yesterday evening, written after today's events.
    frozen.advance(seconds=(at("03-05", 20) - frozen.at).total_seconds())
    make_card(client, title="Late")
    flow = figures(app)["cumulative_flow"]
    assert counts_on(flow, "inbox") == [0, 0, 3, 2, 2, 2, 2]
