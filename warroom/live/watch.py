"""Live watching from a watch config: the sources, the detector rule and the notifier."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import aiohttp

from warroom.clock import Clock
from warroom.detection.signals import DetectorRule
from warroom.incident.engine import Engine, EngineUpdate
from warroom.live.config import WatchConfig, source_kinds
from warroom.live.notify import Notifier
from warroom.live.sources.base import Cursors, Durable, Source, StateListener
from warroom.live.sources.webhook import WebhookSource
from warroom.model import EventKind, Mention
from warroom.playbook import Playbook

USER_AGENT = "warroom/0.1 (social listening for crisis teams)"
# Events remembered to name the log of a late delivery outcome (far more than can be queued).
ORIGINS_KEPT = 10_000


def detector_rule(config: WatchConfig, playbook: Playbook | None = None) -> DetectorRule:
    """The config's detector settings, then the playbook's triggers for its kind of crisis."""
    settings = dict(config.detector)
    if playbook is not None:
        settings.update(playbook.triggers)
    return DetectorRule.from_dict(settings)


def build_sources(
    config: WatchConfig,
    names: Iterable[str],
    *,
    session: aiohttp.ClientSession,
    cursors: Cursors,
    clock: Clock,
    on_state: StateListener | None = None,
) -> list[Source]:
    """The configured sources by name, ready to run."""
    kinds = source_kinds()
    built = []
    for name in names:
        conf = config.source(name)
        built.append(
            kinds[conf.kind](
                conf.name,
                dict(conf.options),
                session=session,
                cursors=cursors,
                clock=clock,
                topics=config.topics,
                on_state=on_state,
            )
        )
    return built


def client_session() -> aiohttp.ClientSession:
    """One HTTP client for every source; streams must not time out as a whole, only stall."""
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=300)
    return aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}, timeout=timeout)


def attach_notifier(
    config: WatchConfig, engine: Engine, *, session: aiohttp.ClientSession, clock: Clock
) -> Notifier | None:
    """Tell the configured webhooks about the incident's events; each delivery is logged."""
    if not config.notifications:
        return None
    # Which log each announced event is in: closing an incident rotates to a fresh log, and an
    # outcome arriving after that is recorded there, so it must name the log its event is in.
    origin: OrderedDict[tuple[int, str], str] = OrderedDict()

    def record(outcome: dict[str, Any]) -> None:
        slug = origin.get((outcome.get("seq"), outcome.get("event")))  # type: ignore[arg-type]
        if slug is not None and engine.log is not None and slug != engine.log.meta.slug:
            outcome = {**outcome, "incident": slug}
        engine.record(EventKind.NOTIFICATION, outcome, author=None)

    notifier = Notifier(
        config.notifications, session=session, clock=clock, brand=config.brand, record=record
    )

    def announce(update: EngineUpdate) -> None:
        for event in update.events:
            if engine.log is not None:
                origin[(event.seq, str(event.kind))] = engine.log.meta.slug
                while len(origin) > ORIGINS_KEPT:
                    origin.popitem(last=False)
            notifier.notify(
                event, incident=engine.state.name, level=engine.level, reason=engine.state.reason
            )

    engine.listeners.append(announce)
    notifier.start()
    return notifier


async def run_sources(
    sources: list[Source],
    emit: Callable[[list[Mention]], Awaitable[object]],
    durable: Durable | None = None,
) -> None:
    """Run every source until cancelled; one failing never stops the others.

    `durable` waits until what was emitted is on disk: a receiving source (the webhook)
    acknowledges its sender only after it returned.
    """
    stop = asyncio.Event()
    for source in sources:
        if isinstance(source, WebhookSource):
            source.durable = durable

    async def deliver(mentions: list[Mention]) -> int | None:
        update = await emit(mentions)
        # The engine says which were new to the incident (a resend after a crash is not).
        return len(update.mentions) if isinstance(update, EngineUpdate) else None

    try:
        await asyncio.gather(*(source.run(deliver, stop) for source in sources))
    finally:
        stop.set()
