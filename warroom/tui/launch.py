"""Building a console: the demo drill, a replay file, or live sources; then running the app."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from warroom.clock import Clock, ScaledClock, SystemClock
from warroom.incident.log import IncidentStore
from warroom.incident.session import ProcessScoring, ScoringBackend, Session
from warroom.live.config import WatchConfig
from warroom.live.sources.base import CursorStore
from warroom.live.watch import (
    attach_notifier,
    build_sources,
    client_session,
    detector_rule,
    run_sources,
)
from warroom.model import Mention
from warroom.offline.replay import paced_batches
from warroom.playbook import Playbook, default_playbook
from warroom.tui.app import Feeder, WarroomApp

# The demo starts this long before the trigger, so the crisis builds within the first minute.
DEMO_LEAD = timedelta(minutes=8)
HISTORY_CHUNK = 2000


def replay_feeder(history: Sequence[Mention], live: Sequence[Mention], speed: float) -> Feeder:
    """Load the history at once (the baseline), then play the rest at `speed` times real time."""

    async def feed(app: WarroomApp) -> None:
        session = app.session
        for start in range(0, len(history), HISTORY_CHUNK):
            await session.ingest(history[start : start + HISTORY_CHUNK])
        unseen = [m for m in live if not session.engine.has_seen(m.id)]
        if not unseen:
            app.notify("The replay is over: every mention is in.")
            return
        if isinstance(session.clock, ScaledClock):
            session.clock.restart(unseen[0].created_at)
        async for batch in paced_batches(unseen, speed):
            await session.ingest(batch)
        app.notify("The replay is over: every mention is in.")

    return feed


def demo_session(
    data_dir: Path,
    clock: Clock,
    *,
    scoring: ScoringBackend | None = None,
    playbook: Playbook | None = None,
    operator: str | None = None,
) -> Session:
    """A DRILL session for the bundled scenario, its incident opened (or resumed)."""
    from warroom.demo import scenario as demo_scenario

    session = Session(
        store=IncidentStore(data_dir),
        clock=clock,
        brand=demo_scenario.BRAND,
        playbook=playbook or default_playbook(),
        scoring=scoring or ProcessScoring(),
        drill=True,
        operator=operator,
    )
    session.open(f"Drill: {demo_scenario.BRAND}")
    return session


def demo_app(
    data_dir: Path, *, speed: float = 30.0, scoring: ScoringBackend | None = None
) -> WarroomApp:
    """The rehearsal: the calm history at once, then the scenario at `speed` from the trigger."""
    from warroom.demo import scenario as demo_scenario

    mentions = demo_scenario.load()
    start = demo_scenario.TRIGGER_AT - DEMO_LEAD
    history = [m for m in mentions if m.created_at < start]
    live = [m for m in mentions if m.created_at >= start]
    session = demo_session(data_dir, ScaledClock(start, speed), scoring=scoring)
    return WarroomApp(session, feeder=replay_feeder(history, live, speed))


def run_demo(data_dir: Path, *, speed: float = 30.0) -> None:
    """`warroom demo`."""
    demo_app(data_dir, speed=speed).run()


def run_console(
    data_dir: Path, *, mentions: Sequence[Mention], speed: float, name: str, brand: str = "brand"
) -> None:
    """`warroom replay FILE --tui`: any file, the first hour loaded at once as the baseline."""
    if not mentions:
        raise SystemExit("nothing to replay: the file has no valid mention")
    ordered = sorted(mentions, key=lambda m: m.created_at)
    start = ordered[0].created_at + timedelta(hours=1)
    history = [m for m in mentions if m.created_at < start]
    live = [m for m in mentions if m.created_at >= start]
    session = Session(
        store=IncidentStore(data_dir),
        clock=ScaledClock(start, speed),
        brand=brand,
        playbook=default_playbook(),
        scoring=ProcessScoring(),
    )
    session.open(name)
    WarroomApp(session, feeder=replay_feeder(history, live, speed)).run()


def live_feeder(config: WatchConfig, cursors: CursorStore) -> Feeder:
    """Run the configured sources (and notifications) for as long as the console is open."""

    async def feed(app: WarroomApp) -> None:
        session = app.session
        async with client_session() as http:
            notifier = attach_notifier(config, session.engine, session=http, clock=session.clock)
            if notifier is not None:
                for line in notifier.missing():
                    app.notify(line, severity="warning", timeout=15)
            sources = build_sources(
                config,
                [s.name for s in config.sources],
                session=http,
                cursors=cursors,
                clock=session.clock,
                on_state=app.set_source_state,
            )
            try:
                await run_sources(sources, session.ingest, session.durable)
            finally:
                if notifier is not None:
                    await notifier.close()

    return feed


def watch_app(config: WatchConfig, data_dir: Path, *, playbook: Playbook) -> WarroomApp:
    """`warroom watch`: the console on live sources, continuing the open incident if any."""
    clock = SystemClock()
    session = Session(
        store=IncidentStore(data_dir),
        clock=clock,
        brand=config.brand,
        playbook=playbook,
        scoring=ProcessScoring(config.lexicon),
        operator=config.operator,
        rule=detector_rule(config, playbook),
    )
    session.open(f"{config.brand} watch {clock.now():%Y-%m-%d}")
    feeder = live_feeder(config, CursorStore(data_dir / "cursors"))
    return WarroomApp(session, feeder=feeder, keymap=config.keymap)
