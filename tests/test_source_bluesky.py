"""Bluesky: Jetstream events, reconnects with the cursor, searchPosts with an app password."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import T0
from tests.fakes.bluesky import (
    IDENTIFIER,
    PASSWORD,
    SAMPLE_EVENTS,
    FakeBluesky,
    make_event,
    make_post,
)
from tests.source_harness import SourceHarness, refused_errors, serving
from warroom.clock import FrozenClock
from warroom.live.sources.base import SourceStatus
from warroom.live.sources.bluesky import BlueskySource, MalformedPost, jetstream_mention
from warroom.model import Mention

T0_US = int(T0.timestamp() * 1_000_000)
SECOND = 1_000_000
ENV = {"BSKY_ID": IDENTIFIER, "BSKY_PASS": PASSWORD}


@pytest.fixture
async def fake() -> AsyncIterator[FakeBluesky]:
    """A fake Jetstream and AppView on 127.0.0.1."""
    async with serving(FakeBluesky()) as fake:
        yield fake


class Harness(SourceHarness[BlueskySource]):
    """The harness with Jetstream options, or AppView search ones when mode is search."""

    def __init__(self, fake: FakeBluesky, tmp_path: Path, clock: FrozenClock) -> None:
        super().__init__(
            BlueskySource, "bsky", tmp_path, clock, options={"idle_seconds": 0.3}, env=ENV
        )
        self.fake = fake

    def source(self, session: aiohttp.ClientSession, **options: Any) -> BlueskySource:
        http = self.fake.base_url
        if options.get("mode") == "search":
            opts = {"base_url": http, "identifier_env": "BSKY_ID", "password_env": "BSKY_PASS"}
        else:
            opts = {"base_url": "ws" + http.removeprefix("http"), "batch_seconds": 0.05}
        return super().source(session, **{**opts, **options})


@pytest.fixture
def harness(fake: FakeBluesky, tmp_path: Path, clock: FrozenClock) -> Harness:
    """The Bluesky source against the fake, in either mode."""
    return Harness(fake, tmp_path, clock)


@pytest.fixture
def stream_harness(fake: FakeBluesky, tmp_path: Path) -> Harness:
    """The harness with a clock just after the real Jetstream samples were posted (2026-07-04),
    so their times are in the past, as they are for a console that receives them live."""
    return Harness(fake, tmp_path, FrozenClock(datetime(2026, 7, 4, 15, 0, tzinfo=UTC)))


def _ids(mentions: list[Mention]) -> list[str]:
    return [m.id.rsplit("/", 1)[-1] for m in mentions]


def test_sample_events_become_mentions() -> None:
    """The real Jetstream samples give at:// ids, bsky.app links, langs[0] and createdAt."""
    first, _, third = (jetstream_mention(e) for e in SAMPLE_EVENTS)
    assert first is not None and third is not None
    assert first.id == "bsky:at://did:plc:dclwtltrt2ggsryagfzk7dp4/app.bsky.feed.post/3mptbyoeyc22k"
    assert (
        first.url == "https://bsky.app/profile/did:plc:dclwtltrt2ggsryagfzk7dp4/post/3mptbyoeyc22k"
    )
    assert first.created_at.isoformat() == "2026-07-04T14:38:06.240000+00:00"
    assert (first.lang, third.lang) == ("en", "de")
    assert third.text.startswith("#HowToTellAiToShutUp!")


def test_other_event_kinds_are_ignored_and_broken_creates_raise() -> None:
    """Identity, account and delete events give nothing; a create without record is malformed."""
    assert jetstream_mention({"did": "did:plc:a", "time_us": 1, "kind": "identity"}) is None
    assert jetstream_mention({"kind": "account", "account": {"active": False}}) is None
    delete = {"did": "did:plc:a", "kind": "commit", "commit": {"operation": "delete",
              "collection": "app.bsky.feed.post", "rkey": "x"}}  # fmt: skip
    assert jetstream_mention(delete) is None
    broken = make_event(T0_US, "acme", "r1")
    del broken["commit"]["record"]
    with pytest.raises(MalformedPost, match="record is not an object"):
        jetstream_mention(broken)


def test_missing_created_at_falls_back_to_time_us() -> None:
    """A record without createdAt is dated by the event's time_us."""
    event = make_event(T0_US, "acme", "r1")
    del event["commit"]["record"]["createdAt"]
    mention = jetstream_mention(event)
    assert mention is not None and mention.created_at == T0


async def test_stream_keeps_matching_posts_and_tolerates_the_rest(
    fake: FakeBluesky, stream_harness: Harness
) -> None:
    """Only posts naming a topic are kept; other kinds, unknown keys and junk are survived."""
    broken = make_event(T0_US + 5, "acme broken", "bad")
    del broken["commit"]["record"]["text"]
    fake.events = [
        {"did": "did:plc:a", "time_us": T0_US + 1, "kind": "identity", "identity": {}},
        {"did": "did:plc:a", "time_us": T0_US + 2, "kind": "account", "account": {}},
        make_event(T0_US + 3, "nothing to see", "r0"),
        make_event(T0_US + 4, "Acme's support is <b>great</b> &amp; [bold]fast[/]", "r1"),
        "not json at all",
        broken,
        {**make_event(T0_US + 6, "globex again", "r2"), "brand_new_key": {"x": 1}},
        {"did": "did:plc:a", "time_us": T0_US + 7, "kind": "commit",
         "commit": {"operation": "delete", "collection": "app.bsky.feed.post", "rkey": "r1"}},
    ]  # fmt: skip
    async with aiohttp.ClientSession() as session:
        source = stream_harness.source(session)
        await stream_harness.run_until(source, lambda: source.cursor.get("time_us") == T0_US + 7)
    assert [(m.topic, m.text) for m in stream_harness.emitted] == [
        ("brand", "Acme's support is <b>great</b> &amp; [bold]fast[/]"),
        ("competitor:globex", "globex again"),
    ]
    assert any("not JSON" in p for p in source.problems)
    assert any("record.text" in p for p in source.problems)
    assert fake.connections[0] == {"wantedCollections": "app.bsky.feed.post"}


async def test_dropped_stream_reconnects_from_cursor(
    fake: FakeBluesky, stream_harness: Harness
) -> None:
    """After a drop the source backs off, resumes a few seconds before its cursor, no duplicates."""
    fake.events = [make_event(T0_US + i * SECOND, f"acme {i}", f"r{i}") for i in range(6)]
    fake.drops = [3]
    async with aiohttp.ClientSession() as session:
        source = stream_harness.source(session, rewind=1)
        await stream_harness.run_until(source, lambda: len(stream_harness.emitted) >= 6)
    assert _ids(stream_harness.emitted) == [f"r{i}" for i in range(6)]
    assert fake.connections[1]["cursor"] == str(T0_US + 2 * SECOND - SECOND)
    backing = [s for s in stream_harness.states if s.status == SourceStatus.BACKING_OFF]
    assert backing and "connection closed" in backing[0].detail
    assert stream_harness.delays[0] <= 0.05


async def test_restart_resumes_without_duplicate_or_gap(
    fake: FakeBluesky, stream_harness: Harness
) -> None:
    """Run, stop, run a new source: it asks for the saved cursor and emits only the rest."""
    fake.events = [make_event(T0_US + i * SECOND, f"acme {i}", f"r{i}") for i in range(3)]
    async with aiohttp.ClientSession() as session:
        await stream_harness.run_until(
            stream_harness.source(session), lambda: len(stream_harness.emitted) >= 3
        )
    fake.events += [make_event(T0_US + i * SECOND, f"acme {i}", f"r{i}") for i in range(3, 5)]
    async with aiohttp.ClientSession() as session:
        await stream_harness.run_until(
            stream_harness.source(session), lambda: len(stream_harness.emitted) >= 5
        )
    assert _ids(stream_harness.emitted) == ["r0", "r1", "r2", "r3", "r4"]
    assert fake.connections[1]["cursor"] == str(T0_US + 2 * SECOND - 5 * SECOND)


async def test_fetch_once_catches_up_and_stops(fake: FakeBluesky, stream_harness: Harness) -> None:
    """fetch_once reads the backlog until the stream goes quiet, then saves the cursor."""
    fake.events = [make_event(T0_US - 10 * SECOND + i, f"acme {i}", f"r{i}") for i in range(4)]
    async with aiohttp.ClientSession() as session:
        # An https:// (here http://) Jetstream address works as well as wss://.
        source = stream_harness.source(session, base_url=fake.base_url)
        mentions = await source.fetch_once()
    assert _ids(mentions) == ["r0", "r1", "r2", "r3"]
    saved = json.loads((stream_harness.cursors.directory / "bsky.json").read_text())
    assert saved["cursor"]["time_us"] == T0_US - 10 * SECOND + 3


async def test_search_logs_in_and_pages(fake: FakeBluesky, harness: Harness) -> None:
    """searchPosts with a session token, paged by cursor, limit ≤ 100, each post once."""
    fake.posts = [
        make_post("did:plc:bob", f"p{i}", f"acme post {i}", f"2026-03-14T08:{10 + i:02d}:00.000Z")
        for i in range(45)
    ]
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, mode="search", limit=20, max_pages=5)
        mentions = await source.fetch_once()
    assert len({m.id for m in mentions}) == 45
    assert [r.get("cursor") for r in fake.requests if r["q"] == "acme"] == [None, "20", "40"]
    assert fake.sessions == 1 and mentions[0].author == "bob.bsky.social"
    assert mentions[0].engagement == 6


async def test_search_relogs_in_when_token_expires(fake: FakeBluesky, harness: Harness) -> None:
    """An ExpiredToken answer gets one new session and the search goes on."""
    fake.posts = [make_post("did:plc:bob", "p1", "acme", "2026-03-14T08:30:00.000Z")]
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, mode="search")
        await source.fetch_once()
        fake.expire_tokens()
        fake.posts.append(make_post("did:plc:bob", "p2", "acme", "2026-03-14T08:40:00.000Z"))
        mentions = await source.fetch_once()
    assert _ids(mentions) == ["p2"] and fake.sessions == 2


async def test_search_skips_malformed_post(fake: FakeBluesky, harness: Harness) -> None:
    """A post view with a broken uri is skipped and named; the others are kept."""
    fake.posts = [
        make_post("did:plc:bob", "p1", "acme one", "2026-03-14T08:30:00.000Z"),
        make_post("did:plc:bob", "p2", "acme two", "2026-03-14T08:31:00.000Z", uri="at://oops"),
        make_post("did:plc:bob", "p3", "acme three", "2026-03-14T08:32:00.000Z"),
    ]
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, mode="search")
        mentions = await source.fetch_once()
    assert sorted(_ids(mentions)) == ["p1", "p3"]
    assert any("at://oops" in p for p in source.problems)


async def test_search_429_then_500_then_recovery(fake: FakeBluesky, harness: Harness) -> None:
    """A 429 waits its Retry-After, a 500 backs off briefly, then posts arrive."""
    fake.posts = [make_post("did:plc:bob", "p1", "acme", "2026-03-14T08:30:00.000Z")]
    fake.fail(429, {"Retry-After": "30"})
    fake.fail(500)
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, mode="search")
        await harness.run_until(source, lambda: bool(harness.emitted))
    assert harness.delays[0] == 30.0 and harness.delays[1] <= 0.05
    assert _ids(harness.emitted) == ["p1"]


async def test_search_waits_when_rate_limit_is_spent(
    fake: FakeBluesky, harness: Harness, clock: FrozenClock
) -> None:
    """RateLimit-Remaining: 0 makes the source wait until RateLimit-Reset, not hammer."""
    fake.remaining = 1
    fake.reset_epoch = int(clock.now().timestamp()) + 240
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, mode="search")
        await harness.run_until(source, lambda: len(harness.states) >= 4)
    # The second term's search is not even sent: the spent limit stops the poll first.
    assert harness.delays[:2] == [240.0, 240.0]
    assert "RateLimit-Remaining: 0" in harness.states[1].detail
    assert len(fake.requests) == 1


async def test_search_refused_login_is_reported(fake: FakeBluesky, harness: Harness) -> None:
    """A wrong app password says what to check and never shows the password."""
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, mode="search")
        source.env = {**ENV, "BSKY_PASS": "wrong-pass"}
        await harness.run_until(source, lambda: len(harness.states) >= 3)
    assert "login refused, check handle and app password" in harness.states[1].detail
    assert "wrong-pass" not in harness.states[1].describe()


async def test_search_without_credentials_says_which_variable(
    fake: FakeBluesky, harness: Harness
) -> None:
    """A missing app password variable is named in the state; the loop keeps going."""
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, mode="search", password_env="BSKY_NOPE")
        await harness.run_until(source, lambda: len(harness.states) >= 3)
    assert "BSKY_NOPE is not set" in harness.states[1].detail


async def test_search_restart_resumes_without_duplicate_or_gap(
    fake: FakeBluesky, harness: Harness, clock: FrozenClock
) -> None:
    """Fetch, stop, fetch with a new source: new posts and a late-indexed one, no repeats."""
    fake.posts = [make_post("did:plc:bob", "p1", "acme", "2026-03-14T08:30:00.000Z")]
    async with aiohttp.ClientSession() as session:
        first = await harness.source(session, mode="search").fetch_once()
    clock.advance(600)
    fake.posts += [
        make_post("did:plc:bob", "p2", "acme late", "2026-03-14T08:29:30.000Z"),
        make_post("did:plc:bob", "p3", "acme new", "2026-03-14T09:05:00.000Z"),
    ]
    async with aiohttp.ClientSession() as session:
        second = await harness.source(session, mode="search").fetch_once()
    assert _ids(first) == ["p1"]
    assert sorted(_ids(second)) == ["p2", "p3"]


def test_bad_option_is_reported_with_its_position() -> None:
    """A wrong option is named with file, line and column."""
    errors = refused_errors(
        """\
  - name: bluesky
    kind: bluesky
    mode: search
""",
    )
    assert any("identifier_env" in e and e.startswith("warroom.yaml:") for e in errors)
