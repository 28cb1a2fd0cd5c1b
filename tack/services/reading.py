"""Reads that agents poll all day run on a plain Core connection and hand back rows
(attribute access like the models). The ORM session costs about 0.2 ms a request
that these answers do not need. Writes keep the session."""
import sqlalchemy as sa

from tack.extensions import db
from tack.models import Card

CARDS = Card.__table__


def fetch(statement: sa.Executable, **params) -> list[sa.Row]:
    with db.engine.connect() as connection:
        return connection.execute(statement, params).all()


def fetch_one(statement: sa.Executable, **params) -> sa.Row | None:
    with db.engine.connect() as connection:
        return connection.execute(statement, params).first()


def fetch_scalars(statement: sa.Executable, **params) -> list:
    with db.engine.connect() as connection:
        return connection.execute(statement, params).scalars().all()


def fetch_value(statement: sa.Executable, **params):
    with db.engine.connect() as connection:
        return connection.execute(statement, params).scalar()


def cards_with_ids(card_ids: list[str]) -> list[sa.Row]:
    """Whole card rows for the given ids, in no particular order."""
    return fetch(CARDS_WITH_IDS, ids=card_ids)


# Built once: an expanding parameter keeps the compiled form cached for any count.
CARDS_WITH_IDS = sa.select(CARDS).where(CARDS.c.id.in_(sa.bindparam("ids", expanding=True)))
