"""Lists and the board are assembled from per-card fragments: after a write only the
changed card is serialised again, and no answer shows a stale card."""
import pytest
from helpers import get_card, make_card

from tack.api import board_state, snapshots


@pytest.fixture
def built(monkeypatch):
    """The ids of the cards serialised afresh."""
    ids = []
    real = snapshots.build_fragment

    def counting(card, *args):
        ids.append(card.id)
        return real(card, *args)

    monkeypatch.setattr(snapshots, "build_fragment", counting)
    monkeypatch.setattr(board_state, "build_fragment", counting)
    return ids


def test_a_write_reserialises_only_the_card_it_changed(client, built):
    ids = [make_card(client, title=f"Card {i}") for i in range(5)]
    client.get("/api/board")
    assert sorted(built) == sorted(ids)
    built.clear()
    client.post(f"/api/cards/{ids[2]}/notes", json={"content": "progress"})
    client.patch(f"/api/cards/{ids[3]}", json={"title": "Renamed"})
    board = client.get("/api/board").json
    assert sorted(built) == sorted([ids[2], ids[3]])
    assert [card["title"] for card in board["inbox"]][3] == "Renamed"


def test_lists_and_the_card_read_share_fragments(client, built):
    card_id = make_card(client, tags=["x"])
    client.get("/api/cards?tag=x")
    built.clear()
    client.get(f"/api/cards/{card_id}")
    client.get("/api/cards?column=inbox")
    assert built == []


def test_a_move_to_a_position_shows_the_neighbours_new_places(client):
    first, second, third = (make_card(client, title=t) for t in ("a", "b", "c"))
    before = client.get("/api/board").json["inbox"]
    assert [card["position"] for card in before] == [0, 1, 2]
    for card_id in (first, second, third):
        get_card(client, card_id)
    client.post(f"/api/cards/{third}/move", json={"column_name": "inbox", "position": 0})
    after = {card["id"]: card["position"] for card in client.get("/api/board").json["inbox"]}
    assert after == {third: 0, first: 1, second: 2}
    assert [get_card(client, c)["position"] for c in (third, first, second)] == [0, 1, 2]
    listed = client.get("/api/cards?column=inbox").json
    assert [card["id"] for card in listed] == [third, first, second]


def test_a_deleted_card_leaves_every_answer(client):
    keep, gone = make_card(client), make_card(client)
    client.get("/api/board")
    get_card(client, gone)
    client.delete(f"/api/cards/{gone}")
    assert [card["id"] for card in client.get("/api/board").json["inbox"]] == [keep]
    assert client.get(f"/api/cards/{gone}").status_code == 404
    assert [card["id"] for card in client.get("/api/cards").json] == [keep]


def test_following_the_log_far_behind_starts_again():
    cache = snapshots.CardFragments()
    cache.MAX_EVENTS_PER_SYNC = 10
    cache.sync(5)
    cache._changed["card-x"] = 5
    cache.sync(100)  # too far: forget, no read of 95 events
    assert cache._changed == {} and cache._floor == 100


@pytest.fixture
def rebuilds(monkeypatch):
    """How many times the board was read card by card (not patched)."""
    count = []
    real = board_state.cards.board_cards

    def counting(**kwargs):
        count.append(1)
        return real(**kwargs)

    monkeypatch.setattr(board_state.cards, "board_cards", counting)
    return count


def test_claims_and_notes_patch_the_board_a_move_rebuilds_it(client, rebuilds):
    ids = [make_card(client, title=f"Card {i}") for i in range(3)]
    client.get("/api/board")
    assert len(rebuilds) == 1
    client.post(f"/api/cards/{ids[0]}/claim", json={"agent": "a1"})
    client.post(f"/api/cards/{ids[1]}/notes", json={"content": "half way"})
    inbox = client.get("/api/board").json["inbox"]
    assert len(rebuilds) == 1
    assert inbox[0]["claimed_by"] == "a1" and [c["id"] for c in inbox] == ids
    client.post(f"/api/cards/{ids[0]}/move", json={"column_name": "approved"})
    board = client.get("/api/board").json
    assert len(rebuilds) == 2
    assert [c["id"] for c in board["approved"]] == [ids[0]]
    assert [c["id"] for c in board["inbox"]] == ids[1:]


def test_a_note_brings_an_old_done_card_back_on_the_board(client, frozen):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/complete", json={})
    frozen.advance(days=8)
    assert client.get("/api/board").json["done"] == []
    client.post(f"/api/cards/{card_id}/notes", json={"content": "one more thing"})
    assert [c["id"] for c in client.get("/api/board").json["done"]] == [card_id]


def test_a_sparse_answer_is_cut_from_the_whole_cards_fragment(client, built):
    card_id = make_card(client, title="Whole", description="Long text")
    client.get("/api/board")
    built.clear()
    sparse = client.get("/api/board?fields=title").json["inbox"]
    assert built == []
    assert sparse == [{"id": card_id, "title": "Whole"}]
