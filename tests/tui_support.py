"""Building consoles for Pilot and snapshot tests: a frozen clock and the demo drill up to a moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from warroom import demo_scenario
from warroom.clock import FrozenClock
from warroom.model import ScoredMention
from warroom.session import InProcessScoring, Session
from warroom.tui.app import WarroomApp
from warroom.tui.launch import demo_session

CALM_AT = demo_scenario.TRIGGER_AT - timedelta(minutes=30)
CRISIS_AT = demo_scenario.SURGE_START + timedelta(minutes=25)


def drill_at(data_dir: Path, scored: list[ScoredMention], moment: datetime) -> Session:
    """A drill session holding every demo mention posted before `moment`, the clock frozen there."""
    session = demo_session(data_dir, FrozenClock(moment), scoring=InProcessScoring())
    session.engine.ingest_scored([s for s in scored if s.mention.created_at < moment])
    session.tick()
    return session


def quiet_app(session: Session) -> WarroomApp:
    """The console as tests see it: no clock ticks, so what shows is what the test did."""
    return WarroomApp(session, tick_seconds=0)
