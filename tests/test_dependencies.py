"""Dependencies: a card waits for its blockers; self-blocking and cycles are refused
(409); claim-next never hands out a card with an unfinished blocker."""
import pytest
from helpers import actions_of, make_card

from tack.errors import Conflict, Invalid, NotFound
from tack.services import dependencies


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def depend(client, blocked, blocker, **extra):
    return client.post(f"/api/cards/{blocked}/dependencies",
                       json={"blocker_id": blocker, **extra})


def claim_next(client, agent="a1"):
    return client.post("/api/cards/claim-next", json={"agent": agent})


def test_dependency_lists_both_sides_with_title_column_and_completion(client, frozen):
    auth = make_card(client, title="Implement auth", column_name="in_progress")
    routes = make_card(client, title="Add API routes")
    created = depend(client, routes, auth, note="Auth before routes", actor="Nanook")
    assert created.status_code == 201, created.json
    expected = {
        "board_id": "main",
        "blocker_id": auth, "blocker_title": "Implement auth",
        "blocker_column_name": "in_progress", "blocker_column_title": "In progress",
        "blocker_completed": False,
        "blocked_id": routes, "blocked_title": "Add API routes",
        "blocked_column_name": "inbox", "blocked_column_title": "Inbox",
        "blocked_completed": False,
        "note": "Auth before routes", "created_by": "Nanook",
        "created_at": "2026-03-02T09:00:00+00:00",
    }
    assert {k: v for k, v in created.json.items() if k != "id"} == expected
    for listed in (client.get(f"/api/cards/{routes}/dependencies").json,
                   client.get(f"/api/cards/{auth}/dependencies").json,
                   client.get("/api/dependencies?board=main").json):
        assert listed == [created.json]
    client.post(f"/api/cards/{auth}/complete", json={"note": "done"})
    assert client.get("/api/dependencies").json[0]["blocker_completed"] is True
    assert actions_of(client, routes)[-1] == "dependency_added"


def test_a_card_cannot_block_itself(client):
    card = make_card(client)
    refused = depend(client, card, card)
    assert (refused.status_code, refused.json["code"]) == (409, "DEPENDENCY_SELF")
    assert client.get("/api/dependencies").json == []


def test_a_dependency_closing_a_cycle_is_refused_and_changes_nothing(client):
    a, b, c = (make_card(client, title=t) for t in "abc")
    assert depend(client, b, a).status_code == 201  # a blocks b
    assert depend(client, c, b).status_code == 201  # b blocks c
    before = client.get("/api/dependencies").json
    events = actions_of(client)
    for blocked, blocker in ((a, c), (a, b)):  # c -> a closes a-b-c; b -> a closes a-b
        refused = depend(client, blocked, blocker)
        assert (refused.status_code, refused.json["code"]) == (409, "DEPENDENCY_CYCLE")
    assert client.get("/api/dependencies").json == before
    assert actions_of(client) == events


def test_the_same_pair_twice_is_refused(client):
    a, b = make_card(client), make_card(client)
    depend(client, b, a)
    again = depend(client, b, a)
    assert (again.status_code, again.json["code"]) == (409, "DEPENDENCY_EXISTS")


def test_unknown_cards_and_bad_input_get_clear_errors(client):
    card = make_card(client)
    missing = depend(client, card, "card-00000000")
    assert (missing.status_code, missing.json["code"]) == (404, "CARD_NOT_FOUND")
    assert depend(client, "card-00000000", card).status_code == 404
    assert client.get("/api/cards/card-00000000/dependencies").status_code == 404
    assert client.post(f"/api/cards/{card}/dependencies", json={}).status_code == 422
    too_long = depend(client, card, make_card(client), note="x" * 2001)
    assert too_long.status_code == 422
    assert client.get("/api/dependencies?board=nope").json["code"] == "BOARD_NOT_FOUND"
    assert client.get("/api/dependencies").json == []


def test_removing_a_dependency(client):
    a, b = make_card(client), make_card(client)
    depend(client, b, a)
    removed = client.delete(f"/api/cards/{b}/dependencies/{a}?actor=Nanook")
    assert removed.status_code == 200 and removed.json == {"status": "removed"}
    assert client.get("/api/dependencies").json == []
    again = client.delete(f"/api/cards/{b}/dependencies/{a}")
    assert (again.status_code, again.json["code"]) == (404, "DEPENDENCY_NOT_FOUND")
    assert actions_of(client, b)[-1] == "dependency_removed"


def test_deleting_a_card_removes_its_dependencies(client):
    a, b = make_card(client), make_card(client)
    depend(client, b, a)
    client.delete(f"/api/cards/{a}")
    assert client.get("/api/dependencies").json == []


def test_claim_next_skips_a_card_until_its_blocker_is_done(client, frozen):
    blocker = make_card(client, title="first", priority="low")
    blocked = make_card(client, title="second", priority="critical")
    depend(client, blocked, blocker)
    first = claim_next(client)
    assert first.json["id"] == blocker  # the critical card waits
    assert claim_next(client, "a2").status_code == 204
    client.post(f"/api/cards/{blocker}/complete", json={"note": "done"})
    assert claim_next(client, "a2").json["id"] == blocked


def test_claim_next_treats_a_blocker_moved_out_of_done_as_unfinished(client):
    blocker = make_card(client, column_name="done")
    blocked = make_card(client)
    depend(client, blocked, blocker)
    client.post(f"/api/cards/{blocker}/move", json={"column_name": "blocked"})
    assert claim_next(client).status_code == 204
    client.post(f"/api/cards/{blocker}/move", json={"column_name": "done"})
    assert claim_next(client).json["id"] == blocked


def test_a_direct_claim_is_still_allowed(client):
    """Only claim-next consults dependencies: a person may choose to start anyway."""
    blocker, blocked = make_card(client), make_card(client)
    depend(client, blocked, blocker)
    claimed = client.post(f"/api/cards/{blocked}/claim", json={"agent": "a1"})
    assert claimed.status_code == 200


def test_services_called_directly(ctx, client, frozen):
    a, b, c = (make_card(client, title=t) for t in "abc")
    made = dependencies.add_dependency(blocker_id=a, blocked_id=b, note="n", actor="x")
    assert made["created_at"] == "2026-03-02T09:00:00+00:00"
    frozen.advance(seconds=1)  # lists are oldest first
    dependencies.add_dependency(blocker_id=b, blocked_id=c)
    with pytest.raises(Conflict) as cycle:
        dependencies.add_dependency(blocker_id=c, blocked_id=a)
    assert cycle.value.code == "DEPENDENCY_CYCLE"
    with pytest.raises(NotFound):
        dependencies.add_dependency(blocker_id=a, blocked_id=c, board_id="other")
    with pytest.raises(Invalid):
        dependencies.add_dependency(blocker_id=a, blocked_id=c, note="x" * 2001)
    assert [d["blocked_id"] for d in dependencies.list_dependencies(board_id="main")] == [b, c]
    assert len(dependencies.list_dependencies(card_id=b)) == 2
    with pytest.raises(NotFound):
        dependencies.remove_dependency(dependency_id=made["id"], board_id="other")
    dependencies.remove_dependency(dependency_id=made["id"])
    assert [d["blocker_id"] for d in dependencies.list_dependencies(board_id="main")] == [b]
    # With a -> b gone, c -> a no longer closes a cycle.
    dependencies.add_dependency(blocker_id=c, blocked_id=a)
