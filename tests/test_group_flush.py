"""The group commit behind a durable webhook answer: shared flushes, errors to every waiter."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from warroom.incident.durable import GroupFlush


async def test_waiters_during_a_flush_share_the_next_one() -> None:
    """Fifty waiters arriving while one flush runs cost two flushes, not fifty-one."""
    calls: list[float] = []

    def flush() -> None:
        calls.append(time.monotonic())
        time.sleep(0.05)

    group = GroupFlush(flush)
    first = asyncio.ensure_future(group.wait())
    await asyncio.sleep(0.01)  # the first flush is running now
    await asyncio.gather(first, *(group.wait() for _ in range(50)))
    assert len(calls) == 2


async def test_a_wait_returns_only_after_a_flush_that_began_after_it() -> None:
    """What was buffered before wait() is covered: the flush it waits for started later."""
    started: list[float] = []
    gate = threading.Event()

    def flush() -> None:
        started.append(time.monotonic())
        gate.wait(1)

    group = GroupFlush(flush)
    running = asyncio.ensure_future(group.wait())
    await asyncio.sleep(0.01)
    asked = time.monotonic()
    late = asyncio.ensure_future(group.wait())
    gate.set()
    await asyncio.gather(running, late)
    assert len(started) == 2 and started[1] >= asked


async def test_a_failed_flush_fails_its_waiters_and_the_next_can_succeed() -> None:
    """A disk error reaches every waiter of that flush; a later wait gets a fresh try."""
    outcomes = [OSError(28, "No space left on device"), None]

    def flush() -> None:
        error = outcomes.pop(0)
        if error is not None:
            raise error

    group = GroupFlush(flush)
    with pytest.raises(OSError, match="No space"):
        await group.wait()
    await group.wait()
    assert outcomes == []
