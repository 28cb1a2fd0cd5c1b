"""Start the real server (gunicorn, as the Procfile does) for tests that need one."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, database_url: str, sqlite_path: str, workers: int = 1,
                 threads: int = 8, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, TACK_HOST="127.0.0.1", TACK_PORT=str(self.port),
                   TACK_WORKERS=str(workers), TACK_THREADS=str(threads),
                   TACK_SCHEDULER="0", TACK_SECRET_KEY="live-test")
        if database_url.startswith("sqlite"):
            env.pop("TACK_DATABASE_URL", None)
            env.pop("DATABASE_URL", None)
            env["TACK_DB"] = sqlite_path
        else:
            env["TACK_DATABASE_URL"] = database_url
        env.update(extra_env or {})
        gunicorn = Path(sys.executable).with_name("gunicorn")
        # A file, not a pipe: a full pipe would stall the server mid-test.
        self.log = tempfile.NamedTemporaryFile("w+", prefix="tack-server-", suffix=".log")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so crash() takes it all
        )
        self._wait_until_up()

    def _wait_until_up(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited: " + self.output())
            try:
                if requests.get(self.url + "/health", timeout=1).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)  # not listening yet, or too busy to answer in time
        self.stop()
        raise RuntimeError("server did not come up")

    def output(self) -> str:
        """The server's log so far (its last 20,000 characters)."""
        self.log.seek(0)
        return self.log.read()[-20000:]

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def crash(self) -> None:
        """kill -9 the master and its workers at once: no goodbye, no cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
