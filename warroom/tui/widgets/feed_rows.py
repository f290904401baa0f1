"""The feed's rows and filter: a mention and its repeats as one row, and what a filter keeps."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Protocol

from warroom.model import BRAND_TOPIC, Label, ScoredMention
from warroom.review.text import reach_text
from warroom.tui.safe import clean

# What a folded row keeps of its repeats: the latest copies (to open and flag) and who posted.
KEPT_COPIES = 20
NAMED_AUTHORS = 50

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
_FLAGGED_WORDS = ("flagged", "flag")
_COMPETITOR_WORDS = ("competitor", "competitors", "vs")
# Our posts carry a word, not only a colour: legible with NO_COLOR and on a projector.
OURS_BADGE = "OURS"
# A competitor's topic, as the config's `topics.competitors` names it; its rows say `vs:name`.
COMPETITOR_PREFIX = "competitor:"
_MARKER_CHARS = 12  # a long competitor name is cut in the row
# What repeats differ by and still read the same: links, and a repost's `RT @someone:` prefix.
_LINK = re.compile(r"https?://\S+")
_REPOST = re.compile(r"^(?:rt|boost(?:ed)?|repost(?:ed)?)\s*:?\s*@\S+\s*:?\s*")


def competitor_of(topic: str) -> str | None:
    """The competitor a topic names (`competitor:thermly` -> `thermly`); None for the brand."""
    if topic == BRAND_TOPIC:
        return None
    return topic.removeprefix(COMPETITOR_PREFIX)


def competitor_marker(topic: str) -> str:
    """`vs:thermly` for a competitor's mention, empty for the brand's."""
    name = competitor_of(topic)
    if name is None:
        return ""
    return f"vs:{clean(name, limit=40)[:_MARKER_CHARS]}"


def repeat_text(text: str) -> str:
    """A post's text as repeats share it: no case, links, repost prefix or extra spacing.

    Cheap on purpose (a surge brings thousands a second): no word-by-word parsing.
    """
    folded = text.casefold()
    if "http" in folded:
        folded = _LINK.sub(" ", folded)
    folded = " ".join(folded.split())
    if folded.startswith(("rt", "boost", "repost")):
        folded = _REPOST.sub("", folded)
    return folded


def repeat_key(item: ScoredMention) -> str:
    """What makes two mentions one row: the same text (repeat_text) in the same topic; our own
    posts apart from the public's."""
    mention = item.mention
    text = repeat_text(mention.text)
    if not text:  # only a link: nothing to compare, the mention stands alone
        return f"id\x00{mention.id}"
    return f"{mention.topic}\x00{'ours' if mention.ours else ''}\x00{text}"


class Marks(Protocol):
    """What the log says people did to mentions: the incident state has both."""

    @property
    def flagged(self) -> Collection[str]: ...

    @property
    def overrides(self) -> Mapping[str, Label]: ...


@dataclass(frozen=True)
class FeedFilter:
    """What the feed shows: a sentiment, a source, a topic, flags and words that must all appear."""

    sentiment: Label | None = None
    source: str | None = None
    topic: str | None = None
    words: tuple[str, ...] = ()
    ours: bool | None = None  # True: only our own posts; False: only the public's
    flagged: bool = False  # only rows a person flagged for response
    competitor: str | None = None  # "": any competitor; a name: that one (by its start)

    @classmethod
    def parse(cls, query: str) -> FeedFilter:
        """`neg source:reddit topic:brand outage` -> a filter; plain words are free text.

        `ours` keeps only the brand's own posts, `public` only everyone else's; `flagged` only
        flagged ones; `competitors` only competitors' mentions, `vs:name` one competitor's.
        """
        sentiment = source = topic = ours = competitor = None
        flagged = False
        words: list[str] = []
        for token in query.split():
            lowered = token.lower()
            key, _, value = lowered.partition(":")
            if lowered in _OURS_WORDS:
                ours = _OURS_WORDS[lowered]
            elif lowered in _SENTIMENT_WORDS:
                sentiment = _SENTIMENT_WORDS[lowered]
            elif lowered in _FLAGGED_WORDS:
                flagged = True
            elif lowered in _COMPETITOR_WORDS:
                competitor = ""
            elif key in _COMPETITOR_WORDS and value:
                competitor = value
            elif key == "sentiment" and value in _SENTIMENT_WORDS:
                sentiment = _SENTIMENT_WORDS[value]
            elif key == "source" and value:
                source = value
            elif key == "topic" and value:
                topic = value
            else:
                words.append(lowered)
        return cls(sentiment, source, topic, tuple(words), ours, flagged, competitor)

    @property
    def active(self) -> bool:
        return (
            bool(self.sentiment or self.source or self.topic or self.words or self.flagged)
            or self.ours is not None
            or self.competitor is not None
        )

    def describe(self) -> str:
        parts = []
        if self.flagged:
            parts.append("flagged")
        if self.ours is not None:
            parts.append("ours" if self.ours else "public")
        if self.competitor is not None:
            parts.append(f"vs:{self.competitor}" if self.competitor else "competitors")
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
        if self.flagged and not row.flagged:
            return False
        mention = row.item.mention
        if self.ours is not None and mention.ours is not self.ours:
            return False
        if self.competitor is not None:
            name = competitor_of(mention.topic)
            if name is None or not name.lower().startswith(self.competitor):
                return False
        if self.source is not None and mention.source.lower() != self.source:
            return False
        if self.topic is not None and not mention.topic.lower().startswith(self.topic):
            return False
        return all(word in row.folded for word in self.words)


def _who(item: ScoredMention) -> str:
    return item.mention.author or item.mention.source


@dataclass(eq=False)
class Repeats:
    """What a row keeps once a second copy of its text arrives: the latest copies (to open and
    flag) and who posted them, the first NAMED_AUTHORS by name."""

    copies: deque[ScoredMention]
    authors: dict[str, int]
    unnamed: int = 0  # copies by authors past NAMED_AUTHORS

    @classmethod
    def of(cls, first: ScoredMention) -> Repeats:
        return cls(deque((first,), maxlen=KEPT_COPIES), {_who(first): 1})

    def add(self, item: ScoredMention) -> None:
        self.copies.append(item)
        who = _who(item)
        if who in self.authors:
            self.authors[who] += 1
        elif len(self.authors) < NAMED_AUTHORS:
            self.authors[who] = 1
        else:
            self.unnamed += 1


@dataclass(eq=False)
class FeedRow:
    """One row of the feed: a mention and its repeats (the same text), shown as the latest.

    Cleaned once, when first drawn or filtered; a repeat arriving cleans the latest again.
    A row of one mention holds nothing more (a surge brings thousands a second).
    """

    item: ScoredMention  # the latest copy: what the row shows, opens and flags
    label: Label | None
    key: str = ""
    count: int = 1
    repeats: Repeats | None = None  # from the second copy on
    flags: dict[str, ScoredMention] | None = None  # the copies a person flagged, by id
    overridden: bool = False  # a person set the label: a repeat does not undo it

    @classmethod
    def of(cls, item: ScoredMention, key: str | None = None) -> FeedRow:
        # Most rows are never on screen: cleaning waits until one is drawn or filtered.
        return cls(item, item.score.label, repeat_key(item) if key is None else key)

    def take(self, item: ScoredMention) -> None:
        """A repeat arrived: it becomes what the row shows."""
        if self.repeats is None:
            self.repeats = Repeats.of(self.item)
        self.repeats.add(item)
        self.item = item
        self.count += 1
        if not self.overridden:
            self.label = item.score.label
        for name in ("text", "author", "folded", "columns", "marker"):
            self.__dict__.pop(name, None)  # the cached_property values of the previous latest

    def copy(self) -> FeedRow:
        """This row as it is now: what a person opened stays what they see."""
        repeats = self.repeats
        return FeedRow(
            self.item,
            self.label,
            self.key,
            self.count,
            None
            if repeats is None
            else Repeats(
                deque(repeats.copies, maxlen=KEPT_COPIES), dict(repeats.authors), repeats.unnamed
            ),
            None if self.flags is None else dict(self.flags),
            self.overridden,
        )

    @property
    def copies(self) -> tuple[ScoredMention, ...]:
        """The copies kept, oldest first (the latest KEPT_COPIES)."""
        return (self.item,) if self.repeats is None else tuple(self.repeats.copies)

    @property
    def authors(self) -> dict[str, int]:
        """Who posted the copies and how often, in order (the first NAMED_AUTHORS)."""
        return {_who(self.item): 1} if self.repeats is None else self.repeats.authors

    @property
    def unnamed(self) -> int:
        """Copies by authors past NAMED_AUTHORS."""
        return 0 if self.repeats is None else self.repeats.unnamed

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def flagged_copies(self) -> list[ScoredMention]:
        return [] if self.flags is None else list(self.flags.values())

    def set_flag(self, item: ScoredMention, flagged: bool) -> None:
        """A person flagged one of this row's copies, or took the flag off."""
        if flagged:
            self.flags = {**(self.flags or {}), item.mention.id: item}
        elif self.flags is not None:
            self.flags.pop(item.mention.id, None)

    def holds(self, mention_id: str) -> ScoredMention | None:
        """The copy with this id, if the row still keeps it."""
        for copy in self.copies:
            if copy.mention.id == mention_id:
                return copy
        return None

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
    def marker(self) -> str:
        """`vs:thermly ` on a competitor's row (one topic per row), else nothing."""
        marker = competitor_marker(self.item.mention.topic)
        return f"{marker} " if marker else ""

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
    """12, 4.5k, 184k, 1.2M: a follower count in five characters or fewer, as the report writes
    it."""
    return "" if value is None else reach_text(value)
