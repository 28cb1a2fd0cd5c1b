"""Start a PostgreSQL database from nothing, so the migrations themselves are tested."""
import sqlalchemy as sa

from tack.config import with_driver


def reset_postgres_schema(url: str) -> None:
    """Drop and recreate schema `public` at `url` (postgresql://...)."""
    engine = sa.create_engine(with_driver(url))
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
