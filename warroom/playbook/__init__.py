"""Crisis playbooks: the model, the `when` grammar, loading and finding playbook files."""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import platformdirs

import warroom
from warroom.model import Level
from warroom.playbook.templates import Rendered, render
from warroom.yamlpos import LocatedError

PLAYBOOK_VERSION = 1
CHANNEL_KINDS = ("mastodon", "bluesky", "x", "email", "web", "internal")
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


class PlaybookInvalid(Exception):
    """A playbook that does not validate; carries every error found, in file order."""

    def __init__(self, errors: list[PlaybookError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


class PlaybookNotFound(LookupError):
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
_OPERATORS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
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
        operator, name = match.groups()
        bound = _level(name).rank
        return frozenset(lv for lv in Level if _OPERATORS[operator](lv.rank, bound))
    if re.fullmatch(r"[A-Za-z_]+", clause):
        bound = _level(clause).rank
        return frozenset(lv for lv in Level if lv.rank >= bound)
    raise ValueError(f"cannot read condition '{clause}' ({WHEN_HELP})")


def _level(name: str) -> Level:
    try:
        return Level(name)
    except ValueError:
        names = [lv.value for lv in Level]
        close = difflib.get_close_matches(name.lower(), names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"levels: {', '.join(names)}"
        raise ValueError(f"unknown level '{name}' ({hint})") from None


# --- loading -----------------------------------------------------------------------------------


def validate_text(text: str, filename: str = "<playbook>") -> list[PlaybookError]:
    """Every error in a playbook's text, in file order; empty when it is valid."""
    return _build(text, filename)[1]


def parse_playbook(text: str, filename: str = "<playbook>", path: Path | None = None) -> Playbook:
    """Build a playbook from YAML text; PlaybookInvalid lists every error."""
    playbook, errors = _build(text, filename, path)
    if errors or playbook is None:
        raise PlaybookInvalid(errors)
    return playbook


def load_playbook(path: Path) -> Playbook:
    """Load and validate a playbook file; PlaybookInvalid lists every error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problem = f"is not UTF-8 text (byte {error.start}); save it as UTF-8"
        raise PlaybookInvalid([PlaybookError(str(path), 1, 1, "", problem)]) from error
    return parse_playbook(text, str(path), Path(path))


def _build(
    text: str, filename: str, path: Path | None = None
) -> tuple[Playbook | None, list[PlaybookError]]:
    # Deferred: playbook_validate builds this module's dataclasses, so it imports this module.
    from warroom.playbook.build import build

    return build(text, filename, path)


# --- where playbooks live -------------------------------------------------------------------------


def bundled_dir() -> Path:
    """The bundled playbooks: packaged in the wheel, or the repository's playbooks/ folder."""
    package = Path(warroom.__file__).resolve().parent
    packaged = package / "bundled_playbooks"
    if packaged.is_dir():
        return packaged
    return package.parent / "playbooks"


def user_playbooks_dir(data_dir: Path | None = None) -> Path:
    """The user's playbooks folder: <data dir>/playbooks (WARROOM_DATA, else the platform's)."""
    if data_dir is None:
        env = os.environ.get("WARROOM_DATA")
        data_dir = Path(env) if env else Path(platformdirs.user_data_dir("warroom"))
    return Path(data_dir) / "playbooks"


def _files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {
        path.stem: path
        for path in sorted(folder.iterdir())
        if path.suffix in SUFFIXES and path.is_file() and not path.name.startswith(".")
    }


def list_playbooks(user_dir: Path | None = None) -> list[tuple[str, Path, bool]]:
    """Every playbook by name as (name, path, bundled); user playbooks override bundled ones."""
    found = {name: (path, True) for name, path in _files(bundled_dir()).items()}
    found.update({name: (path, False) for name, path in _files(_user(user_dir)).items()})
    return [(name, path, bundled) for name, (path, bundled) in sorted(found.items())]


def find_playbook(name: str, user_dir: Path | None = None) -> Path:
    """The file for a playbook name (user folder first, then bundled), or an existing path."""
    candidate = Path(name)
    if candidate.suffix in SUFFIXES and candidate.is_file():
        return candidate
    for folder in (_user(user_dir), bundled_dir()):
        path = _files(folder).get(name)
        if path is not None:
            return path
    names = [entry[0] for entry in list_playbooks(user_dir)]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"available: {', '.join(names) or 'none'}"
    raise PlaybookNotFound(f"no playbook named '{name}' ({hint})")


def default_playbook() -> Playbook:
    """The bundled default playbook (the crisis-response method)."""
    return load_playbook(bundled_dir() / "default.yaml")


def _user(user_dir: Path | None) -> Path:
    return Path(user_dir) if user_dir is not None else user_playbooks_dir()


def new_playbook(name: str, source: str = "default", user_dir: Path | None = None) -> Path:
    """Copy a playbook into the user folder under a new name; never overwrites a file."""
    if not NAME_PATTERN.match(name):
        raise ValueError(
            f"'{name}' is not a playbook name (lowercase letters, digits and '-', e.g. 'data-leak')"
        )
    origin = find_playbook(source, user_dir)
    text = origin.read_text(encoding="utf-8")
    load_playbook(origin)  # refuse to spread a broken playbook; raises PlaybookInvalid
    text, count = re.subn(r"^name:.*$", f"name: {name}", text, count=1, flags=re.MULTILINE)
    if count == 0:
        raise ValueError(f"{origin}: no top-level 'name:' line to rename")
    folder = _user(user_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.yaml"
    if target.exists():
        raise FileExistsError(f"{target} already exists; pick another name or edit that file")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        # A hard link fails if the target appeared meanwhile: atomic and never overwrites.
        os.link(temporary, target)
    except FileExistsError:
        raise FileExistsError(
            f"{target} already exists; pick another name or edit that file"
        ) from None
    finally:
        os.unlink(temporary)
    return target
