"""`tack serve`, `tack db upgrade`, `tack backup PATH`; the client commands (`tack card`,
`tack watch`, `tack mcp`, `tack tools`) live in tack/cli_client.py."""
import os
import sqlite3
import sys
from pathlib import Path

import click

from tack import ROOT, create_app
from tack.cli_client import register as register_client_commands
from tack.config import Config


def upgrade_database() -> None:
    """Bring the schema to the newest migration and make sure board `main` exists."""
    from flask_migrate import upgrade

    from tack.extensions import db
    from tack.services.boards import ensure_default_board

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        ensure_default_board()
        db.session.remove()
        db.engine.dispose()


@click.group()
def main():
    """Tack: a Kanban board for AI agents and humans."""


register_client_commands(main)


@main.command()
def serve():
    """Migrate, then run gunicorn (one process, threads) on TACK_HOST:TACK_PORT."""
    config = Config.from_env()
    click.echo(f"Tack on http://{config.host}:{config.port}/  (API docs: /docs)")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    os.chdir(ROOT)
    # gunicorn.conf.py's on_starting hook runs the migrations.
    os.execv(str(gunicorn), [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "app:app"])


@main.group()
def db():
    """Database commands."""


@db.command("upgrade")
def db_upgrade():
    """Apply every migration (safe to run again)."""
    upgrade_database()
    click.echo("database is up to date")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path):
    """Write a consistent copy of the SQLite board to PATH, even while it serves."""
    config = Config.from_env()
    if not config.is_sqlite:
        raise click.ClickException("backup copies the SQLite file; for PostgreSQL use pg_dump")
    source_path = Path(config.db_path).resolve()
    if not source_path.exists():
        raise click.ClickException(f"no database at {source_path}")
    target_path = Path(path).resolve()
    if target_path == source_path:
        raise click.ClickException("the backup must go to another file")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(target_path)
    try:
        # SQLite's online backup API: a snapshot that stays consistent while
        # writers carry on.
        source.backup(target)
        ok = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if ok != "ok":
        raise click.ClickException(f"backup failed its integrity check: {ok}")
    click.echo(f"backed up {source_path} to {target_path}")
