"""Reads that agents poll all day run on a plain Core connection and hand back rows
(attribute access like the models). The ORM session costs about 0.2 ms a request
that these answers do not need. Writes keep the session."""
import sqlalchemy as sa

from tack.extensions import db


def fetch(statement: sa.Executable, **params) -> list[sa.Row]:
    with db.engine.connect() as connection:
        return connection.execute(statement, params).all()


def fetch_one(statement: sa.Executable, **params) -> sa.Row | None:
    with db.engine.connect() as connection:
        return connection.execute(statement, params).first()


def fetch_value(statement: sa.Executable, **params):
    with db.engine.connect() as connection:
        return connection.execute(statement, params).scalar()
