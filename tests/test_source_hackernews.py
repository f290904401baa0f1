"""Hacker News through Algolia: normalising hits, time windows, failures and restarts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import T0
from tests.fakes.hackernews import FIXTURE, FakeHackerNews, make_comment, make_story
from tests.source_harness import SourceHarness, refused_errors, serving
from warroom.clock import FrozenClock
from warroom.live.sources.base import SourceStatus
from warroom.live.sources.hackernews import HackerNewsSource, hit_mention

NOW = int(T0.timestamp())

Harness = SourceHarness[HackerNewsSource]


@pytest.fixture
async def fake() -> AsyncIterator[FakeHackerNews]:
    """A fake Algolia HN API on 127.0.0.1."""
    async with serving(FakeHackerNews()) as fake:
        yield fake


@pytest.fixture
def harness(fake: FakeHackerNews, tmp_path: Path, clock: FrozenClock) -> Harness:
    """The Hacker News source against the fake, polling every 5 s."""
    options = {"base_url": fake.base_url, "interval": 5}
    return SourceHarness(HackerNewsSource, "hn", tmp_path, clock, options=options)


def test_legacy_comment_hit_becomes_plain_text_mention() -> None:
    """The real old-layout comment (nulls everywhere) becomes a mention with decoded text."""
    hit = json.loads(FIXTURE.read_text(encoding="utf-8"))["hits"][0]
    mention = hit_mention(hit)
    assert mention.id == "hn:7919418"
    assert mention.url == "https://news.ycombinator.com/item?id=7919418"
    assert mention.author == "fleitz"
    assert mention.engagement == 1
    assert mention.created_at.isoformat() == "2014-06-20T03:32:34+00:00"
    assert "aren't contributing to the scholarship" in mention.text
    assert "<" not in mention.text and "&#x27;" not in mention.text


def test_story_hit_joins_title_and_story_text() -> None:
    """A story is its plain title then its HTML story text; engagement is points + comments."""
    hit = make_story(1, NOW, "Acme & the <img> tag", story_text="<p>Ask HN: is <i>Acme</i> ok?</p>")
    mention = hit_mention(hit)
    assert mention.text == "Acme & the <img> tag\n\nAsk HN: is Acme ok?"
    assert mention.engagement == 15


async def test_html_heavy_comment_is_stripped(fake: FakeHackerNews, harness: Harness) -> None:
    """Paragraphs, links, code and entities in a comment come out as plain text."""
    html = (
        '<p>Acme&#x27;s <a href="https://acme.test/a?b=1&amp;c=2" rel="nofollow">status page</a>'
        "</p><p><pre><code>  if x &lt; 3 &amp;&amp; y:\n    crash()</code></pre></p>"
        "<p>&lt;b&gt;lol&lt;/b&gt;"
    )
    fake.hits = [make_comment(10, NOW - 60, html, story_title="Acme outage")]
    async with aiohttp.ClientSession() as session:
        mentions = await harness.source(session).fetch_once()
    assert len(mentions) == 1
    text = mentions[0].text
    assert "Acme's status page" in text and "if x < 3 && y:" in text and "<b>lol</b>" in text
    assert "<p>" not in text and "href" not in text


async def test_more_hits_than_a_page_are_walked_in_windows(
    fake: FakeHackerNews, harness: Harness
) -> None:
    """250 hits with 100 a page all arrive once, by narrower windows rather than deep pages."""
    fake.hits = [make_story(i, NOW - 3000 + i * 10, f"acme news {i}") for i in range(250)]
    async with aiohttp.ClientSession() as session:
        mentions = await harness.source(session, hits_per_page=100, max_requests=20).fetch_once()
    assert sorted(m.id for m in mentions) == sorted(f"hn:{i}" for i in range(250))
    assert all("page" not in r for r in fake.requests)
    assert any("created_at_i<=" in r["numericFilters"] for r in fake.requests)


async def test_query_topic_is_the_default_and_text_can_override(
    fake: FakeHackerNews, harness: Harness
) -> None:
    """A hit found for a competitor's term is that competitor's unless its text names the brand."""
    fake.hits = [
        make_story(1, NOW - 60, "Globex layoffs"),
        make_story(2, NOW - 50, "Globex vs acme"),
        make_story(3, NOW - 40, "GLOBEXCORP merger", story_text="globex"),
    ]
    async with aiohttp.ClientSession() as session:
        mentions = await harness.source(session).fetch_once()
    topics = {m.id: m.topic for m in mentions}
    assert topics == {"hn:1": "competitor:globex", "hn:2": "brand", "hn:3": "competitor:globex"}


async def test_malformed_hit_is_skipped_and_reported(
    fake: FakeHackerNews, harness: Harness
) -> None:
    """A hit without objectID is skipped and named; the good hits around it are kept."""
    bad = make_story(99, NOW - 30, "acme broken")
    del bad["objectID"]
    fake.hits = [make_story(1, NOW - 60, "acme one"), bad, make_story(2, NOW - 10, "acme two")]
    async with aiohttp.ClientSession() as session:
        source = harness.source(session)
        mentions = await source.fetch_once()
    assert sorted(m.id for m in mentions) == ["hn:1", "hn:2"]
    assert any("objectID" in p for p in source.problems)


async def test_429_retry_after_is_honoured(fake: FakeHackerNews, harness: Harness) -> None:
    """A 429 with Retry-After waits that long, says so, then fetches."""
    fake.hits = [make_story(1, NOW - 60, "acme one")]
    fake.fail(429, {"Retry-After": "7"})
    async with aiohttp.ClientSession() as session:
        await harness.run_until(harness.source(session), lambda: bool(harness.emitted))
    assert harness.delays[0] == 7.0
    backing = [s for s in harness.states if s.status == SourceStatus.BACKING_OFF]
    assert backing and "429" in backing[0].describe()
    assert [m.id for m in harness.emitted] == ["hn:1"]


async def test_server_error_backs_off_then_recovers(fake: FakeHackerNews, harness: Harness) -> None:
    """A 500 then a bad body: backoff (capped), then the source recovers by itself."""
    fake.hits = [make_story(1, NOW - 60, "acme one")]
    fake.fail(500)
    fake.fail(200, {"Content-Type": "application/json"}, "{not json")
    async with aiohttp.ClientSession() as session:
        source = harness.source(session)
        await harness.run_until(source, lambda: bool(harness.emitted))
    assert all(d <= 0.05 for d in harness.delays[:2])
    details = [s.detail for s in harness.states if s.status == SourceStatus.BACKING_OFF]
    assert "HTTP 500" in details[0] and "not JSON" in details[1]
    assert [m.id for m in harness.emitted] == ["hn:1"]
    assert harness.states[-1].status == SourceStatus.STOPPED


async def test_failed_query_does_not_move_the_others_cursor(
    fake: FakeHackerNews, harness: Harness
) -> None:
    """A 500 on the second term's search leaves the first term's cursor: nothing is skipped."""
    fake.hits = [make_story(1, NOW - 3000, "acme one"), make_story(2, NOW - 2000, "globex two")]
    fake.fail_on[2] = 500
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, overlap=0)
        await harness.run_until(source, lambda: len(harness.emitted) >= 2)
    assert sorted(m.id for m in harness.emitted) == ["hn:1", "hn:2"]
    assert [r["query"] for r in fake.requests][:4] == ["acme", "globex", "acme", "globex"]


async def test_restart_resumes_without_duplicate_or_gap(
    fake: FakeHackerNews, harness: Harness, clock: FrozenClock
) -> None:
    """Fetch, stop, fetch again with a new source: only new hits, including a late-indexed one."""
    fake.hits = [make_story(1, NOW - 300, "acme one"), make_story(2, NOW - 100, "acme two")]
    async with aiohttp.ClientSession() as session:
        first = await harness.source(session).fetch_once()
    clock.advance(600)
    # hn:3 was posted before the cursor but indexed late; hn:4 is new.
    fake.hits += [make_story(3, NOW - 110, "acme three"), make_story(4, NOW + 300, "acme four")]
    async with aiohttp.ClientSession() as session:
        second = await harness.source(session).fetch_once()
    assert sorted(m.id for m in first) == ["hn:1", "hn:2"]
    assert sorted(m.id for m in second) == ["hn:3", "hn:4"]


def test_bad_option_is_reported_with_its_position() -> None:
    """A wrong option is named with file, line and column."""
    errors = refused_errors(
        """\
  - name: hn
    kind: hackernews
    hits_per_page: 5000
""",
    )
    assert any("hits_per_page" in e and e.startswith("warroom.yaml:") for e in errors)
