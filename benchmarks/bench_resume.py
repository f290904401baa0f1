"""Resuming a 1,000,000-mention incident to add 5 mentions: from its checkpoint, by a full replay,
and a fresh incident taking the same 5 (the baseline), each in a fresh process: wall time and
peak RSS. The incident is built once from the corpus and cached under /tmp (about 90 s).

    .venv/bin/python -m benchmarks bench_resume
    .venv/bin/python -m benchmarks.bench_resume --tree . --tree /tmp/orig   # after, before
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.corpus import START, write_corpus

CORPUS = Path("/tmp/big/m1m.jsonl")
SIZE = 1_000_000
CACHE = Path("/tmp/warroom-bench/m1m-build")
WORK = Path("/tmp/warroom-bench/resume-run")
NAME = "resume 1m"
REPEATS = 3
ROOT = Path(__file__).resolve().parent.parent


def warroom() -> list[str]:
    """`warroom`, from whichever source tree PYTHONPATH (and the working folder) names."""
    return [sys.executable, "-m", "warroom.tui"]


def env_for(data: Path, tree: Path) -> dict[str, str]:
    return {**os.environ, "WARROOM_DATA": str(data), "PYTHONPATH": str(tree)}


def run(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one command in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env, cwd=env["PYTHONPATH"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{err.decode(errors='replace')}")
    return wall, usage.ru_maxrss // 1024


def build(tree: Path) -> Path:
    """The 1M-mention incident, built once with `warroom replay` and kept."""
    if (CACHE / "finished").exists():
        return CACHE / "data"
    if not CORPUS.exists():
        CORPUS.parent.mkdir(parents=True, exist_ok=True)
        write_corpus(CORPUS, SIZE)
    shutil.rmtree(CACHE, ignore_errors=True)
    CACHE.mkdir(parents=True)
    print(f"building the {SIZE:,}-mention incident (once)...", flush=True)
    run([*warroom(), "replay", str(CORPUS), "--incident", NAME], env_for(CACHE / "data", tree))
    (CACHE / "finished").write_text("done\n")
    return CACHE / "data"


def five(path: Path, run_number: int) -> Path:
    """5 new mentions, just after the corpus ends."""
    at = START + timedelta(seconds=SIZE / 40 + 60 * run_number)
    with path.open("w") as out:
        for n in range(5):
            moment = (at + timedelta(seconds=n)).isoformat(timespec="seconds")
            record = {
                "id": f"resume-bench:{run_number}:{n}",
                "source": "mastodon",
                "text": f"Still waiting on support, day {n}. Not impressed.",
                "created_at": moment.replace("+00:00", "Z"),
            }
            out.write(json.dumps(record) + "\n")
    return path


def measure(tree: Path) -> dict[str, list[tuple[float, int]]]:
    """The three cases with `tree`'s warroom, on a fresh copy of the cached incident."""
    cached = build(ROOT)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    # Hard links: the log rewrites files by rename, so the cached copy is never touched.
    subprocess.run(["cp", "-al", str(cached), str(WORK / "data")], check=True)
    for stale in (WORK / "data").glob("incidents/*/checkpoint.json"):
        stale.unlink()
    command = warroom()
    rows: dict[str, list[tuple[float, int]]] = {"fresh": [], "replay": [], "checkpoint": []}
    # The full replay first: it is also what a resume without a checkpoint falls back to, and
    # it leaves the checkpoint the next resumes load.
    rows["replay"].append(
        run(
            [*command, "replay", str(five(WORK / "r0.jsonl", 0)), "--incident", NAME],
            env_for(WORK / "data", tree),
        )
    )
    for n in range(1, REPEATS + 1):
        rows["fresh"].append(
            run(
                [*command, "replay", str(five(WORK / f"f{n}.jsonl", n)), "--incident", "fresh"],
                env_for(WORK / f"fresh-{n}", tree),
            )
        )
        rows["checkpoint"].append(
            run(
                [*command, "replay", str(five(WORK / f"c{n}.jsonl", n)), "--incident", NAME],
                env_for(WORK / "data", tree),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--tree", type=Path, action="append", help="source tree(s) to measure (default: this one)"
    )
    options = parser.parse_args(argv if argv is not None else [])
    labels = {
        "fresh": "fresh incident + 5 (baseline)",
        "replay": "1M incident + 5, full replay",
        "checkpoint": "1M incident + 5, from checkpoint",
    }
    for tree in [path.resolve() for path in options.tree or [ROOT]]:
        rows = measure(tree)
        fresh = statistics.median(w for w, _ in rows["fresh"])
        print(f"tree: {tree}")
        print(f"{'':40} {'wall s':>8} {'peak RSS MB':>12} {'x fresh':>8}")
        for key, label in labels.items():
            wall = statistics.median(w for w, _ in rows[key])
            rss = max(r for _, r in rows[key])
            runs = len(rows[key])
            text = f"{label} ({runs} run{'s' if runs > 1 else ''})"
            print(f"{text:40} {wall:8.2f} {rss:12,} {wall / fresh:8.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
