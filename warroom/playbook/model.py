"""The playbook model: roles, steps, phases, channels, templates, errors, `when` conditions."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from warroom.errors import WarroomError, did_you_mean
from warroom.model import Level
from warroom.playbook.templates import Rendered, render
from warroom.yamlpos import LocatedError

PLAYBOOK_VERSION = 1
CHANNEL_KINDS = ("mastodon", "bluesky", "x", "email", "web", "internal")
# The events that check a step by themselves (`on: declared`), logged as done by the console.
STEP_EVENTS = ("declared", "closed", "brand_posted", "apology_posted")
# Characters a post may have, per channel kind; a channel's own `limit` overrides it.
CHANNEL_LIMITS: dict[str, int] = {"x": 280, "bluesky": 300, "mastodon": 500}
# signals.DetectorRule fields a playbook may override, with their type and inclusive range.
TRIGGER_FIELDS: dict[str, tuple[type, float, float]] = {
    "window_minutes": (int, 1, 240),
    "sensitivity": (float, 0.1, 10.0),
    "min_volume": (int, 1, 1_000_000),
    "cooldown_minutes": (int, 0, 1440),
}
SUFFIXES = (".yaml", ".yml")
_T = TypeVar("_T")
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")


# A playbook error is a YAML error with its place: file:line:column: path: message.
PlaybookError = LocatedError


class PlaybookInvalid(WarroomError):
    """A playbook that does not validate; carries every error found, in file order."""

    def __init__(self, errors: list[PlaybookError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors

    def explain(self) -> str:
        """Every error, under a line that says how many and how to check again."""
        count = len(self.errors)
        return f"{count} error(s); fix them or run 'warroom playbook validate':\n{self}"


class PlaybookNotFound(WarroomError, LookupError):
    """No playbook file by that name in the user or the bundled folder."""


@dataclass(frozen=True)
class Role:
    """A seat on the crisis team: what it is called and who holds it."""

    id: str
    title: str
    who: str | None = None


@dataclass(frozen=True)
class Due:
    """A deadline as written: minutes from the incident start, or after another step's."""

    minutes: int
    after: str | None = None

    def __str__(self) -> str:
        return f"{self.minutes} min after {self.after}" if self.after else f"T+{self.minutes} min"


@dataclass(frozen=True)
class Step:
    """One thing to do: who owns it, by when (minutes from the incident start), and how."""

    id: str
    title: str
    phase: str
    owner: str
    due_minutes: int
    due_spec: Due
    depends_on: tuple[str, ...] = ()
    details: str = ""
    when: str | None = None
    levels: frozenset[Level] = frozenset(Level)
    template: str | None = None
    channels: tuple[str, ...] = ()
    line: int = 0
    on: str | None = None

    def deadline(self, started_at: datetime) -> datetime:
        """The wall-clock deadline for an incident that started at started_at."""
        return started_at + timedelta(minutes=self.due_minutes)


@dataclass(frozen=True)
class Phase:
    """A stage of the response, with its steps in order."""

    id: str
    title: str
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Channel:
    """Where the team speaks: the kind of channel and who it reaches."""

    id: str
    kind: str
    audience: str = ""
    limit: int | None = None

    @property
    def max_chars(self) -> int | None:
        """How many characters a post here may have: its own limit, else its kind's."""
        return self.limit if self.limit is not None else CHANNEL_LIMITS.get(self.kind)


@dataclass(frozen=True)
class Template:
    """Words prepared in peace time; parts (apology, status update) are joined into text."""

    id: str
    title: str
    kind: str
    text: str
    placeholders: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Playbook:
    """A validated crisis playbook."""

    name: str
    description: str
    version: int
    roles: tuple[Role, ...]
    phases: tuple[Phase, ...]
    steps: tuple[Step, ...]
    channels: tuple[Channel, ...] = ()
    templates: tuple[Template, ...] = ()
    triggers: dict[str, int | float] = field(default_factory=dict)
    review_questions: tuple[str, ...] = ()
    path: Path | None = None

    def step(self, id: str) -> Step:
        """The step with this id; KeyError otherwise."""
        return _by_id(self.steps, id, "step")

    def role(self, id: str) -> Role:
        """The role with this id; KeyError otherwise."""
        return _by_id(self.roles, id, "role")

    def template(self, id: str) -> Template:
        """The template with this id; KeyError otherwise."""
        return _by_id(self.templates, id, "template")

    def channel(self, id: str) -> Channel:
        """The channel with this id; KeyError otherwise."""
        return _by_id(self.channels, id, "channel")

    def applies(self, step: Step | str, level: Level) -> bool:
        """Whether a step's `when` condition holds at this level."""
        found = self.step(step) if isinstance(step, str) else step
        return level in found.levels

    def active_steps(self, level: Level) -> tuple[Step, ...]:
        """The steps that apply at this level, in checklist order."""
        return tuple(step for step in self.steps if level in step.levels)

    def steps_on(self, event: str) -> tuple[Step, ...]:
        """The steps an event checks by itself (`on: declared`), in checklist order."""
        return tuple(step for step in self.steps if step.on == event)

    def role_context(self) -> dict[str, str]:
        """`role:<id>` placeholder values: who holds each role, else its title."""
        return {f"role:{role.id}": role.who or role.title for role in self.roles}

    def render(self, template_id: str, context: Mapping[str, str]) -> Rendered:
        """Render one of this playbook's templates, with role names filled in."""
        return render(self.template(template_id), {**self.role_context(), **context})


def _by_id(items: tuple[_T, ...], id: str, what: str) -> _T:
    for item in items:
        if getattr(item, "id", None) == id:
            return item
    raise KeyError(f"no {what} '{id}'")


# --- the `when` grammar --------------------------------------------------------------------------

_COMPARE = re.compile(r"level\s*(==|!=|>=|<=|>|<)\s*(\S+)\Z")
_OPERATORS: dict[str, Callable[[int, int], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
WHEN_HELP = "write e.g. 'crisis', 'level >= elevated' or 'level == elevated or level == crisis'"


def parse_when(text: str) -> frozenset[Level]:
    """The levels at which a `when` condition holds; ValueError saying what is wrong.

    Grammar: alternatives joined by `or`, each clauses joined by `and`; a clause is `always`,
    a bare level (meaning that level or worse) or `level OP LEVEL` with OP one of
    == != >= <= > <.
    """
    source = text.strip()
    if not source:
        raise ValueError(f"empty condition ({WHEN_HELP})")
    result: frozenset[Level] = frozenset()
    for alternative in re.split(r"\s+or\s+", source):
        levels = frozenset(Level)
        for clause in re.split(r"\s+and\s+", alternative.strip()):
            levels &= _clause(clause.strip())
        result |= levels
    return result


def _clause(clause: str) -> frozenset[Level]:
    if clause == "always":
        return frozenset(Level)
    match = _COMPARE.match(clause)
    if match:
        symbol, name = match.groups()
        bound = _level(name).rank
        return frozenset(lv for lv in Level if _OPERATORS[symbol](lv.rank, bound))
    if re.fullmatch(r"[A-Za-z_]+", clause):
        bound = _level(clause).rank
        return frozenset(lv for lv in Level if lv.rank >= bound)
    raise ValueError(f"cannot read condition '{clause}' ({WHEN_HELP})")


def _level(name: str) -> Level:
    try:
        return Level(name)
    except ValueError:
        names = [lv.value for lv in Level]
        hint = did_you_mean(name.lower(), names, otherwise="levels")
        raise ValueError(f"unknown level '{name}'{hint}") from None
