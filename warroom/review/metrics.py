"""Incident metrics from the log: key moments, intervals, peaks, steps on time, late, skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from warroom.detection.detector import ELEVATED_LIFT
from warroom.detection.signals import DetectorRule
from warroom.incident.state import IncidentState
from warroom.model import Event, EventKind, Level, parse_time
from warroom.playbook import Playbook, Step
from warroom.review.aggregates import MINUTE, Aggregates, MinuteRow

STATUSES = ("on time", "late", "skipped", "open", "not due", "not applicable", "done")


@dataclass(frozen=True)
class StepOutcome:
    """How one playbook step went: checked on time, late, skipped, still open, ..."""

    id: str
    title: str
    owner: str
    status: str
    deadline: datetime | None = None
    checked_at: datetime | None = None
    by: str | None = None

    @property
    def late_by(self) -> timedelta | None:
        if self.status == "late" and self.deadline and self.checked_at:
            return self.checked_at - self.deadline
        return None


@dataclass
class Metrics:
    """The post-mortem's figures, each derived from the log as the module README defines."""

    first_surge: datetime | None = None
    detected: datetime | None = None
    detected_level: Level | None = None
    declared: datetime | None = None
    first_response: datetime | None = None
    first_response_step: str | None = None
    apology: datetime | None = None
    apology_step: str | None = None
    back_to_baseline: datetime | None = None
    closed: datetime | None = None
    start: datetime | None = None  # what the intervals count from: the surge, else declared
    baseline_share: float | None = None
    peak_share: float | None = None
    peak_share_at: datetime | None = None
    peak_volume: int = 0
    peak_volume_at: datetime | None = None
    steps: list[StepOutcome] = field(default_factory=list)

    def intervals(self) -> dict[str, timedelta | None]:
        """Time to detect, declare, respond, apologise and recover, and how long it was open."""

        def span(a: datetime | None, b: datetime | None) -> timedelta | None:
            return b - a if a is not None and b is not None else None

        return {
            "detect": span(self.first_surge, self.detected),
            "declare": span(self.detected, self.declared),
            "respond": span(self.start, self.first_response),
            "apologise": span(self.start, self.apology),
            "recover": span(self.start, self.back_to_baseline),
            "open": span(self.declared, self.closed),
        }

    @property
    def band(self) -> float | None:
        """The top of the baseline band: the detector's elevated lift over the usual share."""
        return None if self.baseline_share is None else self.baseline_share * ELEVATED_LIFT

    def by_owner(self) -> dict[str, dict[str, int]]:
        """Step outcomes counted per owner role."""
        table: dict[str, dict[str, int]] = {}
        for step in self.steps:
            row = table.setdefault(step.owner, dict.fromkeys(STATUSES, 0))
            row[step.status] += 1
        return dict(sorted(table.items()))


def window_shares(
    rows: list[MinuteRow], window: int, min_volume: int = 1
) -> list[tuple[float | None, int]]:
    """Each minute's trailing-window negative share (None under min_volume) and its scored."""
    out: list[tuple[float | None, int]] = []
    scored = negative = 0
    for index, row in enumerate(rows):
        scored += row.scored
        negative += row.negative
        if index >= window:
            scored -= rows[index - window].scored
            negative -= rows[index - window].negative
        out.append((negative / scored if scored >= min_volume else None, scored))
    return out


def compute_metrics(
    state: IncidentState,
    aggregates: Aggregates,
    playbook: Playbook | None,
    rule: DetectorRule | None = None,
) -> Metrics:
    """Every figure of the post-mortem from the replayed state, the aggregates and the playbook."""
    rule = rule or DetectorRule()
    result = Metrics(declared=state.declared_at, closed=state.closed_at)
    surge = next((c for c in aggregates.surges if c["level"] != str(Level.NORMAL)), None)
    if surge is not None:
        result.first_surge = parse_time(surge["at"]) - MINUTE
    levels = [e for e in state.timeline if e.kind is EventKind.LEVEL_CHANGED]
    for wanted in (Level.CRISIS, Level.ELEVATED):
        found = next((e for e in levels if e.data.get("level") == str(wanted)), None)
        if found is not None:
            result.detected, result.detected_level = found.at, wanted
            break
    _responses(result, state, playbook)
    result.start = result.first_surge or result.declared
    rows = aggregates.rows
    shares = window_shares(rows, rule.window_minutes, rule.min_volume)
    peak = max(
        (i for i, (share, _) in enumerate(shares) if share is not None),
        key=lambda i: (shares[i][0], -i),
        default=None,
    )
    if peak is not None:
        result.peak_share, result.peak_share_at = shares[peak][0], rows[peak].minute
    if rows:
        top = max(range(len(rows)), key=lambda i: (rows[i].volume, -i))
        result.peak_volume, result.peak_volume_at = rows[top].volume, rows[top].minute
    result.baseline_share = aggregates.surge_baseline
    if result.baseline_share is None and result.declared is not None:
        result.baseline_share = _baseline_at(rows, result.declared)
    if peak is not None and result.start is not None and result.band is not None:
        result.back_to_baseline = _recovered(rows, shares, peak, result.band, levels)
    result.steps = step_outcomes(state, playbook)
    return result


def _baseline_at(rows: list[MinuteRow], moment: datetime) -> float | None:
    known = [r.baseline_share for r in rows if r.minute <= moment and r.baseline_share is not None]
    return known[-1] if known else None


def _recovered(
    rows: list[MinuteRow],
    shares: list[tuple[float | None, int]],
    peak: int,
    band: float,
    levels: list[Event],
) -> datetime | None:
    changes = sorted((_level_time(e), str(e.data.get("level"))) for e in levels)
    for index in range(peak + 1, len(rows)):
        share = shares[index][0]
        if share is not None and share > band:  # None: too few mentions to judge, so calm
            continue
        end = rows[index].minute + MINUTE
        level = next((lv for at, lv in reversed(changes) if at <= end), str(Level.NORMAL))
        if level == str(Level.NORMAL):
            return rows[index].minute
    return None


def _level_time(event: Event) -> datetime:
    # The detector's own minute (event time) when logged, else when it was written.
    value = event.data.get("minute")
    try:
        return parse_time(value) if isinstance(value, str) else event.at
    except ValueError:
        return event.at


def _step(playbook: Playbook | None, step_id: str) -> Step | None:
    try:
        return playbook.step(step_id) if playbook else None
    except KeyError:
        return None


def _template_kind(playbook: Playbook | None, template_id: str | None) -> str | None:
    if playbook is None or not template_id:
        return None
    try:
        return playbook.template(template_id).kind
    except KeyError:
        return None


def is_public(playbook: Playbook, step: Step) -> bool:
    """A step that speaks to the public: one of its channels is not internal."""
    kinds = {c.id: c.kind for c in playbook.channels}
    return any(kinds.get(channel, channel) != "internal" for channel in step.channels)


def _responses(result: Metrics, state: IncidentState, playbook: Playbook | None) -> None:
    for event in state.timeline:
        if event.kind is not EventKind.STEP_CHECKED:
            continue
        step = _step(playbook, str(event.data.get("step")))
        if step is None or playbook is None:
            continue
        if result.first_response is None and is_public(playbook, step):
            result.first_response, result.first_response_step = event.at, step.id
        if result.apology is None and _template_kind(playbook, step.template) == "apology":
            result.apology, result.apology_step = event.at, step.id


def step_outcomes(state: IncidentState, playbook: Playbook | None) -> list[StepOutcome]:
    """Each step's outcome: on time / late against declared_at + due, skipped, open, ..."""
    if playbook is None:
        return [
            StepOutcome(c.step, c.step, "?", "done", None, c.at, c.by)
            for c in state.checks.values()
        ]
    peak = state.peak_level
    outcomes = []
    for step in playbook.steps:
        check = state.checks.get(step.id)
        deadline = step.deadline(state.declared_at) if state.declared_at else None
        at: datetime | None
        by: str | None
        if check is not None:
            status = "done" if deadline is None else "on time" if check.at <= deadline else "late"
            at, by = check.at, check.by
        else:
            at = by = None
            if peak not in step.levels:
                status = "not applicable"
            elif state.closed_at is None:
                status = "open"
            elif deadline is not None and deadline > state.closed_at:
                status = "not due"
            else:
                status = "skipped"
        outcomes.append(StepOutcome(step.id, step.title, step.owner, status, deadline, at, by))
    return outcomes
