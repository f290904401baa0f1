"""An incident's state, derived from its log: declared or not, level, checks, notes, timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from warroom.model import Event, EventKind, Label, Level, parse_time

# The events a person or the detector writes: the timeline the notes pane shows.
TIMELINE_KINDS = frozenset(EventKind) - {EventKind.MENTION, EventKind.SOURCE_STATE}


@dataclass(frozen=True, slots=True)
class Check:
    """Who checked a step and when."""

    step: str
    by: str | None
    at: datetime
    title: str = ""
    owner: str = ""


@dataclass
class IncidentState:
    """Everything the panes show about an incident, rebuilt by replaying its log."""

    name: str = ""
    declared_at: datetime | None = None
    declared_by: str | None = None
    closed_at: datetime | None = None
    summary: str | None = None
    level: Level = Level.NORMAL
    reason: str = ""
    peak_level: Level = Level.NORMAL
    playbook: str | None = None
    checks: dict[str, Check] = field(default_factory=dict)
    # Checks a playbook switch did not carry over, under the playbook they were made in.
    dropped_checks: list[tuple[str, Check]] = field(default_factory=list)
    # Every playbook in force, in order, with when it took over (the first from the start).
    playbooks: list[tuple[datetime, str]] = field(default_factory=list)
    overrides: dict[str, Label] = field(default_factory=dict)
    flagged: set[str] = field(default_factory=set)
    timeline: list[Event] = field(default_factory=list)
    first_seq: int | None = None
    last_seq: int = -1
    last_at: datetime | None = None

    @property
    def declared(self) -> bool:
        return self.declared_at is not None

    @property
    def open(self) -> bool:
        """Open until closed; a log that was never declared is a watch that can still escalate."""
        return self.closed_at is None

    def apply(self, event: Event) -> None:
        """Fold one event into the state; events must come in log order."""
        if self.first_seq is None:
            self.first_seq = event.seq
        self.last_seq = max(self.last_seq, event.seq)
        if self.last_at is None or event.at > self.last_at:
            self.last_at = event.at
        data = event.data
        if event.kind in TIMELINE_KINDS:
            self.timeline.append(event)
        match event.kind:
            case EventKind.DECLARED if self.declared_at is None:
                # The first declaration wins: two people declaring at once (team mode) make
                # one incident, the one the team's stream took first.
                self.declared_at = _time(data.get("declared_at")) or event.at
                self.declared_by = event.author
                self.name = str(data.get("name") or self.name)
                if data.get("playbook"):
                    self._run(str(data["playbook"]), event.at)
            case EventKind.CLOSED:
                self.closed_at = event.at
                self.summary = str(data.get("summary") or "")
            case EventKind.LEVEL_CHANGED:
                self.level = Level(data["level"])
                self.reason = str(data.get("reason", ""))
                if self.level.rank > self.peak_level.rank:
                    self.peak_level = self.level
            case EventKind.STEP_CHECKED:
                step = str(data["step"])
                title, owner = str(data.get("title") or step), str(data.get("owner") or "")
                self.checks[step] = Check(step, event.author, event.at, title, owner)
            case EventKind.STEP_UNCHECKED:
                self.checks.pop(str(data["step"]), None)
            case EventKind.PLAYBOOK_CHANGED:
                self._switch(data, event.at)
            case EventKind.SENTIMENT_OVERRIDDEN:
                self.overrides[str(data["mention_id"])] = Label(data["label"])
            case EventKind.FLAGGED:
                if data.get("flagged", True):
                    self.flagged.add(str(data["mention_id"]))
                else:
                    self.flagged.discard(str(data["mention_id"]))
            case _:
                pass

    def _run(self, name: str, at: datetime) -> None:
        if name != self.playbook:
            self.playbooks.append((at, name))
        self.playbook = name

    def _switch(self, data: dict[str, object], at: datetime) -> None:
        # Steps map by id, then by title (`mapped`: old id -> new id); the rest are dropped.
        mapped = data.get("mapped")
        kept = data.get("kept_checks")
        if isinstance(mapped, dict):
            carry = {str(old): str(new) for old, new in mapped.items()}
        elif isinstance(kept, list):
            carry = {str(step): str(step) for step in kept}
        else:
            carry = {step: step for step in self.checks}
        previous = self.playbook or ""
        checks: dict[str, Check] = {}
        for step, check in self.checks.items():
            if step in carry:
                checks[carry[step]] = replace(check, step=carry[step])
            else:
                self.dropped_checks.append((previous, check))
        self.checks = checks
        self._run(str(data["playbook"]), at)

    def playbook_at(self, moment: datetime) -> str | None:
        """The playbook in force at a moment (the first one before it was ever switched)."""
        found = self.playbooks[0][1] if self.playbooks else self.playbook
        for since, name in self.playbooks:
            if since <= moment:
                found = name
        return found

    @classmethod
    def from_events(cls, events: Iterable[Event], name: str = "") -> IncidentState:
        """Replay a log into its state."""
        state = cls(name=name)
        for event in events:
            state.apply(event)
        return state

    def notes(self) -> list[Event]:
        return [e for e in self.timeline if e.kind is EventKind.NOTE]

    def elapsed(self, now: datetime) -> float | None:
        """Seconds since the incident was declared (the incident clock), or None."""
        if self.declared_at is None:
            return None
        end = self.closed_at or now
        return max(0.0, (end - self.declared_at).total_seconds())


def _time(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError:
            return None
    return None


def describe_event(event: Event) -> str:
    """One line, in the team's words, saying what an event of the timeline was (plain text)."""
    data = event.data
    match event.kind:
        case EventKind.LEVEL_CHANGED:
            level = str(data.get("level")).upper()
            return f"level {data.get('previous')} → {level}: {data.get('reason', '')}"
        case EventKind.DECLARED:
            return f"incident declared: {data.get('name', '')} (playbook {data.get('playbook')})"
        case EventKind.CLOSED:
            return f"incident closed: {data.get('summary', '')}"
        case EventKind.STEP_CHECKED | EventKind.STEP_UNCHECKED:
            verb = "checked" if event.kind is EventKind.STEP_CHECKED else "unchecked"
            owner = f" ({data['owner']})" if data.get("owner") else ""
            return f"step {verb}: {data.get('title') or data.get('step')}{owner}"
        case EventKind.NOTE:
            return f"note: {data.get('text', '')}"
        case EventKind.PLAYBOOK_CHANGED:
            return f"playbook: {data.get('playbook')}"
        case EventKind.DRAFT if data.get("published"):
            link = f" ({data['link']})" if data.get("link") else ""
            text = str(data.get("text", ""))
            return f"published on {data.get('channel')}{link} from {data.get('template')}: {text}"
        case EventKind.DRAFT:
            # The whole draft: the timeline is where the team reads what was written.
            return f"drafted from {data.get('template')}: {data.get('text', '')}"
        case EventKind.SENTIMENT_OVERRIDDEN:
            mention, label, was = data.get("mention_id"), data.get("label"), data.get("was")
            return f"sentiment of {mention} set to {label} (was {was})"
        case EventKind.FLAGGED:
            verb = "flagged for response" if data.get("flagged", True) else "unflagged"
            return f"{verb}: {str(data.get('text') or data.get('mention_id'))[:160]}"
        case EventKind.NOTIFICATION:
            return (
                f"notified {data.get('target', '')}: {data.get('detail') or data.get('status', '')}"
            )
        case _:
            return str(event.kind)
