"""With TACK_API_KEY set the page is readable by anyone; writing needs a sign-in."""
import pytest
from helpers import get_card, page_csrf_token
from test_web import HX

from tack.api.schemas import NAME_MAX

KEY = "page-key"


@pytest.fixture
def config_overrides():
    return {"api_key": KEY}


def create_card(client) -> str:
    response = client.post("/api/cards", json={"title": "t"}, headers={"X-API-Key": KEY})
    return response.json["id"]


def test_signed_out_write_is_refused_with_a_message(client):
    card_id = create_card(client)
    assert client.get("/").status_code == 200
    token = page_csrf_token(client)
    response = client.post(f"/web/cards/{card_id}/move", data={"column_name": "done"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 401 and "Sign in" in response.data.decode()
    assert get_card(client, card_id)["column_name"] == "inbox"


def test_sign_in_then_write_then_sign_out(client):
    card_id = create_card(client)
    token = page_csrf_token(client)
    wrong = client.post("/web/sign-in", data={"key": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "not right" in wrong.data.decode()
    response = client.post("/web/sign-in", data={"key": KEY, "name": "Ann", "csrf_token": token})
    assert response.status_code == 303
    cookie = client.get_cookie("session")
    assert cookie is not None and KEY not in cookie.value
    token = page_csrf_token(client)
    assert "Signed in as <b>Ann</b>" in client.get("/").data.decode()
    response = client.post(f"/web/cards/{card_id}/move", data={"column_name": "done"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert client.get("/api/activity").json[0]["actor"] == "Ann"
    client.post("/web/sign-out", data={"csrf_token": token})
    response = client.post(f"/web/cards/{card_id}/move", data={"column_name": "inbox"},
                           headers={**HX, "X-CSRFToken": page_csrf_token(client)})
    assert response.status_code == 401


def test_over_long_name_is_refused_not_cut(client):
    token = page_csrf_token(client)
    response = client.post("/web/sign-in", data={"key": KEY, "name": "a" * (NAME_MAX + 1),
                                                 "csrf_token": token})
    assert response.status_code == 422 and f"at most {NAME_MAX} characters" in \
        response.data.decode()
    assert "Signed in as" not in client.get("/").data.decode()
