"""The post-mortem: an incident's review (log, aggregates, metrics) rendered as Markdown."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from warroom.detection.signals import DetectorRule
from warroom.incident.log import IncidentLog, IncidentMeta
from warroom.incident.state import IncidentState, describe_event
from warroom.model import Event, EventKind
from warroom.playbook import Playbook, PlaybookInvalid, PlaybookNotFound, find_playbook
from warroom.playbook import load_playbook as read_playbook
from warroom.review.aggregates import Aggregates, load_aggregates
from warroom.review.metrics import Metrics, compute_metrics, is_public, window_shares

DEFINITIONS = (
    (
        "first negative surge",
        "start of the first minute whose detector window, replaying the "
        "stored mentions by event time into a fresh detector, rose above normal",
    ),
    ("detected", "first logged level change to crisis; if never crisis, to elevated (stated)"),
    ("declared", "the DECLARED event's declared_at"),
    (
        "first public response",
        "first check of a playbook step with a public (non-internal) "
        "channel, e.g. the holding statement",
    ),
    ("apology", "first check of a step whose template is of kind apology"),
    (
        "back to baseline",
        "first minute after the peak whose window negative share is within "
        "the baseline band (baseline share x the detector's elevated lift) while the logged "
        "level is normal",
    ),
    ("closed", "the CLOSED event"),
    (
        "intervals",
        "detect: surge to detected; declare: detected to declared; respond, "
        "apologise, recover: from the surge (or from declared when the replay found no surge); "
        "open: declared to closed",
    ),
    (
        "steps",
        "on time / late: checked before / after declared_at + the step's due minutes; "
        "skipped: unchecked when closed; not due: deadline after the close; open: incident still "
        "open; not applicable: the step's level was never reached",
    ),
)

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

    @property
    def events(self) -> list[Event]:
        return self.state.timeline


def build_review(
    log: IncidentLog,
    *,
    playbook: Playbook | None = None,
    rule: DetectorRule | None = None,
    cache: bool = True,
    user_dir: Path | None = None,
) -> Review:
    """Read an incident's events, load (or build) its aggregates and compute its metrics."""
    rule = rule or DetectorRule()
    state = IncidentState.from_events(log.events(), name=log.meta.name)
    problem = None
    if playbook is None and state.playbook:
        try:
            playbook = read_playbook(find_playbook(state.playbook, user_dir))
        except (PlaybookNotFound, PlaybookInvalid, OSError) as error:
            problem = f"playbook {state.playbook!r} could not be loaded ({error}); steps unknown"
    aggregates = load_aggregates(log, rule, state.overrides, cache=cache)
    metrics = compute_metrics(state, aggregates, playbook, rule)
    return Review(log.meta, state, aggregates, metrics, playbook, rule, problem)


# --- formatting --------------------------------------------------------------------------------


def local_zone(name: str | None = None) -> tzinfo:
    """The zone for local times: a zoneinfo name, else this machine's zone."""
    if name:
        from zoneinfo import ZoneInfo  # deferred: only --tz needs the tz database

        return ZoneInfo(name)
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def zone_label(zone: tzinfo) -> str:
    """A zone's name for headings: its zoneinfo key, else its abbreviation now."""
    return str(getattr(zone, "key", None) or datetime.now(zone).strftime("%Z"))


def utc_text(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def local_text(moment: datetime | None, zone: tzinfo) -> str:
    return "—" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def duration_text(span: timedelta | None) -> str:
    """A duration as 2h 05m, 12m 30s or 45s; negative spans keep their sign."""
    if span is None:
        return "—"
    seconds = int(span.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md(text: object) -> str:
    """Text from the log as inert Markdown: one line, every markup character escaped."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def moment_note(review: Review, name: str) -> str:
    """Why a key moment is what it is (or why it is missing)."""
    m = review.metrics
    notes = {
        "first_surge": "replayed detector never left normal" if m.first_surge is None else "",
        "detected": (
            "never raised"
            if m.detected_level is None
            else ("crisis" if m.detected_level == "crisis" else "elevated; never crisis")
        ),
        "declared": "never declared" if m.declared is None else f"by {review.state.declared_by}",
        "first_response": m.first_response_step or "no public step checked",
        "apology": m.apology_step or "no apology step checked",
        "back_to_baseline": _recovery_note(m),
        "closed": "still open" if m.closed is None else "",
    }
    return notes[name]


def _recovery_note(m: Metrics) -> str:
    if m.back_to_baseline is not None:
        return f"band <= {percent(m.band)}"
    if m.band is None:
        return "no baseline learned"
    return f"never recovered (band <= {percent(m.band)})"


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
        lines += _reactions(review)
    if any(w in text for w in ("change", "playbook")) and (late or skipped):
        ids = ", ".join(s.id for s in late + skipped)
        lines.append(f"candidates to re-time or drop: {ids}.")
    if not lines:
        lines.append(
            f"peak negative share {percent(m.peak_share)}, peak volume {m.peak_volume}/min, "
            f"time to recover {duration_text(intervals['recover'])}."
        )
    return lines


def _longest_gap(review: Review) -> str:
    checks = sorted(e.at for e in review.events if e.kind is EventKind.STEP_CHECKED)
    start = review.metrics.declared
    moments = ([start] if start else []) + [t for t in checks if not start or t >= start]
    if len(moments) < 2:
        return "too few step checks to show a stall."
    gaps = [(b - a, a) for a, b in itertools.pairwise(moments)]
    gap, at = max(gaps)
    return f"longest wait between step checks: {duration_text(gap)} from {utc_text(at)}."


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
                f"{step_id}: negative share {percent(before)} -> {percent(after)} 30 min on."
            )
    return lines or ["no public statements to compare."]


def render_markdown(review: Review, zone: tzinfo) -> str:
    """The post-mortem as Markdown, with a text chart."""
    from warroom.review.chart import text_chart  # deferred: the chart module imports this one

    m = review.metrics
    meta = review.meta
    state = review.state
    zone_name = zone_label(zone)
    out = [f"# Post-mortem: {md(state.name or meta.name)}", ""]
    drill = " · DRILL" if meta.drill else ""
    out += [
        f"Incident `{meta.slug}`{drill} · brand {md(meta.brand or '—')} · "
        f"{review.aggregates.mentions} mentions, {len(review.events)} events · "
        f"times in UTC and local time ({zone_name})",
        "",
        "## Summary",
        "",
    ]
    status = "closed" if state.closed_at else ("declared" if state.declared else "never declared")
    out.append(f"- Status: {status}; peak level {state.peak_level}.")
    if state.summary:
        out.append(f"- Closing summary: {md(state.summary)}")
    for line in summary_lines(review):
        out.append(f"- {md(line)}")
    if review.playbook_problem:
        out.append(f"- Warning: {md(review.playbook_problem)}")
    out += ["", "## Chart", "", "```text", *text_chart(review), "```"]
    out += [
        "",
        "## Key times",
        "",
        f"| moment | UTC | local ({zone_name}) | note |",
        "|---|---|---|---|",
    ]
    for name, label in MOMENTS:
        at = getattr(m, name)
        note = md(moment_note(review, name))
        out.append(f"| {label} | {utc_text(at)} | {local_text(at, zone)} | {note} |")
    out += ["", "| interval | duration |", "|---|---|"]
    for name, span in m.intervals().items():
        out.append(f"| time to {name} | {duration_text(span)} |")
    out.append("")
    out += _steps_md(review)
    out += ["## Timeline", "", "| UTC | local | who | what |", "|---|---|---|---|"]
    for event in review.events:
        who = md(event.author or "detector")
        what = md(describe_event(event))
        out.append(f"| {utc_text(event.at)} | {local_text(event.at, zone)} | {who} | {what} |")
    out += ["", "## Top negative terms", ""]
    terms = ", ".join(f"{md(t)} ({c})" for t, c in review.aggregates.top_terms)
    out.append(terms or "none")
    out += ["", "## Most-reached negative mentions", ""]
    for item in review.aggregates.top_negative:
        author = md(item.get("author") or "?")
        url = f" · {md(item['url'])}" if item.get("url") else ""
        out.append(f"- {item.get('reach') or 0} reach · {author}{url}: {md(item['text'])}")
    if not review.aggregates.top_negative:
        out.append("none")
    out += ["", "## Notes", ""]
    for note in state.notes():
        out.append(
            f"- {utc_text(note.at)} {md(note.author or '?')}: {md(note.data.get('text', ''))}"
        )
    if not state.notes():
        out.append("none")
    out += ["", "## Review questions", ""]
    for question in review.playbook.review_questions if review.playbook else ():
        out += [f"### {md(question)}", ""]
        out += [f"- From the log: {md(line)}" for line in answers(question, review)]
        out.append("")
    out += ["## Definitions", ""]
    out += [f"- **{name}**: {text}" for name, text in DEFINITIONS]
    return "\n".join(out) + "\n"


def summary_lines(review: Review) -> list[str]:
    """The headline figures, as plain sentences."""
    m = review.metrics
    spans = m.intervals()
    counts = {s: sum(1 for o in m.steps if o.status == s) for s in ("on time", "late", "skipped")}
    return [
        f"Time to detect {duration_text(spans['detect'])}, to respond "
        f"{duration_text(spans['respond'])}, to recover {duration_text(spans['recover'])}.",
        f"Peak negative share {percent(m.peak_share)} (at {utc_text(m.peak_share_at)}); "
        f"peak volume {m.peak_volume} mentions/min (at {utc_text(m.peak_volume_at)}).",
        f"Steps: {counts['on time']} on time, {counts['late']} late, {counts['skipped']} skipped.",
    ]


def _steps_md(review: Review) -> list[str]:
    m = review.metrics
    out = ["## Steps", "", "| step | owner | status | deadline (UTC) | checked (UTC) | by |"]
    out.append("|---|---|---|---|---|---|")
    for s in m.steps:
        late = f" by {duration_text(s.late_by)}" if s.late_by else ""
        out.append(
            f"| {md(s.title)} | {md(s.owner)} | {s.status}{late} | {utc_text(s.deadline)} |"
            f" {utc_text(s.checked_at)} | {md(s.by or '')} |"
        )
    out += [
        "",
        "| owner role | on time | late | skipped | open | other |",
        "|---|---|---|---|---|---|",
    ]
    for owner, row in m.by_owner().items():
        other = row["not due"] + row["not applicable"] + row["done"]
        out.append(
            f"| {md(owner)} | {row['on time']} | {row['late']} | {row['skipped']} |"
            f" {row['open']} | {other} |"
        )
    return [*out, ""]
