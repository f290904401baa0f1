"""The console's memory across its processes (the UI and the scoring worker): after replaying
1,000,000 mentions into a fresh incident, and after reopening a 1,000,000-mention incident and
taking 1,000 more, against the console idle on an empty incident (the baseline), each in a
fresh process. PSS from /proc/PID/smaps_rollup (shared pages counted once across processes).

    .venv/bin/python -m benchmarks bench_console_memory            # all three (~5 min)
    .venv/bin/python -m benchmarks.bench_console_memory reopen --tree /tmp/orig
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

WORK = Path("/tmp/warroom-bench/console-memory")
ROOT = Path(__file__).resolve().parent.parent
BRAND = "brand"
MORE = 1000


def memory(pid: int) -> dict[str, int]:
    """RSS, PSS and private (clean + dirty) of a process, in MB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
            found[name] = int(rest.split()[0]) // 1024
    return {
        "rss": found["Rss"],
        "pss": found["Pss"],
        "private": found["Private_Clean"] + found["Private_Dirty"],
    }


async def console(data: Path, corpus: Path | None, limit: int | None) -> dict[str, Any]:
    """Open the console (headless) on `data`, replay `corpus` (first `limit` lines) at once,
    wait for every mention to be in, and measure the UI process and its scoring worker."""
    import itertools

    from warroom.clock import ScaledClock
    from warroom.incident.log import IncidentStore
    from warroom.incident.session import ProcessScoring, Session
    from warroom.model import read_mentions
    from warroom.offline.replay import peek
    from warroom.playbook import default_playbook
    from warroom.tui.app import WarroomApp
    from warroom.tui.launch import replay_feeder

    started = time.perf_counter()
    # As `warroom replay FILE --tui` does: the scoring worker first (it starts at once, small),
    # then the file read as it is fed (one batch in memory), its first hour as the history.
    scoring = ProcessScoring()
    handle = corpus.open(encoding="utf-8") if corpus is not None else None
    lines = itertools.islice(handle, limit) if handle is not None else iter(())
    first, stream = peek(read_mentions(lines))
    start = (first.created_at if first else datetime.now(UTC)) + timedelta(hours=1)
    session = Session(
        store=IncidentStore(data),
        clock=ScaledClock(start, 1e6),
        brand=BRAND,
        playbook=default_playbook(),
        scoring=scoring,
    )
    session.open("console memory")
    opened = time.perf_counter() - started
    feeder = replay_feeder(stream, start, 1e6) if first is not None else None
    app = WarroomApp(session, feeder=feeder)
    async with app.run_test(size=(120, 35)) as pilot:
        while any(w.group == "feed" and not w.is_finished for w in app.workers):
            await asyncio.sleep(0.5)
        await pilot.pause(2.0)  # a few ticks and flushes, as a person would see it
        ui = memory(os.getpid())
        # A full collection's pause: what a keypress may wait behind once the heap is big.
        began = time.perf_counter()
        gc.collect()
        full_gc_ms = (time.perf_counter() - began) * 1000
        workers = [memory(pid) for pid in scoring._pool._processes or {}]
        result = {
            "opened_s": round(opened, 2),
            "total_s": round(time.perf_counter() - started, 1),
            "ingested": session.engine.stats.ingested,
            "mentions_in_log": session.log.mention_count(),
            "ui": ui,
            "workers": workers,
            "pss_total": ui["pss"] + sum(w["pss"] for w in workers),
            "full_gc_ms": round(full_gc_ms, 1),
        }
    session.shutdown()
    if handle is not None:
        handle.close()
    return result


def child(argv: list[str]) -> None:
    data, corpus, limit = Path(argv[0]), argv[1], int(argv[2])
    path = Path(corpus) if corpus != "-" else None
    result = asyncio.run(console(data, path, limit or None))
    print(json.dumps(result))


def run_child(tree: Path, data: Path, corpus: Path | None, limit: int) -> dict[str, Any]:
    # Run as a script, so the warroom imported is the one from `tree` (PYTHONPATH's first).
    args = [sys.executable, str(Path(__file__).resolve()), "--child", str(data)]
    args += [str(corpus) if corpus else "-", str(limit)]
    env = {**os.environ, "PYTHONPATH": f"{tree}:{ROOT}"}
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def reopen_data(tree: Path) -> Path:
    """A copy of the 1M-mention incident, made a console's own (its brand set), no checkpoint."""
    from benchmarks import bench_resume  # not in the child: it may run another tree's warroom

    cached = bench_resume.build(ROOT)
    target = WORK / f"reopen-{tree.name}"
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-al", str(cached), str(target)], check=True)
    for meta in target.glob("incidents/*/meta.json"):
        data = json.loads(meta.read_text())
        data["brand"] = BRAND
        meta.unlink()  # a hard link: write a new file, not through it
        meta.write_text(json.dumps(data))
    for stale in target.glob("incidents/*/checkpoint.json"):
        stale.unlink()
    return target


def show(label: str, result: dict[str, Any]) -> None:
    workers = result["workers"]
    worker = " + ".join(f"{w['pss']}" for w in workers) or "-"
    private = " + ".join(f"{w['private']}" for w in workers) or "-"
    print(
        f"{label:44} UI RSS {result['ui']['rss']:5} PSS {result['ui']['pss']:5} | worker PSS "
        f"{worker:>5} (private {private:>4}) | total PSS {result['pss_total']:5} MB"
        f" | full GC {result.get('full_gc_ms', '?')} ms"
        f" | opened in {result['opened_s']} s, {result['total_s']} s in all"
    )


def main(argv: list[str] | None = None) -> None:
    argv = list(argv if argv is not None else [])
    if argv[:1] == ["--child"]:
        child(argv[1:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("which", nargs="*", default=["idle", "reopen", "replay"])
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree to measure")
    options = parser.parse_args(argv)
    tree = options.tree.resolve()
    from benchmarks.bench_resume import CORPUS

    print(f"tree: {tree}")
    if "idle" in options.which:
        shutil.rmtree(WORK / "idle", ignore_errors=True)
        show("idle console, empty incident (baseline)", run_child(tree, WORK / "idle", None, 0))
    if "reopen" in options.which:
        data = reopen_data(tree)
        # The first opening replays the log (and leaves a checkpoint, where there are any).
        first = run_child(tree, data, CORPUS, MORE)
        show("reopen 1M incident (no checkpoint) + 1,000", first)
        again = run_child(tree, data, CORPUS, 2 * MORE)
        show("reopen 1M incident again + 1,000", again)
    if "replay" in options.which:
        shutil.rmtree(WORK / "replay", ignore_errors=True)
        result = run_child(tree, WORK / "replay", CORPUS, 0)
        show(f"replay {result['ingested']:,} mentions into a fresh incident", result)


if __name__ == "__main__":
    main(sys.argv[1:])
