"""The wiring: mentions in, scored, folded into signals, written to the incident log, announced."""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain
from pathlib import Path
from time import monotonic
from typing import Any

from warroom.clock import Clock
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import FUTURE_SLACK_MINUTES, LevelChange, Signals
from warroom.incident import checkpoint as checkpoints
from warroom.incident.checkpoint import Checkpoint
from warroom.incident.log import IncidentLog, LogPosition
from warroom.incident.state import IncidentState
from warroom.model import (
    OVERRIDE_COMPOUND,
    Event,
    EventKind,
    Label,
    Level,
    Mention,
    OwnAccounts,
    Score,
    ScoredMention,
    format_time,
    parse_time,
)

logger = logging.getLogger("warroom.incident.engine")

# Ids remembered for deduplication; the oldest are forgotten first (sources dedupe too).
# The bound on memory: a set and a deque of 500,000 ids, 21 MB plus the ids (35 MB when short).
SEEN_IDS_LIMIT = 500_000
# Stored mentions are read back in chunks of this many when resuming an incident.
RESUME_CHUNK = 50_000
FUTURE_SLACK = timedelta(minutes=FUTURE_SLACK_MINUTES)
# The feed's window: the latest mentions, and the latest negative brand ones (the evidence).
# Each mention is a few hundred bytes to a few KB: about 5-15 MB for the two together.
FEED_WINDOW = 5000
FEED_NEGATIVE = 500
# A checkpoint is written in a thread after this many mentions or this many seconds (once a
# mention came), whichever comes first; and on close. A resume replays only what came after.
CHECKPOINT_EVERY = 100_000
CHECKPOINT_SECONDS = 180.0


@dataclass
class EngineStats:
    """Counts for the summary line and the status bar."""

    received: int = 0
    ingested: int = 0
    duplicates: int = 0
    non_english: int = 0
    competitor: int = 0
    future: int = 0  # dated a day or more ahead: kept in the log, left out of the signals
    ours: int = 0  # posted by the brand's own accounts: kept in the log, left out of the signals


@dataclass
class EngineUpdate:
    """What one batch changed: the listeners' whole input."""

    mentions: list[ScoredMention] = field(default_factory=list)
    level_changes: list[LevelChange] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


Listener = Callable[[EngineUpdate], None]


class FeedWindow:
    """What the feed shows when a screen opens: the latest mentions, bounded; the rest is stored."""

    def __init__(self, size: int = FEED_WINDOW, negative: int = FEED_NEGATIVE) -> None:
        self.recent: deque[ScoredMention] = deque(maxlen=size)
        self.negative: deque[ScoredMention] = deque(maxlen=negative)

    def add(self, scored: Sequence[ScoredMention]) -> None:
        """Take in a batch (in log order): the oldest fall out."""
        self.recent.extend(scored)
        self.negative.extend(
            s
            for s in scored
            if s.score.label is Label.NEGATIVE and s.mention.is_brand and not s.mention.ours
        )

    def replace(self, recent: Iterable[ScoredMention], negative: Iterable[ScoredMention]) -> None:
        """Hold these instead (the same deques: whoever holds them sees the change)."""
        self.recent.clear()
        self.recent.extend(recent)
        self.negative.clear()
        self.negative.extend(negative)


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
        # The brand's own accounts (set before attach): their posts are marked `ours` at ingest.
        self.accounts = OwnAccounts()
        self.listeners: list[Listener] = []
        # Team mode (set by the team link): own events go to `sink` with an id from
        # `new_event_id` and come back through apply_remote; a console that `follows` does
        # not decide level changes, the one holding ingest does.
        self.sink: Callable[[Event], None] | None = None
        self.new_event_id: Callable[[], str] | None = None
        self.follows = False
        self._pending: list[Event] = []
        self._applied: set[str] = set()
        # A set to look ids up, a deque to forget the oldest: half an OrderedDict's memory.
        self._seen: set[str] = set()
        self._seen_order: deque[str] = deque()
        self.watermark: datetime | None = None
        self.feed = FeedWindow()
        # The mentions the signals count at a person's label, not the scorer's, and at which: a
        # second override takes the first one's out, not the scorer's.
        self._counted: dict[str, Label] = {}
        # While a resume reads the log: overridden mentions, counted at their labels only once
        # the minutes are judged again as they were (live, a person relabels judged minutes).
        self._deferred: list[ScoredMention] | None = None
        self.resumed_from: LogPosition | None = None  # the checkpoint the last resume loaded
        self._since_checkpoint = 0
        self._checkpoint_due = monotonic() + CHECKPOINT_SECONDS
        self._writer: threading.Thread | None = None

    # -- the log -----------------------------------------------------------------------------

    def attach(self, log: IncidentLog, *, resume: bool) -> None:
        """Write into `log`; when resuming, rebuild state, signals and seen ids from it.

        From its checkpoint when one matches (then only what came after it is read), else by
        replaying every stored mention, after which a checkpoint is written.
        """
        self._wait_for_checkpoint()
        self.log = log
        self.state = IncidentState(name=log.meta.name)
        self._pending = []
        self._applied = set()
        self.resumed_from = None
        self._since_checkpoint = 0
        self._checkpoint_due = monotonic() + CHECKPOINT_SECONDS
        if not resume:
            return  # the signals and the feed go on (a closed incident's), and how they count
        self._counted = {}
        judged: datetime | None = None  # the end of the last minute the log's detector judged
        overridden: dict[str, Event] = {}  # each mention's latest override (it carries the post)
        for event in log.events():
            self.state.apply(event)
            if event.id is not None:
                self._applied.add(event.id)
            if event.kind is EventKind.LEVEL_CHANGED:
                judged = _latest(judged, _judged_minute(event))
            elif event.kind is EventKind.SENTIMENT_OVERRIDDEN:
                overridden[str(event.data.get("mention_id"))] = event
        stored = self._from_checkpoint(log)
        replayed = stored is None
        # The stored mentions come back into the signals (baseline), not into the log again.
        self.log = None
        self._deferred = []
        try:
            chunk: list[ScoredMention] = []
            read = 0
            for item in log.mentions() if stored is None else stored:
                chunk.append(item)
                if len(chunk) >= RESUME_CHUNK:
                    self.ingest_scored(chunk, advance=False)
                    read += len(chunk)
                    chunk = []
            self.ingest_scored(chunk, advance=False)
            read += len(chunk)
            # Level changes already in the log are not announced (nor logged) again: advance
            # quietly as far as the last run judged, not only to the last mention.
            judged = _latest(self.watermark, judged)
            if judged is not None:
                self.signals.advance(judged)
            for item in self._deferred:
                self._count_override(item)
        finally:
            self.log = log
            self._deferred = None
        # What came after the checkpoint goes into the next one (on close, or when it is due).
        self._since_checkpoint = read
        if stored is not None:
            self._count_late_overrides(log, overridden)  # counted in the next one too
        self.stats = EngineStats()  # counts are of this run; the log holds the rest
        if replayed and log.writable and log.mention_count():
            self.checkpoint(wait=True)  # the next resume need not replay all of it again

    def _from_checkpoint(self, log: IncidentLog) -> Iterator[ScoredMention] | None:
        """Load the log's checkpoint into this engine; the mentions after it, or None to replay."""
        stored = checkpoints.read(log.path, self._settings())
        if stored is None:
            return None
        try:
            after = log.mentions_after(stored.position)
        except (ValueError, OSError) as error:
            logger.warning(
                "checkpoint of %s not used (%s): replaying the whole log", log.path, error
            )
            return None
        try:
            watermark = parse_time(stored.watermark) if stored.watermark else None
            self.signals.restore(stored.signals)  # all or nothing
        except (ValueError, KeyError, TypeError, IndexError) as error:
            logger.warning(
                "checkpoint of %s damaged (%s): replaying the whole log", log.path, error
            )
            return None
        self.watermark = watermark
        self._seen = set(stored.seen)
        self._seen_order = deque(stored.seen)
        self.feed.replace(stored.feed, stored.feed_negative)
        self._counted = dict(stored.counted)
        self.resumed_from = stored.position
        return after

    def _count_late_overrides(self, log: IncidentLog, overridden: dict[str, Event]) -> None:
        """Count the overrides the checkpoint's signals miss, of mentions it covers: made after it
        and then no checkpoint (a crash), or a teammate's of a mention not at hand then. Each
        override event (`overridden`, by mention) carries its post; the log's mentions are read
        only for one that does not."""
        overrides = self.state.overrides
        missing = {key for key, label in overrides.items() if self._counted.get(key) != label}
        for key in list(missing):
            event = overridden.get(key)
            item = None if event is None else self._overridden_mention(event)
            if item is not None and self.has_seen(key):
                self._count_override(item)
                missing.discard(key)
        if not missing:
            return
        for item in log.mentions():
            if item.mention.id in missing:
                self._count_override(ScoredMention(self.accounts.mark(item.mention), item.score))
                missing.discard(item.mention.id)
                if not missing:
                    return
        for key in missing:  # not in this log: nothing counted to move (no search next time)
            self._counted[key] = overrides[key]

    # -- the same state for a team member joining late ----------------------------------------

    def snapshot(self) -> Checkpoint:
        """The engine's state now (copies only): what a console joining late starts from."""
        position = self.log.position() if self.log is not None else LogPosition()
        return self._capture(position)

    def restore(self, stored: Checkpoint) -> bool:
        """Take over another console's state (same rule and settings); False if it does not fit.

        Only the state: the mentions it covers are not in this console's log until stored.
        """
        if not self.restore_signals(stored):
            return False
        self._seen = set(stored.seen)
        self._seen_order = deque(stored.seen)
        self.feed.replace(stored.feed, stored.feed_negative)
        self._counted = dict(stored.counted)
        return True

    def restore_signals(self, stored: Checkpoint) -> bool:
        """Take over only the signals and the watermark (same settings); False if they do not fit.

        Not the seen ids nor the feed: what a closed incident saw is not a duplicate in the next.
        """
        if stored.settings != self._settings():
            return False
        try:
            watermark = parse_time(stored.watermark) if stored.watermark else None
            self.signals.restore(stored.signals)  # all or nothing
        except (ValueError, KeyError, TypeError, IndexError) as error:
            logger.warning("a checkpoint's signals could not be used (%s)", error)
            return False
        self.watermark = watermark
        return True

    def carry_over(self, folder: Path) -> bool:
        """Start from the baseline learned in the incident in `folder` (closed): its checkpoint's
        signals and watermark. False, nothing changed, when it has none that fits."""
        stored = checkpoints.read(folder, self._settings())
        return stored is not None and self.restore_signals(stored)

    def store_only(self, scored: Sequence[ScoredMention]) -> None:
        """Write mentions to the log without counting them (their counts came in a snapshot)."""
        if self.log is not None and scored:
            self.log.append_mentions(self._marked(list(scored)))

    def _settings(self) -> dict[str, Any]:
        """What a checkpoint is computed under: it is used only if these are unchanged."""
        settings = {"version": checkpoints.VERSION, **self.signals.settings()}
        if self.accounts:
            settings["ours"] = sorted(self.accounts.handles)  # other handles, other counts
        return settings

    def _capture(self, position: LogPosition) -> Checkpoint:
        # On the caller's thread, and quick: copies only; encoding happens in the writer thread.
        return Checkpoint(
            position=position,
            settings=self._settings(),
            signals=self.signals.state(),
            seen=list(self._seen_order),
            watermark=format_time(self.watermark) if self.watermark else None,
            feed=list(self.feed.recent),
            feed_negative=list(self.feed.negative),
            counted=dict(self._counted),
        )

    def checkpoint(self, *, wait: bool = False) -> bool:
        """Checkpoint the state beside the log: flushed, encoded and written in a thread (or
        here, with `wait`). False when there is nothing to write to, or one is still running."""
        log = self.log
        if log is None or not log.writable or log.closed:
            return False
        if self._writer is not None and self._writer.is_alive():
            return False
        self._since_checkpoint = 0
        self._checkpoint_due = monotonic() + CHECKPOINT_SECONDS
        # The position includes mentions still buffered: the writer flushes them first.
        captured = self._capture(log.position())
        if wait:
            _write_checkpoint(log, captured)
            return True
        self._writer = threading.Thread(
            target=_write_checkpoint, args=(log, captured), name="warroom-checkpoint", daemon=True
        )
        self._writer.start()
        return True

    def _wait_for_checkpoint(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.join()

    # -- mentions ----------------------------------------------------------------------------

    def fresh(self, mentions: Iterable[Mention]) -> list[Mention]:
        """Drop mentions seen before: the same id twice is one mention."""
        out: list[Mention] = []
        seen = self._seen
        order = self._seen_order
        for mention in mentions:
            self.stats.received += 1
            if mention.id in seen:
                self.stats.duplicates += 1
                continue
            seen.add(mention.id)
            order.append(mention.id)
            out.append(mention)
        while len(order) > SEEN_IDS_LIMIT:
            seen.discard(order.popleft())
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

    def _marked(self, scored: list[ScoredMention]) -> list[ScoredMention]:
        """The batch with each mention's `ours` decided by our accounts, not by its input."""
        mark = self.accounts.mark
        for index, item in enumerate(scored):
            mention = item.mention
            marked = mark(mention)
            if marked is not mention:
                scored[index] = ScoredMention(marked, item.score)
        return scored

    def _take(self, scored: list[ScoredMention], advance: bool) -> EngineUpdate:
        scored = self._marked(scored)
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
            if mention.ours:
                # Counted apart; nor does our posting move event time for the detector.
                stats.ours += 1
                continue
            if mention.created_at > horizon:
                stats.future += 1
                continue
            counted.append(item)
            if latest is None or mention.created_at > latest:
                latest = mention.created_at
        self.watermark = latest
        self.signals.add_many(counted)
        if self.state.overrides:  # replayed, or a teammate's override came before the mention
            self._count_overrides_of(scored, counted)
        self.feed.add(scored)
        if self.log is not None:
            self.log.append_mentions(scored)
        if advance and latest is not None:
            self._advance(latest, update)
        if self.log is not None:
            self._since_checkpoint += len(scored)
            if self._since_checkpoint >= CHECKPOINT_EVERY or monotonic() >= self._checkpoint_due:
                self.checkpoint()
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
        if self.sink is not None:
            return self._record_for_team(kind, data, author)
        if self.log is None:
            if kind is EventKind.LEVEL_CHANGED:
                self.state.apply(Event(self.state.last_seq + 1, kind, self.clock.now(), data))
            return None
        event = self.log.append(kind, data, author=author)
        self.state.apply(event)
        return event

    def override_sentiment(
        self, item: ScoredMention, label: Label, *, author: str | None, role: str | None = None
    ) -> Event:
        """A person says VADER read a mention wrong: the signals and the log follow them."""
        self._count_override(item, label)
        data = {
            "mention_id": item.mention.id,
            "label": str(label),
            "was": str(item.score.label) if item.score.label else None,
            # What a teammate's console needs to count it, though the post left its feed.
            "compound": item.score.compound,
            "mention": item.mention.to_dict(),
        }
        if role:
            data["role"] = role
        return self.record(EventKind.SENTIMENT_OVERRIDDEN, data, author=author)

    def _count_override(self, item: ScoredMention, label: Label | None = None) -> None:
        """Count `item` in the signals at `label` (by default the one the state holds), taking
        out what it was counted at: the scorer's score, or an earlier override."""
        mention_id = item.mention.id
        if label is None:
            label = self.state.overrides[mention_id]
        was = self._counted.get(mention_id)
        if was is not label:
            old = item.score if was is None else _override_score(was)
            self.signals.relabel(item.mention, old, _override_score(label))
            self._counted[mention_id] = label
            self._since_checkpoint += 1  # the next checkpoint (at close too) holds it

    def _count_overrides_of(
        self, scored: list[ScoredMention], counted: list[ScoredMention]
    ) -> None:
        """Count the people's labels of mentions just taken in (`counted`: those in the signals)."""
        overrides = self.state.overrides
        found = [item for item in scored if item.mention.id in overrides]
        if not found:
            return
        in_signals = {id(item) for item in counted}
        for item in found:
            if id(item) not in in_signals:  # ours, or dated in the future: nothing to move
                self._counted[item.mention.id] = overrides[item.mention.id]
            elif self._deferred is not None:
                self._deferred.append(item)
            else:
                self._count_override(item)

    def _count_logged_override(self, event: Event) -> None:
        """An override this run did not make (a teammate's, or own ones from before a restart):
        counted at the label the state holds now, if this console took the mention in (else
        when it does)."""
        mention_id = event.data.get("mention_id")
        if not isinstance(mention_id, str) or mention_id not in self.state.overrides:
            return
        for item in chain(reversed(self.feed.recent), reversed(self.feed.negative)):
            if item.mention.id == mention_id:
                self._count_override(item)
                return
        carried = self._overridden_mention(event)
        if carried is not None and self.has_seen(mention_id):
            self._count_override(carried)

    def _overridden_mention(self, event: Event) -> ScoredMention | None:
        """The mention an override event carries, with the scorer's score (None: it carries none,
        written before events carried it, or it is damaged)."""
        data = event.data
        try:
            item = checkpoints.scored_from_row([data["mention"], data["compound"], data["was"]])
        except (KeyError, TypeError, ValueError):  # a MentionError is a ValueError
            return None
        if item.mention.id != data.get("mention_id"):
            return None
        return ScoredMention(self.accounts.mark(item.mention), item.score)

    # -- team mode: events go out through a sink and come back in the team's order ----------

    def _record_for_team(
        self, kind: EventKind, data: dict[str, Any], author: str | None
    ) -> Event | None:
        if kind is EventKind.LEVEL_CHANGED and self.follows:
            return None  # decided once, by the console that holds ingest
        assert self.sink is not None and self.new_event_id is not None
        copy = json.loads(json.dumps(data))  # the caller may change theirs later
        event = Event(
            self.state.last_seq + 1, kind, self.clock.now(), copy, author, self.new_event_id()
        )
        self.sink(event)  # on disk in the outbox before this returns
        self._pending.append(event)
        self.state.apply(event)  # shown at once; its place is the stream's to decide
        return event

    def restore_pending(self, events: Iterable[Event]) -> None:
        """Own events still in the outbox (from before a restart): shown until they come back."""
        for event in events:
            if event.id is not None and event.id not in self._applied:
                self._pending.append(event)
                self.state.apply(event)
                if event.kind is EventKind.SENTIMENT_OVERRIDDEN:
                    self._count_logged_override(event)

    @property
    def pending(self) -> list[Event]:
        """Own events the team's stream has not given back yet."""
        return list(self._pending)

    def apply_remote(self, event: Event) -> Event | None:
        """Apply one event from the team's stream, in stream order; a repeat is ignored.

        It goes into the log with its author, time and id. When it overtakes own events still
        pending, the state is rebuilt in the stream's order with the pending ones on top, so
        every console resolves (say) a check and an uncheck of one step the same way.
        """
        if event.id is None or event.id in self._applied or self.log is None:
            return None
        logged = self.log.append(
            event.kind, event.data, author=event.author, at=event.at, event_id=event.id
        )
        self._applied.add(event.id)
        own = next((n for n, p in enumerate(self._pending) if p.id == event.id), None)
        if own is not None:
            del self._pending[own]
        if own == 0:
            return logged  # it was shown already, in this very place
        if self._pending or own is not None:
            self._rebuild_state()
        else:
            self.state.apply(logged)
        if own is None:
            if logged.kind is EventKind.SENTIMENT_OVERRIDDEN:
                self._count_logged_override(logged)
            self._announce(EngineUpdate(events=[logged]))
        return logged

    def _rebuild_state(self) -> None:
        assert self.log is not None
        state = IncidentState.from_events(self.log.events(), name=self.state.name)
        for event in self._pending:
            state.apply(event)
        self.state = state

    @property
    def level(self) -> Level:
        # A console that does not hold ingest shows the level the holder decided.
        if self.follows and self.sink is not None:
            return self.state.level
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
        """Flush, checkpoint and release the incident log."""
        self._wait_for_checkpoint()
        log = self.log
        if log is None:
            return
        if log.writable and not log.closed and self._since_checkpoint:
            try:
                log.flush()
                self.checkpoint(wait=True)
            except OSError as error:
                # Closing the log says so (it flushes again); a resume will replay instead.
                logger.warning("engine: no checkpoint of %s at close (%s)", log.path, error)
        log.close()


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


def _write_checkpoint(log: IncidentLog, captured: Checkpoint) -> None:
    # The log first, so a checkpoint on disk never names mentions the log has not got.
    try:
        log.flush()
        checkpoints.write(log.path, captured)
    except Exception:
        # A lost checkpoint costs a longer resume, never a mention: say so, and go on.
        logger.exception("engine: the checkpoint of %s was not written", log.path)


def _override_score(label: Label) -> Score:
    """The score a person's label is counted at."""
    return Score(OVERRIDE_COMPOUND[label], label)
