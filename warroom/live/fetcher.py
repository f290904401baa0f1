"""Fetching from the configured sources once or as they go: `warroom fetch`'s runner."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import IO

import aiohttp

from warroom.clock import SystemClock
from warroom.live.config import WatchConfig
from warroom.live.sources.base import (
    CursorStore,
    Source,
    SourceState,
    SourceStatus,
    describe_error,
    redact_url,
)
from warroom.live.watch import build_sources, client_session
from warroom.model import Mention


class Fetcher:
    """Builds the chosen sources and runs them once or until stopped, printing JSON Lines."""

    def __init__(
        self,
        config: WatchConfig,
        names: list[str],
        cursors: CursorStore,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
    ) -> None:
        self.config = config
        self.names = names
        self.cursors = cursors
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._reported: dict[str, int] = {}
        self._last: dict[str, tuple[SourceStatus, str]] = {}
        self._running: dict[str, Source] = {}

    def build(self, session: aiohttp.ClientSession, follow: bool) -> list[Source]:
        """The chosen sources; in follow mode their state changes are printed."""
        return build_sources(
            self.config,
            self.names,
            session=session,
            cursors=self.cursors,
            clock=SystemClock(),
            on_state=self.state_changed if follow else None,
        )

    def print_mentions(self, mentions: list[Mention]) -> None:
        """One canonical JSON object a line on stdout."""
        for mention in mentions:
            self.out.write(mention.to_json() + "\n")
        self.out.flush()

    def say(self, line: str) -> None:
        """One line on stderr; control characters from the network shown escaped, never run."""
        safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
        self.err.write(safe + "\n")
        self.err.flush()

    def print_problems(self, source: Source) -> None:
        """Skipped items, once each."""
        start = self._reported.get(source.name, 0)
        for problem in source.problems[start:]:
            self.say(f"skipped: {problem}")
        self._reported[source.name] = len(source.problems)

    def state_changed(self, state: SourceState) -> None:
        """Print a state when it changes (not the routine polling), after any skipped items."""
        if state.name in self._running:
            self.print_problems(self._running[state.name])
        if state.status in (SourceStatus.POLLING, SourceStatus.STARTING):
            return
        # "connected (3 new)" after every poll would drown the rest: only transitions print.
        detail = "" if state.status is SourceStatus.CONNECTED else state.detail
        key = (state.status, detail)
        if self._last.get(state.name) != key:
            self._last[state.name] = key
            self.say(state.describe())

    async def once(self) -> int:
        """One round of each source: 0 if any worked, 1 if all failed."""
        async with client_session() as session:
            sources = self.build(session, follow=False)
            outcomes = await asyncio.gather(*(self._one(source) for source in sources))
        tried = [ok for ok in outcomes if ok is not None]
        return 1 if tried and not any(tried) else 0

    async def _one(self, source: Source) -> bool | None:
        if getattr(source, "push", False):
            self.say(f"{source.name}: skipped: a {source.kind} source receives, run without --once")
            return None
        try:
            mentions = await source.fetch_once()
        except Exception as error:  # one failing source never stops the others
            message = describe_error(error)
            if source.base_url and "://" not in message:
                message += f" ({redact_url(source.base_url)})"
            self.print_problems(source)
            self.say(f"{source.name}: {message}")
            return False
        finally:
            close = getattr(source, "close", None)
            if callable(close):
                close()
        self.print_mentions(mentions)
        self.print_problems(source)
        return True

    async def follow(self, stop_after: float | None = None) -> int:
        """Run every source until Ctrl-C (or `stop_after` seconds)."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop.set)
        if stop_after is not None:
            loop.call_later(stop_after, stop.set)
        async with client_session() as session:
            sources = self.build(session, follow=True)
            self._running = {source.name: source for source in sources}

            async def emit(mentions: list[Mention]) -> None:
                self.print_mentions(mentions)

            await asyncio.gather(*(source.run(emit, stop) for source in sources))
            for source in sources:
                self.print_problems(source)
        return 0
