"""Two consoles started at the same instant on an empty data dir make one incident."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

CONSOLE = """
import sys, time
from warroom.clock import SystemClock
from warroom.incident.log import IncidentLocked, IncidentStore
from warroom.incident.session import InProcessScoring, Session
from warroom.playbook import default_playbook

data_dir, start = sys.argv[1], float(sys.argv[2])
session = Session(store=IncidentStore(data_dir), clock=SystemClock(), brand="Brightwell",
                  playbook=default_playbook(), scoring=InProcessScoring(), drill=True)
time.sleep(max(0.0, start - time.time()))
try:
    log = session.open()
except IncidentLocked as error:
    print("refused:", error, flush=True)
else:
    print("opened:", log.meta.slug, flush=True)
    time.sleep(0.5)  # still working when the other one looks
    log.close()
"""


@pytest.mark.slow
def test_simultaneous_first_starts_give_one_incident_and_one_refusal(tmp_path: Path) -> None:
    """Five rounds of two consoles started together: each round one opens, one is refused."""
    for round_ in range(5):
        data_dir = tmp_path / f"round{round_}"
        start = time.time() + 0.8  # both are imported and waiting by then
        consoles = [
            subprocess.Popen(
                [sys.executable, "-c", CONSOLE, str(data_dir), str(start)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = sorted(c.communicate(timeout=30)[0].strip() for c in consoles)
        assert [o.split(":")[0] for o in outputs] == ["opened", "refused"], outputs
        assert len(list((data_dir / "incidents").iterdir())) == 2  # the incident and the lock
