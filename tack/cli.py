"""`tack serve`, `tack db upgrade`, `tack backup PATH`, `tack keys ...`; the client
commands (`tack card`, `tack watch`, `tack mcp`, `tack tools`) live in tack/cli_client.py."""
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


@main.group()
def keys():
    """AgentKanban access keys (ak_...) for /api/ext/v1."""


def _with_app(work):
    from tack.extensions import db
    app = create_app()
    with app.app_context():
        try:
            return work(app)
        finally:
            db.session.remove()
            db.engine.dispose()


def _grant(raw: str) -> tuple[str, str]:
    board_id, _, permission = raw.rpartition(":")
    if not board_id or permission not in ("read", "edit"):
        raise click.BadParameter(f"'{raw}' should be BOARD_ID:read or BOARD_ID:edit")
    return board_id, permission


@keys.command("create")
@click.option("--name", required=True, help="Who or what uses the key")
@click.option("--all", "all_boards", is_flag=True, help="Every board, with --permission")
@click.option("--permission", type=click.Choice(["read", "edit"]), default="edit",
              show_default=True, help="With --all: the permission on every board")
@click.option("--board", "grants", multiple=True, metavar="ID:read|edit",
              help="A board and the permission on it (repeat for more)")
def keys_create(name, all_boards, permission, grants):
    """Make a key and print it (alone on the last line, for scripts)."""
    from tack.errors import TackError
    from tack.services import access_keys
    if all_boards == bool(grants):
        raise click.UsageError("give either --all or at least one --board ID:read|edit")
    boards = dict(_grant(raw) for raw in grants)

    def create(app):
        try:
            row, key = access_keys.create_key(
                name=name, app_secret=app.config["SECRET_KEY"], all_boards=all_boards,
                permission=permission, boards=boards, created_by="cli")
        except TackError as refused:
            raise click.ClickException(str(refused.detail)) from None
        click.echo(f"created key {row.id} ({name})", err=True)
        click.echo(key)

    _with_app(create)


@keys.command("list")
def keys_list():
    """Every key: id, name, access, last used, revoked (never the key itself)."""
    from tack.services import access_keys

    def show(_app):
        for key in access_keys.list_keys():
            access = f"all:{key['permission']}" if key["all_boards"] else ",".join(
                f"{board}:{permission}" for board, permission in key["boards"].items())
            used = key["last_used_at"].isoformat() if key["last_used_at"] else "never"
            state = f"revoked {key['revoked_at'].isoformat()}" if key["revoked_at"] else "live"
            click.echo(f"{key['id']}\t{key['name']}\t{key['prefix']}...\t{access or '-'}"
                       f"\tlast used {used}\t{state}")

    _with_app(show)


@keys.command("reveal")
@click.argument("key_id")
def keys_reveal(key_id):
    """Print the key again."""
    from tack.errors import TackError
    from tack.services import access_keys

    def reveal(app):
        try:
            click.echo(access_keys.reveal_key(key_id=key_id,
                                              app_secret=app.config["SECRET_KEY"]))
        except TackError as refused:
            raise click.ClickException(str(refused.detail)) from None

    _with_app(reveal)


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id):
    """Stop the key working, at once, in every process."""
    from tack.errors import TackError
    from tack.services import access_keys

    def revoke(_app):
        try:
            key = access_keys.revoke_key(key_id=key_id)
        except TackError as refused:
            raise click.ClickException(str(refused.detail)) from None
        click.echo(f"revoked {key.id} ({key.name})")

    _with_app(revoke)
