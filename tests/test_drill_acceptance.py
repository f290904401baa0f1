"""Issue 13's acceptance: the drill, worked as the console does, reports what the brand posted."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from warroom.clock import FrozenClock
from warroom.demo import people
from warroom.demo import scenario as demo_scenario
from warroom.incident.log import IncidentStore
from warroom.incident.session import InProcessScoring
from warroom.model import Level, Mention, ScoredMention
from warroom.review.document import Review, build_review, render_markdown
from warroom.tui.launch import demo_session


def worked_drill(data_dir: Path, scored: list[ScoredMention]) -> tuple[Review, datetime]:
    """Replay the drill minute by minute, declare when the level turns crisis, close at the end."""
    clock = FrozenClock(demo_scenario.START)
    session = demo_session(data_dir, clock, scoring=InProcessScoring())
    session.rotate_on_close = False  # as demo_app runs it
    declared: datetime | None = None
    minute = demo_scenario.START
    while minute < demo_scenario.END:
        later = minute + timedelta(minutes=1)
        clock.set(later)
        session.take_scored([s for s in scored if minute <= s.mention.created_at < later])
        session.tick()
        if declared is None and session.engine.level is Level.CRISIS:
            declared = later
            session.declare(f"{demo_scenario.BRAND}: firmware 4.2")
        minute = later
    assert declared is not None, "the drill never reached crisis"
    session.close("rolled back, heating restored")
    slug = session.log.meta.slug
    session.shutdown()
    with IncidentStore(data_dir).open(slug, clock=clock, writable=False) as log:
        return build_review(log), declared


def brand_posts(since: datetime, until: datetime) -> list[Mention]:
    """The scenario's posts by the brand's account between two moments, read from its file."""
    handle = people.brand_account().handle
    return [
        m for m in demo_scenario.load() if m.author == handle and since <= m.created_at <= until
    ]


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> tuple[Review, datetime]:
    from scripts.scenes import score_demo

    return worked_drill(tmp_path_factory.mktemp("drill"), score_demo())


def test_the_first_response_is_the_brands_first_post_of_the_incident(
    drill: tuple[Review, datetime],
) -> None:
    """First public response: the scenario's first @brightwell post after the crisis began."""
    review, declared = drill
    posts = brand_posts(declared, demo_scenario.END)
    m = review.metrics
    assert m.first_response == posts[0].created_at
    assert m.first_response == datetime(2026, 3, 14, 11, 58, 36, tzinfo=UTC)  # the holding post
    assert m.first_response_source == "our posts"


def test_the_apology_is_the_brands_first_post_saying_sorry(
    drill: tuple[Review, datetime],
) -> None:
    """Apology: the first @brightwell post of the incident that apologises."""
    review, declared = drill
    posts = brand_posts(declared, demo_scenario.END)
    sorry = next(p for p in posts if "sorry" in p.text.lower() or "apolog" in p.text.lower())
    assert (review.metrics.apology, review.metrics.apology_source) == (
        sorry.created_at,
        "our posts",
    )


def test_the_cadence_and_longest_silence_are_the_brands_posts(
    drill: tuple[Review, datetime],
) -> None:
    """Gaps between the brand's posts, and the longest silence from declared to the close."""
    review, declared = drill
    times = [p.created_at for p in brand_posts(declared, demo_scenario.END)]
    m = review.metrics
    assert m.cadence() == [b - a for a, b in itertools.pairwise(times)]
    moments = [declared, *times, demo_scenario.END]
    assert m.longest_silence == max(b - a for a, b in itertools.pairwise(moments))


def test_the_report_says_the_times_come_from_our_posts(drill: tuple[Review, datetime]) -> None:
    """The post-mortem names its source for the response times."""
    review, _ = drill
    text = render_markdown(review, UTC)
    assert "from our posts" in text
    assert f"Public responses: {len(review.metrics.responses)} (from our posts)" in text
