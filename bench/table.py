"""`python -m bench.table [results.json]`: a bench run as Markdown tables (README)."""
import json
import sys
from pathlib import Path

from bench.__main__ import RESULTS


def target_text(row: dict) -> str:
    if row.get("target_ms"):
        goal = f"< {row['target_ms']} ms"
        met = 0 < row["p50_ms"] < row["target_ms"]  # 0: no answer inside a run
    elif row["target"] is None:
        return ""
    else:
        goal = f"≥ {row['target']:.2f}"
        met = row["met"]
    return f"{goal} {'met' if met else '**not met**'}"


def main() -> None:
    run = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else RESULTS / "latest.json")
                     .read_text())
    for cards, rows in run["boards"].items():
        print(f"\n{int(cards):,} cards, {run['database']}:\n")
        print("| scenario | req/s | p50 ms | p99 ms | errors | ratio | target |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for row in rows:
            print(f"| {row['name']} | {row['rps']:.0f} | {row['p50_ms']:.1f} | "
                  f"{row['p99_ms']:.1f} | {row['errors']} | {row['ratio']:.2f} | "
                  f"{target_text(row)} |")


if __name__ == "__main__":
    main()
