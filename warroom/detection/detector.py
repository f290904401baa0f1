"""The detector's rule, the per-minute figures, the learned baseline and the tests against it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from statistics import NormalDist
from typing import Any

from warroom.detection.trending import TermCounts
from warroom.model import BRAND_TOPIC, Label, Level, format_time, label_for

# Thresholds at sensitivity 1.0. Sensitivity s divides the z thresholds and the excess over 1 of
# the ratios, so s=2 halves every margin and s=0.5 doubles it.
ELEVATED_Z = 3.5  # negative share this many standard errors above the baseline ...
ELEVATED_LIFT = 1.15  # ... and at least 15% above it (huge volumes make tiny shifts significant)
CRISIS_Z = 4.0
CRISIS_LIFT = 1.25
MIN_NEGATIVE_RATIO = 1.0  # at least the usual number of complaints: not a share up in a lull
SURGE_Z = 2.5  # a surge of complaints (3x the expected count) needs less share evidence
SURGE_RATIO = 3.0
HOLD = 0.5  # a raised level is held while the evidence passes its thresholds at half margin
ABSORB_Z = 3.0  # a minute is learned only if every window it was in sat within +-3 sd
MAX_DISPERSION = 4.0
VOLUME_MEMORY = 4  # the volume baseline's half-life, in share half-lives
SURGE_VOLUME = 2.0  # a surge path needs the volume at least doubled ...
SURGE_MIN_VOLUME = 2  # ... and twice the rule's min_volume in the window
MIN_DISPERSION_MINUTES = 10
# The baseline's sampling error is shared by every window judged against it, so it is counted at
# 1.5 standard errors: it matters only while the baseline is young.
BASELINE_DOUBT = 1.5


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class DetectorRule:
    """When the conversation is elevated or a crisis; validated on creation."""

    window_minutes: int = 10
    sensitivity: float = 1.0
    min_volume: int = 20  # scored brand mentions a window needs before it is judged
    cooldown_minutes: int = 15
    warmup_minutes: int = 60
    trend_window_minutes: int = 60  # a second, longer window that catches slow burns
    baseline_half_life_minutes: int = 360

    def __post_init__(self) -> None:
        limits = {
            "window_minutes": (1, 240),
            "min_volume": (1, 1_000_000),
            "cooldown_minutes": (0, 1440),
            "warmup_minutes": (1, 1440),
            "trend_window_minutes": (1, 1440),
            "baseline_half_life_minutes": (10, 100_000),
        }
        for name, (low, high) in limits.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name}: must be an integer from {low} to {high}, got {value!r}")
        value = self.sensitivity
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"sensitivity: must be a number from 0.1 to 10, got {value!r}")
        if not (math.isfinite(value) and 0.1 <= value <= 10):
            raise ValueError(f"sensitivity: must be a number from 0.1 to 10, got {value!r}")
        if self.trend_window_minutes < self.window_minutes:
            raise ValueError(
                f"trend_window_minutes: must be at least window_minutes ({self.window_minutes}),"
                f" got {self.trend_window_minutes}"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectorRule:
        """A rule from config, naming any unknown field."""
        known = {item.name for item in fields(cls)}
        for name in data:
            if name not in known:
                raise ValueError(
                    f"{name}: unknown detector setting (known: {', '.join(sorted(known))})"
                )
        return cls(**data)


@dataclass(slots=True)
class TopicCount:
    """One watched topic's mentions in a minute or a window."""

    volume: int = 0
    scored: int = 0
    negative: int = 0

    @property
    def negative_share(self) -> float | None:
        return _share(self.negative, self.scored)


@dataclass(slots=True)
class MinuteStats:
    """The brand's mentions posted in one UTC minute (event time), plus other topics' counts."""

    minute: datetime
    volume: int = 0  # brand mentions, scored or not
    scored: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    compound_sum: float = 0.0
    # Reach weight is 1 + log1p(followers): a big account counts more, but 1M followers is ~15x.
    reach_weighted_sum: float = 0.0
    reach_weight: float = 0.0
    non_english: int = 0  # brand mentions VADER could not read; not in any sentiment figure
    by_topic: dict[str, TopicCount] = field(default_factory=dict)

    def count(
        self,
        topic: str,
        compound: float | None,
        label: Label | None,
        reach: int | None,
        sign: int = 1,
    ) -> bool:
        """Count one mention in (sign 1) or out (-1); True if it is a negative brand mention.

        `compound` None is a post VADER could not read; `label` None is the compound's own label.
        """
        if compound is not None and label is None:
            label = label_for(compound)
        if topic != BRAND_TOPIC:
            count = self.by_topic.get(topic)
            if count is None:
                count = self.by_topic[topic] = TopicCount()
            count.volume += sign
            if compound is not None:
                count.scored += sign
                if label is Label.NEGATIVE:
                    count.negative += sign
            return False
        self.volume += sign
        if compound is None:
            self.non_english += sign
            return False
        self.scored += sign
        self.compound_sum += sign * compound
        weight = 1.0 + math.log1p(reach or 0)
        self.reach_weighted_sum += sign * weight * compound
        self.reach_weight += sign * weight
        if label is Label.NEGATIVE:
            self.negative += sign
            return True
        if label is Label.POSITIVE:
            self.positive += sign
        else:
            self.neutral += sign
        return False

    @property
    def mean_compound(self) -> float | None:
        return _share(self.compound_sum, self.scored)

    @property
    def negative_share(self) -> float | None:
        return _share(self.negative, self.scored)

    def to_row(self) -> list[Any]:
        """Every count as a JSON-ready list, for a checkpoint (`from_row` reads it back)."""
        return [
            self.volume,
            self.scored,
            self.negative,
            self.neutral,
            self.positive,
            self.compound_sum,
            self.reach_weighted_sum,
            self.reach_weight,
            self.non_english,
            {name: [c.volume, c.scored, c.negative] for name, c in self.by_topic.items()},
        ]

    @classmethod
    def from_row(cls, minute: datetime, row: Sequence[Any]) -> MinuteStats:
        """The minute `to_row` wrote."""
        volume, scored, negative, neutral, positive, compound, reach_sum, reach, other, topics = row
        return cls(
            minute,
            int(volume),
            int(scored),
            int(negative),
            int(neutral),
            int(positive),
            float(compound),
            float(reach_sum),
            float(reach),
            int(other),
            {str(name): TopicCount(*map(int, counts)) for name, counts in topics.items()},
        )

    @property
    def reach_weighted_compound(self) -> float | None:
        return _share(self.reach_weighted_sum, self.reach_weight)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary of the minute."""

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "minute": format_time(self.minute),
            "volume": self.volume,
            "scored": self.scored,
            "mean_compound": rounded(self.mean_compound),
            "negative_share": rounded(self.negative_share),
            "reach_weighted_compound": rounded(self.reach_weighted_compound),
            "positive": self.positive,
            "neutral": self.neutral,
            "negative": self.negative,
            "non_english": self.non_english,
            "topics": {
                name: {
                    "volume": count.volume,
                    "negative": count.negative,
                    "negative_share": rounded(count.negative_share),
                }
                for name, count in sorted(self.by_topic.items())
            },
        }


class Baseline:
    """What a calm minute looks like: exponentially weighted sums over the minutes judged normal."""

    def __init__(self, half_life_minutes: int) -> None:
        self.decay = 0.5 ** (1.0 / half_life_minutes)
        # Volume remembers longer, about a day at the defaults, so the usual rate is a daily one:
        # the morning rise is no surge, and a quiet night expects more complaints than it has.
        self.volume_decay = 0.5 ** (1.0 / (VOLUME_MEMORY * half_life_minutes))
        self.ready = False
        self.minutes = 0.0
        self.volume = 0.0
        self.scored_volume = 0.0  # scored posts, on the volume's memory
        self.scored = 0.0
        self.negative = 0.0
        self.compound_sum = 0.0
        # Real conversations cluster (threads, pile-ons): per-minute Pearson residuals measure
        # how much more the negative count varies than a binomial, and widen the z-test by it.
        self.pearson_sum = 0.0
        self.pearson_minutes = 0.0
        self.terms = TermCounts()

    _SUMS = (
        "minutes",
        "volume",
        "scored_volume",
        "scored",
        "negative",
        "compound_sum",
        "pearson_sum",
        "pearson_minutes",
    )

    def state(self) -> dict[str, Any]:
        """What was learned, JSON-ready, for a checkpoint (`restore` reads it back)."""
        sums = {name: getattr(self, name) for name in self._SUMS}
        return {"ready": self.ready, **sums, "terms": self.terms.state()}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Take back what `state` wrote (the half-life comes from the rule, not the state)."""
        self.ready = bool(state["ready"])
        for name in self._SUMS:
            setattr(self, name, float(state[name]))
        self.terms.restore(state["terms"])

    @property
    def negative_share(self) -> float:
        """The usual share of negative brand mentions (smoothed so it is never 0 or 1)."""
        return (self.negative + 0.5) / (self.scored + 1.0)

    @property
    def volume_per_min(self) -> float:
        return self.volume / self.minutes if self.minutes else 0.0

    @property
    def scored_per_min(self) -> float:
        return self.scored_volume / self.minutes if self.minutes else 0.0

    @property
    def mean_compound(self) -> float | None:
        return self.compound_sum / self.scored if self.scored else None

    @property
    def dispersion(self) -> float:
        """How much more negative counts vary than a binomial's (1 = not at all, at most 4)."""
        # Only the excess beyond two standard errors of the estimate counts: chance alone must
        # not blunt the detector.
        minutes = self.pearson_minutes
        if minutes < MIN_DISPERSION_MINUTES:
            return 1.0
        excess = self.pearson_sum / minutes - 2.0 * math.sqrt(2.0 / minutes)
        return min(max(excess, 1.0), MAX_DISPERSION)

    def absorb(self, bucket: MinuteStats | None, terms: Mapping[str, int] | None) -> None:
        """Learn one minute (an empty minute is a quiet minute, and counts)."""
        decay = self.decay
        self.minutes = self.minutes * self.volume_decay + 1
        self.volume *= self.volume_decay
        self.scored_volume *= self.volume_decay
        self.scored *= decay
        self.negative *= decay
        self.compound_sum *= decay
        self.pearson_sum *= decay
        self.pearson_minutes *= decay
        self.terms.decay(decay)
        if bucket is not None:
            if self.ready and bucket.scored:
                self._add_residual(bucket)
            self.volume += bucket.volume
            self.scored_volume += bucket.scored
            self.scored += bucket.scored
            self.negative += bucket.negative
            self.compound_sum += bucket.compound_sum
        if terms:
            self.terms.add(terms)

    def finish_warmup(self, buckets: Sequence[MinuteStats]) -> None:
        """End the warm-up: measure the dispersion of the warm-up minutes around their share."""
        self.ready = True
        for bucket in buckets:
            if bucket.scored:
                self._add_residual(bucket)

    def _add_residual(self, bucket: MinuteStats) -> None:
        p = self.negative_share
        expected = bucket.scored * p
        self.pearson_sum += (bucket.negative - expected) ** 2 / (expected * (1 - p))
        self.pearson_minutes += 1


@dataclass(frozen=True)
class Reading:
    """A window of minutes measured against the baseline."""

    window: int
    minutes: int
    volume: int
    scored: int
    negative: int
    neutral: int
    positive: int
    compound_sum: float
    baseline_share: float
    baseline_volume: float  # per minute
    baseline_compound: float | None
    z: float  # one-sided test of the window's negative share against the baseline's
    lift: float  # window share / baseline share
    negative_ratio: float  # negative count / the count the baseline expects
    volume_ratio: float
    change_z: float | None = None  # against the minutes before the window, when judged

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.scored if self.scored else None

    @property
    def mean_compound(self) -> float | None:
        return self.compound_sum / self.scored if self.scored else None

    def sentence(self) -> str:
        """The reading in the crisis team's words."""
        share = self.negative_share or 0.0
        return (
            f"negative share {share:.0%} vs baseline {self.baseline_share:.0%},"
            f" volume {self.volume_ratio:.1f}x baseline over the last {self.minutes} min"
            f" (z={self.z:.1f}, negatives {self.negative_ratio:.1f}x expected)"
        )

    def evidence(self) -> dict[str, Any]:
        """The figures behind a level change, JSON-ready."""

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "window_minutes": self.minutes,
            "volume": self.volume,
            "scored": self.scored,
            "negative": self.negative,
            "negative_share": rounded(self.negative_share),
            "baseline_negative_share": rounded(self.baseline_share),
            "volume_per_min": rounded(self.volume / self.minutes if self.minutes else 0.0),
            "baseline_volume_per_min": rounded(self.baseline_volume),
            "volume_ratio": rounded(self.volume_ratio),
            "negative_ratio": rounded(self.negative_ratio),
            "z": rounded(self.z),
            "mean_compound": rounded(self.mean_compound),
            "baseline_mean_compound": rounded(self.baseline_compound),
        }


def read_window(buckets: Sequence[MinuteStats | None], window: int, baseline: Baseline) -> Reading:
    """Sum a window's minutes and test them against the baseline."""
    volume = scored = negative = neutral = positive = 0
    compound = 0.0
    for bucket in buckets:
        if bucket is not None:
            volume += bucket.volume
            scored += bucket.scored
            negative += bucket.negative
            neutral += bucket.neutral
            positive += bucket.positive
            compound += bucket.compound_sum
    minutes = len(buckets)
    p0 = baseline.negative_share
    z = 0.0
    if scored:
        # The baseline is a sample too, and its error is shared by every window judged against
        # it, so it is counted at BASELINE_DOUBT standard errors (matters while it is young).
        doubt = BASELINE_DOUBT**2 / max(baseline.scored, 1)
        variance = p0 * (1 - p0) * baseline.dispersion * (1 / scored + doubt)
        # A half-count continuity correction keeps small windows from looking significant.
        excess = (negative - 0.5) / scored - p0
        z = excess / math.sqrt(variance)
    expected_negative = max(p0 * baseline.scored_per_min * minutes, 1.0)
    expected_volume = max(baseline.volume_per_min * minutes, 1.0)
    return Reading(
        window=window,
        minutes=minutes,
        volume=volume,
        scored=scored,
        negative=negative,
        neutral=neutral,
        positive=positive,
        compound_sum=compound,
        baseline_share=p0,
        baseline_volume=baseline.volume_per_min,
        baseline_compound=baseline.mean_compound,
        z=z,
        lift=(negative / scored) / p0 if scored else 0.0,
        negative_ratio=negative / expected_negative,
        volume_ratio=volume / expected_volume,
    )


@dataclass(frozen=True)
class Thresholds:
    """The margins a window must pass, for its length and the rule's sensitivity."""

    elevated_z: float
    crisis_z: float
    surge_z: float
    sensitivity: float
    surges: bool  # only the short window judges sudden surges

    @classmethod
    def for_window(cls, window: int, short_window: int, sensitivity: float) -> Thresholds:
        """A window's thresholds: a longer one gets a lower z for the same false alarms an hour."""
        # A 60-minute window takes ~6x fewer independent looks an hour than a 10-minute one.
        normal = NormalDist()

        def z(base: float) -> float:
            tail = (1.0 - normal.cdf(base)) * window / short_window
            return normal.inv_cdf(1.0 - tail) / sensitivity

        surges = window == short_window
        return cls(z(ELEVATED_Z), z(CRISIS_Z), z(SURGE_Z), sensitivity, surges)


def classify(reading: Reading, thresholds: Thresholds, min_volume: int, relax: float) -> Level:
    """The level a reading supports; `relax` < 1 loosens every margin (to hold a raised level)."""
    if reading.scored < min_volume:
        return Level.NORMAL
    scale = relax / thresholds.sensitivity

    def ratio(threshold: float) -> float:
        return 1.0 + (threshold - 1.0) * scale

    z, lift, negatives = reading.z, reading.lift, reading.negative_ratio
    enough_negatives = negatives >= MIN_NEGATIVE_RATIO * scale
    if z >= thresholds.crisis_z * relax and lift >= ratio(CRISIS_LIFT) and enough_negatives:
        return Level.CRISIS
    surge = (
        thresholds.surges
        and negatives >= ratio(SURGE_RATIO)
        and reading.volume_ratio >= ratio(SURGE_VOLUME)
        and reading.scored >= SURGE_MIN_VOLUME * min_volume
    )
    # A sudden surge must also be a change from the preceding minutes: with few posts a young
    # baseline can be off by two standard errors, and every window would inherit that error.
    changed = relax < 1.0 or (
        reading.change_z is not None and reading.change_z >= thresholds.surge_z * relax
    )
    if surge and changed and z >= thresholds.surge_z * relax and lift >= ratio(ELEVATED_LIFT):
        return Level.CRISIS
    if z >= thresholds.elevated_z * relax and lift >= ratio(ELEVATED_LIFT) and enough_negatives:
        return Level.ELEVATED
    # Volume alone raises nothing: the gauge shows it, and a steady share is not a crisis (a
    # level raised by volume alone would also keep the baseline from learning the daily rhythm).
    return Level.NORMAL


def change_z(recent: Reading, before: Reading, dispersion: float) -> float:
    """Two-sample z of the recent window's negative share against the minutes before it."""
    n1, n2 = recent.scored, before.scored
    if not n1 or not n2:
        return 0.0
    pooled = (recent.negative + before.negative) / (n1 + n2)
    variance = max(pooled * (1 - pooled), 1e-6) * dispersion * (1 / n1 + 1 / n2)
    return (recent.negative / n1 - before.negative / n2) / math.sqrt(variance)
