"""Claims: one holder at a time, renewal, expiry at the instant, claim-next."""
from helpers import actions_of, get_card, make_card


def claim(client, card_id, agent, ttl=300):
    return client.post(f"/api/cards/{card_id}/claim", json={"agent": agent, "ttl_seconds": ttl})


def test_claim_returns_agent_and_expiry(client, frozen):
    card_id = make_card(client)
    response = claim(client, card_id, "a1", ttl=60)
    assert response.status_code == 200
    assert response.json == {"status": "claimed", "agent": "a1",
                             "expires_at": "2026-03-02T09:01:00+00:00"}
    card = get_card(client, card_id)
    assert card["claimed_by"] == "a1" and card["claim_expires_at"] == "2026-03-02T09:01:00+00:00"
    assert actions_of(client, card_id) == ["created", "claimed"]


def test_claim_by_second_agent_is_refused_until_expiry(client, frozen):
    card_id = make_card(client)
    claim(client, card_id, "a1", ttl=60)
    refused = claim(client, card_id, "a2")
    assert refused.status_code == 409
    detail = refused.json["detail"]
    assert detail["error"] == "Card already claimed" and detail["claimed_by"] == "a1"
    assert detail["expires_at"] == "2026-03-02T09:01:00+00:00" and detail["hint"]
    assert refused.json["code"] == "ALREADY_CLAIMED"
    frozen.advance(seconds=59)
    assert claim(client, card_id, "a2").status_code == 409
    frozen.advance(seconds=1)  # exactly at expiry the card is free
    assert get_card(client, card_id)["claimed_by"] == ""
    assert claim(client, card_id, "a2").status_code == 200
    assert get_card(client, card_id)["claimed_by"] == "a2"


def test_holder_renews_and_keeps_claimed_at(client, frozen):
    card_id = make_card(client)
    claim(client, card_id, "a1", ttl=60)
    frozen.advance(seconds=30)
    renewed = claim(client, card_id, "a1", ttl=60)
    assert renewed.status_code == 200
    assert renewed.json["expires_at"] == "2026-03-02T09:01:30+00:00"
    assert get_card(client, card_id)["claimed_at"] == "2026-03-02T09:00:00+00:00"


def test_expired_claim_reads_as_unclaimed_everywhere(client, frozen):
    card_id = make_card(client)
    claim(client, card_id, "a1", ttl=10)
    frozen.advance(seconds=11)
    for card in (get_card(client, card_id), client.get("/api/cards").json[0],
                 client.get("/api/board").json["inbox"][0]):
        assert (card["claimed_by"], card["claimed_at"], card["claim_expires_at"]) == ("", "", "")


def test_release_by_holder_and_by_anyone_without_agent(client):
    card_id = make_card(client)
    claim(client, card_id, "a1")
    refused = client.post(f"/api/cards/{card_id}/release?agent=a2")
    assert refused.status_code == 403
    assert get_card(client, card_id)["claimed_by"] == "a1"
    response = client.post(f"/api/cards/{card_id}/release?agent=a1")
    assert response.status_code == 200 and response.json == {"status": "released"}
    assert get_card(client, card_id)["claimed_by"] == ""
    claim(client, card_id, "a3")
    assert client.post(f"/api/cards/{card_id}/release").status_code == 200
    assert get_card(client, card_id)["claimed_by"] == ""
    assert actions_of(client, card_id).count("released") == 2


def test_claim_requires_agent_and_sane_ttl(client):
    card_id = make_card(client)
    for body in ({}, {"agent": ""}, {"agent": "a", "ttl_seconds": 0},
                 {"agent": "a", "ttl_seconds": 86401}, {"agent": "a", "ttl_seconds": "soon"}):
        assert client.post(f"/api/cards/{card_id}/claim", json=body).status_code == 422, body
    assert get_card(client, card_id)["claimed_by"] == ""


def test_claim_next_takes_highest_priority_then_oldest(client, frozen):
    low = make_card(client, title="low", priority="low")
    frozen.advance(seconds=1)
    high_old = make_card(client, title="high old", priority="high")
    frozen.advance(seconds=1)
    make_card(client, title="high new", priority="high")
    frozen.advance(seconds=1)
    make_card(client, title="done", priority="critical", column_name="done")
    response = client.post("/api/cards/claim-next", json={"agent": "a1", "ttl_seconds": 60})
    assert response.status_code == 200
    assert response.json["id"] == high_old and response.json["claimed_by"] == "a1"
    second = client.post("/api/cards/claim-next", json={"agent": "a2"}).json
    assert second["title"] == "high new"
    third = client.post("/api/cards/claim-next", json={"agent": "a3"}).json
    assert third["id"] == low
    assert client.post("/api/cards/claim-next", json={"agent": "a4"}).status_code == 204


def test_claim_next_filters_by_column_assignee_and_tag(client):
    make_card(client, title="plain")
    tagged = make_card(client, title="tagged", tags=["gpu"])
    mine = make_card(client, title="mine", assignee="ann")
    ready = make_card(client, title="ready", column_name="approved")
    assert client.post("/api/cards/claim-next",
                       json={"agent": "x", "tag": "gpu"}).json["id"] == tagged
    assert client.post("/api/cards/claim-next",
                       json={"agent": "x", "assignee": "ann"}).json["id"] == mine
    assert client.post("/api/cards/claim-next",
                       json={"agent": "x", "column": "approved"}).json["id"] == ready
    response = client.post("/api/cards/claim-next", json={"agent": "x", "column": "nope"})
    assert response.status_code == 400 and "Invalid column" in response.json["detail"]


def test_claim_next_takes_an_expired_claim(client, frozen):
    card_id = make_card(client)
    claim(client, card_id, "a1", ttl=5)
    assert client.post("/api/cards/claim-next", json={"agent": "a2"}).status_code == 204
    frozen.advance(seconds=5)
    assert client.post("/api/cards/claim-next", json={"agent": "a2"}).json["id"] == card_id


def test_moving_to_done_frees_the_claim(client):
    card_id = make_card(client)
    claim(client, card_id, "a1")
    client.post(f"/api/cards/{card_id}/complete", json={})
    assert get_card(client, card_id)["claimed_by"] == ""


def test_cached_reads_notice_a_claim_expiring_with_no_event(client, frozen):
    card_id = make_card(client)
    claim(client, card_id, "a1", ttl=30)
    reads = (lambda: get_card(client, card_id), lambda: client.get("/api/cards").json[0],
             lambda: client.get("/api/board").json["inbox"][0])
    assert all(read()["claimed_by"] == "a1" for read in reads)
    assert all(read()["claimed_by"] == "a1" for read in reads)  # now from the cache
    frozen.advance(seconds=30)
    assert all(read()["claimed_by"] == "" for read in reads)
