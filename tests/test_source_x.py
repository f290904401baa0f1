"""X recent search: authors joined, since_id polling, paging, rate limits, failures, restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.x import SAMPLE, TOKEN, FakeX, make_tweet
from tests.source_harness import SourceHarness, refused_errors, serving
from warroom.clock import FrozenClock
from warroom.live.sources.base import SourceStatus
from warroom.live.sources.x import XSource, tweet_mention

WHEN = "2026-03-14T08:59:00.000Z"

Harness = SourceHarness[XSource]


@pytest.fixture
async def fake() -> AsyncIterator[FakeX]:
    """A fake X API on 127.0.0.1."""
    async with serving(FakeX()) as fake:
        yield fake


@pytest.fixture
def harness(fake: FakeX, tmp_path: Path, clock: FrozenClock) -> Harness:
    """The X source against the fake, with a bearer token in its environment."""
    options = {"base_url": fake.base_url, "token_env": "X_TOKEN"}
    return SourceHarness(XSource, "x", tmp_path, clock, options=options, env={"X_TOKEN": TOKEN})


def test_documented_example_joins_author() -> None:
    """The documented answer: author from includes.users, engagement from public_metrics."""
    users = {u["id"]: u for u in SAMPLE["includes"]["users"]}
    mention = tweet_mention(SAMPLE["data"][0], users)
    assert mention.id == "x:1234567890123456789"
    assert mention.author == "pythondev"
    assert mention.url == "https://x.com/pythondev/status/1234567890123456789"
    assert mention.engagement == 50
    assert mention.text == "Just started learning Python and loving it!"


def test_escaped_text_is_unescaped_once() -> None:
    """X's &amp;/&lt; escapes become the characters the author typed, nothing more."""
    tweet = make_tweet(5, "acme &amp; co &lt;3 &amp;amp; <b>", WHEN)
    assert tweet_mention(tweet, {}).text == "acme & co <3 &amp; <b>"


async def test_first_poll_pages_once_then_since_id(fake: FakeX, harness: Harness) -> None:
    """The first poll reads one page; the next asks for tweets newer than meta.newest_id."""
    fake.tweets = [make_tweet(100 + i, f"acme {i}", WHEN) for i in range(15)]
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, max_results=10, query="acme")
        first = await source.fetch_once()
        fake.tweets += [make_tweet(200 + i, f"acme new {i}", WHEN) for i in range(25)]
        second = await source.fetch_once()
    assert len(first) == 10 and first[0].reach == 1500
    assert sorted(int(m.id[2:]) for m in second) == list(range(200, 225))
    assert [r.get("since_id") for r in fake.requests] == [None, "114", "114", "114"]
    assert [r.get("next_token") for r in fake.requests] == [None, None, "10", "20"]
    assert fake.requests[0]["expansions"] == "author_id"
    assert fake.requests[0]["query"] == "acme -is:retweet"


async def test_topics_become_or_queries(fake: FakeX, harness: Harness) -> None:
    """Without a query option, each topic is one OR query and its results carry its topic."""
    fake.tweets = [make_tweet(1, "globex is down", WHEN), make_tweet(2, "acme is up", WHEN)]
    async with aiohttp.ClientSession() as session:
        mentions = await harness.source(session).fetch_once()
    assert {m.id: m.topic for m in mentions} == {"x:2": "brand", "x:1": "competitor:globex"}
    assert [r["query"] for r in fake.requests] == ["(acme) -is:retweet", "(globex) -is:retweet"]


async def test_malformed_tweet_is_skipped(fake: FakeX, harness: Harness) -> None:
    """A tweet without created_at is skipped and named; the others are kept."""
    bad = make_tweet(7, "acme bad", WHEN)
    del bad["created_at"]
    fake.tweets = [make_tweet(5, "acme one", WHEN), bad, make_tweet(9, "acme two", WHEN)]
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, query="acme")
        mentions = await source.fetch_once()
    assert sorted(m.id for m in mentions) == ["x:5", "x:9"]
    assert any("tweet 7" in p for p in source.problems)


async def test_429_waits_until_rate_limit_reset(
    fake: FakeX, harness: Harness, clock: FrozenClock
) -> None:
    """A 429 without Retry-After waits until x-rate-limit-reset, then fetches."""
    fake.tweets = [make_tweet(5, "acme one", WHEN)]
    fake.reset_epoch = int(clock.now().timestamp()) + 300
    fake.fail(429)
    async with aiohttp.ClientSession() as session:
        await harness.run_until(
            harness.source(session, query="acme"), lambda: bool(harness.emitted)
        )
    assert harness.delays[0] == 300.0
    assert "429" in harness.states[1].detail
    assert [m.id for m in harness.emitted] == ["x:5"]


async def test_server_error_then_recovery(fake: FakeX, harness: Harness) -> None:
    """A 503 without Retry-After backs off briefly, then the source recovers."""
    fake.tweets = [make_tweet(5, "acme one", WHEN)]
    fake.fail(503)
    async with aiohttp.ClientSession() as session:
        await harness.run_until(
            harness.source(session, query="acme"), lambda: bool(harness.emitted)
        )
    assert harness.delays[0] <= 0.05
    assert harness.states[1].status == SourceStatus.BACKING_OFF
    assert [m.id for m in harness.emitted] == ["x:5"]


async def test_failed_query_does_not_lose_the_others(fake: FakeX, harness: Harness) -> None:
    """When the second topic's search fails, the first topic's tweets come on the retry."""
    fake.tweets = [make_tweet(5, "acme one", WHEN), make_tweet(6, "globex two", WHEN)]
    fake.fail_on[2] = 503
    async with aiohttp.ClientSession() as session:
        await harness.run_until(harness.source(session), lambda: len(harness.emitted) >= 2)
    assert sorted(m.id for m in harness.emitted) == ["x:5", "x:6"]
    assert harness.states[1].status == SourceStatus.BACKING_OFF


async def test_bad_token_is_reported(fake: FakeX, harness: Harness) -> None:
    """A refused token says what to check, without showing the token."""
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, query="acme")
        source.env = {"X_TOKEN": "wrong-token"}
        await harness.run_until(source, lambda: len(harness.states) >= 3)
    assert "HTTP 401: check the bearer token" in harness.states[1].detail
    assert "wrong-token" not in harness.states[1].describe()


async def test_restart_resumes_without_duplicate_or_gap(fake: FakeX, harness: Harness) -> None:
    """Fetch, stop, fetch with a new source: exactly the tweets posted in between."""
    fake.tweets = [make_tweet(5, "acme one", WHEN), make_tweet(6, "acme two", WHEN)]
    async with aiohttp.ClientSession() as session:
        first = await harness.source(session, query="acme").fetch_once()
    fake.tweets += [make_tweet(7, "acme three", WHEN), make_tweet(8, "acme four", WHEN)]
    async with aiohttp.ClientSession() as session:
        second = await harness.source(session, query="acme").fetch_once()
    assert sorted(m.id for m in first) == ["x:5", "x:6"]
    assert sorted(m.id for m in second) == ["x:7", "x:8"]


def test_bad_option_is_reported_with_its_position() -> None:
    """A wrong option is named with file, line and column."""
    errors = refused_errors(
        """\
  - name: x
    kind: x
    token_env: X_BEARER_TOKEN
    max_results: 5
""",
    )
    assert any("max_results" in e and e.startswith("warroom.yaml:") for e in errors)
