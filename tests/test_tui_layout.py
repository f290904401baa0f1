"""The layout holds at 80x24, 120x35 and 200x60 and after resizes; urgent lines stay the most
visible without colour, in 16 colours and in the light theme; the gauge leads with what the
detector judges."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from scripts.scenes import DECLARED_AT
from tests.tui_support import CALM_AT, CRISIS_AT, drill_at, quiet_app, work_the_crisis
from warroom.detection.signals import Gauge
from warroom.detection.trending import TrendingTerm
from warroom.incident.session import Session
from warroom.incident.state import Check
from warroom.model import Level
from warroom.playbook import Step
from warroom.playbook.model import Due
from warroom.tui.widgets.checklist import Checklist, deadline_words, due_order, span_words
from warroom.tui.widgets.feed import MentionFeed
from warroom.tui.widgets.gauge import (
    ELLIPSIS,
    GaugeText,
    Section,
    clauses,
    fit,
    fitted_reason,
    headline,
    share_alarms,
    volume_alarms,
)
from warroom.tui.widgets.notes import Timeline

SIZES = [(80, 24), (120, 35), (200, 60)]
SIZE_IDS = ["80x24", "120x35", "200x60"]
PANE_KEYS = {"feed": "1", "gauge": "2", "checklist": "3", "notes": "4"}
LONG_NOTE = (
    "Legal wants the holding line to say we are rolling firmware 4.2 back tonight, that "
    "support will call every customer with a stuck thermostat, and that refunds for space "
    "heaters are approved up to 80 dollars."
)
REASON = (
    "negative share 42% vs baseline 21%, volume 6.4x baseline over the last 10 min "
    "(z=6.4, negatives 12.6x expected)"
)


# -- reading the screen ----------------------------------------------------------------------


def strips_in(app: App[Any], widget: Widget) -> list[Strip]:
    """What is on screen inside a widget's content (scrollbars left out), line by line."""
    region = widget.scrollable_content_region
    strips = app.screen._compositor.render_strips()
    return [strips[y].crop(region.x, region.right) for y in range(region.y, region.bottom)]


def lines_in(app: App[Any], widget: Widget) -> list[str]:
    """The characters on screen inside a widget, line by line."""
    return ["".join(segment.text for segment in strip) for strip in strips_in(app, widget)]


def squash(text: str) -> str:
    """The words of a text, one space apart: wrapped text reads the same as unwrapped."""
    return " ".join(text.split())


def words_in(app: App[Any], widget: Widget) -> str:
    """The words on screen inside a widget, one space apart."""
    return squash(" ".join(lines_in(app, widget)))


def luminance(color: RichColor) -> float:
    """WCAG relative luminance."""
    red, green, blue = color.get_truecolor()

    def channel(value: int) -> float:
        share = value / 255
        return share / 12.92 if share <= 0.03928 else ((share + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(style: Style) -> float:
    """WCAG contrast of a segment's ink on its background (reverse swaps them: same ratio)."""
    assert style.color is not None and style.bgcolor is not None
    lighter, darker = sorted((luminance(style.color), luminance(style.bgcolor)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def sixteen(color: RichColor | None) -> int | None:
    """The colour a 16-colour terminal (TERM=xterm) shows for it."""
    return None if color is None else color.downgrade(ColorSystem.STANDARD).number


def longest(strip: Strip) -> Segment:
    """A row's longest run of one style: a step's title, a heading."""
    return max(strip, key=lambda segment: len(segment.text.strip()))


def last_words(strip: Strip) -> Segment:
    """A feed row's last run of one style with words: the mention's text."""
    return [segment for segment in strip if segment.text.strip()][-1]


def brightness(style: Style) -> float:
    """How bright a segment's ink looks (0 black, 1 white)."""
    assert style.color is not None
    return Color.from_rich_color(style.color).brightness


# -- scenes ----------------------------------------------------------------------------------


def crisis(data_dir: Path, scored: list) -> Session:
    """The drill 25 minutes into the surge: declared 15 minutes ago, half the steps checked."""
    session = drill_at(data_dir, scored, CRISIS_AT, operator="dana")
    work_the_crisis(session)
    return session


def late_steps(data_dir: Path, scored: list) -> Session:
    """Declared 50 minutes ago with only the first three steps checked: several are late."""
    session = drill_at(data_dir, scored, CRISIS_AT, operator="dana")
    work_the_crisis(session, steps_done=0.2)
    session.clock.set(DECLARED_AT + timedelta(minutes=50))
    return session


async def show(pilot: Any, pane: str) -> None:
    """Bring a pane into view: on a narrow screen only one shows at a time."""
    await pilot.press(PANE_KEYS[pane])
    await pilot.pause(0.1)


# -- the gauge -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_the_gauge_reads_whole_at_each_size(
    data_dir: Path, demo_scored: list, size: tuple[int, int]
) -> None:
    """The headline figures, the level's whole reason, the trending terms and the mean VADER
    score are all on screen, on the first draw, at 80x24, 120x35 and 200x60."""
    session = crisis(data_dir, demo_scored)
    app = quiet_app(session)
    async with app.run_test(size=size) as pilot:
        await show(pilot, "gauge")
        gauge = session.engine.signals.gauge()
        assert gauge.negative_share is not None and gauge.baseline_negative_share is not None
        assert gauge.baseline_volume_per_min and gauge.trending
        text = words_in(app, app.main_screen.query_one(GaugeText))
        share, usual = gauge.negative_share * 100, gauge.baseline_negative_share * 100
        assert f"Negative {share:.0f}% (usual {usual:.0f}%)" in text
        ratio = gauge.volume_per_min / gauge.baseline_volume_per_min
        assert f"Volume {ratio:.1f}x usual" in text
        assert f"CRISIS {squash(gauge.reason)}" in text
        assert f"Trending {gauge.trending[0].term}" in text
        assert "mean VADER score" in text and "Net" not in text


async def test_a_crisis_after_a_quiet_start_shows_its_reason_and_terms(
    data_dir: Path, demo_scored: list
) -> None:
    """Started calm, the console shows the crisis that follows whole, terms included, with no
    resize to redo the layout."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.2)
        gauge_text = app.main_screen.query_one(GaugeText)
        assert "Trending" not in words_in(app, gauge_text)
        session.clock.set(CRISIS_AT)
        session.engine.ingest_scored(
            [s for s in demo_scored if CALM_AT <= s.mention.created_at < CRISIS_AT]
        )
        session.tick()
        await pilot.pause(0.7)  # the gauge is drawn at most twice a second
        if app.screen is not app.main_screen:
            await pilot.press("escape")  # the detector's proposal to declare: not now
            await pilot.pause(0.1)
        gauge = session.engine.signals.gauge()
        assert gauge.level is Level.CRISIS and gauge.trending
        text = words_in(app, gauge_text)
        assert f"CRISIS {squash(gauge.reason)}" in text
        assert f"Trending {gauge.trending[0].term}" in text


def sample_gauge(**changes: Any) -> Gauge:
    """A crisis gauge with the figures of the issue's example."""
    figures: dict[str, Any] = {
        "at": CRISIS_AT,
        "level": Level.CRISIS,
        "reason": REASON,
        "net_sentiment": -0.03,
        "split": (0.42, 0.30, 0.28),
        "volume_per_min": 35.6,
        "baseline_volume_per_min": 5.6,
        "negative_share": 0.42,
        "baseline_negative_share": 0.12,
        "sentiment_spark": [],
        "volume_spark": [],
        "trending": [TrendingTerm("stuck", 30, 5.0)],
        "competitors": {},
    }
    figures.update(changes)
    return Gauge(**figures)


STYLES = {name: Style() for name in ("figure", "label", "normal", "elevated", "crisis")}


def test_the_headline_is_the_negative_share_and_the_volume_against_the_usual() -> None:
    """One line where it fits ("Negative 42% (usual 12%) · Volume 6.4x usual …"), one figure a
    line where not, the details going first; while learning, it says so."""
    wide = headline(sample_gauge(), 80, STYLES)
    assert [[line.plain for line in form] for form in wide] == [
        ["Negative 42% (usual 12%) · Volume 6.4x usual (35.6/min, usual 5.6)"]
    ]
    assert headline(sample_gauge(), 56, STYLES)[0][0].plain == (
        "Negative 42% (usual 12%) · Volume 6.4x usual (35.6/min)"
    )
    narrow = [line.plain for line in headline(sample_gauge(), 36, STYLES)[0]]
    assert narrow == ["Negative 42% (usual 12%)", "Volume 6.4x usual (35.6/min)"]
    learning = sample_gauge(baseline_volume_per_min=None, baseline_negative_share=None)
    assert headline(learning, 80, STYLES)[0][0].plain == (
        "Negative 42% (usual: learning) · Volume 35.6/min (usual: learning)"
    )


def test_figures_alarm_only_when_the_detector_has_raised_the_level() -> None:
    """A share or volume above usual is drawn in the level's style once the level is raised;
    at NORMAL the same figures are only bold: the console adds no threshold of its own."""
    styles = {**STYLES, "figure": Style(bold=True), "crisis": Style(color="red", bold=True)}

    def style_of(gauge: Gauge, figure: str) -> Style:
        line = headline(gauge, 100, styles)[0][0]
        start = line.plain.index(figure)
        return next(span.style for span in line.spans if span.start == start)

    crisis = sample_gauge()
    assert share_alarms(crisis) and volume_alarms(crisis)
    assert style_of(crisis, "42%") == style_of(crisis, "6.4x") == styles["crisis"]
    calm = sample_gauge(level=Level.NORMAL)
    assert not share_alarms(calm) and not volume_alarms(calm)
    assert style_of(calm, "42%") == styles["figure"]
    below = sample_gauge(negative_share=0.10, volume_per_min=5.0)
    assert not share_alarms(below) and not volume_alarms(below)


def test_a_reason_is_shortened_by_clauses_and_never_cut_mid_word() -> None:
    """Whatever the room, the reason on screen is the whole reason, or its first clauses then
    `…`, or its first whole words then `…`."""
    assert clauses(REASON) == [
        "negative share 42% vs baseline 21%",
        ", volume 6.4x baseline over the last 10 min",
        " (z=6.4, negatives 12.6x expected)",
    ]
    console = Console()
    head = Text("CRISIS ")
    for width in range(12, 90, 3):
        for max_lines in (1, 2, 3, 4):
            lines = fitted_reason(head, REASON, Style(), width, max_lines, console)
            assert len(lines) <= max_lines
            assert all(line.cell_len <= width for line in lines)
            shown = squash(" ".join(line.plain for line in lines)).removeprefix("CRISIS ")
            if shown == squash(REASON):
                continue
            assert shown.endswith(ELLIPSIS)
            kept = shown.removesuffix(ELLIPSIS)
            assert squash(REASON).startswith(kept)
            following = squash(REASON)[len(kept) :]
            assert kept == "" or following[:1] in (" ", ",", "")  # a whole word, never half
    whole = fitted_reason(head, REASON, Style(), 36, 4, console)
    assert squash(" ".join(line.plain for line in whole)) == f"CRISIS {REASON}"
    short = fitted_reason(head, REASON, Style(), 36, 2, console)
    assert [line.plain for line in short] == [
        "CRISIS negative share 42% vs",
        "baseline 21%…",
    ]


def test_fitting_leaves_a_part_out_rather_than_cutting_it() -> None:
    """A part takes its fullest form that fits, else a shorter one, else none: never a part."""
    one = Section([[Text("a1"), Text("a2")]])
    two = Section([[Text("b1"), Text("b2"), Text("b3")], [Text("b")]])
    three = Section([[Text("c1"), Text("c2")]], spaced=True)
    plain = lambda lines: [line.plain for line in lines]  # noqa: E731
    assert plain(fit([one, two, three], 8)) == ["a1", "a2", "b1", "b2", "b3", "", "c1", "c2"]
    assert plain(fit([one, two, three], 7)) == ["a1", "a2", "b1", "b2", "b3", "c1", "c2"]
    assert plain(fit([one, two, three], 5)) == ["a1", "a2", "b", "c1", "c2"]
    assert plain(fit([one, two, three], 4)) == ["a1", "a2", "b"]
    assert plain(fit([one, two, three], 2)) == ["a1", "a2"]


# -- the notes -------------------------------------------------------------------------------


async def test_notes_wrap_at_the_width_of_the_pane_at_80x24(
    data_dir: Path, demo_scored: list
) -> None:
    """At 80x24 the notes use the whole pane (78 columns), not the 20 they had at start."""
    session = crisis(data_dir, demo_scored)
    session.note(LONG_NOTE)
    app = quiet_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "notes")
        timeline = app.main_screen.query_one(Timeline)
        width = timeline.scrollable_content_region.width
        assert width >= 70
        widest = max(len(line.rstrip()) for line in lines_in(app, timeline))
        assert widest >= width - 12
        assert squash(LONG_NOTE) in words_in(app, timeline)


@pytest.mark.parametrize(
    ("start", "end"),
    [((200, 60), (120, 35)), ((120, 35), (80, 24)), ((80, 24), (200, 60))],
    ids=["200-to-120", "120-to-80", "80-to-200"],
)
async def test_a_resize_rewraps_the_notes_without_losing_a_word(
    data_dir: Path, demo_scored: list, start: tuple[int, int], end: tuple[int, int]
) -> None:
    """After a resize the lines are wrapped at the new width, and every word of the latest note
    is on screen, in order: nothing cut at the old width."""
    session = crisis(data_dir, demo_scored)
    session.note(LONG_NOTE)
    app = quiet_app(session)
    async with app.run_test(size=start) as pilot:
        await show(pilot, "notes")
        await pilot.resize_terminal(*end)
        await pilot.pause(0.3)
        await show(pilot, "notes")
        timeline = app.main_screen.query_one(Timeline)
        width = timeline.scrollable_content_region.width
        assert all(line.cell_length <= width for line in timeline.lines)
        assert max(line.cell_length for line in timeline.lines) >= width - 12  # the new width
        assert squash(LONG_NOTE) in words_in(app, timeline)


# -- the checklist ---------------------------------------------------------------------------


def step(step_id: str, due: int, levels: frozenset[Level] = frozenset(Level)) -> Step:
    return Step(step_id, step_id.title(), "respond", "lead", due, Due(due), levels=levels)


def test_steps_are_ordered_by_what_is_due_next() -> None:
    """Open steps that apply by deadline, then the open ones that do not, then the done ones,
    the latest checked first; equal deadlines keep the playbook's order."""
    steps = [
        step("review", 1440),
        step("apology", 90, frozenset({Level.CRISIS})),
        step("statement", 60),
        step("facts", 35),
        step("confirm", 10),
        step("channels", 60),
        step("assemble", 20),
    ]
    checks = {
        "confirm": Check("confirm", "dana", CRISIS_AT),
        "assemble": Check("assemble", "lee", CRISIS_AT + timedelta(minutes=3)),
    }
    due, waiting, done = due_order(steps, checks, Level.ELEVATED)
    assert [s.id for s in due] == ["facts", "statement", "channels", "review"]
    assert [s.id for s in waiting] == ["apology"]
    assert [s.id for s in done] == ["assemble", "confirm"]


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (118 * 60 + 30, "due in 1h58m"),
        (90 * 60, "due in 90m"),
        (91 * 60, "due in 1h31m"),
        (12 * 60 + 59, "due in 12m"),
        (45, "due now"),
        (0, "due now"),
        (-10, "just late"),
        (-59, "just late"),
        (-61, "1m late"),
        (-120 * 60, "2h late"),
        (-(125 * 60 + 5), "2h05m late"),
        (3 * 24 * 3600 + 4 * 3600, "due in 3d4h"),
    ],
)
def test_deadlines_read_in_hours_past_90_minutes(seconds: int, words: str) -> None:
    """`due in 1h58m`, `2h late`; under a minute `due now` or `just late`, never `0m late`."""
    started = CRISIS_AT
    due_at = step("x", 100)
    now = due_at.deadline(started) - timedelta(seconds=seconds)
    assert deadline_words(due_at, started, now)[0] == words


def test_spans_before_the_incident_starts_read_the_same_way() -> None:
    """Before a declaration a step reads `T+` its offset, in hours past 90 minutes."""
    assert deadline_words(step("x", 120), None, CRISIS_AT) == ("T+2h", "dim")
    assert [span_words(m) for m in (0, 59, 90, 95, 2880, 4320 + 60)] == [
        "0m",
        "59m",
        "90m",
        "1h35m",
        "2d",
        "3d1h",
    ]


async def test_the_checklist_shows_what_is_due_next_first(
    data_dir: Path, demo_scored: list
) -> None:
    """At 120x35 the open steps come first by deadline, ten of them in view; the done ones
    follow; `p` shows the playbook's phases instead, and `p` again what is due next."""
    session = crisis(data_dir, demo_scored)
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.1)
        checklist = app.main_screen.query_one(Checklist)
        ids = [
            option.id
            for option in (checklist.get_option_at_index(i) for i in range(checklist.option_count))
            if option.id
        ]
        checks, level = session.state.checks, session.engine.level
        open_now = [s for s in session.playbook.steps if s.id not in checks and level in s.levels]
        by_deadline = [s.id for s in sorted(open_now, key=lambda s: s.due_minutes)]
        assert ids[: len(by_deadline)] == by_deadline
        assert set(ids[-len(checks) :]) == set(checks)
        rows = [line for line in lines_in(app, checklist) if line.startswith(("[ ]", "[!]"))]
        assert len(rows) >= 10
        first = session.playbook.step(by_deadline[0])
        assert first.title in rows[0]
        await pilot.press("3", "p")
        assert headings(checklist) == [p.title.upper() for p in session.playbook.phases]
        await pilot.press("p")
        assert headings(checklist) == ["NEXT, BY DEADLINE", "DONE, LATEST FIRST"]


def headings(checklist: Checklist) -> list[str]:
    """The checklist's heading rows, in order."""
    options = (checklist.get_option_at_index(i) for i in range(checklist.option_count))
    return [str(option.prompt) for option in options if option.disabled]


async def test_the_highlight_runs_under_the_whole_step(data_dir: Path, demo_scored: list) -> None:
    """The highlighted step has the highlight's background under its words too, not only after
    them: the rows' styles carry ink, never a background of their own."""
    app = quiet_app(late_steps(data_dir, demo_scored))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("3")
        await pilot.pause(0.1)
        checklist = app.main_screen.query_one(Checklist)
        row = strips_in(app, checklist)[checklist.highlighted or 0]
        backgrounds = {segment.style.bgcolor for segment in row if segment.style}
        assert row.text.startswith("[!]") and len(backgrounds) == 1


# -- legibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("no_color", [True, False], ids=["NO_COLOR", "colour"])
async def test_negative_rows_and_late_steps_are_the_most_visible(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    """Negative mentions are bold; late steps are marked `[!]`, their deadline bold and
    reversed, their title bold; without colour none of them is dimmer than a plain row."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = quiet_app(late_steps(data_dir, demo_scored))
    assert app.no_color is no_color
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.2)
        screen = app.main_screen
        feed_rows = strips_in(app, screen.query_one(MentionFeed))
        negative = [row for row in feed_rows if "▼" in row.text]
        others = [row for row in feed_rows if "▲" in row.text or "•" in row.text]
        assert negative and others
        for row in negative:
            mark = next(segment for segment in row if "▼" in segment.text)
            assert mark.style is not None and mark.style.bold
            assert last_words(row).style is not None and last_words(row).style.bold
        step_rows = strips_in(app, screen.query_one(Checklist))
        late = [row for row in step_rows if row.text.startswith("[!]")]
        calm = [row for row in step_rows if row.text.startswith("[ ]")]
        assert late and calm
        for row in late:
            words = next(segment for segment in row if "late" in segment.text)
            assert words.style is not None and words.style.bold and words.style.reverse
            assert longest(row).style is not None and longest(row).style.bold
        if no_color:
            plain = min(brightness(last_words(row).style) for row in others)
            assert all(brightness(last_words(row).style) >= plain for row in negative)
            plain = min(brightness(longest(row).style) for row in calm)
            assert all(brightness(longest(row).style) >= plain for row in late)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_in_16_colours_alarms_are_red_and_headings_are_not(
    data_dir: Path, demo_scored: list, theme: str
) -> None:
    """What a 16-colour terminal shows: negative text and late deadlines red, phase and section
    headings and the focused pane's border never the alarms' red."""
    app = quiet_app(late_steps(data_dir, demo_scored))
    reds = {1, 9}
    async with app.run_test(size=(120, 35)) as pilot:
        app.theme = theme
        await pilot.pause(0.3)
        screen = app.main_screen
        negative = [r for r in strips_in(app, screen.query_one(MentionFeed)) if "▼" in r.text]
        assert negative
        assert all(sixteen(last_words(row).style.color) in reds for row in negative)
        checklist = screen.query_one(Checklist)
        rows = strips_in(app, checklist)
        late = [next(s for s in row if "late" in s.text) for row in rows if "[!]" in row.text]
        assert late and all(sixteen(s.style.color) in reds for s in late)
        heading = rows[0]
        assert heading.text.strip() == "NEXT, BY DEADLINE"
        assert sixteen(longest(heading).style.color) not in reds
        await pilot.press("3", "p")
        await pilot.pause(0.1)
        titles = {phase.title.upper() for phase in app.session.playbook.phases}
        phase = next(row for row in strips_in(app, checklist) if row.text.strip() in titles)
        style = longest(phase).style
        assert style is not None and style.bold and style.underline
        assert sixteen(style.color) not in reds
        border = screen.query_one("#checklist-pane").styles.border_top[1]
        assert sixteen(border.rich_color) not in reds


async def test_the_light_theme_is_legible_throughout(data_dir: Path, demo_scored: list) -> None:
    """Switched to textual-light: the notes have the pane's light background (no black left
    from the dark theme) and readable ink; the gauge's words, the sparklines' bars, the
    checklist's heading and late steps and the negative mentions all stand out."""
    session = late_steps(data_dir, demo_scored)
    session.note(LONG_NOTE)
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.2)
        app.theme = "textual-light"
        await pilot.pause(0.3)
        screen = app.main_screen
        for row in strips_in(app, screen.query_one(Timeline)):
            for segment in row:
                assert segment.style is not None and segment.style.bgcolor is not None
                assert luminance(segment.style.bgcolor) > 0.5, f"dark behind {segment.text!r}"
                if segment.text.strip():
                    assert contrast(segment.style) >= 3.0, segment.text
        figures = [s for row in strips_in(app, screen.query_one(GaugeText)) for s in row]
        assert all(contrast(s.style) >= 3.0 for s in figures if s.text.strip())
        for spark in ("#spark-sentiment", "#spark-volume"):
            bars = [s for row in strips_in(app, screen.query_one(spark)) for s in row]
            drawn = [s for s in bars if s.text.strip()]
            assert drawn and all(contrast(s.style) >= 2.0 for s in drawn)
        checklist = screen.query_one(Checklist)
        rows = strips_in(app, checklist)
        assert contrast(longest(rows[0]).style) >= 4.5
        # The highlighted row is drawn on the option list's own highlight: left to Textual.
        late = [
            r for n, r in enumerate(rows) if r.text.startswith("[!]") and n != checklist.highlighted
        ]
        assert late
        for row in late:
            words = next(segment for segment in row if "late" in segment.text)
            assert contrast(words.style) >= 4.5 and contrast(longest(row).style) >= 4.5
        negative = [r for r in strips_in(app, screen.query_one(MentionFeed)) if "▼" in r.text]
        assert negative and all(contrast(last_words(r).style) >= 4.5 for r in negative)


# -- snapshots -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_layout_snapshot(snap_compare, data_dir: Path, demo_scored: list, size) -> None:
    """The crisis at each size looks as it did when last reviewed."""
    assert snap_compare(quiet_app(crisis(data_dir, demo_scored)), terminal_size=size)


def test_light_theme_snapshot(snap_compare, data_dir: Path, demo_scored: list) -> None:
    """The late steps in the light theme look as they did when last reviewed."""

    async def light(pilot: Any) -> None:
        pilot.app.theme = "textual-light"
        await pilot.pause(0.2)

    app = quiet_app(late_steps(data_dir, demo_scored))
    assert snap_compare(app, terminal_size=(120, 35), run_before=light)


def test_no_color_snapshot(
    snap_compare, data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The late steps without colour look as they did when last reviewed."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = quiet_app(late_steps(data_dir, demo_scored))
    assert snap_compare(app, terminal_size=(120, 35))


def test_the_walls_figures_alarm_by_the_gauges_rule() -> None:
    """Share, volume and the last ten minutes alarm only once the level is raised; a learned
    rate of 0 is "still learning", never an alarm at 0 mentions."""
    from warroom.tui.widgets.figures import negative_share_figure, recent_figure, volume_figure

    crisis = sample_gauge()
    assert negative_share_figure(crisis).alarm and volume_figure(crisis).alarm
    calm = sample_gauge(level=Level.NORMAL)
    assert not any(f(calm).alarm for f in (negative_share_figure, volume_figure, recent_figure))
    empty = sample_gauge(baseline_volume_per_min=0.0, volume_spark=[0] * 60)
    assert not recent_figure(empty).alarm and "still learning" in recent_figure(empty).note


def test_the_split_bar_always_fills_exactly_its_width() -> None:
    """Rounding each share up must not overflow the pane: the cells add up to the width."""
    from warroom.tui.widgets.gauge import split_bar

    for width in range(0, 41):
        for shares in ((0.5, 0.0, 0.5), (0.34, 0.33, 0.33), (1.0, 0.0, 0.0), (0.25, 0.5, 0.25)):
            cells = split_bar(shares, width)
            assert sum(cells) == width and min(cells) >= 0, (shares, width, cells)
