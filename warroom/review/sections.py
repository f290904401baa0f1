"""The post-mortem as sections built once from a `Review`; markdown.py and html.py render them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from warroom.incident.state import describe_event
from warroom.review.findings import (
    MOMENTS,
    Review,
    answers,
    moment_note,
    summary_lines,
)
from warroom.review.text import duration_text, local_text, percent, utc_text, zone_label

NONE = "none"  # what an empty list or paragraph says

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
    (
        "first public response, apology: source",
        "our own posts during the incident when there are any (an apology says sorry or "
        "apologises); else checks of public steps and of steps with an apology template; else "
        "drafts marked published. The note says which",
    ),
    ("apology", "first check of a step whose template is of kind apology"),
    (
        "reaction",
        "for each of our posts: the public's mentions (ours left out) in the 30 minutes after "
        "it against the 30 minutes before: volume and negative share",
    ),
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
    """Rows under column names; Markdown has its own names for a few tables."""

    head: tuple[str, ...]
    rows: tuple[tuple[str | Styled, ...], ...]
    markdown_head: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Chart:
    """Volume and negative share per minute with the team's actions: text or SVG."""

    review: Review


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
    zone: str  # the local zone's name
    sections: tuple[Section, ...]


def post_mortem(review: Review, zone: tzinfo) -> PostMortem:
    """The post-mortem of `review`, local times in `zone`."""
    meta = review.meta
    return PostMortem(
        title=f"Post-mortem: {review.state.name or meta.name}",
        slug=meta.slug,
        drill=meta.drill,
        brand=meta.brand or "—",
        mentions=review.aggregates.mentions,
        events=len(review.events),
        zone=zone_label(zone),
        sections=(
            Section("Summary", (Items(_summary(review)),)),
            Section("Chart", (Chart(review),)),
            Section("Key times", (*_key_times(review, zone), *_responses(review))),
            Section("Steps", _steps(review)),
            Section("Timeline", (_timeline(review, zone),)),
            Section("Top negative terms", (_top_terms(review),)),
            Section("Most-reached negative mentions", (_top_negative(review),)),
            Section("Notes", (_notes(review),)),
            Section("Review questions", _questions(review)),
            Section("Definitions", (Definitions(DEFINITIONS),)),
        ),
    )


def _summary(review: Review) -> tuple[str, ...]:
    state = review.state
    status = "closed" if state.closed_at else ("declared" if state.declared else "never declared")
    items = [f"Status: {status}; peak level {state.peak_level}."]
    if state.summary:
        items.append(f"Closing summary: {state.summary}")
    items += summary_lines(review)
    items.extend(f"Warning: {problem}" for problem in review.problems)
    return tuple(items)


def _key_times(review: Review, zone: tzinfo) -> tuple[Table, Table]:
    m = review.metrics
    moments = Table(
        ("moment", "UTC", f"local ({zone_label(zone)})", "note"),
        tuple(
            (
                label,
                utc_text(getattr(m, name)),
                local_text(getattr(m, name), zone),
                moment_note(review, name),
            )
            for name, label in MOMENTS
        ),
    )
    intervals = Table(
        ("interval", "duration"),
        tuple((f"time to {name}", duration_text(span)) for name, span in m.intervals().items()),
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
            (title, s.owner, status, utc_text(s.deadline), utc_text(s.checked_at), s.by or "")
        )
    steps = Table(
        ("step", "owner", "status", "deadline", "checked", "by"),
        tuple(rows),
        ("step", "owner", "status", "deadline (UTC)", "checked (UTC)", "by"),
    )
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
    )
    if len(review.state.playbooks) < 2:
        return steps, owners
    playbooks = Table(
        ("playbook", "in force from", "on time", "late", "skipped", "open", "other"),
        tuple(
            (
                name,
                utc_text(since),
                *_counts(m.by_playbook().get(name)),
            )
            for since, name in review.state.playbooks
        ),
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
            ("posted (UTC)", "post", "volume before", "after", "negative before", "after"),
            tuple(
                (
                    utc_text(r.at),
                    r.text[:120],
                    str(r.before_volume),
                    str(r.after_volume),
                    percent(r.before_share),
                    percent(r.after_share),
                )
                for r in m.reactions
            ),
        ),
    )


def _timeline(review: Review, zone: tzinfo) -> Table:
    return Table(
        ("UTC", f"local ({zone_label(zone)})", "who", "what"),
        tuple(
            (utc_text(e.at), local_text(e.at, zone), e.author or "detector", describe_event(e))
            for e in review.events
        ),
        ("UTC", "local", "who", "what"),
    )


def _top_terms(review: Review) -> Paragraph:
    terms = ", ".join(f"{term} ({count})" for term, count in review.aggregates.top_terms)
    return Paragraph(terms or NONE)


def _top_negative(review: Review) -> TopMentions:
    return TopMentions(
        tuple(
            TopMention(
                _reach(item),
                str(item.get("author") or "?"),
                str(item.get("created_at", "")),
                _why(item),
                item.get("url") or None,
            )
            for item in review.aggregates.top_negative
        )
    )


def _reach(item: dict[str, Any]) -> str:
    """The reach of every copy together, and how many copies: `5200 (×3)`."""
    copies = int(item.get("copies") or 1)
    reach = str(item.get("total_reach", item.get("reach")) or 0)
    return f"{reach} (×{copies})" if copies > 1 else reach


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
            Note(utc_text(note.at), note.author or "?", str(note.data.get("text", "")))
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
