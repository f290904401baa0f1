"""Watching after a closed incident goes on with the baseline it learned, across a restart too."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path

import pytest

from tests.prescored import Prescored
from warroom.clock import FrozenClock
from warroom.demo import scenario as demo_scenario
from warroom.incident import checkpoint as checkpoints
from warroom.incident.log import IncidentStore
from warroom.incident.session import Session
from warroom.model import ScoredMention
from warroom.playbook import default_playbook

MINUTE = timedelta(minutes=1)
# What the demo's calm hours leave the clock at: the incident is closed then.
CLOSED_AT = demo_scenario.TRIGGER_AT


def watching(data_dir: Path, scored: Sequence[ScoredMention], *, fresh: bool = False) -> Session:
    """A live console's session on the demo's brand, its log opened (or resumed)."""
    session = Session(
        store=IncidentStore(data_dir),
        clock=FrozenClock(CLOSED_AT),
        brand=demo_scenario.BRAND,
        playbook=default_playbook(),
        scoring=Prescored(scored),
        handles=demo_scenario.HANDLES,
    )
    session.open(fresh=fresh)
    return session


def _minute(item: ScoredMention) -> datetime:
    return item.mention.created_at.replace(second=0, microsecond=0)


def calm_hours(scored: Sequence[ScoredMention]) -> list[ScoredMention]:
    """The demo's hours before the trigger: enough to learn the baseline."""
    return [item for item in scored if item.mention.created_at < demo_scenario.TRIGGER_AT]


def watch_declare_close(data_dir: Path, scored: Sequence[ScoredMention], *, rotate: bool) -> str:
    """Watch the calm hours minute by minute, declare, close, shut down; the closed slug."""
    session = watching(data_dir, scored)
    session.rotate_on_close = rotate
    clock = session.clock
    assert isinstance(clock, FrozenClock)
    for minute, items in groupby(calm_hours(scored), key=_minute):
        clock.set(minute)
        session.take_scored(list(items))
        clock.set(minute + MINUTE)
        session.tick(flush=False)
    assert session.engine.signals.baseline.ready
    slug = session.log.meta.slug
    session.declare("Firmware 4.2")
    session.close("resolved")
    assert session.shutdown() is None
    return slug


@pytest.fixture(scope="module")
def closed_dirs(
    tmp_path_factory: pytest.TempPathFactory, demo_scored: list[ScoredMention]
) -> dict[bool, tuple[Path, str]]:
    """Data directories holding one closed incident: kept as the console's, and rotated."""
    made = {}
    for rotate in (False, True):
        path = tmp_path_factory.mktemp(f"rotate-{rotate}") / "data"
        made[rotate] = (path, watch_declare_close(path, demo_scored, rotate=rotate))
    return made


@pytest.fixture
def closed(closed_dirs: dict[bool, tuple[Path, str]], data_dir: Path) -> str:
    """This test's data directory holds an incident closed by the console that watched it."""
    source, slug = closed_dirs[False]
    shutil.copytree(source, data_dir)
    return slug


@pytest.fixture
def rotated(closed_dirs: dict[bool, tuple[Path, str]], data_dir: Path) -> str:
    """This test's data directory holds a closed incident and the log closing rotated to."""
    source, slug = closed_dirs[True]
    shutil.copytree(source, data_dir)
    return slug


def test_a_restart_after_a_close_starts_a_new_log_with_the_baseline_learned(
    closed: str, data_dir: Path, demo_scored: list[ScoredMention]
) -> None:
    """The new log's detector has its baseline at once: no "learning baseline"."""
    session = watching(data_dir, demo_scored)
    assert session.log.meta.slug != closed
    assert session.engine.signals.baseline.ready
    assert "learning baseline" not in session.engine.signals.gauge().reason
    session.shutdown()


def test_the_new_log_resumes_with_the_baseline_it_was_given(
    closed: str, data_dir: Path, demo_scored: list[ScoredMention]
) -> None:
    """Its checkpoint is written at once: resuming it does not learn from scratch."""
    first = watching(data_dir, demo_scored)
    slug = first.log.meta.slug
    first.shutdown()
    again = watching(data_dir, demo_scored)
    assert again.log.meta.slug == slug
    assert again.engine.resumed_from is not None
    assert again.engine.signals.baseline.ready
    again.shutdown()


async def test_a_mention_of_the_closed_incident_is_not_a_duplicate_in_the_new_log(
    closed: str, data_dir: Path, demo_scored: list[ScoredMention]
) -> None:
    """The seen ids stay with the closed incident: a new mention with an old id is taken in."""
    session = watching(data_dir, demo_scored)
    old = calm_hours(demo_scored)[-1].mention
    again = dataclasses.replace(old, created_at=CLOSED_AT + MINUTE)
    update = await session.ingest([again])
    assert [item.mention.id for item in update.mentions] == [old.id]
    assert session.engine.stats.duplicates == 0
    session.shutdown()


def test_a_reset_learns_the_baseline_from_scratch(
    closed: str, data_dir: Path, demo_scored: list[ScoredMention]
) -> None:
    """`fresh` (`warroom demo --reset`) starts with no baseline."""
    session = watching(data_dir, demo_scored, fresh=True)
    assert session.log.meta.slug != closed
    assert not session.engine.signals.baseline.ready
    assert "learning baseline" in session.engine.signals.gauge().reason
    session.shutdown()


def test_without_a_checkpoint_the_baseline_is_learned_from_scratch(
    closed: str,
    data_dir: Path,
    demo_scored: list[ScoredMention],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A closed log with no checkpoint to read: said in the log, and learned again."""
    checkpoints.path_for(IncidentStore(data_dir).root / closed).unlink()
    with caplog.at_level(logging.INFO, logger="warroom.incident.session"):
        session = watching(data_dir, demo_scored)
    assert not session.engine.signals.baseline.ready
    assert "learning the baseline from scratch" in caplog.text
    session.shutdown()


def test_the_log_a_close_rotated_to_resumes_with_the_baseline(
    rotated: str, data_dir: Path, demo_scored: list[ScoredMention]
) -> None:
    """Closing checkpoints the fresh log: after a restart it has the baseline at once."""
    session = watching(data_dir, demo_scored)
    assert session.log.meta.slug != rotated
    assert session.engine.resumed_from is not None
    assert session.engine.signals.baseline.ready
    assert "learning baseline" not in session.engine.signals.gauge().reason
    session.shutdown()
