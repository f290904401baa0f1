"""kill -9 at random moments loses no acknowledged note and leaves every file loadable."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from warroom.clock import SystemClock
from warroom.incident.log import IncidentStore
from warroom.model import EventKind

ROOT = Path(__file__).resolve().parent.parent

# Appends notes forever, printing each acknowledged seq; mentions are flushed every few notes.
WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from warroom.clock import SystemClock
from warroom.model import EventKind, Label, Mention, Score, ScoredMention
from warroom.incident.log import IncidentNotFound, IncidentStore

incidents = IncidentStore(Path(sys.argv[1]))
clock = SystemClock()
try:
    log = incidents.open("kill", clock=clock)
except IncidentNotFound:
    log = incidents.create("Kill", clock=clock)
batch = [
    ScoredMention(Mention(f"demo:{i}", "demo", "x" * 200, clock.now()), Score(-0.4, Label.NEGATIVE))
    for i in range(150)
]
print("ready", flush=True)
i = 0
while True:
    i += 1
    event = log.append(EventKind.NOTE, {"i": i, "text": "we hold the statement"})
    print("note", event.seq, flush=True)
    log.append_mentions(batch)
    if i % 3 == 0:
        print("flushing", flush=True)
        log.flush()
"""


def _run_and_kill(data_dir: Path, rng: random.Random, during_flush: bool) -> list[int]:
    """Start the writer, SIGKILL it at a random moment, return every seq it acknowledged."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    target = rng.randint(1, 25)
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        notes = sum(1 for seen in lines if seen.startswith("note"))
        if notes >= target and (not during_flush or line.startswith("flushing")):
            if during_flush:
                time.sleep(rng.uniform(0, 0.004))
            break
    process.send_signal(signal.SIGKILL)
    # Whatever was printed before the kill was acknowledged too.
    rest, _ = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    lines.extend(rest.splitlines())
    return [int(line.split()[1]) for line in lines if line.startswith("note")]


def test_kill_minus_nine_loses_no_acknowledged_note(tmp_path: Path) -> None:
    """Across several kills, also mid-flush, every printed seq is a note on disk after reopen."""
    data_dir = tmp_path / "data"
    rng = random.Random(20260314)
    acknowledged: set[int] = set()
    for round_number in range(6):
        acknowledged.update(_run_and_kill(data_dir, rng, during_flush=round_number % 2 == 1))
        for path in (data_dir / "incidents").rglob("*.json"):
            json.loads(path.read_bytes())  # every whole file loads; only *.tmp may be torn
        with IncidentStore(data_dir).open("kill", clock=SystemClock()) as log:
            events = list(log.events(include_mentions=True))
            assert sum(1 for _ in log.mentions()) == log.mention_count()
        seqs = [e.seq for e in events]
        assert seqs == sorted(set(seqs))
        notes = {e.seq for e in events if e.kind is EventKind.NOTE}
        assert acknowledged <= notes, f"lost notes {sorted(acknowledged - notes)}"
