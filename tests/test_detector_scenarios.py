"""The detector against seeded scenarios drawn the way VADER really reads complaints."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from warroom.detection.signals import DetectorRule, LevelChange, Signals
from warroom.model import BRAND_TOPIC, Level, Mention, Score, ScoredMention, label_for

START = datetime(2026, 3, 14, 6, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

# How VADER labels a post (negative, neutral, positive), by what a person would call it. On 14,638
# human-labelled airline tweets VADER finds 44% of the complaints and reads 40% of them as
# positive; 30% -> 55% human-negative then moves VADER's share only from ~18% to ~28%.
VADER_READS: dict[str, tuple[float, float, float]] = {
    "complaint": (0.44, 0.16, 0.40),
    "other": (0.07, 0.33, 0.60),
    "praise": (0.04, 0.12, 0.84),
    "sarcasm": (0.25, 0.10, 0.65),  # "great, my phone died again": VADER mostly sees "great"
    "angry": (1.0, 0.0, 0.0),  # a post VADER cannot miss
}
WORDS: dict[str, Sequence[str]] = {
    "complaint": ("delayed", "support", "refund", "waiting", "order", "app", "slow", "broken"),
    "other": ("store", "order", "app", "price", "shipping", "update", "weekend", "friend"),
    "praise": ("love", "amazing", "launch", "camera", "design", "beautiful", "fast", "wow"),
    "sarcasm": ("great", "thanks", "love", "waiting", "again", "wonderful", "support"),
    "angry": ("worst", "awful", "hate", "scam", "terrible", "furious", "useless"),
}


def poisson(rng: random.Random, rate: float) -> int:
    """A Poisson draw (Knuth's method; fine for the rates used here)."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


@dataclass
class World:
    """A seeded generator of scored mentions, minute by minute."""

    seed: int

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.mentions: list[ScoredMention] = []

    def post(
        self, minute: float, kind: str, topic: str = BRAND_TOPIC, extra: str = ""
    ) -> ScoredMention:
        """One post of a kind (complaint, other, praise, sarcasm), scored as VADER would."""
        rng = self.rng
        negative, neutral, _ = VADER_READS[kind]
        draw = rng.random()
        if draw < negative:
            compound = -rng.uniform(0.05, 0.95)
        elif draw < negative + neutral:
            compound = 0.0
        else:
            compound = rng.uniform(0.05, 0.95)
        words = rng.sample(list(WORDS[kind]), 3)
        created = START + timedelta(minutes=minute)
        mention = Mention(
            id=f"demo:{len(self.mentions)}",
            source="demo",
            text=" ".join([*words, extra]).strip(),
            created_at=created,
            reach=int(rng.lognormvariate(5, 2)),
            topic=topic,
        )
        scored = ScoredMention(mention, Score(compound, label_for(compound)))
        self.mentions.append(scored)
        return scored

    def minutes(
        self,
        start: int,
        count: int,
        rate: float,
        complaints: float | Sequence[float],
        topic: str = BRAND_TOPIC,
        other: str = "other",
        complaint: str = "complaint",
        extra: str = "",
    ) -> None:
        """`count` minutes of Poisson(rate) posts, a `complaints` share of them human-negative."""
        for index in range(count):
            share = complaints if isinstance(complaints, float) else complaints[index]
            for _ in range(poisson(self.rng, rate)):
                kind = complaint if self.rng.random() < share else other
                self.post(start + index + self.rng.random(), kind, topic, extra)


def ramp(low: float, high: float, count: int) -> list[float]:
    """A share creeping linearly from low to high over `count` minutes."""
    return [low + (high - low) * index / (count - 1) for index in range(count)]


def run(
    mentions: Iterable[ScoredMention], rule: DetectorRule | None = None, until: int | None = None
) -> tuple[Signals, list[LevelChange]]:
    """Feed mentions in arrival order, advancing event time as they come; return all changes."""
    signals = Signals(rule)
    changes: list[LevelChange] = []
    last = START
    for scored in mentions:
        last = max(last, scored.mention.created_at)
        changes += signals.advance(last)
        signals.add(scored)
    end = START + timedelta(minutes=until) if until is not None else last + MINUTE
    changes += signals.advance(end)
    return signals, changes


def in_order(world: World) -> list[ScoredMention]:
    """The world's posts in event-time order."""
    return sorted(world.mentions, key=lambda scored: scored.mention.created_at)


def minutes_after(change: LevelChange, minute: int) -> float:
    """How long after scenario minute `minute` a change happened."""
    return (change.at - (START + timedelta(minutes=minute))) / MINUTE


def first(changes: Sequence[LevelChange], level: Level) -> LevelChange | None:
    """The first change to `level`, if any."""
    return next((change for change in changes if change.level is level), None)


def calm(world: World, minutes: int = 120, rate: float = 10.0) -> None:
    """Warm-up and a calm stretch: 30% of posts are complaints (VADER sees ~18%)."""
    world.minutes(0, minutes, rate, 0.30)


def changes_of(world: World, rule: DetectorRule | None = None) -> list[LevelChange]:
    """Every level change of the world's posts fed in order."""
    return run(in_order(world), rule)[1]


SEEDS = (0, 1, 2, 3)


# 1. A surge of praise


@pytest.mark.parametrize("seed", SEEDS)
def test_praise_surge_is_not_even_elevated(seed: int) -> None:
    """Volume 5x for an hour, the extra posts praise: the level never moves."""
    world = World(seed)
    calm(world, 180)
    world.minutes(120, 60, 40.0, 0.0, other="praise")
    assert changes_of(world) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_praise_surge_with_sarcasm_is_not_a_crisis(seed: int) -> None:
    """A 5x praise surge where one post in ten is sarcastic stays below crisis."""
    world = World(seed)
    calm(world, 180)
    world.minutes(120, 60, 40.0, 0.10, other="praise", complaint="sarcasm")
    assert first(changes_of(world), Level.CRISIS) is None


# 2. A competitor's crisis


@pytest.mark.parametrize("seed", SEEDS)
def test_competitor_crisis_is_not_ours(seed: int) -> None:
    """A competitor surging 12x with 70% complaints moves our level not at all."""
    world = World(seed)
    calm(world, 180)
    world.minutes(0, 180, 5.0, 0.30, topic="competitor:acme")
    world.minutes(120, 60, 60.0, 0.70, topic="competitor:acme")
    signals, changes = run(in_order(world), until=150)
    assert changes == []
    volume, negative_share = signals.gauge().competitors["competitor:acme"]
    assert volume > 400
    assert negative_share is not None and negative_share > 0.25


@pytest.mark.parametrize("seed", SEEDS)
def test_competitor_crisis_with_brand_co_mentions_is_not_a_crisis(seed: int) -> None:
    """Some angry posts naming both brands (2/min, 60% complaints) do not make it our crisis."""
    world = World(seed)
    calm(world, 180)
    world.minutes(0, 180, 5.0, 0.30, topic="competitor:acme")
    world.minutes(120, 60, 60.0, 0.70, topic="competitor:acme")
    world.minutes(120, 60, 2.0, 0.60)
    assert first(changes_of(world), Level.CRISIS) is None


# 3. A quiet night


def test_quiet_night_of_mostly_negative_posts_is_not_a_crisis() -> None:
    """Six hours of one post every four minutes, three of four negative, raise nothing."""
    world = World(7)
    calm(world, 120)
    for minute in range(120, 480, 4):
        for kind in ("angry", "angry", "angry", "other"):
            world.post(minute + world.rng.random() * 4, kind)
    signals, changes = run(in_order(world), until=480)
    assert changes == []
    assert signals.reason.startswith("too few mentions to judge")


def test_quiet_brand_with_a_burst_of_three_negative_of_four_is_not_a_crisis() -> None:
    """A baseline learned at one post a minute, then a minute with 3 of 4 negative: normal."""
    world = World(8)
    calm(world, 120, rate=1.0)
    for kind in ("angry", "angry", "angry", "other"):
        world.post(120.5, kind)
    world.minutes(121, 60, 1.0, 0.30)
    assert changes_of(world) == []


# 4. A slow burn


@pytest.mark.parametrize("seed", SEEDS)
def test_slow_burn_becomes_a_crisis_before_two_hours(seed: int) -> None:
    """Complaints creep from 30% to 55% over two hours at a steady 20/min: crisis before the end."""
    world = World(seed)
    calm(world, 360, rate=20.0)
    world.minutes(360, 120, 20.0, ramp(0.30, 0.55, 120))
    signals, changes = run(in_order(world), until=480)
    crisis = first(changes, Level.CRISIS)
    assert crisis is not None
    assert minutes_after(crisis, 360) <= 120
    assert signals.baseline.negative_share < 0.20  # the burn was not learned as normal


@pytest.mark.parametrize("seed", SEEDS)
def test_slow_burn_with_sagging_volume_is_raised_before_two_hours(seed: int) -> None:
    """The share creeps up while volume sags 20 -> 16/min: raised before the two hours end."""
    world = World(seed)
    calm(world, 360, rate=20.0)
    for index, share in enumerate(ramp(0.30, 0.55, 120)):
        world.minutes(360 + index, 1, 20.0 - 4.0 * index / 119, share)
    changes = run(in_order(world), until=480)[1]
    raised = next((change for change in changes if change.level is not Level.NORMAL), None)
    assert raised is not None
    assert minutes_after(raised, 360) <= 120


# 5. A sudden crisis


@pytest.mark.parametrize("seed", SEEDS)
def test_sudden_crisis_is_detected_within_ten_minutes(seed: int) -> None:
    """Complaints 30% -> 55% with volume 3x at 20/min: crisis within 10 minutes of the surge."""
    world = World(seed)
    calm(world, 180, rate=20.0)
    world.minutes(180, 30, 60.0, 0.55)
    crisis = first(changes_of(world), Level.CRISIS)
    assert crisis is not None
    assert 0 < minutes_after(crisis, 180) <= 10
    assert re.search(r"over the last \d+ min", crisis.reason)


@pytest.mark.parametrize("seed", SEEDS)
def test_sudden_crisis_of_a_smaller_brand(seed: int) -> None:
    """At 10/min, 30% -> 55% complaints at 4x volume: elevated within 5 minutes, a crisis within
    15 (over 40 seeds: median 6, 90th percentile 13; a surge straight to crisis needs the share
    evidence of an elevated level, so a story that triples the volume is no crisis by itself)."""
    world = World(seed)
    calm(world, 240, rate=10.0)
    world.minutes(240, 30, 40.0, 0.55)
    changes = changes_of(world)
    elevated, crisis = first(changes, Level.ELEVATED), first(changes, Level.CRISIS)
    assert elevated is not None and crisis is not None
    assert 0 < minutes_after(elevated, 240) <= 5
    assert 0 < minutes_after(crisis, 240) <= 15


@pytest.mark.parametrize("seed", SEEDS)
def test_neutral_volume_surge_is_not_a_crisis(seed: int) -> None:
    """Volume 5x for an hour with the usual share of complaints raises no crisis."""
    world = World(seed)
    calm(world, 180, rate=10.0)
    world.minutes(180, 60, 50.0, 0.30)
    assert first(changes_of(world), Level.CRISIS) is None


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_daily_rhythm_raises_no_crisis(seed: int) -> None:
    """Two days of volume swinging 2 -> 10 -> 2 a minute, complaints steady: no crisis."""
    world = World(seed)
    for minute in range(2 * 1440):
        rate = 2.0 + 8.0 * (0.5 - 0.5 * math.cos(2 * math.pi * minute / 1440))
        world.minutes(minute, 1, rate, 0.30)
    assert first(changes_of(world), Level.CRISIS) is None


# 6. Late and out-of-order mentions


def test_late_and_out_of_order_mentions_give_the_same_series() -> None:
    """Mentions arriving up to 5 minutes late and shuffled land in their own minutes."""
    world = World(11)
    calm(world, 60)
    world.minutes(60, 20, 40.0, 0.55)
    ordered = in_order(world)
    rng = random.Random(3)
    arrival = sorted(
        ordered, key=lambda scored: scored.mention.created_at + rng.random() * 5 * MINUTE
    )
    assert arrival != ordered
    in_time, _ = run(ordered)
    late, _ = run(arrival)
    assert [minute.to_dict() for minute in late.series()] == [
        minute.to_dict() for minute in in_time.series()
    ]


def test_late_mentions_still_let_the_crisis_be_seen() -> None:
    """With posts arriving up to 3 minutes late, the sudden crisis is still caught in 10 min."""
    world = World(12)
    calm(world, 180, rate=20.0)
    world.minutes(180, 30, 60.0, 0.55)
    rng = random.Random(4)
    arrival = sorted(
        in_order(world), key=lambda scored: scored.mention.created_at + rng.random() * 3 * MINUTE
    )
    crisis = first(run(arrival)[1], Level.CRISIS)
    assert crisis is not None
    assert minutes_after(crisis, 180) <= 10


# 7. Noise


@pytest.mark.parametrize(("seed", "rate"), [(21, 10.0), (22, 10.0), (23, 3.0), (24, 60.0)])
def test_hours_of_calm_raise_no_crisis(seed: int, rate: float) -> None:
    """Six hours of Poisson volume with the usual 30% complaints never reach crisis."""
    world = World(seed)
    calm(world, 360, rate=rate)
    changes = changes_of(world)
    assert first(changes, Level.CRISIS) is None
    assert len(changes) <= 2  # at most one elevated blip and its step down


# 8. Recovery


@pytest.mark.parametrize("seed", SEEDS)
def test_recovery_steps_down_after_the_cooldown_with_a_reason(seed: int) -> None:
    """After a 30-minute surge ends, crisis steps down once the cooldown has passed."""
    world = World(seed)
    calm(world, 180, rate=20.0)
    world.minutes(180, 30, 60.0, 0.55)
    world.minutes(210, 90, 20.0, 0.30)
    signals, changes = run(in_order(world), until=300)
    crisis = first(changes, Level.CRISIS)
    assert crisis is not None
    after = [change for change in changes if change.at > crisis.at]
    assert after, "the crisis never stepped down"
    step = after[0]
    assert step.previous is Level.CRISIS and step.level.rank < Level.CRISIS.rank
    assert step.reason.startswith("calm for 15 min: negative share")
    assert 15 <= minutes_after(step, 210) <= 45
    assert signals.level is Level.NORMAL


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_a_lasting_plateau_stays_a_crisis(seed: int) -> None:
    """When complaints stay at 55% after the surge, the level does not step down."""
    world = World(seed)
    calm(world, 180, rate=20.0)
    world.minutes(180, 30, 60.0, 0.55)
    world.minutes(210, 90, 20.0, 0.55)
    signals, changes = run(in_order(world), until=300)
    assert first(changes, Level.CRISIS) is not None
    assert signals.level is Level.CRISIS


# With real VADER scores


COMPLAINTS = (
    "Thanks a lot acme, my order is three weeks late. Great service.",
    "acme still waiting for my refund, this is ridiculous",
    "Been on hold with acme support for 2 hours",
    "acme app crashed again and lost my data",
    "worst customer service ever, never buying from acme again",
    "Love how acme charges me twice and nobody answers",
    "acme delivery delayed AGAIN. Unbelievable",
    "my acme phone won't charge, the store told me to wait 10 days",
    "Hey acme, can you please fix the login bug? thanks",
    "acme is a joke",
)
OTHERS = (
    "Just picked up the new acme phone",
    "acme store downtown is open late tonight",
    "anyone tried the acme camera update?",
    "Loving my new acme headphones!",
    "acme shipping was quick, thanks",
    "acme keynote at 5pm",
    "Does acme ship to Canada?",
    "acme price drop on the tablet",
)
BATTERY_COMPLAINTS = (
    "my acme phone got really hot and exploded #batterygate",
    "#batterygate acme phones catching fire, is mine safe?",
    "acme needs to recall these phones now #batterygate",
    "Great job acme, my phone melted on the nightstand #batterygate",
    "so acme knew about the battery problem? #batterygate",
    "this is so dangerous, my acme phone burned my hand #batterygate",
    "scary: acme phone smoking in my kid's room #batterygate",
    "acme phones are a fire hazard, terrible #batterygate",
)


def test_real_vader_texts_sudden_battery_crisis_is_seen_and_named() -> None:
    """Posts scored by vaderSentiment itself: the battery crisis is raised, its hashtag trends."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    scores = {
        text: analyzer.polarity_scores(text)["compound"]
        for text in COMPLAINTS + OTHERS + BATTERY_COMPLAINTS
    }
    rng = random.Random(5)
    posts: list[ScoredMention] = []

    def minute_of_posts(minute: int, rate: float, complaints: float, pool: Sequence[str]) -> None:
        for _ in range(poisson(rng, rate)):
            text = rng.choice(pool if rng.random() < complaints else OTHERS)
            created = START + timedelta(minutes=minute + rng.random())
            compound = scores[text]
            post = Mention(id=f"demo:{len(posts)}", source="demo", text=text, created_at=created)
            posts.append(ScoredMention(post, Score(compound, label_for(compound))))

    for minute in range(240):
        minute_of_posts(minute, 20.0, 0.30, COMPLAINTS)
    for minute in range(240, 270):
        minute_of_posts(minute, 30.0, 0.30, COMPLAINTS)
        minute_of_posts(minute, 30.0, 0.75, BATTERY_COMPLAINTS)
    signals = Signals(extra_stopwords=["acme"])
    changes: list[LevelChange] = []
    for post in sorted(posts, key=lambda scored: scored.mention.created_at):
        changes += signals.advance(post.mention.created_at)
        signals.add(post)
        if first(changes, Level.CRISIS):
            break
    crisis = first(changes, Level.CRISIS)
    assert crisis is not None
    assert minutes_after(crisis, 240) <= 10
    assert "#batterygate" in [term.term for term in signals.trending(limit=5)]
