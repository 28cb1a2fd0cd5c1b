"""The board in real headless Chromium (Debian's package) against a live server."""
import os
import re
import shutil
from pathlib import Path

import pytest
import requests

from harness.server import LiveServer

from tack.services.board_page import CARDS_SHOWN

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LIVE_WITHIN_MS = 2000
KEY = "browser-key"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def server(app, database, request):
    url, sqlite_path = database
    extra = {"TACK_API_KEY": KEY} if request.node.get_closest_marker("with_key") else {}
    live = LiveServer(url, sqlite_path, extra_env=extra)
    yield live
    live.stop()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("dialog", lambda dialog: problems.append("alert: " + dialog.message))
    opened.goto(server.url + "/")
    yield opened
    context.close()
    assert problems == [], problems


def api(server, method, path, **body):
    headers = {"X-API-Key": KEY}
    response = requests.request(method, server.url + path, json=body or None, headers=headers)
    assert response.status_code < 400, response.text
    return response.json() if response.content else None


def card_in(page, column: str, title: str):
    return page.locator(f'.cards[data-column="{column}"] .card', has_text=title)


HOVER_MOVES = 100  # at most this many small moves over the goal before giving up


def drag(page, source, target):
    """A person's drag of the card `source` into the list `target`."""
    dragged = source.element_handle()
    goal = target.bounding_box()
    drag_to(page, dragged, (goal["x"] + goal["width"] / 2, goal["y"] + 20),
            lambda: target.evaluate("(list, card) => list.contains(card)", dragged))


def drag_to(page, dragged, point, placed, grip=None):
    """Press on `dragged` (an element handle; on `grip` inside it when given), move
    in steps to `point`, and keep the pointer moving there, a pixel at a time, until
    placed() says SortableJS has put the element where it belongs; then release.
    SortableJS ignores the pointer while it animates a swap (and 30 ms after each),
    so releasing straight after a fast move can drop the element where the pointer
    passed instead of where it stopped. The drop before must have been answered."""
    page.wait_for_function("() => !document.body.classList.contains('dragging')")
    box = (grip or dragged).bounding_box()
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + min(10, box["height"] / 2)
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 5, start_y + 5, steps=3)
    page.mouse.move(*point, steps=15)
    for move in range(HOVER_MOVES):
        if placed():
            break
        page.mouse.move(point[0] + move % 2, point[1])
    else:
        page.mouse.up()
        raise AssertionError(f"the drag never placed the element at {point}")
    page.mouse.up()


def test_drag_a_card_to_another_column(page, server):
    card_id = api(server, "post", "/api/cards", title="Drag me")["id"]
    page.reload()
    drag(page, card_in(page, "inbox", "Drag me"), page.locator('.cards[data-column="approved"]'))
    playwright_api.expect(card_in(page, "approved", "Drag me")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('#toast').textContent.includes('Moved')")
    assert api(server, "get", f"/api/cards/{card_id}")["column_name"] == "approved"


def test_a_live_update_does_not_break_a_drag_under_way(page, server):
    card_id = api(server, "post", "/api/cards", title="Held mid-drag")["id"]
    page.reload()
    source = card_in(page, "inbox", "Held mid-drag").bounding_box()
    goal = page.locator('.cards[data-column="approved"]').bounding_box()
    page.mouse.move(source["x"] + source["width"] / 2, source["y"] + 10)
    page.mouse.down()
    page.mouse.move(source["x"] + source["width"] / 2 + 5, source["y"] + 15, steps=3)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 20, steps=8)
    playwright_api.expect(page.locator("body.dragging")).to_have_count(1)
    api(server, "post", "/api/cards", title="Arrived during the drag")
    page.wait_for_timeout(LIVE_WITHIN_MS + 500)  # a poll answers while the card is held
    # The update waits for the drop: swapping the columns now would drop the card.
    assert card_in(page, "inbox", "Arrived during the drag").count() == 0
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 25, steps=3)
    page.mouse.up()
    playwright_api.expect(card_in(page, "approved", "Held mid-drag")).to_be_visible()
    playwright_api.expect(card_in(page, "inbox", "Arrived during the drag")).to_be_visible(
        timeout=LIVE_WITHIN_MS)
    assert api(server, "get", f"/api/cards/{card_id}")["column_name"] == "approved"


def test_claim_time_left_counts_down_on_the_page(page, server):
    card_id = api(server, "post", "/api/cards", title="Held")["id"]
    api(server, "post", f"/api/cards/{card_id}/claim", agent="agent-1", ttl_seconds=63)
    page.reload()
    left = card_in(page, "inbox", "Held").locator("time.time-left")
    playwright_api.expect(left).to_have_text("1m")
    # Under a minute the page ticks to seconds by itself, with no event to redraw it.
    playwright_api.expect(left).to_have_text(re.compile(r"^\d+s$"), timeout=8000)


def test_api_docs_render(page, server):
    page.goto(server.url + "/docs")
    playwright_api.expect(page.get_by_text("/api/cards/claim-next").first).to_be_visible(
        timeout=10000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))


def test_click_a_decision_option(page, server):
    card_id = api(server, "post", "/api/cards", title="Choose")["id"]
    api(server, "post", f"/api/cards/{card_id}/decision", question="Which colour?",
        options=[{"key": "red", "label": "Red"}, {"key": "blue", "label": "Blue"}])
    page.reload()
    card = card_in(page, "awaiting_decision", "Choose")
    card.locator("input[name=note]").fill("blue is calmer")
    card.get_by_role("button", name="Blue").click()
    playwright_api.expect(card_in(page, "in_progress", "Choose")).to_be_visible()
    decided = api(server, "get", f"/api/cards/{card_id}")
    assert decided["decision"]["decided"] == "blue"
    assert api(server, "get", f"/api/cards/{card_id}/notes")[-1]["content"] == "blue is calmer"


def test_approve_a_plan(page, server):
    card_id = api(server, "post", "/api/cards", title="Deploy")["id"]
    api(server, "post", f"/api/cards/{card_id}/approval", plan="1. build\n2. ship")
    page.reload()
    card = card_in(page, "awaiting_approval", "Deploy")
    card.locator("input[name=comment]").fill("go")
    card.get_by_role("button", name="Approve").click()
    playwright_api.expect(card_in(page, "in_progress", "Deploy")).to_be_visible()
    assert api(server, "get", f"/api/cards/{card_id}")["approval"]["approved"] is True


def test_create_a_card_with_the_keyboard(page, server):
    page.keyboard.press("n")
    playwright_api.expect(page.locator("#new-card-dialog")).to_be_visible()
    page.keyboard.type("Typed card")
    page.keyboard.press("Enter")
    playwright_api.expect(card_in(page, "inbox", "Typed card")).to_be_visible()
    playwright_api.expect(page.locator("#new-card-dialog")).to_be_hidden()
    assert [c["title"] for c in api(server, "get", "/api/cards")] == ["Typed card"]


def test_search_keys_slash_and_escape(page, server):
    api(server, "post", "/api/cards", title="alpha")
    api(server, "post", "/api/cards", title="beta")
    page.reload()
    page.keyboard.press("/")
    page.keyboard.type("alp")
    playwright_api.expect(page.locator(".card", has_text="beta")).to_have_count(0)
    playwright_api.expect(page.locator(".card", has_text="alpha")).to_have_count(1)
    page.keyboard.press("Escape")
    playwright_api.expect(page.locator(".card", has_text="beta")).to_have_count(1)


def test_agent_change_appears_live_without_closing_the_dialog(page, server):
    card_id = api(server, "post", "/api/cards", title="Open me")["id"]
    page.reload()
    card_in(page, "inbox", "Open me").dblclick()
    dialog = page.locator("#card-dialog")
    playwright_api.expect(dialog).to_be_visible()
    page.locator("#dialog-body textarea[name=content]").fill("half-typed note")
    api(server, "post", "/api/cards", title="Made by an agent", priority="high")
    api(server, "post", f"/api/cards/{card_id}/move", column_name="in_progress")
    playwright_api.expect(card_in(page, "inbox", "Made by an agent")).to_be_visible(
        timeout=LIVE_WITHIN_MS)
    playwright_api.expect(card_in(page, "in_progress", "Open me")).to_be_visible(
        timeout=LIVE_WITHIN_MS)
    playwright_api.expect(dialog).to_be_visible()
    assert page.locator("#dialog-body textarea[name=content]").input_value() == "half-typed note"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "card-dialog.png"))
    page.keyboard.press("Escape")
    playwright_api.expect(dialog).to_be_hidden()


def test_hostile_title_shows_as_text_and_screenshots(page, server):
    api(server, "post", "/api/cards", title="<img src=x onerror=alert(1)>", priority="critical",
        tags=["xss"])
    waiting = api(server, "post", "/api/cards", title="Which queue?")["id"]
    api(server, "post", f"/api/cards/{waiting}/decision", question="Redis or Postgres?",
        options=[{"key": "redis"}, {"key": "pg"}])
    claimed = api(server, "post", "/api/cards", title="Being worked", column_name="in_progress")
    api(server, "post", f"/api/cards/{claimed['id']}/claim", agent="agent-7")
    page.reload()
    playwright_api.expect(page.locator(".card .title", has_text="<img src=x onerror=alert(1)>")
                          ).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "board-phone.png"), full_page=True)
    page.locator("#theme-toggle").click()
    page.screenshot(path=str(ARTIFACTS / "board-phone-other-theme.png"))


@pytest.mark.with_key
def test_sign_in_and_out(page, server):
    card_id = api(server, "post", "/api/cards", title="Guarded")["id"]
    page.reload()
    drag(page, card_in(page, "inbox", "Guarded"), page.locator('.cards[data-column="approved"]'))
    playwright_api.expect(page.locator("#toast")).to_contain_text("Sign in")
    # The refused move snaps back.
    playwright_api.expect(card_in(page, "inbox", "Guarded")).to_be_visible()
    assert api(server, "get", f"/api/cards/{card_id}")["column_name"] == "inbox"

    page.locator(".sign-in input[name=name]").fill("Ann")
    page.locator(".sign-in input[name=key]").fill(KEY)
    page.locator(".sign-in button").click()
    playwright_api.expect(page.locator(".sign-out")).to_contain_text("Ann")
    assert KEY not in str(page.context.cookies())
    drag(page, card_in(page, "inbox", "Guarded"), page.locator('.cards[data-column="approved"]'))
    playwright_api.expect(card_in(page, "approved", "Guarded")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('#toast').textContent.includes('Moved')")
    assert api(server, "get", f"/api/cards/{card_id}")["column_name"] == "approved"

    page.locator(".sign-out button").click()
    playwright_api.expect(page.locator(".sign-in")).to_be_visible()


def test_show_more_on_a_column_with_more_cards_than_shown(page, server):
    operations = [{"action": "create", "title": f"Bulk {n:03d}"} for n in range(CARDS_SHOWN + 3)]
    response = requests.post(server.url + "/api/batch", json=operations,
                             headers={"X-API-Key": KEY})
    assert response.ok, response.text
    page.reload()
    inbox = page.locator('.cards[data-column="inbox"] .card')
    playwright_api.expect(inbox).to_have_count(CARDS_SHOWN)
    column = page.locator('.column[data-column="inbox"]')
    playwright_api.expect(column.locator(".count")).to_have_text(str(CARDS_SHOWN + 3))
    column.locator(".more").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board-show-more.png"))
    column.get_by_role("button", name=re.compile("Show more")).click()
    playwright_api.expect(inbox).to_have_count(CARDS_SHOWN + 3)
    playwright_api.expect(inbox.last).to_contain_text(f"Bulk {CARDS_SHOWN + 2:03d}")
    playwright_api.expect(column.get_by_role("button", name=re.compile("Show more"))
                          ).to_have_count(0)
    # A live update redraws the columns and keeps what "show more" opened.
    api(server, "post", "/api/cards", title="Arrived later", column_name="approved")
    playwright_api.expect(card_in(page, "approved", "Arrived later")).to_be_visible(
        timeout=LIVE_WITHIN_MS)
    playwright_api.expect(inbox).to_have_count(CARDS_SHOWN + 3)


def test_drop_below_the_last_shown_card_keeps_the_hidden_ones_below(page, server):
    operations = [{"action": "create", "title": f"Bulk {n:03d}"} for n in range(CARDS_SHOWN + 3)]
    created = requests.post(server.url + "/api/batch", json=operations,
                            headers={"X-API-Key": KEY}).json()["results"]
    ids = [result["id"] for result in created]
    page.reload()
    page.locator('.column[data-column="inbox"] .more').scroll_into_view_if_needed()
    dragged = card_in(page, "inbox", f"Bulk {CARDS_SHOWN - 5:03d}").element_handle()
    last = card_in(page, "inbox", f"Bulk {CARDS_SHOWN - 1:03d}").bounding_box()
    # Released once the card is the last one shown in the column.
    drag_to(page, dragged, (last["x"] + last["width"] / 2, last["y"] + last["height"] * 0.9),
            lambda: dragged.evaluate("card => card.nextElementSibling === null"))
    moved = ids[CARDS_SHOWN - 5]
    expected = [i for i in ids[:CARDS_SHOWN] if i != moved] + [moved] + ids[CARDS_SHOWN:]
    # The page says the move was saved (the answer redrew the column)...
    page.wait_for_function("() => !document.body.classList.contains('dragging')")
    playwright_api.expect(page.locator('.cards[data-column="inbox"] .card').nth(
        CARDS_SHOWN - 1)).to_have_attribute("data-card-id", moved)
    # ... and the server holds it above the hidden cards.
    assert [card["id"] for card in api(server, "get", "/api/board")["inbox"]] == expected
