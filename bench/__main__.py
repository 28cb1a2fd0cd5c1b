"""`python -m bench`: seed, serve, load, report. See README "Benchmark"."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from harness.schema import reset_postgres_schema
from harness.server import free_port

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
RESULTS = Path(__file__).resolve().parent / "results"

# (name, wrk mode, path or None, target ratio to the baseline)
SCENARIOS = [
    ("one card", "card", None, 0.6),
    ("full board", "get", "/api/board", 0.15),
    ("sparse board", "get", "/api/board?fields=id,title,column_name,priority", 0.3),
    ("filtered list", "get", "/api/cards?tag=backend&priority=normal", None),
    ("changes poll (cursor)", "get", "/api/changes?after={seq}&limit=100", 0.5),
    ("claim + release", "claim_release", None, 0.4),
    ("add a note", "note", None, 0.4),
    ("create a card", "create", None, None),
    ("claim-next + release", "claim_next", None, None),
]


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    print("installing Debian's wrk (the load generator)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return shutil.which("wrk")


def seed(env: dict, cards: int) -> list[str]:
    """Migrate and seed in a child process with the server's own settings."""
    code = (
        "import json, sys\n"
        "from tack.cli import upgrade_database\n"
        "from tack import create_app\n"
        "from bench.seed import seed_board\n"
        "upgrade_database()\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    print(json.dumps(seed_board({cards})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_server(env: dict, url: str) -> subprocess.Popen:
    """The server exactly as the Procfile runs it."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open(Path(env["TACK_BENCH_DIR"]) / "server.log", "w")
    process = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/health", timeout=1).ok:
                return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start; see " + log.name)


def run_wrk(wrk: str, url: str, mode: str, path: str, ids_file: str, seconds: int,
            connections: int) -> dict:
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(WRK_SCRIPT), url + path, "--", mode, ids_file]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    stats = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    seconds_run = stats["duration_us"] / 1e6
    return {
        "rps": round(stats["requests"] / seconds_run, 1),
        "p50_ms": round(stats["p50_us"] / 1000, 2),
        "p99_ms": round(stats["p99_us"] / 1000, 2),
        "errors": stats["errors"] + stats["non_2xx_3xx"],
        "requests": stats["requests"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=3, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="(baseline, scenario) pairs per scenario; medians are reported")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--page-cards", type=int, default=1000,
                        help="visible cards for the web page render measurement")
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()

    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="tack-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TACK_API_KEY")}
    env.update(TACK_DB=str(workdir / "board.db"), TACK_PORT=str(port), TACK_HOST="127.0.0.1",
               TACK_WORKERS="1", TACK_THREADS=str(args.threads), TACK_BENCH_DIR=str(workdir),
               TACK_DATABASE_URL=args.database_url, PYTHONPATH=str(ROOT))
    if args.database_url:
        reset_postgres_schema(args.database_url)
    print(f"seeding {args.cards} cards ...", flush=True)
    ids = seed(env, args.cards)
    ids_file = workdir / "ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    server = start_server(env, url)
    results, baselines = [], []
    try:
        def run(mode, path, connections=args.connections):
            if "{seq}" in path:
                cursor = requests.get(url + "/api/changes?limit=1").json()["cursor"]
                path = path.replace("{seq}", str(cursor))
            return run_wrk(wrk, url, mode, path, str(ids_file), args.seconds, connections)

        def measure(name, mode, path, target, connections=args.connections):
            """Rounds of (baseline, scenario) back to back: the machine's drift hits
            both sides of each ratio alike. Medians over the rounds."""
            rounds = []
            for _ in range(args.rounds):
                base = run("get", "/health", connections)
                row = run(mode, path, connections)
                baselines.append(base)
                rounds.append((row, row["rps"] / base["rps"]))
            row = {key: median([r[key] for r, _ in rounds])
                   for key in ("rps", "p50_ms", "p99_ms")}
            row.update(errors=sum(r["errors"] for r, _ in rounds), name=name, path=path,
                       target=target, ratio=round(median([q for _, q in rounds]), 3))
            print(f"  {name:<24} {row['rps']:>8.0f} rps  p50 {row['p50_ms']:>7.2f} ms  "
                  f"p99 {row['p99_ms']:>7.2f} ms  errors {row['errors']}  "
                  f"ratio {row['ratio']:.3f}", flush=True)
            return row

        chosen = {name.strip() for name in args.only.split(",") if name.strip()}
        for name, mode, path, target in SCENARIOS:
            if not chosen or name in chosen:
                results.append(measure(name, mode, path or "/", target))
        # The web page with `page_cards` visible cards, one request at a time.
        if args.page_cards:
            top_up(url, args.page_cards)
            results.append(measure(f"web page ({args.page_cards} cards)", "get", "/", None,
                                   connections=1))
    finally:
        server.terminate()
        server.wait(15)
    baseline = {key: median([b[key] for b in baselines]) for key in ("rps", "p50_ms", "p99_ms")}
    baseline.update(name="baseline (/health)", path="/health", target=None, ratio=1.0,
                    errors=sum(b["errors"] for b in baselines))
    results.insert(0, baseline)
    for row in results:
        row["met"] = None if row["target"] is None else row["ratio"] >= row["target"]
    report(results, args)


def median(values):
    return statistics.median(values)


def top_up(url: str, page_cards: int) -> None:
    """Add cards until the board shows `page_cards` of them."""
    board = requests.get(url + "/api/board?fields=id").json()
    shown = sum(len(cards) for cards in board.values())
    missing = page_cards - shown
    while missing > 0:
        batch = [{"action": "create", "title": f"Page card {i}", "tags": ["page"],
                  "description": "Filler to reach the page size."}
                 for i in range(min(100, missing))]
        requests.post(url + "/api/batch", json=batch).raise_for_status()
        missing -= len(batch)


def report(results: list[dict], args) -> None:
    print()
    print(f"{'scenario':<26}{'rps':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'ratio':>8}{'target':>8}  met")
    for row in results:
        target = "" if row["target"] is None else f"{row['target']:.2f}"
        met = "" if row["met"] is None else ("yes" if row["met"] else "NO")
        print(f"{row['name']:<26}{row['rps']:>9.0f}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
              f"{row['errors']:>8}{row['ratio']:>8.3f}{target:>8}  {met}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps({
        "cards": args.cards, "connections": args.connections, "seconds": args.seconds,
        "rounds": args.rounds,
        "database": "postgresql" if args.database_url else "sqlite",
        "cpu_count": os.cpu_count(), "scenarios": results}, indent=2))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
