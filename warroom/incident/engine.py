"""The wiring: mentions in, scored, folded into signals, written to the incident log, announced."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from warroom.clock import Clock
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import FUTURE_SLACK_MINUTES, LevelChange, Signals
from warroom.incident.log import IncidentLog
from warroom.incident.state import IncidentState
from warroom.model import (
    OVERRIDE_COMPOUND,
    Event,
    EventKind,
    Label,
    Level,
    Mention,
    Score,
    ScoredMention,
    format_time,
    parse_time,
)

logger = logging.getLogger("warroom.incident.engine")

# Ids remembered for deduplication; the oldest are forgotten first (sources dedupe too).
SEEN_IDS_LIMIT = 500_000
# Stored mentions are read back in chunks of this many when resuming an incident.
RESUME_CHUNK = 50_000
FUTURE_SLACK = timedelta(minutes=FUTURE_SLACK_MINUTES)


@dataclass
class EngineStats:
    """Counts for the summary line and the status bar."""

    received: int = 0
    ingested: int = 0
    duplicates: int = 0
    non_english: int = 0
    competitor: int = 0
    future: int = 0  # dated a day or more ahead: kept in the log, left out of the signals


@dataclass
class EngineUpdate:
    """What one batch changed: the listeners' whole input."""

    mentions: list[ScoredMention] = field(default_factory=list)
    level_changes: list[LevelChange] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


Listener = Callable[[EngineUpdate], None]


class Engine:
    """Mentions in; scores, signals, level changes and the incident log out. Knows no screen."""

    def __init__(
        self,
        *,
        clock: Clock,
        signals: Signals,
        scorer: Scorer | None = None,
        log: IncidentLog | None = None,
        state: IncidentState | None = None,
    ) -> None:
        self.clock = clock
        self.signals = signals
        self.scorer = scorer
        self.log = log
        self.state = state or IncidentState(name=log.meta.name if log else "")
        self.stats = EngineStats()
        self.listeners: list[Listener] = []
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.watermark: datetime | None = None

    # -- the log -----------------------------------------------------------------------------

    def attach(self, log: IncidentLog, *, resume: bool) -> None:
        """Write into `log`; when resuming, rebuild state, signals and seen ids from it."""
        self.log = log
        self.state = IncidentState(name=log.meta.name)
        if not resume:
            return
        judged: datetime | None = None  # the end of the last minute the log's detector judged
        for event in log.events():
            self.state.apply(event)
            if event.kind is EventKind.LEVEL_CHANGED:
                judged = _latest(judged, _judged_minute(event))
        # The stored mentions come back into the signals (baseline), not into the log again.
        self.log = None
        try:
            chunk: list[ScoredMention] = []
            for item in log.mentions():
                chunk.append(item)
                if len(chunk) >= RESUME_CHUNK:
                    self.ingest_scored(chunk, advance=False)
                    chunk = []
            self.ingest_scored(chunk, advance=False)
        finally:
            self.log = log
        # Level changes already in the log are not announced (nor logged) again: advance quietly
        # as far as the last run judged, not only to the last mention.
        judged = _latest(self.watermark, judged)
        if judged is not None:
            self.signals.advance(judged)
        self.stats = EngineStats()  # counts are of this run; the log holds the rest

    # -- mentions ----------------------------------------------------------------------------

    def fresh(self, mentions: Iterable[Mention]) -> list[Mention]:
        """Drop mentions seen before: the same id twice is one mention."""
        out: list[Mention] = []
        seen = self._seen
        for mention in mentions:
            self.stats.received += 1
            if mention.id in seen:
                self.stats.duplicates += 1
                continue
            seen[mention.id] = None
            out.append(mention)
        while len(seen) > SEEN_IDS_LIMIT:
            seen.popitem(last=False)
        return out

    def has_seen(self, mention_id: str) -> bool:
        """Whether a mention with this id was taken in already."""
        return mention_id in self._seen

    def ingest(self, mentions: Iterable[Mention], *, advance: bool = True) -> EngineUpdate:
        """Score new mentions in this process and take them in."""
        if self.scorer is None:
            raise RuntimeError("this engine has no scorer: use ingest_scored")
        fresh = self.fresh(mentions)
        scores = self.scorer.score_many(fresh)
        return self._take(list(map(ScoredMention, fresh, scores)), advance)

    def ingest_scored(
        self, scored: Sequence[ScoredMention], *, advance: bool = True
    ) -> EngineUpdate:
        """Take in mentions scored elsewhere (a scoring process); duplicates are dropped here."""
        fresh_ids = {m.id for m in self.fresh(s.mention for s in scored)}
        kept = [s for s in scored if s.mention.id in fresh_ids]
        if len(fresh_ids) != len(kept):  # the same id twice inside one batch
            unique: dict[str, ScoredMention] = {}
            for item in kept:
                unique.setdefault(item.mention.id, item)
            kept = list(unique.values())
        return self._take(kept, advance)

    def _take(self, scored: list[ScoredMention], advance: bool) -> EngineUpdate:
        update = EngineUpdate(mentions=scored)
        if not scored:
            return update
        stats = self.stats
        stats.ingested += len(scored)
        latest = self.watermark
        # A post dated a day past event time is a bad clock: counted in the signals it would make
        # every real minute "late" (never judged) and the series millions of minutes long.
        now = self.clock.now()
        horizon = max(now, latest or now) + FUTURE_SLACK
        counted = []
        for item in scored:
            mention = item.mention
            if item.score.compound is None:
                stats.non_english += 1
            if not mention.is_brand:
                stats.competitor += 1
            if mention.created_at > horizon:
                stats.future += 1
                continue
            counted.append(item)
            if latest is None or mention.created_at > latest:
                latest = mention.created_at
        self.watermark = latest
        self.signals.add_many(counted)
        if self.log is not None:
            self.log.append_mentions(scored)
        if advance and latest is not None:
            self._advance(latest, update)
        self._announce(update)
        return update

    # -- time --------------------------------------------------------------------------------

    def tick(self, now: datetime | None = None, *, flush: bool = True) -> EngineUpdate:
        """Let event time pass (quiet minutes count too) and flush the log's mention buffer."""
        update = EngineUpdate()
        self._advance(now or self.clock.now(), update)
        if flush and self.log is not None and self.log.writable:
            self.log.flush()
        if update.level_changes:
            self._announce(update)
        return update

    def finish(self) -> EngineUpdate:
        """Evaluate every minute up to the last mention's: the end of a file or a replay."""
        update = EngineUpdate()
        if self.watermark is not None:
            self._advance(self.watermark.replace(second=59, microsecond=999999), update)
        if update.level_changes:
            self._announce(update)
        return update

    def _advance(self, now: datetime, update: EngineUpdate) -> None:
        for change in self.signals.advance(now):
            update.level_changes.append(change)
            data = {
                "level": str(change.level),
                "previous": str(change.previous),
                "reason": change.reason,
                "minute": format_time(change.at),
                "evidence": change.evidence,
            }
            event = self._record(EventKind.LEVEL_CHANGED, data, author=None)
            if event is not None:
                update.events.append(event)

    # -- what people do ----------------------------------------------------------------------

    def record(self, kind: EventKind, data: dict[str, Any], *, author: str | None) -> Event:
        """Write a person's action to the log (on disk before this returns) and announce it."""
        event = self._record(kind, data, author=author)
        if event is None:
            event = Event(self.state.last_seq + 1, kind, self.clock.now(), data, author)
            self.state.apply(event)
        self._announce(EngineUpdate(events=[event]))
        return event

    def _record(self, kind: EventKind, data: dict[str, Any], *, author: str | None) -> Event | None:
        if self.log is None:
            if kind is EventKind.LEVEL_CHANGED:
                self.state.apply(Event(self.state.last_seq + 1, kind, self.clock.now(), data))
            return None
        event = self.log.append(kind, data, author=author)
        self.state.apply(event)
        return event

    def override_sentiment(self, item: ScoredMention, label: Label, *, author: str | None) -> Event:
        """A person says VADER read a mention wrong: the signals and the log follow them."""
        compound = OVERRIDE_COMPOUND[label]
        self.signals.relabel(item.mention, item.score, Score(compound, label))
        data = {
            "mention_id": item.mention.id,
            "label": str(label),
            "was": str(item.score.label) if item.score.label else None,
        }
        return self.record(EventKind.SENTIMENT_OVERRIDDEN, data, author=author)

    @property
    def level(self) -> Level:
        return self.signals.level

    def _announce(self, update: EngineUpdate) -> None:
        # What is announced is already in the log: a listener's bug must not make the caller
        # believe it was not saved (a person would type it again), nor starve the other listeners.
        for listener in self.listeners:
            try:
                listener(update)
            except Exception:
                logger.exception("engine: a listener failed on an update")

    def close(self) -> None:
        """Flush and release the incident log."""
        if self.log is not None:
            self.log.close()


def _judged_minute(event: Event) -> datetime | None:
    # A level change's "minute" is the end of the minute judged (LevelChange.at).
    value = event.data.get("minute")
    try:
        return parse_time(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)
