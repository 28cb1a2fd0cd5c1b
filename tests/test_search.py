"""Full-text search: ranked, combinable with the list filters, paged with a total,
and safe for any text a user types."""
import pytest
from helpers import make_card

from tack.errors import Invalid
from tack.services.search import search_cards


def search(client, q, **params):
    response = client.get("/api/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.json
    return response.json


def ids(result):
    return [card["id"] for card in result["cards"]]


def test_title_matches_rank_above_tags_above_description(client):
    in_description = make_card(client, title="Tidy up", description="the login page")
    in_tags = make_card(client, title="Styles", tags=["login"])
    in_title = make_card(client, title="Fix login redirect")
    make_card(client, title="Unrelated", description="nothing here")
    result = search(client, "login")
    assert ids(result) == [in_title, in_tags, in_description]
    assert result["total"] == 3 and result["query"] == "login"
    assert result["cards"][0]["title"] == "Fix login redirect"


def test_every_word_must_match_as_a_word_or_its_start(client):
    both = make_card(client, title="Authentication for the API")
    make_card(client, title="Authentication page")
    result = search(client, "auth api")
    assert ids(result) == [both]
    assert search(client, "AUTHENTICATION")["total"] == 2
    assert search(client, "thentication")["total"] == 0  # not the middle of a word


def test_search_combines_with_list_filters(client, frozen):
    match = make_card(client, title="deploy script", assignee="ana", tags=["ops"],
                      priority="high", column_name="approved")
    make_card(client, title="deploy docs", assignee="bo")
    make_card(client, title="deploy notes", assignee="ana", column_name="inbox")
    assert search(client, "deploy")["total"] == 3
    assert ids(search(client, "deploy", assignee="ana", column="approved")) == [match]
    assert ids(search(client, "deploy", tag="ops")) == [match]
    assert ids(search(client, "deploy", priority="high")) == [match]
    client.post(f"/api/cards/{match}/claim", json={"agent": "a1", "ttl_seconds": 60})
    assert ids(search(client, "deploy", claimed_by="a1")) == [match]
    assert search(client, "deploy", claimed_by="a2")["total"] == 0
    bad = client.get("/api/search?q=deploy&column=nowhere")
    assert (bad.status_code, bad.json["code"]) == (400, "INVALID_COLUMN")
    bad = client.get("/api/search?q=deploy&priority=urgent")
    assert (bad.status_code, bad.json["code"]) == (400, "INVALID_PRIORITY")


def test_pages_carry_the_total(client):
    made = [make_card(client, title=f"report {i}") for i in range(5)]
    first = search(client, "report", limit=2)
    second = search(client, "report", limit=2, offset=2)
    last = search(client, "report", limit=2, offset=4)
    assert [r["total"] for r in (first, second, last)] == [5, 5, 5]
    # Equal scores: the oldest card first, so pages never overlap.
    assert ids(first) + ids(second) + ids(last) == made
    assert (first["limit"], second["offset"]) == (2, 2)
    assert search(client, "report", offset=10)["cards"] == []


@pytest.mark.parametrize("hostile", [
    '"', '""', "*", "a*", "NEAR(", "NEAR(a b)", "-", "-login", "login OR", "AND",
    "title:login", "^login", "(login", "login)", "'", "'; DROP TABLE cards; --",
    "\\", "%", "_", "a & b | !c", "<->", ":*", "{x}", "login" + "\u0301",
])
def test_hostile_queries_never_fail(client, hostile):
    make_card(client, title="login page")
    result = search(client, hostile)
    assert result["total"] == len(result["cards"])


def test_punctuation_around_words_is_ignored(client):
    card = make_card(client, title="login page")
    assert ids(search(client, '"login" -page*')) == [card]
    assert ids(search(client, "(login)^ OR")) == []  # "or" is a word to find, too
    assert ids(search(client, "(login)^")) == [card]


def test_unicode_words_are_found(client):
    cafe = make_card(client, title="Café menu", tags=["früh-stück"])
    tokyo = make_card(client, title="東京 office", description="Ünïcödé notes")
    assert ids(search(client, "café")) == [cafe]
    assert ids(search(client, "früh")) == [cafe]
    assert ids(search(client, "東京")) == [tokyo]
    assert ids(search(client, "ünïcödé")) == [tokyo]


def test_edits_and_deletes_keep_the_index_current(client):
    card = make_card(client, title="old title", tags=["alpha"])
    client.patch(f"/api/cards/{card}", json={"title": "new heading", "tags": ["beta"]})
    assert search(client, "old")["total"] == 0 and search(client, "alpha")["total"] == 0
    assert ids(search(client, "heading beta")) == [card]
    client.post(f"/api/cards/{card}/move", json={"column_name": "done"})
    assert ids(search(client, "heading")) == [card]
    client.delete(f"/api/cards/{card}")
    assert search(client, "heading")["total"] == 0


def test_bad_requests_get_clear_errors(client):
    empty = client.get("/api/search?q=%20%20")
    assert (empty.status_code, empty.json["code"]) == (400, "EMPTY_QUERY")
    assert client.get("/api/search").json["code"] == "EMPTY_QUERY"
    assert client.get("/api/search?q=x&limit=0").status_code == 422
    assert client.get("/api/search?q=x&limit=1001").status_code == 422
    assert client.get("/api/search?q=x&offset=-1").status_code == 422
    assert client.get("/api/search?q=" + "x" * 501).status_code == 422
    missing = client.get("/api/search?q=x&board=nope")
    assert (missing.status_code, missing.json["code"]) == (404, "BOARD_NOT_FOUND")


def test_service_called_directly(app, client, frozen):
    card = make_card(client, title="Quarterly numbers")
    with app.app_context():
        rows, total = search_cards(board_id="main", query="quarter", limit=10)
        assert ([row.id for row in rows], total) == ([card], 1)
        client.post(f"/api/cards/{card}/claim", json={"agent": "a1", "ttl_seconds": 60})
        assert search_cards(board_id="main", query="quarter", claimed_by="a1")[1] == 1
        frozen.advance(seconds=60)  # expired: held by nobody
        assert search_cards(board_id="main", query="quarter", claimed_by="a1")[1] == 0
        assert search_cards(board_id="main", query="?!") == ([], 0)
        with pytest.raises(Invalid) as empty:
            search_cards(board_id="main", query="")
        assert empty.value.code == "EMPTY_QUERY"
        with pytest.raises(Invalid):
            search_cards(board_id="main", query="x", limit=0)
