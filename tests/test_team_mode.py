"""Team mode end to end: several consoles (Sessions) on one real redis-server."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import T0
from tests.redis_server import RedisServer
from tests.team_support import HOLDER, Console, jsonl_ingest, until
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentLocked
from warroom.live.team.wire import MentionBatch, TeamEvent, decode
from warroom.model import EventKind, Label, Mention, Score, ScoredMention
from warroom.tui.main import main


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


async def _streamed_ids(console: Console) -> list[str]:
    """Every mention id in the team's mention stream, in stream order."""
    assert console.replica is not None
    link = console.replica.link
    ids = []
    for _, fields in await link.entries(link.keys.mentions(console.replica.slug)):
        batch = decode(fields)
        assert isinstance(batch, MentionBatch)
        ids += [r["mention"]["id"] for r in batch.records]
    return ids


def _line(n: int) -> str:
    return json.dumps(
        {
            "id": f"file:{n}",
            "source": "export",
            "text": f"acme thermostat {n}",
            "created_at": "2026-03-14T08:30:00Z",
        }
    )


@pytest.mark.slow
async def test_the_holder_killed_another_takes_over_without_gap_or_duplicate(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """A holder in its own process is killed with SIGKILL while a file is being followed;
    the other console takes the lease and goes on from the cursor in Redis: every line of the
    file is in the team's stream and in the survivor's log exactly once."""
    feed = tmp_path / "mentions.jsonl"
    feed.write_text("")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLDER,
            str(Path(__file__).parent.parent),
            str(tmp_path / "r"),
            str(redis_server.port),
            str(tmp_path / "a"),
            str(feed),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    survivor = Console(
        redis_server, tmp_path / "b", FrozenClock(T0), "lee", "social", lease_ms=2000
    )
    try:
        assert holder.stdout is not None
        assert (await asyncio.to_thread(holder.stdout.readline)).strip() == "holding"
        await survivor.start(jsonl_ingest(feed))
        total = 3000
        for start in range(0, total, 100):
            with feed.open("a", encoding="utf-8") as handle:
                handle.write("".join(_line(n) + "\n" for n in range(start, start + 100)))
            await asyncio.sleep(0.05)
            if start == 1200:
                holder.kill()  # SIGKILL: no goodbye, no lease released
        assert survivor.replica is not None and survivor.session is not None
        await until(lambda: survivor.replica is not None and survivor.replica.is_holder, 15)
        session = survivor.session
        await until(lambda: all(session.engine.has_seen(f"file:{n}") for n in range(total)), 30)
        session.flush()
        stored = [m.mention.id for m in session.log.mentions()]
        assert sorted(stored, key=lambda i: int(i.split(":")[1])) == [
            f"file:{n}" for n in range(total)
        ]
        streamed = await _streamed_ids(survivor)
        for _ in range(100):  # the last batches may still be on their way to Redis
            if len(streamed) >= total:
                break
            await asyncio.sleep(0.05)
            streamed = await _streamed_ids(survivor)
        assert len(streamed) == len(set(streamed)) == total
    finally:
        holder.kill()
        holder.wait()
        await survivor.close()


def _scored_batch(start: int, count: int) -> list[ScoredMention]:
    out = []
    for n in range(start, start + count):
        moment = T0 - timedelta(minutes=90) + timedelta(seconds=n // 10)
        negative = n % 4 == 0
        mention = Mention(f"m:{n}", "demo", f"acme post {n}", moment, author=f"u{n % 97}")
        score = Score(-0.5, Label.NEGATIVE) if negative else Score(0.4, Label.POSITIVE)
        out.append(ScoredMention(mention, score))
    return out


def _export(data_dir: Path, slug: str, only: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(
        main, ["--data-dir", str(data_dir), "export", slug, "--only", only, "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    for row in rows:
        row.pop("seq", None)  # each replica numbers its own log
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))


async def test_a_late_joiner_starts_from_the_snapshot_and_ends_up_equal(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """A console that joins after 25,000 mentions takes the holder's snapshot, reads only what
    came after it, shows the same signals at once, and once its history is stored its replica
    exports the same mentions and events as the holder's."""
    holder = await Console(redis_server, tmp_path / "a", FrozenClock(T0), "dana", "lead").start(
        _forever
    )
    try:
        assert holder.replica is not None and holder.session is not None
        await until(lambda: holder.replica is not None and holder.replica.is_holder)
        holder.session.note("before the newcomer")
        for start in range(0, 25_000, 1000):
            holder.session.engine.ingest_scored(_scored_batch(start, 1000))
            await asyncio.sleep(0)
        await until(lambda: holder.replica is not None and not holder.replica._mentions_out)
        late = await Console(redis_server, tmp_path / "b", FrozenClock(T0), "lee", "social").start()
        assert late.replica is not None and late.session is not None
        session = late.session
        await until(lambda: session.engine.has_seen("m:24999"), 10)
        assert late.replica.joined_from is not None  # from the snapshot, not every mention
        assert session.engine.signals.series() == holder.session.engine.signals.series()
        assert [s.mention.id for s in session.recent][-3:] == ["m:24997", "m:24998", "m:24999"]
        await until(lambda: session.log.mention_count() == 25_000, 20)
        holder.session.flush()
        session.flush()
        slug = holder.replica.slug
        for only in ("mentions", "events"):
            assert _export(tmp_path / "b", slug, only) == _export(tmp_path / "a", slug, only)
        await late.close()
    finally:
        await holder.close()


async def _forever(replica: object) -> None:
    await asyncio.Event().wait()


async def test_two_consoles_on_one_data_dir_the_second_is_refused(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """One data dir is one replica: a second console there is refused, naming the first."""
    first = await Console(redis_server, tmp_path / "same", FrozenClock(T0), "dana", "lead").start()
    try:
        with pytest.raises(IncidentLocked, match="open for writing by"):
            await Console(redis_server, tmp_path / "same", FrozenClock(T0), "lee", "social").start()
    finally:
        await first.close()


async def test_a_note_from_the_command_line_reaches_every_console(
    redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`warroom note` with WARROOM_TEAM_URL set goes through the team's stream."""
    team = await consoles(redis_server, tmp_path, 2)
    try:
        monkeypatch.setenv("WARROOM_TEAM_URL", redis_server.url)
        result = await asyncio.to_thread(
            CliRunner().invoke, main, ["note", "statement is live", "--team-name", "test"]
        )
        assert result.exit_code == 0, result.output
        for console in team:
            await until(lambda c=console: notes_of(c) == ["statement is live"])
    finally:
        for console in team:
            await console.close()


async def test_bad_stream_entries_are_skipped_counted_and_named(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """An entry of an unknown version, one that is not JSON and one far too large are skipped
    and counted in the status line; the note after them is applied."""
    team = await consoles(redis_server, tmp_path, 1)
    console = team[0]
    try:
        assert console.replica is not None and console.session is not None
        link = console.replica.link
        key = link.keys.events(console.replica.slug)
        await link.redis.xadd(key, {"v": "99", "type": "event", "body": "{}"})
        await link.redis.xadd(key, {"v": "1", "type": "event", "body": "{not json"})
        await link.redis.xadd(key, {"v": "1", "type": "event", "body": "x" * 1_100_000})
        await link.redis.xadd(
            key, {"v": "1", "type": "mentions", "body": '{"records": [{"mention": 1}], "by": "x"}'}
        )
        console.session.note("after the junk")
        await until(lambda: notes_of(console) == ["after the junk"])
        await until(lambda: console.replica is not None and console.replica.link.state.skipped == 4)
        assert "4 bad entries skipped" in console.replica.describe()
    finally:
        await console.close()


async def test_what_the_holder_took_in_reaches_the_team_even_if_its_lease_lapsed(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """The holder's loop stalls past its lease's safe window between two batches: the second
    batch is still sent (a resend is dropped as a duplicate; a gap would be lost for good)."""
    holder = Console(redis_server, tmp_path / "a", FrozenClock(T0), "dana", "lead", lease_ms=1200)
    await holder.start(_forever)
    try:
        assert holder.replica is not None and holder.session is not None
        await until(lambda: holder.replica is not None and holder.replica.is_holder)
        holder.session.take_scored(_scored_batch(0, 500))
        time.sleep(1.0)  # a stalled loop: no renewal, the lease is no longer known to be held
        assert not holder.replica.is_holder
        holder.session.take_scored(_scored_batch(500, 500))
        for _ in range(100):
            if len(await _streamed_ids(holder)) == 1000:
                break
            await asyncio.sleep(0.05)
        assert len(await _streamed_ids(holder)) == 1000
    finally:
        await holder.close()
