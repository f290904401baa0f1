"""Team mode on the demo drill: two real consoles on a real redis-server, one screenshot."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from scripts.scenes import CRISIS_AT, DECLARED_AT, NOTES
from warroom.clock import FrozenClock
from warroom.demo import scenario as demo_scenario
from warroom.incident.log import IncidentStore
from warroom.incident.session import InProcessScoring, Session
from warroom.live.team.link import TeamLink, TeamSettings
from warroom.live.team.replica import TeamReplica, join_team_incident
from warroom.model import ScoredMention
from warroom.playbook import default_playbook
from warroom.tui.app import WarroomApp
from warroom.tui.launch import team_feeder
from warroom.tui.screens.incident import DeclareScreen

INCIDENT_NAME = f"{demo_scenario.BRAND}: reports of thermostats stuck after firmware 4.2"
SIZE = (120, 35)


@contextmanager
def redis_server(folder: Path) -> Iterator[str | None]:
    """A throwaway redis-server on a free port on 127.0.0.1 (its URL), or None if not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    args += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


async def until(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    """Wait until `condition()` holds, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the team scene did not settle")
        await asyncio.sleep(0.05)


async def team_console(
    folder: Path, settings: TeamSettings, operator: str, role: str, scored: Sequence[ScoredMention]
) -> WarroomApp:
    """A quiet drill console (frozen at CRISIS_AT, no ticks) joined to the team's incident; if
    it holds ingest, it takes in the demo mentions posted so far and the team gets them."""
    clock = FrozenClock(CRISIS_AT)
    session = Session(
        store=IncidentStore(folder),
        clock=clock,
        brand=demo_scenario.BRAND,
        playbook=default_playbook(),
        scoring=InProcessScoring(),
        operator=operator,
        role=role,
        drill=True,
    )
    link = TeamLink(settings, clock=clock)
    try:
        founded = await join_team_incident(session, link, name=f"Drill: {demo_scenario.BRAND}")
    finally:
        await link.close()

    async def ingest(app: WarroomApp, replica: TeamReplica) -> None:
        posted = [s for s in scored if s.mention.created_at < clock.now()]
        replica.session.engine.ingest_scored(posted)
        replica.session.tick(flush=False)

    feeder = team_feeder(settings, role=role, founded=founded, ingest=ingest)
    return WarroomApp(session, feeder=feeder, tick_seconds=0)


def team_line(app: WarroomApp) -> str:
    """What the console's status line says of the team."""
    status = app.main_screen.team_status
    return status() if status is not None else ""


async def work_together(dana: Session, lee: Session, apps: Sequence[WarroomApp]) -> None:
    """Dana (lead) declares; each checks the first half of the steps their role owns (Dana the
    rest); both write notes. One at a time, so every console shows the same order."""

    async def act(session: Session, minutes: int, action: Callable[[], object]) -> None:
        clock = session.clock
        assert isinstance(clock, FrozenClock)
        clock.set(DECLARED_AT + timedelta(minutes=minutes))
        action()
        clock.set(CRISIS_AT)
        expected = len(session.state.timeline)
        await until(lambda: all(len(a.session.state.timeline) >= expected for a in apps))

    await act(dana, 0, lambda: dana.declare(INCIDENT_NAME))
    steps = dana.playbook.steps
    notes = {0: (dana, NOTES[0]), 2: (dana, NOTES[1]), 7: (lee, NOTES[2])}
    for index, step in enumerate(steps[: len(steps) // 2]):
        who = lee if step.owner == "social" else dana
        await act(who, 1 + index, lambda w=who, s=step.id: w.set_step(s, True))
        if index in notes:
            writer, text = notes[index]
            await act(writer, 1 + index, lambda w=writer, t=text: w.note(t))


async def shoot_team(folder: Path, scored: Sequence[ScoredMention]) -> Path | None:
    """Save `team.svg` in `folder`: Lee's console (social) beside Dana's (lead, holding ingest),
    the checklist showing only Lee's steps. None, said on stdout, without redis-server."""
    path = folder / "team.svg"
    with tempfile.TemporaryDirectory() as data, redis_server(Path(data)) as url:
        if url is None:
            print(f"skipped {path}: redis-server is not installed (apt-get install redis-server)")
            return None
        settings = TeamSettings(url, "drill")
        dana = await team_console(Path(data) / "dana", settings, "dana", "lead", scored)
        async with dana.run_test(size=SIZE):
            # Dana's console starts first and takes the ingest lease: the drill is hers to play.
            await until(lambda: dana.session.engine.stats.ingested > 0)
            lee = await team_console(Path(data) / "lee", settings, "lee", "social", scored)
            async with lee.run_test(size=SIZE) as pilot:
                apps = (dana, lee)
                taken = dana.session.engine.stats.ingested
                await until(lambda: lee.session.engine.stats.ingested == taken)
                await work_together(dana.session, lee.session, apps)
                await until(lambda: all("team: 2 on" in team_line(a) for a in apps))
                if isinstance(lee.screen, DeclareScreen):
                    # The level reached Lee before Dana's declaration did: the console proposed
                    # declaring, and Lee lets Dana's declaration stand.
                    await pilot.press("escape")
                await pilot.press("3", "o")
                await pilot.pause(0.5)
                lee.save_screenshot(filename=path.name, path=str(folder))
    return path
