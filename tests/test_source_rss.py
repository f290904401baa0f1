"""RSS and Atom: Google Alerts links and titles, tolerant parsing, 304s, failures, restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fakes.rss import FakeFeeds, alert_entry, alerts_feed, rss_feed, rss_item
from tests.source_harness import SourceHarness, refused_errors, serving
from warroom.clock import FrozenClock
from warroom.live.sources.base import SourceStatus
from warroom.live.sources.rss import FeedSource, resolve_link

WHEN = "2026-03-14T08:50:00Z"
PUB = "Sat, 14 Mar 2026 08:50:00 +0000"


@pytest.fixture
async def fake() -> AsyncIterator[FakeFeeds]:
    """A fake feed server on 127.0.0.1."""
    async with serving(FakeFeeds()) as fake:
        yield fake


class Harness(SourceHarness[FeedSource]):
    """The harness for feeds named by their path on the fake."""

    def __init__(self, fake: FakeFeeds, tmp_path: Path, clock: FrozenClock) -> None:
        super().__init__(FeedSource, "feed", tmp_path, clock)
        self.fake = fake

    def feed(self, session: aiohttp.ClientSession, path: str, **options: Any) -> FeedSource:
        """A feed source reading `path` on the fake."""
        return self.source(session, url=self.fake.base_url + path, **options)


@pytest.fixture
def harness(fake: FakeFeeds, tmp_path: Path, clock: FrozenClock) -> Harness:
    """Feed sources against the fake."""
    return Harness(fake, tmp_path, clock)


def test_google_redirect_resolves_to_article() -> None:
    """A Google Alerts link is the `url` parameter; other links stay as they are."""
    link = "https://www.google.com/url?rct=j&sa=t&url=https://news.example/a%3Fb%3D1&ct=ga"
    assert resolve_link(link) == "https://news.example/a?b=1"
    assert resolve_link("https://news.example/google.com/url?url=x") == (
        "https://news.example/google.com/url?url=x"
    )


async def test_sample_feed_without_guids_dedupes_by_link_and_title(
    fake: FakeFeeds, harness: Harness
) -> None:
    """The real sample (no guid) gives stable ids; a general feed keeps only watched topics."""
    fake.documents["/hn.rss"] = rss_feed([rss_item("Acme ships", "https://a.example/1", PUB)])
    async with aiohttp.ClientSession() as session:
        first = await harness.feed(session, "/hn.rss").fetch_once()
        fake.validators = False
        again = await harness.feed(session, "/hn.rss").fetch_once()
    assert [m.text for m in first] == ["Acme ships"]
    assert first[0].id.startswith("rss:sha256:") and first[0].url == "https://a.example/1"
    assert again == []


async def test_sample_feed_with_topic_keeps_every_item(fake: FakeFeeds, harness: Harness) -> None:
    """With a `topic` option every entry is kept under it; text and dates come through."""
    fake.documents["/hn.rss"] = rss_feed([])
    async with aiohttp.ClientSession() as session:
        mentions = await harness.feed(session, "/hn.rss", topic="brand").fetch_once()
    assert [m.text.split("\n")[0] for m in mentions][1] == "Dall-E 2"
    assert mentions[1].created_at.isoformat() == "2022-04-06T14:09:04+00:00"
    assert {m.topic for m in mentions} == {"brand"}


async def test_google_alerts_entry_html_title_and_link(fake: FakeFeeds, harness: Harness) -> None:
    """Alert titles lose their <b>, entities decode, the link is the article, id is the entry id."""
    entry = alert_entry(
        "111",
        "<b>Acme</b> recalls widgets &amp; apologises",
        "https://news.example/acme-recall",
        "<b>Acme</b> said on Friday it would <i>recall</i> 2&nbsp;million widgets&#8230;",
        WHEN,
    )
    fake.documents["/alerts"] = alerts_feed([entry])
    async with aiohttp.ClientSession() as session:
        (mention,) = await harness.feed(session, "/alerts", topic="brand").fetch_once()
    assert mention.id == "rss:tag:google.com,2013:googlealerts/feed:111"
    assert mention.text == (
        "Acme recalls widgets & apologises\n\nAcme said on Friday it would recall 2\xa0million "
        "widgets…"
    )
    assert mention.url == "https://news.example/acme-recall"


async def test_plain_text_title_keeps_angle_brackets(fake: FakeFeeds, harness: Harness) -> None:
    """A plain-text title about the <img> tag is not mistaken for HTML."""
    fake.documents["/f"] = rss_feed(
        [rss_item("Acme and the <img> tag", "https://a.example/1", PUB)]
    )
    async with aiohttp.ClientSession() as session:
        mentions = await harness.feed(session, "/f").fetch_once()
    assert [m.text for m in mentions] == ["Acme and the <img> tag"]


async def test_not_well_formed_feed_is_still_read(fake: FakeFeeds, harness: Harness) -> None:
    """A newline before <?xml and an undefined entity do not stop the entries coming."""
    item = rss_item("Acme &nbsp;crash", "https://a.example/2", PUB).replace("&amp;", "&")
    fake.documents["/bad.rss"] = "\n" + rss_feed([item]).replace(
        "<rss", '<?xml version="1.0"?><rss'
    )
    async with aiohttp.ClientSession() as session:
        mentions = await harness.feed(session, "/bad.rss").fetch_once()
    assert [m.url for m in mentions] == ["https://a.example/2"]
    assert "Acme" in mentions[0].text and "crash" in mentions[0].text


async def test_malformed_entry_is_skipped(fake: FakeFeeds, harness: Harness) -> None:
    """An empty entry is skipped and reported; the good entries are kept."""
    good = [rss_item("acme one", "https://a.example/1", PUB), "<item></item>"]
    fake.documents["/f"] = rss_feed([*good, rss_item("acme two", "https://a.example/3", PUB)])
    async with aiohttp.ClientSession() as session:
        source = harness.feed(session, "/f")
        mentions = await source.fetch_once()
    assert [m.text for m in mentions] == ["acme one", "acme two"]
    assert any("no title or text" in p for p in source.problems)


async def test_unchanged_feed_is_a_304(fake: FakeFeeds, harness: Harness) -> None:
    """The second fetch sends the ETag and Last-Modified and gets nothing when unchanged."""
    fake.documents["/f"] = rss_feed([rss_item("acme one", "https://a.example/1", PUB)])
    async with aiohttp.ClientSession() as session:
        source = harness.feed(session, "/f")
        await source.fetch_once()
        assert await source.poll() == []
    sent = fake.requests[1][1]
    assert sent["If-None-Match"].startswith('"') and sent["If-Modified-Since"].endswith("GMT")


async def test_not_a_feed_is_reported(fake: FakeFeeds, harness: Harness) -> None:
    """An HTML error page served with 200 backs off with a clear reason, then recovers."""
    fake.documents["/f"] = "<html><body>Please enable cookies"
    async with aiohttp.ClientSession() as session:
        source = harness.feed(session, "/f")
        await harness.run_until(source, lambda: len(harness.states) >= 2)
        fake.documents["/f"] = rss_feed([rss_item("acme one", "https://a.example/1", PUB)])
        await harness.run_until(source, lambda: bool(harness.emitted))
    assert "not an RSS or Atom feed" in harness.states[1].detail
    assert [m.text for m in harness.emitted] == ["acme one"]


async def test_429_retry_after_is_honoured(fake: FakeFeeds, harness: Harness) -> None:
    """A 429 with Retry-After waits that long, then fetches."""
    fake.documents["/f"] = rss_feed([rss_item("acme one", "https://a.example/1", PUB)])
    fake.fail(429, {"Retry-After": "120"})
    async with aiohttp.ClientSession() as session:
        await harness.run_until(harness.feed(session, "/f"), lambda: bool(harness.emitted))
    assert harness.delays[0] == 120.0
    assert [m.text for m in harness.emitted] == ["acme one"]


async def test_server_error_then_recovery(fake: FakeFeeds, harness: Harness) -> None:
    """A 500 backs off briefly, then the source recovers by itself."""
    fake.documents["/f"] = rss_feed([rss_item("acme one", "https://a.example/1", PUB)])
    fake.fail(500)
    async with aiohttp.ClientSession() as session:
        await harness.run_until(harness.feed(session, "/f"), lambda: bool(harness.emitted))
    assert harness.delays[0] <= 0.05
    assert harness.states[1].status == SourceStatus.BACKING_OFF
    assert "HTTP 500" in harness.states[1].detail


async def test_restart_resumes_without_duplicate_or_gap(fake: FakeFeeds, harness: Harness) -> None:
    """Fetch, stop, fetch with a new source after the feed changed: only the new entry."""
    fake.documents["/f"] = rss_feed([rss_item("acme one", "https://a.example/1", PUB)])
    async with aiohttp.ClientSession() as session:
        first = await harness.feed(session, "/f").fetch_once()
    fake.documents["/f"] = rss_feed(
        [
            rss_item("acme two", "https://a.example/2", PUB),
            rss_item("acme one", "https://a.example/1", PUB),
        ]
    )
    async with aiohttp.ClientSession() as session:
        second = await harness.feed(session, "/f").fetch_once()
    assert [m.text for m in first] == ["acme one"]
    assert [m.text for m in second] == ["acme two"]


def test_bad_option_is_reported_with_its_position() -> None:
    """A wrong option is named with file, line and column."""
    errors = refused_errors(
        """\
  - name: news
    kind: rss
    url: ftp://example.com/feed
""",
    )
    assert any("url" in e and e.startswith("warroom.yaml:") for e in errors)
