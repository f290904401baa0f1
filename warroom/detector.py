"""The detector's statistics: the learned baseline, a window's reading against it, and the rules."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from warroom.model import Level
from warroom.trending import TermCounts

if TYPE_CHECKING:
    from warroom.signals import MinuteStats

# Thresholds at sensitivity 1.0. Sensitivity s divides the z thresholds and the excess over 1 of
# the ratios, so s=2 halves every margin and s=0.5 doubles it.
ELEVATED_Z = 3.5  # negative share this many standard errors above the baseline ...
ELEVATED_LIFT = 1.15  # ... and at least 15% above it (huge volumes make tiny shifts significant)
CRISIS_Z = 4.0
CRISIS_LIFT = 1.25
MIN_NEGATIVE_RATIO = 1.0  # at least the usual number of complaints, not a share up in a quiet hour
SURGE_Z = 2.5  # a surge of complaints (3x the expected count) needs less share evidence
SURGE_RATIO = 3.0
HOLD = 0.6  # a raised level is held while the evidence passes its thresholds relaxed to 60%
ABSORB_Z = 3.0  # a minute is learned only if every window it was in sat within +-3 sd
MAX_DISPERSION = 4.0
MIN_DISPERSION_MINUTES = 10


class Baseline:
    """What a calm minute looks like: exponentially weighted sums over the minutes judged normal."""

    def __init__(self, half_life_minutes: int) -> None:
        self.decay = 0.5 ** (1.0 / half_life_minutes)
        self.ready = False
        self.minutes = 0.0
        self.volume = 0.0
        self.scored = 0.0
        self.negative = 0.0
        self.compound_sum = 0.0
        # Real conversations cluster (threads, pile-ons): per-minute Pearson residuals measure
        # how much more the negative count varies than a binomial, and widen the z-test by it.
        self.pearson_sum = 0.0
        self.pearson_minutes = 0.0
        self.terms = TermCounts()

    @property
    def negative_share(self) -> float:
        """The usual share of negative brand mentions (smoothed so it is never 0 or 1)."""
        return (self.negative + 0.5) / (self.scored + 1.0)

    @property
    def volume_per_min(self) -> float:
        return self.volume / self.minutes if self.minutes else 0.0

    @property
    def scored_per_min(self) -> float:
        return self.scored / self.minutes if self.minutes else 0.0

    @property
    def mean_compound(self) -> float | None:
        return self.compound_sum / self.scored if self.scored else None

    @property
    def dispersion(self) -> float:
        """How much more negative counts vary than a binomial's (1 = not at all, at most 4).

        Only the excess beyond two standard errors of the estimate counts, so chance alone
        does not blunt the detector."""
        minutes = self.pearson_minutes
        if minutes < MIN_DISPERSION_MINUTES:
            return 1.0
        excess = self.pearson_sum / minutes - 2.0 * math.sqrt(2.0 / minutes)
        return min(max(excess, 1.0), MAX_DISPERSION)

    def absorb(self, bucket: MinuteStats | None, terms: Mapping[str, int] | None) -> None:
        """Learn one minute (an empty minute is a quiet minute, and counts)."""
        decay = self.decay
        self.minutes = self.minutes * decay + 1
        self.volume *= decay
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
        # Both the window and the baseline are samples: the variance counts both (and clustering).
        variance = p0 * (1 - p0) * baseline.dispersion * (1 / scored + 1 / max(baseline.scored, 1))
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
        """A longer window gives fewer independent looks an hour, so the same rate of false
        alarms an hour allows a lower z."""
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
    enough_negatives = negatives >= ratio(MIN_NEGATIVE_RATIO)
    if z >= thresholds.crisis_z * relax and lift >= ratio(CRISIS_LIFT) and enough_negatives:
        return Level.CRISIS
    surge = thresholds.surges and negatives >= ratio(SURGE_RATIO)
    # A sudden surge must also be a change from the preceding minutes: with few posts a young
    # baseline can be off by two standard errors, and every window would inherit that error.
    changed = reading.change_z is None or reading.change_z >= thresholds.surge_z * relax
    if surge and changed and z >= thresholds.surge_z * relax and lift >= ratio(ELEVATED_LIFT):
        return Level.CRISIS
    if z >= thresholds.elevated_z * relax and lift >= ratio(ELEVATED_LIFT) and enough_negatives:
        return Level.ELEVATED
    # Everyone is talking and complaints grew with the volume: worth a look, not a crisis.
    steady = z >= (0.0 if relax >= 1.0 else -1.0)
    if surge and steady and reading.volume_ratio >= ratio(SURGE_RATIO):
        return Level.ELEVATED
    return Level.NORMAL


def change_z(recent: Reading, before: Reading, dispersion: float) -> float:
    """Two-sample z of the recent window's negative share against the minutes before it."""
    n1, n2 = recent.scored, before.scored
    if not n1 or not n2:
        return 0.0
    pooled = (recent.negative + before.negative) / (n1 + n2)
    variance = max(pooled * (1 - pooled), 1e-6) * dispersion * (1 / n1 + 1 / n2)
    return (recent.negative / n1 - before.negative / n2) / math.sqrt(variance)
