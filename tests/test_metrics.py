"""Incident metrics checked against hand-computed values of a known log, edge cases included."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from warroom.clock import FrozenClock
from warroom.detection.signals import DetectorRule
from warroom.incident.log import IncidentStore
from warroom.model import EventKind, Label, Level, Mention, Score, ScoredMention, format_time
from warroom.playbook import default_playbook
from warroom.review import aggregates as minutes_module
from warroom.review.aggregates import CACHE_NAME, load_aggregates
from warroom.review.document import Review, build_review
from warroom.review.findings import moment_note
from warroom.review.metrics import compute_metrics

T0 = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> refund NOW"
NEGATIVE = Score(-0.6, Label.NEGATIVE)
POSITIVE = Score(0.6, Label.POSITIVE)


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, 14, hour, minute, second, tzinfo=UTC)


def scenario_mentions(surge: Sequence[int] = range(70, 75), end: int = 130) -> list[ScoredMention]:
    """20 brand mentions a minute (2 negative) from 08:00; 200 negative a minute in `surge`."""
    items = []
    number = 0
    for minute in range(end):
        size = 200 if minute in surge else 20
        for index in range(size):
            negative = minute in surge or index < 2
            number += 1
            text = "refund broken app" if negative else "love the new app"
            reach, url = number, None
            if minute == 72 and index == 0:
                text, reach, url = HOSTILE, 10**6, "https://example.com/p?a=1&b=<2>"
            mention = Mention(
                f"demo:{number}",
                "demo",
                text,
                T0 + timedelta(minutes=minute, seconds=index % 60),
                author=f"user{number}",
                url=url,
                reach=reach,
            )
            items.append(ScoredMention(mention, NEGATIVE if negative else POSITIVE))
    rival = Mention("demo:rival", "demo", "awful", at(9, 12), reach=10**7, topic="competitor:x")
    items.append(ScoredMention(rival, NEGATIVE))
    return items


def level(moment: datetime, minute: datetime, new: str, old: str) -> tuple:
    data = {"level": new, "previous": old, "reason": "test", "minute": format_time(minute)}
    return (moment, EventKind.LEVEL_CHANGED, data, None)


def check(moment: datetime, step: str) -> tuple:
    return (moment, EventKind.STEP_CHECKED, {"step": step, "title": step, "owner": "?"}, "bob")


DECLARED = {"name": "Refunds", "playbook": "default", "declared_at": "2026-03-14T09:15:00Z"}
WORKED = [
    (T0, EventKind.PLAYBOOK_CHANGED, {"playbook": "default"}, None),
    level(at(9, 11, 20), at(9, 11), "crisis", "normal"),
    (at(9, 15), EventKind.DECLARED, {**DECLARED, "level": "crisis", "evidence": {}}, "alice"),
    check(at(9, 20), "confirm-signal"),
    (at(9, 22), EventKind.NOTE, {"text": "hostile <b>note</b> | pipe"}, "alice"),
    check(at(9, 31), "open-incident"),
    level(at(9, 39, 10), at(9, 39), "normal", "crisis"),
    check(at(10, 0), "first-internal-update"),
    check(at(10, 5), "holding-statement"),
    (at(10, 30), EventKind.DRAFT, {"template": "apology", "text": "Sorry", "tone": 0.1}, "bob"),
    check(at(11, 10), "first-update"),
    check(at(11, 20), "apologise"),
    (at(12, 0), EventKind.CLOSED, {"summary": "refunds fixed"}, "alice"),
]


def make_incident(
    data_dir: Path,
    events: Sequence[tuple[datetime, EventKind, dict[str, Any], str | None]] = WORKED,
    mentions: Sequence[ScoredMention] | None = None,
) -> str:
    """An incident in `data_dir` holding the mentions and the events; returns its slug."""
    store = IncidentStore(data_dir)
    with store.create("Refunds", clock=FrozenClock(T0), brand="Acme") as log:
        log.append_mentions(scenario_mentions() if mentions is None else mentions)
        for moment, kind, data, author in events:
            log.append(kind, data, author=author, at=moment)
        return log.meta.slug


def review_of(data_dir: Path, slug: str, **options: Any) -> Review:
    store = IncidentStore(data_dir)
    with store.open(slug, clock=FrozenClock(T0), writable=False) as log:
        return build_review(log, **options)


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> Review:
    folder = tmp_path_factory.mktemp("worked")
    return review_of(folder, make_incident(folder))


def test_first_negative_surge_is_the_replayed_detectors_first_raised_minute(worked: Review) -> None:
    """The surge starts in the first minute of 200 complaints (09:10)."""
    assert worked.metrics.first_surge == at(9, 10)


def test_detected_is_the_first_logged_crisis(worked: Review) -> None:
    """Detected is the LEVEL_CHANGED to crisis, at the time it was logged."""
    assert worked.metrics.detected == at(9, 11, 20)
    assert worked.metrics.detected_level is Level.CRISIS


def test_a_crisis_raised_after_elevated_says_how_much_warning_it_gave(tmp_path: Path) -> None:
    """ELEVATED at 09:09:20, CRISIS at 09:11:20: detected is the crisis, 2 minutes' warning."""
    warned = [WORKED[0], level(at(9, 9, 20), at(9, 9), "elevated", "normal"), *WORKED[1:]]
    warned[2] = level(at(9, 11, 20), at(9, 11), "crisis", "elevated")
    review = review_of(tmp_path, make_incident(tmp_path, warned))
    assert review.metrics.detected == at(9, 11, 20)
    assert review.metrics.elevated_first == at(9, 9, 20)
    assert moment_note(review, "detected") == "crisis, elevated 2m 00s before"


def test_a_crisis_straight_from_normal_has_no_warning(worked: Review) -> None:
    assert worked.metrics.elevated_first is None
    assert moment_note(worked, "detected") == "crisis"


def test_declared_and_closed_come_from_their_events(worked: Review) -> None:
    """Declared is DECLARED's declared_at; closed is CLOSED."""
    assert worked.metrics.declared == at(9, 15)
    assert worked.metrics.closed == at(12, 0)


def test_first_public_response_skips_internal_steps(worked: Review) -> None:
    """The internal update at 10:00 does not count; the holding statement at 10:05 does."""
    assert worked.metrics.first_response == at(10, 5)
    assert worked.metrics.first_response_step == "holding-statement"


def test_apology_is_the_apology_step_not_its_draft(worked: Review) -> None:
    """The apology draft at 10:30 is not the apology; checking the step at 11:20 is."""
    assert worked.metrics.apology == at(11, 20)


def test_back_to_baseline_waits_for_the_share_and_the_logged_level(worked: Review) -> None:
    """The window is calm from 09:24, but the level is normal only at the end of 09:38."""
    assert worked.metrics.back_to_baseline == at(9, 38)


def test_baseline_band_is_the_learned_share_times_the_lift(worked: Review) -> None:
    """2 of 20 negative is a 10% baseline (smoothed), so the band tops out near 11.5%."""
    assert worked.metrics.baseline_share == pytest.approx(0.1004, abs=0.0005)
    assert worked.metrics.band == pytest.approx(worked.metrics.baseline_share * 1.15)


def test_intervals_are_hand_computed(worked: Review) -> None:
    """Detect 1m20s, declare 3m40s, respond 55m, apologise 2h10m, recover 28m, open 2h45m."""
    spans = worked.metrics.intervals()
    assert spans == {
        "detect": timedelta(minutes=1, seconds=20),
        "declare": timedelta(minutes=3, seconds=40),
        "respond": timedelta(minutes=55),
        "apologise": timedelta(hours=2, minutes=10),
        "recover": timedelta(minutes=28),
        "open": timedelta(hours=2, minutes=45),
    }


def test_peak_negative_share_is_the_worst_full_window(worked: Review) -> None:
    """Window 09:05-09:14 holds 1,000 + 5 x 2 negatives of 1,100: the first such window."""
    assert worked.metrics.peak_share == pytest.approx(1010 / 1100)
    assert worked.metrics.peak_share_at == at(9, 14)


def test_peak_volume_is_the_busiest_brand_minute(worked: Review) -> None:
    """200 brand mentions a minute from 09:10; the competitor's post does not count."""
    assert (worked.metrics.peak_volume, worked.metrics.peak_volume_at) == (200, at(9, 10))


def test_steps_on_time_late_skipped_and_not_due(worked: Review) -> None:
    """5 on time, open-incident late by 1 min, 11 skipped, recovery and post-mortem not due."""
    status = {s.id: s.status for s in worked.metrics.steps}
    on_time = {"confirm-signal", "first-internal-update", "holding-statement"}
    assert {k for k, v in status.items() if v == "on time"} == on_time | {
        "first-update",
        "apologise",
    }
    assert {k for k, v in status.items() if v == "late"} == {"open-incident"}
    assert {k for k, v in status.items() if v == "not due"} == {"declare-recovery", "post-mortem"}
    assert list(status.values()).count("skipped") == 11
    late = next(s for s in worked.metrics.steps if s.id == "open-incident")
    assert late.late_by == timedelta(minutes=1)


def test_steps_by_owner_role(worked: Review) -> None:
    """Social: 2 on time, 1 late, 3 skipped; lead: 2 on time, 5 skipped, 2 not due."""
    table = worked.metrics.by_owner()
    social, lead = table["social"], table["lead"]
    assert (social["on time"], social["late"], social["skipped"]) == (2, 1, 3)
    assert (lead["on time"], lead["skipped"], lead["not due"]) == (2, 5, 2)
    assert table["internal"]["on time"] == 1 and table["internal"]["skipped"] == 1


def test_top_negative_mentions_are_brand_only_by_reach(worked: Review) -> None:
    """The hostile post has the most reach; the competitor's bigger post is not the brand's."""
    top = worked.aggregates.top_negative
    assert top[0]["text"] == HOSTILE
    assert all(item["id"] != "demo:rival" for item in top)
    assert [item["reach"] for item in top] == sorted((i["reach"] for i in top), reverse=True)


def test_top_negative_terms_count_from_the_surge(worked: Review) -> None:
    """From 09:10: 1,000 surge complaints (half sampled, x2) plus 55 calm minutes x 2."""
    terms = dict(worked.aggregates.top_terms)
    assert terms["refund"] == 1110
    assert terms["broken"] == 1108  # the hostile post, sampled at 09:12, lacks it: 2 x 1


def test_never_declared(tmp_path: Path) -> None:
    """No DECLARED: detected at elevated, no declaration, steps open, intervals from the surge."""
    events = [WORKED[0], level(at(9, 11, 20), at(9, 11), "elevated", "normal")]
    review = review_of(tmp_path, make_incident(tmp_path, events))
    m = review.metrics
    assert (m.declared, m.detected, m.detected_level) == (None, at(9, 11, 20), Level.ELEVATED)
    assert m.start == at(9, 10)
    assert m.intervals()["declare"] is None
    assert {s.status for s in m.steps} == {"open"}


def test_never_recovered(tmp_path: Path) -> None:
    """A surge that lasts to the end of the log never gets back to baseline."""
    mentions = scenario_mentions(surge=range(70, 130))
    review = review_of(tmp_path, make_incident(tmp_path, mentions=mentions))
    assert review.metrics.first_surge == at(9, 10)
    assert review.metrics.back_to_baseline is None
    assert review.metrics.intervals()["recover"] is None


def test_calm_log_has_no_surge_and_counts_from_the_declaration(tmp_path: Path) -> None:
    """Without a surge the intervals count from the declaration."""
    review = review_of(tmp_path, make_incident(tmp_path, mentions=scenario_mentions(surge=())))
    m = review.metrics
    assert m.first_surge is None
    assert m.start == at(9, 15)
    assert m.intervals()["respond"] == timedelta(minutes=50)


def test_empty_incident_has_no_figures(tmp_path: Path) -> None:
    """No mentions and no events: nothing to measure, nothing crashes."""
    review = review_of(tmp_path, make_incident(tmp_path, events=[], mentions=[]))
    m = review.metrics
    assert (m.first_surge, m.peak_share, m.peak_volume, m.steps) == (None, None, 0, [])


def test_sentiment_overrides_change_the_counts(tmp_path: Path) -> None:
    """A person relabelling the hostile post positive takes it out of the negatives."""
    override = {"mention_id": "demo:1801", "label": "positive", "was": "negative"}
    events = [*WORKED, (at(12, 1), EventKind.SENTIMENT_OVERRIDDEN, override, "bob")]
    review = review_of(tmp_path, make_incident(tmp_path, events))
    row = next(r for r in review.aggregates.rows if r.minute == at(9, 12))
    assert (row.negative, row.positive) == (199, 1)
    assert review.aggregates.top_negative[0]["text"] != HOSTILE


def test_aggregates_are_cached_and_reused(tmp_path: Path, monkeypatch) -> None:
    """The second load reads the cache file and does not replay the mentions."""
    slug = make_incident(tmp_path)
    first = review_of(tmp_path, slug)
    assert (tmp_path / "incidents" / slug / CACHE_NAME).is_file()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("replayed although cached")

    monkeypatch.setattr(minutes_module, "build_aggregates", refuse)
    second = review_of(tmp_path, slug)
    assert second.aggregates.rows == first.aggregates.rows
    assert second.metrics == first.metrics


def test_cache_is_rebuilt_when_mentions_arrive(tmp_path: Path) -> None:
    """More mentions in the log make the cached aggregates stale."""
    slug = make_incident(tmp_path)
    store = IncidentStore(tmp_path)
    with store.open(slug, clock=FrozenClock(T0), writable=False) as log:
        before = load_aggregates(log).mentions
    with store.open(slug, clock=FrozenClock(T0)) as log:
        late = Mention("demo:late", "demo", "still broken", at(10, 9), reach=1)
        log.append_mentions([ScoredMention(late, NEGATIVE)])
    with store.open(slug, clock=FrozenClock(T0), writable=False) as log:
        assert load_aggregates(log).mentions == before + 1


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    """A cache file cut short is ignored and rewritten whole."""
    slug = make_incident(tmp_path)
    path = tmp_path / "incidents" / slug / CACHE_NAME
    review_of(tmp_path, slug)
    path.write_text(path.read_text()[:100])
    review = review_of(tmp_path, slug)
    assert review.metrics.first_surge == at(9, 10)
    assert json.loads(path.read_text())["mentions"] == review.aggregates.mentions


def test_metrics_follow_the_detector_rule(tmp_path: Path) -> None:
    """The peak window follows the rule's window: a 1-minute window peaks at 100% at 09:10."""
    review = review_of(tmp_path, make_incident(tmp_path), rule=DetectorRule(window_minutes=1))
    metrics = compute_metrics(review.state, review.aggregates, default_playbook(), review.rule)
    assert (metrics.peak_share, metrics.peak_share_at) == (1.0, at(9, 10))


def test_without_logged_levels_recovery_is_the_share_alone(tmp_path: Path) -> None:
    """No level was logged, so the first calm window after the peak (09:15-09:24) is recovery."""
    events = [(at(9, 15), EventKind.DECLARED, {**DECLARED, "level": "normal"}, "alice")]
    review = review_of(tmp_path, make_incident(tmp_path, events))
    assert review.metrics.back_to_baseline == at(9, 24)
    assert review.metrics.detected is None


def test_unknown_playbook_keeps_the_checks_and_says_why(tmp_path: Path) -> None:
    """A playbook that cannot be found: checked steps are listed as done, with a warning."""
    declared = {**DECLARED, "playbook": "gone", "level": "crisis"}
    events = [
        (at(9, 15), EventKind.DECLARED, declared, "alice"),
        check(at(9, 20), "confirm-signal"),
    ]
    review = review_of(tmp_path, make_incident(tmp_path, events))
    assert review.playbook is None and "gone" in (review.playbook_problem or "")
    assert [(s.id, s.status) for s in review.metrics.steps] == [("confirm-signal", "done")]
    assert review.metrics.first_response is None
