"""The cold post-mortem of a 1,000,000-mention incident with every text unique (the corpus,
replayed into an incident once and cached under /tmp): `warroom report --format html
--no-cache`, against `json.load` of every mention segment, interleaved, medians."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import write_corpus

MENTIONS = int(os.environ.get("BENCH_MENTIONS", "1000000"))
ROOT = Path(tempfile.gettempdir()) / f"warroom-report-bench-{MENTIONS}"
CORPUS = Path(tempfile.gettempdir()) / f"warroom-corpus-{MENTIONS}.jsonl"
WARROOM = str(Path(sys.executable).with_name("warroom"))
RUNS = 3


def incident() -> Path:
    """The replayed incident's data dir (built on first use)."""
    data = ROOT / "data"
    if not (data / "incidents" / "corpus").is_dir():
        if not CORPUS.exists():
            write_corpus(CORPUS, MENTIONS)
        env = {**os.environ, "WARROOM_DATA": str(data)}
        subprocess.run(
            [WARROOM, "replay", str(CORPUS), "--incident", "corpus"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return data


def baseline(data: Path) -> float:
    started = time.perf_counter()
    for segment in sorted((data / "incidents" / "corpus" / "mentions").glob("*.json")):
        json.loads(segment.read_bytes())
    return time.perf_counter() - started


def report(data: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one cold HTML report."""
    env = {**os.environ, "WARROOM_DATA": str(data)}
    started = time.perf_counter()
    done = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "%M",
            WARROOM,
            "report",
            "corpus",
            "--format",
            "html",
            "--no-cache",
            "-o",
            str(ROOT / "report.html"),
        ],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    data = incident()
    floors, walls, peaks = [], [], []
    for _ in range(RUNS):
        floors.append(baseline(data))
        wall, peak = report(data)
        walls.append(wall)
        peaks.append(peak)
    floor, wall = statistics.median(floors), statistics.median(walls)
    print(f"{MENTIONS:,} mentions, every text unique; {RUNS} interleaved runs, medians")
    print(f"baseline, json.load of every mention segment: {floor:5.2f} s")
    print(
        f"warroom report --format html --no-cache:      {wall:5.2f} s "
        f"({wall / floor:.2f}x), peak {statistics.median(peaks) / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
