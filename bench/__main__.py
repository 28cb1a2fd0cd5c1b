"""`python -m bench`: seed, serve, load, report. See README "Benchmark".

    python -m bench                                   # 500 and 10,000 cards, every scenario
    python -m bench --cards 10000 --only "filter,changes poll"   # a subset
    python -m bench --list                            # the scenario names"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from harness.schema import reset_postgres_schema
from harness.server import LiveServer

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
RESULTS = Path(__file__).resolve().parent / "results"

READ, WRITE = 0.5, 0.3  # target ratios to /health in the same run
V1_TO_NATIVE = 0.8  # target ratio of an /api/v1 scenario to its native /api twin
V1_BOARD = "/api/v1/boards/main"
PAGE_MS = 150  # the web page's target, p50 on the server, one request at a time


@dataclass(frozen=True)
class Scenario:
    name: str
    mode: str  # a wrk.lua mode
    path: str = "/"
    target: float | None = READ
    twin: str | None = None  # an /api/v1 scenario: the native scenario it is measured against


@dataclass(frozen=True)
class Side:
    """One wrk run of the mixed load; all sides run at once."""
    label: str
    mode: str
    path: str
    connections: int
    target: float


SCENARIOS = [
    Scenario("one card", "card"),
    Scenario("full board", "get", "/api/board"),
    # The same board to a client that does not take gzip: 6.7 MB an answer on 10,000
    # cards, so it measures the copying of bytes; shown, with no target.
    Scenario("full board, not gzipped", "get_identity", "/api/board", target=None),
    Scenario("sparse board", "get", "/api/board?fields=id,title,column_name"),
    Scenario("filter column", "get", "/api/cards?column=approved"),
    Scenario("filter assignee", "get", "/api/cards?assignee=agent-1"),
    Scenario("filter tag", "get", "/api/cards?tag=security"),
    Scenario("filter priority", "get", "/api/cards?priority=critical"),
    Scenario("filter q", "get", "/api/cards?q=webhook"),
    Scenario("search", "get", "/api/cards?q=staging%20database&fields=id,title,column_name"),
    Scenario("changes poll", "get", "/api/changes?after={seq}&limit=100"),
    Scenario("claim + release", "claim_release", target=WRITE),
    Scenario("add a note", "note", target=WRITE),
    Scenario("create a card", "create", target=WRITE),
    Scenario("claim-next + release", "claim_next", target=WRITE),
    # The same work through /api/v1 (board main), each against its native twin.
    Scenario("v1 get board", "get", V1_BOARD, V1_TO_NATIVE, twin="full board"),
    Scenario("v1 list tasks", "get", V1_BOARD + "/tasks?column=approved&limit=1000",
             V1_TO_NATIVE, twin="filter column"),
    Scenario("v1 claim + release", "v1_claim_release", V1_BOARD, V1_TO_NATIVE,
             twin="claim + release"),
    Scenario("v1 comment", "v1_comment", V1_BOARD, V1_TO_NATIVE, twin="add a note"),
]
SCENARIO_NAMED = {scenario.name: scenario for scenario in SCENARIOS}
# Agents claiming and noting while others poll changes and read the board. The
# baseline for each side is the same shape of load with every side on /health.
MIXED = [
    Side("agents (claim-next, note, release)", "agent", "/", 4, WRITE),
    Side("changes poll", "poll", "/api/changes?after={seq}&limit=100", 2, READ),
    Side("sparse board", "get", "/api/board?fields=id,title,column_name", 1, READ),
    Side("one card", "card", "/", 1, READ),
]
MIXED_NAME = "mixed load"
PAGE_NAME = "web page"


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
        "import json\n"
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


@dataclass
class Bench:
    wrk: str
    url: str
    ids_file: str
    seconds: int
    rounds: int
    connections: int
    baselines: list = field(default_factory=list)

    def command(self, mode: str, path: str, connections: int, agent: str) -> list[str]:
        if "{seq}" in path:
            cursor = requests.get(self.url + "/api/changes?limit=1").json()["cursor"]
            path = path.replace("{seq}", str(cursor))
        return [self.wrk, "-t1", f"-c{connections}", f"-d{self.seconds}s", "--timeout", "10s",
                "-s", str(WRK_SCRIPT), self.url + path, "--", mode, self.ids_file, agent]

    def run(self, mode: str, path: str, connections: int | None = None) -> dict:
        command = self.command(mode, path, connections or self.connections, "bench-agent")
        return parse_wrk(subprocess.run(command, capture_output=True, text=True,
                                        check=True).stdout)

    def run_together(self, sides: list[Side], on_health: bool) -> list[dict]:
        """Every side's wrk at once (each its own agent name)."""
        commands = [self.command("get", "/health", side.connections, f"agent-{i}")
                    if on_health else
                    self.command(side.mode, side.path, side.connections, f"mixed-agent-{i}")
                    for i, side in enumerate(sides)]
        with ThreadPoolExecutor(len(commands)) as pool:
            outs = list(pool.map(
                lambda c: subprocess.run(c, capture_output=True, text=True, check=True).stdout,
                commands))
        return [parse_wrk(out) for out in outs]

    def warm_up(self, path: str) -> None:
        """One read before the rounds: what is measured is the steady state, not the
        first build of a cold answer after the server started (seconds for the
        whole board of 10,000 cards on this machine)."""
        if "{" not in path:
            requests.get(self.url + path, timeout=120)

    def measure(self, scenario: Scenario) -> dict:
        """Rounds of (baseline, scenario) back to back: the machine's drift hits
        both sides of each ratio alike. Medians over the rounds."""
        if scenario.mode in ("get", "get_identity"):
            self.warm_up(scenario.path)
        rounds = []
        for _ in range(self.rounds):
            base = self.run("get", "/health")
            row = self.run(scenario.mode, scenario.path)
            self.baselines.append(base)
            rounds.append((row, ratio(row, base)))
        return summarise(scenario.name, scenario.path, scenario.target, rounds)

    def measure_twins(self, scenario: Scenario) -> dict:
        """Rounds of (/health, native twin, /api/v1 scenario) back to back; the
        ratio is v1 / native within each round, medians over the rounds."""
        native = SCENARIO_NAMED[scenario.twin]
        for each in (native, scenario):
            if each.mode == "get":
                self.warm_up(each.path)
        rounds, natives = [], []
        for _ in range(self.rounds):
            base = self.run("get", "/health")
            twin = self.run(native.mode, native.path)
            row = self.run(scenario.mode, scenario.path)
            self.baselines.append(base)
            natives.append((twin, ratio(twin, base)))
            rounds.append((row, ratio(row, twin)))
        twin_row = summarise(f"  native twin: {native.name}", native.path, None, natives)
        row = summarise(f"{scenario.name} (/ {native.name})", scenario.path,
                        scenario.target, rounds)
        row["native_rps"] = twin_row["rps"]
        return row

    def measure_mixed(self) -> list[dict]:
        for side in MIXED:
            if side.mode == "get":
                self.warm_up(side.path)
        per_side = [[] for _ in MIXED]
        for _ in range(self.rounds):
            bases = self.run_together(MIXED, on_health=True)
            rows = self.run_together(MIXED, on_health=False)
            for side_rounds, base, row in zip(per_side, bases, rows):
                side_rounds.append((row, ratio(row, base)))
        return [summarise(f"{MIXED_NAME}: {side.label}", side.path, side.target, rounds)
                for side, rounds in zip(MIXED, per_side)]

    def measure_page(self, name: str, path: str) -> dict:
        """The page, one request at a time: its p50 is the server's time."""
        self.warm_up(path)
        rounds = []
        for _ in range(self.rounds):
            base = self.run("get", "/health", 1)
            row = self.run("get", path, 1)
            rounds.append((row, ratio(row, base)))
        row = summarise(name, path, None, rounds)
        row["target_ms"] = PAGE_MS
        return row


def ratio(row: dict, base: dict) -> float:
    # A baseline that got no answer in its run (the machine stalled) counts as a miss.
    return row["rps"] / base["rps"] if base["rps"] else 0.0


def parse_wrk(out: str) -> dict:
    stats = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    seconds_run = stats["duration_us"] / 1e6
    return {
        "rps": round(stats["requests"] / seconds_run, 1),
        "p50_ms": round(stats["p50_us"] / 1000, 2),
        "p99_ms": round(stats["p99_us"] / 1000, 2),
        "errors": stats["errors"] + stats["non_2xx_3xx"],
        "requests": stats["requests"],
    }


def summarise(name: str, path: str, target: float | None, rounds: list) -> dict:
    row = {key: statistics.median([r[key] for r, _ in rounds])
           for key in ("rps", "p50_ms", "p99_ms")}
    row.update(errors=sum(r["errors"] for r, _ in rounds), name=name, path=path,
               target=target, ratio=round(statistics.median([q for _, q in rounds]), 3))
    print(f"  {name:<44} {row['rps']:>7.0f} rps  p50 {row['p50_ms']:>7.2f} ms  "
          f"p99 {row['p99_ms']:>7.2f} ms  errors {row['errors']}  "
          f"ratio {row['ratio']:.3f}", flush=True)
    return row


def wanted(name: str, only: list[str]) -> bool:
    """--only takes names or parts of names: "filter" picks every filter."""
    return not only or any(part in name for part in only)


def run_board(args, wrk: str, cards: int, only: list[str]) -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix="tack-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TACK_API_KEY")}
    env.update(TACK_DB=str(workdir / "board.db"), TACK_DATABASE_URL=args.database_url,
               PYTHONPATH=str(ROOT))
    if args.database_url:
        reset_postgres_schema(args.database_url)
    ids_file = workdir / "ids.txt"
    saved = RESULTS / f"seed-{cards}"
    if args.reuse_seed and not args.database_url and saved.with_suffix(".db").exists():
        print(f"reusing the seeded board {saved}.db", flush=True)
        shutil.copy(saved.with_suffix(".db"), workdir / "board.db")
        shutil.copy(saved.with_suffix(".ids"), ids_file)
    else:
        print(f"seeding {cards} cards ...", flush=True)
        started = time.monotonic()
        ids = seed(env, cards)
        print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
        ids_file.write_text("\n".join(ids) + "\n")
        if args.reuse_seed and not args.database_url:
            RESULTS.mkdir(exist_ok=True)
            shutil.copy(workdir / "board.db", saved.with_suffix(".db"))
            shutil.copy(ids_file, saved.with_suffix(".ids"))
    database_url = args.database_url or "sqlite:///" + str(workdir / "board.db")
    # As the Procfile runs it: one process, sweeps on.
    os.environ.pop("TACK_API_KEY", None)
    server = LiveServer(database_url, str(workdir / "board.db"), workers=1,
                        threads=args.threads, extra_env={"TACK_SCHEDULER": "1"})
    bench = Bench(wrk, server.url, str(ids_file), args.seconds, args.rounds,
                  args.connections)
    results = []
    try:
        for scenario in SCENARIOS:
            if wanted(scenario.name, only):
                results.append(bench.measure_twins(scenario) if scenario.twin
                               else bench.measure(scenario))
        if wanted(MIXED_NAME, only):
            results.extend(bench.measure_mixed())
        if wanted(PAGE_NAME, only):
            results.append(bench.measure_page(PAGE_NAME, "/"))
            results.append(bench.measure_page(f"{PAGE_NAME}: search", "/?f_q=webhook"))
    finally:
        server.stop()
    if bench.baselines:
        baseline = {key: statistics.median([b[key] for b in bench.baselines])
                    for key in ("rps", "p50_ms", "p99_ms")}
        baseline.update(name="baseline (/health)", path="/health", target=None, ratio=1.0,
                        errors=sum(b["errors"] for b in bench.baselines))
        results.insert(0, baseline)
    for row in results:
        if row.get("target_ms"):
            # A page that never answered within the run has no p50 to compare.
            row["met"] = 0 < row["p50_ms"] < row["target_ms"]
        else:
            row["met"] = None if row["target"] is None else row["ratio"] >= row["target"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", default="500,10000",
                        help="board sizes, comma-separated (each seeded and served afresh)")
    parser.add_argument("--seconds", type=int, default=2, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="(baseline, scenario) pairs per scenario; medians are reported")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads")
    parser.add_argument("--only", default="",
                        help="comma-separated scenario names or parts of names")
    parser.add_argument("--list", action="store_true", help="print the scenario names")
    parser.add_argument("--reuse-seed", action="store_true",
                        help="SQLite: keep the seeded board in bench/results and start "
                             "from a copy next time (seeding 10,000 cards takes minutes)")
    args = parser.parse_args()
    if args.list:
        names = [s.name for s in SCENARIOS] + [f"{MIXED_NAME}: {s.label}" for s in MIXED]
        print("\n".join(names + [PAGE_NAME, f"{PAGE_NAME}: search"]))
        return
    only = [part.strip() for part in args.only.split(",") if part.strip()]
    wrk = ensure_wrk()
    by_size = {}
    for cards in (int(size) for size in args.cards.split(",")):
        by_size[cards] = run_board(args, wrk, cards, only)
        report(cards, by_size[cards], args)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps({
        "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds,
        "database": "postgresql" if args.database_url else "sqlite",
        "cpu_count": os.cpu_count(),
        "boards": {str(cards): rows for cards, rows in by_size.items()}}, indent=2))
    print(f"\nJSON: {out}")


def report(cards: int, results: list[dict], args) -> None:
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{cards} cards, {database}")
    print(f"{'scenario':<46}{'rps':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'ratio':>8}{'target':>10}  met   (v1 rows: ratio to the native twin)")
    for row in results:
        if row.get("target_ms"):
            target = f"<{row['target_ms']}ms"
        else:
            target = "" if row["target"] is None else f">={row['target']:.2f}"
        met = "" if row["met"] is None else ("yes" if row["met"] else "NO")
        print(f"{row['name']:<46}{row['rps']:>8.0f}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
              f"{row['errors']:>8}{row['ratio']:>8.3f}{target:>10}  {met}")


if __name__ == "__main__":
    main()
