"""The console's memory has stated bounds: the feed window, the dedupe ids, the scorer's cache;
the scoring worker starts small, and the heap is frozen after bulk loads."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from warroom.clock import FrozenClock
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import Signals
from warroom.incident import engine as engine_module
from warroom.incident import session as session_module
from warroom.incident.engine import FEED_NEGATIVE, FEED_WINDOW, Engine
from warroom.incident.log import IncidentStore
from warroom.incident.session import InProcessScoring, ProcessScoring, Session
from warroom.model import Label, Mention, Score, ScoredMention
from warroom.playbook import default_playbook

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def mentions(count: int, start: int = 0) -> list[Mention]:
    return [
        Mention(f"m:{n}", "rss", f"post number {n}", T0 + timedelta(seconds=n))
        for n in range(start, start + count)
    ]


def negative(items: Sequence[Mention]) -> list[ScoredMention]:
    return [ScoredMention(m, Score(-0.6, Label.NEGATIVE)) for m in items]


def test_the_feed_window_keeps_only_the_latest(clock: FrozenClock) -> None:
    """The feed holds FEED_WINDOW mentions and FEED_NEGATIVE negative ones, the newest."""
    engine = Engine(clock=clock, signals=Signals())
    engine.ingest_scored(negative(mentions(FEED_WINDOW + 700)), advance=False)
    assert len(engine.feed.recent) == FEED_WINDOW
    assert len(engine.feed.negative) == FEED_NEGATIVE
    assert engine.feed.recent[-1].mention.id == f"m:{FEED_WINDOW + 699}"
    assert engine.feed.recent[0].mention.id == "m:700"


def test_the_dedupe_ids_forget_the_oldest_past_the_limit(
    clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SEEN_IDS_LIMIT ids the oldest are forgotten, and the newest still deduplicated."""
    monkeypatch.setattr(engine_module, "SEEN_IDS_LIMIT", 100)
    engine = Engine(clock=clock, signals=Signals())
    engine.ingest_scored(negative(mentions(150)), advance=False)
    assert len(engine._seen) == len(engine._seen_order) == 100
    assert not engine.has_seen("m:49") and engine.has_seen("m:50") and engine.has_seen("m:149")
    again = engine.ingest_scored(negative(mentions(10, start=140)), advance=False)
    assert again.mentions == []


def test_the_scorer_cache_has_a_bound() -> None:
    """The scorer's cache keeps at most `cache_size` texts: the oldest used go first."""
    scorer = Scorer(cache_size=10)
    for n in range(25):
        scorer.compound(f"a terrible post number {n}")
    assert len(scorer._cache) == 10
    assert scorer.cache_misses == 25


def test_the_scoring_worker_starts_with_the_session(data_dir: Path) -> None:
    """ProcessScoring forks its worker at once, before the console loads anything."""
    scoring = ProcessScoring()
    try:
        assert scoring._pool._processes, "no worker process yet"
    finally:
        scoring.close()


def test_the_heap_is_frozen_after_a_resume(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, demo_scored: list[ScoredMention]
) -> None:
    """Resuming an incident (a bulk load) ends with gc.freeze; a fresh one does not."""
    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))

    def session() -> Session:
        return Session(
            store=IncidentStore(data_dir),
            clock=FrozenClock(T0),
            brand="Brightwell",
            playbook=default_playbook(),
            scoring=InProcessScoring(),
        )

    first = session()
    first.open("bounds")
    assert frozen == []
    first.engine.ingest_scored(demo_scored[:50], advance=False)
    first.shutdown()
    second = session()
    second.open("bounds")
    assert frozen == [1]
    second.shutdown()


async def test_the_heap_is_frozen_every_so_many_mentions_taken_in(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long replay's history is frozen as it loads: every FREEZE_EVERY mentions."""
    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    monkeypatch.setattr(session_module, "FREEZE_EVERY", 100)
    session = Session(
        store=IncidentStore(data_dir),
        clock=FrozenClock(T0),
        brand="Brightwell",
        playbook=default_playbook(),
        scoring=InProcessScoring(),
    )
    session.open("bounds")
    for start in range(0, 250, 50):
        await session.ingest(mentions(50, start))
    assert frozen == [1, 1]
    session.shutdown()
