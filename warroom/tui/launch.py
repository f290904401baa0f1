"""Building a console: the demo drill, a replay file, or live sources; then running the app."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from redis.exceptions import RedisError

from warroom.clock import Clock, ScaledClock, SystemClock
from warroom.detection.signals import DetectorRule
from warroom.incident.log import IncidentStore
from warroom.incident.session import ProcessScoring, ScoringBackend, Session
from warroom.incident.state import IncidentState
from warroom.live.config import WatchConfig
from warroom.live.sources.base import Cursors, CursorStore
from warroom.live.team.link import TeamConfigInvalid, TeamLink, TeamSettings
from warroom.live.team.replica import TeamReplica, join_team_incident
from warroom.live.watch import (
    attach_notifier,
    build_sources,
    client_session,
    detector_rule,
    run_sources,
)
from warroom.model import Mention
from warroom.offline.replay import batches, paced_batches, peek
from warroom.playbook import Playbook, default_playbook
from warroom.tui.app import Feeder, WarroomApp
from warroom.tui.safe import clean
from warroom.tui.screens.wall import WallScreen

# The demo starts this long before the trigger, so the crisis builds within the first minute.
DEMO_LEAD = timedelta(minutes=8)
HISTORY_CHUNK = 2000


class WallFirstApp(WarroomApp):
    """The console opened on the wall screen (`--wall`): the panes are under it, one Escape away."""

    # CSS_PATH is resolved beside the subclass's file: this one sits beside app.tcss too.

    def on_ready(self) -> None:
        # Ready comes once the panes are up: the wall goes over them, so Escape finds them.
        self.push_screen(WallScreen(self.session))


def console(
    session: Session,
    *,
    feeder: Feeder | None = None,
    keymap: dict[str, str] | None = None,
    wall: bool = False,
    tick_seconds: float = 1.0,
) -> WarroomApp:
    """The console on `session`, opened on the panes or, with `wall`, on the wall screen."""
    app_class = WallFirstApp if wall else WarroomApp
    return app_class(session, feeder=feeder, keymap=keymap, tick_seconds=tick_seconds)


def replay_feeder(mentions: Iterable[Mention], start: datetime, speed: float) -> Feeder:
    """Load what was posted before `start` at once (the baseline), then play the rest at `speed`
    times real time. The stream is read as it is fed: a file of any size costs a batch."""

    async def feed(app: WarroomApp) -> None:
        session = app.session
        stream = iter(mentions)
        for batch in batches(stream, HISTORY_CHUNK):
            cut = next((n for n, m in enumerate(batch) if m.created_at >= start), None)
            history = batch if cut is None else batch[:cut]
            if history:
                await session.ingest(history)
            if cut is not None:
                stream = itertools.chain(batch[cut:], stream)
                break
        # Resuming: what the incident already holds is passed over, not paced again.
        unseen = (m for m in stream if not session.engine.has_seen(m.id))
        first_live, rest = peek(unseen)
        if first_live is None:
            app.notify("The replay is over: every mention is in.")
            return
        if isinstance(session.clock, ScaledClock):
            session.clock.restart(first_live.created_at)
        async for batch in paced_batches(rest, speed):
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
    fresh: bool = False,
) -> Session:
    """A DRILL session for the bundled scenario, its incident opened (or resumed; `fresh`: new)."""
    from warroom.demo import scenario as demo_scenario

    session = Session(
        store=IncidentStore(data_dir),
        clock=clock,
        brand=demo_scenario.BRAND,
        playbook=playbook or default_playbook(),
        scoring=scoring or ProcessScoring(),
        drill=True,
        handles=demo_scenario.HANDLES,
        operator=operator,
        messages=demo_scenario.MESSAGES,
    )
    session.open(f"Drill: {demo_scenario.BRAND}", fresh=fresh)
    return session


def demo_app(
    data_dir: Path,
    *,
    speed: float = 30.0,
    scoring: ScoringBackend | None = None,
    reset: bool = False,
    wall: bool = False,
) -> WarroomApp:
    """The rehearsal: the calm history at once, then the scenario at `speed` from the trigger.

    `reset` starts the drill again in a fresh log, its calm history learned as the first time.
    """
    from warroom.demo import scenario as demo_scenario

    mentions = demo_scenario.load()
    start = demo_scenario.TRIGGER_AT - DEMO_LEAD
    session = demo_session(data_dir, ScaledClock(start, speed), scoring=scoring, fresh=reset)
    # The drill's incident stays the console's once closed: the drill is over, not rotated into
    # a log that a later `warroom demo` would resume with the scenario already played.
    session.rotate_on_close = False
    return console(session, feeder=replay_feeder(mentions, start, speed), wall=wall)


def drill_over(data_dir: Path) -> str | None:
    """The slug of the drill's closed incident when no drill is still open, else None."""
    from warroom.demo import scenario as demo_scenario

    store = IncidentStore(data_dir)
    closed = None
    for meta in store.list():
        if not meta.drill or meta.brand != demo_scenario.BRAND:
            continue
        with store.open(meta.slug, clock=SystemClock(), writable=False) as log:
            state = IncidentState.from_events(log.events())
        if state.closed_at is None:
            return None  # a drill still running (or reset): `warroom demo` continues it
        if state.declared:
            closed = meta.slug
    return closed


def run_demo(
    data_dir: Path, *, speed: float = 30.0, reset: bool = False, wall: bool = False
) -> None:
    """`warroom demo`."""
    demo_app(data_dir, speed=speed, reset=reset, wall=wall).run()


def run_console(
    data_dir: Path,
    *,
    mentions: Iterable[Mention],
    speed: float,
    name: str,
    brand: str = "brand",
    wall: bool = False,
) -> None:
    """`warroom replay FILE --tui`: any file, its first hour loaded at once as the baseline.

    The file is read as it is fed (in time order, as recordings are: a post that comes late
    is played when it comes), so the first frame shows at once and memory stays flat.
    """
    first, stream = peek(mentions)
    if first is None:
        raise SystemExit("nothing to replay: the file has no valid mention")
    start = first.created_at + timedelta(hours=1)
    session = Session(
        store=IncidentStore(data_dir),
        clock=ScaledClock(start, speed),
        brand=brand,
        playbook=default_playbook(),
        scoring=ProcessScoring(),
    )
    session.open(name)
    console(session, feeder=replay_feeder(stream, start, speed), wall=wall).run()


def live_feeder(config: WatchConfig, cursors: Cursors) -> Feeder:
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


def watch_app(
    config: WatchConfig, data_dir: Path, *, playbook: Playbook, wall: bool = False
) -> WarroomApp:
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
        handles=config.topics.brand_handles,
        messages=config.messages,
    )
    session.open(f"{config.brand} watch {clock.now():%Y-%m-%d}")
    feeder = live_feeder(config, CursorStore(data_dir / "cursors"))
    return console(session, feeder=feeder, keymap=config.keymap, wall=wall)


# -- team mode ------------------------------------------------------------------------------


async def _join(session: Session, settings: TeamSettings, name: str) -> bool:
    """Open the session on the team's incident, over a link of its own (this runs before the
    app's event loop exists; the app's feeder opens the link it keeps)."""
    link = TeamLink(settings, clock=session.clock)
    try:
        return await join_team_incident(session, link, name=name)
    except (RedisError, OSError) as error:
        raise TeamConfigInvalid(
            f"cannot reach the team's Redis at {settings.shown_url} ({type(error).__name__}); "
            "start it, or run without --team"
        ) from None
    finally:
        await link.close()


def team_feeder(
    settings: TeamSettings,
    *,
    role: str | None,
    founded: bool,
    ingest: Callable[[WarroomApp, TeamReplica], Awaitable[None]] | None,
) -> Feeder:
    """The console's part in the team: the replica's streams, presence and, while this
    console holds the lease, the ingest (sources or the drill's scenario)."""

    async def feed(app: WarroomApp) -> None:
        link = TeamLink(settings, clock=app.session.clock)
        replica = TeamReplica(
            app.session,
            link,
            role=role,
            founded=founded,
            notice=lambda text: app.notify(clean(text, limit=300), severity="warning", timeout=15),
        )
        app.main_screen.team_status = replica.describe
        stop = asyncio.Event()

        async def run_ingest(held: TeamReplica) -> None:
            if ingest is not None:
                await ingest(app, held)
            await asyncio.Event().wait()  # keep the lease (and renew it) until told to stop

        try:
            await replica.run(stop, run_ingest)
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(replica.close(), 3)

    return feed


def _team_session(
    data_dir: Path,
    clock: Clock,
    *,
    brand: str,
    playbook: Playbook,
    scoring: ScoringBackend,
    operator: str | None,
    drill: bool = False,
    rule: DetectorRule | None = None,
    role: str | None = None,
    handles: Iterable[str] = (),
    messages: Mapping[str, str] | None = None,
) -> Session:
    return Session(
        store=IncidentStore(data_dir),
        clock=clock,
        brand=brand,
        playbook=playbook,
        scoring=scoring,
        operator=operator,
        drill=drill,
        rule=rule,
        role=role,
        handles=handles,
        messages=messages,
    )


def team_demo_app(
    data_dir: Path,
    settings: TeamSettings,
    *,
    speed: float = 30.0,
    operator: str | None = None,
    role: str | None = None,
    scoring: ScoringBackend | None = None,
    wall: bool = False,
) -> WarroomApp:
    """`warroom demo --team`: everyone on the same drill; the ingest holder plays it."""
    from warroom.demo import scenario as demo_scenario

    start = demo_scenario.TRIGGER_AT - DEMO_LEAD
    session = _team_session(
        data_dir,
        ScaledClock(start, speed),
        brand=demo_scenario.BRAND,
        playbook=default_playbook(),
        scoring=scoring or ProcessScoring(),
        operator=operator,
        drill=True,
        role=role,
        handles=demo_scenario.HANDLES,
        messages=demo_scenario.MESSAGES,
    )
    founded = asyncio.run(_join(session, settings, f"Drill: {demo_scenario.BRAND}"))
    play = replay_feeder(demo_scenario.load(), start, speed)

    async def ingest(app: WarroomApp, replica: TeamReplica) -> None:
        await play(app)

    feeder = team_feeder(settings, role=role, founded=founded, ingest=ingest)
    return console(session, feeder=feeder, wall=wall)


def team_watch_app(
    config: WatchConfig,
    data_dir: Path,
    settings: TeamSettings,
    *,
    playbook: Playbook,
    operator: str | None = None,
    role: str | None = None,
    wall: bool = False,
) -> WarroomApp:
    """`warroom watch --team`: the configured sources, polled by whichever console holds the
    ingest lease, their cursors in the team's Redis."""
    clock = SystemClock()
    session = _team_session(
        data_dir,
        clock,
        brand=config.brand,
        playbook=playbook,
        scoring=ProcessScoring(config.lexicon),
        operator=operator or config.operator,
        rule=detector_rule(config, playbook),
        role=role or config.role,
        handles=config.topics.brand_handles,
        messages=config.messages,
    )
    founded = asyncio.run(_join(session, settings, f"{config.brand} watch {clock.now():%Y-%m-%d}"))

    async def ingest(app: WarroomApp, replica: TeamReplica) -> None:
        await live_feeder(config, replica.cursors)(app)

    feeder = team_feeder(settings, role=role or config.role, founded=founded, ingest=ingest)
    return console(session, feeder=feeder, keymap=config.keymap, wall=wall)
