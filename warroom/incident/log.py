"""The incident store: one folder per incident holding its append-only event log on TinyDB."""

from __future__ import annotations

import builtins
import contextlib
import heapq
import itertools
import json
import math
import os
import re
import socket
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from time import monotonic
from types import TracebackType
from typing import Any

import platformdirs
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from warroom.clock import Clock
from warroom.errors import WarroomError
from warroom.model import (
    EARLIEST_POSTED,
    FUTURE_ALLOWANCE,
    Event,
    EventKind,
    Label,
    Mention,
    MentionError,
    Score,
    ScoredMention,
    format_time,
    parse_time,
    time_problem,
)

FORMAT = 1
EVENT_SEGMENT_SIZE = 500
MENTION_SEGMENT_SIZE = 1000
FLUSH_AFTER_SECONDS = 1.0
_SEGMENT_NAME = re.compile(r"^(\d{10})\.json$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def default_data_dir(override: str | Path | None = None) -> Path:
    """The data directory: the override, else $WARROOM_DATA, else the platform's user data dir."""
    if override is not None and str(override):
        return Path(override).expanduser()
    env = os.environ.get("WARROOM_DATA")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("warroom"))


class IncidentLocked(WarroomError):
    """Another process has the incident open for writing."""

    def __init__(self, slug: str, holder: dict[str, Any] | None) -> None:
        if holder:
            who = (
                f"{holder.get('user', '?')}@{holder.get('host', '?')} "
                f"(pid {holder.get('pid', '?')}) since {holder.get('since', '?')}"
            )
        else:
            who = "another process (holder unknown)"
        super().__init__(
            f"incident {slug!r} is open for writing by {who}; "
            f"open it read-only with `warroom review {slug}`"
        )
        self.slug = slug
        self.holder = holder or {}


class IncidentNotFound(WarroomError, LookupError):
    """No incident with that slug in the data directory."""


class IncidentReadOnly(WarroomError, PermissionError):
    """A write was attempted on an incident opened read-only."""


@dataclass(frozen=True)
class IncidentMeta:
    """What an incident is called and when it began: written once, at creation."""

    slug: str
    name: str
    created_at: datetime
    brand: str | None = None
    drill: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "slug": self.slug,
            "name": self.name,
            "created_at": format_time(self.created_at),
            "brand": self.brand,
            "drill": self.drill,
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IncidentMeta:
        return cls(
            slug=data["slug"],
            name=data["name"],
            created_at=parse_time(data["created_at"]),
            brand=data.get("brand"),
            drill=bool(data.get("drill", False)),
            extra=dict(data.get("extra") or {}),
        )


@dataclass(frozen=True)
class LogPosition:
    """A point in an incident's log: the mentions before it, the last mention's and event's seq."""

    mentions: int = 0
    mention_seq: int = 0
    event_seq: int = 0


@dataclass(frozen=True)
class IncidentSummary:
    """An incident's meta and sizes, read from its last segments only."""

    meta: IncidentMeta
    events: int
    mentions: int


def write_atomically(path: Path, payload: bytes) -> None:
    """Temp file, flush, fsync, os.replace, fsync the folder: the file is whole or untouched."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` survive a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _dumps(data: Any) -> bytes:
    # ASCII escapes keep lone surrogates from the internet writable.
    return json.dumps(data, separators=(",", ":"), allow_nan=False).encode("ascii")


def _load_json(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return json.load(handle)
    except ValueError as error:
        raise ValueError(f"{path}: not valid JSON ({error}); the file is damaged") from error


class AtomicStorage(Storage):
    """TinyDB storage that writes atomically with fsync and keeps what it wrote in memory."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self._data: dict[str, dict[str, Any]] | None = None
        self._loaded = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            self._data = _load_json(self.path) if self.path.exists() else None
            self._loaded = True
        # A shallow copy: TinyDB edits the top level in place before write() may fail.
        return dict(self._data) if self._data is not None else None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomically(self.path, _dumps(data))
        self._data = data
        self._loaded = True


def check_serializable(value: Any, where: str = "data") -> None:
    """Raise TypeError naming the key when `value` is not plain JSON."""
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{where}: {value!r} is not a finite number, JSON cannot hold it")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_serializable(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: key {key!r} is not a string, JSON keys must be")
            check_serializable(item, f"{where}[{key!r}]")
        return
    raise TypeError(f"{where}: a {type(value).__name__} is not JSON-serializable")


class _Stream:
    """One ordered stream of records, kept as TinyDB segment files named by first ordinal."""

    def __init__(self, folder: Path, table: str, segment_size: int, writable: bool) -> None:
        self.folder = folder
        self.table = table
        self.segment_size = segment_size
        self.writable = writable
        self._tail_start = 0
        self._tail: TinyDB | None = None
        self._tail_len = 0
        self.last_seq = 0
        if writable:
            self._open_tail()

    def segments(self) -> list[tuple[int, Path]]:
        """(first ordinal, path) of every whole segment file, in order; temp files are ignored."""
        if not self.folder.is_dir():
            return []
        found = []
        for entry in os.scandir(self.folder):
            match = _SEGMENT_NAME.match(entry.name)
            if match:
                found.append((int(match.group(1)), Path(entry.path)))
        return sorted(found)

    def _open_tail(self) -> None:
        segments = self.segments()
        self._tail_start = segments[-1][0] if segments else 0
        self._tail = self._segment_db(self._tail_start)
        docs = self._tail.table(self.table).all()
        self._tail_len = len(docs)
        self.last_seq = max((doc.doc_id for doc in docs), default=0)

    def _segment_db(self, start: int) -> TinyDB:
        return TinyDB(str(self.folder / f"{start:010d}.json"), storage=AtomicStorage)

    def count(self) -> int:
        """How many records the stream holds on disk."""
        if self.writable:
            return self._tail_start + self._tail_len
        segments = self.segments()
        if not segments:
            return 0
        start, path = segments[-1]
        return start + len((_load_json(path) or {}).get(self.table, {}))

    def write(self, records: Sequence[dict[str, Any]]) -> int:
        """Append records (each with a `seq`): fill the tail segment, then start new ones."""
        written = 0
        while written < len(records):
            assert self._tail is not None
            if self._tail_len >= self.segment_size:
                self._tail.close()
                self._tail_start += self._tail_len
                self._tail = self._segment_db(self._tail_start)
                self._tail_len = 0
            room = self.segment_size - self._tail_len
            chunk = records[written : written + room]
            self._tail.table(self.table).insert_multiple(
                Document(record, doc_id=record["seq"]) for record in chunk
            )
            self._tail_len += len(chunk)
            self.last_seq = chunk[-1]["seq"]
            written += len(chunk)
        return written

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record from disk, in seq order, one segment in memory at a time."""
        for _start, path in self.segments():
            table = (_load_json(path) or {}).get(self.table, {})
            for key in sorted(table, key=int):
                yield table[key]

    def records_after(self, count: int, seq: int) -> Iterator[dict[str, Any]]:
        """The records after the first `count`, the last of which has `seq`; only the segments
        that can hold them are read (the names say where each starts).

        Raises ValueError, before yielding anything, when the stream does not hold such a record.
        """
        segments = self.segments()
        if count <= 0:
            return self._read_from(segments, 0)
        index = bisect_right([start for start, _path in segments], count - 1) - 1
        if index < 0:
            raise ValueError(f"{self.table}: no segment holds record {count:,}")
        start, path = segments[index]
        table = (_load_json(path) or {}).get(self.table, {})
        keys = sorted(table, key=int)
        offset = count - 1 - start
        if offset >= len(keys):
            raise ValueError(f"{self.table}: {start + len(keys):,} records, not {count:,}")
        found = table[keys[offset]].get("seq")
        if found != seq:
            raise ValueError(f"{self.table}: record {count:,} has seq {found}, not {seq}")
        rest = [table[key] for key in keys[offset + 1 :]]
        return itertools.chain(rest, self._read_from(segments, index + 1))

    def _read_from(self, segments: list[tuple[int, Path]], index: int) -> Iterator[dict[str, Any]]:
        for _start, path in segments[index:]:
            table = (_load_json(path) or {}).get(self.table, {})
            for key in sorted(table, key=int):
                yield table[key]

    def close(self) -> None:
        if self._tail is not None:
            self._tail.close()
            self._tail = None


class IncidentLog:
    """One incident's log: durable events, buffered mentions, read back in seq order."""

    def __init__(self, path: Path, meta: IncidentMeta, *, clock: Clock, writable: bool) -> None:
        self.path = path
        self.meta = meta
        self.writable = writable
        self._clock = clock
        self._guard = threading.RLock()
        # One mention flush at a time; appends go on meanwhile (a flush may run in a thread).
        self._flushing = threading.Lock()
        self._lock: FileLock | None = None
        self._closed = False
        # Stored mentions whose posting time cannot be right (written before the edge checked
        # it): left out of every reading, counted here so the reader can say so.
        self.left_out = LeftOut()
        self._buffer: list[dict[str, Any]] = []
        self._buffer_since = 0.0
        if writable:
            self._acquire()
        try:
            self._events = _Stream(path / "events", "events", EVENT_SEGMENT_SIZE, writable)
            self._mentions = _Stream(path / "mentions", "mentions", MENTION_SEGMENT_SIZE, writable)
        except BaseException:
            self._release()
            raise
        self._next_seq = max(self._events.last_seq, self._mentions.last_seq) + 1
        # Mentions appended (buffered or on disk) and the last one's seq: a checkpoint's key.
        self._appended = self._mentions.count() if writable else 0
        self._last_mention_seq = self._mentions.last_seq

    def _acquire(self) -> None:
        lock = FileLock(self.path / "lock", thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise IncidentLocked(self.meta.slug, _read_holder(self.path)) from None
        self._lock = lock
        holder = {
            "pid": os.getpid(),
            "user": os.environ.get("USER") or os.environ.get("USERNAME") or "unknown",
            "host": socket.gethostname(),
            "since": format_time(self._clock.now()),
        }
        try:
            write_atomically(self.path / "holder.json", _dumps(holder))
            # A writer killed mid-write leaves temp files; we hold the lock, so they are stale.
            for folder in (self.path, self.path / "events", self.path / "mentions"):
                for stale in folder.glob("*.tmp"):
                    stale.unlink(missing_ok=True)
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._lock is not None:
            (self.path / "holder.json").unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def _check_writable(self) -> None:
        if self._closed:
            raise ValueError(f"incident {self.meta.slug!r} is closed")
        if not self.writable:
            raise IncidentReadOnly(f"incident {self.meta.slug!r} is open read-only")

    def append(
        self,
        kind: EventKind,
        data: dict[str, Any],
        *,
        author: str | None = None,
        at: datetime | None = None,
        event_id: str | None = None,
    ) -> Event:
        """Write one event to disk (fsynced) and return it; mentions go through append_mentions.

        `event_id` is the event's id across a team (team mode), kept with it."""
        self._check_writable()
        kind = EventKind(kind)
        if kind is EventKind.MENTION:
            raise ValueError("mentions are appended with append_mentions()")
        if not isinstance(data, dict):
            raise TypeError(f"data: expected a dict, got {type(data).__name__}")
        check_serializable(data)
        data = json.loads(_dumps(data))  # our own copy: the caller may change theirs later
        if author is not None and not isinstance(author, str):
            raise TypeError(f"author: expected a string, got {type(author).__name__}")
        with self._guard:
            event = Event(self._next_seq, kind, at or self._clock.now(), data, author, event_id)
            self._events.write([event.to_dict()])
            self._next_seq += 1
        self._flush_if_due()
        return event

    def append_mentions(
        self, scored: Sequence[ScoredMention], *, at: datetime | None = None
    ) -> None:
        """Buffer scored mentions; they reach disk within a second, on flush() or on close()."""
        self._check_writable()
        if not scored:
            return
        moment = format_time(at or self._clock.now())
        records = []
        for item in scored:
            compound = item.score.compound
            if compound is not None and not math.isfinite(compound):
                raise ValueError(f"mention {item.mention.id}: compound score {compound!r}")
            label = str(item.score.label) if item.score.label else None
            mention = item.mention.to_dict()
            records.append({"at": moment, "mention": mention, "compound": compound, "label": label})
        with self._guard:
            if not self._buffer:
                self._buffer_since = monotonic()
            for record in records:
                record["seq"] = self._next_seq
                self._next_seq += 1
            self._buffer.extend(records)
            self._appended += len(records)
            self._last_mention_seq = self._next_seq - 1
        self._flush_if_due()

    def _flush_if_due(self) -> None:
        if self._buffer and monotonic() - self._buffer_since >= FLUSH_AFTER_SECONDS:
            # A disk refusing this opportunistic flush must not fail the append that
            # triggered it (a note already on disk, a batch of mentions already buffered):
            # the buffer keeps them, and the owner's own flush reports the failure.
            with contextlib.suppress(OSError):
                self.flush(wait=False)

    def flush(self, *, wait: bool = True) -> None:
        """Write buffered mentions to disk now (the engine calls this from a timer or a thread).

        With `wait=False` it gives way when another flush is already running.
        """
        if not self._flushing.acquire(blocking=wait):
            return
        try:
            self._flush_held()
        finally:
            self._flushing.release()

    def _flush_held(self) -> None:
        # Called with the flush lock held; the guard is taken only to copy and to trim.
        with self._guard:
            if not self._buffer or not self.writable:
                return
            pending = list(self._buffer)
        # Written outside the guard, so appends are not held up by JSON and fsync.
        written = 0
        try:
            written = self._mentions.write(pending)
        except BaseException:
            # Keep only what did not reach disk, so a retry neither loses nor repeats.
            written = sum(1 for r in pending if r["seq"] <= self._mentions.last_seq)
            raise
        finally:
            with self._guard:
                del self._buffer[:written]
                if self._buffer:
                    self._buffer_since = monotonic()

    @property
    def closed(self) -> bool:
        """Whether close() ran: nothing more is written, and the lock is released."""
        return self._closed

    @property
    def pending_mentions(self) -> int:
        """Mentions buffered but not yet on disk."""
        return len(self._buffer)

    def events(self, *, include_mentions: bool = False) -> Iterator[Event]:
        """Every event on disk in seq order, optionally with the mention events merged in."""
        if self.writable and include_mentions:
            self.flush()
        streams: list[Iterator[dict[str, Any]]] = [self._events.records()]
        if include_mentions:
            streams.append(self._mentions.records())
        for record in heapq.merge(*streams, key=lambda r: r["seq"]):
            if "kind" in record:
                yield Event.from_dict(record)
            else:
                yield Event(
                    seq=record["seq"],
                    kind=EventKind.MENTION,
                    at=parse_time(record["at"]),
                    data={k: record[k] for k in ("mention", "compound", "label")},
                )

    def mention_records(self) -> Iterator[dict[str, Any]]:
        """The stored mention records as written ({seq, at, mention, compound, label}), unparsed;
        one dated before 1970 or more than a day after it arrived is left out and counted."""
        if self.writable:
            self.flush()
        self.left_out = LeftOut()
        return self.left_out.filter(self._mentions.records())

    def mentions(self) -> Iterator[ScoredMention]:
        """The incident's mentions with their scores, in log order, rebuilt from disk."""
        return self._scored(self.mention_records())

    def position(self) -> LogPosition:
        """Where a writable log ends, buffered mentions included (on disk once flushed)."""
        with self._guard:
            return LogPosition(self._appended, self._last_mention_seq, self._events.last_seq)

    def mentions_after(self, position: LogPosition) -> Iterator[ScoredMention]:
        """The mentions after `position`, reading only the segments that can hold them.

        Raises ValueError (before reading further) when the log does not reach `position`.
        """
        if self.writable:
            self.flush()
        records = self._mentions.records_after(position.mentions, position.mention_seq)
        if position.event_seq > self._last_event_seq():
            raise ValueError(f"events: the log ends before event {position.event_seq}")
        self.left_out = LeftOut()
        return self._scored(self.left_out.filter(records))

    def _last_event_seq(self) -> int:
        if self.writable:
            return self._events.last_seq
        segments = self._events.segments()
        table = (_load_json(segments[-1][1]) or {}).get("events", {}) if segments else {}
        return max(map(int, table), default=0)

    def _scored(self, records: Iterable[dict[str, Any]]) -> Iterator[ScoredMention]:
        for record in records:
            label = record.get("label")
            score = Score(record.get("compound"), Label(label) if label else None)
            try:
                mention = Mention.from_dict(record["mention"])
            except MentionError as error:
                self.left_out.add(record, f"{error.field}: {error.message}")
                continue
            yield ScoredMention(mention, score)

    def mention_count(self) -> int:
        """Mentions in the log, buffered ones included, without reading the mention segments."""
        return self._mentions.count() + len(self._buffer)

    def event_count(self) -> int:
        """Non-mention events in the log."""
        return self._events.count()

    def close(self) -> None:
        """Flush buffered mentions and release the write lock."""
        # The flush lock first, then the guard: the order flush() takes them in, so a flush
        # running in another thread finishes instead of waiting on us forever.
        with self._flushing, self._guard:
            if self._closed:
                return
            try:
                self._flush_held()
            finally:
                self._closed = True
                self._events.close()
                self._mentions.close()
                self._release()

    def __enter__(self) -> IncidentLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _read_holder(path: Path) -> dict[str, Any] | None:
    try:
        holder = _load_json(path / "holder.json")
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


_EARLIEST_TEXT = format_time(EARLIEST_POSTED)


class LeftOut:
    """Stored mentions a reading skipped because their posting time cannot be right."""

    def __init__(self) -> None:
        self.count = 0
        self.examples: list[str] = []  # "id (why)", the first few

    def add(self, record: dict[str, Any], why: str) -> None:
        """Count one skipped record."""
        self.count += 1
        if len(self.examples) < 3:
            mention = record.get("mention") or {}
            self.examples.append(f"{str(mention.get('id'))[:60]} ({why})")

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The records whose posting time is possible: 1970 or later, at most a day after the
        record arrived. Stored times are UTC with a Z, so most are checked as strings."""
        arrived = ""
        latest = ""
        for record in records:
            created = str((record.get("mention") or {}).get("created_at", ""))
            if record["at"] != arrived:
                arrived = str(record["at"])
                latest = format_time(parse_time(arrived) + FUTURE_ALLOWANCE)
            if len(created) == len(latest) and created.endswith("Z"):
                if _EARLIEST_TEXT <= created <= latest:
                    yield record
                    continue
                when = "before 1970" if created < _EARLIEST_TEXT else "over a day after arrival"
                self.add(record, f"dated {created[:10]}, {when}")
                continue
            try:
                problem = time_problem(parse_time(created), parse_time(arrived))
            except ValueError:
                problem = "is not a time"
            if problem is None:
                yield record
            else:
                self.add(record, f"created_at {problem}")

    def describe(self) -> str | None:
        """One line for a person, or None when nothing was left out."""
        if not self.count:
            return None
        return (
            f"{self.count} stored mention(s) left out: their time cannot be when they were "
            f"posted (before 1970, or more than a day after they arrived), e.g. "
            + "; ".join(self.examples)
        )


def slugify(name: str) -> str:
    """A folder-safe slug from an incident name: lowercase ASCII words joined by dashes."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return slug or "incident"


class IncidentStore:
    """The incidents under one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "incidents"

    def _folder(self, slug: str) -> Path:
        if not _SLUG.match(slug) or not (self.root / slug / "meta.json").is_file():
            raise IncidentNotFound(
                f"no incident {slug!r} in {self.root}; `warroom incidents` lists them"
            )
        return self.root / slug

    def list(self) -> list[IncidentMeta]:
        """Every incident's meta, oldest first; folders without a whole meta.json are skipped."""
        if not self.root.is_dir():
            return []
        found = []
        for folder in self.root.iterdir():
            try:
                found.append(IncidentMeta.from_dict(_load_json(folder / "meta.json")))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(found, key=lambda meta: (meta.created_at, meta.slug))

    def summaries(self) -> builtins.list[IncidentSummary]:
        """Each incident with its event and mention counts (reads only the last segments)."""
        result = []
        for meta in self.list():
            folder = self.root / meta.slug
            events = _Stream(folder / "events", "events", EVENT_SEGMENT_SIZE, writable=False)
            mentions = _Stream(folder / "mentions", "mentions", MENTION_SEGMENT_SIZE, False)
            result.append(IncidentSummary(meta, events.count(), mentions.count()))
        return result

    @contextmanager
    def claiming(self) -> Iterator[None]:
        """Held while a console finds or creates the incident it will write: two consoles
        starting at the same instant then find one incident, not one each."""
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(self.root / ".claim.lock", thread_local=False):
            yield

    def create(
        self,
        name: str,
        *,
        clock: Clock,
        brand: str | None = None,
        drill: bool = False,
        extra: dict[str, Any] | None = None,
        slug: str | None = None,
    ) -> IncidentLog:
        """Start a new incident with a unique slug from its name, opened for writing.

        With `slug`, exactly that one (a team's incident): FileExistsError if it is taken."""
        extra = dict(extra or {})
        check_serializable(extra, "extra")
        self.root.mkdir(parents=True, exist_ok=True)
        base = slugify(name) if slug is None else slug
        if slug is not None and not _SLUG.match(slug):
            raise ValueError(f"not an incident slug: {slug[:80]!r}")
        number = 1
        while True:
            candidate = base if number == 1 else f"{base}-{number}"
            try:
                # mkdir is atomic: two processes creating the same name get different slugs.
                (self.root / candidate).mkdir()
                break
            except FileExistsError:
                if slug is not None:
                    raise  # a team's replica has the team's slug or none
                number += 1
        slug = candidate
        folder = self.root / slug
        (folder / "events").mkdir()
        (folder / "mentions").mkdir()
        fsync_dir(folder)
        meta = IncidentMeta(slug, name, clock.now(), brand, drill, extra)
        write_atomically(folder / "meta.json", _dumps(meta.to_dict()))
        fsync_dir(self.root)
        return IncidentLog(folder, meta, clock=clock, writable=True)

    def open(self, slug: str, *, clock: Clock, writable: bool = True) -> IncidentLog:
        """Open an incident; for writing it takes the lock, else it reads what is flushed."""
        folder = self._folder(slug)
        meta = IncidentMeta.from_dict(_load_json(folder / "meta.json"))
        return IncidentLog(folder, meta, clock=clock, writable=writable)
