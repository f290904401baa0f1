"""The post-mortem as sections built once from a `Review`; markdown.py and html.py render them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from warroom.incident.state import describe_event
from warroom.model import Event, EventKind, parse_time
from warroom.review.definitions import DEFINITIONS
from warroom.review.findings import (
    MOMENTS,
    Review,
    answers,
    moment_note,
    summary_lines,
)
from warroom.review.text import (
    clip,
    differs_from_utc,
    duration_text,
    human_date,
    human_time,
    percent,
    reach_text,
    zone_label,
    zone_text,
)

NONE = "none"  # what an empty list or paragraph says


@dataclass(frozen=True)
class Paragraph:
    """A line of text."""

    text: str


@dataclass(frozen=True)
class Items:
    """A bulleted list."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Styled:
    """A table cell's text with a style (HTML colours a late or skipped step by it)."""

    text: str
    style: str


@dataclass(frozen=True)
class Table:
    """Rows under column names; `kinds` says what each column holds (text, time, number, who)
    so HTML can keep a time or a name on one line and let text wrap."""

    head: tuple[str, ...]
    rows: tuple[tuple[str | Styled, ...], ...]
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    """Volume and negative share per minute with the team's actions: text or SVG; the SVG's
    time axis also in `zone` when `local`."""

    review: Review
    zone: tzinfo
    local: bool = False


@dataclass(frozen=True)
class Note:
    """A note from the log: when, by whom, what."""

    at: str
    author: str
    text: str


@dataclass(frozen=True)
class Notes:
    """The team's notes, in order."""

    notes: tuple[Note, ...]


@dataclass(frozen=True)
class TopMention:
    """One of the most-reached negative mentions."""

    reach: str
    author: str
    posted: str
    text: str
    url: str | None


@dataclass(frozen=True)
class TopMentions:
    """The most-reached negative mentions, most reach first."""

    mentions: tuple[TopMention, ...]


@dataclass(frozen=True)
class Definitions:
    """Terms and what they mean."""

    terms: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Section:
    """A titled part of the post-mortem; a review question is a section inside one."""

    title: str
    blocks: tuple[Block, ...]
    level: int = 2


Block = Paragraph | Items | Table | Chart | Notes | TopMentions | Definitions | Section


@dataclass(frozen=True)
class PostMortem:
    """The whole document: a title, a line about the incident, and the sections."""

    title: str
    slug: str
    drill: bool
    brand: str
    mentions: int
    events: int
    period: str  # the incident's span, with its date: Sat 14 Mar 2026, 09:10 to 12:00 UTC
    times: str  # which zone the times are in: UTC, and the local zone when it differs
    sections: tuple[Section, ...]


def post_mortem(review: Review, zone: tzinfo) -> PostMortem:
    """The post-mortem of `review`, local times in `zone` beside UTC when they differ from it."""
    meta = review.meta
    moments = [event.at for event in review.events] + _key_moments(review)
    local = differs_from_utc(zone, moments)
    shown = zone if local else None
    return PostMortem(
        title=f"Post-mortem: {review.state.name or meta.name}",
        slug=meta.slug,
        drill=meta.drill,
        brand=meta.brand or "—",
        mentions=review.aggregates.mentions,
        events=len(review.events),
        period=_period(review),
        times=_times(zone, local, moments),
        sections=(
            Section("Summary", (Items(_summary(review)),)),
            Section("Chart", (Chart(review, zone, local),)),
            Section("Key times", (*_key_times(review, shown), *_responses(review))),
            Section("Steps", _steps(review)),
            Section("Timeline", (_timeline(review, shown),)),
            Section("Top negative terms", (_top_terms(review),)),
            Section("Most-reached negative mentions", (_top_negative(review),)),
            Section("Notes", (_notes(review),)),
            Section("Review questions", _questions(review)),
            Section("Definitions", (Definitions(DEFINITIONS),)),
        ),
    )


def who(event: Event) -> str:
    """Who made an event: its author; the detector's level changes; warroom for the rest (the
    playbook a console starts with, notifications), which the log stores without an author."""
    if event.author:
        return event.author
    return "detector" if event.kind is EventKind.LEVEL_CHANGED else "warroom"


def _key_moments(review: Review) -> list[datetime]:
    found = (getattr(review.metrics, name) for name, _label in MOMENTS)
    return [moment for moment in found if moment is not None]


def _period(review: Review) -> str:
    """From the surge (else the declaration, else the log's start) to the close (else now)."""
    m, events = review.metrics, review.events
    start = m.first_surge or m.declared or (events[0].at if events else None)
    end = m.closed or (events[-1].at if events else None)
    if start is None or end is None:
        return "no events"
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else human_time(end)
    return f"{human_date(start)}, {start:%H:%M} to {end_text} UTC"


def _times(zone: tzinfo, local: bool, moments: list[datetime]) -> str:
    """Which zones the times are in, said once for the whole document."""
    first = min(moments, default=datetime.now(UTC))
    if local:
        return f"Times are UTC, with local times in {zone_text(zone, first)} beside them."
    half_a_year = [first + timedelta(days=days) for days in (-182, 182)]
    if not differs_from_utc(zone, half_a_year):
        return "Times are UTC."
    return f"Times are UTC, the same as {zone_label(zone)} on these days."


def _summary(review: Review) -> tuple[str, ...]:
    state = review.state
    status = "closed" if state.closed_at else ("declared" if state.declared else "never declared")
    items = [f"Status: {status}; peak level {state.peak_level}."]
    if state.summary:
        items.append(f"Closing summary: {state.summary}")
    items += summary_lines(review)
    items.extend(f"Warning: {problem}" for problem in review.problems)
    return tuple(items)


def _time_columns(zone: tzinfo | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names and kinds of a table's time columns: UTC, then the local zone when shown."""
    if zone is None:
        return ("UTC",), ("time",)
    return ("UTC", zone_label(zone)), ("time", "time")


def _key_times(review: Review, zone: tzinfo | None) -> tuple[Table, Table]:
    m = review.metrics
    rows = []
    for name, label in MOMENTS:
        moment = getattr(m, name)
        local = () if zone is None else (human_time(moment, zone),)
        rows.append((label, human_time(moment), *local, moment_note(review, name)))
    names, kinds = _time_columns(zone)
    moments = Table(("moment", *names, "note"), tuple(rows), ("text", *kinds, "text"))
    intervals = Table(
        ("interval", "duration"),
        tuple((f"time to {name}", duration_text(span)) for name, span in m.intervals().items()),
        ("text", "number"),
    )
    return moments, intervals


def _steps(review: Review) -> tuple[Table, ...]:
    m = review.metrics
    current = review.playbook.name if review.playbook else ""
    rows = []
    for s in m.steps:
        late = f" by {duration_text(s.late_by)}" if s.late_by else ""
        status = Styled(s.status + late, s.status.replace(" ", "-"))
        title = s.title if s.playbook == current else f"{s.title} (under {s.playbook or '?'})"
        rows.append(
            (title, s.owner, status, human_time(s.deadline), human_time(s.checked_at), s.by or "")
        )
    steps = Table(
        ("step", "owner", "status", "deadline", "checked", "by"),
        tuple(rows),
        ("text", "who", "text", "time", "time", "who"),
    )
    counts = ("number",) * 5
    owners = Table(
        ("owner role", "on time", "late", "skipped", "open", "other"),
        tuple(
            (
                owner,
                str(row["on time"]),
                str(row["late"]),
                str(row["skipped"]),
                str(row["open"]),
                str(row["not due"] + row["not applicable"] + row["done"]),
            )
            for owner, row in m.by_owner().items()
        ),
        ("who", *counts),
    )
    if len(review.state.playbooks) < 2:
        return steps, owners
    playbooks = Table(
        ("playbook", "in force from", "on time", "late", "skipped", "open", "other"),
        tuple(
            (
                name,
                human_time(since),
                *_counts(m.by_playbook().get(name)),
            )
            for since, name in review.state.playbooks
        ),
        ("text", "time", *counts),
    )
    return steps, owners, playbooks


def _counts(row: dict[str, int] | None) -> tuple[str, ...]:
    row = row or {}
    other = sum(row.get(status, 0) for status in ("not due", "not applicable", "done"))
    return (
        *(str(row.get(status, 0)) for status in ("on time", "late", "skipped", "open")),
        str(other),
    )


def _responses(review: Review) -> tuple[Block, ...]:
    m = review.metrics
    if not m.reactions:
        return (Paragraph("no post of ours during the incident to measure the reaction to"),)
    return (
        Table(
            ("posted", "post", "volume before", "after", "negative before", "after"),
            tuple(
                (
                    human_time(r.at),
                    clip(r.text, 120),
                    str(r.before_volume),
                    str(r.after_volume),
                    percent(r.before_share),
                    percent(r.after_share),
                )
                for r in m.reactions
            ),
            ("time", "text", "number", "number", "number", "number"),
        ),
    )


def _timeline(review: Review, zone: tzinfo | None) -> Table:
    rows = []
    for event in review.events:
        local = () if zone is None else (human_time(event.at, zone),)
        rows.append((human_time(event.at), *local, who(event), describe_event(event)))
    names, kinds = _time_columns(zone)
    return Table((*names, "who", "what"), tuple(rows), (*kinds, "who", "text"))


def _top_terms(review: Review) -> Paragraph:
    terms = ", ".join(f"{term} ({count})" for term, count in review.aggregates.top_terms)
    return Paragraph(terms or NONE)


def _top_negative(review: Review) -> TopMentions:
    return TopMentions(
        tuple(
            TopMention(
                _reach(item),
                str(item.get("author") or "?"),
                _posted(item),
                _why(item),
                item.get("url") or None,
            )
            for item in review.aggregates.top_negative
        )
    )


def _reach(item: dict[str, Any]) -> str:
    """The reach of every copy together, and how many copies: `5.2k (×3)`."""
    copies = int(item.get("copies") or 1)
    total = item.get("total_reach", item.get("reach")) or 0
    reach = reach_text(total) if isinstance(total, int) else str(total)
    return f"{reach} (×{copies})" if copies > 1 else reach


def _posted(item: dict[str, Any]) -> str:
    try:
        return human_time(parse_time(str(item.get("created_at"))))
    except ValueError:
        return "?"


def _why(item: dict[str, Any]) -> str:
    """The text, then its score and the terms that made it negative."""
    text = str(item.get("text", ""))
    compound = item.get("compound")
    if not isinstance(compound, int | float):
        return text
    terms = ", ".join(str(term) for term in item.get("terms") or ())
    return f"{text} [score {compound:+.2f}" + (f"; negative: {terms}]" if terms else "]")


def _notes(review: Review) -> Notes:
    return Notes(
        tuple(
            Note(human_time(note.at), note.author or "?", str(note.data.get("text", "")))
            for note in review.state.notes()
        )
    )


def _questions(review: Review) -> tuple[Section, ...]:
    questions = review.playbook.review_questions if review.playbook else ()
    sections = []
    for question in questions:
        found = answers(question, review)
        # Only figures that answer the question; otherwise the team writes the answer.
        block: Block = (
            Items(tuple(f"From the log: {line}" for line in found))
            if found
            else Paragraph("(for the team to answer)")
        )
        sections.append(Section(question, (block,), level=3))
    return tuple(sections)
