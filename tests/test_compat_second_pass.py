"""Where this board once differed from the original Tack, through the Flask client:
what a Tack client reads back. Each test names the original's behaviour it keeps."""
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from helpers import get_card, make_card
from test_web import page  # noqa: F401 (the page fixture: CSRF token sent like htmx)

from tack.extensions import db


def column_order(client, column: str) -> list[tuple[str, int]]:
    """(id, position) of the column's cards as the board shows them."""
    return [(c["id"], c["position"]) for c in client.get("/api/board").json[column]]


def move(client, card_id: str, column_name: str, **body):
    response = client.post(f"/api/cards/{card_id}/move",
                           json={"column_name": column_name, **body})
    assert response.status_code == 200, response.json
    return response.json


# ---- positions ---------------------------------------------------------------------

def test_move_with_position_into_an_empty_column_keeps_that_position(client):
    card_id = make_card(client)
    move(client, card_id, "approved", position=5)
    assert get_card(client, card_id)["position"] == 5
    assert column_order(client, "approved") == [(card_id, 5)]


def test_move_onto_a_taken_position_takes_it_and_the_rest_move_down_in_order(client):
    """Tack stores the position a client sends. Where another card already holds it,
    this board moves that card and every later one down by one, so positions stay
    unique, the column reads in position order, and the others keep their order."""
    a, b, c = (make_card(client, title=t, column_name="approved") for t in "abc")
    newcomer = make_card(client)
    move(client, newcomer, "approved", position=1)
    assert column_order(client, "approved") == [(a, 0), (newcomer, 1), (b, 2), (c, 3)]


def test_move_onto_a_free_position_changes_no_other_card(client):
    a = make_card(client, column_name="approved")
    b = make_card(client, column_name="approved")
    move(client, b, "approved", position=7)
    newcomer = make_card(client)
    move(client, newcomer, "approved", position=3)
    assert column_order(client, "approved") == [(a, 0), (newcomer, 3), (b, 7)]


def test_reorder_inside_a_column_keeps_the_given_position(client):
    a, b, c = (make_card(client, title=t) for t in "abc")
    move(client, a, "inbox", position=2)
    # a takes 2; c, which held it, moves down; b keeps its place.
    assert column_order(client, "inbox") == [(b, 1), (a, 2), (c, 3)]


def test_move_without_position_goes_to_the_end_even_in_its_own_column(client):
    a, b = make_card(client), make_card(client)
    move(client, a, "inbox")
    assert [card_id for card_id, _ in column_order(client, "inbox")] == [b, a]
    assert get_card(client, a)["position"] > get_card(client, b)["position"]


def test_drop_above_a_card_on_the_page_takes_its_place(client, page):  # noqa: F811
    a, b = make_card(client, column_name="approved"), make_card(client, column_name="approved")
    dropped = make_card(client)
    page.post(f"/web/cards/{dropped}/move", column_name="approved", before_id=b)
    assert column_order(client, "approved") == [(a, 0), (dropped, 1), (b, 2)]
    # No before_id, or one that is not in that column: the end, resolved in the write.
    page.post(f"/web/cards/{a}/move", column_name="approved", before_id="")
    page.post(f"/web/cards/{dropped}/move", column_name="approved", before_id="card-gone")
    assert [card_id for card_id, _ in column_order(client, "approved")] == [b, a, dropped]


def test_batch_move_keeps_the_position_too(client):
    card_id = make_card(client)
    response = client.post("/api/batch", json=[
        {"action": "move", "card_id": card_id, "column_name": "blocked", "position": 4}])
    assert response.json["results"][0]["status"] == "moved"
    assert get_card(client, card_id)["position"] == 4


# ---- complete with a follow-up -----------------------------------------------------

def followup_of(client, card_id: str, **body) -> dict:
    response = client.post(f"/api/cards/{card_id}/complete", json={"followup": True, **body})
    assert response.status_code == 200, response.json
    return get_card(client, response.json["followup_id"])


def test_followup_description_starts_with_the_completion_note(client):
    card_id = make_card(client)
    followup = followup_of(client, card_id, note="migrated 3 of 4 tables",
                           followup_description="Migrate the last table.")
    assert followup["description"] == ("Previous card completed with note: migrated 3 of 4 "
                                       "tables\n\nMigrate the last table.")


def test_followup_with_a_note_but_no_description_has_just_the_note_line(client):
    """The original adds a blank line before the given description; with none given,
    this board does not leave a dangling blank line."""
    followup = followup_of(client, make_card(client), note="done")
    assert followup["description"] == "Previous card completed with note: done"


def test_followup_without_a_note_keeps_the_description_as_given(client):
    followup = followup_of(client, make_card(client), followup_description="Next step")
    assert followup["description"] == "Next step"
    assert followup["column_name"] == "inbox"


# ---- changes -----------------------------------------------------------------------

def test_changes_entry_of_a_deleted_card_has_no_card_key_in_every_form(client):
    kept, gone = make_card(client), make_card(client)
    client.post(f"/api/cards/{gone}/delete", json={"reason": "duplicate"})
    for query in ("", "?after=0", "?since=2000-01-01T00:00:00Z"):
        entries = client.get("/api/changes" + query).json["changes"]
        assert {e["card_id"] for e in entries} == {kept, gone}
        for entry in entries:
            assert ("card" in entry) == (entry["card_id"] == kept)


def test_openapi_documents_change_card_as_optional_not_nullable(client):
    schemas = client.get("/openapi.json").json["components"]["schemas"]
    change = schemas["Change"]
    assert "card" not in change.get("required", [])
    assert "nullable" not in str(change["properties"]["card"])


# ---- defaults chosen by column role ------------------------------------------------

@contextmanager
def roles_swapped(app, first: str, second: str):
    """Swap two columns' roles, as a board with its own column keys would have them."""
    swap = sa.text("UPDATE columns SET role = CASE key WHEN :a THEN :rb WHEN :b THEN :ra "
                   "ELSE role END WHERE board_id = 'main'")
    with app.app_context():
        roles = dict(db.session.execute(sa.text("SELECT key, role FROM columns")).all())
        params = dict(a=first, b=second, ra=roles[first], rb=roles[second])
        with db.engine.begin() as connection:
            connection.execute(swap, params)
    try:
        yield
    finally:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(swap, dict(params, ra=roles[second], rb=roles[first]))


def ask_and_decide(client, card_id: str) -> str:
    client.post(f"/api/cards/{card_id}/decision",
                json={"question": "Which?", "options": [{"key": "a"}]})
    return client.post(f"/api/cards/{card_id}/decide", json={"choice": "a"}).json["moved_to"]


def ask_and_approve(client, card_id: str) -> str:
    client.post(f"/api/cards/{card_id}/approval", json={"plan": "p"})
    return client.post(f"/api/cards/{card_id}/approve", json={"approved": True}).json["moved_to"]


def complete_with_followup(client, card_id: str) -> str:
    followup_id = client.post(f"/api/cards/{card_id}/complete",
                              json={"followup": True}).json["followup_id"]
    return get_card(client, followup_id)["column_name"]


@pytest.mark.parametrize("swapped, answer, expected", [
    (("inbox", "blocked"), None, "blocked"),                      # create's default
    (("in_progress", "approved"), ask_and_decide, "approved"),    # decide's default
    (("in_progress", "approved"), ask_and_approve, "approved"),   # approve's default
    (("inbox", "blocked"), complete_with_followup, "blocked"),    # the follow-up's column
])
def test_default_targets_follow_the_column_role_not_its_key(app, client, swapped, answer,
                                                             expected):
    with roles_swapped(app, *swapped):
        card_id = make_card(client)
        if answer is None:
            assert get_card(client, card_id)["column_name"] == expected
        else:
            assert answer(client, card_id) == expected


def test_decide_without_move_to_goes_to_in_progress_as_in_tack(client):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/decision",
                json={"question": "Which?", "options": [{"key": "a"}]})
    assert client.post(f"/api/cards/{card_id}/decide",
                       json={"choice": "a"}).json["moved_to"] == "in_progress"


# ---- one card shape ----------------------------------------------------------------

def test_card_schema_documents_exactly_the_keys_every_card_read_returns(client):
    card_id = make_card(client)
    documented = client.get("/openapi.json").json["components"]["schemas"]["Card"]
    assert set(documented["properties"]) == set(get_card(client, card_id))


# ---- filters -----------------------------------------------------------------------

@pytest.mark.parametrize("query, phrase", [
    ("column=nowhere", "Invalid column 'nowhere'"),
    ("priority=urgent", "Invalid priority 'urgent'"),
])
def test_unknown_list_filter_is_refused_with_tacks_message_every_time(client, query, phrase):
    """The same 400 the create call gives, and again on a second read (a refusal is
    never cached as an empty list)."""
    make_card(client)
    for _ in range(2):
        response = client.get(f"/api/cards?{query}")
        assert response.status_code == 400 and phrase in response.json["detail"]


def test_moves_racing_into_one_column_keep_positions_unique_and_the_wip_limit(app, client):
    """Eight threads move eight cards into a column that holds six, at once."""
    import threading

    from tack.services import cards
    card_ids = [make_card(client) for _ in range(8)]
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE columns SET wip_limit = 6 WHERE key = 'approved'"))
    start = threading.Barrier(len(card_ids))
    outcomes = []

    def move_one(card_id):
        with app.app_context():
            start.wait()
            try:
                cards.move_card(card_id=card_id, column_name="approved")
                outcomes.append("moved")
            except Exception as refused:  # the WIP limit's Conflict, counted below
                outcomes.append(type(refused).__name__)

    threads = [threading.Thread(target=move_one, args=(c,)) for c in card_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["Conflict"] * 2 + ["moved"] * 6
    positions = [position for _, position in column_order(client, "approved")]
    assert positions == sorted(set(positions)) and len(positions) == 6
