"""The review's time axis: an incident's state, figures and chart columns at any of its minutes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from warroom.incident.state import IncidentState
from warroom.model import Event, EventKind, Level, parse_time
from warroom.playbook import Playbook
from warroom.review.aggregates import MinuteRow
from warroom.review.document import Review
from warroom.review.metrics import Reaction, window_shares

MINUTE = timedelta(minutes=1)
# Marker characters on the chart, strongest first: one shows when a column holds several.
MARKERS = (
    (EventKind.DECLARED, "▶"),
    (EventKind.CLOSED, "■"),
    (EventKind.DRAFT, "✉"),
    (EventKind.NOTIFICATION, "✉"),
    (EventKind.STEP_CHECKED, "✓"),
)
_MARKER_RANK = {kind: rank for rank, (kind, _) in enumerate(MARKERS)}
_MARKER_CHAR = dict(MARKERS)
_LEVELS = {str(level) for level in Level}


def floor_minute(moment: datetime) -> datetime:
    """The start of the minute holding `moment`."""
    return moment.replace(second=0, microsecond=0)


def event_time(event: Event) -> datetime:
    """When an event belongs on the incident's time axis.

    A level change is placed at the minute the detector judged (event time); the log's `at` is
    when it was written, which a replay or a drill may have done much later.
    """
    if event.kind is EventKind.LEVEL_CHANGED:
        value = event.data.get("minute")
        if isinstance(value, str):
            try:
                return parse_time(value) - MINUTE
            except ValueError:
                pass
    return event.at


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the chart: a run of minutes summed, its worst level and its strongest mark."""

    first: int
    last: int
    volume: int
    scored: int
    negative: int
    baseline_share: float | None
    level: Level
    marker: str

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.scored if self.scored else None


class ReviewData:
    """A finished (or running) incident laid out minute by minute, from its first to its last."""

    def __init__(self, review: Review) -> None:
        self.review = review
        self.meta = review.meta
        self.playbook = review.playbook
        self.rule = review.rule
        self.events = list(review.state.timeline)
        self._times = [event_time(event) for event in self.events]
        rows = review.aggregates.rows
        moments = [row.minute for row in rows] + [floor_minute(t) for t in self._times]
        if not moments:
            moments = [floor_minute(self.meta.created_at)]
        self.first = min(moments)
        self.minutes = int((max(moments) - self.first) / MINUTE) + 1
        self.rows: list[MinuteRow | None] = [None] * self.minutes
        for row in rows:
            self.rows[self.index_of(row.minute)] = row
        filled = [row or MinuteRow(self.minute_at(i)) for i, row in enumerate(self.rows)]
        self.window = window_shares(filled, self.rule.window_minutes, self.rule.min_volume)
        self.levels = self._levels()
        self.markers = self._markers()
        self.state_at = lru_cache(maxsize=64)(self._state_at)

    def playbook_for(self, state: IncidentState) -> Playbook | None:
        """The playbook in force in `state` (the state at the cursor), when it loads."""
        return self.review.playbook_named(state.playbook)

    # -- the axis ----------------------------------------------------------------------------

    def minute_at(self, index: int) -> datetime:
        """The start of the index-th minute of the incident."""
        return self.first + index * MINUTE

    def index_of(self, moment: datetime) -> int:
        """The minute index holding `moment`, clamped to the incident."""
        index = int((moment - self.first) // MINUTE)
        return max(0, min(self.minutes - 1, index))

    def start_index(self) -> int:
        """Where the cursor starts: the declaration, else the first level change, else minute 0."""
        state = self.review.state
        if state.declared_at is not None:
            return self.index_of(state.declared_at)
        for event, moment in zip(self.events, self._times, strict=True):
            if event.kind is EventKind.LEVEL_CHANGED:
                return self.index_of(moment)
        return 0

    # -- the state at a minute ---------------------------------------------------------------

    def _state_at(self, index: int) -> IncidentState:
        """The incident as it stood at the end of minute `index`: its events folded in log order."""
        cut = self.minute_at(index) + MINUTE
        state = IncidentState(name=self.meta.name)
        for event, moment in zip(self.events, self._times, strict=True):
            if moment < cut:
                state.apply(event)
        return state

    def events_until(self, index: int) -> tuple[list[Event], int]:
        """The timeline up to the end of minute `index`, and how many events come later."""
        cut = self.minute_at(index) + MINUTE
        done = [e for e, moment in zip(self.events, self._times, strict=True) if moment < cut]
        return done, len(self.events) - len(done)

    def row(self, index: int) -> MinuteRow:
        """The minute's figures (an empty row for a minute without mentions)."""
        return self.rows[index] or MinuteRow(self.minute_at(index))

    def window_share(self, index: int) -> float | None:
        """The negative share of the detector's window ending at this minute (None: too few)."""
        return self.window[index][0]

    def reaction_at(self, index: int) -> Reaction | None:
        """The public's reaction to the latest of our posts by the end of minute `index`."""
        cut = self.minute_at(index) + MINUTE
        before = [r for r in self.review.metrics.reactions if r.at < cut]
        return before[-1] if before else None

    # -- the chart ---------------------------------------------------------------------------

    def _levels(self) -> list[Level]:
        changes = sorted(
            (self.index_of(moment), Level(event.data["level"]))
            for event, moment in zip(self.events, self._times, strict=True)
            if event.kind is EventKind.LEVEL_CHANGED and event.data.get("level") in _LEVELS
        )
        levels = []
        level = Level.NORMAL
        position = 0
        for index in range(self.minutes):
            while position < len(changes) and changes[position][0] <= index:
                level = changes[position][1]
                position += 1
            levels.append(level)
        return levels

    def _markers(self) -> dict[int, EventKind]:
        found: dict[int, EventKind] = {}
        for event, moment in zip(self.events, self._times, strict=True):
            if event.kind not in _MARKER_RANK:
                continue
            index = self.index_of(moment)
            held = found.get(index)
            if held is None or _MARKER_RANK[event.kind] < _MARKER_RANK[held]:
                found[index] = event.kind
        return found

    def per_column(self, width: int) -> int:
        """Minutes per chart column so the whole incident fits in `width` columns."""
        return max(1, math.ceil(self.minutes / max(1, width)))

    def columns(self, per: int) -> list[Column]:
        """The chart's columns, `per` minutes each."""
        out = []
        for first in range(0, self.minutes, per):
            last = min(self.minutes, first + per) - 1
            rows = [r for r in self.rows[first : last + 1] if r is not None]
            levels = self.levels[first : last + 1]
            kinds = [self.markers[i] for i in range(first, last + 1) if i in self.markers]
            kind = min(kinds, key=_MARKER_RANK.__getitem__) if kinds else None
            baselines = [r.baseline_share for r in rows if r.baseline_share is not None]
            out.append(
                Column(
                    first,
                    last,
                    sum(r.volume for r in rows),
                    sum(r.scored for r in rows),
                    sum(r.negative for r in rows),
                    baselines[-1] if baselines else None,
                    max(levels, key=lambda level: level.rank),
                    _MARKER_CHAR[kind] if kind is not None else "",
                )
            )
        return out
