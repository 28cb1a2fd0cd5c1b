"""Small arrange/assert helpers shared by the API and page tests."""
import html
import re

import sqlalchemy as sa

from tack.extensions import db


def make_card(client, *, headers: dict | None = None, **fields) -> str:
    body = {"title": "A card", **fields}
    response = client.post("/api/cards", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


def get_card(client, card_id: str) -> dict:
    response = client.get(f"/api/cards/{card_id}")
    assert response.status_code == 200, response.json
    return response.json


def actions_of(client, card_id: str | None = None) -> list[str]:
    """Activity actions, oldest first (optionally for one card)."""
    entries = client.get("/api/activity?limit=1000").json
    return [e["action"] for e in reversed(entries) if card_id in (None, e["card_id"])]


def page_csrf_token(client) -> str:
    """The CSRF token the board page hands to htmx (load the page first)."""
    page = client.get("/").data.decode()
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def toast_text(response) -> str:
    """The message a page answer puts in the board's toast."""
    found = re.search(r'<div id="toast"[^>]*>(.*?)</div>', response.data.decode(), re.S)
    return html.unescape(found.group(1))


def statements_sent(app, send) -> list[str]:
    """The SQL statements `send()` makes the application execute."""
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", seen)
        try:
            response = send()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code in (200, 201), response.json
    return statements
