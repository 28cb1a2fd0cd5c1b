"""The insights page in real headless Chromium against a live server: from the board
header to the charts, through the range picker, and along a chart link to the cards."""
import os
import shutil

import pytest
import requests
from harness.server import LiveServer

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture
def server(app, database):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path)
    yield live
    live.stop()


@pytest.fixture
def page(server):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      color_scheme="dark")
        opened = context.new_page()
        problems = []
        opened.on("pageerror", lambda error: problems.append(str(error)))
        opened.on("console", lambda message: message.type == "error"
                  and problems.append(message.text))  # CSP refusals show up here
        yield opened
        browser.close()
        assert problems == [], problems


def post(server, path, **body):
    response = requests.post(server.url + path, json=body, timeout=10)
    assert response.status_code < 400, response.text
    return response.json()


def test_charts_range_picker_and_a_chart_link_to_the_cards(server, page):
    done_ids = []
    for title in ("Ship the parser", "Fix the login"):
        card_id = post(server, "/api/cards", title=title)["id"]
        post(server, f"/api/cards/{card_id}/move", column_name="in_progress", actor="bot")
        post(server, f"/api/cards/{card_id}/complete", actor="bot")
        done_ids.append(card_id)
    post(server, "/api/cards", title="Still waiting in the inbox")

    page.goto(server.url + "/")
    page.click("a.insights-link")
    page.wait_for_url("**/boards/main/insights")
    assert page.locator("svg.chart").count() == 6
    columns = requests.get(server.url + "/api/insights?days=30", timeout=10).json()
    # One band per column (other tests may have added columns to the board).
    assert page.locator("#flow svg polygon").count() == \
        len(columns["cumulative_flow"]["columns"])
    # The dark theme reaches the SVG through CSS variables.
    tick_colour = page.eval_on_selector("#flow .tick", "e => getComputedStyle(e).fill")
    assert tick_colour == "rgb(154, 163, 178)"
    assert page.locator("nav.ranges a[aria-current=page]").inner_text() == "30 days"

    page.click("nav.ranges >> text=7 days")
    page.wait_for_url("**/boards/main/insights?days=7")
    assert page.locator("nav.ranges a[aria-current=page]").inner_text() == "7 days"
    assert page.locator("#throughput svg rect.bar").count() == 7
    assert "2 cards completed" in page.locator("#throughput").inner_text()

    # Today's throughput bar links to the cards completed today.
    page.locator("#throughput svg a.mark").last.click()
    page.wait_for_url("**/insights/cards?**kind=completed**")
    listed = page.locator("table.card-list tbody").inner_text()
    assert "Ship the parser" in listed and "Fix the login" in listed
    assert "Still waiting" not in listed
    assert page.locator("h2").inner_text() == "2 cards"
