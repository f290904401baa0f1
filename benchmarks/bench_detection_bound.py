"""How soon the moderate crisis could be caught from the negative share alone, by a detector that
knows the answer: an oracle CUSUM beside warroom's detector on the same pools.

The moderate crisis (20 a minute at 30% negative to a person, then 30 a minute at 55%) reaches
the detector as the scorer reads it: a share of `r` of the complaints and `f` of the other posts
read negative. The oracle knows both read shares, before and after, and when the crisis may
start; it runs Page's CUSUM on the posts one by one, the quickest test for a known change at a
given false-alarm rate (Lorden, 1971). Its threshold is set so that on calm posts it raises a false
alarm once a year at 20 a minute, warroom's crisis bar. Its run lengths on calm posts are measured
at three low thresholds and extrapolated in the CUSUM's own form (A * (e^h - h - 1)), since a
year of posts is too many to simulate.

The oracle uses the share only. A volume jump is evidence too, but a news story brings one at the
usual share: warroom uses it only to test the share at a lower bar while the volume has jumped.

    .venv/bin/python -m benchmarks.bench_detection_bound [--corpus Tweets.csv] [--runs 2000]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_detection import percentile
from benchmarks.scenarios import (
    BRANDS,
    COMPETITORS,
    KINDS,
    Pool,
    Post,
    Reader,
    airline_pool,
    brand_pool,
    run,
)
from warroom.demo.timeline import poisson
from warroom.model import Label

RATE_BEFORE, RATE_AFTER = 20.0, 30.0  # posts a minute, as in the moderate crisis
SHARE_BEFORE, SHARE_AFTER = 0.30, 0.55  # negative to a person
DEADLINE = 10  # minutes from onset
POSTS_A_YEAR = RATE_BEFORE * 365 * 24 * 60
CALIBRATION = (4.0, 5.0, 6.0)  # thresholds whose calm run lengths are measured
CALIBRATION_RUNS = 300
MAX_MINUTES = 60  # the crisis lasts an hour
CALM_MINUTES = 120  # calm before it, as in the scenarios (two hours learned after the warm-up)
SEEDS = 20


@dataclass(frozen=True)
class Reading:
    """How the scorer reads a pool: the shares of complaints and of other posts read negative."""

    complaints: float
    others: float

    def share(self, human_share: float) -> float:
        return human_share * self.complaints + (1 - human_share) * self.others


def read_pool(pool: Pool, reader: Reader) -> Reading:
    """The shares read negative, over every text of the pool as the streams fill it in."""

    def negative_share(posts: list[str]) -> float:
        read = [reader.score(text).label is Label.NEGATIVE for text in posts]
        return sum(read) / len(read)

    def texts(posts: list[Post]) -> list[str]:
        brand, competitor = BRANDS[0], COMPETITORS[0]
        return [p.text.replace("{brand}", brand).replace("{competitor}", competitor) for p in posts]

    return Reading(negative_share(texts(pool.negative)), negative_share(texts(pool.other)))


class Cusum:
    """Page's CUSUM for a rise of a Bernoulli share from `before` to `after`."""

    def __init__(self, before: float, after: float) -> None:
        self.up = math.log(after / before)  # a post read negative
        self.down = math.log((1 - after) / (1 - before))  # any other post

    def post(self, total: float, rng: random.Random, share: float) -> float:
        """The sum after one more post, read negative with probability `share`."""
        return max(0.0, total + (self.up if rng.random() < share else self.down))

    def calm_run(self, rng: random.Random, share: float, threshold: float) -> int:
        """Posts until a false alarm on calm posts."""
        total, posts = 0.0, 0
        while total < threshold:
            posts += 1
            total = self.post(total, rng, share)
        return posts

    def delay(
        self, rng: random.Random, before: float, after: float, threshold: float
    ) -> int | None:
        """Minutes from onset to the alarm (None: not within the hour). CALM_MINUTES of calm
        posts come first, so the sum starts where a watch would have it (a false alarm among
        them starts it again)."""
        total = 0.0
        for _ in range(CALM_MINUTES):
            for _ in range(poisson(rng, RATE_BEFORE)):
                total = self.post(total, rng, before)
                if total >= threshold:
                    total = 0.0
        for minute in range(1, MAX_MINUTES + 1):
            for _ in range(poisson(rng, RATE_AFTER)):
                total = self.post(total, rng, after)
                if total >= threshold:
                    return minute
        return None


def threshold_for(cusum: Cusum, share: float, posts: float, rng: random.Random) -> float:
    """The threshold whose calm run length is `posts`, from measured shorter ones."""
    scales = []
    for h in CALIBRATION:
        runs = [cusum.calm_run(rng, share, h) for _ in range(CALIBRATION_RUNS)]
        scales.append((sum(runs) / len(runs)) / (math.exp(h) - h - 1))
    scale = sum(scales) / len(scales)
    low, high = CALIBRATION[-1], 40.0
    for _ in range(60):  # bisect A * (e^h - h - 1) = posts
        middle = (low + high) / 2
        if scale * (math.exp(middle) - middle - 1) < posts:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _delays(found: list[int | None]) -> str:
    reached = [value for value in found if value is not None]
    within = sum(1 for value in reached if value <= DEADLINE)
    median, p90 = percentile(reached, 0.5), percentile(reached, 0.9)
    return f"{within / len(found):.0%} | {median} / {p90}"


def row(name: str, reading: Reading, runs: int, detector: list[int | None] | None) -> str:
    """One Markdown row: the reading, the oracle's delays and the detector's (when run)."""
    before, after = reading.share(SHARE_BEFORE), reading.share(SHARE_AFTER)
    rng = random.Random(f"bound:{name}")
    cusum = Cusum(before, after)
    threshold = threshold_for(cusum, before, POSTS_A_YEAR, rng)
    oracle = [cusum.delay(rng, before, after, threshold) for _ in range(runs)]
    warroom = "– | –" if detector is None else _delays(detector)
    return (
        f"| {name} | {reading.complaints:.0%}, {reading.others:.0%}"
        f" | {before:.1%} -> {after:.1%} | {threshold:.1f} | {_delays(oracle)} | {warroom} |"
    )


def reading_at(recall: float, precision: float, complaints_share: float) -> Reading:
    """The reading with this recall and precision on posts `complaints_share` complaints: the
    other posts read negative follow from them."""
    read_wrongly = recall * complaints_share * (1 - precision) / precision
    return Reading(recall, read_wrongly / (1 - complaints_share))


def main(argv: list[str] | None = None) -> None:
    summary = __doc__.split("\n")[0]
    parser = argparse.ArgumentParser(prog="bench_detection_bound", description=summary)
    parser.add_argument("--corpus", type=Path, help="Tweets.csv of Twitter US Airline Sentiment")
    parser.add_argument("--runs", type=int, default=2000, help="oracle streams a pool")
    parser.add_argument("--seeds", type=int, default=SEEDS, help="detector streams a pool")
    parser.add_argument(
        "--aim",
        metavar="RECALL,PRECISION,SHARE",
        help="add the oracle for a reading with this recall and precision on posts this share"
        " complaints (issue 14's aim on the airline tweets: 0.60,0.85,0.627)",
    )
    args = parser.parse_args([] if argv is None else argv)
    pools = [brand_pool("dev"), brand_pool("test")]
    if args.corpus is not None:
        pools.append(airline_pool(args.corpus))
    reader = Reader()
    print(
        "| pool | read negative: complaints, others | read share before -> after"
        " | oracle threshold | oracle (share alone): within 10 min | median / p90 min"
        " | warroom: within 10 min | median / p90 min |"
    )
    print("|---|---|---|---|---|---|---|---|")
    kind = KINDS["moderate crisis"]
    for pool in pools:
        began = time.perf_counter()
        detector = [run(kind, seed, pool, reader).crisis_delay for seed in range(args.seeds)]
        print(row(pool.name, read_pool(pool, reader), args.runs, detector), flush=True)
        print(f"({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    if args.aim:
        recall, precision, share = (float(part) for part in args.aim.split(","))
        name = f"a reading of {recall:.0%} at {precision:.2f} ({share:.0%} complaints)"
        print(row(name, reading_at(recall, precision, share), args.runs, None))


if __name__ == "__main__":
    main(sys.argv[1:])
