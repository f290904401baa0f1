"""The wall screen: the level and the figures in large type, the latest evidence, the next steps."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.app import App, ComposeResult

from tests.tui_support import CALM_AT, CRISIS_AT, drill_at, screen_text, work_the_crisis
from warroom.demo import scenario as demo_scenario
from warroom.incident.session import Session
from warroom.model import Label, Mention, Score, ScoredMention
from warroom.tui.app import WarroomApp
from warroom.tui.launch import console
from warroom.tui.main import main
from warroom.tui.screens import wall as wall_screen
from warroom.tui.screens.main import MainScreen
from warroom.tui.screens.wall import WallScreen, latest_negative
from warroom.tui.widgets.bigtext import BigText, block_lines
from warroom.tui.widgets.feed import compact_number
from warroom.tui.widgets.figures import FigureTile

MARKUP = "[bold red]x[/]"
CLOSER = "[/] and [@click=app.quit]quit[/]"
ESCAPES = "\x1b[2J\x1b]0;pwned\x07"
DECLARED = demo_scenario.SURGE_START + timedelta(minutes=10)  # as work_the_crisis declares


def crisis(data_dir: Path, scored: list) -> Session:
    """The drill 25 minutes into the surge: declared 15 minutes ago, half the steps checked."""
    session = drill_at(data_dir, scored, CRISIS_AT, operator="dana")
    work_the_crisis(session)
    return session


def wall_app(session: Session) -> WarroomApp:
    """The console as `--wall` builds it, without clock ticks."""
    return console(session, wall=True, tick_seconds=0)


def value(app: WarroomApp, key: str) -> str:
    return app.screen.query_one(f"#figure-{key}", FigureTile).query_one(BigText).text


async def test_the_wall_shows_the_level_and_the_figures(data_dir: Path, demo_scored: list) -> None:
    """In a crisis: CRISIS in block letters, the share, volume and count as the gauge has them,
    the incident clock, the latest negative mention and the first open step."""
    session = crisis(data_dir, demo_scored)
    app = wall_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.2)
        assert isinstance(app.screen, WallScreen)
        word = app.screen.query_one("#wall-word", BigText)
        assert word.text == "CRISIS" and word.scale >= 2
        shown = screen_text(app)
        assert block_lines("CRISIS", word.scale)[2].strip() in shown
        gauge = session.engine.signals.gauge()
        assert gauge.negative_share is not None and gauge.baseline_volume_per_min
        assert value(app, "negative") == f"{gauge.negative_share * 100:.0f}%"
        ratio = gauge.volume_per_min / gauge.baseline_volume_per_min
        assert value(app, "volume") == f"{ratio:.1f}x"
        assert value(app, "recent") == compact_number(sum(gauge.volume_spark[-10:]))
        assert value(app, "declared") == "0:15"
        assert f"usual {gauge.baseline_negative_share * 100:.0f}%" in shown  # type: ignore[operator]
        newest = session.recent_negative[-1].mention
        assert f"@{newest.author}" in shown
        first_open = next(s for s in session.playbook.steps if s.id not in session.state.checks)
        assert first_open.title in shown
        assert app.screen.query_one("#figure-negative").has_class("-alarm")


async def test_the_wall_follows_the_level_as_it_changes(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Calm, the wall says NORMAL and not declared; the surge arrives and it says CRISIS at
    once (it listens to the engine: not at the next clock redraw)."""
    monkeypatch.setattr(wall_screen, "CLOCK_SECONDS", 600.0)
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = wall_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.2)
        wall = app.screen
        word = wall.query_one("#wall-word", BigText)
        assert word.text == "NORMAL" and wall.has_class("-normal")
        assert value(app, "declared") == "-:--"
        assert "NOT DECLARED" in screen_text(app)
        calm_reason = str(wall.query_one("#wall-reason").render())
        session.clock.set(CRISIS_AT)  # type: ignore[attr-defined]
        session.engine.ingest_scored(
            [s for s in demo_scored if CALM_AT <= s.mention.created_at < CRISIS_AT]
        )
        await pilot.pause(0.6)
        assert word.text == "CRISIS"  # (the console also asks to declare, over the wall)
        assert wall.has_class("-crisis") and not wall.has_class("-normal")
        assert str(wall.query_one("#wall-reason").render()) != calm_reason


async def test_escape_and_w_leave_the_wall_for_the_panes(data_dir: Path, demo_scored: list) -> None:
    """Escape goes back to the panes and the wall stops listening; `w` on the wall does too."""
    session = crisis(data_dir, demo_scored)
    app = wall_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.1)
        wall = app.screen
        assert isinstance(wall, WallScreen) and wall._collect in session.engine.listeners
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MainScreen)
        assert wall._collect not in session.engine.listeners
        app.push_screen(WallScreen(session))
        await pilot.pause(0.1)
        assert isinstance(app.screen, WallScreen)
        await pilot.press("w")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MainScreen)


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "warroom.yaml"
    path.write_text("brand: Acme\ntopics:\n  brand: [acme]\nsources: []\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "on_wall"),
    [
        (["demo", "--reset", "--wall"], True),
        (["demo", "--reset"], False),
        (["replay", str(demo_scenario.DEMO_PATH), "--wall"], True),
        (["watch", "--config", "{config}", "--wall"], True),
    ],
    ids=["demo", "demo-panes", "replay", "watch"],
)
async def test_the_wall_option_opens_the_console_on_the_wall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], on_wall: bool
) -> None:
    """`--wall` on demo, replay and watch opens the wall; Escape shows the panes under it."""
    built: list[WarroomApp] = []
    monkeypatch.setattr(WarroomApp, "run", lambda app, **_: built.append(app))
    args = [arg.replace("{config}", str(_config(tmp_path))) for arg in args]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (app,) = built
    app.feeder = None  # what opens is the question here, not the mentions that would play
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.1)
        assert isinstance(app.screen, WallScreen if on_wall else MainScreen)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MainScreen)


def test_wall_and_headless_are_refused_together() -> None:
    """`demo --headless --wall` says the two do not go together, in one line."""
    result = CliRunner().invoke(main, ["demo", "--headless", "--wall"])
    assert result.exit_code == 2
    assert "--wall opens the console; --headless has none" in result.output


async def test_hostile_mention_text_shows_as_its_characters(
    data_dir: Path, demo_scored: list
) -> None:
    """A negative mention holding markup and escapes is shown literally, its escapes dropped."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    hostile = Mention(
        id="demo:hostile",
        source="demo",
        text=f"{MARKUP} {CLOSER} {ESCAPES}broken",
        created_at=CALM_AT - timedelta(seconds=1),
        author="[b]evil",
    )
    session.engine.ingest_scored([ScoredMention(hostile, Score(-0.9, Label.NEGATIVE))])
    app = wall_app(session)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause(0.2)
        shown = screen_text(app)
        assert f"@[b]evil  {MARKUP} {CLOSER} broken" in shown
        assert "\x1b" not in shown and "\x07" not in shown


@pytest.mark.parametrize(
    ("size", "level_scale"), [((80, 24), 1), ((120, 35), 3), ((200, 60), 6)], ids=str
)
async def test_the_layout_holds_at_each_size(
    data_dir: Path, demo_scored: list, size: tuple[int, int], level_scale: int
) -> None:
    """At 80x24, 120x35 and 200x60 the level, the four figures (in block letters), three
    mentions and two steps are all on the screen; the larger the screen, the larger the type."""
    app = wall_app(crisis(data_dir, demo_scored))
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        word = screen.query_one("#wall-word", BigText)
        assert word.scale >= level_scale
        for value_text in screen.query(".figure-value").results(BigText):
            assert value_text.scale >= 1, value_text.text
        evidence = screen.query_one("#wall-evidence")
        steps = screen.query_one("#wall-steps")
        needed = [
            word,
            *screen.query(FigureTile),
            *list(screen.query(".mention"))[:3],
            *list(screen.query(".step"))[:2],
        ]
        for widget in needed:
            assert widget.region.area > 0 and screen.region.contains_region(widget.region), widget
        for line in list(screen.query(".mention"))[:3]:
            assert evidence.content_region.contains_region(line.region)
        for line in list(screen.query(".step"))[:2]:
            assert steps.content_region.contains_region(line.region)


async def test_a_resize_changes_the_type_size(data_dir: Path, demo_scored: list) -> None:
    """From the big screen to a laptop's terminal: smaller letters, the lists stacked."""
    app = wall_app(crisis(data_dir, demo_scored))
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause(0.2)
        word = app.screen.query_one("#wall-word", BigText)
        big = word.scale
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        assert app.screen.has_class("-small") and not app.screen.has_class("-large")
        assert 1 <= word.scale < big
        evidence, steps = (
            app.screen.query_one("#wall-evidence"),
            app.screen.query_one("#wall-steps"),
        )
        assert steps.region.y >= evidence.region.bottom  # one above the other


async def test_the_next_steps_skip_the_checked_and_mark_the_late(
    data_dir: Path, demo_scored: list
) -> None:
    """Three hours in, the open steps are late: ▲ and the word, not only the colour."""
    session = crisis(data_dir, demo_scored)
    session.clock.set(DECLARED + timedelta(hours=3))  # type: ignore[attr-defined]
    app = wall_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.2)
        first = app.screen.query(".step").first()
        assert first.has_class("-late")
        text = str(first.render())
        assert text.lstrip().startswith("▲") and "late" in text
        shown = screen_text(app)
        checked = [s for s in session.playbook.steps if s.id in session.state.checks]
        assert checked and not any(f" {step.title} " in shown for step in checked)


def test_repeats_of_one_post_are_one_line() -> None:
    """The same text posted three times among the latest is one line, ×3; newest first."""

    def negative(n: int, text: str) -> ScoredMention:
        mention = Mention(f"demo:{n}", "demo", text, CALM_AT + timedelta(seconds=n))
        return ScoredMention(mention, Score(-0.5, Label.NEGATIVE))

    items = [negative(1, "stuck at 55F"), negative(2, "no heat"), negative(3, "Stuck  at 55F")]
    items.append(negative(4, "stuck at 55f"))
    latest = latest_negative(items)
    assert [(item.mention.id, copies) for item, copies in latest] == [
        ("demo:4", 3),
        ("demo:2", 1),
    ]


class Banner(App[None]):
    def __init__(self, text: str, max_rows: int) -> None:
        super().__init__()
        self.text, self.max_rows = text, max_rows

    def compose(self) -> ComposeResult:
        yield BigText(self.text, max_rows=self.max_rows)


@pytest.mark.parametrize(("width", "max_rows"), [(12, 15), (80, 2)], ids=["narrow", "flat"])
async def test_big_text_too_big_for_its_space_reads_as_the_word(width: int, max_rows: int) -> None:
    """With no room for block letters the word shows as plain text, never cut to pieces."""
    app = Banner("ELEVATED", max_rows)
    async with app.run_test(size=(width, 10)) as pilot:
        await pilot.pause()
        assert app.query_one(BigText).scale == 0
        assert "ELEVATED" in screen_text(app)


def test_block_letters_are_square_at_every_scale() -> None:
    """Scale n: each pixel n columns wide and n half-rows high (5 pixels: 3, 5, 8 rows)."""
    assert [len(block_lines("NORMAL", scale)) for scale in (1, 2, 3)] == [3, 5, 8]
    assert len(block_lines("NORMAL", 2)[0]) == 2 * len(block_lines("NORMAL", 1)[0])
    assert block_lines("I", 2)[0] == "██████"  # the I's top bar, three pixels of two columns


def test_wall_snapshot_200x60(snap_compare, data_dir: Path, demo_scored: list) -> None:
    """The wall at 200x60 in the crisis looks as it did when last reviewed."""
    assert snap_compare(wall_app(crisis(data_dir, demo_scored)), terminal_size=(200, 60))
