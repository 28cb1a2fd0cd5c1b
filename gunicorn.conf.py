"""gunicorn settings shared by `tack serve`, the Procfile and the benchmark."""
import os
import shutil
import tempfile

from tack.config import Config

# /metrics adds up every worker's counters from files in this directory. It must be
# set before prometheus_client is first imported (it picks its storage on import),
# and it starts empty so counts from an earlier run are not added in.
_metrics_dir = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _metrics_dir = tempfile.mkdtemp(prefix="tack-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

_config = Config.from_env()

bind = f"{_config.host}:{_config.port}"
workers = _config.workers
worker_class = "gthread"
# Each open live stream (SSE) holds a thread for its life; the stream slots come on
# top of the API's threads, so 100 open streams leave the API all of `threads`.
threads = _config.threads + _config.streams_max
# Never preload: the scheduler thread would die in the fork and sweeps never run.
preload_app = False
timeout = 60
graceful_timeout = 10
accesslog = None
# gunicorn 27's control socket is one fixed path per user: two boards (or a board
# and the benchmark) would fight over it. Tack does not use it.
control_socket_disable = True
errorlog = "-"


def on_starting(server):
    """Migrate once, in the master, before any worker serves."""
    from tack.cli import upgrade_database
    upgrade_database()


def post_worker_init(worker):
    """Start the sweeps in each serving process (they are safe to run in several)."""
    app = worker.wsgi
    from tack.streams import watch_worker
    watch_worker(app, worker)
    if app.config["TACK"].scheduler_enabled:
        from tack.jobs import start_scheduler
        start_scheduler(app)


def child_exit(server, worker):
    """A worker's live gauges (open SSE streams) go with it."""
    from tack.metrics import worker_exited
    worker_exited(worker.pid)


def on_exit(server):
    if _metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
