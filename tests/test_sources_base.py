"""What every source shares: failures a person must fix are FAILED, others back off and recover."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import aiohttp

from warroom.clock import FrozenClock
from warroom.model import Mention
from warroom.sources.base import (
    Backoff,
    CursorStore,
    RetryAfter,
    Source,
    SourceError,
    SourceState,
    SourceStatus,
    Topics,
)


class Scripted(Source):
    """A source whose polls raise the scripted errors in turn, then return nothing."""

    kind = "scripted"

    def __init__(self, errors: list[Exception], **kwargs: object) -> None:
        super().__init__("scripted", {"token_env": "NOT_SET_ANYWHERE"}, **kwargs)  # type: ignore[arg-type]
        self.errors = errors

    async def poll(self) -> list[Mention]:
        if self.errors:
            raise self.errors.pop(0)
        return []


async def run_scripted(
    errors: list[Exception], tmp_path: Path, clock: FrozenClock
) -> list[SourceState]:
    states: list[SourceState] = []

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)

    async with aiohttp.ClientSession() as session:
        source = Scripted(
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

        async def emit(mentions: list[Mention]) -> None:
            pass

        task = asyncio.create_task(source.run(emit, stop))
        for _ in range(200):
            if any(s.status is SourceStatus.CONNECTED for s in states):
                break
            await asyncio.sleep(0.005)
        stop.set()
        await asyncio.wait_for(task, 5)
    return states


async def test_a_missing_secret_is_failed_and_names_the_variable(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """secret() with the variable unset: FAILED, naming the variable (never a value)."""

    class NeedsToken(Scripted):
        async def poll(self) -> list[Mention]:
            self.secret("token_env")
            return []

    states: list[SourceState] = []
    async with aiohttp.ClientSession() as session:
        source = NeedsToken(
            [],
            session=session,
            cursors=CursorStore(tmp_path),
            clock=clock,
            topics=Topics(["acme"]),
            on_state=states.append,
            env={},
        )
        source.delay_for(await _error_of(source.poll()))
    assert states[-1].status is SourceStatus.FAILED
    assert "NOT_SET_ANYWHERE is not set" in states[-1].describe()
    assert states[-1].until is not None


async def _error_of(awaitable) -> Exception:  # type: ignore[no-untyped-def]
    try:
        await awaitable
    except Exception as error:
        return error
    raise AssertionError("no error")


async def test_errors_back_off_and_a_429_waits_then_it_recovers(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """A 500 backs off, a 429 waits its Retry-After, then the source is connected again."""
    states = await run_scripted(
        [SourceError("HTTP 500", "http://127.0.0.1/x"), RetryAfter(7, "http://127.0.0.1/x")],
        tmp_path,
        clock,
    )
    statuses = [s.status for s in states if s.status is not SourceStatus.POLLING]
    assert statuses[:3] == [
        SourceStatus.BACKING_OFF,
        SourceStatus.BACKING_OFF,
        SourceStatus.CONNECTED,
    ]
    waited = [s for s in states if s.status is SourceStatus.BACKING_OFF][1]
    assert "retry after 7s" in waited.detail
    assert (waited.until - clock.now()).total_seconds() == 7
