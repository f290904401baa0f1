"""Team mode's link to a real redis-server: the wire format, the lease, presence, cursors and
the durable outbox."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.redis_server import RedisServer
from warroom.clock import FrozenClock
from warroom.live.sources.base import SourceCursor
from warroom.live.team.cursors import TeamCursors
from warroom.live.team.lease import LEASE_MS, STOP_AFTER, IngestLease
from warroom.live.team.link import TeamConfigInvalid, TeamLink, team_settings
from warroom.live.team.outbox import Outbox
from warroom.live.team.presence import Member, announce, members
from warroom.live.team.wire import MAX_ENTRY_BYTES, TeamEvent, WireError, decode, mention_fields
from warroom.model import EventKind


def link_to(server: RedisServer, clock: FrozenClock, team: str = "acme") -> TeamLink:
    return TeamLink(team_settings(team, {"WARROOM_TEAM_URL": server.url}), clock=clock)


def note(n: int, console: str = "a") -> TeamEvent:
    return TeamEvent(
        f"{console}:{n}", EventKind.NOTE, "2026-03-14T09:00:00.000Z", "dana", {"text": f"n{n}"}
    )


def test_the_url_comes_from_the_environment_only() -> None:
    """No URL in the environment: a message that says which variable to set."""
    with pytest.raises(TeamConfigInvalid, match="WARROOM_TEAM_URL"):
        team_settings("acme", {})
    with pytest.raises(TeamConfigInvalid, match="redis://"):
        team_settings("acme", {"WARROOM_TEAM_URL": "http://x"})
    with pytest.raises(TeamConfigInvalid, match="team name"):
        team_settings("Acme Corp!", {"WARROOM_TEAM_URL": "redis://127.0.0.1"})


def test_the_password_is_never_shown() -> None:
    """The URL in messages has no credentials."""
    settings = team_settings("acme", {"WARROOM_TEAM_URL": "redis://warroom:s3cret@h:6379/0"})
    assert "s3cret" not in settings.shown_url and "h:6379" in settings.shown_url


def test_wire_round_trip_and_refusals() -> None:
    """An event comes back as sent; unknown versions, bad JSON and huge entries are refused."""
    fields = {k.encode(): v.encode() for k, v in note(1).fields().items()}
    assert decode(fields) == note(1)
    with pytest.raises(WireError, match="unknown version"):
        decode({**fields, b"v": b"9"})
    with pytest.raises(WireError, match="not JSON"):
        decode({**fields, b"body": b"{nope"})
    with pytest.raises(WireError, match="over"):
        decode({**fields, b"body": b" " * (MAX_ENTRY_BYTES + 1)})
    with pytest.raises(WireError, match="unknown kind"):
        decode(
            {
                **fields,
                b"body": json.dumps(
                    {"id": "x:1", "kind": "rm -rf", "at": "t", "data": {}}
                ).encode(),
            }
        )
    with pytest.raises(WireError, match="over"):
        mention_fields([{"mention": {"text": "x" * MAX_ENTRY_BYTES}}], "a")


async def test_events_go_in_and_come_out_in_stream_order(
    redis_server: RedisServer, clock: FrozenClock
) -> None:
    """Two consoles write; a reader gets every entry once, in the order Redis took them."""
    a, b = link_to(redis_server, clock), link_to(redis_server, clock)
    key = a.keys.events("drill")
    for n in range(5):
        await a.add(key, note(n, "a").fields())
        await b.add(key, note(n, "b").fields())
    read = await a.read({key: "0-0"}, block_ms=100)
    assert [decode(fields).id for _, _, fields in read] == [  # type: ignore[union-attr]
        f"{c}:{n}" for n in range(5) for c in "ab"
    ]
    await a.close()
    await b.close()


async def test_one_holder_at_a_time_and_takeover_after_release(
    redis_server: RedisServer, clock: FrozenClock
) -> None:
    """The first console takes the lease, the second cannot until it is released."""
    first = IngestLease(link_to(redis_server, clock), "a", "dana")
    second = IngestLease(link_to(redis_server, clock), "b", "lee")
    assert await first.try_acquire() and first.held
    assert not await second.try_acquire()
    assert await first.renew()
    assert (await second.holder()) == {"console": "a", "operator": "dana"}
    await first.release()
    assert not first.held
    assert await second.try_acquire() and second.held
    assert not await first.renew()  # it is not ours any more


async def test_a_holder_that_cannot_renew_stops_before_the_lease_lapses(
    redis_server: RedisServer, clock: FrozenClock
) -> None:
    """With Redis gone, renewals fail; `held` turns false STOP_AFTER seconds after the last
    renewal, which is before the lease can lapse in Redis (LEASE_MS)."""
    now = [1000.0]
    lease = IngestLease(link_to(redis_server, clock), "a", "dana", monotonic=lambda: now[0])
    assert await lease.try_acquire()
    redis_server.stop()
    now[0] += STOP_AFTER - 1
    assert await lease.renew()  # cannot tell yet: still within the safe window
    now[0] += 2
    assert not await lease.renew() and not lease.held
    assert STOP_AFTER < LEASE_MS / 1000


async def test_a_lease_expires_when_its_holder_dies(
    redis_server: RedisServer, clock: FrozenClock
) -> None:
    """The lease is set with an expiry: a holder that never renews loses it to the next."""
    link = link_to(redis_server, clock)
    await link.redis.set(link.keys.lease, "dead", px=200)
    other = IngestLease(link, "b", "lee")
    assert not await other.try_acquire()
    await asyncio.sleep(0.3)
    assert await other.try_acquire()


async def test_presence_lists_who_is_on_and_forgets_the_silent(
    redis_server: RedisServer, clock: FrozenClock
) -> None:
    """Announced consoles are listed with operator and role; one silent too long is not."""
    link = link_to(redis_server, clock)
    now = clock.now()
    await announce(link, Member("a", "dana", "lead", now, "0-0"))
    await announce(link, Member("b", "lee", "social", now - timedelta(minutes=5), "0-0"))
    found = await members(link, now)
    assert [(m.operator, m.role) for m in found] == [("dana", "lead")]


async def test_cursors_survive_a_change_of_holder(
    redis_server: RedisServer, clock: FrozenClock
) -> None:
    """What one holder saved, the next loads."""
    first = TeamCursors(link_to(redis_server, clock))
    first.save("mastodon", SourceCursor(cursor={"since_id": "42"}, seen=["m:1"]))
    await first.drain()
    second = TeamCursors(link_to(redis_server, clock))
    await second.fetch()
    loaded = second.load("mastodon")
    assert loaded.cursor == {"since_id": "42"} and loaded.seen == ["m:1"]


def test_the_outbox_keeps_events_across_a_restart(tmp_path: Path) -> None:
    """Added events are on disk at once; done ones go; a torn last line is ignored."""
    outbox = Outbox(tmp_path)
    for n in range(3):
        outbox.add(note(n))
    outbox.done({"a:1"})
    with open(outbox.path, "a", encoding="utf-8") as handle:
        handle.write('{"id": "a:9", "kind": "no')  # killed mid-write
    again = Outbox(tmp_path)
    assert [e.id for e in again.pending()] == ["a:0", "a:2"]
