"""Many boards in real headless Chromium: switching boards, a refused drop at a WIP
limit, and reordering columns by dragging on the settings page."""
import pytest
import requests
from test_browser import browser, card_in, drag, drag_to, page, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
SHOTS = "/tmp"


def v1(server, method, path, key=None, **body):
    headers = {"Authorization": "Bearer " + key} if key else {}
    response = requests.request(method, server.url + "/api/v1" + path, json=body or None,
                                headers=headers)
    assert response.status_code < 400, response.text
    return response.json() if response.content else None


def test_switch_boards_and_a_refused_drop_at_a_wip_limit(page, server):
    board = v1(server, "post", "/boards", name="Ops board",
               columns=["Todo", "Doing", "Done"])
    todo, doing, _ = (column["id"] for column in board["columns"])
    key = board["manage_key"]
    v1(server, "patch", f"/boards/{board['id']}/columns/{doing}", key, wip_limit=1)
    for title in ("Busy", "Waiting"):
        v1(server, "post", f"/boards/{board['id']}/tasks", key, title=title,
           actor_name="bot")
    v1(server, "post", f"/boards/{board['id']}/tasks", key, title="Busy-2",
       actor_name="bot")
    # Its manage link opens the board for this browser, and leaves no key in the address.
    page.goto(server.url + f"/board/{board['id']}?key={key}")
    page.wait_for_url(server.url + f"/board/{board['id']}")
    page.goto(server.url + "/")
    page.select_option("#board-switcher", label="Ops board")
    page.wait_for_url(f"**/boards/{board['id']}")
    playwright_api.expect(card_in(page, todo, "Waiting")).to_be_visible()
    assert page.locator(".card", has_text="Busy").count() == 2
    assert page.locator('.cards[data-column="inbox"]').count() == 0  # not main's columns
    drag(page, card_in(page, todo, "Waiting"), page.locator(f'.cards[data-column="{doing}"]'))
    playwright_api.expect(card_in(page, doing, "Waiting")).to_be_visible()
    playwright_api.expect(page.locator(".wip.at-limit")).to_have_text("1/1")
    # The column is full: the next drop is refused, says why, and the card snaps back.
    drag(page, card_in(page, todo, "Busy-2"), page.locator(f'.cards[data-column="{doing}"]'))
    playwright_api.expect(page.locator("#toast.error")).to_have_text(
        "WIP limit reached: 'Doing' holds at most 1 cards")
    playwright_api.expect(card_in(page, todo, "Busy-2")).to_be_visible()
    assert card_in(page, doing, "Busy-2").count() == 0
    page.screenshot(path=f"{SHOTS}/boards-wip-refused.png")
    # And back to the main board through the switcher.
    page.select_option("#board-switcher", label="Main board")
    page.wait_for_url(server.url + "/")
    playwright_api.expect(page.locator('.cards[data-column="inbox"]')).to_be_visible()


def test_reorder_columns_by_dragging_on_the_settings_page(page, server):
    board = v1(server, "post", "/boards", name="Reorder me", columns=["One", "Two", "Three"])
    page.goto(server.url + f"/board/{board['id']}?key={board['manage_key']}")
    page.goto(server.url + f"/boards/{board['id']}/settings")
    rows = page.locator(".column-row")
    playwright_api.expect(rows).to_have_count(3)
    dragged = rows.nth(2).element_handle()
    goal = rows.nth(0).bounding_box()
    # Released once the row is first in the list (dragged by its handle).
    drag_to(page, dragged, (goal["x"] + 10, goal["y"] + 4),
            lambda: dragged.evaluate("row => row.parentElement.firstElementChild === row"),
            grip=rows.nth(2).locator(".handle"))
    playwright_api.expect(page.locator("#toast")).to_have_text("Columns reordered.")
    names = [column["name"] for column in v1(server, "get", f"/boards/{board['id']}")["columns"]]
    assert names == ["Three", "One", "Two"]
    playwright_api.expect(rows.first.locator("input[name=name]")).to_have_value("Three")
    page.screenshot(path=f"{SHOTS}/boards-settings.png")
    page.goto(server.url + "/boards")
    page.screenshot(path=f"{SHOTS}/boards-list.png")
