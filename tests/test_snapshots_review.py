"""Snapshots of the review screen on the finished drill: at the declaration, and a minute opened."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from scripts.review_scenes import finished_drill
from scripts.scenes import DECLARED_AT
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.tui.review.app import ReviewApp

SIZE = (120, 35)


def _app(data_dir: Path, demo_scored: list) -> ReviewApp:
    slug = finished_drill(data_dir, demo_scored)
    log = IncidentStore(data_dir).open(slug, clock=FrozenClock(DECLARED_AT), writable=False)
    return ReviewApp(log)


def test_review_screen(snap_compare, data_dir: Path, demo_scored: list) -> None:
    """The review screen, cursor 25 minutes after the declaration, looks as last reviewed."""

    async def scrub(pilot: Pilot) -> None:
        await pilot.press("pagedown", "pagedown", *["right"] * 5)

    assert snap_compare(_app(data_dir, demo_scored), terminal_size=SIZE, run_before=scrub)


def test_review_minute_mentions(snap_compare, data_dir: Path, demo_scored: list) -> None:
    """A minute's mentions opened from the review look as last reviewed."""

    async def open_minute(pilot: Pilot) -> None:
        await pilot.press("right", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(_app(data_dir, demo_scored), terminal_size=SIZE, run_before=open_minute)
