"""The scheduled sweeps, run by APScheduler inside the serving process."""
import logging

from flask import Flask

from tack import clock
from tack.extensions import db, scheduler
from tack.services.sweeps import SWEEPS

log = logging.getLogger(__name__)


def run_sweeps(app: Flask) -> dict[str, int | None]:
    """One pass of every sweep, each on its own: one that fails is logged and
    retried next interval, and the others still run (a failure never kills the
    scheduler thread). Returns what each changed (None: it failed)."""
    done: dict[str, int | None] = {}
    with app.app_context():
        at = clock.now()
        for name, sweep in SWEEPS.items():
            try:
                done[name] = sweep(at, app.config["TACK"])
            except Exception:
                log.exception("sweep %r failed", name)
                done[name] = None
            finally:
                # A failed read must not leave the next sweep a broken transaction.
                db.session.remove()
        if any(done.values()):
            log.info("sweeps: %s", ", ".join(f"{count} {name}"
                                             for name, count in done.items() if count))
    return done


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
