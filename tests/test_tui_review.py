"""`warroom review` through Pilot: scrub the finished drill, open a minute, try to change it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Static

from scripts.review_scenes import CHECKED_AFTER, CLOSED_AT, finished_drill
from scripts.scenes import DECLARED_AT
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.model import EventKind, Label, Mention, Score, ScoredMention
from warroom.tui.main import main
from warroom.tui.review.app import ReviewApp
from warroom.tui.review.minute_mentions import MinuteMentionsScreen
from warroom.tui.review.panes import ReviewChecklist, ReviewTimeline

SIZE = (120, 35)
T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory, demo_scored: list) -> tuple[Path, str]:
    """The whole demo drill, worked and closed, built once: review never changes it."""
    folder = tmp_path_factory.mktemp("review")
    return folder, finished_drill(folder, demo_scored)


def review_app(folder: Path, slug: str) -> ReviewApp:
    log = IncidentStore(folder).open(slug, clock=FrozenClock(T0), writable=False)
    return ReviewApp(log)


def header(app: ReviewApp) -> str:
    return str(app.screen.query_one("#review-header", Static).render())


def checked_by(minutes_after_declared: int) -> int:
    """How many steps the drill's team had checked by then (from the scene's own plan)."""
    return sum(1 for minutes in CHECKED_AFTER.values() if minutes <= minutes_after_declared)


async def test_opens_at_the_declaration(drill: tuple[Path, str]) -> None:
    """The cursor starts on the declared minute: clock at zero, crisis, only `on: declared` done."""
    app = review_app(*drill)
    async with app.run_test(size=SIZE):
        text = header(app)
        assert "REVIEW (read-only)" in text and "DRILL" in text
        assert f"{DECLARED_AT:%Y-%m-%d %H:%M} UTC" in text
        assert "T+00:00:00" in text and "CRISIS" in text
        assert app.screen.query_one(ReviewChecklist).progress == (1, 19)


async def test_scrubbing_forward_moves_time_and_checks(drill: tuple[Path, str]) -> None:
    """Two pages right is 20 minutes on: the clock and the checklist follow the cursor."""
    app = review_app(*drill)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("pagedown", "shift+right")
        moment = DECLARED_AT + timedelta(minutes=20)
        assert f"{moment:%H:%M} UTC" in header(app)
        assert "T+00:20:00" in header(app)
        checklist = app.screen.query_one(ReviewChecklist)
        assert checklist.progress[0] == checked_by(20) > 0


async def test_scrubbing_back_unchecks_what_came_later(drill: tuple[Path, str]) -> None:
    """Left moves a minute back: a step checked in the minute left behind is unchecked again."""
    app = review_app(*drill)
    minutes = CHECKED_AFTER["assemble-team"]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["right"] * minutes)
        checklist = app.screen.query_one(ReviewChecklist)
        assert checklist.progress[0] == checked_by(minutes)
        await pilot.press("left")
        assert checklist.progress[0] == checked_by(minutes - 1) == checked_by(minutes) - 1
        assert f"T+00:{minutes - 1:02d}:00" in header(app)


async def test_home_and_end_reach_before_and_after(drill: tuple[Path, str]) -> None:
    """Home: before the declaration, calm, no clock. End: closed, back to normal, all checks."""
    app = review_app(*drill)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("home")
        assert "NORMAL" in header(app) and "--:--:--" in header(app)
        assert app.screen.query_one(ReviewChecklist).progress[0] == 0
        await pilot.press("end")
        text = header(app)
        assert "CLOSED" in text and "NORMAL" in text
        assert f"T+{_clock(CLOSED_AT - DECLARED_AT)}" in text
        assert app.screen.query_one(ReviewChecklist).progress[0] == len(CHECKED_AFTER)


async def test_timeline_shows_only_what_was_written_by_then(drill: tuple[Path, str]) -> None:
    """At the declaration the later notes and checks are hidden and counted."""
    folder, slug = drill
    app = review_app(folder, slug)
    async with app.run_test(size=SIZE):
        timeline = app.screen.query_one(ReviewTimeline)
        kinds = [event.kind for event in timeline.shown]
        assert EventKind.DECLARED in kinds
        assert EventKind.NOTE not in kinds
        # Only the console's own check of the `on: declared` step, written with the declaration.
        checks = [event for event in timeline.shown if event.kind is EventKind.STEP_CHECKED]
        assert [event.data.get("auto") for event in checks] == ["declared"]
        lines = " ".join(str(line.text) for line in timeline.lines)
        total = len(app.data.events)
        assert f"{total - len(timeline.shown)} later events" in lines


async def test_enter_opens_exactly_that_minutes_mentions(
    drill: tuple[Path, str], demo_scored: list
) -> None:
    """Enter lists the mentions posted in the cursor's minute, read from the store."""
    app = review_app(*drill)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "right", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, MinuteMentionsScreen)
        minute = DECLARED_AT + timedelta(minutes=2)
        expected = {
            s.mention.id
            for s in demo_scored
            if minute <= s.mention.created_at < minute + timedelta(minutes=1)
        }
        assert modal.mentions is not None
        got = [item.mention.id for item in modal.mentions]
        assert expected and len(got) == len(set(got)) and set(got) == expected
        await pilot.press("escape")
        assert not isinstance(app.screen, MinuteMentionsScreen)


async def test_checking_a_step_is_refused(drill: tuple[Path, str]) -> None:
    """Space (check) and n (note) say review is read-only; nothing is written to the log."""
    folder, slug = drill
    store = IncidentStore(folder)
    with store.open(slug, clock=FrozenClock(T0), writable=False) as log:
        before = log.event_count()
    app = review_app(folder, slug)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        status = str(app.screen.query_one("#review-status", Static).render())
        assert "review is read-only" in status
        await pilot.press("n")
        assert "review is read-only" in status
    with store.open(slug, clock=FrozenClock(T0), writable=False) as log:
        assert log.event_count() == before


async def test_hostile_mention_text_shows_literally(data_dir: Path) -> None:
    """Markup and escape sequences in a mention are shown as characters, never obeyed."""
    store = IncidentStore(data_dir)
    hostile = "[bold red]fake[/] \x1b[2J\x1b]0;title\x07 [link=http://x]y[/link]"
    moment = T0 + timedelta(seconds=5)
    with store.create("hostile", clock=FrozenClock(T0)) as log:
        log.append_mentions(
            [ScoredMention(Mention("t:1", "test", hostile, moment), Score(-0.5, Label.NEGATIVE))]
        )
        slug = log.meta.slug
    app = review_app(data_dir, slug)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        options = app.screen.query_one("#minute-list")
        prompt = str(options.get_option_at_index(0).prompt)
        assert "[bold red]fake[/]" in prompt and "[link=http://x]y[/link]" in prompt
        assert "\x1b" not in prompt and "\x07" not in prompt


async def test_an_undeclared_incident_without_its_playbook_opens(data_dir: Path) -> None:
    """A watch never declared, its playbook gone: no clock, and the checklist says why."""
    store = IncidentStore(data_dir)
    with store.create("quiet watch", clock=FrozenClock(T0)) as log:
        log.append(EventKind.PLAYBOOK_CHANGED, {"playbook": "gone-missing"})
        slug = log.meta.slug
    app = review_app(data_dir, slug)
    async with app.run_test(size=SIZE):
        assert "--:--:--" in header(app)
        checklist = app.screen.query_one(ReviewChecklist)
        assert "gone-missing" in str(checklist.get_option_at_index(0).prompt)


async def test_review_opens_while_a_console_holds_the_incident(data_dir: Path) -> None:
    """A writer holds the lock: review still opens, on what has reached the disk."""
    store = IncidentStore(data_dir)
    with store.create("live", clock=FrozenClock(T0)) as writer:
        writer.append(EventKind.NOTE, {"text": "still working it"}, author="dana")
        app = review_app(data_dir, writer.meta.slug)
        async with app.run_test(size=SIZE):
            shown = app.screen.query_one(ReviewTimeline).shown
            assert [event.data.get("text") for event in shown] == ["still working it"]
        assert writer.writable


def test_review_refuses_a_log_open_for_writing(data_dir: Path) -> None:
    """The review app never holds the write lock."""
    store = IncidentStore(data_dir)
    with store.create("x", clock=FrozenClock(T0)) as log, pytest.raises(ValueError, match="only"):
        ReviewApp(log)


def test_cli_names_an_unknown_incident_in_one_line(data_dir: Path) -> None:
    """`warroom review nope` exits 1 with one line saying how to list the incidents."""
    result = CliRunner().invoke(main, ["review", "nope"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "no incident 'nope'" in lines[0] and "warroom incidents" in lines[0]


def _clock(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
