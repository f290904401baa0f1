"""The review console on a big incident: time to the first drawn screen, and to a minute's mentions.

Builds the same incident as bench_review_scale (1,000,000 mentions by default; set
WARROOM_BENCH_MENTIONS to change it). Baseline, measured in the same run: build_review with a
warm cache, the part of opening that the report shares.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.bench_review_scale import SIZE, T0, _build
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.review.aggregates import CACHE_NAME
from warroom.review.document import build_review
from warroom.tui.review.app import ReviewApp

OPEN_LIMIT = 3.0


async def _open_and_draw(store: IncidentStore, slug: str, *, minute: bool) -> tuple[float, float]:
    """Seconds to the first drawn review screen, and then to a minute's mentions (or 0)."""
    began = time.perf_counter()
    log = store.open(slug, clock=FrozenClock(T0), writable=False)
    app = ReviewApp(log)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        opened = time.perf_counter() - began
        if not minute:
            return opened, 0.0
        began = time.perf_counter()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        return opened, time.perf_counter() - began


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        folder = Path(tmp)
        slug, built = _build(folder)
        print(f"built an incident of {SIZE:,} mentions in {built:.1f} s")
        store = IncidentStore(folder)
        cache = folder / "incidents" / slug / CACHE_NAME
        cache.unlink(missing_ok=True)
        cold, _ = asyncio.run(_open_and_draw(store, slug, minute=False))
        began = time.perf_counter()
        with store.open(slug, clock=FrozenClock(T0), writable=False) as log:
            build_review(log)
        baseline = time.perf_counter() - began
        warm, first_minute = asyncio.run(_open_and_draw(store, slug, minute=True))
        rows = [
            ("baseline: build_review, warm cache", baseline),
            ("review screen drawn, cold (builds the cache)", cold),
            ("review screen drawn, warm", warm),
            ("first minute's mentions (scans the segments once)", first_minute),
        ]
        for label, seconds in rows:
            print(f"{label:52} {seconds:7.2f} s  ({seconds / baseline:6.1f}x baseline)")
        verdict = "PASS" if warm < OPEN_LIMIT else "FAIL"
        print(f"{verdict}: warm open to a drawn screen {warm:.2f} s < {OPEN_LIMIT} s")


if __name__ == "__main__":
    main()
