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
    # Limiter counts live here when set (several processes share them), else in memory.
    redis_url: str = ""

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
        )

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
