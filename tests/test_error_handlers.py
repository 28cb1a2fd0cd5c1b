"""One error module: JSON under the API paths, HTML on pages, an htmx fragment for
page writes; database busy, write conflicts and surprises included."""
import logging
import re

import pytest
import sqlalchemy as sa
from helpers import get_card, make_card, page_csrf_token, toast_text

from tack.errors import Conflict
from tack.services import cards, notes
from tack.web import views

HX = {"HX-Request": "true"}


def busy(*_args, **_kwargs):
    raise sa.exc.OperationalError("UPDATE cards", {}, Exception("database is locked"))


def conflict(*_args, **_kwargs):
    raise sa.exc.IntegrityError("INSERT INTO notes", {}, Exception("UNIQUE constraint"))


def surprise(*_args, **_kwargs):
    raise RuntimeError("secret internals /srv/tack/db.py line 7")


@pytest.fixture
def page_headers(client):
    return {**HX, "X-CSRFToken": page_csrf_token(client)}


def test_page_write_hitting_a_busy_database_gets_a_page_message(client, page_headers,
                                                                 monkeypatch):
    card_id = make_card(client)
    monkeypatch.setattr(notes, "add_note", busy)
    response = client.post(f"/web/cards/{card_id}/notes", data={"content": "hi"},
                           headers=page_headers)
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert toast_text(response) == "Database busy; retry shortly"
    assert response.headers["HX-Reswap"] == "none"  # the dialog keeps the typed note
    assert 'id="columns"' in response.data.decode()  # and the board as it is


def test_page_move_hitting_a_write_conflict_snaps_back_with_a_message(client, page_headers,
                                                                      monkeypatch):
    card_id = make_card(client)
    monkeypatch.setattr(cards, "move_card", conflict)
    response = client.post(f"/web/cards/{card_id}/move", data={"column_name": "done"},
                           headers=page_headers)
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert toast_text(response) == "The write conflicted with another; retry"
    columns = response.data.decode()
    assert re.search(r'data-column="inbox">\s*<article[^>]*id="' + card_id, columns)
    assert get_card(client, card_id)["column_name"] == "inbox"


def test_message_alone_when_the_board_cannot_be_read_either(client, page_headers,
                                                            monkeypatch):
    card_id = make_card(client)
    monkeypatch.setattr(notes, "add_note", busy)
    monkeypatch.setattr(views, "board_context", busy)
    response = client.post(f"/web/cards/{card_id}/notes", data={"content": "hi"},
                           headers={**page_headers, "HX-Target": "dialog-body"})
    assert response.status_code == 503 and response.mimetype == "text/html"
    body = response.data.decode()
    assert toast_text(response) == "Database busy; retry shortly" and 'id="columns"' not in body
    assert re.search(r'id="dialog-message"[^>]*>Database busy', body)


def test_api_answers_the_same_failures_as_json(client, monkeypatch):
    card_id = make_card(client)
    monkeypatch.setattr(notes, "add_note", busy)
    response = client.post(f"/api/cards/{card_id}/notes", json={"content": "hi"})
    assert (response.status_code, response.json) == (
        503, {"detail": "Database busy; retry shortly", "code": "DATABASE_BUSY"})
    monkeypatch.setattr(notes, "add_note", conflict)
    response = client.post(f"/api/cards/{card_id}/notes", json={"content": "hi"})
    assert (response.status_code, response.json["code"]) == (409, "WRITE_CONFLICT")


def test_unexpected_error_is_logged_and_no_trace_reaches_anyone(client, page_headers,
                                                               monkeypatch, caplog):
    card_id = make_card(client)
    monkeypatch.setattr(notes, "add_note", surprise)
    monkeypatch.setattr(notes, "list_notes", surprise)
    with caplog.at_level(logging.ERROR):
        api = client.post(f"/api/cards/{card_id}/notes", json={"content": "hi"})
        fragment = client.post(f"/web/cards/{card_id}/notes", data={"content": "hi"},
                               headers=page_headers)
        full_page = client.get(f"/web/cards/{card_id}")
    assert (api.status_code, api.json) == (
        500, {"detail": "Internal server error", "code": "INTERNAL_ERROR"})
    assert fragment.status_code == 500 and toast_text(fragment) == "Internal server error"
    assert full_page.status_code == 500 and b"<html" in full_page.data
    for response in (api, fragment, full_page):
        assert b"secret internals" not in response.data and b"Traceback" not in response.data
    assert sum("secret internals" in r.exc_text for r in caplog.records if r.exc_text) == 3


def test_domain_refusal_without_htmx_is_an_html_page(client, page_headers):
    card_id = make_card(client)
    headers = {"X-CSRFToken": page_headers["X-CSRFToken"]}
    response = client.post(f"/web/cards/{card_id}/move", data={"column_name": "nowhere"},
                           headers=headers)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert b"<html" in response.data and b"Invalid column" in response.data


def test_claim_conflict_reads_as_a_sentence_on_the_page(client, page_headers, monkeypatch):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/claim", json={"agent": "bot-1"})
    api = client.post(f"/api/cards/{card_id}/claim", json={"agent": "bot-2"})
    assert api.json["detail"]["claimed_by"] == "bot-1"

    def already_claimed(**_):
        raise Conflict(api.json["detail"], api.json["code"])

    monkeypatch.setattr(cards, "update_card", already_claimed)
    response = client.post(f"/web/cards/{card_id}", data={"title": "x"}, headers=page_headers)
    assert response.status_code == 409 and toast_text(response) == "Card already claimed by bot-1"


def test_http_errors_are_json_on_api_paths_and_html_on_pages(client, page_headers):
    assert client.get("/api/nothing").json == {"detail": "Not found: /api/nothing",
                                                "code": "NOT_FOUND"}
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert b"Not found: /no/such/page" in page.data
    wrong_method = client.delete("/web/board", headers=page_headers)
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "text/html"
