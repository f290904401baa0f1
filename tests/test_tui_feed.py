"""The feed as a reader meets it: rows that stay put, repeats folded, flagged and competitor
filters, one count explained, and the mention view (text first, human times, the link)."""

from __future__ import annotations

import time
import webbrowser
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets._toast import Toast

from tests.tui_support import CALM_AT, drill_at, quiet_app, screen_text
from warroom import tui as tui_package
from warroom.clock import FrozenClock
from warroom.detection.sentiment import Scorer
from warroom.model import EventKind, Label, Mention, Score, ScoredMention, label_for
from warroom.tui.app import WarroomApp
from warroom.tui.messages import FlagMention
from warroom.tui.screens.mention import MentionScreen, openable
from warroom.tui.times import ago, exact_time, human_time, local_day
from warroom.tui.widgets import feed as feed_module
from warroom.tui.widgets.feed import READING_SECONDS, MentionFeed
from warroom.tui.widgets.feed_rows import FeedFilter, FeedRow, competitor_marker, repeat_key

SCORER = Scorer()
REPEATED = "The Brightwell app is DOWN again and my house is freezing"


def scored(mention: Mention) -> ScoredMention:
    return ScoredMention(mention, SCORER.score(mention))


def arrivals(count: int, *, after: datetime = CALM_AT, tag: str = "new") -> list[ScoredMention]:
    """`count` mentions with texts of their own (none folds into another), oldest first."""
    return [
        scored(
            Mention(
                f"test:{tag}-{n}",
                "mastodon",
                f"{tag} report {n} {'alpha bravo charlie delta echo'.split()[n % 5]} thermostat",
                after + timedelta(seconds=n + 1),
                author=f"reader{n}",
                url=f"https://example.test/{tag}/{n}",
            )
        )
        for n in range(count)
    ]


def repeats(count: int, *, at: datetime = CALM_AT) -> list[ScoredMention]:
    """The same complaint `count` times: other case, spacing, links and authors each time."""
    variants = (REPEATED, REPEATED.lower(), f"  {REPEATED}   https://t.test/{{n}}  ")
    return [
        scored(
            Mention(
                f"test:repeat-{n}",
                "bluesky",
                variants[n % 3].replace("{n}", str(n)),
                at + timedelta(seconds=n + 1),
                author=f"copier{n % 4}",
                url=f"https://bsky.test/post/{n}",
            )
        )
        for n in range(count)
    ]


def line_text(feed: MentionFeed, y: int) -> str:
    return "".join(segment.text for segment in feed.render_line(y))


def toasts(app: App[None]) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query(Toast)]


def drill_app(data_dir: Path, demo_scored: list) -> WarroomApp:
    return quiet_app(drill_at(data_dir, demo_scored, CALM_AT))


async def arrive(app: WarroomApp, pilot: Pilot[None], items: list[ScoredMention]) -> None:
    """Mentions reach the engine; wait until they are in the feed and a frame has drawn it."""
    app.session.engine.ingest_scored(items)
    feed = app.main_screen.query_one(MentionFeed)
    last = items[-1].mention.id
    for _ in range(100):
        if any(row.holds(last) for row in feed.rows[:20]) and feed.seen_row is feed.current:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{last} never reached the feed")


async def opened(pilot: Pilot[None]) -> MentionScreen:
    """Enter on the feed, and the mention view once it is drawn."""
    await pilot.press("enter")
    for _ in range(100):
        screen = pilot.app.screen
        if isinstance(screen, MentionScreen) and screen.query("#mention-details"):
            await pilot.pause()
            return screen
        await pilot.pause(0.05)
    raise AssertionError("the mention view did not open")


class FeedApp(App[None]):
    """The feed alone, on a frozen clock, styled as in the console."""

    CSS_PATH = Path(tui_package.__file__).parent / "app.tcss"

    def __init__(self, window: int = 5000) -> None:
        super().__init__()
        self.window = window

    def compose(self) -> ComposeResult:
        yield MentionFeed(FrozenClock(CALM_AT + timedelta(minutes=1)), window=self.window)


@pytest.fixture
def fake_monotonic(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The feed's idea of "how long since the person touched it", moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(feed_module, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[ZoneInfo]:
    """The system's zone set to one far from UTC, so local times cannot pass for UTC ones."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield ZoneInfo("Asia/Kolkata")
    monkeypatch.undo()
    time.tzset()


# -- reading: the row under the cursor stays the row the person reads ----------------------------


async def test_new_mentions_do_not_move_the_row_being_read(
    data_dir: Path, demo_scored: list
) -> None:
    """Cursor on the third row, 12 arrive: same mention, same height, "↑ 12 new"; Enter opens it."""
    app = drill_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        feed = app.main_screen.query_one(MentionFeed)
        await pilot.press("down", "down")
        reading = feed.current
        assert reading is not None and feed.cursor == 2
        await arrive(app, pilot, arrivals(12))
        assert feed.current is reading
        assert feed.cursor == 14 and feed.cursor - int(feed.scroll_y) == 2
        assert feed.new_above == 12
        assert "↑ 12 new · Home to see" in feed.title()
        screen = await opened(pilot)
        assert screen.item is reading.item
        await pilot.press("escape")
        assert not isinstance(app.screen, MentionScreen)
        assert feed.has_focus and feed.current is reading


async def test_home_goes_back_to_the_newest_and_follows_it(
    data_dir: Path, demo_scored: list
) -> None:
    """Home after reading: the cursor on the newest, nothing counted unseen, following again."""
    app = drill_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        feed = app.main_screen.query_one(MentionFeed)
        await pilot.press("down")
        await arrive(app, pilot, arrivals(3))
        await pilot.press("home")
        assert feed.cursor == 0 and feed.scroll_y == 0 and feed.new_above == 0
        assert "new · Home to see" not in feed.title()
        later = arrivals(2, after=CALM_AT + timedelta(seconds=30), tag="later")
        await arrive(app, pilot, later)
        current = feed.current
        assert current is not None and current.item.mention.id == later[-1].mention.id


async def test_the_untouched_top_row_follows_the_newest(fake_monotonic: list[float]) -> None:
    """Nobody touched the feed: the cursor stays on the top row, showing each newest mention."""
    app = FeedApp()
    async with app.run_test(size=(100, 12)) as pilot:
        feed = app.query_one(MentionFeed)
        feed.add(arrivals(5))
        await pilot.pause()
        later = arrivals(3, after=CALM_AT + timedelta(seconds=20), tag="later")
        feed.add(later)
        await pilot.pause()
        assert not feed.reading and feed.cursor == 0 and feed.new_above == 0
        assert feed.shown[0].item is later[-1]


async def test_a_cursor_moved_to_the_top_just_now_is_still_reading(
    fake_monotonic: list[float],
) -> None:
    """Up on the top row is reading for READING_SECONDS; after that the top row follows again."""
    app = FeedApp()
    async with app.run_test(size=(100, 12)) as pilot:
        feed = app.query_one(MentionFeed)
        feed.add(arrivals(5))
        feed.focus()
        await pilot.press("up")
        top = feed.current
        feed.add(arrivals(2, after=CALM_AT + timedelta(seconds=20), tag="b"))
        assert feed.current is top and feed.cursor == 2 and feed.new_above == 2
        await pilot.press("home")
        fake_monotonic[0] += 1
        await pilot.press("up")
        fake_monotonic[0] += READING_SECONDS + 1
        newest = arrivals(1, after=CALM_AT + timedelta(seconds=40), tag="c")
        feed.add(newest)
        assert feed.cursor == 0 and feed.shown[0].item is newest[0]


async def test_enter_and_f_act_on_the_row_the_last_frame_showed() -> None:
    """Mentions arrive between the frame and the key: Enter and f still take the row on screen."""
    posted: list[Message] = []
    app = FeedApp()
    async with app.run_test(size=(100, 12), message_hook=posted.append) as pilot:
        feed = app.query_one(MentionFeed)
        feed.add(arrivals(5))
        feed.focus()
        await pilot.pause()
        seen = feed.shown[0]
        feed.add(arrivals(3, after=CALM_AT + timedelta(seconds=20), tag="unseen"))
        feed.action_open()  # the key, before any frame shows the arrivals
        feed.action_flag()
        await pilot.pause()
    once = list({id(m): m for m in posted}.values())  # a message bubbling up is seen by each node
    opened_rows = [m.row for m in once if isinstance(m, MentionFeed.Opened)]
    flags = [m for m in once if isinstance(m, FlagMention)]
    assert [row.item for row in opened_rows] == [seen.item]
    assert [(m.item, m.flagged) for m in flags] == [(seen.item, True)]
    assert feed.current is seen and feed.new_above == 3


async def test_the_cursor_row_is_highlighted_across_the_whole_line() -> None:
    """On a negative row too: no column's own colour hides the cursor's background."""
    app = FeedApp()
    async with app.run_test(size=(120, 8)) as pilot:
        feed = app.query_one(MentionFeed)
        feed.add([*arrivals(1), *repeats(2)])
        feed.focus()
        await pilot.pause()
        assert feed.current is not None and feed.current.label is Label.NEGATIVE
        feed.render_lines(feed.region)
        cursor = feed.get_component_rich_style("feed--cursor").bgcolor
        assert {segment.style.bgcolor for segment in feed.render_line(0) if segment.style} == {
            cursor
        }
        assert cursor not in {s.style.bgcolor for s in feed.render_line(1) if s.style}


# -- repeats folded -------------------------------------------------------------------------------


def test_repeats_share_a_key_across_case_spacing_and_links() -> None:
    """Case, spacing and links do not make another row; other words, topics or ours do."""
    keys = {repeat_key(item) for item in repeats(6)}
    assert len(keys) == 1
    other = scored(Mention("o:1", "x", "The Brightwell app works again", CALM_AT))
    assert repeat_key(other) not in keys
    rival = repeats(1)[0]
    rival = scored(Mention("o:2", "x", rival.mention.text, CALM_AT, topic="competitor:thermly"))
    assert repeat_key(rival) not in keys
    links = [scored(Mention(f"l:{n}", "x", f"https://a.test/{n}", CALM_AT)) for n in range(2)]
    assert repeat_key(links[0]) != repeat_key(links[1]), "nothing left to compare: no folding"


async def test_twelve_copies_show_as_one_row_times_twelve() -> None:
    """12 copies and one other post: two rows, the first `×12`, the latest copy shown."""
    app = FeedApp()
    async with app.run_test(size=(120, 8)) as pilot:
        feed = app.query_one(MentionFeed)
        copies = repeats(12)
        feed.add([*arrivals(1, after=CALM_AT - timedelta(minutes=1)), *copies])
        await pilot.pause()
        assert len(feed.shown) == 2 and feed.held == 13
        row = feed.shown[0]
        assert row.count == 12 and row.item is copies[-1]
        assert "×12 " in line_text(feed, 0) and "×" not in line_text(feed, 1)
        feed.set_filter("neg")
        assert feed.shown == [row] and feed.shown_count == 12
        feed.set_filter("freezing")
        assert feed.shown == [row], "a filtered view shows the post once, not 12 times"


async def test_a_repeat_brings_its_row_to_the_top_but_not_the_row_being_read() -> None:
    """A repeat of an older post moves it on top; a repeat of the row being read leaves it put."""
    app = FeedApp()
    async with app.run_test(size=(120, 8)) as pilot:
        feed = app.query_one(MentionFeed)
        copies = repeats(3)
        feed.add([copies[0], *arrivals(3)])
        feed.focus()
        await pilot.pause()
        folded = feed.shown[3]
        feed.add([copies[1]])  # following: the repeat goes on top
        assert feed.shown[0] is folded and folded.count == 2
        await pilot.press("down", "up")  # now reading the folded row itself
        assert feed.current is folded
        feed.add([*arrivals(2, after=CALM_AT + timedelta(seconds=30), tag="more"), copies[2]])
        assert feed.current is folded and folded.count == 3
        assert feed.cursor == 2 and feed.new_above == 2


async def test_rows_leaving_the_window_leave_the_view_after_a_pinned_row_was_repeated() -> None:
    """Read a row, a repeat of it comes, back to the newest, then the window rolls over many
    times: the view holds only what memory holds (no stale rows piling up behind)."""
    app = FeedApp(window=5)
    async with app.run_test(size=(120, 8)) as pilot:
        feed = app.query_one(MentionFeed)
        copies = repeats(2)
        feed.add([copies[0], *arrivals(3)])
        feed.focus()
        await pilot.pause()
        await pilot.press("down", "down", "down")  # reading the oldest row, the repeated post
        feed.add([copies[1]])
        await pilot.press("home")
        for batch in range(20):
            feed.add(arrivals(3, after=CALM_AT + timedelta(minutes=batch + 1), tag=f"b{batch}"))
        assert len(feed.shown) == len(feed.rows) == 5
        assert set(feed.shown) == set(feed.rows)
        assert feed.title().endswith("5 in memory")


async def test_enter_right_after_home_opens_the_newest_row() -> None:
    """Home then Enter before any frame: the newest row, not the one read before."""
    app = FeedApp()
    async with app.run_test(size=(120, 8)) as pilot:
        feed = app.query_one(MentionFeed)
        feed.add(arrivals(8))
        feed.focus()
        await pilot.pause()
        await pilot.press("down", "down", "down")
        await pilot.pause()  # a frame draws the row being read under the cursor
        feed.action_top()  # Home, and the key after it before any frame is drawn
        assert feed._seen_row() is feed.shown[0]
        assert feed.cursor == 0


async def test_the_mention_view_says_how_many_copies_and_from_whom(
    data_dir: Path, demo_scored: list
) -> None:
    """Enter on a ×12 row opens the latest copy and lists the count and its authors."""
    app = drill_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        copies = repeats(12)
        await arrive(app, pilot, copies)
        screen = await opened(pilot)
        assert screen.item is copies[-1]
        said = str(screen.query_one("#mention-repeats").render())
        assert "Posted 12 times" in said and "by 4 accounts" in said
        assert "copier0 ×3" in said and "copier3 ×3" in said


# -- filters: flagged, competitors; the competitor marker -----------------------------------------


def test_filter_words_for_flags_and_competitors() -> None:
    """`flagged`, `competitors` and `vs:name` parse, match and describe themselves in words."""
    brand = FeedRow.of(scored(Mention("b:1", "x", "brand post", CALM_AT)))
    rival = FeedRow.of(
        scored(Mention("r:1", "x", "rival post", CALM_AT, topic="competitor:thermly"))
    )
    other = FeedRow.of(
        scored(Mention("r:2", "x", "other rival", CALM_AT, topic="competitor:coolco"))
    )
    rival.set_flag(rival.item, True)
    rows = [brand, rival, other]
    assert [r for r in rows if FeedFilter.parse("flagged").matches(r)] == [rival]
    assert [r for r in rows if FeedFilter.parse("competitors").matches(r)] == [rival, other]
    assert [r for r in rows if FeedFilter.parse("competitor").matches(r)] == [rival, other]
    assert [r for r in rows if FeedFilter.parse("vs:therm").matches(r)] == [rival]
    assert FeedFilter.parse("flagged competitors").describe() == "flagged competitors"
    assert FeedFilter.parse("vs:thermly neg").describe() == "vs:thermly negative"
    assert FeedFilter.parse("flagged").active and FeedFilter.parse("competitors").active
    assert competitor_marker("competitor:thermly") == "vs:thermly"
    assert competitor_marker("brand") == ""


async def test_f_flags_the_row_and_flagged_lists_only_it(data_dir: Path, demo_scored: list) -> None:
    """f writes a flag; `/flagged` then shows that row alone, ⚑ on it; f again unflags it."""
    app = drill_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        feed = app.main_screen.query_one(MentionFeed)
        await pilot.press("down")
        target = feed.current
        assert target is not None
        await pilot.press("f")
        await pilot.pause(0.1)
        assert target.item.mention.id in app.session.state.flagged
        await pilot.press("slash", *"flagged", "enter")
        assert feed.shown == [target]
        assert "⚑" in line_text(feed, 0)
        # The row stands for every copy of its text: they are all shown, folded in it.
        assert f"{target.count:,} shown of" in feed.title() and "filter: flagged" in feed.title()
        await pilot.press("f")
        await pilot.pause(0.1)
        assert target.item.mention.id not in app.session.state.flagged
        assert not target.flagged
    flags = [e for e in app.session.state.timeline if e.kind is EventKind.FLAGGED]
    assert [e.data["flagged"] for e in flags] == [True, False]


async def test_an_empty_filtered_feed_says_why() -> None:
    """`flagged` with nothing flagged: the feed says nothing matches, not a blank pane."""
    app = FeedApp()
    async with app.run_test(size=(100, 8)) as pilot:
        feed = app.query_one(MentionFeed)
        feed.add(arrivals(3))
        feed.set_filter("flagged")
        await pilot.pause()
        assert feed.shown == []
        assert line_text(feed, 0).startswith(" Nothing matches flagged.")
        feed.set_filter("")
        assert "Nothing matches" not in line_text(feed, 0)


async def test_competitors_filter_and_marker_read_without_colour(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/competitors` keeps competitor rows only; each says `vs:thermly` in bold, with NO_COLOR."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = drill_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        feed = app.main_screen.query_one(MentionFeed)
        await pilot.press("slash", *"competitors", "enter")
        assert feed.shown, "the drill has competitor mentions before the crisis"
        assert all(row.item.mention.topic == "competitor:thermly" for row in feed.shown)
        feed.render_lines(feed.region)  # looks the styles up, as a frame does
        line = feed.render_line(0)
        marker = next(s for s in line if "vs:thermly" in s.text)
        assert marker.style is not None and marker.style.bold
        cursor = next(iter(line))
        assert cursor.style is not None and cursor.style.reverse, "the cursor shows without colour"
        app.main_screen.set_filter("topic:brand")
        assert feed.shown and all("vs:" not in line_text(feed, y) for y in range(5))


async def test_flags_already_in_the_log_show_when_the_feed_opens() -> None:
    """`add(..., marks=state)`: a flag and an override from the log are on the rows."""
    app = FeedApp()
    async with app.run_test(size=(100, 8)) as pilot:
        feed = app.query_one(MentionFeed)
        items = arrivals(3)
        marks = SimpleNamespace(
            flagged={items[1].mention.id}, overrides={items[2].mention.id: Label.NEGATIVE}
        )
        feed.add(items, marks=marks)
        await pilot.pause()
        feed.set_filter("flagged")
        assert [row.item for row in feed.shown] == [items[1]]
        feed.set_filter("")
        assert feed.shown[0].label is Label.NEGATIVE


# -- one count, explained -------------------------------------------------------------------------


async def test_the_title_says_what_it_counts(data_dir: Path, demo_scored: list) -> None:
    """In memory: every mention the rows stand for; filtered: how many of those are shown."""
    app = drill_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35)) as pilot:
        feed = app.main_screen.query_one(MentionFeed)
        held = len(app.session.recent)
        assert feed.held == held
        assert feed.title() == f"Mentions · {held:,} in memory"
        await pilot.press("slash", *"neg", "enter")
        negative = sum(row.count for row in feed.rows if row.label is Label.NEGATIVE)
        assert 0 < negative < held
        assert feed.title() == (
            f"Mentions · {negative:,} shown of {held:,} in memory · filter: negative"
        )


async def test_a_full_window_counts_what_it_still_holds() -> None:
    """Past the window the oldest rows go: the title counts what is held, not all ever seen."""
    app = FeedApp(window=3)
    async with app.run_test(size=(100, 8)) as pilot:
        feed = app.query_one(MentionFeed)
        feed.add(arrivals(5))
        await pilot.pause()
        assert feed.total == 5 and feed.held == 3 and len(feed.rows) == 3
        assert feed.title() == "Mentions · 3 in memory"


# -- the mention view ----------------------------------------------------------------------------


def test_human_times_in_a_zone() -> None:
    """Today, yesterday, this week and older, each with how long ago, in the zone given."""
    zone = timezone(timedelta(hours=2))
    now = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # 14:00 in that zone
    assert human_time(now - timedelta(minutes=3), now, zone) == "today 13:57 (3 min ago)"
    assert human_time(now - timedelta(hours=15), now, zone) == "yesterday 23:00 (15 h ago)"
    assert local_day(now - timedelta(days=3), now, zone) == "Wed 14:00"
    assert local_day(now - timedelta(days=30), now, zone) == "12 Feb 2026 14:00"
    assert ago(now - timedelta(seconds=10), now) == "just now"
    assert ago(now + timedelta(minutes=5), now) == "in 5 min"
    assert exact_time(now, zone) == "14 Mar 2026 14:00:00 UTC+02:00"
    assert exact_time(now, ZoneInfo("Europe/Paris")) == "14 Mar 2026 13:00:00 CET (UTC+01:00)"
    assert exact_time(now, UTC) == "14 Mar 2026 12:00:00 UTC"


async def test_the_mention_view_leads_with_the_text_and_local_times(
    data_dir: Path, demo_scored: list, local_zone: ZoneInfo
) -> None:
    """Text first, then who/when/where with the local time and how long ago; no ISO times."""
    app = drill_app(data_dir, demo_scored)
    posted = CALM_AT - timedelta(minutes=3)
    mention = Mention(
        "test:read-me",
        "bluesky",
        "Three days without heat and the Brightwell support line hangs up on me",
        posted,
        author="cold.kim",
        url="https://bsky.test/post/read-me",
        reach=1200,
    )
    async with app.run_test(size=(120, 35)) as pilot:
        await arrive(app, pilot, [scored(mention)])
        screen = await opened(pilot)
        assert screen.item.mention.id == "test:read-me"
        lines = screen_text(app).splitlines()
        box = next(n for n, line in enumerate(lines) if "╭─ Mention ─" in line)

        def row_of(words: str) -> int:  # in the mention view, not the feed behind it
            return next(n for n, line in enumerate(lines) if n > box and words in line)

        local = posted.astimezone(local_zone)
        assert row_of("Three days without heat") == box + 2, "the text comes first"
        assert row_of("Three days without heat") < row_of("cold.kim on bluesky")
        assert row_of("cold.kim on bluesky") < row_of(f"today {local:%H:%M} (3 min ago)")
        assert row_of("(3 min ago)") < row_of("Why this score") < row_of("Details")
        assert "IST" in screen_text(app), "the exact time names its zone"
        assert "2026-03-14T" not in screen_text(app)


async def test_c_copies_the_link(data_dir: Path, demo_scored: list) -> None:
    """c puts the mention's link on the clipboard and says so."""
    app = drill_app(data_dir, demo_scored)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        items = arrivals(1)
        await arrive(app, pilot, items)
        screen = await opened(pilot)
        assert screen.item is items[-1]
        await pilot.press("c")
        await pilot.pause(0.1)
        assert app.clipboard == "https://example.test/new/0"
        assert any("Link copied" in toast for toast in toasts(app))


async def test_o_opens_only_http_links_in_the_browser(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """o hands an https link to the browser (in a thread) and says so; javascript: is refused."""
    browsed: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: browsed.append(url) or True)
    app = drill_app(data_dir, demo_scored)
    evil = scored(
        Mention("test:js", "x", "click me", CALM_AT + timedelta(seconds=9), url="javascript:x()")
    )
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await arrive(app, pilot, [*arrivals(1), evil])
        assert (await opened(pilot)).item is evil
        await pilot.press("o")
        await pilot.pause(0.1)
        assert browsed == [] and any("Not opened" in toast for toast in toasts(app))
        await pilot.press("escape", "down")
        assert (await opened(pilot)).item.mention.id == "test:new-0"
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert browsed == ["https://example.test/new/0"]
        assert any("Opened in the browser" in toast for toast in toasts(app))


def test_only_plain_http_links_are_openable() -> None:
    """http(s) with a host; not file:, javascript:, nor a link hiding escapes or spaces."""
    assert openable("https://example.test/a?b=c")
    assert openable("HTTP://example.test")
    assert not openable("javascript:alert(1)")
    assert not openable("file:///etc/passwd")
    assert not openable("https://example.test/\x1b[31mx")
    assert not openable("https://example.test/a b")
    assert not openable("https:///nohost")


async def test_hostile_text_author_and_link_show_literally(
    data_dir: Path, demo_scored: list
) -> None:
    """Markup and escapes in a post, its author and its link are shown as characters, and the
    copied link carries no escape either."""
    app = drill_app(data_dir, demo_scored)
    hostile = Mention(
        "test:hostile",
        "bluesky",
        "[red]x[/] \x1b[2Jwiped [link=https://e.test]y[/link]",
        CALM_AT + timedelta(seconds=1),
        author="[b]evil\x1b]0;owned\x07",
        url="https://e.test/[/]\x1b[5m",
    )
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await arrive(app, pilot, [scored(hostile)])
        feed = app.main_screen.query_one(MentionFeed)
        assert "[b]evil" in line_text(feed, 0)
        assert "[red]x[/] wiped [link=" in line_text(feed, 0)
        assert (await opened(pilot)).item.mention.id == "test:hostile"
        shown = screen_text(app)
        assert "[red]x[/] wiped [link=https://e.test]y[/link]" in shown
        assert "[b]evil" in shown and "https://e.test/[/]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        await pilot.press("c")
        assert app.clipboard == "https://e.test/[/]"


async def test_the_mention_view_shows_which_complaint_cues_fired(
    data_dir: Path, demo_scored: list
) -> None:
    """VADER's reading, each cue that fired with its words and reason, and the result."""
    app = drill_app(data_dir, demo_scored)
    text = "Brightwell support is not answering. Anyone got through?"
    compound = app.session.explain(text).compound
    mention = Mention("test:cues", "bluesky", text, CALM_AT - timedelta(minutes=1))
    item = ScoredMention(mention, Score(compound, label_for(compound)))
    async with app.run_test(size=(120, 35)) as pilot:
        await arrive(app, pilot, [item])
        screen = await opened(pilot)
        assert screen.item.mention.id == "test:cues"
        shown = screen_text(app)
        assert "VADER +0.40" in shown  # VADER alone reads it as praise
        assert f"→ {compound:+.2f} with the complaint cues, read as negative" in shown
        assert "no response: “not answering”, no answer from the brand" in shown
        assert "problem question:" in shown


async def test_the_mention_view_says_when_praise_counts_less_beside_a_problem(
    data_dir: Path, demo_scored: list
) -> None:
    """VADER's praise words beside a reported problem count for less, and the view says so."""
    app = drill_app(data_dir, demo_scored)
    text = "Love the app, it used to work fine, but now my washer isn't working"
    explained = app.session.explain(text)
    mention = Mention("test:praise", "bluesky", text, CALM_AT - timedelta(minutes=1))
    item = ScoredMention(mention, Score(explained.compound, label_for(explained.compound)))
    async with app.run_test(size=(120, 35)) as pilot:
        await arrive(app, pilot, [item])
        await opened(pilot)
        shown = screen_text(app)
        assert f"VADER {explained.vader:+.2f}" in shown and explained.vader > 0
        assert "read as negative" in shown
        assert "×0.5 praise words, beside a problem" in shown
