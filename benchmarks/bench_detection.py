"""The detection suite: every scenario kind, 20 seeds each, per pool of labelled text.

For each kind: how many seeds went right (the expected level reached in time, or no crisis where
none is expected), false alarms per calm day (raises to ELEVATED and to CRISIS in the calm minutes
before anything happens, per 24 hours of them), and the median and 90th-percentile delay from
onset to ELEVATED and to CRISIS. The scorer is the one in warroom at the time of the run.

    .venv/bin/python -m benchmarks.bench_detection [--split dev|test|both] [--corpus Tweets.csv]
        [--seeds 20] [--kinds "moderate crisis,strong crisis"]

Tune on `--split dev` only; `test` and the airline corpus (`--corpus`) are held out.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from benchmarks.scenarios import KINDS, Kind, Outcome, Pool, Reader, airline_pool, brand_pool, run
from warroom.model import Level

SEEDS = 20


def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile (share 0.5: the median) of the values, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _delays(values: list[int | None], runs: int) -> str:
    found = [value for value in values if value is not None]
    if not found:
        return "–"
    median, p90 = percentile(found, 0.5), percentile(found, 0.9)
    missed = f" ({runs - len(found)} never)" if len(found) < runs else ""
    return f"{median} / {p90}{missed}"


def table(pool: Pool, kinds: list[Kind], seeds: int, reader: Reader) -> list[str]:
    """The Markdown rows of one pool."""
    lines = [
        f"**{pool.name}** ({seeds} seeds per kind)",
        "",
        "| kind | right | false alarms / calm day (elevated, crisis) | to ELEVATED"
        " median / p90 min | to CRISIS median / p90 min |",
        "|---|---|---|---|---|",
    ]
    for kind in kinds:
        outcomes: list[Outcome] = [run(kind, seed, pool, reader) for seed in range(seeds)]
        right = sum(outcome.right(kind) for outcome in outcomes)
        days = sum(outcome.calm_days for outcome in outcomes)
        elevated = sum(len(o.raises(Level.ELEVATED)) for o in outcomes) / days
        crisis = sum(len(o.raises(Level.CRISIS)) for o in outcomes) / days
        if outcomes[0].stream.onset is None:
            to_elevated = to_crisis = "–"
        else:
            to_elevated = _delays([o.elevated_delay for o in outcomes], seeds)
            to_crisis = _delays([o.crisis_delay for o in outcomes], seeds)
        lines.append(
            f"| {kind.name} | {right}/{seeds} | {elevated:.2f}, {crisis:.2f} ({days:.1f} days)"
            f" | {to_elevated} | {to_crisis} |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench_detection", description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--corpus", type=Path, help="Tweets.csv of Twitter US Airline Sentiment")
    parser.add_argument("--seeds", type=int, default=SEEDS)
    parser.add_argument("--kinds", help="comma-separated kind names (default: all)")
    args = parser.parse_args([] if argv is None else argv)
    kinds = list(KINDS.values())
    if args.kinds:
        names = [name.strip() for name in args.kinds.split(",")]
        unknown = [name for name in names if name not in KINDS]
        if unknown:
            parser.error(f"unknown kinds {unknown}; known: {', '.join(KINDS)}")
        kinds = [KINDS[name] for name in names]
    pools = [
        brand_pool(split) for split in (("dev", "test") if args.split == "both" else (args.split,))
    ]
    if args.corpus is not None:
        pools.append(airline_pool(args.corpus))
    reader = Reader()
    for pool in pools:
        began = time.perf_counter()
        lines = table(pool, kinds, args.seeds, reader)
        print("\n".join(lines))
        print(f"\n({time.perf_counter() - began:.0f} s)\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
