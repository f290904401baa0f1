"""What every source shares: failures a person must fix are FAILED, others back off and recover."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import aiohttp
import pytest

from warroom.clock import FrozenClock
from warroom.live.sources.base import (
    Backoff,
    CursorStore,
    RetryAfter,
    Source,
    SourceError,
    SourceState,
    SourceStatus,
    Topics,
)
from warroom.model import Mention


class Scripted(Source):
    """A source whose polls raise the scripted errors in turn, then return nothing."""

    kind = "scripted"

    def __init__(self, errors: list[Exception], **kwargs: object) -> None:
        options = {"token_env": "NOT_SET_ANYWHERE"}
        super().__init__("scripted", options, **kwargs)  # type: ignore[arg-type]
        self.errors = errors

    async def poll(self) -> list[Mention]:
        if self.errors:
            raise self.errors.pop(0)
        return []


class NeedsToken(Scripted):
    """A source that reads its token first, as the real ones do."""

    async def poll(self) -> list[Mention]:
        self.secret("token_env")
        return []


async def run_until_settled(
    source_class: type[Scripted], errors: list[Exception], tmp_path: Path, clock: FrozenClock
) -> list[SourceState]:
    """Run a source (instant sleeps) until it connects or has failed twice; its states."""
    states: list[SourceState] = []

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)

    async def emit(mentions: list[Mention]) -> None:
        pass

    async with aiohttp.ClientSession() as session:
        source = source_class(
            errors,
            session=session,
            cursors=CursorStore(tmp_path),
            clock=clock,
            topics=Topics(["acme"]),
            on_state=states.append,
            env={},
            sleep=sleep,
            backoff=Backoff(base=1.0, cap=300.0, rng=random.Random(1)),
        )
        stop = asyncio.Event()
        task = asyncio.create_task(source.run(emit, stop))
        for _ in range(200):
            failed = sum(s.status is SourceStatus.FAILED for s in states)
            if failed >= 2 or any(s.status is SourceStatus.CONNECTED for s in states):
                break
            await asyncio.sleep(0.005)
        stop.set()
        await asyncio.wait_for(task, 5)
    return states


async def test_a_missing_secret_is_failed_and_names_the_variable(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """The variable unset: FAILED, naming the variable (never a value), and tried again."""
    states = await run_until_settled(NeedsToken, [], tmp_path, clock)
    failed = [s for s in states if s.status is SourceStatus.FAILED]
    assert len(failed) >= 2
    assert "NOT_SET_ANYWHERE is not set" in failed[0].describe()
    assert failed[0].until is not None
    assert not any(s.status is SourceStatus.BACKING_OFF for s in states)


async def test_errors_back_off_and_a_429_waits_then_it_recovers(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """A 500 backs off, a 429 waits its Retry-After, then the source is connected again."""
    errors: list[Exception] = [
        SourceError("HTTP 500", "http://127.0.0.1/x"),
        RetryAfter(7, "http://127.0.0.1/x"),
    ]
    states = await run_until_settled(Scripted, errors, tmp_path, clock)
    statuses = [s.status for s in states if s.status is not SourceStatus.POLLING]
    assert statuses[:3] == [
        SourceStatus.BACKING_OFF,
        SourceStatus.BACKING_OFF,
        SourceStatus.CONNECTED,
    ]
    waited = [s for s in states if s.status is SourceStatus.BACKING_OFF][1]
    assert "retry after 7s" in waited.detail
    assert (waited.until - clock.now()).total_seconds() == 7


class Paged(Scripted):
    """Each poll returns the next mention and moves the cursor past it."""

    async def poll(self) -> list[Mention]:
        n = self.cursor.get("next", 0)
        self.cursor["next"] = n + 1
        return [Mention(f"p:{n}", "paged", "acme", self.clock.now())]


async def test_a_batch_whose_emit_fails_is_fetched_again(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """If handing the batch on fails, the cursor goes back: the next poll brings it again."""
    delivered: list[str] = []
    calls = 0

    async def emit(mentions: list[Mention]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the engine was busy")
        delivered.extend(m.id for m in mentions)

    async with aiohttp.ClientSession() as session:
        source = Paged(
            [],
            session=session,
            cursors=CursorStore(tmp_path),
            clock=clock,
            topics=Topics(["acme"]),
            env={},
        )
        with pytest.raises(RuntimeError):
            await source.deliver(emit)
        await source.deliver(emit)
    assert delivered == ["p:0"]
    assert CursorStore(tmp_path).load("scripted").cursor == {"next": 1}
