"""The disk refusing writes: one persistent status, nothing typed lost, one line on quit."""

from __future__ import annotations

import errno
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._toast import Toast

from tests.tui_support import CALM_AT, drill_at, screen_text
from warroom.clock import FrozenClock
from warroom.incident import log as incident_log
from warroom.incident.log import IncidentStore
from warroom.incident.session import Session
from warroom.model import ScoredMention
from warroom.tui import app as tui_app
from warroom.tui.app import WarroomApp

STATUS = "cannot write mentions"


class FailingDisk:
    """The log's atomic writer, refusing while `failing` is set (tests run as root: chmod won't)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, code: int, *, events: bool = False) -> None:
        self.code = code
        self.events = events  # refuse notes and checks too, not only the mention segments
        self.failing = True
        self.refused = 0
        self._write = incident_log.write_atomically
        monkeypatch.setattr(incident_log, "write_atomically", self.write)

    def write(self, path: Path, payload: bytes) -> None:
        if self.failing and (self.events or path.parent.name == "mentions"):
            self.refused += 1
            raise OSError(self.code, os.strerror(self.code), str(path))
        self._write(path, payload)


def later_mentions(scored: list[ScoredMention], minutes: int = 3) -> list[ScoredMention]:
    """The demo mentions posted in the few minutes after CALM_AT."""
    end = CALM_AT + timedelta(minutes=minutes)
    return [s for s in scored if CALM_AT <= s.mention.created_at < end]


def toast_regions(app: App[None]) -> list[Region]:
    """Where each notification showing sits on the screen."""
    return [toast.region for toast in app.screen.query(Toast)]


def counting_notify(app: WarroomApp) -> list[str]:
    """Record every notification the app raises (the toasts may have timed out since)."""
    seen: list[str] = []
    notify = app.notify

    def record(message: str, **kwargs: Any) -> None:
        seen.append(message)
        notify(message, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    return seen


def stored_mention_count(data_dir: Path, slug: str) -> int:
    """Mentions on disk in one incident, read by a second, read-only reader."""
    store = IncidentStore(data_dir)
    with store.open(slug, clock=FrozenClock(CALM_AT), writable=False) as log:
        return sum(1 for _ in log.mention_records())


def console(session: Session, monkeypatch: pytest.MonkeyPatch) -> WarroomApp:
    """The console with its clock ticks and a flush every 50 ms, so failures repeat quickly."""
    monkeypatch.setattr(tui_app, "FLUSH_SECONDS", 0.05)
    return WarroomApp(session, tick_seconds=0.2)


async def wait_for(pilot: Pilot, condition: Any, seconds: float = 3.0) -> None:
    """Pause until `condition()` holds (a worker thread is involved), or fail."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition()


async def test_a_failing_disk_shows_one_status_then_clears_without_losing_a_mention(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes refused for many flushes: one status with the count, one toast; then all on disk."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    slug = session.log.meta.slug
    disk = FailingDisk(monkeypatch, errno.ENOSPC)
    app = console(session, monkeypatch)
    later = later_mentions(demo_scored)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        notified = counting_notify(app)
        session.engine.ingest_scored(later)
        await wait_for(pilot, lambda: disk.refused >= 8)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert text.count(STATUS) == 1, text
        status = str(app.main_screen.query_one("#status").render())
        assert "No space left on device" in status and f"{len(later)} waiting" in status
        assert len(notified) <= 1
        note_input = app.main_screen.query_one("#note-input", Input)
        assert all(not region.overlaps(note_input.region) for region in toast_regions(app))
        await pilot.press("n", *"still typing", "enter")
        await pilot.pause(0.2)
        assert note_input.value == "", "a note goes to the events log, which still works"
        disk.failing = False
        await wait_for(pilot, lambda: STATUS not in screen_text(app))
        await pilot.pause(0.2)
        assert STATUS not in str(app.main_screen.query_one("#status").render())
        assert len(notified) <= 2
        assert session.log.pending_mentions == 0
    before = sum(1 for s in demo_scored if s.mention.created_at < CALM_AT)
    assert stored_mention_count(data_dir, slug) == before + len(later)


async def test_a_note_the_disk_refuses_stays_in_the_input(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused note: the person is told it was not saved, the text stays, nothing covers it."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    disk = FailingDisk(monkeypatch, errno.EACCES, events=True)
    app = console(session, monkeypatch)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        notified = counting_notify(app)
        await pilot.press("n", *"Legal is on the call", "enter")
        await pilot.pause(0.3)
        note_input = app.main_screen.query_one("#note-input", Input)
        assert note_input.value == "Legal is on the call"
        assert any("not saved" in line.lower() for line in notified), notified
        assert all(not region.overlaps(note_input.region) for region in toast_regions(app))
        disk.failing = False
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert note_input.value == ""
    assert [note.data["text"] for note in session.state.timeline if note.kind == "note"] == [
        "Legal is on the call"
    ]


def test_shutdown_with_a_failing_disk_says_what_is_lost(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Session.shutdown does not raise: it returns one line with the count and the folder."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    FailingDisk(monkeypatch, errno.EACCES)
    later = later_mentions(demo_scored)
    session.engine.ingest_scored(later)
    folder = session.log.path / "mentions"
    line = session.shutdown()
    assert line == (
        f"{len(later):,} mentions could not be written to {folder} (Permission denied); "
        "they are not in the incident log"
    )


def test_quitting_with_a_failing_disk_prints_one_line_and_no_traceback(
    data_dir: Path,
    demo_scored: list,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The real run, headless: leaving prints one `warroom:` line, exits 1, no traceback."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    FailingDisk(monkeypatch, errno.EACCES)
    app = console(session, monkeypatch)
    later = later_mentions(demo_scored)

    async def leave(pilot: Pilot) -> None:
        session.engine.ingest_scored(later)
        await pilot.pause(0.3)
        await pilot.press("ctrl+q")

    with pytest.raises(SystemExit) as leaving:
        app.run(headless=True, size=(120, 35), auto_pilot=leave)
    assert leaving.value.code == 1
    err = capfd.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [
        f"warroom: {len(later):,} mentions could not be written to "
        f"{session.log.path / 'mentions'} (Permission denied); they are not in the incident log"
    ]


def test_a_close_the_disk_refuses_writes_nothing_and_can_be_retried(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mentions that cannot be flushed refuse the close: no CLOSED event; it works once retried."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    session.declare("Brightwell: firmware")
    disk = FailingDisk(monkeypatch, errno.ENOSPC)
    session.engine.ingest_scored(later_mentions(demo_scored))
    slug = session.log.meta.slug
    with pytest.raises(OSError):
        session.close("rolled back")
    assert session.state.closed_at is None and session.log.meta.slug == slug
    disk.failing = False
    session.close("rolled back")
    assert session.closed_slugs == [slug]
    store = IncidentStore(data_dir)
    with store.open(slug, clock=FrozenClock(CALM_AT), writable=False) as log:
        closes = [event for event in log.events() if event.kind == "closed"]
    assert [event.data["summary"] for event in closes] == ["rolled back"]
    session.shutdown()
