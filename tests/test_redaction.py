"""Secrets never reach a message: URLs lose credentials and query strings wherever they are
shown (the status line, stderr, the log)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.x import TOKEN
from tests.source_harness import SourceHarness
from warroom.clock import FrozenClock
from warroom.live.sources.base import SourceError, describe_error, redact_url
from warroom.live.sources.x import XSource

SECRET = "s3cr3t-token-value"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://api.x.com/2/tweets?query=acme&access_token=abc", "https://api.x.com/2/tweets"),
        ("https://user:pa55@host.example:8443/p?q=1#frag", "https://host.example:8443/p"),
        ("http://[::1]:8080/feed?sig=xyz", "http://[::1]:8080/feed"),
        ("/relative/path?token=abc", "/relative/path"),
    ],
)
def test_redact_url_keeps_where_and_drops_secrets(url: str, shown: str) -> None:
    """Scheme, host, port and path stay; credentials, query and fragment go."""
    assert redact_url(url) == shown


def test_describe_error_redacts_urls_inside_any_message() -> None:
    """A library error quoting a URL with a token is redacted too."""
    error = ValueError(f"bad answer from https://h.example/cb?access_token={SECRET} (x)")
    assert SECRET not in describe_error(error)
    assert SECRET not in str(SourceError("HTTP 500", f"https://h.example/?token={SECRET}"))


async def test_a_redirect_to_a_token_url_never_shows_the_token(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """An X server that redirects to `…?access_token=<token>` which then fails: the failure
    names the place without the token."""

    async def search(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/landing?access_token={SECRET}")

    async def landing(request: web.Request) -> web.Response:
        return web.Response(status=500, text="upstream broke")

    app = web.Application()
    app.router.add_get("/2/tweets/search/recent", search)
    app.router.add_get("/landing", landing)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        harness = SourceHarness(
            XSource,
            "x",
            tmp_path,
            clock,
            options={"base_url": f"http://127.0.0.1:{port}", "token_env": "X_TOKEN"},
            env={"X_TOKEN": TOKEN},
        )
        async with aiohttp.ClientSession() as session:
            source = harness.source(session, query="acme")
            with pytest.raises(Exception) as raised:
                await asyncio.wait_for(source.fetch_once(), 5)
        message = describe_error(raised.value)
        assert SECRET not in message and "/landing" in message
    finally:
        await runner.cleanup()
