"""The mention feed: newest first, a bounded window, drawing only the visible lines."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

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
from warroom.tui.safe import clean

# Mentions kept in memory for the feed; older ones stay in the store.
FEED_WINDOW = 5000

_TONE = {
    Label.NEGATIVE: "feed--negative",
    Label.POSITIVE: "feed--positive",
    Label.NEUTRAL: "feed--neutral",
    None: "feed--unscored",
}
_UNFOCUSED_CURSOR = Style(underline=True)
_LABEL_GLYPH = {Label.NEGATIVE: "▼", Label.POSITIVE: "▲", Label.NEUTRAL: "•", None: "·"}
_SENTIMENT_WORDS = {
    "neg": Label.NEGATIVE,
    "negative": Label.NEGATIVE,
    "pos": Label.POSITIVE,
    "positive": Label.POSITIVE,
    "neu": Label.NEUTRAL,
    "neutral": Label.NEUTRAL,
}
# `ours` shows only the brand's own posts; `public` (or `-ours`) only everyone else's.
_OURS_WORDS = {"ours": True, "public": False, "-ours": False}
# Our posts carry a word, not only a colour: legible with NO_COLOR and on a projector.
OURS_BADGE = "OURS"


@dataclass(frozen=True)
class FeedFilter:
    """What the feed shows: a sentiment, a source, a topic and words that must all appear."""

    sentiment: Label | None = None
    source: str | None = None
    topic: str | None = None
    words: tuple[str, ...] = ()
    ours: bool | None = None  # True: only our own posts; False: only the public's

    @classmethod
    def parse(cls, query: str) -> FeedFilter:
        """`neg source:reddit topic:brand outage` -> a filter; plain words are free text.

        `ours` keeps only the brand's own posts, `public` only everyone else's.
        """
        sentiment = source = topic = ours = None
        words: list[str] = []
        for token in query.split():
            lowered = token.lower()
            key, _, value = lowered.partition(":")
            if lowered in _OURS_WORDS:
                ours = _OURS_WORDS[lowered]
            elif lowered in _SENTIMENT_WORDS:
                sentiment = _SENTIMENT_WORDS[lowered]
            elif key == "sentiment" and value in _SENTIMENT_WORDS:
                sentiment = _SENTIMENT_WORDS[value]
            elif key == "source" and value:
                source = value
            elif key == "topic" and value:
                topic = value
            else:
                words.append(lowered)
        return cls(sentiment, source, topic, tuple(words), ours)

    @property
    def active(self) -> bool:
        return bool(self.sentiment or self.source or self.topic or self.words) or (
            self.ours is not None
        )

    def describe(self) -> str:
        parts = []
        if self.ours is not None:
            parts.append("ours" if self.ours else "public")
        if self.sentiment:
            parts.append(str(self.sentiment))
        if self.source:
            parts.append(f"source:{self.source}")
        if self.topic:
            parts.append(f"topic:{self.topic}")
        parts.extend(f'"{w}"' for w in self.words)
        return " ".join(parts)

    def matches(self, row: FeedRow) -> bool:
        if self.sentiment is not None and row.label is not self.sentiment:
            return False
        mention = row.item.mention
        if self.ours is not None and mention.ours is not self.ours:
            return False
        if self.source is not None and mention.source.lower() != self.source:
            return False
        if self.topic is not None and not mention.topic.lower().startswith(self.topic):
            return False
        return all(word in row.folded for word in self.words)


@dataclass
class FeedRow:
    """A mention as the feed shows it: cleaned once, when it is first drawn or filtered."""

    item: ScoredMention
    label: Label | None
    flagged: bool = False

    @classmethod
    def of(cls, item: ScoredMention) -> FeedRow:
        # A surge brings thousands a second and most are never on screen: cleaning waits.
        return cls(item, item.score.label)

    @cached_property
    def text(self) -> str:
        return clean(self.item.mention.text, limit=500)

    @cached_property
    def author(self) -> str:
        return clean(self.item.mention.author or "", limit=40)

    @cached_property
    def folded(self) -> str:
        return f"{self.text} {self.author}".lower()

    @cached_property
    def columns(self) -> str:
        mention = self.item.mention
        source = clean(mention.source, limit=40)
        return f"{source[:8]:<8} {self.author[:12]:<12} {compact_number(mention.reach):>5} "

    @property
    def score(self) -> str:
        """The compound score, or the language when VADER could not read it."""
        compound = self.item.score.compound
        if compound is not None:
            return f"{compound:+.2f}"
        return f"{clean(self.item.mention.lang or '?', limit=20)[:5]:>5}"


def relative_time(moment: datetime, now: datetime) -> str:
    """`now`, `42s`, `3m`, `2h`, `4d`: how long ago, in four characters or fewer."""
    seconds = int((now - moment).total_seconds())
    if seconds < 5:
        return "now"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def compact_number(value: int | None) -> str:
    """12, 4.5k, 1.2M: a follower count in five characters or fewer."""
    if value is None:
        return ""
    if value < 1000:
        return str(value)
    if value < 1_000_000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    return f"{value / 1_000_000:.1f}M".replace(".0M", "M")


class MentionFeed(ScrollView, can_focus=True):
    """Newest first; follows the newest only while the cursor is on the top row."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="feed.open", tooltip="See the whole mention"),
        Binding("space", "toggle_pause", "Pause", id="feed.pause", tooltip="Pause the feed"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="feed.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="feed.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="feed.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="feed.page_down"),
        Binding("home", "top", "Newest", show=False, id="feed.top"),
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
    }
    # Our own posts: a badge in reverse and italic text, so they read apart without colour.
    DEFAULT_CSS = """
    MentionFeed > .feed--ours {
        color: $accent;
        text-style: bold reverse;
    }
    MentionFeed > .feed--ours-text {
        color: $accent;
        text-style: italic;
    }
    """

    cursor = reactive(0)
    paused = reactive(False)

    class Opened(Message):
        """The user opened a mention to see it whole."""

        def __init__(self, row: FeedRow) -> None:
            super().__init__()
            self.row = row

    class StatusChanged(Message):
        """Paused, filtered or counts changed: the pane title should follow."""

    def __init__(self, clock: Clock, *, window: int = FEED_WINDOW, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.rows: deque[FeedRow] = deque(maxlen=window)
        self.shown: list[FeedRow] = []
        self.filter = FeedFilter()
        self.waiting: list[FeedRow] = []
        self.total = 0
        self._styles: dict[str, Style] = {}
        self._now: datetime | None = None

    # -- data --------------------------------------------------------------------------------

    def add(self, items: Iterable[ScoredMention]) -> None:
        """Take a batch of new mentions (oldest first); while paused they wait and are counted."""
        rows = [FeedRow.of(item) for item in items]
        if not rows:
            return
        self.total += len(rows)
        if self.paused:
            self.waiting.extend(rows)
            self.post_message(self.StatusChanged())
            return
        self._show(rows)

    def _show(self, rows: list[FeedRow]) -> None:
        # `rows` is oldest first; the feed is newest first, so the batch's newest goes on top.
        self.rows.extendleft(rows)
        matches = self.filter.matches
        shown = (
            [row for row in reversed(rows) if matches(row)] if self.filter.active else rows[::-1]
        )
        self.shown[:0] = shown
        limit = self.rows.maxlen or FEED_WINDOW
        if len(self.shown) > limit:
            del self.shown[limit:]
        following = self.cursor == 0 and self.scroll_y == 0
        if not following and shown:
            # Keep the rows the user is reading where they are.
            self.cursor = min(self.cursor + len(shown), max(0, len(self.shown) - 1))
            self.scroll_to(y=self.scroll_y + len(shown), animate=False, immediate=True)
        self._resize()
        self.post_message(self.StatusChanged())

    def set_filter(self, query_or_filter: str | FeedFilter) -> None:
        """Show only what matches; the cursor goes back to the newest."""
        self.filter = (
            FeedFilter.parse(query_or_filter)
            if isinstance(query_or_filter, str)
            else query_or_filter
        )
        self.shown = [row for row in self.rows if self.filter.matches(row)]
        self.cursor = 0
        self.scroll_to(y=0, animate=False, immediate=True)
        self._resize()
        self.post_message(self.StatusChanged())

    def mark(
        self, mention_id: str, *, label: Label | None = None, flagged: bool | None = None
    ) -> None:
        """Reflect a person's override or flag on the rows that show that mention."""
        for row in self.rows:
            if row.item.mention.id == mention_id:
                if label is not None:
                    row.label = label
                if flagged is not None:
                    row.flagged = flagged
        self.refresh()

    @property
    def current(self) -> FeedRow | None:
        if 0 <= self.cursor < len(self.shown):
            return self.shown[self.cursor]
        return None

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
        self._move(0)

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Opened(row))

    def _move(self, index: int) -> None:
        self.cursor = max(0, min(index, len(self.shown) - 1))
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self.size.height:
            self.scroll_to(y=self.cursor - self.size.height + 1, animate=False, immediate=True)
        self.refresh()

    def watch_cursor(self) -> None:
        self.refresh()

    # -- rendering ---------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles and "now" are looked up once a frame, not once a line.
        self._styles = {
            name: self.get_component_rich_style(name) for name in self.COMPONENT_CLASSES
        }
        self._now = self.clock.now()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self.shown):
            return Strip.blank(width, base)
        styles = self._styles or {
            n: self.get_component_rich_style(n) for n in self.COMPONENT_CLASSES
        }
        row = self.shown[index]
        mention = row.item.mention
        label = row.label
        tone = styles[_TONE[label]]
        if index == self.cursor:
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
        if mention.ours:
            segments.append(Segment(OURS_BADGE, base + styles["feed--ours"]))
            segments.append(Segment(" " + row.text, base + styles["feed--ours-text"]))
        else:
            segments.append(Segment(row.text, base + tone if label is Label.NEGATIVE else base))
        return Strip(segments).crop_extend(0, width, base)
