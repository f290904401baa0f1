"""A finished demo drill to review: worked minute by minute from calm to recovery, then closed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path

from scripts.scenes import DECLARED_AT, NOTES, score_demo
from warroom.clock import FrozenClock
from warroom.demo import scenario as demo_scenario
from warroom.incident.session import InProcessScoring, Session
from warroom.model import ScoredMention
from warroom.tui.launch import demo_session

INCIDENT_NAME = f"{demo_scenario.BRAND}: reports of thermostats stuck after firmware 4.2"
CLOSED_AT = demo_scenario.END  # after the last mention: a closed log takes no more
SUMMARY = "Rollback shipped, apology out; sentiment back to baseline."
# When each step was checked, in minutes after the declaration: legal and the holding
# statement come late; internal-cadence and the post-mortem are never checked.
CHECKED_AFTER = {
    "confirm-signal": 3,
    "open-incident": 5,
    "assemble-team": 10,
    "pause-scheduled": 14,
    "establish-facts": 27,
    "assess-impact": 42,
    "brief-exec": 47,
    "legal-check": 52,
    "decide-strategy": 50,
    "choose-channels": 54,
    "holding-statement": 62,
    "brief-support": 67,
    "first-internal-update": 72,
    "answer-feedback": 82,
    "first-update": 100,
    "apologise": 112,
    "declare-recovery": 125,
}
DRAFTS = (
    (58, "holding", "We know some thermostats froze after update 4.2. We are on it."),
    (95, "update", "Update 4.2 is paused; a rollback reaches every thermostat today."),
    (108, "apology", "We are sorry: update 4.2 left homes cold. Here is what we are doing."),
)
NOTE_AFTER = (4, 30, 63)


def _actions(session: Session) -> dict[datetime, list[Callable[[], object]]]:
    """What the team does, keyed by the minute it does it."""
    plan: dict[datetime, list[Callable[[], object]]] = {}

    def at(minutes: int, action: Callable[[], object]) -> None:
        plan.setdefault(DECLARED_AT + timedelta(minutes=minutes), []).append(action)

    at(0, lambda: session.declare(INCIDENT_NAME))
    for step, minutes in CHECKED_AFTER.items():
        at(minutes, lambda s=step: session.set_step(s, True))
    for minutes, template, text in DRAFTS:
        at(minutes, lambda t=template, x=text: session.draft(t, x, -0.1))
    for minutes, note in zip(NOTE_AFTER, NOTES, strict=True):
        at(minutes, lambda n=note: session.note(n))
    plan.setdefault(CLOSED_AT, []).append(lambda: session.close(SUMMARY))
    return plan


def finished_drill(data_dir: Path, scored: Sequence[ScoredMention] | None = None) -> str:
    """Play the whole demo drill into `data_dir`, the team working it, and close it; its slug."""
    scored = sorted(scored if scored is not None else score_demo(), key=_minute)
    clock = FrozenClock(demo_scenario.START)
    session = demo_session(data_dir, clock, scoring=InProcessScoring(), operator="dana")
    plan = _actions(session)
    by_minute = {minute: list(items) for minute, items in groupby(scored, key=_minute)}
    slug = session.log.meta.slug
    minute = demo_scenario.START
    try:
        while minute <= CLOSED_AT:
            clock.set(minute)
            for action in plan.get(minute, []):
                action()
            if minute < CLOSED_AT:
                session.engine.ingest_scored(by_minute.get(minute, []))
                clock.set(minute + timedelta(minutes=1))
                session.tick(flush=False)
            minute += timedelta(minutes=1)
        return slug
    finally:
        session.shutdown()


def _minute(item: ScoredMention) -> datetime:
    return item.mention.created_at.replace(second=0, microsecond=0)


async def shoot_review(folder: Path, scored: Sequence[ScoredMention] | None = None) -> Path:
    """Save `review.svg` in `folder`: the finished drill, cursor 25 minutes after declaring."""
    import tempfile

    from warroom.incident.log import IncidentStore
    from warroom.tui.review.app import ReviewApp

    path = folder / "review.svg"
    with tempfile.TemporaryDirectory() as data:
        slug = finished_drill(Path(data), scored)
        log = IncidentStore(Path(data)).open(slug, clock=FrozenClock(CLOSED_AT), writable=False)
        app = ReviewApp(log)
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.press("pagedown", "pagedown", *["right"] * 5)
            await pilot.pause(0.3)
            app.save_screenshot(filename=path.name, path=str(folder))
    return path
