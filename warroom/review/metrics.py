"""Incident metrics from the log: key moments, intervals, peaks, steps on time, late, skipped."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from warroom.detection.detector import ELEVATED_LIFT
from warroom.detection.signals import DetectorRule
from warroom.incident.state import IncidentState
from warroom.model import APOLOGY_WORDS, Event, EventKind, Level, parse_time
from warroom.playbook import Playbook, Step
from warroom.review.aggregates import MINUTE, Aggregates, MinuteRow

STATUSES = ("on time", "late", "skipped", "open", "not due", "not applicable", "done")
# How long before and after one of our posts the public's reaction is measured.
REACTION_WINDOW = timedelta(minutes=30)

# Where a response time came from, best first.
SOURCES = ("our posts", "steps", "published drafts")


def is_ours(record: Mapping[str, Any]) -> bool:
    """Whether a stored mention record (or its mention) is one of the brand's own posts."""
    if record.get("ours") is True:
        return True
    mention = record.get("mention")
    return isinstance(mention, Mapping) and mention.get("ours") is True


# A post of ours responds to a problem when it says so: a scheduled tip or a promotion posted
# mid-crisis is not the brand's response, however close to the surge it went out.
ACKNOWLEDGEMENT = re.compile(
    r"\b(?:aware|investigat\w*|looking into|sorry|apolog\w*|(?:an?|the|this|these|known) "
    r"(?:issues?|problems?)|outages?|affected|paus\w*|roll(?:ing|ed)? (?:it |\w+ )?back|"
    r"rollback|fixed|fixing|(?:a|the) fix|restor\w*|next steps|status page|we know|working on|"
    r"trouble|what happened|(?:we'?ve |we have )?stopped|incident|(?:is|are) down|delays?|"
    r"delayed|disrupt\w*|unable to|back to normal)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Response:
    """One public response of ours: a post seen in the feed, a checked step, a published draft."""

    at: datetime
    what: str
    apology: bool = False
    responds: bool = True  # a post of ours that speaks to a problem (see ACKNOWLEDGEMENT)


@dataclass(frozen=True)
class Reaction:
    """The public's mentions in the 30 minutes before and after one of our posts."""

    at: datetime
    text: str
    before_volume: int
    after_volume: int
    before_share: float | None
    after_share: float | None


def _posted_at(record: Mapping[str, Any]) -> datetime | None:
    """When a stored mention was posted, or None when its record cannot say."""
    mention = record.get("mention") or {}
    try:
        return parse_time(str(mention.get("created_at")))
    except ValueError:
        return None


def our_posts(records: Iterable[Mapping[str, Any]]) -> list[Response]:
    """The brand's own posts among stored mention records, by time."""
    posts = []
    for record in records:
        if not is_ours(record):
            continue
        at = _posted_at(record)
        if at is None:
            continue
        text = str((record.get("mention") or {}).get("text") or "")
        apology = any(word in text.lower() for word in APOLOGY_WORDS)
        responds = apology or ACKNOWLEDGEMENT.search(text) is not None
        posts.append(Response(at, text, apology, responds))
    return sorted(posts, key=lambda post: post.at)


def reactions(records: Iterable[Mapping[str, Any]], posts: Sequence[Response]) -> list[Reaction]:
    """For each post, the public's volume and negative share 30 minutes before and after."""
    if not posts:
        return []
    counts = [[0, 0, 0, 0, 0, 0] for _ in posts]  # before: all, scored, negative; after: same
    first, last = posts[0].at - REACTION_WINDOW, posts[-1].at + REACTION_WINDOW
    for record in records:
        if is_ours(record):
            continue
        at = _posted_at(record)
        if at is None or not first <= at < last:
            continue
        label = record.get("label")
        for post, row in zip(posts, counts, strict=True):
            if post.at - REACTION_WINDOW <= at < post.at:
                offset = 0
            elif post.at <= at < post.at + REACTION_WINDOW:
                offset = 3
            else:
                continue
            row[offset] += 1
            if label:
                row[offset + 1] += 1
                row[offset + 2] += label == "negative"

    def share(scored: int, negative: int) -> float | None:
        return negative / scored if scored else None

    return [
        Reaction(post.at, post.what, row[0], row[3], share(row[1], row[2]), share(row[4], row[5]))
        for post, row in zip(posts, counts, strict=True)
    ]


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
    playbook: str = ""  # the playbook in force when it was judged

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
    # The first ELEVATED before a detected crisis: how much warning the level gave.
    elevated_first: datetime | None = None
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
    first_response_source: str | None = None  # one of SOURCES
    apology_source: str | None = None
    responses: list[Response] = field(default_factory=list)  # from the first response's source
    longest_silence: timedelta | None = None
    longest_silence_from: datetime | None = None
    reactions: list[Reaction] = field(default_factory=list)

    def cadence(self) -> list[timedelta]:
        """The gaps between our public responses during the incident, in order."""
        times = [response.at for response in self.responses]
        return [b - a for a, b in itertools.pairwise(times)]

    def by_playbook(self) -> dict[str, dict[str, int]]:
        """Step outcomes counted per playbook that was in force, in the order they ran."""
        table: dict[str, dict[str, int]] = {}
        for step in self.steps:
            row = table.setdefault(step.playbook, dict.fromkeys(STATUSES, 0))
            row[step.status] += 1
        return table

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
    earlier: Mapping[str, Playbook] | None = None,
    posts: Sequence[Response] = (),
    post_reactions: Sequence[Reaction] = (),
) -> Metrics:
    """Every figure of the post-mortem from the replayed state, the aggregates and the playbook.

    `earlier`: the playbooks that were in force before a switch, by name, when they load.
    `posts`: our own posts (`our_posts`), with `post_reactions` measured around them.
    """
    rule = rule or DetectorRule()
    known = {**(earlier or {}), **({playbook.name: playbook} if playbook else {})}

    def in_force(moment: datetime) -> Playbook | None:
        name = state.playbook_at(moment)
        return known.get(name) if name else playbook

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
    warning = next((e for e in levels if e.data.get("level") == str(Level.ELEVATED)), None)
    crisis_at = result.detected if result.detected_level is Level.CRISIS else None
    if warning is not None and crisis_at is not None and warning.at < crisis_at:
        result.elevated_first = warning.at
    result.start = result.first_surge or result.declared
    _responses(result, state, in_force, posts)
    during = {post.at for post in _during(result, posts)}
    result.reactions = [r for r in post_reactions if r.at in during]
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
    result.steps = dropped_outcomes(state, known) + step_outcomes(state, playbook)
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


def _during(result: Metrics, responses: Sequence[Response]) -> list[Response]:
    start = result.start or result.declared
    if start is None:
        return []
    return [
        r for r in responses if r.at >= start and (result.closed is None or r.at <= result.closed)
    ]


def _responses(
    result: Metrics,
    state: IncidentState,
    in_force: Callable[[datetime], Playbook | None],
    posts: Sequence[Response],
) -> None:
    """First response, apology and cadence: from our posts, else steps, else published drafts."""
    public_steps: list[Response] = []
    apology_steps: list[Response] = []
    for event in state.timeline:
        if event.kind is not EventKind.STEP_CHECKED:
            continue
        playbook = in_force(event.at)
        step = _step(playbook, str(event.data.get("step")))
        if step is None or playbook is None:
            continue
        apology = _template_kind(playbook, step.template) == "apology"
        if is_public(playbook, step):
            public_steps.append(Response(event.at, step.id, apology))
        if apology:
            apology_steps.append(Response(event.at, step.id, apology))
    drafts = _during(result, _published_drafts(state, in_force))
    ours = _during(result, [post for post in posts if post.responds])
    for source, public, apologies in (
        ("our posts", ours, [r for r in ours if r.apology]),
        ("steps", public_steps, apology_steps),
        ("published drafts", drafts, [r for r in drafts if r.apology]),
    ):
        if public and result.first_response is None:
            result.first_response, result.first_response_source = public[0].at, source
            result.responses = list(public)
            if source == "steps":
                result.first_response_step = public[0].what
        if apologies and result.apology is None:
            result.apology, result.apology_source = apologies[0].at, source
            if source == "steps":
                result.apology_step = apologies[0].what
    _silence(result)


def _published_drafts(
    state: IncidentState, in_force: Callable[[datetime], Playbook | None]
) -> list[Response]:
    """Drafts a person marked as published (with the channel and link), by when published."""
    found = []
    for event in state.timeline:
        if event.kind is not EventKind.DRAFT or not event.data.get("published"):
            continue
        template = str(event.data.get("template") or "")
        text = str(event.data.get("text") or "")
        apology = _template_kind(in_force(event.at), template) == "apology" or any(
            word in text.lower() for word in APOLOGY_WORDS
        )
        found.append(Response(event.at, template or "draft", apology))
    return found


def _silence(result: Metrics) -> None:
    """The longest time without a public response, from declared (or the surge) to the close."""
    start = result.declared or result.start
    if start is None or not result.responses:
        return
    moments = [start, *(r.at for r in result.responses if r.at >= start)]
    if result.closed is not None:
        moments.append(result.closed)
    gaps = [(b - a, a) for a, b in itertools.pairwise(moments)]
    if gaps:
        result.longest_silence, result.longest_silence_from = max(gaps)


def dropped_outcomes(state: IncidentState, known: Mapping[str, Playbook]) -> list[StepOutcome]:
    """Checks a playbook switch did not carry over, judged under the playbook they were made in."""
    outcomes = []
    for name, check in state.dropped_checks:
        step = _step(known.get(name), check.step)
        deadline = step.deadline(state.declared_at) if step and state.declared_at else None
        status = "done" if deadline is None else "on time" if check.at <= deadline else "late"
        title = step.title if step else check.title or check.step
        owner = step.owner if step else check.owner or "?"
        outcomes.append(
            StepOutcome(check.step, title, owner, status, deadline, check.at, check.by, name)
        )
    return outcomes


def step_outcomes(state: IncidentState, playbook: Playbook | None) -> list[StepOutcome]:
    """Each step's outcome: on time / late against declared_at + due, skipped, open, ..."""
    if playbook is None:
        return [
            StepOutcome(c.step, c.title or c.step, c.owner or "?", "done", None, c.at, c.by)
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
        outcomes.append(
            StepOutcome(step.id, step.title, step.owner, status, deadline, at, by, playbook.name)
        )
    return outcomes
