"""One incident's review as data (`Review`) and what it shows, in plain sentences."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from warroom.detection.signals import DetectorRule
from warroom.incident.log import IncidentMeta
from warroom.incident.state import IncidentState
from warroom.model import Event, EventKind, Level
from warroom.playbook import Playbook
from warroom.review.aggregates import Aggregates
from warroom.review.metrics import Metrics, is_public, window_shares
from warroom.review.text import clip, duration_text, human_time, percent

# The key moments: the Metrics attribute and its label, in the order the charts letter them.
MOMENTS = (
    ("first_surge", "first negative surge"),
    ("detected", "detected"),
    ("declared", "declared"),
    ("first_response", "first public response"),
    ("apology", "apology"),
    ("back_to_baseline", "back to baseline"),
    ("closed", "closed"),
)


@dataclass
class Review:
    """Everything a post-mortem shows, derived from one incident's log."""

    meta: IncidentMeta
    state: IncidentState
    aggregates: Aggregates
    metrics: Metrics
    playbook: Playbook | None
    rule: DetectorRule
    playbook_problem: str | None = None
    # The playbooks in force before a switch, by name (those that still load).
    earlier: dict[str, Playbook] = field(default_factory=dict)

    def playbook_named(self, name: str | None) -> Playbook | None:
        """One of the playbooks that were in force, by name; the last one when not known."""
        if name and self.playbook is not None and name == self.playbook.name:
            return self.playbook
        if name and name in self.earlier:
            return self.earlier[name]
        return None if name and self.state.playbooks else self.playbook

    @property
    def problems(self) -> list[str]:
        """What the reader must know the post-mortem could not use, one line each."""
        found = [self.playbook_problem, self.aggregates.left_out]
        return [problem for problem in found if problem]

    @property
    def events(self) -> list[Event]:
        """The incident's events, in log order."""
        return self.state.timeline


def _detected_note(m: Metrics) -> str:
    """The level detected, and the warning ELEVATED gave before a crisis."""
    if m.detected_level is None:
        return "never raised"
    if m.detected_level is not Level.CRISIS:
        return "elevated; never crisis"
    if m.detected is None or m.elevated_first is None:
        return "crisis"
    return f"crisis, elevated {duration_text(m.detected - m.elevated_first)} before"


def moment_note(review: Review, name: str) -> str:
    """Why a key moment is what it is (or why it is missing)."""
    m = review.metrics
    notes = {
        "first_surge": "replayed detector never left normal" if m.first_surge is None else "",
        "detected": _detected_note(m),
        "declared": "never declared" if m.declared is None else f"by {review.state.declared_by}",
        "first_response": _source_note(m.first_response_source, m.first_response_step),
        "apology": _source_note(m.apology_source, m.apology_step),
        "back_to_baseline": _recovery_note(m),
        "closed": "still open" if m.closed is None else "",
    }
    return notes[name]


def _source_note(source: str | None, step: str | None) -> str:
    """Where a response time came from: our posts, a step (named), a published draft."""
    if source is None:
        return "none found (no post of ours, public step checked or draft marked published)"
    if source == "steps" and step:
        return f"from steps: {step}"
    return f"from {source}"


def response_lines(review: Review) -> list[str]:
    """Our public responses: how many, from which source, the cadence and the longest silence."""
    m = review.metrics
    if not m.responses:
        return ["Public responses: none found."]
    gaps = m.cadence()
    cadence = ", ".join(duration_text(gap) for gap in gaps) if gaps else "one response only"
    lines = [
        f"Public responses: {len(m.responses)} (from {m.first_response_source}); gaps {cadence}."
    ]
    if m.longest_silence is not None:
        lines.append(
            f"Longest silence: {duration_text(m.longest_silence)} "
            f"from {human_time(m.longest_silence_from)}."
        )
    return lines


def reaction_lines(review: Review) -> list[str]:
    """The public's reaction to each of our posts: 30 minutes after against 30 before."""
    return [
        f"{human_time(r.at)} “{clip(r.text, 60)}”: negative share {percent(r.before_share)} → "
        f"{percent(r.after_share)}, volume {r.before_volume} → {r.after_volume} (30 min)"
        for r in review.metrics.reactions
    ]


def _recovery_note(m: Metrics) -> str:
    if m.back_to_baseline is not None:
        return f"negative share back under {percent(m.band)}"
    if m.band is None:
        return "no baseline learned"
    return f"never recovered (negative share stayed over {percent(m.band)})"


def answers(question: str, review: Review) -> list[str]:
    """What the log shows for one review question, by the question's words (plain text)."""
    m = review.metrics
    text = question.lower()
    lines: list[str] = []
    intervals = m.intervals()
    late = [s for s in m.steps if s.status == "late"]
    skipped = [s for s in m.steps if s.status == "skipped"]
    if any(w in text for w in ("late", "skipped", "effective")):
        counts = {s: sum(1 for o in m.steps if o.status == s) for s in ("on time", "late")}
        lines.append(
            f"{counts['on time']} steps on time, {counts['late']} late, {len(skipped)} skipped."
        )
        lines += [f"late: {s.id} ({s.owner}) by {duration_text(s.late_by)}" for s in late]
        lines += [f"skipped: {s.id} ({s.owner})" for s in skipped]
    if any(w in text for w in ("detect", "how long", "recover", "holding")):
        spans = {name: duration_text(span) for name, span in intervals.items()}
        lines.append(
            f"time to detect {spans['detect']}, to respond {spans['respond']},"
            f" to recover {spans['recover']}."
        )
    if "communication" in text:
        notes = len(review.state.notes())
        drafts = sum(1 for e in review.events if e.kind is EventKind.DRAFT)
        lines.append(f"notes in the log: {notes}; messages drafted: {drafts}.")
    if any(w in text for w in ("decision", "stall", "waiting")):
        lines.append(_longest_gap(review))
    if any(w in text for w in ("audience", "react")):
        lines += reaction_lines(review) or _reactions(review)
    if any(w in text for w in ("change", "playbook")) and (late or skipped):
        ids = ", ".join(s.id for s in late + skipped)
        lines.append(f"candidates to re-time or drop: {ids}.")
    return lines


def _longest_gap(review: Review) -> str:
    checks = sorted(e.at for e in review.events if e.kind is EventKind.STEP_CHECKED)
    start = review.metrics.declared
    moments = ([start] if start else []) + [t for t in checks if not start or t >= start]
    if len(moments) < 2:
        return "too few step checks to show a stall."
    gaps = [(b - a, a) for a, b in itertools.pairwise(moments)]
    gap, at = max(gaps)
    return f"longest wait between step checks: {duration_text(gap)} from {human_time(at)}."


def _reactions(review: Review) -> list[str]:
    """Window negative share just before and 30 minutes after each public step check."""
    rows = review.aggregates.rows
    if not rows or review.playbook is None:
        return ["no public statements to compare."]
    shares = window_shares(rows, review.rule.window_minutes)
    first = rows[0].minute

    def share_at(moment: datetime) -> float | None:
        index = int((moment - first).total_seconds() // 60)
        return shares[index][0] if 0 <= index < len(shares) else None

    lines = []
    for event in review.events:
        if event.kind is not EventKind.STEP_CHECKED:
            continue
        step_id = str(event.data.get("step"))
        try:
            step = review.playbook.step(step_id)
        except KeyError:
            continue
        if is_public(review.playbook, step):
            before = share_at(event.at)
            after = share_at(event.at + timedelta(minutes=30))
            lines.append(
                f"{step_id}: negative share {percent(before)} → {percent(after)} 30 min on."
            )
    return lines or ["no public statements to compare."]


def summary_lines(review: Review) -> list[str]:
    """The headline figures, as plain sentences."""
    m = review.metrics
    spans = m.intervals()
    counts = {s: sum(1 for o in m.steps if o.status == s) for s in ("on time", "late", "skipped")}
    return [
        f"Time to detect {duration_text(spans['detect'])}, to respond "
        f"{duration_text(spans['respond'])}, to recover {duration_text(spans['recover'])}.",
        f"Peak negative share {percent(m.peak_share)} (at {human_time(m.peak_share_at)}); "
        f"peak volume {m.peak_volume} mentions/min (at {human_time(m.peak_volume_at)}).",
        f"Steps: {counts['on time']} on time, {counts['late']} late, {counts['skipped']} skipped.",
        *response_lines(review),
    ]
