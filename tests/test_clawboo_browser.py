"""A Clawboo team's board in real headless Chromium: a drag the transition table
allows lands, a drag it forbids (or a drop on done past a failing verdict) snaps
back with the reason."""
import pytest
import requests
from test_browser import browser, card_in, drag, drag_to, page, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
API = "/clawboo/api"


def clawboo(server, method, path, **body):
    response = requests.request(method, server.url + API + path, json=body or None)
    assert response.status_code < 400, response.text
    return response.json()


def test_drags_on_a_team_board_follow_the_table_and_the_gate(page, server):
    team = clawboo(server, "post", "/teams", name="Agents")["team"]
    triage = clawboo(server, "post", "/board", title="Triage me", teamId=team["id"],
                     status="backlog")["task"]
    ready = clawboo(server, "post", "/board", title="Ready one", teamId=team["id"])["task"]
    red = clawboo(server, "post", "/board", title="Red build", teamId=team["id"],
                  status="in_review")["task"]
    clawboo(server, "put", f"/board/{red['id']}/verification", verdict="failing",
            detail="2 tests fail")
    page.goto(server.url + f"/boards/{team['id']}")
    playwright_api.expect(card_in(page, "backlog", "Triage me")).to_be_visible()

    # backlog -> done is not in the table: refused, said, snapped back.
    drag(page, card_in(page, "backlog", "Triage me"), page.locator('.cards[data-column="done"]'))
    playwright_api.expect(page.locator("#toast.error")).to_contain_text("Illegal transition")
    playwright_api.expect(card_in(page, "backlog", "Triage me")).to_be_visible()
    assert card_in(page, "done", "Triage me").count() == 0

    # in_review -> done is legal, but the verdict is failing: the gate refuses it.
    drag(page, card_in(page, "in_review", "Red build"), page.locator('.cards[data-column="done"]'))
    playwright_api.expect(page.locator("#toast.error")).to_contain_text("Verification is failing")
    playwright_api.expect(card_in(page, "in_review", "Red build")).to_be_visible()
    assert card_in(page, "done", "Red build").count() == 0

    # todo -> in_progress is legal: it lands and stays (the drop shows at once; wait
    # for the server's answer before reading the statuses back).
    path = f"/web/cards/{ready['id']}/move"
    with page.expect_response(lambda answer: path in answer.url) as moved:
        drag(page, card_in(page, "todo", "Ready one"),
             page.locator('.cards[data-column="in_progress"]'))
    assert moved.value.status == 200
    playwright_api.expect(card_in(page, "in_progress", "Ready one")).to_be_visible()
    statuses = {task["id"]: task["status"]
                for task in clawboo(server, "get", f"/board?teamId={team['id']}")["tasks"]}
    assert statuses == {triage["id"]: "backlog", ready["id"]: "in_progress",
                        red["id"]: "in_review"}
