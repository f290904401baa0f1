"""Per-minute buckets, gauge, rule validation, trending terms, relabel and prune."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from itertools import count

import pytest

from warroom.detection.signals import DetectorRule, MinuteStats, Signals
from warroom.detection.trending import TermCounts, rank_terms, terms_of
from warroom.model import UNSCORED, Label, Level, Mention, Score, ScoredMention, label_for

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
_ids = count()


def mention(
    at: datetime,
    compound: float | None,
    text: str = "a post",
    topic: str = "brand",
    reach: int | None = None,
) -> ScoredMention:
    """A scored mention with a fixed compound (None: unscored)."""
    post = Mention(
        id=f"demo:{next(_ids)}",
        source="demo",
        text=text,
        created_at=at,
        reach=reach,
        topic=topic,
    )
    score = UNSCORED if compound is None else Score(compound, label_for(compound))
    return ScoredMention(post, score)


def feed(
    signals: Signals,
    minute: int,
    negative: int,
    neutral: int,
    positive: int,
    text: str = "ordinary words",
    negative_text: str | None = None,
) -> None:
    """Add a minute of brand posts with the given label counts, spread over the minute."""
    at = T0 + timedelta(minutes=minute)
    labels = [-0.5] * negative + [0.0] * neutral + [0.5] * positive
    for index, compound in enumerate(labels):
        body = negative_text if compound < 0 and negative_text else text
        signals.add(mention(at + timedelta(seconds=index % 60), compound, body))


def calm_hours(signals: Signals, minutes: int) -> None:
    """Steady minutes of 20 posts, 4 negative (20%), then evaluated."""
    for minute in range(minutes):
        feed(signals, minute, 4, 6, 10, negative_text="slow delivery again")
    signals.advance(T0 + timedelta(minutes=minutes))


def test_mentions_land_in_the_utc_minute_they_were_posted() -> None:
    """A post at 10:30:59+01:00 is counted in the 09:30 UTC minute."""
    signals = Signals()
    local = timezone(timedelta(hours=1))
    signals.add(mention(datetime(2026, 3, 14, 10, 30, 59, tzinfo=local), -0.4))
    signals.add(mention(datetime(2026, 3, 14, 9, 30, 0, tzinfo=UTC), 0.6))
    (minute,) = signals.series()
    assert minute.minute == datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    assert (minute.volume, minute.negative, minute.positive) == (2, 1, 1)


def test_minute_figures_of_brand_mentions() -> None:
    """Volume, label counts, mean compound and negative share of one minute."""
    signals = Signals()
    for compound in (-0.8, -0.2, 0.0, 0.3, 0.7):
        signals.add(mention(T0, compound))
    (minute,) = signals.series()
    assert (minute.volume, minute.scored) == (5, 5)
    assert (minute.negative, minute.neutral, minute.positive) == (2, 1, 2)
    assert minute.mean_compound == pytest.approx(0.0)
    assert minute.negative_share == pytest.approx(0.4)


def test_reach_weights_sentiment_by_log_followers() -> None:
    """Reach weight is 1 + log1p(followers): a big account counts more, not millions of times."""
    signals = Signals()
    signals.add(mention(T0, -1.0, reach=1_000_000))
    signals.add(mention(T0, 1.0, reach=0))
    (minute,) = signals.series()
    heavy = 1 + math.log1p(1_000_000)
    assert minute.reach_weighted_compound == pytest.approx((1 - heavy) / (1 + heavy))
    assert minute.mean_compound == pytest.approx(0.0)


def test_unscored_mentions_count_apart_from_sentiment() -> None:
    """A non-English mention adds to volume and non_english, never to the sentiment figures."""
    signals = Signals()
    signals.add(mention(T0, None))
    signals.add(mention(T0, -0.6))
    (minute,) = signals.series()
    assert (minute.volume, minute.scored, minute.non_english) == (2, 1, 1)
    assert minute.negative_share == 1.0


def test_other_topics_are_counted_per_topic_not_as_the_brand() -> None:
    """A competitor's mentions go to by_topic and leave the brand's figures alone."""
    signals = Signals()
    signals.add(mention(T0, -0.7, topic="competitor:acme"))
    signals.add(mention(T0, 0.4, topic="competitor:acme"))
    (minute,) = signals.series()
    assert minute.volume == 0 and minute.scored == 0
    acme = minute.by_topic["competitor:acme"]
    assert (acme.volume, acme.negative, acme.negative_share) == (2, 1, 0.5)


def test_series_fills_gaps_with_empty_minutes() -> None:
    """Minutes without posts between the first and the last appear with zero volume."""
    signals = Signals()
    signals.add(mention(T0, 0.5))
    signals.add(mention(T0 + timedelta(minutes=3, seconds=10), -0.5))
    series = signals.series()
    assert [minute.volume for minute in series] == [1, 0, 0, 1]
    assert series[1].minute == T0 + timedelta(minutes=1)
    assert series[1].mean_compound is None


def test_minute_to_dict_is_json_ready() -> None:
    """to_dict gives the ISO minute, the figures and each topic's volume and negative share."""
    minute = MinuteStats(T0, volume=2, scored=2, negative=1, positive=1, compound_sum=0.1)
    signals = Signals()
    signals.add(mention(T0, -0.5, topic="competitor:acme"))
    minute.by_topic = signals.series()[0].by_topic
    data = minute.to_dict()
    assert data["minute"] == "2026-03-14T09:00:00.000Z"
    assert data["negative_share"] == 0.5
    assert data["mean_compound"] == 0.05
    assert data["topics"] == {
        "competitor:acme": {"volume": 1, "negative": 1, "negative_share": 1.0}
    }


def test_advance_says_it_is_learning_the_baseline() -> None:
    """Before the warm-up is over the level is normal with the minutes learned so far."""
    signals = Signals(DetectorRule(warmup_minutes=30))
    for minute in range(12):
        feed(signals, minute, 9, 1, 0)
    assert signals.advance(T0 + timedelta(minutes=12)) == []
    assert signals.level is Level.NORMAL
    assert signals.reason == "learning baseline (12 of 30 minutes)"


def test_advance_evaluates_only_complete_minutes() -> None:
    """The minute still running is not evaluated; it is once `now` passes its end."""
    signals = Signals(DetectorRule(warmup_minutes=5))
    feed(signals, 0, 1, 1, 1)
    signals.advance(T0 + timedelta(seconds=59))
    assert signals.reason == "learning baseline (0 of 5 minutes)"
    signals.advance(T0 + timedelta(minutes=1))
    assert signals.reason == "learning baseline (1 of 5 minutes)"


def test_crisis_reason_names_share_baseline_volume_and_window() -> None:
    """The crisis reason says which path raised it, then 'negative share X% vs baseline Y%,
    volume Zx baseline over the last N min ...'."""
    signals = Signals()
    calm_hours(signals, 180)
    for minute in range(180, 190):
        feed(signals, minute, 40, 10, 30)
    changes = signals.advance(T0 + timedelta(minutes=190))
    assert changes and changes[-1].level is Level.CRISIS
    pattern = (
        r"crisis: (sudden surge|sudden rise|elevated for \d+ min and still rising): "
        r"negative share \d+% vs baseline 20%, volume \d+\.\dx baseline over the last 10 min"
        r" \(z=\d+\.\d, negatives \d+\.\dx expected\)"
    )
    assert re.fullmatch(pattern, changes[-1].reason)
    assert changes[-1].evidence["baseline_negative_share"] == pytest.approx(0.2, abs=0.01)
    assert signals.level is Level.CRISIS


def test_step_down_reason_says_how_long_it_has_been_calm() -> None:
    """After the cooldown the level steps down with 'calm for N min: ...'."""
    signals = Signals(DetectorRule(cooldown_minutes=5))
    calm_hours(signals, 180)
    for minute in range(180, 190):
        feed(signals, minute, 40, 10, 30)
    for minute in range(190, 240):
        feed(signals, minute, 4, 6, 10)
    changes = signals.advance(T0 + timedelta(minutes=240))
    # The surge's first minute is an unusual rise, its second a crisis (elevated first).
    assert [change.level for change in changes] == [Level.ELEVATED, Level.CRISIS, Level.NORMAL]
    assert changes[-1].reason.startswith("calm for 5 min: negative share 20% vs baseline 20%")


def test_higher_sensitivity_raises_a_smaller_shift() -> None:
    """A modest rise in the negative share is elevated at sensitivity 2 but not at 0.5."""
    levels = {}
    for sensitivity in (0.5, 2.0):
        signals = Signals(DetectorRule(sensitivity=sensitivity))
        calm_hours(signals, 180)
        for minute in range(180, 200):
            feed(signals, minute, 6, 5, 9)
        signals.advance(T0 + timedelta(minutes=200))
        levels[sensitivity] = signals.level
    assert levels[0.5] is Level.NORMAL
    assert levels[2.0] is not Level.NORMAL


def test_too_few_mentions_are_not_judged() -> None:
    """Below min_volume the reason says so and the level stays normal."""
    signals = Signals()
    calm_hours(signals, 180)
    for minute in range(180, 200, 5):
        feed(signals, minute, 3, 0, 1)
    signals.advance(T0 + timedelta(minutes=200))
    assert signals.level is Level.NORMAL
    assert re.fullmatch(
        r"too few mentions to judge \(\d+ of 20 scored in the last 10 min\)", signals.reason
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("window_minutes", 0),
        ("window_minutes", 2.5),
        ("sensitivity", 0.0),
        ("sensitivity", float("nan")),
        ("sensitivity", True),
        ("min_volume", 0),
        ("cooldown_minutes", -1),
        ("warmup_minutes", 0),
        ("trend_window_minutes", 5),
        ("baseline_half_life_minutes", 1),
    ],
)
def test_rule_validation_names_the_field(field: str, value: object) -> None:
    """A bad setting raises ValueError starting with the field's name."""
    with pytest.raises(ValueError, match=rf"^{field}: "):
        DetectorRule(**{field: value})  # type: ignore[arg-type]


def test_rule_from_dict_rejects_unknown_settings() -> None:
    """An unknown key in config is named, with the known ones."""
    assert DetectorRule.from_dict({"sensitivity": 2}).sensitivity == 2
    with pytest.raises(ValueError, match=r"^window: unknown detector setting"):
        DetectorRule.from_dict({"window": 10})


def test_terms_keep_hashtags_and_drop_urls_handles_numbers_and_stopwords() -> None:
    """Tokenizing keeps words and #hashtags, nothing else."""
    text = "@acme Flight 1234 DELAYED again!!! https://t.co/x #BatteryGate the worst 3x"
    assert terms_of(text) == {"flight", "delayed", "#batterygate", "worst"}


def test_trending_ranks_the_new_complaint_words_first() -> None:
    """A hashtag new in this window's complaints tops the list; usual complaint words do not."""
    signals = Signals()
    calm_hours(signals, 180)
    for minute in range(180, 190):
        feed(signals, minute, 12, 6, 10, negative_text="slow delivery again")
        feed(signals, minute, 8, 0, 0, negative_text="phone exploded #batterygate")
    signals.advance(T0 + timedelta(minutes=190))
    trending = signals.trending(limit=10)
    assert {term.term for term in trending} == {"#batterygate", "exploded", "phone"}
    assert all(term.count == 80 and term.score > 2 for term in trending)


def test_extra_stopwords_never_trend() -> None:
    """Words given as extra stopwords (the brand's own name) are never terms."""
    signals = Signals(extra_stopwords=["Acme"])
    calm_hours(signals, 120)
    for minute in range(120, 130):
        feed(signals, minute, 5, 0, 0, negative_text="acme exploded")
    signals.advance(T0 + timedelta(minutes=130))
    assert [term.term for term in signals.trending()] == ["exploded"]


def test_rank_terms_needs_a_minimum_count() -> None:
    """A term seen fewer than min_count times is not trending, however rare before."""
    assert rank_terms({"fire": 2}, TermCounts(), min_count=3) == []
    assert [term.term for term in rank_terms({"fire": 30}, TermCounts())] == ["fire"]


def test_term_counts_stay_bounded_and_decay() -> None:
    """Past capacity the rarest terms go; decay scales every count."""
    counts = TermCounts(capacity=100)
    counts.add({f"word{index}": 1 for index in range(150)} | {"common": 50})
    assert len(counts) <= 100
    assert counts.get("common") == 50
    counts.decay(0.5)
    assert counts.get("common") == 25
    assert counts.total == pytest.approx(100)


def test_relabel_moves_a_mention_between_labels() -> None:
    """A person's override moves the mention from negative to positive in its minute."""
    signals = Signals()
    post = mention(T0, -0.6, "phone exploded")
    signals.add(post)
    signals.add(mention(T0, 0.2))
    signals.relabel(post.mention, post.score, Score(0.6, Label.POSITIVE))
    (minute,) = signals.series()
    assert (minute.negative, minute.positive, minute.scored) == (0, 2, 2)
    assert minute.mean_compound == pytest.approx(0.4)
    signals.advance(T0 + timedelta(minutes=1))
    assert signals.trending() == []


def test_relabel_can_score_an_unscored_mention() -> None:
    """Scoring a non-English mention by hand moves it out of non_english."""
    signals = Signals()
    post = mention(T0, None)
    signals.add(post)
    signals.relabel(post.mention, post.score, Score(-0.5, Label.NEGATIVE))
    (minute,) = signals.series()
    assert (minute.non_english, minute.scored, minute.negative, minute.volume) == (0, 1, 1, 1)


def test_relabel_of_a_competitor_mention_updates_its_topic() -> None:
    """A competitor mention relabelled negative counts in that topic's negative share."""
    signals = Signals()
    post = mention(T0, 0.3, topic="competitor:acme")
    signals.add(post)
    signals.relabel(post.mention, post.score, Score(-0.3, Label.NEGATIVE))
    assert signals.series()[0].by_topic["competitor:acme"].negative == 1


def test_prune_forgets_old_minutes_but_keeps_what_the_detector_needs() -> None:
    """prune(keep) drops older buckets, never the trend window and the sparkline."""
    signals = Signals()
    calm_hours(signals, 400)
    signals.prune(keep_minutes=10)
    series = signals.series()
    needed = signals.rule.trend_window_minutes + signals.rule.window_minutes + 60
    assert len(series) == needed
    assert series[-1].minute == T0 + timedelta(minutes=399)
    signals.prune(keep_minutes=300)
    assert len(signals.series()) == needed  # what is gone stays gone


def test_far_future_mentions_are_skipped_and_counted() -> None:
    """A post dated days past `now` is a bad clock: skipped, counted, not a year of gaps."""
    signals = Signals()
    feed(signals, 0, 1, 1, 1)
    signals.advance(T0 + timedelta(minutes=1))
    signals.add(mention(T0 + timedelta(days=400), -0.5))
    assert signals.skipped_future == 1
    assert len(signals.series()) == 1


def test_gauge_reports_the_window_against_the_baseline() -> None:
    """The gauge has the window's shares, volume per minute, sparks and competitors."""
    signals = Signals()
    calm_hours(signals, 120)
    for minute in range(110, 120):
        signals.add(mention(T0 + timedelta(minutes=minute), -0.5, topic="competitor:acme"))
    gauge = signals.gauge()
    assert gauge.at == T0 + timedelta(minutes=120)
    assert gauge.split == pytest.approx((0.2, 0.3, 0.5))
    assert gauge.negative_share == pytest.approx(0.2)
    assert gauge.volume_per_min == pytest.approx(20)
    assert gauge.baseline_volume_per_min == pytest.approx(20)
    assert gauge.baseline_negative_share == pytest.approx(0.2, abs=0.01)
    assert gauge.net_sentiment == pytest.approx(0.15)
    assert len(gauge.sentiment_spark) == len(gauge.volume_spark) == 60
    assert gauge.volume_spark[-1] == 20
    assert gauge.competitors == {"competitor:acme": (10, 1.0)}


def test_gauge_before_any_mention_is_empty() -> None:
    """With nothing counted the gauge is normal and empty, not an error."""
    gauge = Signals().gauge()
    assert gauge.at is None and gauge.level is Level.NORMAL
    assert gauge.volume_spark == [] and gauge.trending == []
