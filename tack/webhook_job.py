"""The webhook delivery pass, run by APScheduler inside each serving process."""
import logging
import os
import socket
import uuid

from flask import Flask

from tack.extensions import db
from tack.services import webhook_delivery

log = logging.getLogger(__name__)

# With the pid, names this process in webhook leases (pids repeat across restarts).
STARTED = uuid.uuid4().hex[:8]


def lease_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{STARTED}"


def run_webhook_deliveries(app: Flask) -> None:
    with app.app_context():
        settings = app.config["TACK"]
        try:
            delivered = webhook_delivery.deliver_due(
                app_secret=app.config["SECRET_KEY"],
                allow_private=settings.webhook_allow_private,
                owner=lease_owner(),
                timeout=settings.webhook_timeout_seconds,
                backoff_base=settings.webhook_backoff_seconds)
            if delivered:
                log.info("webhooks: %d events delivered", delivered)
        except Exception:
            # The next pass starts again from each hook's cursor; never kill the thread.
            log.exception("webhook delivery pass failed")
        finally:
            db.session.remove()


def add_webhook_job(app: Flask, scheduler) -> None:
    scheduler.add_job(
        run_webhook_deliveries, "interval", args=[app], id="tack-webhooks",
        seconds=app.config["TACK"].webhook_interval_seconds,
        coalesce=True, max_instances=1, replace_existing=True)
