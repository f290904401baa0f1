"""Team mode end to end: several consoles (Sessions) on one real redis-server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.conftest import T0
from tests.redis_server import RedisServer
from tests.team_support import Console, until
from warroom.clock import FrozenClock
from warroom.live.team.wire import TeamEvent, decode
from warroom.model import EventKind


def notes_of(console: Console) -> list[str]:
    assert console.session is not None
    return [e.data["text"] for e in console.session.state.timeline if e.kind is EventKind.NOTE]


async def consoles(server: RedisServer, tmp_path: Path, count: int) -> list[Console]:
    clock = FrozenClock(T0)
    people = [("dana", "lead"), ("lee", "social"), ("sam", "legal"), ("kim", "support")]
    started = []
    for n in range(count):
        operator, role = people[n % len(people)]
        started.append(await Console(server, tmp_path / f"c{n}", clock, operator, role).start())
    return started


async def test_a_note_written_on_one_console_appears_on_the_others(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """Dana's note is in Lee's and Sam's timelines, with Dana as its author, once."""
    team = await consoles(redis_server, tmp_path, 3)
    try:
        assert team[0].session is not None
        team[0].session.note("holding statement approved by legal")
        for console in team:
            await until(lambda c=console: notes_of(c) == ["holding statement approved by legal"])
        other = team[1].session
        assert other is not None
        note = next(e for e in other.state.timeline if e.kind is EventKind.NOTE)
        assert note.author == "dana"
    finally:
        for console in team:
            await console.close()


async def test_concurrent_checks_and_unchecks_end_the_same_everywhere(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """Two people check and uncheck one step at the same moments, Dana ending on a check and
    Lee on an uncheck: every console ends as the stream's last word says, not as its own."""
    team = await consoles(redis_server, tmp_path, 3)
    try:
        a, b = team[0].session, team[1].session
        assert a is not None and b is not None
        for n in range(20):
            a.set_step("assess-impact", n % 2 == 1)  # ends checked
            b.set_step("assess-impact", n % 2 == 0)  # ends unchecked
            await asyncio.sleep(0.003 * (n % 3))
        for console in team:
            await until(lambda c=console: _step_events(c) == 40 and not _pending(c))
        link = team[2].replica.link if team[2].replica else None
        assert link is not None
        entries = await link.entries(link.keys.events(team[2].replica.slug))  # type: ignore[union-attr]
        last = [decode(fields) for _, fields in entries][-1]
        assert isinstance(last, TeamEvent)
        expected = last.kind is EventKind.STEP_CHECKED
        for console in team:
            assert console.session is not None
            assert ("assess-impact" in console.session.state.checks) is expected
    finally:
        for console in team:
            await console.close()


def _step_events(console: Console) -> int:
    assert console.session is not None
    kinds = (EventKind.STEP_CHECKED, EventKind.STEP_UNCHECKED)
    return sum(1 for e in console.session.state.timeline if e.kind in kinds)


def _pending(console: Console) -> bool:
    return console.replica is not None and len(console.replica.outbox) > 0


async def test_two_declarations_at_once_make_one_incident(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """Both declare; every console shows the first the stream took, and the other person is
    told who declared and when."""
    team = await consoles(redis_server, tmp_path, 2)
    try:
        a, b = team[0].session, team[1].session
        assert a is not None and b is not None
        a.declare("Firmware 4.2")
        b.declare("Thermostats offline")
        for console in team:
            await until(
                lambda c=console: (
                    c.session is not None
                    and sum(1 for e in c.session.state.timeline if e.kind is EventKind.DECLARED)
                    == 2
                )
            )
        names = {c.session.state.name for c in team if c.session}
        assert len(names) == 1
        await until(lambda: any(c.notices for c in team))
        told = [n for c in team for n in c.notices]
        assert len(told) == 1 and told[0].startswith("already declared by")
    finally:
        for console in team:
            await console.close()


@pytest.mark.slow
async def test_notes_written_while_redis_is_down_arrive_once_everywhere(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """Redis stops for 20 s while two consoles write notes; each note is on disk at once, shown
    where it was written, and after the restart every note is on every console exactly once."""
    team = await consoles(redis_server, tmp_path, 2)
    try:
        a, b = team[0].session, team[1].session
        assert a is not None and b is not None
        a.note("before the outage")
        await until(lambda: "before the outage" in notes_of(team[1]))
        redis_server.stop()
        for n in range(5):
            a.note(f"dana offline {n}")
            b.note(f"lee offline {n}")
            await asyncio.sleep(4)
        assert team[0].replica is not None
        assert not team[0].replica.link.state.up and len(team[0].replica.outbox) == 5
        assert "dana offline 4" in notes_of(team[0])  # shown on its own console meanwhile
        redis_server.start()
        expected = {"before the outage"} | {
            f"{w} offline {n}" for w in ("dana", "lee") for n in range(5)
        }
        for console in team:
            await until(lambda c=console: set(notes_of(c)) == expected, 30)
            assert len(notes_of(console)) == len(expected)
    finally:
        for console in team:
            await console.close()
