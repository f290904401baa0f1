"""The detector's rule, the per-minute figures, the learned baseline and the tests against it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
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
# A surge of complaints (3x the expected count) needs less share evidence than a crisis, but an
# elevated level's: a story that triples the volume triples the complaints at the usual share.
SURGE_Z = 3.5
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
# Enough absolute evidence for a crisis straight from one window: a negative count that chance
# gives less than once a year, counting every window of its length in a month as one look (an
# exact-tail test: at low volume the z-test's normal tail makes chance clusters look rarer), ...
MONTH_MINUTES = 30 * 24 * 60
CRISIS_CHANCE_PER_MONTH = 1 / 12
# ... and at least this many more negatives than the baseline's share expects of the window.
MIN_CRISIS_EXCESS = 10
# A rise is elevated sooner when the volume jumps from the minutes before as well: the share
# RISE_Z above the baseline and the volume RISE_VOLUME_Z above the minutes before (volume jumps
# come a few times a day, so testing the share only then keeps the false alarms as rare).
RISE_Z = 2.5
RISE_VOLUME_Z = 3.0
# A crisis straight from normal, not a surge, needs evidence this many z past the absolute one.
OVERWHELMING_Z = 1.0
# Fewer negatives than this expected in a window is low volume: an unusual window is a cluster.
LOW_VOLUME_EXPECTED = 10
# An elevated level becomes a crisis when the minutes since it was raised keep rising: on their
# own, at least GROWTH_MINUTES of them this clearly (a one-sided z against the baseline) and with
# GROWTH_EXCESS more negatives than usual (the rest of a chance cluster is not growth), ...
GROWTH_Z = 1.5
# ... their volume as clearly above the minutes before it was raised as a rise's (a day's rhythm
# lifts the volume a fifth in an hour, which a lower bar took for growth), ...
GROWTH_VOLUME_Z = RISE_VOLUME_Z
GROWTH_MINUTES = 2
# ... at least this many times the posts a minute of before and of usual (the day's rhythm lifts
# the volume a fifth in an hour, which at 50 a minute is a significant jump) ...
GROWTH_PACE = 1.3
GROWTH_LIFT = 1.15
GROWTH_EXCESS = 5
# ... or when they are unusual on their own for a whole window (it persists).


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
    # The scored posts per minute against the minutes before the window, when judged: a crisis's
    # onset brings more posts as well as a higher share, a daily rhythm moves them slowly. Given
    # the volume the share is a binomial, so by chance the two are independent.
    volume_change_z: float | None = None
    expected: float = 0.0  # negatives the baseline's share expects of the window's scored posts
    tail_z: float = 0.0  # the exact-tail (likelihood-ratio) z of the negative count, one-sided

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.scored if self.scored else None

    @property
    def excess(self) -> float:
        """Negatives beyond what the baseline's share expects of the window."""
        return self.negative - self.expected

    def chance_per_month(self) -> float:
        """How often chance alone gives a window like this one, per month of such windows."""
        return (1.0 - NormalDist().cdf(self.tail_z)) * MONTH_MINUTES / self.window

    def counts(self) -> str:
        """The negatives against the usual, in the crisis team's words."""
        usual = self.expected
        shown = f"{usual:.0f}" if usual >= 10 or usual == round(usual) else f"{usual:.1f}"
        return f"{self.negative} negatives of {self.scored} where {shown} are usual"

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
            "expected_negative": rounded(self.expected),
            "chance_per_month": rounded(self.chance_per_month()),
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
    z = tail_z = 0.0
    if scored:
        # The baseline is a sample too, and its error is shared by every window judged against
        # it, so it is counted at BASELINE_DOUBT standard errors (matters while it is young).
        doubt = BASELINE_DOUBT**2 / max(baseline.scored, 1)
        variance = p0 * (1 - p0) * baseline.dispersion * (1 / scored + doubt)
        # A half-count continuity correction keeps small windows from looking significant.
        excess = (negative - 0.5) / scored - p0
        z = excess / math.sqrt(variance)
        inflation = baseline.dispersion * (1 + doubt * scored)
        tail_z = _likelihood_z(negative - 0.5, scored, p0) / math.sqrt(inflation)
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
        expected=p0 * scored,
        tail_z=tail_z,
    )


def _likelihood_z(negative: float, scored: int, share: float) -> float:
    """The signed root of the binomial likelihood ratio of `negative` of `scored` against
    `share`, upper side only: within a few hundredths of the exact tail's z even for a few
    dozen posts, where the z-test's normal tail is far too thin."""
    if negative <= scored * share:
        return 0.0
    rest = scored - negative
    deviance = negative * math.log(negative / (scored * share))
    if rest > 0:
        deviance += rest * math.log(rest / (scored * (1 - share)))
    return math.sqrt(max(2.0 * deviance, 0.0))


@dataclass(frozen=True)
class Thresholds:
    """The margins a window must pass, for its length and the rule's sensitivity."""

    elevated_z: float
    crisis_z: float
    surge_z: float
    sensitivity: float
    surges: bool  # only the short window judges sudden surges
    evidence_z: float  # the exact-tail z of a window that chance gives once a year
    rise_z: float  # the share's z for a rise with a volume jump

    @classmethod
    def for_window(cls, window: int, short_window: int, sensitivity: float) -> Thresholds:
        """A window's thresholds: a longer one gets a lower z for the same false alarms an hour."""
        # A 60-minute window takes ~6x fewer independent looks an hour than a 10-minute one.
        normal = NormalDist()

        def z(base: float) -> float:
            tail = (1.0 - normal.cdf(base)) * window / short_window
            return normal.inv_cdf(1.0 - tail) / sensitivity

        surges = window == short_window
        # Every window is judged every minute. A longer one overlaps the last more, but a new
        # look still comes at least as often as the short window's: counting one look per hour
        # for the trend window let a busy calm day's hour a little above the baseline (chance,
        # on 3 of 60 development days) reach the crisis bar.
        looks_every = min(window, short_window)
        once_a_year = CRISIS_CHANCE_PER_MONTH * looks_every / MONTH_MINUTES
        evidence = normal.inv_cdf(1.0 - once_a_year) / sensitivity
        return cls(z(ELEVATED_Z), z(CRISIS_Z), z(SURGE_Z), sensitivity, surges, evidence, z(RISE_Z))


class Grounds(StrEnum):
    """Why a window supports the level it does, in the words its reason starts with."""

    NONE = "normal"
    RISE = "unusual rise"
    CLUSTER = "unusual cluster at low volume"
    STRONG = "sudden rise"  # crisis evidence in one window: z, lift and absolute evidence
    SURGE = "sudden surge"  # a surge of complaints with the volume at least doubled


def judge(reading: Reading, thresholds: Thresholds, min_volume: int) -> Grounds:
    """What a reading supports at full margin: a crisis needs absolute evidence for the volume,
    and a window that would be a crisis by its share alone without it is an unusual cluster."""
    level = classify(reading, thresholds, min_volume, 1.0)
    if level is Level.NORMAL:
        return Grounds.NONE
    if level is Level.CRISIS:
        if thresholds.surges and _surge(reading, thresholds, min_volume, 1.0):
            return Grounds.SURGE
        return Grounds.STRONG
    return Grounds.CLUSTER if reading.expected < LOW_VOLUME_EXPECTED else Grounds.RISE


def sudden(reading: Reading, thresholds: Thresholds, grounds: Grounds) -> bool:
    """Whether a crisis window may raise a crisis straight from normal: a surge, or evidence
    overwhelming (OVERWHELMING_Z past the absolute evidence) and a jump from the minutes before
    as large as a crisis is above the baseline. Anything else is elevated first."""
    if grounds is Grounds.SURGE:
        return True
    overwhelming = reading.tail_z >= thresholds.evidence_z + OVERWHELMING_Z
    return overwhelming and reading.change_z is not None and reading.change_z >= thresholds.crisis_z


def classify(reading: Reading, thresholds: Thresholds, min_volume: int, relax: float) -> Level:
    """The level a reading supports; `relax` < 1 loosens every margin (to hold a raised level).

    At full margin a crisis also needs absolute evidence (`absolute_evidence`); without it a
    crisis-strength window is elevated. A relaxed margin holds a crisis without it.
    """
    if reading.scored < min_volume:
        return Level.NORMAL
    scale = relax / thresholds.sensitivity

    def ratio(threshold: float) -> float:
        return 1.0 + (threshold - 1.0) * scale

    z, lift, negatives = reading.z, reading.lift, reading.negative_ratio
    enough_negatives = negatives >= MIN_NEGATIVE_RATIO * scale
    strong = z >= thresholds.crisis_z * relax and lift >= ratio(CRISIS_LIFT) and enough_negatives
    if strong and (relax < 1.0 or absolute_evidence(reading, thresholds)):
        return Level.CRISIS
    # A surge's evidence is the count and the volume as well as the share: it needs no rarer
    # share, only MIN_CRISIS_EXCESS more negatives than the share explains.
    enough_excess = relax < 1.0 or reading.excess >= MIN_CRISIS_EXCESS / thresholds.sensitivity
    if enough_excess and _surge(reading, thresholds, min_volume, relax):
        return Level.CRISIS
    if strong or _surge(reading, thresholds, min_volume, relax):
        return Level.ELEVATED  # crisis-strength without enough evidence for the volume
    if z >= thresholds.elevated_z * relax and lift >= ratio(ELEVATED_LIFT) and enough_negatives:
        return Level.ELEVATED
    if relax >= 1.0 and _rise(reading, thresholds) and enough_negatives:
        return Level.ELEVATED
    # Volume alone raises nothing: the gauge shows it, and a steady share is not a crisis (a
    # level raised by volume alone would also keep the baseline from learning the daily rhythm).
    return Level.NORMAL


def _surge(reading: Reading, thresholds: Thresholds, min_volume: int, relax: float) -> bool:
    """A surge of complaints: 3x the usual count, volume 2x, a change from the minutes before."""
    if not thresholds.surges:
        return False
    scale = relax / thresholds.sensitivity

    def ratio(threshold: float) -> float:
        return 1.0 + (threshold - 1.0) * scale

    surge = (
        reading.negative_ratio >= ratio(SURGE_RATIO)
        and reading.volume_ratio >= ratio(SURGE_VOLUME)
        and reading.scored >= SURGE_MIN_VOLUME * min_volume
    )
    # A sudden surge must also be a change from the preceding minutes: with few posts a young
    # baseline can be off by two standard errors, and every window would inherit that error.
    changed = relax < 1.0 or (
        reading.change_z is not None
        and reading.change_z >= thresholds.surge_z
        and reading.volume_change_z is not None
        and reading.volume_change_z >= RISE_VOLUME_Z / thresholds.sensitivity
    )
    return (
        surge
        and changed
        and reading.z >= thresholds.surge_z * relax
        and reading.lift >= ratio(ELEVATED_LIFT)
    )


def rising(reading: Reading, thresholds: Thresholds, min_volume: int) -> bool:
    """Whether a reading is a rise with a volume jump (elevated on that alone)."""
    enough_negatives = reading.negative_ratio >= MIN_NEGATIVE_RATIO / thresholds.sensitivity
    return reading.scored >= min_volume and enough_negatives and _rise(reading, thresholds)


def _rise(reading: Reading, thresholds: Thresholds) -> bool:
    """A share above the baseline in a volume that jumped from the minutes before: together,
    unusual sooner than the share alone (volume alone raises nothing)."""
    jump = reading.volume_change_z  # measured only on the windows that judge rises
    lift = 1.0 + (ELEVATED_LIFT - 1.0) / thresholds.sensitivity
    # At low volume a few posts bunched in a minute or two make a "jump": not a shortcut there.
    return (
        reading.expected >= LOW_VOLUME_EXPECTED
        and jump is not None
        and jump >= RISE_VOLUME_Z / thresholds.sensitivity
        and reading.z >= thresholds.rise_z
        and reading.lift >= lift
    )


def absolute_evidence(reading: Reading, thresholds: Thresholds) -> bool:
    """Enough negatives for a crisis at this volume: a count chance gives less than once a year
    (exact tail, every window in a month a look) and MIN_CRISIS_EXCESS more than usual."""
    return (
        reading.tail_z >= thresholds.evidence_z
        and reading.excess >= MIN_CRISIS_EXCESS / thresholds.sensitivity
    )


def growing(since: Reading, after: Reading, thresholds: Thresholds, pace: float) -> bool:
    """Whether an elevated level goes on rising: the minutes `after` it was raised, judged on
    their own, rise with more posts than before (`pace` times as many a minute) and than usual,
    and the whole span `since` is unusual, its share a crisis's lift above the baseline."""
    scale = 1.0 / thresholds.sensitivity
    jump = after.volume_change_z
    return (
        after.minutes >= GROWTH_MINUTES
        # more posts than before and than usual: the end of a night lull is not growth
        and min(pace, since.volume_ratio) >= GROWTH_PACE
        and after.z >= GROWTH_Z * scale
        and after.lift >= 1.0 + (GROWTH_LIFT - 1.0) * scale
        and after.excess >= GROWTH_EXCESS * scale
        and jump is not None
        and jump >= GROWTH_VOLUME_Z * scale
        and since.z >= RISE_Z * scale
        and since.lift >= 1.0 + (CRISIS_LIFT - 1.0) * scale
    )


def change_z(recent: Reading, before: Reading, dispersion: float) -> float:
    """Two-sample z of the recent window's negative share against the minutes before it."""
    n1, n2 = recent.scored, before.scored
    if not n1 or not n2:
        return 0.0
    pooled = (recent.negative + before.negative) / (n1 + n2)
    variance = max(pooled * (1 - pooled), 1e-6) * dispersion * (1 / n1 + 1 / n2)
    return (recent.negative / n1 - before.negative / n2) / math.sqrt(variance)


def volume_change_z(recent: Reading, before: Reading, dispersion: float) -> float:
    """Poisson two-sample z of the recent window's scored posts per minute against the minutes
    before it; `dispersion` (at least 1) is how much more the per-minute counts vary."""
    t1, t2 = recent.minutes, before.minutes
    if not t1 or not t2:
        return 0.0
    pooled = max((recent.scored + before.scored) / (t1 + t2), 1.0 / (t1 + t2))
    variance = pooled * max(dispersion, 1.0) * (1 / t1 + 1 / t2)
    return (recent.scored / t1 - before.scored / t2) / math.sqrt(variance)
