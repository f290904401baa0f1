"""Fixed moments of the demo drill for screenshots and snapshot tests: frozen clock, known state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from warroom.clock import FrozenClock
from warroom.demo import scenario as demo_scenario
from warroom.incident.session import InProcessScoring, Session
from warroom.model import ScoredMention
from warroom.tui.app import WarroomApp
from warroom.tui.launch import demo_session

CALM_AT = demo_scenario.TRIGGER_AT - timedelta(minutes=50)
CRISIS_AT = demo_scenario.SURGE_START + timedelta(minutes=25)
DECLARED_AT = demo_scenario.SURGE_START + timedelta(minutes=10)

NOTES = (
    "Support confirms tickets about firmware 4.2: thermostats stuck at 55F.",
    "Engineering is pausing the 4.2 rollout; rollback being tested.",
    "Holding statement approved by legal, posting on Mastodon and Bluesky.",
)


def drill_at(
    data_dir: Path,
    scored: Sequence[ScoredMention],
    moment: datetime,
    *,
    operator: str | None = None,
) -> Session:
    """A drill holding every demo mention posted before `moment`, its clock frozen there."""
    session = demo_session(
        data_dir, FrozenClock(moment), scoring=InProcessScoring(), operator=operator
    )
    session.engine.ingest_scored([s for s in scored if s.mention.created_at < moment])
    session.tick()
    return session


def work_the_crisis(session: Session, steps_done: float = 0.5) -> None:
    """Declare at DECLARED_AT, check the first part of the checklist and write a few notes."""
    clock = session.clock
    assert isinstance(clock, FrozenClock)
    now = clock.now()
    clock.set(DECLARED_AT)
    session.declare(f"{demo_scenario.BRAND}: reports of thermostats stuck after firmware 4.2")
    steps = session.playbook.steps
    for index, step in enumerate(steps[: int(len(steps) * steps_done)]):
        clock.set(DECLARED_AT + timedelta(minutes=1 + index))
        session.set_step(step.id, True)
        if index < len(NOTES):
            session.note(NOTES[index])
    clock.set(now)


def score_demo() -> list[ScoredMention]:
    """The bundled scenario, scored in this process."""
    mentions = demo_scenario.load()
    scores = InProcessScoring().scorer.score_many(mentions)
    return [ScoredMention(m, s) for m, s in zip(mentions, scores, strict=True)]


def quiet_app(session: Session) -> WarroomApp:
    """The console with no clock ticks: what shows is what the caller did."""
    return WarroomApp(session, tick_seconds=0)
