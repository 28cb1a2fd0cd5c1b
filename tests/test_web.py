"""The page and its HTMX partials, through the Flask client."""
import re

import pytest
from helpers import get_card, make_card, page_csrf_token, toast_text

from tack.api.schemas import DESCRIPTION_MAX, NOTE_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX
from tack.services import board_page
from tack.services.board_page import CARDS_SHOWN

HX = {"HX-Request": "true"}


@pytest.fixture
def page(client):
    """A client that has loaded the page and sends its CSRF token like htmx does."""
    token = page_csrf_token(client)

    class Page:
        headers = {**HX, "X-CSRFToken": token}

        def post(self, path, **form):
            return client.post(path, data=form, headers=self.headers)

        def get(self, path):
            return client.get(path, headers=HX)

    Page.client = client
    return Page()


def test_board_page_shows_every_column_with_counts_and_card_details(client):
    card_id = make_card(client, title="Ship it", priority="critical", assignee="ann",
                        tags=["release"])
    client.post(f"/api/cards/{card_id}/notes", json={"content": "n1"})
    client.post(f"/api/cards/{card_id}/claim", json={"agent": "bot-1"})
    html = client.get("/").data.decode()
    for name in ("Inbox", "Approved", "In progress", "Awaiting decision", "Awaiting approval",
                 "Deferred", "Done", "Blocked"):
        assert name in html
    assert 'data-column="inbox"' in html and '<span class="count">1</span>' in html
    assert "prio-critical" in html and "@ann" in html and "release" in html
    assert "✎ 1" in html and "bot-1" in html and "left" in html


def test_user_text_is_escaped_everywhere(client, page):
    card_id = make_card(client, title="<img src=x onerror=alert(1)>",
                        description="<script>alert(2)</script> [x](javascript:alert(3))")
    client.post(f"/api/cards/{card_id}/notes", json={"content": "<b onclick=x>hi</b>"})
    for html in (client.get("/").data.decode(), page.get(f"/web/cards/{card_id}").data.decode()):
        assert "<img src=x" not in html and "<script>alert" not in html
        assert "href=\"javascript:" not in html and "<b onclick" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe" not in policy


def test_move_by_drop_persists_column_and_place(client, page):
    first = make_card(client, title="first")
    second = make_card(client, title="second")
    target = make_card(client, title="target", column_name="in_progress")
    response = page.post(f"/web/cards/{second}/move", column_name="in_progress",
                         before_id=target)
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in response.data.decode()
    board = client.get("/api/board").json
    assert [c["id"] for c in board["in_progress"]] == [second, target]
    page.post(f"/web/cards/{first}/move", column_name="in_progress", before_id="")
    board = client.get("/api/board").json
    assert [c["id"] for c in board["in_progress"]] == [second, target, first]


def test_refused_move_answers_with_the_reason_and_the_real_board(client, page):
    card_id = make_card(client)
    response = page.post(f"/web/cards/{card_id}/move", column_name="nowhere")
    assert response.status_code == 400
    html = response.data.decode()
    assert "Invalid column" in html and 'id="columns"' in html
    assert get_card(client, card_id)["column_name"] == "inbox"


def test_decision_in_one_click(client, page):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/decision", json={
        "question": "Which?", "options": [{"key": "a", "label": "Option A"}, {"key": "b"}]})
    html = client.get("/").data.decode()
    assert "Which?" in html and 'name="choice" value="a"' in html and "Option A" in html
    response = page.post(f"/web/cards/{card_id}/decide", choice="b", note="because")
    assert response.status_code == 200
    card = get_card(client, card_id)
    assert card["decision"]["decided"] == "b" and card["column_name"] == "in_progress"


def test_approval_with_comment(client, page):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/approval", json={"plan": "do **it**"})
    assert "<strong>it</strong>" in client.get("/").data.decode()
    page.post(f"/web/cards/{card_id}/approve", approved="false", comment="not now")
    card = get_card(client, card_id)
    assert card["approval"]["approved"] is False and card["column_name"] == "blocked"


def test_create_edit_note_and_delete_from_the_page(client, page):
    response = page.post("/web/cards", title="From page", priority="high", tags="a, b",
                         column_name="approved")
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "tack:card-created"
    card = client.get("/api/cards").json[0]
    assert (card["title"], card["priority"], card["tags"], card["column_name"]) == \
        ("From page", "high", ["a", "b"], "approved")
    dialog = page.get(f"/web/cards/{card['id']}").data.decode()
    assert 'value="From page"' in dialog and "Trace log" in dialog
    client.patch(f"/api/cards/{card['id']}", json={"assignee": "agent-9"})
    page.post(f"/web/cards/{card['id']}", title="Renamed", shown_title="From page",
              priority="low", shown_priority="high", assignee="", shown_assignee="",
              column_name="approved", shown_column_name="approved")
    edited = get_card(client, card["id"])
    assert (edited["title"], edited["priority"]) == ("Renamed", "low")
    assert edited["assignee"] == "agent-9"  # the agent's change, made meanwhile, is kept
    response = page.post(f"/web/cards/{card['id']}/notes", content="looked at it")
    assert "looked at it" in response.data.decode()
    page.post(f"/web/cards/{card['id']}/delete", reason="done with it")
    assert client.get(f"/api/cards/{card['id']}").status_code == 404


def test_search_and_filters_run_on_the_server(client, page):
    make_card(client, title="alpha bug", tags=["bug"], priority="high")
    make_card(client, title="beta", assignee="ann")
    html = page.get("/web/board?f_q=alpha").data.decode()
    assert "alpha bug" in html and "beta" not in html
    assert "beta" in page.get("/web/board?f_assignee=ann").data.decode()
    assert "alpha" not in page.get("/web/board?f_assignee=ann").data.decode()
    assert "alpha" in page.get("/web/board?f_tag=bug&f_priority=high").data.decode()


def test_live_poll_is_204_until_something_happens(client, page):
    seq = client.get("/api/changes?after=0").json["cursor"]
    assert page.get(f"/web/changes?after={seq}").status_code == 204
    make_card(client, title="new from an agent")
    response = page.get(f"/web/changes?after={seq}")
    assert response.status_code == 200 and "new from an agent" in response.data.decode()
    # Someone else's change leaves the person's last message (a refused drop's reason).
    assert 'id="toast"' not in response.data.decode()


def test_write_without_csrf_token_is_refused(client):
    card_id = make_card(client)
    client.get("/")
    response = client.post(f"/web/cards/{card_id}/move", data={"column_name": "done"},
                           headers=HX)
    assert response.status_code == 400 and "This page is out of date" in response.data.decode()
    assert get_card(client, card_id)["column_name"] == "inbox"


def test_unknown_page_is_html_not_json(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and b"<html" in response.data


# ---- the page checks input with the API's own schemas -------------------------------

def api_refusal(response) -> str:
    assert response.status_code == 422, response.json
    return response.json["detail"]


def test_over_long_note_is_refused_with_the_apis_message(client, page):
    card_id = make_card(client)
    before = client.get("/api/activity?limit=1000").json
    too_long = "n" * (NOTE_MAX + 1)
    expected = api_refusal(client.post(f"/api/cards/{card_id}/notes",
                                       json={"content": too_long}))
    response = page.post(f"/web/cards/{card_id}/notes", content=too_long)
    assert response.status_code == 422 and toast_text(response) == expected
    assert "content: Longer than maximum length" in expected
    assert client.get(f"/api/cards/{card_id}/notes").json == []
    assert client.get("/api/activity?limit=1000").json == before


def test_decision_note_takes_the_apis_limit_not_a_shorter_one(client, page):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/decision",
                json={"question": "Which?", "options": [{"key": "a"}]})
    too_long = "d" * (NOTE_MAX + 1)
    expected = api_refusal(client.post(f"/api/cards/{card_id}/decide",
                                       json={"choice": "a", "note": too_long}))
    response = page.post(f"/web/cards/{card_id}/decide", choice="a", note=too_long)
    assert response.status_code == 422 and toast_text(response) == expected
    assert get_card(client, card_id)["decision"]["decided"] is None
    long_note = "d" * 15_000  # over the page's old cut of 10,000, within the API's limit
    assert page.post(f"/web/cards/{card_id}/decide", choice="a",
                     note=long_note).status_code == 200
    assert client.get(f"/api/cards/{card_id}/notes").json[-1]["content"] == long_note


def test_over_long_approval_comment_is_refused_with_the_apis_message(client, page):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/approval", json={"plan": "ship"})
    too_long = "c" * (NOTE_MAX + 1)
    expected = api_refusal(client.post(f"/api/cards/{card_id}/approve",
                                       json={"approved": True, "comment": too_long}))
    response = page.post(f"/web/cards/{card_id}/approve", approved="true", comment=too_long)
    assert response.status_code == 422 and toast_text(response) == expected
    card = get_card(client, card_id)
    assert card["approval"]["approved"] is None and card["column_name"] == "awaiting_approval"


def test_over_long_tag_is_refused_not_trimmed(client, page):
    tag = "t" * (TAG_MAX + 1)
    expected = api_refusal(client.post("/api/cards", json={"title": "x", "tags": [tag]}))
    response = page.post("/web/cards", title="x", tags=f"ok, {tag}")
    assert response.status_code == 422 and toast_text(response) == expected
    assert client.get("/api/cards").json == []
    card_id = make_card(client, tags=["keep"])
    response = page.post(f"/web/cards/{card_id}", tags=tag, shown_tags="keep")
    assert response.status_code == 422 and "Longer than maximum length 100" in toast_text(response)
    assert get_card(client, card_id)["tags"] == ["keep"]


def test_too_many_tags_and_a_blank_title_get_the_apis_messages(client, page):
    tags = [f"t{i}" for i in range(TAGS_MAX + 1)]
    expected = api_refusal(client.post("/api/cards", json={"title": "x", "tags": tags}))
    assert toast_text(page.post("/web/cards", title="x", tags=",".join(tags))) == expected
    expected = api_refusal(client.post("/api/cards", json={"title": "  "}))
    assert toast_text(page.post("/web/cards", title="  ")) == expected
    assert client.get("/api/cards").json == []


def test_refusal_in_the_dialog_keeps_what_was_typed_and_says_why_there(client, page):
    card_id = make_card(client)
    response = page.client.post(f"/web/cards/{card_id}", data={
        "title": "x" * (TITLE_MAX + 1), "shown_title": "A card"},
        headers={**page.headers, "HX-Target": "dialog-body"})
    assert response.status_code == 422 and response.headers["HX-Reswap"] == "none"
    assert re.search(r'<p id="dialog-message"[^>]*hx-swap-oob="true">Validation failed: '
                     r'title: Longer than maximum length 500', response.data.decode())
    assert get_card(client, card_id)["title"] == "A card"


def test_forms_carry_the_apis_limits(client, page):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/approval", json={"plan": "ship"})
    board = client.get("/").data.decode()
    dialog = page.get(f"/web/cards/{card_id}").data.decode()
    assert f'name="comment" placeholder="Comment (optional)" maxlength="{NOTE_MAX}"' in board
    assert f'maxlength="{TITLE_MAX}"' in board and f'maxlength="{TITLE_MAX}"' in dialog
    assert f'name="content" rows="2" placeholder="Add a note" maxlength="{NOTE_MAX}"' in dialog
    assert f'rows="5" maxlength="{DESCRIPTION_MAX}"' in board


def test_over_long_search_is_refused_like_the_apis_filter(client, page):
    make_card(client, title="findable")
    expected = api_refusal(client.get("/api/cards?q=" + "q" * 201))
    response = page.get("/web/board?f_q=" + "q" * 201)
    assert response.status_code == 422 and toast_text(response) == expected


# ---- a bounded page: a slice of each column, "show more", search over all ---------

def fill_column(client, count: int, column_name: str = "inbox") -> list[str]:
    """`count` cards in board order, created in batches."""
    ids = []
    for start in range(0, count, 100):
        operations = [{"action": "create", "title": f"card {n:04d}", "column_name": column_name}
                      for n in range(start, min(start + 100, count))]
        response = client.post("/api/batch", json=operations)
        ids += [result["id"] for result in response.json["results"]]
    return ids


def tiles(html_text: str, column: str = "inbox") -> list[str]:
    found = re.search(rf'id="cards-{column}" data-column="{column}">(.*?)</div>\s*<div class="more"',
                      html_text, re.S)
    return re.findall(r'<article [^>]*id="(card-[0-9a-f]+)"', found.group(1))


def test_a_big_column_shows_its_first_cards_its_total_and_show_more(client, page):
    ids = fill_column(client, CARDS_SHOWN + 7)
    board = client.get("/").data.decode()
    assert tiles(board) == ids[:CARDS_SHOWN]
    assert f'<span class="count">{CARDS_SHOWN + 7}</span>' in board
    assert f'data-before-id="{ids[CARDS_SHOWN]}"' in board
    assert f'hx-get="/web/columns/inbox/cards?offset={CARDS_SHOWN}"' in board
    assert "(7 not shown)" in board
    more = page.get(f"/web/columns/inbox/cards?offset={CARDS_SHOWN}").data.decode()
    assert re.findall(r'<article [^>]*id="(card-[0-9a-f]+)"', more) == ids[CARDS_SHOWN:]
    assert re.search(r'<div class="more" id="more-inbox" hx-swap-oob="true">\s*</div>', more)


def test_search_finds_cards_beyond_the_shown_slice(client, page):
    ids = fill_column(client, CARDS_SHOWN + 20)
    html_text = page.get(f"/web/board?f_q=card {CARDS_SHOWN + 15:04d}").data.decode()
    assert tiles(html_text) == [ids[CARDS_SHOWN + 15]]
    assert '<span class="count">1</span>' in html_text


def test_live_update_keeps_what_show_more_opened(client, page):
    ids = fill_column(client, CARDS_SHOWN + 30)
    seq = client.get("/api/changes?after=0").json["cursor"]
    make_card(client, title="late", column_name="approved")
    shown = CARDS_SHOWN + 10
    html_text = page.get(f"/web/changes?after={seq}&shown_inbox={shown}").data.decode()
    assert tiles(html_text) == ids[:shown] and "late" in html_text
    huge = page.get(f"/web/changes?after={seq}&shown_inbox=999999999").data.decode()
    assert len(tiles(huge)) == CARDS_SHOWN + 30  # within CARDS_SHOWN_MAX
    for junk in ("-5", "x", "²", "1e9"):  # ignored: the first slice
        answer = page.get(f"/web/changes?after={seq}&shown_inbox={junk}")
        assert answer.status_code == 200 and len(tiles(answer.data.decode())) == CARDS_SHOWN


def test_drop_below_the_last_shown_card_lands_above_the_first_hidden_one(client, page):
    ids = fill_column(client, CARDS_SHOWN + 5)
    moved = make_card(client, title="dropped", column_name="approved")
    page.post(f"/web/cards/{moved}/move", column_name="inbox", before_id=ids[CARDS_SHOWN])
    inbox = [card["id"] for card in client.get("/api/board").json["inbox"]]
    assert inbox.index(moved) == CARDS_SHOWN and inbox[CARDS_SHOWN + 1] == ids[CARDS_SHOWN]


def test_the_page_reads_a_slice_not_the_whole_board(client, monkeypatch):
    fill_column(client, CARDS_SHOWN * 3)
    fetched = []
    real_fetch = board_page.fetch

    def counting_fetch(statement, **params):
        rows = real_fetch(statement, **params)
        fetched.append(len(rows))
        return rows

    monkeypatch.setattr(board_page, "fetch", counting_fetch)
    for view in ("/", "/?f_q=card"):  # the filtered page reads in one pass
        fetched.clear()
        assert client.get(view).status_code == 200
        assert max(fetched) == CARDS_SHOWN + 1  # the slice and the one card after it
