"""`warroom analyze`: mentions in; the sentiment timeline, alerts and trending terms out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from warroom.clock import SystemClock
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import DetectorRule, LevelChange, MinuteStats, Signals, TrendingTerm
from warroom.incident.engine import Engine
from warroom.model import LineProblem, Mention, OwnAccounts, format_time
from warroom.offline.replay import batches

ANALYZE_BATCH = 5000


@dataclass
class Analysis:
    """The result of reading one stream of mentions end to end."""

    series: list[MinuteStats]
    alerts: list[LevelChange]
    trending: list[TrendingTerm]
    summary: dict[str, Any]
    problems: list[LineProblem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The one JSON object `analyze --json` prints."""
        return {
            "series": [minute.to_dict() for minute in self.series],
            "alerts": [
                {
                    "at": format_time(change.at),
                    "level": str(change.level),
                    "previous": str(change.previous),
                    "reason": change.reason,
                }
                for change in self.alerts
            ],
            "trending": [
                {"term": t.term, "count": t.count, "score": round(t.score, 4)}
                for t in self.trending
            ],
            "summary": self.summary,
        }


def analyze(
    mentions: Iterable[Mention],
    *,
    rule: DetectorRule | None = None,
    lexicon: Mapping[str, float] | None = None,
    problems: list[LineProblem] | None = None,
    brand: str | None = None,
    handles: Iterable[str] = (),
) -> Analysis:
    """Score and detect over a whole stream; minutes are judged once all their mentions are in.

    The brand's name is never a trending term; posts by its `handles` are counted apart (ours).
    """
    signals = Signals(rule, extra_stopwords=brand.lower().split() if brand else ())
    engine = Engine(clock=SystemClock(), signals=signals, scorer=Scorer(dict(lexicon or {})))
    engine.accounts = OwnAccounts(handles)
    for batch in batches(mentions, ANALYZE_BATCH):  # one batch in memory, whatever the input
        engine.ingest(batch, advance=False)
    alerts = list(engine.finish().level_changes)
    series = signals.series()
    stats = engine.stats
    summary = {
        "mentions": stats.ingested,
        "duplicates": stats.duplicates,
        "non_english": stats.non_english,
        "competitor": stats.competitor,
        "future": stats.future,
        "ours": stats.ours,
        "skipped_lines": len(problems or []),
        "minutes": len(series),
        "first": format_time(series[0].minute) if series else None,
        "last": format_time(series[-1].minute) if series else None,
        "final_level": str(signals.level),
        "peak_level": str(max((a.level for a in alerts), key=lambda lv: lv.rank, default="normal")),
    }
    return Analysis(series, alerts, signals.trending(), summary, list(problems or []))


def render_table(result: Analysis) -> str:
    """A readable report for a terminal: series, alerts, trending terms, summary."""
    lines = ["minute (UTC)        volume  mean    neg%   reach-wtd  non-en"]
    for minute in result.series:
        lines.append(
            f"{minute.minute:%Y-%m-%d %H:%M}  {minute.volume:6d}"
            f"  {_signed(minute.mean_compound, 5)}  {_percent(minute.negative_share)}"
            f"  {_signed(minute.reach_weighted_compound, 9)}"
            f"  {minute.non_english:6d}"
        )
    lines.append("")
    lines.append("Level changes" if result.alerts else "Level changes: none")
    for change in result.alerts:
        lines.append(f"  {change.at:%Y-%m-%d %H:%M} {change.level.upper():8} {change.reason}")
    if result.trending:
        terms = ", ".join(f"{t.term} ({t.count})" for t in result.trending)
        lines.append(f"Trending negative terms: {terms}")
    lines.append("")
    s = result.summary
    lines.append(
        f"{s['mentions']} mentions ({s['duplicates']} duplicates dropped, "
        f"{s['non_english']} not English, {s['competitor']} about competitors"
        f"{_ours(s.get('ours', 0))}{_future(s.get('future', 0))}), "
        f"{s['skipped_lines']} lines skipped, {s['minutes']} minutes, "
        f"peak level {s['peak_level']}"
    )
    return "\n".join(lines)


def _ours(count: int) -> str:
    return f", {count} our own posts counted apart" if count else ""


def _future(count: int) -> str:
    return f", {count} dated over a day ahead and left out" if count else ""


def _signed(value: float | None, width: int) -> str:
    return f"{value:+{width}.2f}" if value is not None else "–".rjust(width)


def _percent(value: float | None) -> str:
    return f"{value * 100:5.1f}" if value is not None else "    –"
