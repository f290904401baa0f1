"""One focus and escape model: focus goes back where it came from, Escape backs out one level,
the footer offers what has focus, q quits where nothing is typed, help and the palette."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from rich.console import Console
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from scripts.review_scenes import finished_drill
from tests.tui_support import CALM_AT, CRISIS_AT, drill_at, quiet_app, screen_text
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.model import EventKind, Label
from warroom.tui.app import WarroomApp
from warroom.tui.review.app import ReviewApp
from warroom.tui.review.minute_mentions import MinuteMentionsScreen
from warroom.tui.screens.help import HelpScreen
from warroom.tui.screens.incident import DeclareScreen
from warroom.tui.screens.mention import MentionScreen
from warroom.tui.screens.wall import WallScreen
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.feed import MentionFeed


def notes_written(app: WarroomApp) -> list[str]:
    """The texts of the notes in the incident's log, oldest first."""
    return [e.data["text"] for e in app.session.state.timeline if e.kind is EventKind.NOTE]


def footer_keys(app: App[None]) -> list[str]:
    """What the footer offers, as `key description` pairs."""
    return [f"{key.key_display} {key.description}" for key in app.screen.query(FooterKey)]


async def footer_after(pilot: Pilot, *keys: str) -> list[str]:
    """Press the keys, then read the footer once it is drawn again (it recomposes later)."""
    await pilot.press(*keys)
    before = footer_keys(pilot.app)
    for _ in range(20):
        await pilot.pause(0.05)
        shown = footer_keys(pilot.app)
        if shown and shown != before:
            break
    return footer_keys(pilot.app)


def as_text(static: Static) -> str:
    """What a Static shows, as plain lines (a table is laid out at 100 columns)."""
    console = Console(width=100, file=StringIO(), color_system=None)
    with console.capture() as captured:
        console.print(static.content)
    return captured.get()


async def palette_hits(pilot: Pilot, query: str) -> list[str]:
    """Open the palette, type the query, and read the titles it offers."""
    await pilot.press("ctrl+p")
    await pilot.pause(0.1)
    await pilot.press(*query)
    await pilot.pause(0.5)  # the palette searches in a worker
    assert isinstance(pilot.app.screen, CommandPalette)
    options = pilot.app.screen.query_one(CommandList).options
    return [str(option.prompt).split("\n")[0] for option in options]


def crisis_app(data_dir: Path, demo_scored: list) -> WarroomApp:
    return quiet_app(drill_at(data_dir, demo_scored, CRISIS_AT))


async def test_a_saved_note_lets_go_of_the_keys(data_dir: Path, demo_scored: list) -> None:
    """n, a note, Enter, then 1 / "neg refund" Enter filters the feed: nothing more is noted."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("n", *"Legal is on the call", "enter")
        await pilot.press("1", "slash", *"neg refund", "enter")
        await pilot.pause(0.1)
        feed = app.main_screen.query_one(MentionFeed)
        assert notes_written(app) == ["Legal is on the call"]
        assert app.main_screen.query_one("#note-input", Input).value == ""
        assert feed.filter.sentiment is Label.NEGATIVE and feed.filter.words == ("refund",)
        assert feed.has_focus


async def test_a_saved_note_gives_focus_back_to_the_pane_it_came_from(
    data_dir: Path, demo_scored: list
) -> None:
    """From the checklist, n, a note, Enter: the note is saved and the checklist has focus."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("3", "n", *"Support briefed", "enter")
        await pilot.pause(0.1)
        assert notes_written(app) == ["Support briefed"]
        assert app.main_screen.query_one(Checklist).has_focus


async def test_an_unsaved_note_keeps_the_focus_and_its_text(
    data_dir: Path, demo_scored: list
) -> None:
    """A note the log refuses stays in its line, and the line keeps the keys to try again."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        session.log.close()
        await pilot.press("n", *"do not lose me", "enter")
        await pilot.pause(0.1)
        note = app.main_screen.query_one("#note-input", Input)
        assert note.value == "do not lose me" and note.has_focus


async def test_escape_leaves_the_note_line_and_keeps_what_was_typed(
    data_dir: Path, demo_scored: list
) -> None:
    """Esc in the note line: back to the checklist it came from, the text kept and said
    unsaved; n resumes it."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("3", "n", *"half a thought", "escape")
        await pilot.pause(0.1)
        screen = app.main_screen
        note = screen.query_one("#note-input", Input)
        assert screen.query_one(Checklist).has_focus
        assert note.value == "half a thought" and notes_written(app) == []
        assert "not saved" in str(screen.query_one("#notes-pane").border_subtitle)
        await pilot.press("n", *" and the rest", "enter")
        await pilot.pause(0.1)
        assert notes_written(app) == ["half a thought and the rest"]
        assert not screen.query_one("#notes-pane").border_subtitle


async def test_applying_a_filter_gives_focus_to_the_feed(data_dir: Path, demo_scored: list) -> None:
    """From the checklist, / neg Enter: the feed is filtered and has focus."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("3", "slash", *"neg", "enter")
        await pilot.pause(0.1)
        feed = app.main_screen.query_one(MentionFeed)
        assert feed.filter.sentiment is Label.NEGATIVE and feed.has_focus


async def test_escape_in_the_filter_line_clears_and_hides_it(
    data_dir: Path, demo_scored: list
) -> None:
    """/ neg Esc: no filter, the line hidden and empty, the feed focused."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("slash", *"neg", "escape")
        await pilot.pause(0.1)
        field = app.main_screen.query_one("#filter", Input)
        feed = app.main_screen.query_one(MentionFeed)
        assert not feed.filter.active and feed.has_focus
        assert field.value == "" and not field.display


async def test_escape_on_a_filtered_feed_clears_the_filter(
    data_dir: Path, demo_scored: list
) -> None:
    """/ neg Enter, then Esc on the feed: every mention again, and the line hidden."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        filtered = await footer_after(pilot, "slash", *"neg", "enter")
        feed = app.main_screen.query_one(MentionFeed)
        assert feed.filter.active and len(feed.shown) < len(feed.rows)
        assert "esc Clear filter" in filtered
        cleared = await footer_after(pilot, "escape")
        assert not feed.filter.active and len(feed.shown) == len(feed.rows)
        assert not app.main_screen.query_one("#filter").display
        assert "esc Clear filter" not in cleared and "/ Filter" in cleared


async def test_escape_closes_a_dialog_and_focus_comes_back(
    data_dir: Path, demo_scored: list
) -> None:
    """From the checklist, d opens the declare dialog; Esc closes it, the checklist has focus."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("3", "d")
        await pilot.pause(0.1)
        assert isinstance(app.screen, DeclareScreen)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is app.main_screen
        assert app.main_screen.query_one(Checklist).has_focus


async def test_closing_the_mention_view_gives_focus_back_to_the_feed(
    data_dir: Path, demo_scored: list
) -> None:
    """Enter opens a mention, Esc closes it: the feed has focus, on the same row."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        feed = app.main_screen.query_one(MentionFeed)
        await pilot.press("down", "down", "enter")
        assert isinstance(app.screen, MentionScreen)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is app.main_screen and feed.has_focus and feed.cursor == 2


async def test_escape_from_another_pane_goes_back_to_the_feed(
    data_dir: Path, demo_scored: list
) -> None:
    """At 80x24, 3 shows the checklist; Esc shows and focuses the feed again."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        await pilot.press("3")
        assert screen.query_one("#checklist-pane").display
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert screen.query_one(MentionFeed).has_focus
        assert screen.query_one("#feed-pane").display
        assert not screen.query_one("#checklist-pane").display


async def test_escape_from_the_gauge_at_80x24_goes_back_to_the_feed(
    data_dir: Path, demo_scored: list
) -> None:
    """The gauge takes no focus: at 80x24, 2 leaves focus nowhere, and Esc still comes back."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        await pilot.press("2")
        await pilot.pause(0.1)
        assert screen.query_one("#gauge-pane").display
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert screen.query_one(MentionFeed).has_focus
        assert screen.query_one("#feed-pane").display


async def test_wall_mode_asked_for_from_the_wall_opens_no_second_wall(
    data_dir: Path, demo_scored: list
) -> None:
    """The palette's wall command on the wall itself does nothing: one Esc gets back."""
    from warroom.tui.screens.wall import WallScreen

    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("w")
        await pilot.pause(0.1)
        assert isinstance(app.screen, WallScreen)
        app.main_screen.action_wall()
        await pilot.pause(0.1)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is app.main_screen


async def test_question_mark_and_f1_open_help_and_it_closes(
    data_dir: Path, demo_scored: list
) -> None:
    """? opens help, Esc closes it; F1 opens it, F1 closes it; q closes it; focus comes back."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("3")
        checklist = app.main_screen.query_one(Checklist)
        for opening, closing in (("question_mark", "escape"), ("f1", "f1"), ("f1", "q")):
            await pilot.press(opening)
            await pilot.pause(0.1)
            assert isinstance(app.screen, HelpScreen), opening
            await pilot.press(closing)
            await pilot.pause(0.1)
            assert app.screen is app.main_screen, closing
            assert checklist.has_focus
        assert app.is_running


async def test_f1_opens_help_while_typing_and_the_text_is_kept(
    data_dir: Path, demo_scored: list
) -> None:
    """F1 in the note line opens help; closing it gives the line back, text and all."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("n", *"who?", "f1")
        await pilot.pause(0.1)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause(0.1)
        note = app.main_screen.query_one("#note-input", Input)
        assert note.has_focus and note.value == "who?"


async def test_help_lists_every_pane_with_its_keys_as_bound(
    data_dir: Path, demo_scored: list
) -> None:
    """The help screen reads the keys from the bindings, a rebound key included, and says what
    the header, the gauge and the levels mean."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    app = WarroomApp(session, tick_seconds=0, keymap={"feed.filter": "f"})
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("f1")
        await pilot.pause(0.1)
        shown = "\n".join(as_text(static) for static in app.screen.query(Static))
        lines = [line.split() for line in shown.splitlines()]
        for title in ("Mentions (the feed)", "Checklist", "Notes", "Mention view", "Draft"):
            assert title in shown
        assert ["f", "Filter", "Filter", "the", "mentions"] in lines  # rebound from /
        assert ["/", "Filter", "Filter", "the", "mentions"] not in lines
        assert any(line[:2] == ["space", "Pause"] for line in lines)  # the feed's
        assert any(line[:2] == ["o", "Only"] for line in lines)  # the checklist's
        assert any(line[:2] == ["^s", "Record"] for line in lines)  # the draft's
        assert any(line[:2] == ["^p", "Palette"] for line in lines)
        for word in ("Header", "Gauge", "NORMAL", "ELEVATED", "CRISIS"):
            assert [word] in [line[:1] for line in lines]


async def test_q_quits_where_nothing_is_typed(data_dir: Path, demo_scored: list) -> None:
    """q on the feed leaves the console."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("q")
        await pilot.pause(0.1)
        assert not app.is_running


async def test_q_in_a_line_of_text_is_typed(data_dir: Path, demo_scored: list) -> None:
    """n then q types a q into the note; the console stays; ctrl+q still leaves."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("n", "q", "u", "i", "t")
        await pilot.pause(0.1)
        assert app.main_screen.query_one("#note-input", Input).value == "quit"
        assert app.is_running
        await pilot.press("enter", "ctrl+q")
        await pilot.pause(0.1)
        assert not app.is_running


async def test_quitting_with_an_unsaved_note_asks_first(data_dir: Path, demo_scored: list) -> None:
    """A note typed, left with Esc: the first q warns and stays, a second q leaves."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await pilot.press("n", *"unfinished", "escape", "q")
        await pilot.pause(0.1)
        assert app.is_running
        assert any("not saved" in str(n.message) for n in app._notifications)
        await pilot.press("q")
        await pilot.pause(0.1)
        assert not app.is_running


async def test_the_footer_offers_no_single_keys_while_typing(
    data_dir: Path, demo_scored: list
) -> None:
    """On the feed the footer offers / and q; typing a note or a filter, only what works while
    typing (Esc, ^q), never a single key that the line would take as a character."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        offered = await footer_after(pilot)
        assert "/ Filter" in offered and "q Quit" in offered, offered
        typing = await footer_after(pilot, "n")
        assert [pair for pair in typing if len(pair.split()[0]) == 1] == [], typing
        assert "esc Back" in typing and "^q Quit" in typing
        filtering = await footer_after(pilot, "escape", "slash")
        assert [pair for pair in filtering if len(pair.split()[0]) == 1] == [], filtering
        assert "esc Clear filter" in filtering


async def test_the_palette_finds_the_filters_by_the_words_people_type(
    data_dir: Path, demo_scored: list
) -> None:
    """ "filter" lists the feed's filters; "clear filter" and "flagged" find theirs."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        hits = await palette_hits(pilot, "filter")
        for title in (
            "filter: type a filter…",
            "filter: show negative only",
            "filter: show flagged only",
            "filter: show competitors only",
            "filter: clear, show every mention",
        ):
            assert title in hits, hits
        await pilot.press("escape")
        assert (await palette_hits(pilot, "clear filter"))[0] == "filter: clear, show every mention"
        await pilot.press("escape")
        assert "filter: show flagged only" in await palette_hits(pilot, "flagged")
        await pilot.press("escape")
        assert "filter: show competitors only" in await palette_hits(pilot, "competitors")
        await pilot.press("escape")


async def test_a_palette_filter_filters_the_feed_and_esc_clears_it(
    data_dir: Path, demo_scored: list
) -> None:
    """The palette's "show negative" filters the feed and focuses it; Esc clears it."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("3")
        await palette_hits(pilot, "show negative")
        await pilot.press("enter")
        await pilot.pause(0.2)
        feed = app.main_screen.query_one(MentionFeed)
        assert feed.filter.sentiment is Label.NEGATIVE and feed.has_focus
        assert app.main_screen.query_one("#filter", Input).value == "neg"
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not feed.filter.active


async def test_the_palette_has_one_screenshot_and_our_help_for_keys(
    data_dir: Path, demo_scored: list
) -> None:
    """No Textual "Keys" panel and one screenshot entry; "keys" finds the help screen."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        hits = await palette_hits(pilot, "screenshot")
        assert [hit for hit in hits if "creenshot" in hit] == ["view: save screenshot"]
        await pilot.press("escape")
        hits = await palette_hits(pilot, "keys")
        assert "Keys" not in hits
        assert hits[0] == "help: keys and what the screen shows"
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is app.main_screen
        assert "help: keys" not in screen_text(app)


async def test_ctrl_q_quits_from_a_dialog(data_dir: Path, demo_scored: list) -> None:
    """ctrl+q in the mention view leaves the console: one quit key, wherever focus is."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, MentionScreen)
        await pilot.press("ctrl+q")
        await pilot.pause(0.1)
        assert not app.is_running


async def test_the_review_quits_with_q_and_with_ctrl_q_from_a_dialog(
    tmp_path: Path, demo_scored: list
) -> None:
    """In the review q leaves the timeline, and ctrl+q leaves from the minute's mentions too."""
    slug = finished_drill(tmp_path, demo_scored)

    def review() -> ReviewApp:
        return ReviewApp(
            IncidentStore(tmp_path).open(slug, clock=FrozenClock(CALM_AT), writable=False)
        )

    app = review()
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("q")
        await pilot.pause(0.1)
        assert not app.is_running
    app = review()
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert isinstance(app.screen, MinuteMentionsScreen)
        await pilot.press("ctrl+q")
        await pilot.pause(0.1)
        assert not app.is_running


async def test_w_opens_the_wall_and_escape_comes_back(data_dir: Path, demo_scored: list) -> None:
    """w opens the wall over the panes; Esc comes back with focus where it was; the palette's
    "wall" finds it too."""
    app = crisis_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("3", "w")
        await pilot.pause(0.1)
        assert isinstance(app.screen, WallScreen)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is app.main_screen
        assert app.main_screen.query_one(Checklist).has_focus
        assert (await palette_hits(pilot, "wall"))[0] == "view: wall mode"
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, WallScreen)
