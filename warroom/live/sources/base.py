"""What every source shares: state reporting, backoff, cursors, deduplication and the run loop."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import random
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from warroom.clock import Clock
from warroom.errors import WarroomError
from warroom.model import BRAND_TOPIC, Mention, time_problem


class SourceStatus(StrEnum):
    """Where a source is in its life, as the status line shows it."""

    STARTING = "starting"
    CONNECTED = "connected"
    POLLING = "polling"
    BACKING_OFF = "backing off"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class SourceState:
    """One source's latest state, with the reason when something is wrong."""

    name: str
    status: SourceStatus
    detail: str = ""
    until: datetime | None = None

    def describe(self) -> str:
        """One line for the status bar."""
        text = f"{self.name}: {self.status}"
        if self.until is not None:
            text += f" until {self.until.astimezone(UTC):%H:%M:%S}"
        if self.detail:
            text += f" ({self.detail})"
        return text


def redact_url(url: object) -> str:
    """A URL fit for a message or a log: no credentials, no query string, no fragment.

    Query strings carry tokens (`access_token=`, signed links) and search terms; the scheme,
    host and path are what a person needs to know where a failure happened.
    """
    parts = urlsplit(str(url))
    if not parts.scheme or not parts.netloc:
        return str(url).split("?", 1)[0].split("#", 1)[0]
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class SourceError(WarroomError):
    """A fetch failed; the message says what, and `url` where (redacted)."""

    def __init__(self, message: str, url: str | None = None) -> None:
        shown = redact_url(url) if url else None
        super().__init__(f"{message} from {shown}" if shown else message)
        self.url = shown


class SourceFailed(SourceError):
    """A failure that waiting will not fix by itself: a missing secret, refused credentials."""


class RetryAfter(SourceError):
    """The service asked us to wait (HTTP 429 or 503 with Retry-After)."""

    def __init__(
        self, seconds: float, url: str | None = None, status: int = 429, reason: str = ""
    ) -> None:
        why = reason or f"HTTP {status}"
        super().__init__(f"{why}, retry after {seconds:.0f}s", url)
        self.seconds = seconds


def retry_after_seconds(value: str | None, now: datetime, default: float = 60.0) -> float:
    """Read a Retry-After header: delta seconds or an HTTP date."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


class Backoff:
    """Exponential backoff with full jitter, so many clients do not retry in step."""

    def __init__(
        self, base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None
    ) -> None:
        self.base = base
        self.cap = cap
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2**self.failures))
        self.failures += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0


@dataclass
class SourceCursor:
    """Where a source got to, and the ids it has already emitted (for deduplication)."""

    cursor: dict[str, Any] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)

    def seen_ids(self) -> set[str]:
        return set(self.seen)

    def remember(self, ids: Iterable[str], limit: int = 5000) -> None:
        self.seen.extend(ids)
        if len(self.seen) > limit:
            del self.seen[: len(self.seen) - limit]


class Cursors(Protocol):
    """Where sources keep their cursors: files on this machine, or the team's Redis."""

    def load(self, name: str) -> SourceCursor: ...

    def save(self, name: str, state: SourceCursor) -> None: ...


class CursorStore:
    """One small JSON file per source, written atomically, so a restart resumes where it stopped."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, name: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        return self.directory / f"{safe}.json"

    def load(self, name: str) -> SourceCursor:
        path = self._path(name)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return SourceCursor()
        except ValueError:
            # A damaged cursor costs a re-fetch, never a crash; dedupe absorbs the overlap.
            return SourceCursor()
        return SourceCursor(
            cursor=dict(data.get("cursor") or {}), seen=list(data.get("seen") or [])
        )

    def save(self, name: str, state: SourceCursor) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(name)
        tmp = path.with_suffix(".json.tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"cursor": state.cursor, "seen": state.seen}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)


_WORD = re.compile(r"[#@]?[\w][\w.'-]*", re.UNICODE)


class Topics:
    """The watched terms: the brand's and each competitor's keywords, hashtags and handles."""

    def __init__(
        self, brand_terms: Iterable[str], competitors: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        self.brand_terms = [t for t in brand_terms if t.strip()]
        # The brand's own accounts: its terms written as handles (`handles:` or `@name`).
        self.brand_handles = [t.strip() for t in self.brand_terms if t.strip().startswith("@")]
        self.competitors = {name: list(terms) for name, terms in (competitors or {}).items()}
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        groups = [(BRAND_TOPIC, self.brand_terms)] + [
            (f"competitor:{name}", terms) for name, terms in self.competitors.items()
        ]
        for topic, terms in groups:
            if terms:
                alternatives = "|".join(re.escape(t.strip().lower()) for t in terms)
                self._patterns.append(
                    (topic, re.compile(rf"(?<![\w#@])(?:{alternatives})(?!\w)", re.IGNORECASE))
                )

    def match(self, text: str) -> str | None:
        """The first topic whose terms appear in the text: the brand before competitors."""
        for topic, pattern in self._patterns:
            if pattern.search(text):
                return topic
        return None

    def query_terms(self, topic: str = BRAND_TOPIC) -> list[str]:
        """The terms to search for a topic."""
        if topic == BRAND_TOPIC:
            return list(self.brand_terms)
        return list(self.competitors.get(topic.removeprefix("competitor:"), []))

    def topics(self) -> list[str]:
        return [BRAND_TOPIC] + [f"competitor:{name}" for name in self.competitors]


def as_dict(value: object) -> dict[str, Any]:
    """The value when it is a JSON object, else an empty one (APIs omit or null fields)."""
    return value if isinstance(value, dict) else {}


def option_problems(
    options: dict[str, Any],
    numbers: Mapping[str, tuple[float, float]],
    required: tuple[str, ...] = (),
    texts: tuple[str, ...] = ("query", "topic"),
) -> list[tuple[str, str]]:
    """Config checks shared by the sources: numbers in range, required and text options."""
    problems: list[tuple[str, str]] = []
    for key, (low, high) in numbers.items():
        value = options.get(key)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            problems.append((key, f"must be a number from {low:g} to {high:g}"))
    for key in required:
        if not options.get(key):
            problems.append((key, "is required"))
    for key in texts:
        value = options.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problems.append((key, "must be a non-empty string"))
    return problems


# Hands mentions on; may answer how many of them were new downstream (None: all of them).
Emit = Callable[[list[Mention]], Awaitable[int | None]]
# Waits until what was handed on is on disk (a push source acknowledges only then).
Durable = Callable[[], Awaitable[None]]
StateListener = Callable[[SourceState], None]

SOURCE_KINDS: dict[str, type[Source]] = {}


def register(cls: type[Source]) -> type[Source]:
    """Class decorator: make a source kind available to the watch config."""
    SOURCE_KINDS[cls.kind] = cls
    return cls


class Source(ABC):
    """A place mentions come from; `run` keeps it going through every failure until stopped."""

    kind: ClassVar[str]
    default_base_url: ClassVar[str] = ""
    default_interval: ClassVar[float] = 60.0
    # The options a kind accepts (None: not checked for unknown keys) and whether it
    # receives (a server) rather than fetches.
    option_names: ClassVar[frozenset[str] | None] = None
    push: ClassVar[bool] = False

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems with a kind's options, as (option, message), for the config's errors."""
        return []

    def __init__(
        self,
        name: str,
        options: dict[str, Any],
        *,
        session: aiohttp.ClientSession,
        cursors: Cursors,
        clock: Clock,
        topics: Topics,
        on_state: StateListener | None = None,
        env: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.name = name
        self.options = options
        self.session = session
        self.cursors = cursors
        self.clock = clock
        self.topics = topics
        self.env = os.environ if env is None else env
        self.base_url = str(options.get("base_url") or self.default_base_url).rstrip("/")
        self.poll_interval = float(options.get("interval", self.default_interval))
        self.backoff = backoff or Backoff(cap=float(options.get("max_backoff", 300.0)))
        self._on_state = on_state
        self._sleep = sleep or asyncio.sleep
        self.state = SourceState(name, SourceStatus.STARTING)
        self.saved = cursors.load(name)
        self._seen = self.saved.seen_ids()
        self.problems: list[str] = []
        self._skipped_since_report: list[str] = []

    # -- helpers for subclasses --------------------------------------------------------------

    def secret(self, option: str) -> str:
        """The value of the environment variable named by an option (e.g. token_env)."""
        variable = self.options.get(option)
        if not variable:
            raise SourceFailed(f"{self.name}: option {option!r} must name an environment variable")
        value = self.env.get(str(variable))
        if not value:
            raise SourceFailed(f"{self.name}: environment variable {variable} is not set")
        return value

    def report(self, status: SourceStatus, detail: str = "", until: datetime | None = None) -> None:
        """Publish a new state to the status line; after skipping bad items it names the last."""
        if status is SourceStatus.CONNECTED and self._skipped_since_report:
            count, last = len(self._skipped_since_report), self._skipped_since_report[-1]
            detail = f"{detail}; skipped {count} bad item(s), last {last}".lstrip("; ")
            self._skipped_since_report.clear()
        self.state = SourceState(self.name, status, detail, until)
        if self._on_state is not None:
            self._on_state(self.state)

    def skip(self, problem: str) -> None:
        """Note one bad item: it is skipped, the rest of the batch goes on."""
        self.problems.append(f"{self.name}: {problem}")
        del self.problems[:-100]
        self._skipped_since_report.append(problem)

    async def check_response(self, response: aiohttp.ClientResponse) -> None:
        """Turn 429/5xx/4xx answers into the errors the run loop understands."""
        if response.status in (429, 503) and "Retry-After" in response.headers:
            seconds = retry_after_seconds(response.headers.get("Retry-After"), self.clock.now())
            raise RetryAfter(seconds, str(response.url), response.status)
        if response.status == 429:
            raise RetryAfter(60.0, str(response.url), 429)
        if response.status in (401, 403):
            raise SourceFailed(
                f"HTTP {response.status}: the service refused our credentials", str(response.url)
            )
        if response.status >= 400:
            raise SourceError(f"HTTP {response.status}", str(response.url))

    def fresh(self, mentions: Iterable[Mention]) -> list[Mention]:
        """Drop mentions already emitted (across restarts too), repeats within the batch, and
        mentions whose time cannot be right (before 1970, or more than a day ahead: skipped)."""
        out: list[Mention] = []
        batch: set[str] = set()
        now = self.clock.now()
        for mention in mentions:
            problem = time_problem(mention.created_at, now)
            if problem is not None:
                self.skip(f"{mention.id[:80]}: created_at {problem}")
                continue
            if mention.id not in self._seen and mention.id not in batch:
                batch.add(mention.id)
                out.append(mention)
        return out

    def commit(self, emitted: list[Mention]) -> None:
        """Persist the cursor and the ids just emitted; called after emit, so no gap on a crash."""
        self.saved.remember(m.id for m in emitted)
        self._seen.update(m.id for m in emitted)
        if len(self._seen) > 20_000:
            self._seen = self.saved.seen_ids()
        self.cursors.save(self.name, self.saved)

    @property
    def cursor(self) -> dict[str, Any]:
        """The source-specific cursor (min_id, cursor, etag ...), saved by `commit`."""
        return self.saved.cursor

    # -- the contract --------------------------------------------------------------------------

    @abstractmethod
    async def poll(self) -> list[Mention]:
        """One request cycle: the new mentions, advancing `self.cursor` in memory."""

    async def fetch_once(self) -> list[Mention]:
        """One poll, deduplicated and committed: for `warroom fetch --once`."""
        mentions = self.fresh(await self.poll())
        self.commit(mentions)
        return mentions

    async def run(self, emit: Emit, stop: asyncio.Event) -> None:
        """Poll until stopped; every failure becomes a state and a wait, never an exception."""

        async def poll_round() -> float:
            self.report(SourceStatus.POLLING)
            mentions = await self.deliver(emit)
            self.backoff.reset()
            self.report(SourceStatus.CONNECTED, f"{len(mentions)} new")
            return self.poll_interval

        await self.keep_running(stop, poll_round)

    async def deliver(self, emit: Emit) -> list[Mention]:
        """One poll: the new mentions emitted, then the cursor saved (rolled back if emit fails)."""
        before = copy.deepcopy(self.saved.cursor)
        mentions = self.fresh(await self.poll())
        if mentions:
            try:
                await emit(mentions)
            except BaseException:
                # The next poll fetches the batch again: no gap.
                self.saved.cursor = before
                raise
        self.commit(mentions)
        return mentions

    async def keep_running(
        self, stop: asyncio.Event, one_round: Callable[[], Awaitable[float]]
    ) -> None:
        """Run rounds until stopped, each saying how long to wait before the next; a failing
        round becomes a state and a backoff, never an exception."""
        while not stop.is_set():
            try:
                delay = await one_round()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a source must never take the engine down
                delay = self.delay_for(error)
            if await self.wait(stop, delay):
                break
        self.report(SourceStatus.STOPPED)

    def delay_for(self, error: Exception) -> float:
        """Report a failure and say how long to wait before the next try."""
        status = SourceStatus.BACKING_OFF
        if isinstance(error, RetryAfter):
            delay = max(error.seconds, 0.0)
        elif isinstance(error, SourceFailed):
            # A person has to act; it is still tried, backing off, in case they did.
            status, delay = SourceStatus.FAILED, self.backoff.next_delay()
        else:
            delay = self.backoff.next_delay()
        until = self.clock.now() + timedelta(seconds=delay)
        self.report(status, describe_error(error), until)
        return delay

    async def wait(self, stop: asyncio.Event, seconds: float) -> bool:
        """Sleep up to `seconds`, waking early when stopped; True if stopped."""
        if stop.is_set():
            return True
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()
        return stop.is_set()


_URL_IN_TEXT = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>)]+")


def describe_error(error: BaseException) -> str:
    """One line for a failure: the service's words, not a traceback; URLs in it redacted."""
    if isinstance(error, SourceError):
        text = str(error)
    elif isinstance(error, aiohttp.ClientResponseError):
        text = f"HTTP {error.status} from {error.request_info.real_url}"
    elif isinstance(error, aiohttp.ClientConnectorError):
        text = f"cannot connect to {error.host}:{error.port}"
    elif isinstance(error, asyncio.TimeoutError | TimeoutError):
        text = "timed out"
    else:
        text = f"{type(error).__name__}: {error}"
    return _URL_IN_TEXT.sub(lambda match: redact_url(match.group()), text)
