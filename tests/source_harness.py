"""Shared scaffolding for the source tests: serve a fake on 127.0.0.1, drive a source against it."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tests.fakes.common import FakeServer
from warroom.clock import Clock
from warroom.live.config import ConfigInvalid, parse_config
from warroom.live.sources.base import Backoff, CursorStore, Source, SourceState, Topics
from warroom.model import Mention

F = TypeVar("F", bound=FakeServer)
S = TypeVar("S", bound=Source)


@asynccontextmanager
async def serving(fake: F) -> AsyncIterator[F]:
    """Serve the fake's app on 127.0.0.1 (a free port) and set its `base_url` meanwhile."""
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await server.close()


class SourceHarness(Generic[S]):
    """Builds sources of one kind for a test, recording their states, sleeps and mentions."""

    def __init__(
        self,
        source_class: type[S],
        name: str,
        tmp_path: Path,
        clock: Clock,
        *,
        options: Mapping[str, Any] | None = None,
        topics: Topics | None = None,
        env: Mapping[str, str] | None = None,
        pause: float = 0.0,
    ) -> None:
        self.source_class = source_class
        self.name = name
        self.options = dict(options or {})
        self.topics = topics or Topics(["acme"], {"globex": ["globex"]})
        self.env = env
        self.pause = pause
        self.cursors = CursorStore(tmp_path / "cursors")
        self.clock = clock
        self.states: list[SourceState] = []
        self.delays: list[float] = []
        self.emitted: list[Mention] = []

    async def sleep(self, seconds: float) -> None:
        """Record the wait and yield (for `pause` real seconds) instead of waiting it out."""
        self.delays.append(seconds)
        await asyncio.sleep(self.pause)

    def source(self, session: aiohttp.ClientSession, **options: Any) -> S:
        """A new source: the default options overridden by these, with a fast seeded backoff."""
        return self.source_class(
            self.name,
            {**self.options, **options},
            session=session,
            cursors=self.cursors,
            clock=self.clock,
            topics=self.topics,
            on_state=self.states.append,
            env=self.env,
            sleep=self.sleep,
            backoff=Backoff(base=0.01, cap=0.05, rng=random.Random(1)),
        )

    async def emit(self, mentions: list[Mention]) -> None:
        """Keep what the source emitted."""
        self.emitted.extend(mentions)

    async def until(self, done: Callable[[], bool]) -> None:
        """Wait up to ~5 s for `done()`; fail the test if it never comes true."""
        for _ in range(500):
            if done():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition not reached")

    async def run_until(self, source: S, done: Callable[[], bool]) -> None:
        """Run the source until `done()` is true, then stop it and wait for it to finish."""
        stop = asyncio.Event()
        task = asyncio.create_task(source.run(self.emit, stop))
        try:
            await self.until(done)
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)


CONFIG_HEADER = """\
brand: Acme
topics:
  brand: [acme, "#acme"]
  competitors:
    globex: [globex]
"""


def refused_errors(sources: str) -> list[str]:
    """The errors for a config with this `sources:` block, which must be refused."""
    with pytest.raises(ConfigInvalid) as caught:
        parse_config(CONFIG_HEADER + "sources:\n" + sources, "warroom.yaml")
    return [str(error) for error in caught.value.errors]
