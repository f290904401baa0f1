"""Review of the engine wiring: future posts, a dead scorer, resuming, two consoles, closing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import T0
from warroom.clock import FrozenClock
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import DetectorRule, Signals
from warroom.incident.engine import Engine
from warroom.incident.log import IncidentLocked, IncidentStore
from warroom.incident.session import InProcessScoring, ProcessScoring, Session
from warroom.model import EventKind, Label, Level, Mention, Score, ScoredMention, label_for
from warroom.offline.analyze import analyze
from warroom.playbook import default_playbook

FAST = DetectorRule(
    window_minutes=5, warmup_minutes=20, trend_window_minutes=20, cooldown_minutes=3
)


def post(n: int, at: timedelta, compound: float = 0.5) -> ScoredMention:
    mention = Mention(f"t:{n}", "test", "ordinary words", T0 + at)
    return ScoredMention(mention, Score(compound, label_for(compound)))


def minutes_of(first: int, last: int, negative: int, calm: int, start: int = 0) -> list:
    """Posts for minutes first..last-1: `negative` bad ones and `calm` good ones a minute."""
    out, n = [], start
    for minute in range(first, last):
        for index in range(negative + calm):
            compound = -0.6 if index < negative else 0.5
            out.append(post(n, timedelta(minutes=minute, seconds=index % 60), compound))
            n += 1
    return out


def crisis_log(clock: FrozenClock, data_dir: Path) -> tuple[str, int]:
    """A log whose level rose to a crisis and calmed down again; its slug and level events."""
    log = IncidentStore(data_dir).create("surge", clock=clock)
    engine = Engine(clock=clock, signals=Signals(FAST), log=log)
    engine.ingest_scored(minutes_of(0, 30, 4, 16))
    engine.ingest_scored(minutes_of(30, 36, 25, 5, start=10_000))
    clock.set(T0 + timedelta(minutes=90))
    engine.tick()
    engine.close()
    with IncidentStore(data_dir).open(log.meta.slug, clock=clock, writable=False) as again:
        levels = [e for e in again.events() if e.kind is EventKind.LEVEL_CHANGED]
    assert levels[0].data["level"] != "normal" and levels[-1].data["level"] == "normal"
    return log.meta.slug, len(levels)


def session(data_dir: Path, clock: FrozenClock, *, brand: str = "acme") -> Session:
    return Session(
        store=IncidentStore(data_dir),
        clock=clock,
        brand=brand,
        playbook=default_playbook(),
        scoring=InProcessScoring(),
        operator="dana",
    )


def test_a_far_future_mention_is_set_apart(clock: FrozenClock) -> None:
    """A post dated a century ahead is counted apart and does not move event time."""
    engine = Engine(clock=clock, signals=Signals())
    engine.ingest_scored([post(1, timedelta(0)), post(2, timedelta(days=36500))])
    assert engine.stats.future == 1
    assert engine.watermark == T0
    assert len(engine.signals.series()) == 1


def test_a_future_mention_does_not_stop_detection(clock: FrozenClock) -> None:
    """After a bad-clock post, minutes of later real posts are still judged when they end."""
    engine = Engine(clock=clock, signals=Signals(FAST))
    engine.ingest_scored([post(1, timedelta(days=3650))])
    engine.ingest_scored(minutes_of(0, 25, 4, 16, start=10))
    assert engine.signals.gauge().at == T0 + timedelta(minutes=24)


def test_analyze_with_a_far_future_mention_stays_small() -> None:
    """`analyze` on a file with one post dated 2126 gives a series of the real minutes only."""
    mentions = [post(n, timedelta(minutes=n)).mention for n in range(3)]
    mentions.append(Mention("t:far", "test", "fine", T0 + timedelta(days=36500)))
    result = analyze(mentions)
    assert result.summary["minutes"] == 3
    assert result.summary["future"] == 1


async def test_a_dead_scoring_process_is_restarted() -> None:
    """When the worker process dies, the next batch restarts the pool and is scored."""
    scoring = ProcessScoring()
    try:
        mention = Mention("t:1", "test", "this is terrible", T0)
        assert (await scoring.score([mention]))[0].label is Label.NEGATIVE
        for process in list(scoring._pool._processes.values()):
            process.kill()
            process.join(5)
        await asyncio.sleep(0.2)  # the pool notices its worker is gone
        again = Mention("t:2", "test", "this is wonderful", T0)
        assert (await scoring.score([again]))[0].label is Label.POSITIVE
    finally:
        scoring.close()


def test_resuming_does_not_log_level_changes_again(clock: FrozenClock, data_dir: Path) -> None:
    """A resumed log whose crisis already calmed down gets no second round of level changes."""
    slug, before = crisis_log(clock, data_dir)
    log = IncidentStore(data_dir).open(slug, clock=clock)
    engine = Engine(clock=clock, signals=Signals(FAST))
    engine.attach(log, resume=True)
    clock.set(T0 + timedelta(minutes=95))
    engine.tick()
    engine.close()
    with IncidentStore(data_dir).open(slug, clock=clock, writable=False) as again:
        after = [e for e in again.events() if e.kind is EventKind.LEVEL_CHANGED]
    assert len(after) == before
    assert engine.level is Level.NORMAL


def test_a_second_console_is_told_who_holds_the_incident(
    clock: FrozenClock, data_dir: Path
) -> None:
    """Two consoles on one brand: the second gets IncidentLocked, not a parallel log."""
    first = session(data_dir, clock)
    first.open()
    second = session(data_dir, clock)
    try:
        with pytest.raises(IncidentLocked, match="tester@"):
            second.open()
        assert len(IncidentStore(data_dir).list()) == 1
    finally:
        first.shutdown()
        second.shutdown()


def test_resuming_keeps_the_incidents_playbook(clock: FrozenClock, data_dir: Path) -> None:
    """The console resumes with the playbook the incident was switched to, not the default."""
    from warroom.playbook import find_playbook, list_playbooks, load_playbook

    other = next(name for name, _path, _bundled in list_playbooks() if name != "default")
    first = session(data_dir, clock)
    first.open()
    first.switch_playbook(load_playbook(find_playbook(other)))
    first.shutdown()
    second = session(data_dir, clock)
    second.open()
    try:
        assert second.playbook.name == second.state.playbook
    finally:
        second.shutdown()


async def test_a_replay_clock_starts_when_the_mentions_do(clock: FrozenClock) -> None:
    """Setup time before `replay --speed` feeds does not put the clock ahead of the mentions."""
    from warroom.clock import ScaledClock
    from warroom.offline.replay import feed_engine as _feed

    mentions = [post(n, timedelta(seconds=20 * n)).mention for n in range(10)]
    replay_clock = ScaledClock(mentions[0].created_at, 600)
    replay_clock._origin -= 10  # ten seconds of resuming a big incident: 100 minutes at 600x
    engine = Engine(clock=replay_clock, signals=Signals(), scorer=Scorer())
    await _feed(engine, mentions, 600, lambda count: None)
    judged_until = engine.signals.gauge().at
    assert judged_until is not None
    assert judged_until <= mentions[-1].created_at + timedelta(minutes=1)


def test_closing_while_a_flush_runs_does_not_deadlock(
    clock: FrozenClock, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console's flush thread and shutdown on the UI thread both finish."""
    import threading

    from warroom.incident import log as store

    console = session(data_dir, clock)
    console.open()
    console.engine.ingest_scored([post(1, timedelta(0))])
    entered, release = threading.Event(), threading.Event()
    write = store._Stream.write

    def slow_write(stream: store._Stream, records: list) -> int:
        entered.set()
        release.wait(5)
        return write(stream, records)

    monkeypatch.setattr(store._Stream, "write", slow_write)
    flusher = threading.Thread(target=console.flush, daemon=True)
    flusher.start()
    assert entered.wait(5)
    closer = threading.Thread(target=console.shutdown, daemon=True)
    closer.start()
    closer.join(0.2)
    release.set()
    closer.join(5)
    flusher.join(5)
    assert not closer.is_alive() and not flusher.is_alive()


async def test_notifications_of_a_closed_incident_name_it(
    clock: FrozenClock, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outcomes for the closed log's events, recorded after the rotation, name that log."""
    from types import SimpleNamespace

    import aiohttp

    from warroom.live.notify import WebhookTarget
    from warroom.live.watch import attach_notifier

    monkeypatch.delenv("WARROOM_REVIEW_HOOK", raising=False)
    hook = WebhookTarget("hook", "json", "WARROOM_REVIEW_HOOK", ("declared", "closed"))
    config = SimpleNamespace(notifications=[hook], brand="acme")
    console = session(data_dir, clock)
    console.open()
    async with aiohttp.ClientSession() as http:
        notifier = attach_notifier(config, console.engine, session=http, clock=clock)  # type: ignore[arg-type]
        assert notifier is not None
        console.declare("acme: outage")
        old = console.log.meta.slug
        console.close("fixed")
        for _ in range(100):
            if len(console.state.timeline) >= 3:
                break
            await asyncio.sleep(0.01)
        await notifier.close()
    outcomes = [e for e in console.state.timeline if e.kind is EventKind.NOTIFICATION]
    console.shutdown()
    assert [o.data["event"] for o in outcomes] == ["declared", "closed"]
    assert all(o.data.get("incident") == old for o in outcomes)


def test_demo_says_who_holds_the_drill(clock: FrozenClock, data_dir: Path) -> None:
    """`warroom demo` while another console runs the drill: a one-line error, no traceback."""
    from click.testing import CliRunner

    from warroom.demo import scenario as demo_scenario
    from warroom.tui.main import main

    held = IncidentStore(data_dir).create(
        "Drill: held", clock=clock, brand=demo_scenario.BRAND, drill=True
    )
    try:
        result = CliRunner().invoke(main, ["demo"])
    finally:
        held.close()
    assert result.exit_code == 1
    assert "open for writing by tester@" in result.output
    assert not isinstance(result.exception, IncidentLocked)


def test_a_failing_listener_does_not_fail_a_saved_note(clock: FrozenClock, data_dir: Path) -> None:
    """A note on disk is reported saved even when a listener raises (no retyped duplicate)."""
    console = session(data_dir, clock)
    console.open()

    def broken(update: object) -> None:
        raise RuntimeError("listener bug")

    console.engine.listeners.insert(0, broken)
    try:
        event = console.note("call legal")
        assert event.data["text"] == "call legal"
        notes = [e for e in console.log.events() if e.kind is EventKind.NOTE]
        assert [n.data["text"] for n in notes] == ["call legal"]
    finally:
        console.shutdown()


async def test_a_batch_is_scored_even_when_the_pool_keeps_breaking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If a fresh pool breaks too, the batch is scored here rather than lost."""
    from concurrent.futures import Executor
    from concurrent.futures.process import BrokenProcessPool

    from warroom.incident import session as session_module

    class Broken(Executor):
        def submit(self, *args: object, **kwargs: object):  # type: ignore[override]
            raise BrokenProcessPool("worker died")

    monkeypatch.setattr(session_module, "ProcessPoolExecutor", lambda max_workers: Broken())
    scoring = ProcessScoring()
    scores = await scoring.score([Mention("t:1", "test", "this is terrible", T0)])
    assert scores[0].label is Label.NEGATIVE
