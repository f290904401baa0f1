"""Pacing a recorded stream of mentions by event time, at N times real time."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator

from warroom.clock import FrozenClock, ScaledClock, SystemClock
from warroom.incident.engine import Engine
from warroom.incident.log import IncidentLog, IncidentNotFound, IncidentStore, slugify
from warroom.model import Mention

# A batch is at most this long in wall time or this many mentions, whichever comes first.
BATCH_SECONDS = 0.1
BATCH_SIZE = 1000


def peek(mentions: Iterable[Mention]) -> tuple[Mention | None, Iterator[Mention]]:
    """The first mention of a stream (None when empty) and the whole stream, first included."""
    stream = iter(mentions)
    first = next(stream, None)
    return first, stream if first is None else itertools.chain([first], stream)


def batches(mentions: Iterable[Mention], size: int = BATCH_SIZE) -> Iterator[list[Mention]]:
    """The stream in lists of at most `size`: never more than one batch is held at a time."""
    stream = iter(mentions)
    while batch := list(itertools.islice(stream, size)):
        yield batch


async def paced_batches(
    mentions: Iterable[Mention],
    speed: float | None,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> AsyncIterator[list[Mention]]:
    """Yield mentions in file order, in batches, waiting so event time runs `speed` times faster.

    `speed=None` means as fast as possible. Late (out-of-order) mentions never make time go back.
    The input is read as it goes: a file of any size costs one batch of memory.
    """
    first, stream = peek(mentions)
    if first is None:
        return
    if speed is None:
        for chunk in batches(stream):
            yield chunk
            await sleep(0)
        return
    if speed <= 0:
        raise ValueError("speed must be positive")
    origin_event = first.created_at
    origin_wall = monotonic()
    batch: list[Mention] = []
    first_due = last_due = 0.0
    for mention in stream:
        due = max(last_due, (mention.created_at - origin_event).total_seconds() / speed)
        if batch and (due - first_due >= BATCH_SECONDS or len(batch) >= BATCH_SIZE):
            await _sleep_until(origin_wall + last_due, sleep, monotonic)
            yield batch
            batch = []
        if not batch:
            first_due = due
        batch.append(mention)
        last_due = due
    await _sleep_until(origin_wall + last_due, sleep, monotonic)
    yield batch


async def _sleep_until(
    deadline: float, sleep: Callable[[float], Awaitable[None]], monotonic: Callable[[], float]
) -> None:
    # Long gaps are slept in pieces so a stop request is never far away.
    while (remaining := deadline - monotonic()) > 0:
        await sleep(min(remaining, 1.0))


async def feed_engine(
    engine: Engine,
    mentions: Iterable[Mention],
    speed: float | None,
    progress: Callable[[int], object] = lambda count: None,
) -> None:
    """Feed a recorded stream through the engine, paced by event time at `speed` (or at once)."""
    first, stream = peek(mentions)
    if first is not None and isinstance(engine.clock, ScaledClock):
        # Paced from now: time spent opening (or resuming) the incident must not put the clock
        # ahead, or ticks would judge minutes before their mentions are fed.
        engine.clock.restart(first.created_at)
    async for batch in paced_batches(stream, speed):
        if isinstance(engine.clock, FrozenClock):
            engine.clock.set(max(engine.clock.now(), *(m.created_at for m in batch)))
        engine.ingest(batch)
        if speed is not None:
            engine.tick()
        progress(len(batch))


def replay_clock(first: Mention | None, speed: float | None) -> FrozenClock | ScaledClock:
    """Without a speed, time follows the file: events are stamped with the mentions' time."""
    start = first.created_at if first is not None else SystemClock().now()
    return ScaledClock(start, speed) if speed else FrozenClock(start)


def open_or_create(store: IncidentStore, name: str) -> tuple[IncidentLog, bool]:
    """The incident of that name, continued if it exists (True), else new (False)."""
    slug = slugify(name)
    clock = SystemClock()
    try:
        return store.open(slug, clock=clock), True
    except IncidentNotFound:
        return store.create(name, clock=clock), False
