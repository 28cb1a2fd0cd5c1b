"""Rules written once and read in two forms (Python on a loaded card, SQL in a
query): both forms must agree at every edge, or a card would read one way and be
claimed, swept or shown another."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import T0
from helpers import make_card

from tack.extensions import db
from tack.models import Card
from tack.services import sweeps
from tack.services.cards import leaves_board_at
from tack.services.claims import claim_is_active, claim_is_free

CLAIM_STATES = {
    "never claimed": (None, None),
    "held": ("a1", T0 + timedelta(seconds=1)),
    "expires this instant": ("a1", T0),
    "expired": ("a1", T0 - timedelta(seconds=1)),
    "holder without expiry": ("a1", None),
}


@pytest.mark.parametrize("state", CLAIM_STATES)
def test_claim_is_active_and_claim_is_free_are_one_rule(app, client, state):
    holder, expires = CLAIM_STATES[state]
    card_id = make_card(client)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.update(Card).where(Card.id == card_id).values(
                claimed_by=holder, claim_expires_at=expires))
        card = db.session.get(Card, card_id)
        free_in_sql = db.session.scalar(
            sa.select(sa.func.count()).select_from(Card)
            .where(Card.id == card_id, claim_is_free(T0))) == 1
        assert claim_is_active(card, T0) is not free_in_sql


def test_claim_next_and_the_card_read_agree_on_a_claim_expiring_now(client, frozen):
    card_id = make_card(client)
    client.post(f"/api/cards/{card_id}/claim", json={"agent": "a1", "ttl_seconds": 30})
    frozen.advance(seconds=30)
    assert client.get(f"/api/cards/{card_id}").json["claimed_by"] == ""
    taken = client.post("/api/cards/claim-next", json={"agent": "a2"})
    assert taken.json["id"] == card_id and taken.json["claimed_by"] == "a2"


def test_board_sweep_and_board_cache_share_the_done_archive_cut_off(app, client, frozen):
    card_id = make_card(client, column_name="done")
    last_moment = leaves_board_at(T0, 7)
    frozen.advance(seconds=(last_moment - T0).total_seconds())
    assert [c["id"] for c in client.get("/api/board").json["done"]] == [card_id]
    with app.app_context():
        assert sweeps.archive_done(frozen.at, 7) == 0
    frozen.advance(microseconds=1)
    # No event happened in between: the cached board must expire by itself.
    assert client.get("/api/board").json["done"] == []
    with app.app_context():
        assert sweeps.archive_done(frozen.at, 7) == 1
