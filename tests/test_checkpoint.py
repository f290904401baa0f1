"""A resume loads the incident's checkpoint, replays only what came after it: the same state."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

import pytest

from tests.prescored import Prescored
from warroom.clock import FrozenClock
from warroom.demo import scenario as demo_scenario
from warroom.detection.signals import DetectorRule
from warroom.incident import checkpoint as checkpoints
from warroom.incident import engine as engine_module
from warroom.incident import log as log_module
from warroom.incident.checkpoint import Checkpoint
from warroom.incident.log import IncidentStore, LogPosition
from warroom.incident.session import Session
from warroom.model import EventKind, Label, ScoredMention
from warroom.playbook import default_playbook

MINUTE = timedelta(minutes=1)


def _minute(item: ScoredMention) -> datetime:
    return item.mention.created_at.replace(second=0, microsecond=0)


def session_at(
    data_dir: Path, scored: Sequence[ScoredMention], rule: DetectorRule | None = None
) -> Session:
    """A drill console's session on the demo's brand, its incident opened (or resumed)."""
    clock = FrozenClock(_minute(scored[0]))
    session = Session(
        store=IncidentStore(data_dir),
        clock=clock,
        brand=demo_scenario.BRAND,
        playbook=default_playbook(),
        scoring=Prescored(scored),
        drill=True,
        rule=rule,
    )
    session.open("Drill")
    return session


async def feed(session: Session, scored: Sequence[ScoredMention]) -> None:
    """Feed mentions minute by minute, ticking after each minute as the console does."""
    clock = session.clock
    assert isinstance(clock, FrozenClock)
    for minute, items in groupby(scored, key=_minute):
        clock.set(max(clock.now(), minute))
        await session.ingest([item.mention for item in items])
        clock.set(max(clock.now(), minute + MINUTE))
        session.tick(flush=False)  # the log flushes itself each second of wall time


def killed(session: Session) -> None:
    """Stop as a killed process would: what was flushed stays, no checkpoint is written."""
    log = session.engine.log
    assert log is not None
    log.close()


def figures(session: Session) -> dict[str, Any]:
    """What a resume must rebuild, as plain data to compare."""
    engine = session.engine
    signals = engine.signals
    gauge = signals.gauge()
    return {
        "series": [minute.to_dict() for minute in signals.series()],
        "baseline": signals.baseline.state(),
        "level": str(signals.level),
        "reason": signals.reason,
        "state_level": str(session.state.level),
        "trending": [(t.term, t.count, t.score) for t in gauge.trending],
        "watermark": engine.watermark,
        "seen": sorted(engine._seen),
        "recent": [item.mention.id for item in session.recent],
        "recent_negative": [item.mention.id for item in session.recent_negative],
        "evidence": session.evidence().to_dict(),
        "level_changes": [
            e.data["minute"] for e in session.state.timeline if e.kind is EventKind.LEVEL_CHANGED
        ],
    }


def resumed_both_ways(
    data_dir: Path, tmp_path: Path, scored: Sequence[ScoredMention], rule: DetectorRule | None
) -> tuple[Session, Session]:
    """The incident resumed from its checkpoint, and a copy of it resumed by a full replay."""
    copy = tmp_path / "replayed"
    shutil.copytree(data_dir, copy)
    for path in copy.glob(f"incidents/*/{checkpoints.FILE_NAME}"):
        path.unlink()
    checked, replayed = session_at(data_dir, scored, rule), session_at(copy, scored, rule)
    # The live console judged up to its clock, a full replay up to the last mention: both go
    # on from the same moment, as a console does at its first tick.
    end = _minute(max(scored, key=lambda item: item.mention.created_at)) + MINUTE
    for session in (checked, replayed):
        assert isinstance(session.clock, FrozenClock)
        session.clock.set(end)
        session.tick()
    return checked, replayed


def checkpoint_file(data_dir: Path) -> Path:
    (found,) = data_dir.glob(f"incidents/*/{checkpoints.FILE_NAME}")
    return found


async def test_a_resume_from_the_checkpoint_equals_a_full_replay(
    data_dir: Path, tmp_path: Path, demo_scored: list[ScoredMention]
) -> None:
    """Closed cleanly, the demo resumes from its checkpoint to what a full replay rebuilds."""
    first = session_at(data_dir, demo_scored)
    await feed(first, demo_scored)
    end = first.log.position()
    assert first.shutdown() is None
    checked, replayed = resumed_both_ways(data_dir, tmp_path, demo_scored, None)
    assert checked.engine.resumed_from == end
    assert end.mentions == len(demo_scored)
    assert replayed.engine.resumed_from is None
    assert figures(checked) == figures(replayed)
    assert checked.engine.has_seen(demo_scored[0].mention.id)
    assert len(checked.recent) == engine_module.FEED_WINDOW


async def test_more_mentions_after_a_resumed_checkpoint_resume_alike(
    data_dir: Path, tmp_path: Path, demo_scored: list[ScoredMention]
) -> None:
    """Checkpoint, resume, more mentions, close: the next resume still equals a full replay."""
    half = len(demo_scored) // 2
    first = session_at(data_dir, demo_scored)
    await feed(first, demo_scored[:half])
    first.shutdown()
    second = session_at(data_dir, demo_scored)
    assert second.engine.resumed_from is not None
    await feed(second, demo_scored[half:])
    second.shutdown()
    checked, replayed = resumed_both_ways(data_dir, tmp_path, demo_scored, None)
    assert checked.engine.resumed_from is not None
    assert checked.engine.resumed_from.mentions == len(demo_scored)
    assert figures(checked) == figures(replayed)


async def test_a_checkpoint_older_than_the_log_replays_only_the_rest(
    data_dir: Path, tmp_path: Path, demo_scored: list[ScoredMention]
) -> None:
    """Killed after more mentions: the old checkpoint plus the log's tail gives the full state."""
    cut = 2345  # mid-segment
    first = session_at(data_dir, demo_scored)
    await feed(first, demo_scored[:cut])
    assert first.engine.checkpoint(wait=True)
    at_checkpoint = first.log.position()
    await feed(first, demo_scored[cut:])
    killed(first)
    checked, replayed = resumed_both_ways(data_dir, tmp_path, demo_scored, None)
    assert checked.engine.resumed_from == at_checkpoint
    assert at_checkpoint.mentions < checked.log.mention_count()
    assert figures(checked) == figures(replayed)


def relabel(session: Session, picks: Sequence[tuple[int, Label]]) -> None:
    """A person overrides the scorer on the `n`th latest mentions (the same one twice, too)."""
    recent = list(session.recent)
    for n, label in picks:
        session.override(recent[-1 - n], label)


async def test_overrides_count_alike_from_the_checkpoint_a_replay_and_after_a_crash(
    data_dir: Path, tmp_path: Path, demo_scored: list[ScoredMention]
) -> None:
    """People relabel mentions, one of them twice (a mind changed), some after the checkpoint
    and then the console is killed: resumed from the checkpoint and by a full replay, the
    signals count each at its last label, as the console did (not the scorer's, nor both)."""
    cut = 2345
    first = session_at(data_dir, demo_scored)
    await feed(first, demo_scored[:cut])
    relabel(first, [(3, Label.NEGATIVE), (40, Label.NEGATIVE), (3, Label.NEUTRAL)])
    assert first.engine.checkpoint(wait=True)
    await feed(first, demo_scored[cut:])
    # After the checkpoint: the two it counts relabelled again, and one it has not seen.
    relabel(first, [(len(demo_scored) - cut + 40, Label.POSITIVE), (0, Label.NEGATIVE)])
    relabel(first, [(len(demo_scored) - cut + 3, Label.NEGATIVE)])
    # And ten of the oldest the feed holds: minutes the baseline had learned long before.
    oldest = len(first.recent) - 1
    relabel(first, [(oldest - n, Label.NEGATIVE) for n in range(10)])
    live = [minute.to_dict() for minute in first.engine.signals.series()]
    killed(first)
    checked, replayed = resumed_both_ways(data_dir, tmp_path, demo_scored, None)
    assert checked.engine.resumed_from is not None and replayed.engine.resumed_from is None
    assert len(checked.state.overrides) == 13
    for session in (checked, replayed):
        assert [minute.to_dict() for minute in session.engine.signals.series()] == live
    # Relabelled after their minutes were judged, as live: the baseline and the level alike too.
    assert figures(checked) == figures(replayed)


async def test_a_resume_announces_no_level_change_the_log_holds(
    data_dir: Path, demo_scored: list[ScoredMention]
) -> None:
    """Resumed from an old checkpoint, the detector does not log a level change a second time."""
    first = session_at(data_dir, demo_scored)
    await feed(first, demo_scored[:2000])
    first.engine.checkpoint(wait=True)
    await feed(first, demo_scored[2000:])
    changes = [e.seq for e in first.state.timeline if e.kind is EventKind.LEVEL_CHANGED]
    assert changes, "the demo raises the level"
    killed(first)
    second = session_at(data_dir, demo_scored)
    second.tick()
    again = [e.seq for e in second.state.timeline if e.kind is EventKind.LEVEL_CHANGED]
    assert second.engine.resumed_from is not None
    assert again == changes


async def test_a_damaged_checkpoint_means_a_full_replay(
    data_dir: Path,
    tmp_path: Path,
    demo_scored: list[ScoredMention],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Half a checkpoint file is ignored with a log line, and the log is replayed in full."""
    first = session_at(data_dir, demo_scored)
    await feed(first, demo_scored)
    first.shutdown()
    path = checkpoint_file(data_dir)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    checked, replayed = resumed_both_ways(data_dir, tmp_path, demo_scored, None)
    assert checked.engine.resumed_from is None
    assert "damaged" in caplog.text
    assert figures(checked) == figures(replayed)
    # The replay wrote a good checkpoint in its place.
    assert checkpoints.read(path.parent, checked.engine._settings()) is not None


async def test_a_checkpoint_with_nonsense_inside_leaves_the_engine_as_it_was(
    data_dir: Path,
    tmp_path: Path,
    demo_scored: list[ScoredMention],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Valid JSON with a wrong value in the signals falls back to the replay, not a crash."""
    first = session_at(data_dir, demo_scored)
    await feed(first, demo_scored)
    first.shutdown()
    path = checkpoint_file(data_dir)
    data = json.loads(path.read_bytes())
    data["signals"]["level"] = "apocalypse"
    path.write_text(json.dumps(data))
    checked, replayed = resumed_both_ways(data_dir, tmp_path, demo_scored, None)
    assert checked.engine.resumed_from is None
    assert "damaged" in caplog.text
    assert figures(checked) == figures(replayed)


async def test_a_checkpoint_past_the_end_of_the_log_means_a_full_replay(
    data_dir: Path,
    tmp_path: Path,
    demo_scored: list[ScoredMention],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A checkpoint naming mentions the log has not got (a restored backup) is not used."""
    first = session_at(data_dir, demo_scored)
    await feed(first, demo_scored)
    first.shutdown()
    path = checkpoint_file(data_dir)
    data = json.loads(path.read_bytes())
    data["position"]["mentions"] += 10
    data["position"]["mention_seq"] += 10
    path.write_text(json.dumps(data))
    checked, replayed = resumed_both_ways(data_dir, tmp_path, demo_scored, None)
    assert checked.engine.resumed_from is None
    assert "not used" in caplog.text
    assert figures(checked) == figures(replayed)


async def test_a_changed_rule_means_a_full_replay(
    data_dir: Path, tmp_path: Path, demo_scored: list[ScoredMention]
) -> None:
    """A checkpoint computed under another detector rule is not used: the log is replayed."""
    first = session_at(data_dir, demo_scored)
    await feed(first, demo_scored)
    first.shutdown()
    rule = DetectorRule(window_minutes=5)
    checked, replayed = resumed_both_ways(data_dir, tmp_path, demo_scored, rule)
    assert checked.engine.resumed_from is None
    assert checked.engine.signals.rule == rule
    assert figures(checked) == figures(replayed)


async def test_a_checkpoint_is_written_in_a_thread_when_due(
    data_dir: Path, demo_scored: list[ScoredMention], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every CHECKPOINT_EVERY mentions a checkpoint is written without waiting for a close."""
    monkeypatch.setattr(engine_module, "CHECKPOINT_EVERY", 1000)
    session = session_at(data_dir, demo_scored)
    await feed(session, demo_scored[:1500])
    session.engine._wait_for_checkpoint()
    stored = checkpoints.read(session.log.path, session.engine._settings())
    assert stored is not None
    assert 1000 <= stored.position.mentions <= 1500
    # The log holds every mention the checkpoint names.
    assert session.log._mentions.count() >= stored.position.mentions
    session.shutdown()


def test_the_rest_of_the_log_is_read_without_the_segments_before_it(
    clock: FrozenClock,
    data_dir: Path,
    demo_scored: list[ScoredMention],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the mentions after a position opens only the segments that can hold them."""
    store = IncidentStore(data_dir)
    log = store.create("segments", clock=clock)
    log.append_mentions(demo_scored[:4500])
    log.flush()
    position = LogPosition(4321, log.position().mention_seq - (4500 - 4321), 0)
    opened: list[str] = []
    real = log_module._load_json

    def counting(path: Path) -> Any:
        opened.append(path.name)
        return real(path)

    monkeypatch.setattr(log_module, "_load_json", counting)
    after = [item.mention.id for item in log.mentions_after(position)]
    assert after == [item.mention.id for item in demo_scored[4321:4500]]
    assert opened == ["0000004000.json"]
    with pytest.raises(ValueError):
        log.mentions_after(LogPosition(4321, position.mention_seq + 1, 0))
    log.close()


@pytest.mark.parametrize(
    "counted",
    [{"t:1": "apocalypse"}, {"t:1": [0.5, "negative"]}, {"t:1": None}, ["t:1"], "negative"],
)
def test_damaged_labels_in_a_checkpoint_mean_a_full_replay(tmp_path: Path, counted: Any) -> None:
    """The people's labels a checkpoint holds are read as labels or not at all: never half."""
    good = Checkpoint(LogPosition(), {}, {}, [], None, [], [], {"t:1": Label.NEGATIVE})
    checkpoints.write(tmp_path, good)
    assert checkpoints.read(tmp_path, {}) == good
    data = json.loads(checkpoints.path_for(tmp_path).read_bytes())
    data["counted"] = counted
    checkpoints.path_for(tmp_path).write_text(json.dumps(data))
    assert checkpoints.read(tmp_path, {}) is None
    deep = "[" * 100_000 + "]" * 100_000  # JSON too deep to decode: damaged, not a crash
    checkpoints.path_for(tmp_path).write_text(json.dumps(data)[:-1] + f',"x":{deep}}}')
    assert checkpoints.read(tmp_path, {}) is None
