"""Scenario streams for the detection suite, built minute by minute from labelled posts.

A scenario decides, minute by minute, how many posts there are and what share of them a person
would call negative; each post is then drawn from a pool of labelled texts with that human label.
The scorer reads the texts as it would live, so its misreadings stay in: the detector sees what
the scorer makes of a crisis, not the labels.

Pools: the project's own labelled posts (benchmarks/data/brand_posts.jsonl, `dev` or `test`
split: tune on `dev` only) and the Twitter US Airline Sentiment corpus's Tweets.csv (held out:
never tuned on).

Kinds (each with a seed): a busy calm day, a news spike at the usual mix, a quiet brand with a
chance cluster, a night lull, a moderate crisis, a strong crisis, a gradual rise, a praise surge
with posts in jest, a competitor's crisis with co-mentions of the brand.
"""

from __future__ import annotations

import csv
import json
import math
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warroom.demo.timeline import poisson
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import DetectorRule, LevelChange, Signals
from warroom.model import BRAND_TOPIC, Level, Mention, Score, ScoredMention

DATA = Path(__file__).parent / "data" / "brand_posts.jsonl"
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
COMPETITOR_TOPIC = "competitor:rival"
# Invented names the placeholders take, one pair per seed: plain words, read as VADER reads a brand.
BRANDS = ("Northwind", "Brightwell", "Calder", "Fenmore", "Orlen", "Tamsin", "Velora", "Quarry")
COMPETITORS = ("Contoso", "Halden", "Marlow", "Pexley", "Sorrel", "Tillard", "Wexcombe", "Yarrow")
# Complaint-like words in a post in jest ("stuck in traffic 2 hours, the coffee saved me").
_JEST_WORDS = re.compile(
    r"\b(?:delay(?:ed|s)?|late|lost|cancel(?:l?ed)?|wait(?:ed|ing)?|hours?|again|worst|"
    r"stuck|broke|broken|never|awful|terrible|hate|miserable|rain(?:ed|ing)?|failed|"
    r"stranded|crash(?:ed)?|nightmare)\b",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"@(\w+)")
AIRLINE_HANDLES = {
    "united",
    "usairways",
    "americanair",
    "southwestair",
    "jetblue",
    "virginamerica",
    "delta",
}


@dataclass(frozen=True)
class Post:
    """One labelled text: `label` is a person's reading (negative, neutral, positive)."""

    text: str
    label: str
    kind: str = ""


@dataclass
class Pool:
    """Labelled texts to draw posts from, by human label and by the part they play."""

    name: str
    negative: list[Post]
    other: list[Post]  # neutral and positive: the calm conversation that is not a complaint
    praise: list[Post]  # positive posts that praise or thank
    jest: list[Post]  # positive posts with complaint-like words in them
    co_mentions: list[Post]  # posts naming the brand and a competitor, labelled for the brand
    placeholders: bool = True  # texts carry {brand} and {competitor}

    def check(self) -> None:
        """Refuse a pool too small to build scenarios from."""
        for part in ("negative", "other", "praise", "jest", "co_mentions"):
            if len(getattr(self, part)) < 3:
                raise ValueError(f"{self.name}: too few {part} posts to build scenarios")


def brand_pool(split: str, path: Path = DATA) -> Pool:
    """The project's own labelled posts of one split (`dev` to tune on, `test` to report)."""
    if split not in ("dev", "test"):
        raise ValueError(f"split must be dev or test, got {split!r}")
    posts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if item["split"] == split:
                posts.append(Post(item["text"], item["label"], item["kind"]))
    positive = [p for p in posts if p.label == "positive"]
    pool = Pool(
        name=f"brand_posts {split}",
        negative=[p for p in posts if p.label == "negative"],
        other=[p for p in posts if p.label != "negative"],
        praise=[p for p in positive if p.kind in ("praise", "thanks_resolved")],
        jest=[p for p in positive if p.kind in ("offtopic_negative", "mixed")],
        co_mentions=[p for p in posts if p.kind == "competitor"],
    )
    pool.check()
    return pool


def airline_pool(path: Path) -> Pool:
    """The Twitter US Airline Sentiment corpus (Tweets.csv: airline_sentiment, text, airline).

    Every tweet is the brand's; praise in jest is a positive tweet with complaint-like words; a
    co-mention is a tweet naming two airlines, labelled (as the corpus does) for the first.
    """
    posts = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = (row.get("airline_sentiment") or "").strip()
            text = (row.get("text") or "").strip()
            if label in ("negative", "neutral", "positive") and text:
                posts.append(Post(text, label, "tweet"))
    positive = [p for p in posts if p.label == "positive"]

    def airlines(text: str) -> int:
        return len({name.lower() for name in _HANDLE.findall(text)} & AIRLINE_HANDLES)

    pool = Pool(
        name=f"airline tweets ({path.name})",
        negative=[p for p in posts if p.label == "negative"],
        other=[p for p in posts if p.label != "negative"],
        praise=[p for p in positive if not _JEST_WORDS.search(p.text)],
        jest=[p for p in positive if _JEST_WORDS.search(p.text)],
        co_mentions=[p for p in posts if airlines(p.text) >= 2],
        placeholders=False,
    )
    pool.check()
    return pool


# -- the streams --------------------------------------------------------------------------------


@dataclass
class Stream:
    """One scenario's posts and what the detector is expected to do with them."""

    kind: str
    seed: int
    posts: list[tuple[int, Post, str]] = field(default_factory=list)  # minute, post, topic
    minutes: int = 0  # the stream's length
    onset: int | None = None  # the minute the event starts (None: a calm day)
    calm_from: int = 0  # calm minutes judged for false alarms: calm_from .. calm_until
    calm_until: int = 0


def _poisson(rng: random.Random, rate: float) -> int:
    """A Poisson draw: the demo's (Knuth's product) for small rates, a rounded normal for large
    ones, where the product would underflow."""
    if rate > 60:
        return max(0, round(rng.gauss(rate, math.sqrt(rate))))
    return poisson(rng, rate)


class Builder:
    """Posts minute by minute: Poisson volume, each post's human label drawn at a share."""

    def __init__(self, kind: str, seed: int, pool: Pool) -> None:
        self.rng = random.Random(f"{kind}:{seed}")
        self.pool = pool
        self.stream = Stream(kind, seed)

    def minute(
        self,
        minute: int,
        rate: float,
        negative_share: float,
        *,
        other: Sequence[Post] | None = None,
        negative: Sequence[Post] | None = None,
        topic: str = BRAND_TOPIC,
    ) -> None:
        """One minute of Poisson(`rate`) posts, `negative_share` of them negative to a person."""
        rng = self.rng
        for _ in range(_poisson(rng, rate)):
            if rng.random() < negative_share:
                post = rng.choice(negative or self.pool.negative)
            else:
                post = rng.choice(other or self.pool.other)
            self.stream.posts.append((minute, post, topic))

    def calm(self, start: int, count: int, rate: float, share: float) -> None:
        """`count` steady minutes."""
        for minute in range(start, start + count):
            self.minute(minute, rate, share)

    def exact(self, minute: int, minutes: int, negatives: int, others: int) -> None:
        """A cluster: exactly `negatives` and `others` posts spread over `minutes` minutes."""
        rng = self.rng
        posts = [rng.choice(self.pool.negative) for _ in range(negatives)]
        posts += [rng.choice(self.pool.other) for _ in range(others)]
        for post in posts:
            self.stream.posts.append((minute + rng.randrange(minutes), post, BRAND_TOPIC))

    def done(self, minutes: int, onset: int | None, calm_from: int, calm_until: int) -> Stream:
        stream = self.stream
        stream.minutes, stream.onset = minutes, onset
        stream.calm_from, stream.calm_until = calm_from, calm_until
        return stream


WARMUP = 180  # calm minutes before anything happens: the warm-up (60) and two hours learned


def busy_calm_day(seed: int, pool: Pool) -> Stream:
    """24 hours of a busy brand, 10 to 50 a minute with the day's rhythm, 30% complaints."""
    build = Builder("busy_calm_day", seed, pool)
    peak = build.rng.uniform(35, 50)
    total = WARMUP + 24 * 60
    for minute in range(total):
        phase = 2 * math.pi * (minute - WARMUP) / 1440
        rate = 10 + (peak - 10) * (0.5 - 0.5 * math.cos(phase))
        build.minute(minute, rate, 0.30)
    return build.done(total, None, 60, total)


def news_spike(seed: int, pool: Pool) -> Stream:
    """A story about the brand spreads: volume 2x to 4x for half an hour, sudden, at the usual
    30% complaints. No crisis, and no raise: a volume jump alone is not unusual sentiment."""
    build = Builder("news_spike", seed, pool)
    onset = WARMUP + 60 + build.rng.randrange(60)
    factor = build.rng.uniform(2.0, 4.0)
    build.calm(0, onset, 20.0, 0.30)
    build.calm(onset, 30, 20.0 * factor, 0.30)
    build.calm(onset + 30, 120, 20.0, 0.30)
    total = onset + 150
    return build.done(total, None, 60, total)


def quiet_cluster(seed: int, pool: Pool) -> Stream:
    """A quiet brand (2 to 3 a minute, ~10% negative) with one chance cluster: 10 negatives
    among 30 posts in 10 minutes, then calm again. Not a crisis (the issue's failure)."""
    build = Builder("quiet_cluster", seed, pool)
    rate = build.rng.uniform(2.0, 3.0)
    onset = 360 + build.rng.randrange(60)
    build.calm(0, onset, rate, 0.10)
    build.exact(onset, 10, 10, 20)
    build.calm(onset + 10, 180, rate, 0.10)
    return build.done(onset + 190, onset, 60, onset)


def night_lull(seed: int, pool: Pool) -> Stream:
    """A brand at ~10 a minute by day; at night a handful an hour, most of them complaints."""
    build = Builder("night_lull", seed, pool)
    build.calm(0, WARMUP + 120, 10.0, 0.30)
    onset = WARMUP + 120
    night = 6 * 60
    for minute in range(onset, onset + night):
        build.minute(minute, build.rng.uniform(0.1, 0.4), 0.75)
    build.calm(onset + night, 60, 10.0, 0.30)
    return build.done(onset + night + 60, onset, 60, onset)


def moderate_crisis(seed: int, pool: Pool) -> Stream:
    """20 a minute at 30% negative, then 1.5x volume at 55% negative for an hour (the issue's
    failure): CRISIS within 10 minutes of onset."""
    build = Builder("moderate_crisis", seed, pool)
    onset = WARMUP + 60 + build.rng.randrange(60)
    build.calm(0, onset, 20.0, 0.30)
    build.calm(onset, 60, 30.0, 0.55)
    return build.done(onset + 60, onset, 60, onset)


def strong_crisis(seed: int, pool: Pool) -> Stream:
    """20 a minute at 30% negative, then 3x volume at 70% negative: CRISIS within 10 minutes."""
    build = Builder("strong_crisis", seed, pool)
    onset = WARMUP + 60 + build.rng.randrange(60)
    build.calm(0, onset, 20.0, 0.30)
    build.calm(onset, 45, 60.0, 0.70)
    return build.done(onset + 45, onset, 60, onset)


RISE_MINUTES = 120


def gradual_rise(seed: int, pool: Pool) -> Stream:
    """Complaints creep from 30% to 60% over two hours while volume grows 20 -> 30 a minute:
    ELEVATED first, then CRISIS before the two hours are out."""
    build = Builder("gradual_rise", seed, pool)
    onset = WARMUP + 60 + build.rng.randrange(60)
    build.calm(0, onset, 20.0, 0.30)
    for step in range(RISE_MINUTES):
        done = step / (RISE_MINUTES - 1)
        build.minute(onset + step, 20.0 + 10.0 * done, 0.30 + 0.30 * done)
    return build.done(onset + RISE_MINUTES, onset, 60, onset)


def praise_surge(seed: int, pool: Pool) -> Stream:
    """A viral launch: volume 5x for an hour, the extra posts praise, one in four in jest with
    complaint-like words. No crisis."""
    build = Builder("praise_surge", seed, pool)
    onset = WARMUP + 60 + build.rng.randrange(60)
    build.calm(0, onset + 120, 20.0, 0.30)
    jest = build.pool.jest
    for minute in range(onset, onset + 60):
        build.minute(minute, 60.0, 0.0, other=build.pool.praise)
        build.minute(minute, 20.0, 0.0, other=jest)
    return build.done(onset + 120, onset, 60, onset)


def competitor_crisis(seed: int, pool: Pool) -> Stream:
    """A competitor's crisis: its mentions 12x at 70% negative for an hour, and 4 a minute of
    posts naming both, at the brand's usual 30% negative to a person. No crisis for the brand."""
    build = Builder("competitor_crisis", seed, pool)
    onset = WARMUP + 60 + build.rng.randrange(60)
    build.calm(0, onset + 120, 20.0, 0.30)
    for minute in range(onset + 120):
        rate, share = (60.0, 0.70) if onset <= minute < onset + 60 else (5.0, 0.30)
        build.minute(minute, rate, share, topic=COMPETITOR_TOPIC)
    co = build.pool.co_mentions
    co_negative = [p for p in co if p.label == "negative"] or build.pool.negative
    co_other = [p for p in co if p.label != "negative"] or build.pool.other
    for minute in range(onset, onset + 60):
        build.minute(minute, 4.0, 0.30, other=co_other, negative=co_negative)
    return build.done(onset + 120, onset, 60, onset)


@dataclass(frozen=True)
class Kind:
    """A kind of scenario and what is right for it."""

    name: str
    build: Callable[[int, Pool], Stream]
    crisis: bool  # a crisis is expected (else: none must be raised)
    deadline: int | None = None  # minutes from onset within which CRISIS must come
    elevated_first: bool = False  # ELEVATED must come before CRISIS


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("busy calm day", busy_calm_day, crisis=False),
        Kind("news spike, usual mix", news_spike, crisis=False),
        Kind("quiet brand, chance cluster", quiet_cluster, crisis=False),
        Kind("night lull", night_lull, crisis=False),
        Kind("moderate crisis", moderate_crisis, crisis=True, deadline=10),
        Kind("strong crisis", strong_crisis, crisis=True, deadline=10),
        Kind("gradual rise", gradual_rise, crisis=True, deadline=RISE_MINUTES, elevated_first=True),
        Kind("praise surge (with jest)", praise_surge, crisis=False),
        Kind("competitor crisis, co-mentions", competitor_crisis, crisis=False),
    )
}


# -- running the detector over a stream ---------------------------------------------------------


class Reader:
    """The scorer as it runs at the time, each distinct text scored once."""

    def __init__(self) -> None:
        self.scorer = Scorer()
        self._scores: dict[str, Score] = {}

    def score(self, text: str) -> Score:
        score = self._scores.get(text)
        if score is None:
            mention = Mention(id="bench:score", source="bench", text=text, created_at=START)
            score = self._scores[text] = self.scorer.score(mention)
        return score


@dataclass
class Outcome:
    """What the detector did on one stream."""

    stream: Stream
    changes: list[LevelChange]

    def _first(self, level: Level, since: int) -> int | None:
        for change in self.changes:
            minute = round((change.at - START) / MINUTE)
            raised = change.level is level and change.level.rank > change.previous.rank
            if raised and minute > since:
                return minute - since
        return None

    @property
    def elevated_delay(self) -> int | None:
        """Minutes from onset to the first raise to ELEVATED or above (a crisis counts)."""
        onset = self.stream.onset
        if onset is None:
            return None
        delays = [d for d in (self._first(Level.ELEVATED, onset), self.crisis_delay) if d]
        return min(delays) if delays else None

    @property
    def crisis_delay(self) -> int | None:
        onset = self.stream.onset
        return None if onset is None else self._first(Level.CRISIS, onset)

    def raises(self, level: Level | None = None) -> list[LevelChange]:
        """Raises (to `level`, or any) in the stream's calm minutes: false alarms."""
        stream = self.stream
        found = []
        for change in self.changes:
            minute = round((change.at - START) / MINUTE)
            if not stream.calm_from < minute <= stream.calm_until:
                continue
            if change.level.rank > change.previous.rank and level in (None, change.level):
                found.append(change)
        return found

    @property
    def calm_days(self) -> float:
        return (self.stream.calm_until - self.stream.calm_from) / 1440

    def right(self, kind: Kind) -> bool:
        """Whether the detector did what the kind expects."""
        crisis = self.crisis_delay if self.stream.onset is not None else None
        if not kind.crisis:
            return not any(change.level is Level.CRISIS for change in self.changes)
        if crisis is None or (kind.deadline is not None and crisis > kind.deadline):
            return False
        if kind.elevated_first:
            first = next((c for c in self.changes if c.level.rank > c.previous.rank), None)
            return first is not None and first.level is Level.ELEVATED
        return True


def scored_stream(stream: Stream, reader: Reader) -> list[ScoredMention]:
    """The stream's posts as scored mentions in time order, placeholders filled per seed."""
    rng = random.Random(f"names:{stream.kind}:{stream.seed}")
    brand, competitor = rng.choice(BRANDS), rng.choice(COMPETITORS)
    mentions = []
    for index, (minute, post, topic) in enumerate(stream.posts):
        text = post.text
        if "{" in text:
            ours, theirs = (brand, competitor) if topic == BRAND_TOPIC else (competitor, brand)
            text = text.replace("{brand}", ours).replace("{competitor}", theirs)
        created = START + timedelta(minutes=minute, seconds=rng.random() * 59.9)
        mention = Mention(
            id=f"bench:{index}",
            source="bench",
            text=text,
            created_at=created,
            reach=int(rng.lognormvariate(4, 2)),
            topic=topic,
        )
        mentions.append(ScoredMention(mention, reader.score(text)))
    mentions.sort(key=lambda scored: scored.mention.created_at)
    return mentions


def detect(
    mentions: Iterable[ScoredMention], minutes: int, rule: DetectorRule | None = None
) -> list[LevelChange]:
    """Feed the mentions minute by minute, judging each minute once it is over, as live."""
    signals = Signals(rule)
    changes: list[LevelChange] = []
    pending = iter(mentions)
    upcoming = next(pending, None)
    for minute in range(minutes + 1):
        end = START + (minute + 1) * MINUTE
        while upcoming is not None and upcoming.mention.created_at < end:
            signals.add(upcoming)
            upcoming = next(pending, None)
        changes += signals.advance(end)
    return changes


def run(
    kind: Kind, seed: int, pool: Pool, reader: Reader, rule: DetectorRule | None = None
) -> Outcome:
    """Build one scenario, score it and run the detector over it."""
    stream = kind.build(seed, pool)
    return Outcome(stream, detect(scored_stream(stream, reader), stream.minutes, rule))
