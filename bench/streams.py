"""`python -m bench.streams` (or `make bench-streams`): does the API keep its pace
while live streams are open?

Starts the server as `tack serve` does (gunicorn, one process, default threads and
stream slots), then for each scenario runs rounds of (wrk without streams, wrk with
`--streams` open SSE connections) back to back and reports the median ratio. The
streams watch the board the scenario writes to (half /api/v1/.../events/stream, half
/api/stream?board=main), so during the claim scenario every claim and release is
sent to every stream. The streams are held by a separate process that reads and
discards what arrives (on the same machine, so it competes for the same cores).
Past the last slot, one more stream must get 503 TOO_MANY_STREAMS.
"""
import argparse
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from statistics import median

from bench.__main__ import ROOT, WRK_SCRIPT, ensure_wrk, parse_wrk, seed
from harness.schema import reset_postgres_schema
from harness.server import free_port

SCENARIOS = [("one card", "card", "/"), ("claim + release", "claim_release", "/")]
TARGET = 0.8
STREAM_PATHS = ("/api/v1/boards/main/events/stream", "/api/stream?board=main")


def hold(url: str, count: int) -> None:
    """Child process: open `count` streams, print "ready", read until SIGTERM, then
    print what arrived as JSON."""
    parts = urlsplit(url)
    selector = selectors.DefaultSelector()
    statuses = []
    for i in range(count):
        sock = socket.create_connection((parts.hostname, parts.port))
        path = STREAM_PATHS[i % 2]
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
        status = head.split(b" ", 2)[1].decode() if head else "closed"
        if status != "200":
            print(json.dumps({"ready": False, "opened": i, "status": status,
                              "answer": head.decode(errors="replace")[-300:]}), flush=True)
            return
        statuses.append(status)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    print(json.dumps({"ready": True, "statuses": sorted(set(statuses))}), flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    events = received = 0
    while not stopping:
        for key, _ in selector.select(timeout=0.5):
            try:
                data = key.fileobj.recv(1 << 16)
            except BlockingIOError:
                continue
            received += len(data)
            events += data.count(b"\nid: ") + data.startswith(b"id: ")
    print(json.dumps({"events": events, "bytes": received}), flush=True)


def run_wrk(wrk: str, url: str, mode: str, path: str, ids_file: str, seconds: int,
            connections: int) -> dict:
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(WRK_SCRIPT), url + path, "--", mode, ids_file, "bench-agent"]
    return parse_wrk(subprocess.run(command, capture_output=True, text=True,
                                    check=True).stdout)


def start_server(env: dict, url: str) -> subprocess.Popen:
    """The server as `tack serve` runs it; a busy machine may take a while to answer."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open(Path(env["TACK_BENCH_DIR"]) / "server.log", "w")
    process = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/health", timeout=2).ok:
                return process
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start; see " + log.name)


class Streams:
    def __init__(self, url: str, count: int):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.streams", "--hold", url, "--streams", str(count)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        ready = json.loads(self.process.stdout.readline())
        if ready.get("statuses") != ["200"]:
            self.stop()
            raise SystemExit(f"streams did not all open: {ready}")

    def stop(self) -> dict:
        self.process.send_signal(signal.SIGTERM)
        out = self.process.communicate(timeout=30)[0]
        lines = [line for line in out.splitlines() if line.startswith("{")]
        return json.loads(lines[-1]) if lines else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=3, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite")
    parser.add_argument("--stream-poll", default="",
                        help="TACK_STREAM_POLL_SECONDS for the server (default: its own)")
    parser.add_argument("--hold", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hold:
        return hold(args.hold, args.streams)

    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="tack-bench-streams-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "TACK_API_KEY") and not k.startswith("TACK_")}
    # Only what the bench must set: every thread and stream setting is the default.
    env.update(TACK_DB=str(workdir / "board.db"), TACK_PORT=str(port),
               TACK_HOST="127.0.0.1", TACK_BENCH_DIR=str(workdir),
               TACK_DATABASE_URL=args.database_url, PYTHONPATH=str(ROOT))
    if args.stream_poll:
        env["TACK_STREAM_POLL_SECONDS"] = args.stream_poll
    if args.database_url:
        reset_postgres_schema(args.database_url)
    print(f"seeding {args.cards} cards ...", flush=True)
    ids_file = workdir / "ids.txt"
    ids_file.write_text("\n".join(seed(env, args.cards)) + "\n")
    server = start_server(env, url)
    rows = []
    try:
        for name, mode, path in SCENARIOS:
            rounds = []
            for _ in range(args.rounds):
                alone = run_wrk(wrk, url, mode, path, str(ids_file), args.seconds,
                                args.connections)
                streams = Streams(url, args.streams)
                try:
                    extra = requests.get(url + "/api/stream", timeout=5)
                    refused = extra.status_code == 503 and \
                        extra.json().get("code") == "TOO_MANY_STREAMS"
                    loaded = run_wrk(wrk, url, mode, path, str(ids_file), args.seconds,
                                     args.connections)
                finally:
                    seen = streams.stop()
                rounds.append((alone, loaded, seen, refused))
            row = {
                "name": name, "streams": args.streams,
                "rps_alone": median([a["rps"] for a, _, _, _ in rounds]),
                "rps_with_streams": median([b["rps"] for _, b, _, _ in rounds]),
                "ratio": round(median([b["rps"] / a["rps"] for a, b, _, _ in rounds]), 3),
                "p99_ms_with_streams": median([b["p99_ms"] for _, b, _, _ in rounds]),
                "errors": sum(a["errors"] + b["errors"] for a, b, _, _ in rounds),
                "stream_events_received": median([s.get("events", 0) for *_, s, _ in rounds]),
                "next_stream_refused_503": all(r for *_, r in rounds),
            }
            row["met"] = row["ratio"] >= TARGET
            rows.append(row)
            print(f"  {name:<18} alone {row['rps_alone']:>7.0f} rps  with {args.streams} "
                  f"streams {row['rps_with_streams']:>7.0f} rps  ratio {row['ratio']:.3f} "
                  f"(target {TARGET})  events to streams {row['stream_events_received']:.0f}"
                  f"  503 past the limit: {row['next_stream_refused_503']}", flush=True)
    finally:
        server.terminate()
        server.wait(30)
    out = Path(__file__).resolve().parent / "results" / "streams.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"database": "postgresql" if args.database_url else "sqlite",
                               "seconds": args.seconds, "rounds": args.rounds,
                               "connections": args.connections, "cpu_count": os.cpu_count(),
                               "scenarios": rows}, indent=2))
    print(f"\nJSON: {out}")
    if not all(row["met"] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
