"""Every TACK_* setting, read once from the environment, typed, with defaults."""
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise SystemExit(f"{name} must be above 0, got {raw!r}")
    return value


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SystemExit(f"{name} must be 1 or 0 (true/false), got {raw!r}")


def _paths(name: str) -> tuple[str, ...]:
    """An os.pathsep-separated list of absolute directories."""
    found = tuple(part.strip() for part in os.environ.get(name, "").split(os.pathsep)
                  if part.strip())
    for path in found:
        if not os.path.isabs(os.path.expanduser(path)):
            raise SystemExit(f"{name} must list absolute directories, got {path!r}")
    return tuple(os.path.expanduser(path) for path in found)


def database_url(sqlite_path: str) -> str:
    """DATABASE_URL (or TACK_DATABASE_URL) wins; otherwise the SQLite file."""
    url = os.environ.get("TACK_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not url:
        return "sqlite:///" + str(Path(sqlite_path).resolve())
    return with_driver(url)


def with_driver(url: str) -> str:
    """PaaS hosts hand out postgres:// URLs; the driver we ship is psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _rate(raw: str) -> str:
    raw = raw.strip()
    if raw.isdigit():
        return f"{raw}/hour"
    try:
        from limits import parse_many
        parse_many(raw)
    except ValueError:
        raise SystemExit(f"board rate limit must look like '10/hour', got {raw!r}") from None
    return raw


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8795
    db_path: str = "./data/board.db"
    database_url: str = ""
    done_archive_days: int = 7
    defer_days: int = 7
    api_key: str = ""
    secret_key: str = ""
    # Largest request body accepted, in bytes (413 above it).
    max_body_bytes: int = 1024 * 1024
    threads: int = 8
    workers: int = 1
    # Sweeps run in each serving process; TACK_SCHEDULER=0 turns them off there.
    scheduler_enabled: bool = True
    sweep_interval_seconds: int = 30
    # Boards created on /api/v1 without a key, per client address (Flask-Limiter
    # syntax; a bare number means per hour).
    board_rate_limit: str = "10/hour"
    # Requests per AgentKanban access key (/api/ext/v1), Flask-Limiter syntax.
    ext_rate_limit: str = "600/minute"
    # Limiter counts live here when set (several processes share them), else in memory.
    redis_url: str = ""
    # Live streams (SSE) each hold a server thread: at most this many per process
    # (503 TOO_MANY_STREAMS past it). gunicorn gets this many threads on top of
    # `threads`, so open streams never take the API's threads.
    streams_max: int = 100
    stream_heartbeat_seconds: float = 15.0
    # How often a process reads the log for its open streams.
    stream_poll_seconds: float = 1.0
    # A reconnecting client further behind than this gets a `warning` instead.
    stream_replay_max: int = 10000
    # Webhook delivery: a pass every this many seconds. Private, loopback, link-local
    # and reserved targets are refused unless allowed: anyone may create a board on
    # /api/v1, so a reachable board must not post into its own network by default.
    webhook_interval_seconds: float = 2.0
    webhook_allow_private: bool = False
    webhook_timeout_seconds: float = 10.0
    # The first retry waits this long; each failure in a row doubles it (max 300 s).
    webhook_backoff_seconds: float = 1.0
    # Clawboo boards: how deep subtasks may nest, and how long an in_progress task
    # with a running execution may stay silent before reconciliation releases it.
    clawboo_max_delegation_depth: int = 5
    clawboo_orphan_ttl_minutes: int = 60
    # Clawboo workspaces (git worktrees per task) are off unless the admin lists the
    # directories repositories may live under. Worktrees go under workspace_dir
    # (default: "workspaces" beside the SQLite file). Verification commands from a
    # task's VERIFICATION.md run only when workspace_commands is on.
    workspace_roots: tuple[str, ...] = ()
    workspace_dir: str = ""
    workspace_commands: bool = False
    workspace_command_timeout_seconds: float = 300.0
    git_timeout_seconds: float = 60.0

    @classmethod
    def from_env(cls) -> "Config":
        db_path = os.environ.get("TACK_DB", cls.db_path)
        return cls(
            host=os.environ.get("TACK_HOST", cls.host),
            port=_int("TACK_PORT", cls.port),
            db_path=db_path,
            database_url=database_url(db_path),
            done_archive_days=_int("TACK_DONE_ARCHIVE_DAYS", cls.done_archive_days),
            defer_days=_int("TACK_DEFER_DAYS", cls.defer_days),
            api_key=os.environ.get("TACK_API_KEY", ""),
            secret_key=os.environ.get("TACK_SECRET_KEY", ""),
            max_body_bytes=_int("TACK_MAX_BODY_BYTES", cls.max_body_bytes),
            threads=_int("TACK_THREADS", cls.threads),
            workers=_int("TACK_WORKERS", cls.workers),
            scheduler_enabled=os.environ.get("TACK_SCHEDULER", "1") != "0",
            sweep_interval_seconds=_int("TACK_SWEEP_SECONDS", cls.sweep_interval_seconds),
            # BOARD_RATE_LIMIT is the name the HNR Kanban contract documents.
            board_rate_limit=_rate(os.environ.get("TACK_BOARD_RATE_LIMIT")
                                   or os.environ.get("BOARD_RATE_LIMIT")
                                   or cls.board_rate_limit),
            redis_url=os.environ.get("TACK_REDIS_URL", ""),
            streams_max=_int("TACK_STREAMS_MAX", cls.streams_max),
            stream_heartbeat_seconds=_float("TACK_STREAM_HEARTBEAT_SECONDS",
                                            cls.stream_heartbeat_seconds),
            stream_poll_seconds=_float("TACK_STREAM_POLL_SECONDS", cls.stream_poll_seconds),
            stream_replay_max=_int("TACK_STREAM_REPLAY_MAX", cls.stream_replay_max),
            webhook_interval_seconds=_float("TACK_WEBHOOK_SECONDS",
                                            cls.webhook_interval_seconds),
            webhook_timeout_seconds=_float("TACK_WEBHOOK_TIMEOUT_SECONDS",
                                           cls.webhook_timeout_seconds),
            webhook_backoff_seconds=_float("TACK_WEBHOOK_BACKOFF_SECONDS",
                                           cls.webhook_backoff_seconds),
            webhook_allow_private=_flag("TACK_WEBHOOK_ALLOW_PRIVATE",
                                        cls.webhook_allow_private),
            clawboo_max_delegation_depth=_int("TACK_CLAWBOO_MAX_DEPTH",
                                              cls.clawboo_max_delegation_depth),
            clawboo_orphan_ttl_minutes=_int("TACK_CLAWBOO_ORPHAN_TTL_MINUTES",
                                            cls.clawboo_orphan_ttl_minutes),
            ext_rate_limit=_rate(os.environ.get("TACK_EXT_RATE_LIMIT") or cls.ext_rate_limit),
            workspace_roots=_paths("TACK_WORKSPACE_ROOTS"),
            workspace_dir=os.environ.get("TACK_WORKSPACE_DIR", "").strip(),
            workspace_commands=_flag("TACK_WORKSPACE_COMMANDS", cls.workspace_commands),
            workspace_command_timeout_seconds=_float(
                "TACK_WORKSPACE_COMMAND_TIMEOUT_SECONDS", cls.workspace_command_timeout_seconds),
            git_timeout_seconds=_float("TACK_GIT_TIMEOUT_SECONDS", cls.git_timeout_seconds),
        )

    @property
    def workspaces_dir(self) -> Path:
        """Where task worktrees are made: TACK_WORKSPACE_DIR, else beside the database."""
        if self.workspace_dir:
            return Path(self.workspace_dir).expanduser().resolve()
        return Path(self.db_path).resolve().parent / "workspaces"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def flask_settings(self) -> dict:
        return {
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SECRET_KEY": self.secret_key or _session_secret(self),
            "MAX_CONTENT_LENGTH": self.max_body_bytes,
            "API_TITLE": "Tack",
            "API_VERSION": "1",
            "OPENAPI_VERSION": "3.0.3",
            "OPENAPI_URL_PREFIX": "/",
            "OPENAPI_JSON_PATH": "openapi.json",
            "OPENAPI_SWAGGER_UI_PATH": "docs",
            "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
            "WTF_CSRF_CHECK_DEFAULT": False,
            "WTF_CSRF_TIME_LIMIT": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
        }


def _session_secret(config: Config) -> str:
    """Sessions must survive restarts and agree across workers: derive the secret
    from the API key when one is set, else keep a random one beside the SQLite file.
    (PostgreSQL with several processes and no key: set TACK_SECRET_KEY.)"""
    if config.api_key:
        return hashlib.sha256(b"tack-session:" + config.api_key.encode()).hexdigest()
    if config.is_sqlite:
        kept = _secret_kept_in(Path(config.db_path).resolve().parent / "secret_key")
        if kept:
            return kept
    return secrets.token_hex(32)


def _secret_kept_in(path: Path) -> str | None:
    """The secret in `path`, created readable by its owner only when missing; None
    when the folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        secret = secrets.token_hex(32)
        with os.fdopen(descriptor, "w") as file:
            file.write(secret)
        return secret
    except OSError:
        return None
