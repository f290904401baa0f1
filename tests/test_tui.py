"""The console driven as a person would, through Pilot, checked on the screen and in the store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.message import Message
from textual.widgets import Input

from tests.team_support import until
from tests.tui_support import CALM_AT, CRISIS_AT, drill_at, quiet_app
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.incident.session import InProcessScoring
from warroom.incident.state import IncidentState
from warroom.model import EventKind, Label, Level, Mention, ScoredMention
from warroom.tui.launch import demo_session
from warroom.tui.messages import CheckStep, DeclareIncident, FlagMention, WriteNote
from warroom.tui.screens.incident import CloseScreen, DeclareScreen
from warroom.tui.screens.mention import MentionScreen
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.feed import MentionFeed


def timeline_text(app) -> str:
    """The notes pane's timeline as one line of words (it wraps to the pane's width)."""
    lines = app.main_screen.query_one("#timeline").lines
    return " ".join(" ".join(str(line.text).split()) for line in lines)


def stored_events(data_dir: Path, kind: EventKind, slug: str | None = None) -> list:
    """The events of one kind in the drill incident (the first, unless named), from disk."""
    store = IncidentStore(data_dir)
    slug = slug or store.list()[0].slug
    with store.open(slug, clock=FrozenClock(CALM_AT), writable=False) as log:
        return [event for event in log.events() if event.kind is kind]


async def test_filter_shows_only_matching_mentions(data_dir: Path, demo_scored: list) -> None:
    """`/` then `neg source:reddit` leaves only negative Reddit mentions in the feed."""
    app = quiet_app(drill_at(data_dir, demo_scored, CRISIS_AT))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("slash")
        await pilot.press(*"neg source:reddit")
        await pilot.press("enter")
        feed = app.main_screen.query_one(MentionFeed)
        assert feed.shown, "the filter should leave some mentions"
        assert all(row.label is Label.NEGATIVE for row in feed.shown)
        assert all(row.item.mention.source == "reddit" for row in feed.shown)
        assert len(feed.shown) < len(feed.rows)
        assert "filter: negative source:reddit" in str(
            app.main_screen.query_one("#feed-pane").border_title
        )


async def test_pause_holds_new_mentions_and_counts_them(data_dir: Path, demo_scored: list) -> None:
    """Space pauses: arrivals wait, counted; space again shows them on top."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = quiet_app(session)
    later = [
        s for s in demo_scored if CALM_AT <= s.mention.created_at < CALM_AT + timedelta(minutes=5)
    ]
    async with app.run_test(size=(120, 35)) as pilot:
        feed = app.main_screen.query_one(MentionFeed)
        before = feed.rows[0]
        await pilot.press("space")
        session.engine.ingest_scored(later)
        await pilot.pause(0.3)
        assert feed.paused and len(feed.waiting) == len(later)
        assert feed.rows[0] is before
        assert f"PAUSED, {len(later)} new" in str(
            app.main_screen.query_one("#feed-pane").border_title
        )
        await pilot.press("space")
        assert not feed.paused and not feed.waiting
        assert feed.rows[0].item.mention.id == later[-1].mention.id


async def test_open_mention_add_evidence_flag_and_override(
    data_dir: Path, demo_scored: list
) -> None:
    """Enter opens the mention; e, f and - are written to the log with who did them."""
    app = quiet_app(drill_at(data_dir, demo_scored, CRISIS_AT))
    async with app.run_test(size=(120, 35)) as pilot:
        feed = app.main_screen.query_one(MentionFeed)
        target = feed.current
        assert target is not None
        await pilot.press("enter")
        assert isinstance(app.screen, MentionScreen)
        await pilot.press("e", "f", "minus")
        await pilot.press("escape")
        assert not isinstance(app.screen, MentionScreen)
        assert feed.rows[0].flagged and feed.rows[0].label is Label.NEGATIVE
    notes = stored_events(data_dir, EventKind.NOTE)
    assert notes[-1].data["mention_id"] == target.item.mention.id and notes[-1].author == "tester"
    assert (
        stored_events(data_dir, EventKind.FLAGGED)[-1].data["mention_id"] == target.item.mention.id
    )
    override = stored_events(data_dir, EventKind.SENTIMENT_OVERRIDDEN)[-1]
    assert override.data == {
        "mention_id": target.item.mention.id,
        "label": "negative",
        "was": str(target.item.score.label),
        "compound": target.item.score.compound,  # with its post: any console can count it
        "mention": target.item.mention.to_dict(),
    }


async def test_check_and_uncheck_a_step(data_dir: Path, demo_scored: list) -> None:
    """Space on a step checks it (who and when on screen and on disk); again unchecks it."""
    app = quiet_app(drill_at(data_dir, demo_scored, CRISIS_AT))
    async with app.run_test(size=(120, 35)) as pilot:
        checklist = app.main_screen.query_one(Checklist)
        await pilot.press("3")
        assert checklist.has_focus
        step = checklist.highlighted_option.id
        await pilot.press("space")
        await pilot.pause(0.2)
        assert str(checklist.highlighted_option.prompt).startswith("[✓]")
        assert "tester" in str(checklist.highlighted_option.prompt)
        assert app.session.state.checks[step].by == "tester"
        await pilot.press("space")
        await pilot.pause(0.2)
        assert step not in app.session.state.checks
    kinds = [e.data["step"] for e in stored_events(data_dir, EventKind.STEP_CHECKED)]
    assert kinds == [step]
    assert [e.data["step"] for e in stored_events(data_dir, EventKind.STEP_UNCHECKED)] == [step]


async def test_write_a_note(data_dir: Path, demo_scored: list) -> None:
    """n, text, Enter: the note is on disk, in the timeline, and the input is cleared."""
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("n")
        await pilot.press(*"Legal is on the call")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.main_screen.query_one("#note-input", Input).value == ""
        timeline = timeline_text(app)
        assert "tester: Legal is on the call" in timeline
    (note,) = stored_events(data_dir, EventKind.NOTE)
    assert note.data["text"] == "Legal is on the call" and note.author == "tester"


async def test_a_note_that_cannot_be_saved_stays_in_the_input(
    data_dir: Path, demo_scored: list
) -> None:
    """If the log refuses the note, the typed text is kept and the user is told."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        session.log.close()  # the disk is gone, as far as the log is concerned
        await pilot.press("n")
        await pilot.press(*"do not lose me")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.main_screen.query_one("#note-input", Input).value == "do not lose me"


async def test_the_main_screen_asks_the_app_by_message(data_dir: Path, demo_scored: list) -> None:
    """A checked step, a note and `d` reach the app as CheckStep, WriteNote and DeclareIncident."""
    app = quiet_app(drill_at(data_dir, demo_scored, CRISIS_AT))
    posted: list[Message] = []
    async with app.run_test(size=(120, 35), message_hook=posted.append) as pilot:
        await pilot.press("3", "space")
        await pilot.press("n", *"on it", "enter", "escape")
        await pilot.press("d")
        await pilot.pause(0.2)
        assert isinstance(app.screen, DeclareScreen)
    asked = list(dict.fromkeys(m for m in posted if isinstance(m, WriteNote | CheckStep)))
    assert [type(m) for m in asked] == [CheckStep, WriteNote]
    assert [m.manual for m in posted if isinstance(m, DeclareIncident)][:1] == [True]


async def test_a_flag_then_esc_at_once_still_reaches_the_feed(
    data_dir: Path, demo_scored: list
) -> None:
    """The mention screen closed before its FlagMention is handled: the flag is still saved."""
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    posted: list[Message] = []
    async with app.run_test(size=(120, 35), message_hook=posted.append) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, MentionScreen)
        screen.action_flag()
        screen.dismiss()
        feed = app.main_screen.query_one(MentionFeed)
        await until(lambda: feed.shown[0].flagged, seconds=5)  # a loaded CI machine is slower
        assert app.is_running
    assert any(isinstance(m, FlagMention) for m in posted)
    assert len(stored_events(data_dir, EventKind.FLAGGED)) == 1


async def test_crisis_proposes_declaring_and_enter_declares(
    data_dir: Path, demo_scored: list
) -> None:
    """When the level turns crisis the console proposes declaring; Enter accepts with evidence."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = quiet_app(session)
    surge = [s for s in demo_scored if CALM_AT <= s.mention.created_at < CRISIS_AT]
    async with app.run_test(size=(120, 35)) as pilot:
        session.engine.ingest_scored(surge)
        await pilot.pause(0.3)
        assert session.engine.level is Level.CRISIS
        assert isinstance(app.screen, DeclareScreen)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert session.state.declared
        header = app.main_screen.query_one("#header")
        assert header.has_class("-crisis")
    (declared,) = stored_events(data_dir, EventKind.DECLARED)
    assert declared.author == "tester"
    assert declared.data["evidence"]["reason"]
    assert declared.data["name"].startswith("Brightwell: reports of Brightwell ")


async def test_close_asks_for_a_summary(data_dir: Path, demo_scored: list) -> None:
    """Closing needs a one-line summary; it is stored with the close."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("Firmware 4.2")
    slug = session.log.meta.slug
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        app.action_close_incident()
        await pilot.pause(0.1)
        assert isinstance(app.screen, CloseScreen)
        await pilot.press("enter")  # empty: refused, still open
        assert isinstance(app.screen, CloseScreen)
        await pilot.press(*"Rolled back 4.2; sentiment recovered")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        # Watching goes on in a fresh log; the closed incident is final and ready for review.
        assert session.closed_slugs == [slug]
        assert session.log.meta.slug != slug and not session.state.declared
        assert "no incident declared" in str(app.main_screen.query_one("#header").render())
    (closed,) = stored_events(data_dir, EventKind.CLOSED, slug)
    assert closed.data["summary"] == "Rolled back 4.2; sentiment recovered"
    assert (data_dir / "incidents" / slug / "review-minutes.json").is_file()


async def test_restart_resumes_the_open_incident(data_dir: Path, demo_scored: list) -> None:
    """A second start continues the drill: same incident, clock, checks, notes and feed."""
    first = drill_at(data_dir, demo_scored, CRISIS_AT)
    first.declare("Firmware 4.2")
    step = first.playbook.steps[0].id
    first.set_step(step, True)
    first.note("holding statement approved")
    slug = first.log.meta.slug
    first.shutdown()

    later = CRISIS_AT + timedelta(minutes=10)
    second = demo_session(data_dir, FrozenClock(later), scoring=InProcessScoring())
    assert second.log.meta.slug == slug
    assert second.state.declared and step in second.state.checks
    assert second.state.elapsed(later) == 600.0
    app = quiet_app(second)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.2)
        checklist = app.main_screen.query_one(Checklist)
        assert checklist.progress[0] == len(second.state.checks) == 2  # with `on: declared`
        timeline = timeline_text(app)
        assert "holding statement approved" in timeline
        assert app.main_screen.query_one(MentionFeed).rows
        assert "00:10:00" in str(app.main_screen.query_one("#header").render())


HOSTILE = [
    "[bold red]x[/] [link=https://evil.test]click[/link]",
    "clear\x1b[2J\x1b[H screen \x1b]0;pwned title\x07 \x1b]52;c;ZXZpbA==\x07 clipboard",
    "bell\x07 null\x00 backspace\x08 cr\r end",
    "right-to-left \u202etxet desrever\u202c done",
    "x" * 100_000,
]


async def test_hostile_texts_render_literally(data_dir: Path, demo_scored: list) -> None:
    """Markup, escapes, controls, bidi overrides and a 100,000-character post change nothing."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = quiet_app(session)
    hostile = [
        Mention(
            f"demo:hostile-{n}", "demo", text, CALM_AT - timedelta(seconds=n), author="[b]evil[/b]"
        )
        for n, text in enumerate(HOSTILE)
    ]
    async with app.run_test(size=(120, 35)) as pilot:
        await session.ingest(hostile)
        await pilot.pause(0.3)
        feed = app.main_screen.query_one(MentionFeed)
        lines = [
            "".join(segment.text for segment in feed.render_line(y))
            for y in range(feed.size.height)
        ]
        joined = "\n".join(lines)
        assert "[bold red]x[/]" in joined
        assert "[b]evil[/b]" in joined
        assert "\x1b" not in joined and "\x07" not in joined and "\u202e" not in joined
        assert all(len(line) == feed.size.width for line in lines)
        await pilot.press("enter")  # open the newest: the 100,000-character post's neighbour
        assert isinstance(app.screen, MentionScreen)
        await pilot.press("escape")
        assert app.main_screen.query_one("#header").region.height == 1


async def test_narrow_terminal_shows_one_pane_at_a_time(data_dir: Path, demo_scored: list) -> None:
    """At 80x24 the panes become tabs switched with 1-4."""
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        assert screen.has_class("-narrow")
        assert (
            screen.query_one("#feed-pane").display and not screen.query_one("#gauge-pane").display
        )
        await pilot.press("2")
        assert (
            screen.query_one("#gauge-pane").display and not screen.query_one("#feed-pane").display
        )
        await pilot.press("4")
        assert screen.query_one("#note-input").has_focus


def test_overridden_sentiment_moves_the_signals(data_dir: Path, demo_scored: list) -> None:
    """A person's override changes the negative count of that mention's minute."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    item = next(
        s
        for s in reversed(demo_scored)
        if s.mention.created_at < CALM_AT and s.label is Label.POSITIVE and s.mention.is_brand
    )
    minute = item.mention.created_at.replace(second=0, microsecond=0)
    before = next(m for m in session.engine.signals.series() if m.minute == minute).negative
    session.override(item, Label.NEGATIVE)
    after = next(m for m in session.engine.signals.series() if m.minute == minute).negative
    assert after == before + 1
    assert (
        IncidentState.from_events(session.log.events()).overrides[item.mention.id] is Label.NEGATIVE
    )
    assert isinstance(item, ScoredMention)
