"""The crisis team's vocabulary: mentions, scores, levels and incident events."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import IO, Any

from warroom.errors import WarroomError

BRAND_TOPIC = "brand"
# Words that make one of the brand's posts (or a published draft) an apology.
APOLOGY_WORDS = ("sorry", "apolog")

# The valid posting times: nothing on the social web predates 1970, and a post dated more than a
# day ahead is a wrong clock. Outside them a time would break the per-minute series downstream.
EARLIEST_POSTED = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_ALLOWANCE = timedelta(days=1)
# A canonical mention is a flat object of a few kilobytes; these bound what one line may cost.
MAX_LINE_CHARS = 1_000_000

REQUIRED_FIELDS: dict[str, type] = {
    "id": str,
    "source": str,
    "text": str,
    "created_at": str,
}
OPTIONAL_FIELDS: dict[str, type] = {
    "author": str,
    "url": str,
    "lang": str,
    "reach": int,
    "engagement": int,
    "topic": str,
}


class Level(StrEnum):
    """How bad the conversation is, as the detector names it."""

    NORMAL = "normal"
    ELEVATED = "elevated"
    CRISIS = "crisis"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.NORMAL: 0, Level.ELEVATED: 1, Level.CRISIS: 2}


class Label(StrEnum):
    """VADER's verdict on one mention."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05


# What a person's sentiment override means as a score, wherever overrides are replayed.
OVERRIDE_COMPOUND = {Label.POSITIVE: 0.5, Label.NEGATIVE: -0.5, Label.NEUTRAL: 0.0}


def label_for(compound: float) -> Label:
    """The label VADER's authors recommend for a compound score."""
    if compound >= POSITIVE_THRESHOLD:
        return Label.POSITIVE
    if compound <= NEGATIVE_THRESHOLD:
        return Label.NEGATIVE
    return Label.NEUTRAL


class MentionError(WarroomError, ValueError):
    """A mention that does not follow the canonical format."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 timestamp that carries a timezone; raise ValueError otherwise."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("has no timezone (add Z or +00:00)")
    return moment


def time_problem(moment: datetime, now: datetime | None = None) -> str | None:
    """Why `moment` cannot be when a post was made, or None when it can.

    Without `now` only the fixed bounds are checked (a timezone, 1970 or later, a UTC year
    below 10000); with it, also that the moment is at most FUTURE_ALLOWANCE ahead of `now`.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        return "has no timezone (add Z or +00:00)"
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return "is outside the years 1970 to 9999 in UTC"
    if utc < EARLIEST_POSTED:
        return "is before 1970"
    if now is not None and utc > now + FUTURE_ALLOWANCE:
        return "is more than a day in the future (is the sender's clock wrong?)"
    return None


def decode_json(text: str | bytes) -> Any:
    """json.loads, with a nesting too deep for the parser reported as a ValueError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to be a mention") from None


def bounded_lines(handle: IO[str], limit: int = MAX_LINE_CHARS) -> Iterator[str]:
    """The lines of a text stream; a line over `limit` is cut to limit+1 characters, unread.

    The rest of a long line is read in slices and dropped, so memory stays bounded whatever the
    input; read_mentions then reports the cut line as too long.
    """
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith("\n"):
            while True:
                rest = handle.readline(limit)
                if not rest or rest.endswith("\n"):
                    break
        yield line


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the millisecond: the one way times are written."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Mention:
    """One post about a watched topic, in the canonical format of DESIGN.md."""

    id: str
    source: str
    text: str
    created_at: datetime
    author: str | None = None
    url: str | None = None
    lang: str | None = None
    reach: int | None = None
    engagement: int | None = None
    topic: str = BRAND_TOPIC
    # Posted by one of the brand's own accounts: decided by the engine at ingest, never by input.
    ours: bool = False

    @property
    def is_brand(self) -> bool:
        """Only the brand's own mentions drive our level; competitors are context."""
        return self.topic == BRAND_TOPIC

    @property
    def is_english(self) -> bool:
        """VADER reads English only; an unknown language is assumed English."""
        return self.lang is None or self.lang.lower().split("-")[0] in ("en", "")

    @classmethod
    def from_dict(cls, data: Any, now: datetime | None = None) -> Mention:
        """Build a mention from a decoded JSON object, naming the first bad field.

        `now` (the caller's clock) also refuses a post dated more than a day ahead of it.
        """
        if not isinstance(data, dict):
            raise MentionError("(line)", f"expected a JSON object, got {type(data).__name__}")
        values: dict[str, Any] = {}
        for name, kind in REQUIRED_FIELDS.items():
            if name not in data or data[name] is None:
                raise MentionError(name, "is required")
            values[name] = _checked(name, data[name], kind)
        for name, kind in OPTIONAL_FIELDS.items():
            if data.get(name) is not None:
                values[name] = _checked(name, data[name], kind)
        if not values["id"].strip():
            raise MentionError("id", "is empty")
        text = values["created_at"]
        try:
            values["created_at"] = parse_time(text)
        except ValueError as error:
            raise MentionError(
                "created_at", f"{text[:80]!r} is not an ISO 8601 time with a timezone"
            ) from error
        problem = time_problem(values["created_at"], now)
        if problem is not None:
            raise MentionError("created_at", f"{text[:80]!r} {problem}")
        topic = values.get("topic")
        if topic is not None and not topic.strip():
            values.pop("topic")
        if data.get("ours") is True:  # as the log stores it; the engine decides again at ingest
            values["ours"] = True
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON object, without empty optional fields."""
        data: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "text": self.text,
            "created_at": format_time(self.created_at),
        }
        for name in OPTIONAL_FIELDS:
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.ours:
            data["ours"] = True
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def account_key(handle: str) -> str:
    """A handle as compared: lower case, without a leading @ (or Reddit's u/), no spaces."""
    key = handle.strip().lower().lstrip("@")
    return key.removeprefix("u/")


class OwnAccounts:
    """The brand's own accounts (`topics.brand.handles`): a mention they wrote is ours.

    Handles are written as each network shows them: `name@instance` on Mastodon,
    `name.bsky.social` on Bluesky, `@name` on X and Reddit.
    """

    def __init__(self, handles: Iterable[str] = ()) -> None:
        self.handles = frozenset(key for key in map(account_key, handles) if key)
        # Mastodon names a local account without its instance: `name` as read on `instance`.
        self._local: dict[str, set[str]] = {}
        for key in self.handles:
            name, _, instance = key.partition("@")
            if name and instance:
                self._local.setdefault(name, set()).add(instance)

    def __bool__(self) -> bool:
        return bool(self.handles)

    def owns(self, mention: Mention) -> bool:
        """Whether one of our accounts wrote this mention."""
        author = mention.author
        if not author or not self.handles:
            return False
        key = account_key(author)
        if key in self.handles:
            return True
        instances = self._local.get(key)
        if instances is None or mention.source != "mastodon":
            return False
        host = _host(mention.url)
        return host is None or host in instances

    def mark(self, mention: Mention) -> Mention:
        """The mention with `ours` set as these accounts say (the same object if unchanged)."""
        ours = self.owns(mention)
        return mention if mention.ours == ours else replace(mention, ours=ours)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = url.partition("://")[2].partition("/")[0].rpartition("@")[2].partition(":")[0]
    return host.lower() or None


def _checked(name: str, value: Any, kind: type) -> Any:
    # bool is an int in Python, but `"reach": true` is a wrongly typed field.
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MentionError(name, f"must be an integer, got {_json_type(value)}")
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise MentionError(name, f"must be an integer, got {value!r}")
            value = int(value)
        if value < 0:
            raise MentionError(name, f"must not be negative, got {value}")
        return value
    if not isinstance(value, kind):
        raise MentionError(name, f"must be a {_json_type_name(kind)}, got {_json_type(value)}")
    return value


def _json_type_name(kind: type) -> str:
    return {str: "string", int: "integer"}.get(kind, kind.__name__)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A line of a JSON Lines input that was skipped, and why."""

    source: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.field}: {self.message}"


def read_mentions(
    lines: Iterable[str],
    source: str = "<stdin>",
    on_problem: Callable[[LineProblem], None] | None = None,
    now: datetime | None = None,
) -> Iterator[Mention]:
    """Yield the mentions of a JSON Lines stream, reporting and skipping bad lines.

    `now` refuses mentions dated more than a day ahead of it (see Mention.from_dict).
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
            if on_problem:
                message = f"longer than {MAX_LINE_CHARS:,} characters: not a mention"
                on_problem(LineProblem(source, number, "(line)", message))
            continue
        try:
            data = decode_json(line)
        except ValueError as error:
            if on_problem:
                on_problem(LineProblem(source, number, "(line)", f"not JSON: {error}"))
            continue
        try:
            yield Mention.from_dict(data, now)
        except MentionError as error:
            if on_problem:
                on_problem(LineProblem(source, number, error.field, error.message))


@dataclass(frozen=True, slots=True)
class Score:
    """VADER's reading of a mention; `compound` is None when VADER cannot read it."""

    compound: float | None
    label: Label | None

    @property
    def scored(self) -> bool:
        return self.compound is not None


UNSCORED = Score(None, None)


@dataclass(frozen=True, slots=True)
class ScoredMention:
    """A mention with its score: what every listener downstream of the scorer sees."""

    mention: Mention
    score: Score

    @property
    def label(self) -> Label | None:
        return self.score.label


class EventKind(StrEnum):
    """Everything that can happen in an incident, as written in its log."""

    MENTION = "mention"
    LEVEL_CHANGED = "level_changed"
    STEP_CHECKED = "step_checked"
    STEP_UNCHECKED = "step_unchecked"
    NOTE = "note"
    DRAFT = "draft"
    PLAYBOOK_CHANGED = "playbook_changed"
    DECLARED = "declared"
    CLOSED = "closed"
    SENTIMENT_OVERRIDDEN = "sentiment_overridden"
    FLAGGED = "flagged"
    NOTIFICATION = "notification"
    SOURCE_STATE = "source_state"


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of an incident's append-only log."""

    seq: int
    kind: EventKind
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    author: str | None = None
    # In team mode: the event's id across the team ("<console>:<n>"), so a resend counts once.
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "seq": self.seq,
            "kind": str(self.kind),
            "at": format_time(self.at),
            "data": self.data,
        }
        if self.author is not None:
            record["author"] = self.author
        if self.id is not None:
            record["id"] = self.id
        return record

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Event:
        return cls(
            seq=int(record["seq"]),
            kind=EventKind(record["kind"]),
            at=parse_time(record["at"]),
            data=dict(record.get("data") or {}),
            author=record.get("author"),
            id=record.get("id"),
        )
