"""Mastodon: normalizing statuses, paging, rate limits, failures, streaming and restarts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import T0
from tests.fakes.mastodon import FIXTURE, FakeMastodon, make_boost, make_status
from tests.source_harness import SourceHarness, serving
from warroom.clock import FrozenClock
from warroom.live.sources.base import SourceStatus, Topics
from warroom.live.sources.mastodon import MastodonSource, status_to_mention
from warroom.model import Mention

TOKEN = "s3cret-token-value"

Harness = SourceHarness[MastodonSource]


@pytest.fixture
async def fake() -> AsyncIterator[FakeMastodon]:
    """A fake Mastodon instance on 127.0.0.1 that accepts TOKEN."""
    async with serving(FakeMastodon(token=TOKEN)) as fake:
        yield fake


@pytest.fixture
def harness(fake: FakeMastodon, tmp_path: Path, clock: FrozenClock) -> Harness:
    """The Mastodon source against the fake; its sleeps let a little real time pass."""
    return SourceHarness(
        MastodonSource,
        "mastodon",
        tmp_path,
        clock,
        options={"base_url": fake.base_url, "tags": ["acme"], "interval": 5},
        topics=Topics(["acme", "#acme"], {"Globex": ["globex", "#globex"]}),
        env={"MASTODON_TOKEN": TOKEN},
        pause=0.001,
    )


def _ids(mentions: list[Mention]) -> list[str]:
    return [m.id.rsplit(":", 1)[1] for m in mentions]


def test_documented_status_becomes_canonical_mention() -> None:
    """The documented Status entity maps to every canonical field."""
    status = json.loads(FIXTURE.read_text(encoding="utf-8"))
    mention = status_to_mention(status, "mastodon.social")
    assert mention.id == "mastodon:mastodon.social:103270115826048975"
    assert mention.author == "Gargron@mastodon.social"
    assert mention.url == "https://mastodon.social/@Gargron/103270115826048975"
    assert mention.lang == "en"
    assert mention.reach == 322930
    assert mention.engagement == 5 + 6 + 11
    assert mention.text.startswith('"I lost my inheritance with one wrong digit')
    assert "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000" in mention.text


def test_html_heavy_post_becomes_plain_text_with_its_content_warning() -> None:
    """Entities, links, line breaks and the CW come out as plain text."""
    html = (
        '<p>Acme&#39;s update <a href="https://acme.test/?a=1&amp;b=2" class="mention">'
        '<span class="invisible">https://</span><span class="">acme.test/x</span></a>'
        "<br>bricked my phone &amp; my &lt;b&gt;day&lt;/b&gt;</p>"
        '<p><a href="https://m.example/tags/acme" class="hashtag">#<span>acme</span></a></p>'
    )
    mention = status_to_mention(make_status(7, html, spoiler_text="rant"), "m.example")
    assert mention.text == (
        "CW: rant — Acme's update https://acme.test/x\nbricked my phone & my <b>day</b>\n\n#acme"
    )


def test_boost_is_resolved_to_the_original_status() -> None:
    """A boost carries the original's id, author and counts, not the booster's."""
    original = make_status(5, acct="alice@other.example", followers=900)
    mention = status_to_mention(make_boost(99, original, acct="bob"), "m.example")
    assert mention.id == "mastodon:m.example:5"
    assert mention.author == "alice@other.example"
    assert mention.reach == 900


async def test_boost_of_a_seen_post_is_a_duplicate(fake: FakeMastodon, harness: Harness) -> None:
    """The original and its boost on the same timeline give one mention."""
    original = make_status(5)
    fake.add(original, make_boost(6, original))
    async with aiohttp.ClientSession() as session:
        mentions = await harness.source(session).fetch_once()
    assert [m.id for m in mentions] == [f"mastodon:{_host(fake)}:5"]


async def test_newer_statuses_are_paged_with_min_id(fake: FakeMastodon, harness: Harness) -> None:
    """After the first page, 95 new statuses arrive in pages of 40, each once, none missed."""
    fake.add(*(make_status(i) for i in range(1, 51)))
    async with aiohttp.ClientSession() as session:
        source = harness.source(session)
        first = await source.fetch_once()
        fake.add(*(make_status(i) for i in range(51, 146)))
        second = await source.fetch_once()
    assert sorted(int(m.id.rsplit(":", 1)[1]) for m in first) == list(range(11, 51))
    assert sorted(int(m.id.rsplit(":", 1)[1]) for m in second) == list(range(51, 146))
    paged = [r.query for r in fake.requests[1:]]
    assert [q["min_id"] for q in paged] == ["50", "90", "130"]  # the short page ends it
    assert all(q["limit"] == "40" for q in paged)


async def test_ids_compare_as_numbers_not_text(fake: FakeMastodon, harness: Harness) -> None:
    """The cursor after '9' and '10' is '10' (text order would say '9')."""
    fake.add(make_status(9), make_status(10))
    async with aiohttp.ClientSession() as session:
        source = harness.source(session)
        await source.fetch_once()
    assert source.cursor["tags"]["acme"] == "10"


async def test_retry_after_seconds_is_honoured(fake: FakeMastodon, harness: Harness) -> None:
    """A 429 with Retry-After: 1 waits 1 s, says so, then fetches."""
    fake.add(make_status(1))
    fake.fail_next(429, Retry_After="1")
    async with aiohttp.ClientSession() as session:
        await harness.run_until(harness.source(session), lambda: len(harness.emitted) == 1)
    assert harness.delays[0] == 1.0
    backing = [s for s in harness.states if s.status is SourceStatus.BACKING_OFF]
    assert "HTTP 429" in backing[0].detail and "/api/v1/timelines/tag/acme" in backing[0].detail


async def test_retry_after_http_date_is_honoured(fake: FakeMastodon, harness: Harness) -> None:
    """A Retry-After given as an HTTP date waits until that moment of the clock."""
    fake.add(make_status(1))
    fake.fail_next(429, Retry_After=format_datetime(T0 + timedelta(seconds=120), usegmt=True))
    async with aiohttp.ClientSession() as session:
        await harness.run_until(harness.source(session), lambda: len(harness.emitted) == 1)
    assert harness.delays[0] == 120.0


async def test_exhausted_rate_limit_waits_for_reset(fake: FakeMastodon, harness: Harness) -> None:
    """X-RateLimit-Remaining: 0 makes the next poll wait for X-RateLimit-Reset, unasked."""
    fake.rate_remaining = 1
    fake.add(make_status(1))
    async with aiohttp.ClientSession() as session:
        source = harness.source(session)
        await source.fetch_once()
        with pytest.raises(Exception, match="retry after 300s"):
            await source.fetch_once()
    assert len(fake.requests) == 1


async def test_server_error_backs_off_then_recovers(fake: FakeMastodon, harness: Harness) -> None:
    """A 500 is reported with its URL, retried after a short backoff, and the source recovers."""
    fake.add(make_status(1))
    fake.fail_next(500)
    async with aiohttp.ClientSession() as session:
        await harness.run_until(
            harness.source(session),
            lambda: bool(harness.emitted) and harness.states[-1].status is SourceStatus.CONNECTED,
        )
    assert 0 < harness.delays[0] <= 0.05
    assert any("HTTP 500 from http://127.0.0.1" in s.detail for s in harness.states)
    assert _ids(harness.emitted) == ["1"]


async def test_malformed_status_is_skipped_and_reported(
    fake: FakeMastodon, harness: Harness
) -> None:
    """A status with a bad date among good ones is skipped and named; the others are kept."""
    bad = make_status(2, created_at="last tuesday")
    no_account = make_status(3)
    del no_account["account"]
    fake.add(make_status(1), bad, no_account, make_status(4))
    async with aiohttp.ClientSession() as session:
        source = harness.source(session)
        mentions = await source.fetch_once()
    assert sorted(m.id.rsplit(":", 1)[1] for m in mentions) == ["1", "4"]
    assert any("status 2" in p and "created_at" in p for p in source.problems)
    assert any("status 3" in p and "account" in p for p in source.problems)
    assert source.cursor["tags"]["acme"] == "4"


async def test_closed_public_timeline_asks_for_a_token(
    fake: FakeMastodon, harness: Harness
) -> None:
    """A server that answers 401 to anonymous timelines says to set token_env."""
    fake.fail_next(401)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(Exception, match=r"HTTP 401 \(this server wants an access token"):
            await harness.source(session).fetch_once()


async def test_restart_resumes_without_duplicate_or_gap(
    fake: FakeMastodon, harness: Harness
) -> None:
    """Fetch, stop, post more, fetch with a new source: only the new statuses, all of them."""
    fake.add(*(make_status(i) for i in range(1, 6)))
    async with aiohttp.ClientSession() as session:
        before = await harness.source(session).fetch_once()
    fake.add(*(make_status(i) for i in range(6, 9)))
    async with aiohttp.ClientSession() as session:
        after = await harness.source(session).fetch_once()
    assert [m.id.rsplit(":", 1)[1] for m in sorted(before, key=lambda m: m.id)] == list("12345")
    assert sorted(m.id.rsplit(":", 1)[1] for m in after) == ["6", "7", "8"]


async def test_competitor_hashtag_sets_the_topic(fake: FakeMastodon, harness: Harness) -> None:
    """A status found on a competitor's tag timeline is about that competitor."""
    fake.add(make_status(1, "<p>Meh #globex</p>", tags=("globex",)))
    async with aiohttp.ClientSession() as session:
        mentions = await harness.source(session, tags=["globex"]).fetch_once()
    assert [m.topic for m in mentions] == ["competitor:Globex"]


async def test_search_uses_the_token(fake: FakeMastodon, harness: Harness) -> None:
    """With token_env, status search is asked with a Bearer token and its hits are emitted."""
    fake.add(make_status(1, "<p>acme support is slow</p>", tags=()))
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, token_env="MASTODON_TOKEN", stream=False)
        mentions = await source.fetch_once()
    search = [r for r in fake.requests if r.path == "/api/v2/search"]
    assert search and search[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert search[0].query["type"] == "statuses"
    assert [m.id.rsplit(":", 1)[1] for m in mentions] == ["1"]


async def test_missing_token_names_the_variable(fake: FakeMastodon, harness: Harness) -> None:
    """An unset token variable is named in the error; its value never appears."""
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, token_env="OTHER_TOKEN", stream=False)
        with pytest.raises(Exception, match="OTHER_TOKEN is not set"):
            await source.fetch_once()


async def test_refused_token_is_named_by_its_variable(fake: FakeMastodon, harness: Harness) -> None:
    """A token the server refuses is reported by variable name, never by value."""
    harness_env = {"MASTODON_TOKEN": "wrong-value"}
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, token_env="MASTODON_TOKEN", stream=False, tags=[])
        source.env = harness_env
        with pytest.raises(Exception, match="the token in MASTODON_TOKEN was refused") as caught:
            await source.fetch_once()
    assert "wrong-value" not in str(caught.value)
    assert [r.path for r in fake.requests] == ["/api/v2/search"]  # tags: [] is search only


async def test_stream_delivers_and_reconnects_filling_the_gap(
    fake: FakeMastodon, harness: Harness
) -> None:
    """Updates stream in; after a drop the gap is polled with min_id; nothing doubles."""
    fake.add(make_status(1))
    fake.start_stream()
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, token_env="MASTODON_TOKEN", search=False)
        stop = asyncio.Event()
        task = asyncio.create_task(source.run(harness.emit, stop))
        await harness.until(lambda: fake.stream_connections == 1 and _ids(harness.emitted) == ["1"])
        fake.heartbeat()
        fake.add(make_status(2))
        fake.push("update", make_status(2))
        fake.push("delete", "1")
        await harness.until(lambda: _ids(harness.emitted) == ["1", "2"])
        fake.add(make_status(3))  # posted while the connection is about to drop
        fake.drop_stream()
        await harness.until(lambda: fake.stream_connections == 2 and len(harness.emitted) == 3)
        fake.push("status.update", make_status(2, "<p>edited #acme</p>"))
        fake.push("update", make_status(4))
        await harness.until(lambda: len(harness.emitted) == 4)
        stop.set()
        await asyncio.wait_for(task, 5)
    assert _ids(harness.emitted) == ["1", "2", "3", "4"]
    gap_poll = [r for r in fake.requests if r.query.get("min_id") == "2"]
    assert gap_poll, "the gap after the drop was not polled from the last streamed id"
    assert any(s.detail == "streaming #acme" for s in harness.states)
    assert harness.states[-1].status is SourceStatus.STOPPED


def _host(fake: FakeMastodon) -> str:
    return fake.base_url.split("://", 1)[1]
