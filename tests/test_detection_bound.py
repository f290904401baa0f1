"""The oracle that benchmarks/bench_detection_bound.py sets beside the detector."""

from __future__ import annotations

import math
import random

from benchmarks.bench_detection_bound import Cusum, read_pool, reading_at, threshold_for
from benchmarks.scenarios import Pool, Post, Reader


def test_the_threshold_gives_the_calm_run_length_asked_for() -> None:
    """Extrapolated from shorter runs, the threshold's false alarms come as seldom as asked."""
    cusum, rng = Cusum(0.2, 0.5), random.Random(7)
    threshold = threshold_for(cusum, 0.2, 5000, rng)
    runs = [cusum.calm_run(rng, 0.2, threshold) for _ in range(400)]
    assert 4000 < sum(runs) / len(runs) < 6200  # its standard error over 400 runs: about 5%
    # Ten times as seldom costs about ln(10) more evidence, as the CUSUM's form says.
    further = threshold_for(cusum, 0.2, 50_000, rng)
    assert math.isclose(further - threshold, math.log(10), abs_tol=0.15)


def test_a_larger_rise_is_caught_sooner() -> None:
    rng = random.Random(3)
    small, large = Cusum(0.3, 0.4), Cusum(0.3, 0.6)
    small_delays = [small.delay(rng, 0.3, 0.4, 10.0) or 99 for _ in range(200)]
    large_delays = [large.delay(rng, 0.3, 0.6, 10.0) or 99 for _ in range(200)]
    assert sorted(large_delays)[100] < sorted(small_delays)[100]
    assert max(large_delays) <= 10  # 30 posts a minute at 60% against 30%: minutes, not an hour


def test_the_pool_is_read_as_the_scorer_reads_it() -> None:
    complaint = Post("{brand} lost my bag and nobody answers. Worst airline ever.", "negative")
    praise = Post("Thank you {brand}, the crew was wonderful!", "positive")
    question = Post("Does {brand} fly to Lisbon in winter?", "neutral")
    pool = Pool("three posts", [complaint], [praise, question], [praise], [praise], [question])
    reading = read_pool(pool, Reader())
    assert (reading.complaints, reading.others) == (1.0, 0.0)
    assert reading.share(0.55) == 0.55


def test_a_reading_from_recall_and_precision_keeps_both() -> None:
    """Issue 14's aim on the airline tweets (63% complaints): 60% found at a precision of 0.85."""
    reading = reading_at(0.60, 0.85, 0.627)
    found, wrong = 0.627 * reading.complaints, 0.373 * reading.others
    assert reading.complaints == 0.60
    assert math.isclose(found / (found + wrong), 0.85)
