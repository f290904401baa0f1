"""The detection suite's scenario kinds, pinned to seeds of the development pool.

Each stream is built from the project's labelled posts (benchmarks/data/brand_posts.jsonl, dev
split) minute by minute: the human labels decide the negative share, the scorer reads the texts
as it runs, misreadings and all. The full suite (20 seeds a kind, the test split, the airline
corpus) is benchmarks/bench_detection.py; these seeds guard what it measured.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from benchmarks.scenarios import (
    KINDS,
    START,
    Outcome,
    Pool,
    Reader,
    Stream,
    brand_pool,
    run,
)
from warroom.detection.signals import LevelChange
from warroom.model import Level


@pytest.fixture(scope="module")
def dev() -> Pool:
    return brand_pool("dev")


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


def outcome(kind: str, seed: int, pool: Pool, reader: Reader) -> Outcome:
    return run(KINDS[kind], seed, pool, reader)


def raised(result: Outcome, level: Level) -> list[LevelChange]:
    return [c for c in result.changes if c.level is level and c.previous.rank < level.rank]


# Seed 2: an hour at 34% read negative against 27% (chance), judged by the trend window as if it
# were looked at once an hour; seed 35: the day's rhythm and chance, 1.2x the posts, as growth.
@pytest.mark.parametrize("seed", [0, 1, 2, 35])
def test_a_busy_calm_day_raises_no_crisis(seed: int, dev: Pool, reader: Reader) -> None:
    """24 hours at 10 to 50 a minute with the day's rhythm, 30% complaints: no crisis."""
    result = outcome("busy calm day", seed, dev, reader)
    assert result.right(KINDS["busy calm day"])
    assert raised(result, Level.CRISIS) == []
    assert len(raised(result, Level.ELEVATED)) <= 1


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_a_news_spike_at_the_usual_mix_raises_nothing(seed: int, dev: Pool, reader: Reader) -> None:
    """A story spreads: volume 2x to 4x for half an hour, complaints at their usual share."""
    result = outcome("news spike, usual mix", seed, dev, reader)
    stream = result.stream
    # The spike is there: more posts than the usual 20 a minute over the stream.
    assert len(stream.posts) > 20 * stream.minutes
    assert result.changes == []


# Seed 5: a baseline learned low (8% where ~14% is usual), then 96 minutes ELEVATED at 19%:
# time alone must not make that a crisis without a crisis's worth of evidence.
@pytest.mark.parametrize("seed", [0, 1, 2, 5, 18])
def test_a_chance_cluster_at_a_quiet_brand_is_no_crisis(
    seed: int, dev: Pool, reader: Reader
) -> None:
    """10 of 30 posts negative in 10 minutes at 2 to 3 a minute: at most worth a look."""
    result = outcome("quiet brand, chance cluster", seed, dev, reader)
    assert result.right(KINDS["quiet brand, chance cluster"])
    assert raised(result, Level.CRISIS) == []


@pytest.mark.parametrize("seed", [0, 1])
def test_a_night_lull_of_mostly_complaints_is_no_crisis(
    seed: int, dev: Pool, reader: Reader
) -> None:
    """Six hours of a handful of posts an hour, three in four complaints: nothing raised."""
    result = outcome("night lull", seed, dev, reader)
    assert result.changes == []


# Growth once took these for a crisis: a news spike's posts at a share a little high by chance
# (seed 59: 32% against 27%, elevated at z 2.6), and the volume coming back after a night lull
# (seeds 25 and 49: 8x the quiet minutes before, 1.1x the usual).
@pytest.mark.parametrize(
    ("kind", "seed"), [("news spike, usual mix", 59), ("night lull", 25), ("night lull", 49)]
)
def test_more_posts_at_a_share_a_little_high_is_no_growth(
    kind: str, seed: int, dev: Pool, reader: Reader
) -> None:
    result = outcome(kind, seed, dev, reader)
    assert result.right(KINDS[kind])
    assert raised(result, Level.CRISIS) == []


@pytest.mark.parametrize("seed", [1, 2, 6])
def test_a_moderate_crisis_is_elevated_then_a_crisis_within_ten_minutes(
    seed: int, dev: Pool, reader: Reader
) -> None:
    """20 a minute, 30% -> 55% negative to a person at 1.5x volume (the issue's failure)."""
    result = outcome("moderate crisis", seed, dev, reader)
    assert result.right(KINDS["moderate crisis"])
    elevated, crisis = result.elevated_delay, result.crisis_delay
    assert elevated is not None and crisis is not None
    assert elevated < crisis <= 10
    assert raised(result, Level.CRISIS)[0].reason.startswith("crisis: elevated for ")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_strong_crisis_is_a_crisis_within_five_minutes(
    seed: int, dev: Pool, reader: Reader
) -> None:
    """3x volume at 70% negative."""
    result = outcome("strong crisis", seed, dev, reader)
    assert result.crisis_delay is not None and result.crisis_delay <= 5


@pytest.mark.parametrize("seed", [2, 4, 13])
def test_a_gradual_rise_is_elevated_first_then_a_crisis(
    seed: int, dev: Pool, reader: Reader
) -> None:
    """30% -> 60% negative over two hours: elevated, then a crisis before the two hours end."""
    result = outcome("gradual rise", seed, dev, reader)
    assert result.right(KINDS["gradual rise"])
    first = next(c for c in result.changes if c.level.rank > c.previous.rank)
    assert first.level is Level.ELEVATED
    assert first.reason.startswith("unusual rise: ")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_praise_surge_with_posts_in_jest_raises_nothing(
    seed: int, dev: Pool, reader: Reader
) -> None:
    """Volume 5x for an hour, the extra posts praise, one in four with complaint-like words.
    (A chance ELEVATED in the calm hours before it is counted by the benchmark as a false alarm;
    seed 0 has one, at minute 182.)"""
    result = outcome("praise surge (with jest)", seed, dev, reader)
    onset = result.stream.onset
    assert onset is not None
    from_onset = [c for c in result.changes if c.at > START + timedelta(minutes=onset)]
    assert from_onset == []
    assert raised(result, Level.CRISIS) == []


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_competitors_crisis_with_co_mentions_is_not_ours(
    seed: int, dev: Pool, reader: Reader
) -> None:
    """The competitor 12x at 70% negative, 4 a minute naming both brands: no crisis here."""
    result = outcome("competitor crisis, co-mentions", seed, dev, reader)
    assert result.right(KINDS["competitor crisis, co-mentions"])
    assert raised(result, Level.CRISIS) == []


def test_the_human_labels_decide_the_share_and_the_scorer_misreads_some(
    dev: Pool, reader: Reader
) -> None:
    """In a moderate crisis a person would call ~30% negative before and ~55% after; the
    scorer's reading of the same posts differs (it is what the detector sees)."""
    stream = KINDS["moderate crisis"].build(3, dev)
    assert stream.onset is not None

    def shares(first: int, last: int) -> tuple[float, float]:
        posts = [post for minute, post, _ in stream.posts if first <= minute < last]
        human = sum(post.label == "negative" for post in posts) / len(posts)
        read = sum(reader.score(post.text).label == "negative" for post in posts) / len(posts)
        return human, read

    human_before, read_before = shares(60, stream.onset)
    human_after, read_after = shares(stream.onset, stream.onset + 60)
    assert human_before == pytest.approx(0.30, abs=0.03)
    assert human_after == pytest.approx(0.55, abs=0.04)
    assert read_after - read_before < human_after - human_before  # misreadings blunt the rise


def test_the_dev_and_test_pools_do_not_share_a_post() -> None:
    """Tuning on dev never sees a test post."""
    dev, test = brand_pool("dev"), brand_pool("test")
    dev_texts = {post.text for post in dev.negative + dev.other}
    test_texts = {post.text for post in test.negative + test.other}
    assert dev_texts and test_texts and not dev_texts & test_texts
    with pytest.raises(ValueError, match="split"):
        brand_pool("train")


def test_a_late_crisis_is_not_right_for_a_kind_with_a_deadline() -> None:
    """The judgement itself: a moderate crisis found at 12 minutes is wrong, at 9 right."""
    kind = KINDS["moderate crisis"]
    stream = Stream("moderate crisis", 0, minutes=300, onset=240, calm_from=60, calm_until=240)

    def at(minutes: int, level: Level, previous: Level) -> LevelChange:
        return LevelChange(START + timedelta(minutes=minutes), level, previous, "", {})

    late = Outcome(
        stream, [at(246, Level.ELEVATED, Level.NORMAL), at(252, Level.CRISIS, Level.ELEVATED)]
    )
    soon = Outcome(
        stream, [at(246, Level.ELEVATED, Level.NORMAL), at(249, Level.CRISIS, Level.ELEVATED)]
    )
    assert not late.right(kind) and soon.right(kind)
    assert (late.elevated_delay, late.crisis_delay) == (6, 12)
    false_alarm = Outcome(stream, [at(100, Level.ELEVATED, Level.NORMAL)])
    assert len(false_alarm.raises()) == 1 and false_alarm.calm_days == 180 / 1440
