"""The scheduled sweeps, run by APScheduler inside the serving process."""
import logging

from flask import Flask

from tack import clock
from tack.extensions import db, scheduler
from tack.services import sweeps, workflows

log = logging.getLogger(__name__)


def run_sweeps(app: Flask) -> None:
    """One pass of every sweep. Each job opens its own app context."""
    with app.app_context():
        try:
            at = clock.now()
            freed = sweeps.expire_claims(at)
            returned = sweeps.return_deferred(at)
            archived = sweeps.archive_done(at, app.config["TACK"].done_archive_days)
            orphans = workflows.reconcile_orphans(
                at, app.config["TACK"].clawboo_orphan_ttl_minutes)
            if freed or returned or archived or orphans:
                log.info("sweeps: %d claims expired, %d deferred returned, %d archived, "
                         "%d orphaned Clawboo runs released", freed, returned, archived,
                         orphans)
        except Exception:
            # A failed pass is retried at the next interval; never kill the thread.
            log.exception("sweep failed")
        finally:
            db.session.remove()


def start_scheduler(app: Flask) -> None:
    """Start the sweeps once in this process. Never call under gunicorn --preload:
    the scheduler thread would not survive the fork."""
    if scheduler.running:
        return
    scheduler.add_job(
        run_sweeps, "interval", args=[app], id="tack-sweeps",
        seconds=app.config["TACK"].sweep_interval_seconds,
        coalesce=True, max_instances=1, replace_existing=True,
    )
    scheduler.start()
