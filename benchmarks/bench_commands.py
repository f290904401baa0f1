"""Whole commands at incident scale: `warroom --help` start-up, and `analyze` / `replay` of a
1,000,000-mention file, each against a baseline process in the same run (peak RSS, wall)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import write_corpus

MENTIONS = int(os.environ.get("BENCH_MENTIONS", "1000000"))
CORPUS = Path(tempfile.gettempdir()) / f"warroom-corpus-{MENTIONS}.jsonl"
WARROOM = str(Path(sys.executable).with_name("warroom"))
HELP_RUNS = 9

# The floor for reading the file: every line parsed as JSON, one at a time, nothing kept.
JSON_ONLY = "import json, sys\nfor line in open(sys.argv[1]): json.loads(line)\n"


def wall_of(args: list[str]) -> float:
    """Wall seconds of one child process."""
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def peak_of(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB), measured by /usr/bin/time in its own process."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - started
    return wall, int(done.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    help_times, bare_times = [], []
    for _ in range(HELP_RUNS):  # interleaved: the machine's noise hits both alike
        help_times.append(wall_of([WARROOM, "--help"]))
        bare_times.append(wall_of([sys.executable, "-c", "import click"]))
    help_s, bare_s = statistics.median(help_times), statistics.median(bare_times)
    print(f"warroom --help: {help_s * 1000:.0f} ms median of {HELP_RUNS}")
    print(
        f"python -c 'import click' (baseline): {bare_s * 1000:.0f} ms; ratio {help_s / bare_s:.2f}x"
    )

    if not CORPUS.exists():
        write_corpus(CORPUS, MENTIONS)
    floor_wall, floor_mb = peak_of([sys.executable, "-c", JSON_ONLY, str(CORPUS)])
    print(f"\n{MENTIONS:,} mentions ({CORPUS.stat().st_size / 1e6:.0f} MB of JSON Lines)")
    print(f"baseline, json.loads of every line: {floor_mb:6.0f} MB peak, {floor_wall:6.1f} s")
    wall, mb = peak_of([WARROOM, "analyze", str(CORPUS), "--json"])
    print(f"warroom analyze --json:             {mb:6.0f} MB peak, {wall:6.1f} s")
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "WARROOM_DATA": data}
        wall, mb = peak_of([WARROOM, "replay", str(CORPUS), "--incident", "bench"], env)
    print(f"warroom replay (into an incident):  {mb:6.0f} MB peak, {wall:6.1f} s")


if __name__ == "__main__":
    main()
