"""Per-minute signals of the conversation, the level detector over them, and the gauge."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from warroom.detection.detector import (
    ABSORB_Z,
    HOLD,
    LOW_VOLUME_EXPECTED,
    MIN_CRISIS_EXCESS,
    Baseline,
    DetectorRule,
    Grounds,
    MinuteStats,
    Reading,
    Thresholds,
    TopicCount,
    absolute_evidence,
    change_z,
    classify,
    growing,
    judge,
    read_window,
    rising,
    sudden,
    volume_change_z,
)
from warroom.detection.trending import (
    SAMPLE_PER_MINUTE,
    STOPWORDS,
    TermSample,
    TrendingTerm,
    merged,
    rank_terms,
)
from warroom.model import Label, Level, Mention, Score, ScoredMention

__all__ = [
    "DetectorRule",
    "Gauge",
    "LevelChange",
    "MinuteStats",
    "Signals",
    "TopicCount",
    "TrendingTerm",
]

SPARK_MINUTES = 60
# A mention dated more than this past the latest `now` is a bad clock, not a post: skipped.
FUTURE_SLACK_MINUTES = 24 * 60
MAX_KEEP_MINUTES = 7 * 24 * 60
MAX_FILLED_GAP_MINUTES = 24 * 60
# What the detector's state means: a checkpoint of another version is not used (replayed instead).
DETECTOR_VERSION = 4  # 2: elevated first, a crisis needs absolute evidence, persists or grows;
# 3: a surge needs an elevated share, growth a rise's volume jump, a low-volume cluster no shortcut;
# 4: a trend window's evidence counts a look every short window; growth needs the posts 1.3x as
# fast as before and as usual, and a crisis's lift over the span since the raise


def minute_key(moment: datetime) -> int:
    """The UTC minute a moment falls in, as whole minutes since the epoch."""
    return int(moment.timestamp() // 60)


def minute_of(key: int) -> datetime:
    """The start of the minute `minute_key` numbered `key`."""
    return datetime.fromtimestamp(key * 60, UTC)


@dataclass(frozen=True)
class LevelChange:
    """The detector moved the level, and says why."""

    at: datetime
    level: Level
    previous: Level
    reason: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class Gauge:
    """The latest figures for the console: the current window against the baseline."""

    at: datetime | None
    level: Level
    reason: str
    net_sentiment: float | None  # mean compound of the window, -1..1
    split: tuple[float, float, float]  # negative, neutral, positive shares of the window
    volume_per_min: float
    baseline_volume_per_min: float | None
    negative_share: float | None
    baseline_negative_share: float | None
    sentiment_spark: list[float | None]
    volume_spark: list[int]
    trending: list[TrendingTerm]
    competitors: dict[str, tuple[int, float | None]]

    @classmethod
    def empty(cls, level: Level, reason: str) -> Gauge:
        """The gauge before any mention was counted."""
        nothing = (None, None, None)
        return cls(None, level, reason, None, (0.0, 0.0, 0.0), 0.0, *nothing, [], [], [], {})


_LEVELS_DOWN = {Level.CRISIS: Level.ELEVATED, Level.ELEVATED: Level.NORMAL}
_CRISIS_GROUNDS = (Grounds.STRONG, Grounds.SURGE)
_RANK = {Grounds.NONE: 0, Grounds.RISE: 1, Grounds.CLUSTER: 1, Grounds.STRONG: 2, Grounds.SURGE: 2}


class Signals:
    """Buckets scored mentions by minute and turns them into a level, a gauge and trending terms."""

    def __init__(
        self,
        rule: DetectorRule | None = None,
        *,
        extra_stopwords: Iterable[str] = (),
        keep_minutes: int | None = MAX_KEEP_MINUTES,
    ) -> None:
        self.rule = rule or DetectorRule()
        self.level = Level.NORMAL
        self.reason = f"learning baseline (0 of {self.rule.warmup_minutes} minutes)"
        self.skipped_future = 0  # mentions dated a day or more after the latest `now`
        self.baseline = Baseline(self.rule.baseline_half_life_minutes)
        self.keep_minutes = keep_minutes  # None: every minute is kept (the review replays all)
        self._buckets: dict[int, MinuteStats] = {}
        # The bucket keys in order: pruning and finding the next busy minute bisect it (no scan).
        self._keys: list[int] = []
        stopwords = STOPWORDS | {word.lower() for word in extra_stopwords}
        self._terms = TermSample(SAMPLE_PER_MINUTE, stopwords)  # recent minutes only
        self._next: int | None = None  # the next minute to evaluate
        self._horizon: int | None = None
        self._minutes_seen = 0
        self._absorbed_through: int | None = None
        self._last_unsettled = -1
        # Minutes already reported as a crisis: a new crisis needs new evidence.
        self._reported: set[int] = set()
        rule = self.rule
        self._short = Thresholds.for_window(
            rule.window_minutes, rule.window_minutes, rule.sensitivity
        )
        self._long = Thresholds.for_window(
            rule.trend_window_minutes, rule.window_minutes, rule.sensitivity
        )
        self._raised_by = self.rule.window_minutes
        self._calm = 0
        self._elevated_at = 0  # the minute the level last became elevated
        self._raise_start = 0  # the first minute of the window that raised it
        self._spans: dict[int, Thresholds] = {}

    # -- the hot path ------------------------------------------------------------------------

    def add(self, scored: ScoredMention) -> None:
        """Count one scored mention in the minute it was posted; our own posts are not counted."""
        mention = scored.mention
        if mention.ours:
            return  # the brand's own posts are not the public's conversation
        key = int(mention.created_at.timestamp() // 60)
        bucket = self._buckets.get(key)
        if bucket is None:
            if self._horizon is not None and key > self._horizon:
                self.skipped_future += 1
                return
            bucket = self._new_bucket(key)
        score = scored.score
        if bucket.count(mention.topic, score.compound, score.label, mention.reach):
            self._count_terms(key, mention.text, 1)

    def add_many(self, batch: Iterable[ScoredMention]) -> None:
        """Count a batch of scored mentions."""
        add = self.add
        for scored in batch:
            add(scored)

    def count(
        self,
        key: int,
        topic: str,
        compound: float | None,
        label: Label | None,
        reach: int | None,
        *,
        ours: bool = False,
    ) -> bool:
        """Count one mention, as the log stores it, in minute `key`: True if negative and brand.

        For the review's replay: nothing is set apart as future, and the caller samples the words.
        Our own posts (`ours`) are not counted.
        """
        if ours:
            return False
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._new_bucket(key)
        return bucket.count(topic, compound, label, reach)

    def _new_bucket(self, key: int) -> MinuteStats:
        bucket = self._buckets[key] = MinuteStats(minute_of(key))
        keys = self._keys
        if not keys or key > keys[-1]:
            keys.append(key)  # the usual case: posts come in time order
        else:
            insort(keys, key)
        return bucket

    def _count_terms(self, key: int, text: str, sign: int) -> None:
        # Minutes already learned (or forgotten) are not tokenized: very late posts cost nothing.
        if self._next is not None and key < self._next - self.rule.trend_window_minutes:
            return
        self._terms.count(key, text, sign)

    def relabel(self, mention: Mention, old: Score, new: Score) -> None:
        """A person overrode a brand mention's sentiment: move it from `old` to `new`."""
        key = minute_key(mention.created_at)
        bucket = self._buckets.get(key)
        if mention.ours or bucket is None:
            return
        if not mention.is_brand and mention.topic not in bucket.by_topic:
            return
        # Out at the old score and in at the new: the volume is unchanged.
        for score, sign in ((old, -1), (new, 1)):
            if bucket.count(mention.topic, score.compound, score.label, mention.reach, sign):
                self._count_terms(key, mention.text, sign)

    # -- the detector, once a minute ----------------------------------------------------------

    def advance(self, now: datetime) -> list[LevelChange]:
        """Evaluate, in order, every minute complete by `now` (event time); return level changes."""
        last_complete = minute_key(now) - 1
        self._horizon = last_complete + FUTURE_SLACK_MINUTES
        if self._next is None:
            if not self._buckets:
                return []
            self._next = self._keys[0]
        if self._next > last_complete:
            return []
        changes = []
        quiet = 0
        settle = self.rule.trend_window_minutes + self.rule.cooldown_minutes + 1
        while self._next <= last_complete:
            change = self._evaluate(self._next)
            if change is not None:
                changes.append(change)
            quiet = quiet + 1 if self._next not in self._buckets else 0
            self._next += 1
            if quiet >= settle and self.level is Level.NORMAL and self.baseline.ready:
                # Hours or months with no mention change nothing more once the windows are
                # empty and the level has settled: jump to the next minute that has mentions.
                index = bisect_left(self._keys, self._next)
                ahead = self._keys[index] if index < len(self._keys) else last_complete + 1
                self._next = min(ahead, last_complete + 1)
                quiet = 0
        self._terms.forget_before(self._next - self.rule.trend_window_minutes - 1)
        forgotten = self._next - self.rule.trend_window_minutes
        self._reported = {key for key in self._reported if key >= forgotten}
        keep = self.keep_minutes
        if keep is not None and len(self._buckets) > keep:
            self.prune(keep)  # a safety net if the owner never prunes
        return changes

    def _evaluate(self, minute: int) -> LevelChange | None:
        rule = self.rule
        self._minutes_seen += 1
        if not self.baseline.ready:
            self.baseline.absorb(self._buckets.get(minute), self._terms.counts.get(minute))
            if self._minutes_seen >= rule.warmup_minutes:
                self.baseline.finish_warmup(
                    [
                        self._buckets[key]
                        for key in range(minute - self._minutes_seen + 1, minute + 1)
                        if key in self._buckets
                    ]
                )
                self._absorbed_through = minute
                self.reason = self._describe(self._reading(minute, rule.window_minutes))
            else:
                self.reason = (
                    f"learning baseline ({self._minutes_seen} of {rule.warmup_minutes} minutes)"
                )
            return None
        short = self._reading(minute, rule.window_minutes)
        long = self._reading(minute, rule.trend_window_minutes)
        change = self._judge(minute, short, long)
        if self.level is Level.CRISIS and self._calm == 0:
            self._reported.add(minute)
        self._learn(minute, short, long)
        return change

    def _reading(self, minute: int, window: int, fresh: bool = False) -> Reading:
        """A window's reading; `fresh` leaves out minutes already reported as a crisis."""
        keys: Iterable[int] = range(minute - window + 1, minute + 1)
        if fresh and self._reported:
            keys = [key for key in keys if key not in self._reported]
        buckets = [self._buckets.get(key) for key in keys]
        return read_window(buckets, window, self.baseline)

    def _judge(self, minute: int, short: Reading, long: Reading) -> LevelChange | None:
        rule = self.rule
        at = minute_of(minute + 1)
        previous = self.level
        short_up = self._changed(minute, rule.window_minutes)
        long_up = self._reading(minute, rule.trend_window_minutes, fresh=True)
        short_grounds = judge(short_up, self._short, rule.min_volume)
        long_grounds = judge(long_up, self._long, rule.min_volume)
        if short_grounds is Grounds.NONE and previous is Level.NORMAL:
            # A rise with a volume jump shows in the last half window before the whole one.
            half = max(rule.window_minutes // 2, 1)
            half_up = self._changed(minute, half)
            if rising(half_up, self._thresholds(half), rule.min_volume):
                short_up, short_grounds = half_up, Grounds.RISE
        if previous is Level.NORMAL:
            if short_grounds in _CRISIS_GROUNDS and sudden(short_up, self._short, short_grounds):
                reason = f"crisis: {short_grounds}: {short_up.sentence()}"
                return self._raise(Level.CRISIS, short_up, minute, reason)
            # Anything else unusual, a crisis-strength window too, is elevated first: a crisis
            # then needs it to persist or grow (a gradual rise passes through elevated).
            if short_grounds is not Grounds.NONE or long_grounds is not Grounds.NONE:
                use_short = _RANK[short_grounds] >= _RANK[long_grounds]
                reading = short_up if use_short else long_up
                grounds = short_grounds if use_short else long_grounds
                if grounds in _CRISIS_GROUNDS:
                    grounds = Grounds.RISE
                return self._raise(Level.ELEVATED, reading, minute, self._unusual(grounds, reading))
            self.reason = self._describe(short)
            return None
        if previous is Level.ELEVATED:
            promoted = self._promotion(minute, short_up, long_up, short_grounds, long_grounds)
            if promoted is not None:
                return self._raise(Level.CRISIS, *promoted)
        # Held by the short window, by the trend window that raised it, or by a trend beyond the
        # incident's own minutes (a slow burn caught early by a spike).
        long_fresh = self._reading(minute, rule.trend_window_minutes, fresh=True)
        short_hold = classify(short, self._short, rule.min_volume, HOLD)
        fresh_hold = classify(long_fresh, self._long, rule.min_volume, HOLD)
        held = max(short_hold.rank, fresh_hold.rank) >= previous.rank
        if self._raised_by == long.window and long.window != short.window:
            held = held or classify(long, self._long, rule.min_volume, HOLD).rank >= previous.rank
        if held:
            self._calm = 0
            self.reason = self._holding(short if short_hold.rank >= previous.rank else long, minute)
            return None
        self._calm += 1
        if self._calm < rule.cooldown_minutes:
            self.reason = (
                f"{self._describe(short)} (calm for {self._calm} of {rule.cooldown_minutes} min)"
            )
            return None
        lower = max(short_hold, fresh_hold, key=lambda level: level.rank)
        self.level = lower if lower.rank < previous.rank else _LEVELS_DOWN[previous]
        self._calm = 0
        self._raised_by = short.window
        self._elevated_at = minute
        self._raise_start = minute + 1  # a crisis again needs minutes after this one
        self.reason = f"calm for {rule.cooldown_minutes} min: {self._describe(short)}"
        return LevelChange(at, self.level, previous, self.reason, short.evidence())

    def _promotion(
        self,
        minute: int,
        short: Reading,
        long: Reading,
        short_grounds: Grounds,
        long_grounds: Grounds,
    ) -> tuple[Reading, int, str] | None:
        """An elevated level's crisis: it grew to crisis evidence (absolute evidence), it goes
        on rising (10 more negatives than usual over the span, and the minutes since rising with
        more posts than before: the issue's "grows"), or it persisted a whole window on minutes
        of its own with absolute evidence over the span."""
        rule = self.rule
        elevated_for = minute - self._elevated_at
        lead = f"crisis: elevated for {elevated_for} min and"
        # Since the first minute of the window that raised it: together, is it a crisis's worth?
        span = min(minute - self._raise_start + 1, rule.trend_window_minutes)
        since = self._reading(minute, span, fresh=True)
        thresholds = self._thresholds(span)
        # At low volume a window sliding over the rest of the cluster that raised the level finds
        # crisis evidence without anything new: there a crisis needs growth or persistence.
        low_volume = since.expected < LOW_VOLUME_EXPECTED
        if not low_volume and (short_grounds in _CRISIS_GROUNDS or long_grounds in _CRISIS_GROUNDS):
            use_short = short_grounds in _CRISIS_GROUNDS
            reading = short if use_short else long
            return reading, minute, f"{lead} still rising: {reading.sentence()}"
        if since.excess < MIN_CRISIS_EXCESS / thresholds.sensitivity:
            return None
        if elevated_for <= rule.window_minutes:  # growth is judged in the first window only
            after = self._reading(minute, elevated_for, fresh=True)
            earlier = self._reading(self._raise_start - 1, self._before_minutes(), fresh=True)
            jump = volume_change_z(after, earlier, self._volume_dispersion(self._raise_start - 1))
            after = replace(after, volume_change_z=jump)
            pace = _per_minute(after) / max(_per_minute(earlier), 1e-9)
            if growing(since, after, thresholds, pace):
                growth = (
                    f"{after.counts()} in those {elevated_for} min,"
                    f" volume {pace:.1f}x the {earlier.minutes} min before"
                )
                return since, minute, f"{lead} still rising: {growth}; {since.sentence()}"
        # It persists: a whole window of minutes since it was raised is unusual on its own, and
        # the span since is a crisis's worth of evidence: a count chance gives less than once a
        # year, the baseline's own doubt counted (a baseline learned low must not turn a long
        # ELEVATED into a CRISIS by time alone).
        if classify(since, thresholds, rule.min_volume, 1.0) is Level.NORMAL:
            return None
        if not absolute_evidence(since, thresholds):
            return None
        if elevated_for >= rule.window_minutes and short_grounds is not Grounds.NONE:
            return short, minute, f"{lead} it persists: {short.sentence()}"
        if elevated_for >= rule.trend_window_minutes and long_grounds is not Grounds.NONE:
            return long, minute, f"{lead} it persists: {long.sentence()}"
        return None

    def _raise(self, level: Level, reading: Reading, minute: int, reason: str) -> LevelChange:
        """Move the level up on `reading`'s evidence."""
        previous = self.level
        self.level = level
        self._raised_by = reading.window
        self._calm = 0
        if level is Level.CRISIS:
            # The window that raised the crisis is reported: it cannot raise one again.
            self._reported.update(range(minute - reading.window + 1, minute + 1))
        else:
            self._elevated_at = minute
            self._raise_start = minute - reading.window + 1
        self.reason = reason
        return LevelChange(minute_of(minute + 1), level, previous, reason, reading.evidence())

    def _changed(self, minute: int, window: int) -> Reading:
        """A window's fresh reading with its change from the minutes just before it."""
        reading = self._reading(minute, window, fresh=True)
        before_end = minute - window
        before = self._reading(before_end, self._before_minutes(), True)
        if before.scored < self.rule.min_volume:
            return reading
        shift = change_z(reading, before, self.baseline.dispersion)
        jump = volume_change_z(reading, before, self._volume_dispersion(before_end))
        return replace(reading, change_z=shift, volume_change_z=jump)

    def _before_minutes(self) -> int:
        """How many minutes before a window its change is measured against."""
        return self.rule.trend_window_minutes - self.rule.window_minutes

    def _volume_dispersion(self, last: int) -> float:
        """How much more the scored posts per minute varied than a Poisson's, in the minutes
        before a window (those through `last`): bursts and threads make volume jumpier. Minutes
        already reported as a crisis are left out, as the fresh readings leave them out: counted
        as empty, they would make the volume look jumpy for an hour after a crisis."""
        counts = []
        for key in range(last - self._before_minutes() + 1, last + 1):
            if key not in self._reported:
                bucket = self._buckets.get(key)
                counts.append(bucket.scored if bucket is not None else 0)
        mean = sum(counts) / len(counts) if counts else 0.0
        if len(counts) < 2 or mean <= 0:
            return 1.0
        variance = sum((count - mean) ** 2 for count in counts) / (len(counts) - 1)
        return max(variance / mean, 1.0)

    def _thresholds(self, window: int) -> Thresholds:
        """The thresholds of a window of any length up to the trend window's (kept)."""
        thresholds = self._spans.get(window)
        if thresholds is None:
            rule = self.rule
            thresholds = Thresholds.for_window(window, rule.window_minutes, rule.sensitivity)
            self._spans[window] = thresholds
        return thresholds

    def _unusual(self, grounds: Grounds, reading: Reading) -> str:
        """An elevated level's reason: what is unusual, and when it would become a crisis."""
        return f"{grounds}: {reading.counts()}; {self._pending()}; {reading.sentence()}"

    def _pending(self) -> str:
        return f"crisis if it persists {self.rule.window_minutes} min or grows"

    def _holding(self, reading: Reading, minute: int) -> str:
        """The reason while a raised level holds."""
        if self.level is Level.ELEVATED and reading.scored >= self.rule.min_volume:
            elevated_for = minute - self._elevated_at
            return f"elevated for {elevated_for} min, {self._pending()}: {reading.sentence()}"
        return self._describe(reading)

    def _learn(self, minute: int, short: Reading, long: Reading) -> None:
        # A minute is learned only once it has left the trend window, and only if every window
        # it was part of was calm: a surge's first minutes and a slow burn are never learned.
        calm = abs(short.z) < ABSORB_Z and abs(long.z) < ABSORB_Z
        if self.level is not Level.NORMAL or not calm:
            self._last_unsettled = minute
        candidate = minute - self.rule.trend_window_minutes
        if self._absorbed_through is None or candidate <= self._absorbed_through:
            return
        self._absorbed_through = candidate
        if self._last_unsettled < candidate:
            self.baseline.absorb(self._buckets.get(candidate), self._terms.counts.get(candidate))

    def _describe(self, reading: Reading) -> str:
        if reading.scored < self.rule.min_volume:
            return (
                f"too few mentions to judge ({reading.scored} of {self.rule.min_volume} scored"
                f" in the last {reading.window} min)"
            )
        return reading.sentence()

    # -- a checkpoint ------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """What the state is computed under: a checkpoint is only good for the same settings."""
        return {
            "detector": DETECTOR_VERSION,
            "rule": asdict(self.rule),
            "stopwords": sorted(self._terms.stopwords - STOPWORDS),
            "sample_per_minute": self._terms.per_minute,
            "keep_minutes": self.keep_minutes,
        }

    def state(self) -> dict[str, Any]:
        """Everything counted, learned and judged, as a JSON-ready copy (`restore` reads it).

        A copy, so it can be encoded in another thread while mentions go on arriving here.
        """
        return {
            "level": str(self.level),
            "reason": self.reason,
            "skipped_future": self.skipped_future,
            "baseline": self.baseline.state(),
            "buckets": [[key, self._buckets[key].to_row()] for key in self._keys],
            "terms": self._terms.state(),
            "next": self._next,
            "horizon": self._horizon,
            "minutes_seen": self._minutes_seen,
            "absorbed_through": self._absorbed_through,
            "last_unsettled": self._last_unsettled,
            "reported": sorted(self._reported),
            "raised_by": self._raised_by,
            "calm": self._calm,
            "elevated_at": self._elevated_at,
            "raise_start": self._raise_start,
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Continue from what `state` wrote, under this object's rule and stopwords."""
        # Everything is read before anything is changed: a damaged state leaves these as they were.
        baseline = Baseline(self.rule.baseline_half_life_minutes)
        baseline.restore(state["baseline"])
        terms = TermSample(self._terms.per_minute, self._terms.stopwords)
        terms.restore(state["terms"])
        buckets = {
            int(key): MinuteStats.from_row(minute_of(int(key)), row)
            for key, row in state["buckets"]
        }
        values = (
            Level(state["level"]),
            str(state["reason"]),
            int(state["skipped_future"]),
            _optional_int(state["next"]),
            _optional_int(state["horizon"]),
            int(state["minutes_seen"]),
            _optional_int(state["absorbed_through"]),
            int(state["last_unsettled"]),
            {int(key) for key in state["reported"]},
            int(state["raised_by"]),
            int(state["calm"]),
            int(state["elevated_at"]),
            int(state["raise_start"]),
        )
        self.baseline, self._terms, self._buckets = baseline, terms, buckets
        self._keys = sorted(buckets)
        (
            self.level,
            self.reason,
            self.skipped_future,
            self._next,
            self._horizon,
            self._minutes_seen,
            self._absorbed_through,
            self._last_unsettled,
            self._reported,
            self._raised_by,
            self._calm,
            self._elevated_at,
            self._raise_start,
        ) = values

    # -- what the console and the report read -------------------------------------------------

    def _cursor(self) -> int | None:
        # The last minute evaluated; before the first evaluation, the newest minute seen.
        if self._minutes_seen and self._next is not None:
            return self._next - 1
        return self._keys[-1] if self._keys else None

    def series(self, max_gap: int | None = MAX_FILLED_GAP_MINUTES) -> list[MinuteStats]:
        """Every minute from the first to the last, gaps of up to `max_gap` minutes filled.

        A longer silence (an old post in a new file, a watch restarted after a month) is left
        out rather than written as thousands of empty minutes; `max_gap` None fills every gap.
        """
        series: list[MinuteStats] = []
        previous: int | None = None
        for key in self._keys:
            if previous is not None and (max_gap is None or key - previous <= max_gap):
                series.extend(MinuteStats(minute_of(gap)) for gap in range(previous + 1, key))
            series.append(self._buckets[key])
            previous = key
        return series

    def trending(self, limit: int = 10) -> list[TrendingTerm]:
        """Terms over-represented in the window's negative brand mentions against the baseline."""
        cursor = self._cursor()
        if cursor is None:
            return []
        keys = range(cursor - self.rule.window_minutes + 1, cursor + 1)
        terms = self._terms
        window = merged(terms.counts[key] for key in keys if key in terms.counts)
        sampled = sum(terms.sampled.get(key, 0) for key in keys)
        negative = sum(self._buckets[key].negative for key in keys if key in self._buckets)
        ranked = rank_terms(window, self.baseline.terms, limit)
        if sampled and negative > sampled:
            scale = negative / sampled
            ranked = [TrendingTerm(t.term, round(t.count * scale), t.score) for t in ranked]
        return ranked

    def gauge(self) -> Gauge:
        """The latest figures of the current window, for the console."""
        cursor = self._cursor()
        window = self.rule.window_minutes
        if cursor is None:
            return Gauge.empty(self.level, self.reason)
        reading = self._reading(cursor, window)
        spark = [self._buckets.get(key) for key in range(cursor - SPARK_MINUTES + 1, cursor + 1)]
        competitors: dict[str, TopicCount] = {}
        for key in range(cursor - window + 1, cursor + 1):
            bucket = self._buckets.get(key)
            for name, count in bucket.by_topic.items() if bucket else ():
                total = competitors.setdefault(name, TopicCount())
                total.volume += count.volume
                total.scored += count.scored
                total.negative += count.negative
        scored = reading.scored
        split = (
            (reading.negative / scored, reading.neutral / scored, reading.positive / scored)
            if scored
            else (0.0, 0.0, 0.0)
        )
        learned = self.baseline.ready
        return Gauge(
            at=minute_of(cursor + 1),
            level=self.level,
            reason=self.reason,
            net_sentiment=reading.mean_compound,
            split=split,
            volume_per_min=reading.volume / window,
            baseline_volume_per_min=self.baseline.volume_per_min if learned else None,
            negative_share=reading.negative_share,
            baseline_negative_share=self.baseline.negative_share if learned else None,
            sentiment_spark=[bucket.mean_compound if bucket else None for bucket in spark],
            volume_spark=[bucket.volume if bucket else 0 for bucket in spark],
            trending=self.trending(),
            competitors={
                name: (count.volume, count.negative_share)
                for name, count in sorted(competitors.items())
            },
        )

    def prune(self, keep_minutes: int) -> None:
        """Forget minutes older than `keep_minutes` (never those the detector still needs)."""
        cursor = self._cursor()
        if cursor is None:
            return
        needed = self.rule.trend_window_minutes + self.rule.window_minutes + SPARK_MINUTES
        oldest = cursor - max(keep_minutes, needed) + 1
        keys = self._keys
        if not keys or keys[0] >= oldest:
            return
        cut = bisect_left(keys, oldest)
        for key in keys[:cut]:
            del self._buckets[key]
        del keys[:cut]


def _per_minute(reading: Reading) -> float:
    return reading.scored / reading.minutes if reading.minutes else 0.0


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
