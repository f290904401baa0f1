"""Reddit over OAuth: tokens, listings, paging, rate limits, failures and restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import T0
from tests.fakes.reddit import LISTING, FakeReddit, make_comment, make_post
from tests.source_harness import SourceHarness, refused_errors, serving
from warroom.clock import FrozenClock
from warroom.live.sources.base import SourceStatus
from warroom.live.sources.reddit import RedditSource, thing_mention

NOW = T0.timestamp()
ENV = {"RID": "cid", "RSECRET": "csecret", "RUSER": "ann", "RPASS": "pw"}

Harness = SourceHarness[RedditSource]


@pytest.fixture
async def fake() -> AsyncIterator[FakeReddit]:
    """A fake Reddit on 127.0.0.1 (token endpoint and OAuth host on one server)."""
    async with serving(FakeReddit()) as fake:
        yield fake


@pytest.fixture
def harness(fake: FakeReddit, tmp_path: Path, clock: FrozenClock) -> Harness:
    """The Reddit source against the fake for both tokens and searches."""
    options = {
        "base_url": fake.base_url,
        "auth_url": fake.base_url,
        "client_id_env": "RID",
        "client_secret_env": "RSECRET",
    }
    return SourceHarness(RedditSource, "reddit", tmp_path, clock, options=options, env=ENV)


def test_sample_post_becomes_mention() -> None:
    """The real sample t3 gives title + selftext, the www permalink and score + comments."""
    mention = thing_mention(LISTING["data"]["children"][0])
    assert mention.id == "reddit:t3_3gpbiu"
    assert mention.text.startswith("[PRAW][OAuth2Util] Problem using get_banned()")
    assert "\n\n# solved" in mention.text
    assert mention.url == (
        "https://www.reddit.com/r/redditdev/comments/3gpbiu/"
        "prawoauth2util_problem_using_get_banned_raise/?ref=search_posts"
    )
    assert mention.author == "dClauzel" and mention.engagement == 21
    assert mention.created_at.timestamp() == 1439370514.0


def test_downvoted_comment_has_body_and_no_negative_engagement() -> None:
    """A t1's text is its body; a negative score is not negative engagement."""
    mention = thing_mention(make_comment("c1", NOW, "acme broke my sink"))
    assert (mention.id, mention.text, mention.engagement) == (
        "reddit:t1_c1",
        "acme broke my sink",
        0,
    )


async def test_client_credentials_token_then_search(fake: FakeReddit, harness: Harness) -> None:
    """The app gets a token by client credentials and searches with raw_json=1, newest first."""
    fake.children = [make_post("a1", NOW - 60, "acme rocks")]
    async with aiohttp.ClientSession() as session:
        mentions = await harness.source(session).fetch_once()
    assert [m.id for m in mentions] == ["reddit:t3_a1"]
    assert fake.token_requests == [{"grant_type": "client_credentials"}]
    assert fake.requests[0]["raw_json"] == "1" and fake.requests[0]["sort"] == "new"


async def test_script_app_uses_password_grant(fake: FakeReddit, harness: Harness) -> None:
    """With username and password variables the token request is a password grant."""
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, username_env="RUSER", password_env="RPASS")
        await source.fetch_once()
    assert fake.token_requests[0] == {"grant_type": "password", "username": "ann", "password": "pw"}


async def test_expired_token_is_renewed_on_401(fake: FakeReddit, harness: Harness) -> None:
    """A 401 on search gets one new token and the search succeeds."""
    fake.children = [make_post("a1", NOW - 60, "acme rocks")]
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, query="acme")
        await source.fetch_once()
        fake.revoke_tokens()
        fake.children.append(make_post("a2", NOW - 30, "acme again"))
        mentions = await source.fetch_once()
    assert [m.id for m in mentions] == ["reddit:t3_a2"]
    assert len(fake.token_requests) == 2


async def test_pages_with_after(fake: FakeReddit, harness: Harness) -> None:
    """More new posts than `limit` are read page by page with `after`, each once."""
    fake.children = [make_post(f"p{i}", NOW - 1000 + i, f"acme {i}") for i in range(250)]
    async with aiohttp.ClientSession() as session:
        mentions = await harness.source(session, query="acme").fetch_once()
    assert len({m.id for m in mentions}) == 250
    assert [r.get("after") for r in fake.requests] == [None, "t3_p150", "t3_p50"]


async def test_html_heavy_post_keeps_literal_text(fake: FakeReddit, harness: Harness) -> None:
    """Markdown with raw HTML-looking text and entities is kept literally (raw_json=1)."""
    body = "Acme <b>lies</b> &amp; [link](https://acme.test) <script>alert(1)</script>"
    fake.children = [make_post("h1", NOW - 60, "acme & co <3", selftext=body)]
    async with aiohttp.ClientSession() as session:
        mentions = await harness.source(session).fetch_once()
    assert mentions[0].text == f"acme & co <3\n\n{body}"


async def test_malformed_child_is_skipped(fake: FakeReddit, harness: Harness) -> None:
    """A child without created_utc is skipped and named; the others are kept."""
    bad = make_post("bad", NOW - 50, "acme bad")
    bad["data"]["created_utc"] = None
    fake.children = [
        make_post("a1", NOW - 60, "acme one"),
        bad,
        make_comment("c1", NOW - 40, "acme two"),
    ]
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, query="acme")
        mentions = await source.fetch_once()
    assert sorted(m.id for m in mentions) == ["reddit:t1_c1", "reddit:t3_a1"]
    assert any("t3_bad" in p and "created_utc" in p for p in source.problems)


async def test_429_retry_after_is_honoured(fake: FakeReddit, harness: Harness) -> None:
    """A 429 with Retry-After waits that long, then fetches."""
    fake.children = [make_post("a1", NOW - 60, "acme one")]
    fake.fail(429, {"Retry-After": "9"})
    async with aiohttp.ClientSession() as session:
        await harness.run_until(
            harness.source(session, query="acme"), lambda: bool(harness.emitted)
        )
    assert harness.delays[0] == 9.0
    assert [m.id for m in harness.emitted] == ["reddit:t3_a1"]


async def test_exhausted_rate_limit_waits_for_reset(fake: FakeReddit, harness: Harness) -> None:
    """When x-ratelimit-remaining reaches 0 the next poll waits x-ratelimit-reset seconds."""
    fake.remaining = 1.0
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, query="acme")
        await harness.run_until(source, lambda: len(harness.states) >= 4)
    backing = [s for s in harness.states if s.status == SourceStatus.BACKING_OFF]
    assert backing and "x-ratelimit-remaining" in backing[0].detail
    assert harness.delays[1] == pytest.approx(42.0)
    assert len(fake.requests) == 1


async def test_server_error_then_recovery(fake: FakeReddit, harness: Harness) -> None:
    """A 500 with an HTML body backs off, then the source recovers by itself."""
    fake.children = [make_post("a1", NOW - 60, "acme one")]
    fake.fail(500)
    async with aiohttp.ClientSession() as session:
        await harness.run_until(
            harness.source(session, query="acme"), lambda: bool(harness.emitted)
        )
    assert harness.delays[0] <= 0.05
    assert any("HTTP 500" in s.detail for s in harness.states)
    assert [m.id for m in harness.emitted] == ["reddit:t3_a1"]


async def test_missing_secret_is_reported_not_raised(fake: FakeReddit, harness: Harness) -> None:
    """An unset credential variable is named in the state, and run keeps going until stopped."""
    async with aiohttp.ClientSession() as session:
        source = harness.source(session, client_secret_env="NOPE")
        await harness.run_until(source, lambda: len(harness.states) >= 3)
    assert "NOPE is not set" in harness.states[1].detail
    assert "csecret" not in " ".join(s.describe() for s in harness.states)


async def test_restart_resumes_without_duplicate_or_gap(
    fake: FakeReddit, harness: Harness, clock: FrozenClock
) -> None:
    """Fetch, stop, fetch with a new source: only new posts, including one indexed late."""
    fake.children = [make_post("a1", NOW - 300, "acme one"), make_post("a2", NOW - 100, "acme two")]
    async with aiohttp.ClientSession() as session:
        first = await harness.source(session).fetch_once()
    clock.advance(600)
    fake.children += [
        make_post("a3", NOW - 120, "acme late"),
        make_post("a4", NOW + 200, "acme new"),
    ]
    async with aiohttp.ClientSession() as session:
        second = await harness.source(session).fetch_once()
    assert sorted(m.id for m in first) == ["reddit:t3_a1", "reddit:t3_a2"]
    assert sorted(m.id for m in second) == ["reddit:t3_a3", "reddit:t3_a4"]


def test_bad_option_is_reported_with_its_position() -> None:
    """A wrong option is named with file, line and column."""
    errors = refused_errors(
        """\
  - name: reddit
    kind: reddit
    client_id_env: REDDIT_CLIENT_ID
""",
    )
    assert any("client_secret_env" in e and e.startswith("warroom.yaml:") for e in errors)
