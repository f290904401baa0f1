"""Review aggregates: the stored mentions replayed once into per-minute rows, cached on disk."""

from __future__ import annotations

import hashlib
import heapq
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from warroom.detection.evidence import Piece, group_evidence
from warroom.detection.sentiment import negative_terms
from warroom.detection.signals import (
    DetectorRule,
    MinuteStats,
    Signals,
    minute_key,
    minute_of,
)
from warroom.detection.trending import TermSample
from warroom.incident.log import IncidentLog, write_atomically
from warroom.model import BRAND_TOPIC, OVERRIDE_COMPOUND, Label, Level, format_time, parse_time

CACHE_NAME = "review-minutes.json"
CACHE_FORMAT = 3  # 3: our own posts left out; the top mentions grouped
# Negative brand posts tokenized per minute for the top terms; above it counts are scaled up.
TERM_SAMPLE_PER_MINUTE = 100
TOP_LIMIT = 10
# The most-reached negative mentions kept to group into the TOP_LIMIT shown: copies of one text
# and one author's posts fold together, so more are kept than shown.
TOP_CANDIDATES = 200
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class MinuteRow:
    """The brand's mentions posted in one UTC minute, and the replayed baseline share then."""

    minute: datetime
    volume: int = 0
    scored: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    baseline_share: float | None = None


@dataclass
class Aggregates:
    """Everything review needs from the mentions, small enough to cache beside the incident."""

    key: dict[str, Any]
    rows: list[MinuteRow] = field(default_factory=list)
    surges: list[dict[str, Any]] = field(default_factory=list)  # replayed level changes
    surge_baseline: float | None = None
    final_baseline: float | None = None
    top_terms: list[tuple[str, int]] = field(default_factory=list)
    top_negative: list[dict[str, Any]] = field(default_factory=list)
    mentions: int = 0
    left_out: str | None = None  # stored mentions skipped for an impossible time, said once

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rows": [
                [
                    minute_key(r.minute),
                    r.volume,
                    r.scored,
                    r.negative,
                    r.neutral,
                    r.positive,
                    r.baseline_share,
                ]
                for r in self.rows
            ],
            "surges": self.surges,
            "surge_baseline": self.surge_baseline,
            "final_baseline": self.final_baseline,
            "top_terms": self.top_terms,
            "top_negative": self.top_negative,
            "mentions": self.mentions,
            "left_out": self.left_out,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Aggregates:
        rows = [
            MinuteRow(minute_of(r[0]), r[1], r[2], r[3], r[4], r[5], r[6]) for r in data["rows"]
        ]
        terms = [(str(term), int(count)) for term, count in data["top_terms"]]
        return cls(
            data["key"],
            rows,
            data["surges"],
            data["surge_baseline"],
            data["final_baseline"],
            terms,
            data["top_negative"],
            data["mentions"],
            data.get("left_out"),
        )


def cache_key(
    log: IncidentLog, rule: DetectorRule, overrides: Mapping[str, Label]
) -> dict[str, Any]:
    """What the aggregates depend on: the log is append-only, so its mention count names it."""
    digest = hashlib.sha1(json.dumps(sorted(overrides.items())).encode()).hexdigest()
    return {
        "format": CACHE_FORMAT,
        "mentions": log.mention_count(),
        "rule": asdict(rule),
        "overrides": digest,
    }


_LABELS = {str(label): label for label in Label}


class Replay:
    """The stored mentions counted once, in log order, into a fresh Signals judged by event time."""

    def __init__(self, rule: DetectorRule, overrides: Mapping[str, Label] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self.signals = Signals(rule, keep_minutes=None)  # review needs every minute, not a week
        self.terms = TermSample(TERM_SAMPLE_PER_MINUTE)  # every minute's, for the top terms
        self.top: list[tuple[int, int, dict[str, Any]]] = []  # (reach, -log order, mention)
        self.checkpoints: list[tuple[int, float | None]] = []  # (judged through minute, baseline)
        self.changes: list[dict[str, Any]] = []  # the level changes, as the cache stores them
        self.surge_baseline: float | None = None
        self.mentions = 0

    def run(self, records: Iterable[dict[str, Any]]) -> None:
        """Count stored records in log order, judging each minute once a later one turns up."""
        count = self.signals.count
        count_terms = self.terms.count
        overrides = self.overrides
        minute_keys: dict[str, int] = {}
        latest: int | None = None
        number = self.mentions
        for data in records:
            number += 1
            mention = data["mention"]
            compound = data["compound"]
            label_name = data["label"]
            if overrides and mention["id"] in overrides:
                label_name = overrides[mention["id"]]
                compound = OVERRIDE_COMPOUND[Label(label_name)]
            stamp = mention["created_at"]
            key = minute_keys.get(stamp[:16])
            if key is None:
                key = minute_key(parse_time(stamp))
                # Stored times are written by format_time (UTC, Z), so the minute is the prefix.
                if stamp.endswith("Z"):
                    minute_keys[stamp[:16]] = key
            topic = mention.get("topic") or BRAND_TOPIC
            reach = mention.get("reach")
            ours = mention.get("ours") is True  # the brand's own post, as the engine marked it
            if count(key, topic, compound, _LABELS.get(label_name), reach, ours=ours):
                count_terms(key, mention["text"])
                self._keep_top((reach or 0, -number), mention, compound)
            if latest is None or key > latest:
                if latest is not None:
                    self._advance(minute_of(key))  # minutes before this one are complete
                latest = key
        self.mentions = number
        if latest is not None:
            self._advance(minute_of(latest + 1))

    def _keep_top(self, entry: tuple[int, int], mention: dict[str, Any], compound: float) -> None:
        # entry is (reach, -log order): the earlier post wins a tie.
        if len(self.top) < TOP_CANDIDATES:
            heapq.heappush(self.top, (*entry, {**mention, "compound": compound}))
        elif entry > self.top[0][:2]:
            heapq.heapreplace(self.top, (*entry, {**mention, "compound": compound}))

    def _advance(self, now: datetime) -> None:
        signals = self.signals
        found = signals.advance(now)
        baseline = signals.baseline.negative_share if signals.baseline.ready else None
        self.checkpoints.append((minute_key(now) - 1, baseline))
        for change in found:
            if self.surge_baseline is None and change.level is not Level.NORMAL:
                self.surge_baseline = baseline
            self.changes.append(
                {
                    "at": format_time(change.at),
                    "level": str(change.level),
                    "previous": str(change.previous),
                    "reason": change.reason,
                }
            )


def replay(
    log: IncidentLog, rule: DetectorRule, overrides: Mapping[str, Label] | None = None
) -> Replay:
    """Replay every stored mention of `log`, with the team's overrides: one pass, any size."""
    replayed = Replay(rule, overrides)
    replayed.run(log.mention_records())
    return replayed


def build_aggregates(
    log: IncidentLog, rule: DetectorRule, overrides: Mapping[str, Label] | None = None
) -> Aggregates:
    """The review's per-minute rows, level changes and top mentions, from one replay."""
    replayed = replay(log, rule, overrides)
    series = replayed.signals.series(max_gap=None)
    changes = replayed.changes
    first_surge = next((c for c in changes if c["level"] != str(Level.NORMAL)), None)
    since = minute_key(parse_time(first_surge["at"])) - 1 if first_surge else None
    negatives = {minute_key(s.minute): s.negative for s in series}
    baseline = replayed.signals.baseline
    return Aggregates(
        cache_key(log, rule, replayed.overrides),
        _rows(series, replayed.checkpoints),
        changes,
        replayed.surge_baseline,
        baseline.negative_share if baseline.ready else None,
        _top_terms(replayed.terms, negatives, since),
        _top_negative(entry[2] for entry in sorted(replayed.top, reverse=True)),
        replayed.mentions,
        log.left_out.describe(),
    )


def _rows(
    series: Iterable[MinuteStats], checkpoints: list[tuple[int, float | None]]
) -> list[MinuteRow]:
    rows = []
    index = 0
    for stats in series:
        key = minute_key(stats.minute)
        while index < len(checkpoints) and checkpoints[index][0] < key:
            index += 1
        baseline = checkpoints[index][1] if index < len(checkpoints) else None
        rows.append(
            MinuteRow(
                stats.minute,
                stats.volume,
                stats.scored,
                stats.negative,
                stats.neutral,
                stats.positive,
                baseline,
            )
        )
    return rows


def _top_negative(mentions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The most-reached negative mentions, copies grouped (×copies, total reach), one per author."""
    pieces = [
        Piece(
            m,
            str(m.get("text", "")),
            m.get("author"),
            m.get("reach") or 0,
            m["compound"],
            m.get("url"),
        )
        for m in mentions
    ]
    grouped = group_evidence(pieces, limit=TOP_LIMIT, terms=negative_terms)
    return [{**item.item, **item.to_dict()} for item in grouped]


def _top_terms(
    terms: TermSample, negatives: dict[int, int], since: int | None
) -> list[tuple[str, int]]:
    total: dict[str, float] = {}
    sampled = terms.sampled
    for key, counts in terms.counts.items():
        if since is not None and key < since:
            continue
        scale = max(negatives.get(key, 0), sampled[key]) / sampled[key]
        for term, number in counts.items():
            total[term] = total.get(term, 0.0) + number * scale
    ranked = sorted(total.items(), key=lambda item: (-item[1], item[0]))
    return [(term, round(value)) for term, value in ranked[:TOP_LIMIT]]


def load_aggregates(
    log: IncidentLog,
    rule: DetectorRule | None = None,
    overrides: Mapping[str, Label] | None = None,
    *,
    cache: bool = True,
) -> Aggregates:
    """The cached aggregates when they match the log, else rebuilt (and cached if we can)."""
    rule = rule or DetectorRule()
    overrides = dict(overrides or {})
    path = log.path / CACHE_NAME
    if cache and path.is_file():
        try:
            data = json.loads(path.read_bytes())
            if data.get("key") == cache_key(log, rule, overrides):
                return Aggregates.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass  # a damaged cache is rebuilt: it holds nothing the log does not
    aggregates = build_aggregates(log, rule, overrides)
    if cache:
        try:
            payload = json.dumps(aggregates.to_dict(), separators=(",", ":"), allow_nan=False)
            write_atomically(path, payload.encode("ascii", "backslashreplace"))
        except OSError:
            pass  # a read-only data directory: review still works, only slower next time
    return aggregates
