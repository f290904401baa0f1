"""The console under a 2,000 mentions/s surge: event-loop lag and key latency, against idle."""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warroom.clock import ScaledClock
from warroom.incident.log import IncidentStore
from warroom.incident.session import ProcessScoring, Session
from warroom.model import Mention
from warroom.offline.replay import paced_batches
from warroom.playbook import default_playbook
from warroom.tui.app import WarroomApp
from warroom.tui.widgets.feed import MentionFeed

RATE = 2000  # mentions per second
SECONDS = 15
WORDS = (
    "brightwell thermostat update firmware stuck cold house support refund outage app love "
    "great terrible broken fix thanks waiting hours customer service heating freezing bricked"
).split()
START = datetime(2026, 3, 14, 11, 30, tzinfo=UTC)


def surge(rate: int, seconds: int, seed: int = 11) -> list[Mention]:
    """Unique mentions, `rate` a second of event time."""
    rng = random.Random(seed)
    return [
        Mention(
            id=f"surge:{n}",
            source=rng.choice(("mastodon", "bluesky", "reddit")),
            text=" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + f" #{n}",
            created_at=START + timedelta(seconds=n / rate),
            author=f"user{n % 5000}",
            reach=rng.randint(0, 20_000),
        )
        for n in range(rate * seconds)
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(
    mentions: list[Mention] | None, seconds: float
) -> tuple[list[float], list[float]]:
    """Run the real console headless; return event-loop lags and key latencies (seconds)."""
    with tempfile.TemporaryDirectory() as folder:
        session = Session(
            store=IncidentStore(Path(folder)),
            clock=ScaledClock(START, 1.0),
            brand="Brightwell",
            playbook=default_playbook(),
            scoring=ProcessScoring(),
        )
        session.open("surge")
        feeder = None
        if mentions is not None:

            async def feed(app: WarroomApp) -> None:
                async for batch in paced_batches(mentions, 1.0):
                    await session.ingest(batch)

            feeder = feed
        app = WarroomApp(session, feeder=feeder)
        lags: list[float] = []
        keys: list[float] = []
        handled: list[float] = []
        # Key latency: from the key press to the feed's action running.
        original = MentionFeed.action_cursor

        def timed(feed: MentionFeed, delta: int) -> None:
            handled.append(time.monotonic())
            original(feed, delta)

        MentionFeed.action_cursor = timed  # type: ignore[method-assign]
        async with app.run_test(size=(120, 35)) as pilot:
            await session.scoring.score(mentions[:10] if mentions else [])  # warm the worker
            ends = time.monotonic() + seconds
            while time.monotonic() < ends:
                before = time.monotonic()
                await asyncio.sleep(0.02)
                lags.append(time.monotonic() - before - 0.02)
                if len(lags) % 5 == 0:
                    handled.clear()
                    pressed = time.monotonic()
                    await pilot.press("down")
                    if handled:
                        keys.append(handled[0] - pressed)
            ingested = session.engine.stats.ingested
        MentionFeed.action_cursor = original  # type: ignore[method-assign]
        if mentions is not None:
            print(f"  ingested {ingested:,} of {len(mentions):,} in {seconds:.0f} s")
        return lags, keys


def describe(name: str, lags: list[float], keys: list[float]) -> None:
    print(
        f"  {name:6} loop lag p50 {statistics.median(lags) * 1000:6.1f} ms"
        f"  p99 {percentile(lags, 0.99) * 1000:6.1f} ms"
        f" | key answered p50 {statistics.median(keys) * 1000:6.1f} ms"
        f"  p99 {percentile(keys, 0.99) * 1000:6.1f} ms  max {max(keys) * 1000:6.1f} ms"
    )


def main() -> None:
    mentions = surge(RATE, SECONDS)
    print(f"{RATE:,} mentions/s for {SECONDS} s, scoring in a worker process, 120x35 headless")
    idle = asyncio.run(measure(None, SECONDS - 5))
    loaded = asyncio.run(measure(mentions, SECONDS - 2))
    describe("idle", *idle)
    describe("surge", *loaded)
    ratio = percentile(loaded[1], 0.99) / max(percentile(idle[1], 0.99), 1e-6)
    print(f"  key p99 under surge / idle: {ratio:.2f}x  (target: keys answered within 100 ms)")


if __name__ == "__main__":
    main()
