"""Tack: a Kanban board where AI agents and humans work the same cards."""
import logging
from pathlib import Path

from flask import Flask

from tack.config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | None = None) -> Flask:
    """Build the app. Wiring only: every rule lives in tack.services."""
    from tack.agents.mcp_http import init_mcp
    from tack.api import TackApi, init_api
    from tack.clawboo import init_clawboo
    from tack.database import engine_options, init_database
    from tack.error_handlers import init_error_handlers
    from tack.extensions import csrf, db, limiter, migrate
    from tack.metrics import init_metrics
    from tack.services.agent_tasks import short_id
    from tack.web import init_web

    config = config or Config.from_env()
    if config.is_sqlite:
        Path(config.db_path).resolve().parent.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))
    app.config.update(config.flask_settings())
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(config)
    app.config["TACK"] = config
    app.json.sort_keys = False
    # Drop the blank lines and indentation block tags leave (a smaller board page).
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # The 8-hex id AgentKanban users know a card by, on every tile and dialog.
    app.jinja_env.globals["short_id"] = short_id

    db.init_app(app)
    init_database(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    init_metrics(app)  # first: its timer starts before any other hook runs
    api = TackApi()
    init_api(app, api)
    init_clawboo(app, api)
    init_error_handlers(app)
    init_web(app)
    init_mcp(app)
    logging.basicConfig(level=logging.INFO)
    return app
