"""The mention feed: newest first, repeats folded into one row, drawing only the visible lines."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from time import monotonic

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom.clock import Clock
from warroom.model import Label, ScoredMention
from warroom.tui.messages import FlagMention
from warroom.tui.safe import clean
from warroom.tui.widgets.feed_rows import (
    OURS_BADGE,
    FeedFilter,
    FeedRow,
    Marks,
    compact_number,
    relative_time,
    repeat_key,
)
from warroom.tui.widgets.ink import ink

# Others name the rows and filter through the feed.
__all__ = [
    "OURS_BADGE",
    "FeedFilter",
    "FeedRow",
    "MentionFeed",
    "compact_number",
    "relative_time",
]

# Rows kept in memory for the feed (a row may fold many repeats); older ones stay in the store.
FEED_WINDOW = 5000
# A person who moved the cursor (or opened or flagged a row) this recently is reading: new
# mentions go in above without moving the row, even when the cursor is on the top row.
READING_SECONDS = 5.0

_TONE = {
    Label.NEGATIVE: "feed--negative",
    Label.POSITIVE: "feed--positive",
    Label.NEUTRAL: "feed--neutral",
    None: "feed--unscored",
}
_UNFOCUSED_CURSOR = Style(underline=True)
_LABEL_GLYPH = {Label.NEGATIVE: "▼", Label.POSITIVE: "▲", Label.NEUTRAL: "•", None: "·"}


class MentionFeed(ScrollView, can_focus=True):
    """Newest first. It follows the newest only while the cursor is on the top row, untouched
    for READING_SECONDS; otherwise the row under the cursor stays put and the title counts
    what arrived above it (Home goes back to the newest)."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="feed.open", tooltip="See the whole mention"),
        Binding("f", "flag", "Flag", id="feed.flag", tooltip="Flag this mention for response"),
        Binding("space", "toggle_pause", "Pause", id="feed.pause", tooltip="Pause the feed"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="feed.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="feed.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="feed.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="feed.page_down"),
        Binding("home", "top", "Newest", show=False, id="feed.top", tooltip="Follow the newest"),
    ]

    COMPONENT_CLASSES = {
        "feed--negative",
        "feed--positive",
        "feed--neutral",
        "feed--unscored",
        "feed--meta",
        "feed--cursor",
        "feed--flagged",
        "feed--ours",
        "feed--ours-text",
        "feed--competitor",
        "feed--repeats",
    }
    # Our own posts: a badge in reverse and italic text, so they read apart without colour.
    # Without colour the cursor's background is gone: reverse video keeps it visible.
    DEFAULT_CSS = """
    MentionFeed > .feed--ours {
        color: $accent;
        text-style: bold reverse;
    }
    MentionFeed > .feed--ours-text {
        color: $accent;
        text-style: italic;
    }
    MentionFeed > .feed--competitor {
        color: $text-secondary;
        text-style: bold;
    }
    MentionFeed > .feed--repeats {
        text-style: bold;
    }
    MentionFeed:nocolor > .feed--cursor {
        text-style: reverse;
    }
    """

    cursor = reactive(0)
    paused = reactive(False)

    class Opened(Message):
        """The user opened a mention to see it whole (the row as it was when opened)."""

        def __init__(self, row: FeedRow) -> None:
            super().__init__()
            self.row = row

    class StatusChanged(Message):
        """Paused, filtered, counts or what is unseen changed: the pane title should follow."""

    def __init__(self, clock: Clock, *, window: int = FEED_WINDOW, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.window = window
        # Every row by its repeat key, oldest first: a repeat moves its row to the end.
        self._rows: OrderedDict[str, FeedRow] = OrderedDict()
        self.shown: list[FeedRow] = []
        self.filter = FeedFilter()
        self.waiting: list[ScoredMention] = []
        self.total = 0  # mentions given to the feed since it opened (history loaded included)
        self.held = 0  # mentions the rows in memory stand for (repeats included)
        self._touched = float("-inf")  # when a person last moved, opened or flagged (monotonic)
        self._fresh: set[FeedRow] = set()  # rows that arrived above while the person was reading
        self._drawn_at_cursor: FeedRow | None = None  # the row the last frame showed there
        self._styles: dict[str, Style] = {}
        self._now: datetime | None = None

    # -- data --------------------------------------------------------------------------------

    @property
    def rows(self) -> list[FeedRow]:
        """Every row in memory, newest first (the filter aside)."""
        return list(reversed(self._rows.values()))

    def add(self, items: Iterable[ScoredMention], *, marks: Marks | None = None) -> None:
        """Take a batch of new mentions (oldest first); while paused they wait and are counted.

        `marks` (the incident state) gives flags and overrides already in the log.
        """
        batch = list(items)
        if not batch:
            return
        self.total += len(batch)
        if self.paused:
            self.waiting.extend(batch)
            self.post_message(self.StatusChanged())
            return
        self._show(batch, marks)

    @property
    def reading(self) -> bool:
        """Whether the person is reading a row (it must stay put) rather than following."""
        return self.cursor > 0 or self.scroll_y > 0 or monotonic() - self._touched < READING_SECONDS

    @property
    def new_above(self) -> int:
        """Rows that arrived above the cursor while the person was reading."""
        return min(len(self._fresh), self.cursor)

    def _show(self, batch: list[ScoredMention], marks: Marks | None = None) -> None:
        pinned = self.current if self.reading else None
        offset = self.cursor - int(self.scroll_y)
        rows = self._rows
        touched: dict[FeedRow, None] = {}  # in arrival order: the last to arrive goes on top
        repeated = False
        for item in batch:
            key = repeat_key(item)
            row = rows.get(key)
            if row is None:
                row = rows[key] = FeedRow.of(item, key)
            else:
                row.take(item)
                rows.move_to_end(key)
                repeated = True
            touched.pop(row, None)
            touched[row] = None
            if marks is not None:
                self._apply_marks(row, item, marks)
        self.held += len(batch)
        gone: set[FeedRow] = set()
        while len(rows) > self.window:
            _, old = rows.popitem(last=False)
            self.held -= old.count
            gone.add(old)
            touched.pop(old, None)
        # The row being read keeps its place even when a repeat of it arrives.
        moved = [row for row in touched if row is not pinned]
        matches = self.filter.matches if self.filter.active else None
        top = [row for row in reversed(moved) if matches is None or matches(row)]
        kept = self.shown
        if repeated:  # rows moved to the top leave their old places
            gone.update(moved)
        if gone:  # evicted rows need not be at the end: a pinned row keeps an older place
            kept = [row for row in kept if row not in gone]
        kept[:0] = top
        self.shown = kept
        if pinned is not None:
            self._fresh.update(top)
            self._keep(pinned, offset)
        else:
            self._fresh.clear()
            self.cursor = 0
            self._resize()
        self.post_message(self.StatusChanged())

    def _keep(self, pinned: FeedRow, offset: int) -> None:
        """Put the cursor back on the row being read, at the same height on the screen."""
        try:
            index = self.shown.index(pinned)
        except ValueError:  # it left the window: the nearest row
            index = min(self.cursor, max(0, len(self.shown) - 1))
        self.cursor = index
        if len(self._fresh) > index:  # forget rows now below the cursor
            self._fresh = set(self.shown[:index])
        self._resize()
        self.scroll_to(y=max(0, index - offset), animate=False, immediate=True)

    @staticmethod
    def _apply_marks(row: FeedRow, item: ScoredMention, marks: Marks) -> None:
        mention_id = item.mention.id
        if mention_id in marks.flagged:
            row.set_flag(item, True)
        label = marks.overrides.get(mention_id)
        if label is not None:
            row.label = label
            row.overridden = True

    def set_filter(self, query_or_filter: str | FeedFilter) -> None:
        """Show only what matches; the cursor goes back to the newest, following it."""
        self.filter = (
            FeedFilter.parse(query_or_filter)
            if isinstance(query_or_filter, str)
            else query_or_filter
        )
        self._refilter()
        self._follow()

    def _refilter(self) -> None:
        matches = self.filter.matches if self.filter.active else None
        self.shown = [
            row for row in reversed(self._rows.values()) if matches is None or matches(row)
        ]

    def mark(
        self, mention_id: str, *, label: Label | None = None, flagged: bool | None = None
    ) -> None:
        """Reflect a person's override or flag on the row that shows that mention."""
        for row in self._rows.values():
            copy = row.holds(mention_id)
            if copy is None:
                continue
            if label is not None:
                row.label = label
                row.overridden = True
            if flagged is not None:
                row.set_flag(copy, flagged)
        self.refresh()
        self.post_message(self.StatusChanged())

    @property
    def current(self) -> FeedRow | None:
        if 0 <= self.cursor < len(self.shown):
            return self.shown[self.cursor]
        return None

    @property
    def seen_row(self) -> FeedRow | None:
        """The row the last frame drew under the cursor: what the person saw there."""
        return self._drawn_at_cursor

    @property
    def shown_count(self) -> int:
        """Mentions the shown rows stand for (a row counts its repeats)."""
        return sum(row.count for row in self.shown)

    def title(self) -> str:
        """The pane's title, plain text: what arrived unseen, what is shown of what is held."""
        parts = ["Mentions"]
        if self.new_above:
            parts.append(f"↑ {self.new_above:,} new · Home to see")
        if self.paused:
            parts.append(f"PAUSED, {len(self.waiting):,} new")
        if self.filter.active:
            parts.append(f"{self.shown_count:,} shown of {self.held:,} in memory")
            parts.append(f"filter: {clean(self.filter.describe(), limit=60)}")
        else:
            parts.append(f"{self.held:,} in memory")
        return " · ".join(parts)

    def empty_text(self) -> str:
        """What an empty feed says: nothing matches the filter, or nothing came yet."""
        if self.filter.active:
            return f" Nothing matches {clean(self.filter.describe(), limit=60)}. Esc shows all."
        if self.paused and self.waiting:
            return f" Paused: {len(self.waiting):,} new waiting. Space shows them."
        return " No mentions yet: they show here as the sources bring them in."

    def _resize(self) -> None:
        size = Size(self.size.width, len(self.shown))
        crossing = (size.height > self.size.height) != (self.virtual_size.height > self.size.height)
        if crossing or size.width != self.virtual_size.width:
            self.virtual_size = size  # the scrollbar appears or goes: a real layout
        else:
            # Only the scroll range changed: no need to lay the whole screen out again.
            self.set_reactive(MentionFeed.virtual_size, size)
            self._scroll_update(size)
        self.refresh()

    # -- actions -----------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused and self.waiting:
            waiting, self.waiting = self.waiting, []
            self._show(waiting)
        self.post_message(self.StatusChanged())

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(1, self.size.height - 1))

    def action_top(self) -> None:
        """Back to the newest, following it again."""
        self._follow()

    def action_open(self) -> None:
        row = self._seen_row()
        if row is not None:
            self.post_message(self.Opened(row.copy()))

    def action_flag(self) -> None:
        """Flag the row under the cursor for response, or take its flags off."""
        row = self._seen_row()
        if row is None:
            return
        if row.flagged:
            for item in row.flagged_copies:
                self.post_message(FlagMention(item, False))
        else:
            self.post_message(FlagMention(row.item, True))

    def _seen_row(self) -> FeedRow | None:
        """The row the person saw under the cursor when they pressed the key; from now on the
        cursor stays on it (newer rows may have come in since the last frame)."""
        row = self._drawn_at_cursor if not self.reading else None
        if row is not None and row is not self.current:
            try:
                self.cursor = self.shown.index(row)
            except ValueError:
                row = None
            else:
                self._fresh = set(self.shown[: self.cursor])
                self._scroll_to_cursor()
        self._touched = monotonic()
        self.post_message(self.StatusChanged())
        return row or self.current

    def _follow(self) -> None:
        self._drawn_at_cursor = None  # what the last frame showed there is no longer the top
        self._touched = float("-inf")
        self._fresh.clear()
        self.cursor = 0
        self._resize()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.post_message(self.StatusChanged())

    def _move(self, index: int) -> None:
        self._touched = monotonic()
        self.cursor = max(0, min(index, len(self.shown) - 1))
        self._scroll_to_cursor()
        self.post_message(self.StatusChanged())  # what is unseen above may have changed

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self.size.height:
            self.scroll_to(y=self.cursor - self.size.height + 1, animate=False, immediate=True)
        self.refresh()

    def watch_cursor(self) -> None:
        self.refresh()

    # -- rendering ---------------------------------------------------------------------------

    def _row_styles(self) -> dict[str, Style]:
        # Ink only (colour and weight): a component's own background would hide the cursor's.
        return {
            name: self.get_component_rich_style(name) if name == "feed--cursor" else ink(self, name)
            for name in self.COMPONENT_CLASSES
        }

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles and "now" are looked up once a frame, not once a line.
        self._styles = self._row_styles()
        self._now = self.clock.now()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.size.width
        base = self.rich_style
        styles = self._styles or self._row_styles()
        if index >= len(self.shown):
            if index == 0:  # an empty feed says why, rather than look broken
                return Strip([Segment(self.empty_text(), base + styles["feed--meta"])]).crop_extend(
                    0, width, base
                )
            return Strip.blank(width, base)
        row = self.shown[index]
        mention = row.item.mention
        label = row.label
        tone = styles[_TONE[label]]
        if index == self.cursor:
            self._drawn_at_cursor = row
            base = base + (styles["feed--cursor"] if self.has_focus else _UNFOCUSED_CURSOR)
        meta = base + styles["feed--meta"]
        segments = [
            Segment(
                f"{relative_time(mention.created_at, self._now or self.clock.now()):>4} ", meta
            ),
            Segment(f"{_LABEL_GLYPH[label]}{row.score} ", base + tone),
            Segment("⚑" if row.flagged else " ", base + styles["feed--flagged"]),
            Segment(row.columns, meta),
        ]
        if row.count > 1:
            segments.append(Segment(f"×{row.count:,} ", base + styles["feed--repeats"]))
        if row.marker:
            segments.append(Segment(row.marker, base + styles["feed--competitor"]))
        if mention.ours:
            segments.append(Segment(OURS_BADGE, base + styles["feed--ours"]))
            segments.append(Segment(" " + row.text, base + styles["feed--ours-text"]))
        else:
            segments.append(Segment(row.text, base + tone if label is Label.NEGATIVE else base))
        return Strip(segments).crop_extend(0, width, base)
