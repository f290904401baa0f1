"""The console's live signals and the review's replay of the log count and judge alike."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path

import pytest
from click.testing import CliRunner

from warroom.clock import FrozenClock
from warroom.demo import scenario as demo_scenario
from warroom.detection.signals import DetectorRule, LevelChange, MinuteStats, Signals
from warroom.incident.engine import Engine
from warroom.incident.log import IncidentStore
from warroom.incident.state import IncidentState
from warroom.model import EventKind, Label, Level, ScoredMention, format_time
from warroom.review.aggregates import load_aggregates, replay
from warroom.tui.main import main

RULE = DetectorRule()  # the console's default
START = demo_scenario.START
MINUTE = timedelta(minutes=1)


@dataclass
class Live:
    """What the console's engine saw: its signals, level changes and baseline minute by minute."""

    slug: str
    signals: Signals
    changes: list[LevelChange]
    baselines: dict[datetime, float | None]  # after judging each minute


def _minute(item: ScoredMention) -> datetime:
    return item.mention.created_at.replace(second=0, microsecond=0)


def live_drill(data_dir: Path, scored: Sequence[ScoredMention], overrides: int = 0) -> Live:
    """Feed mentions to the engine minute by minute, ticking as the console does, into a log.

    With `overrides`, every 97th brand mention of the first `overrides` is relabelled negative.
    """
    ordered = sorted(scored, key=_minute)
    clock = FrozenClock(_minute(ordered[0]))
    log = IncidentStore(data_dir).create("live", clock=clock)
    engine = Engine(clock=clock, signals=Signals(RULE), log=log)
    by_minute = {minute: list(items) for minute, items in groupby(ordered, key=_minute)}
    live = Live(log.meta.slug, engine.signals, [], {})
    minute, last = min(by_minute), max(by_minute)
    while minute <= last:
        clock.set(minute)
        live.changes += engine.ingest_scored(by_minute.get(minute, [])).level_changes
        clock.set(minute + MINUTE)
        live.changes += engine.tick().level_changes
        baseline = engine.signals.baseline
        live.baselines[minute] = baseline.negative_share if baseline.ready else None
        minute += MINUTE
    brand = [item for item in ordered[:overrides] if item.mention.is_brand]
    for item in brand[::97]:
        engine.override_sentiment(item, Label.NEGATIVE, author="dana")
    engine.close()
    return live


@pytest.fixture(scope="module")
def demo_live(
    demo_scored: list[ScoredMention], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Live]:
    folder = tmp_path_factory.mktemp("live")
    return folder, live_drill(folder, demo_scored)


def test_the_replay_counts_every_minute_as_the_console_did(demo_live: tuple[Path, Live]) -> None:
    """Volume, labels, compound and reach sums, other topics: each demo minute is the same."""
    folder, live = demo_live
    with IncidentStore(folder).open(live.slug, clock=FrozenClock(START), writable=False) as log:
        replayed = replay(log, RULE).signals.series(max_gap=None)
    assert len(replayed) == 360 and any(m.by_topic for m in replayed)
    assert replayed == live.signals.series()


def test_the_report_rows_are_the_console_minutes(demo_live: tuple[Path, Live]) -> None:
    """The report's per-minute rows: the console's counts, negative share and baseline share."""
    folder, live = demo_live
    with IncidentStore(folder).open(live.slug, clock=FrozenClock(START), writable=False) as log:
        rows = load_aggregates(log, RULE, cache=False).rows
        judged = {checkpoint for checkpoint, _share in replay(log, RULE).checkpoints}
    minutes = live.signals.series()
    assert [r.minute for r in rows] == [m.minute for m in minutes]
    for row, minute in zip(rows, minutes, strict=True):
        counts = (row.volume, row.scored, row.negative, row.neutral, row.positive)
        assert counts == (
            minute.volume,
            minute.scored,
            minute.negative,
            minute.neutral,
            minute.positive,
        )
        share = row.negative / row.scored if row.scored else None
        assert share == minute.negative_share
        # A minute judged with the next one (no mention of its own) takes that one's baseline.
        if int(row.minute.timestamp() // 60) in judged:
            assert row.baseline_share == live.baselines[row.minute], row.minute


def test_the_replay_raises_and_lowers_the_level_when_the_console_did(
    demo_live: tuple[Path, Live],
) -> None:
    """The same level changes, at the same minutes, with the same reasons as the logged ones."""
    folder, live = demo_live
    with IncidentStore(folder).open(live.slug, clock=FrozenClock(START), writable=False) as log:
        surges = load_aggregates(log, RULE, cache=False).surges
        logged = [e.data for e in log.events() if e.kind is EventKind.LEVEL_CHANGED]
    seen = [(format_time(c.at), str(c.level), str(c.previous), c.reason) for c in live.changes]
    assert Level.CRISIS in [c.level for c in live.changes]
    assert [(s["at"], s["level"], s["previous"], s["reason"]) for s in surges] == seen
    assert [(e["minute"], e["level"], e["previous"], e["reason"]) for e in logged] == seen


def test_overrides_move_the_same_mentions_in_both(
    demo_scored: list[ScoredMention], tmp_path: Path
) -> None:
    """Sentiment overrides made in the console are counted the same by the report's replay."""
    live = live_drill(tmp_path, demo_scored, overrides=2000)
    with IncidentStore(tmp_path).open(live.slug, clock=FrozenClock(START), writable=False) as log:
        overrides = IncidentState.from_events(log.events()).overrides
        replayed = replay(log, RULE, overrides).signals.series(max_gap=None)
    minutes = live.signals.series()
    assert len(overrides) >= 10

    def counts(series: list[MinuteStats]) -> list[tuple[object, ...]]:
        return [
            (m.minute, m.volume, m.scored, m.negative, m.neutral, m.positive, m.by_topic)
            for m in series
        ]

    def sums(series: list[MinuteStats]) -> list[float]:
        return [total for m in series for total in (m.compound_sum, m.reach_weighted_sum)]

    assert counts(replayed) == counts(minutes)
    # Live, the old score is taken out and the new one added; the replay adds the new one only.
    assert sums(replayed) == pytest.approx(sums(minutes))


def test_the_console_and_analyze_agree_on_a_scenario_stream(tmp_path: Path) -> None:
    """A moderate crisis built from labelled posts (the detection suite's, dev split) and an
    hour of calm after it: the console's engine ticking minute by minute and `warroom analyze
    --json` over the same file raise and lower the level at the same minutes, same reasons."""
    from benchmarks.scenarios import KINDS, Builder, Reader, brand_pool, scored_stream

    pool = brand_pool("dev")
    stream = KINDS["moderate crisis"].build(1, pool)
    after = Builder("calm after", 1, pool)
    after.calm(stream.minutes, 60, 20.0, 0.30)
    stream.posts += after.stream.posts
    stream.minutes += 60
    scored = scored_stream(stream, Reader())
    folder = tmp_path / "live"
    folder.mkdir()
    live = live_drill(folder, scored)
    path = tmp_path / "stream.jsonl"
    path.write_text("".join(item.mention.to_json() + "\n" for item in scored), encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    report = json.loads(result.stdout)  # exactly one JSON object
    assert set(report) == {"series", "alerts", "trending", "summary"}
    alerts = [(a["at"], a["level"], a["previous"], a["reason"]) for a in report["alerts"]]
    seen = [(format_time(c.at), str(c.level), str(c.previous), c.reason) for c in live.changes]
    assert alerts == seen
    levels = [level for _, level, _, _ in alerts]
    assert "crisis" in levels and levels.index("elevated") < levels.index("crisis")
    assert alerts[-1][1] == "normal" and alerts[-1][3].startswith("calm for 15 min: ")
