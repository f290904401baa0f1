"""A console's replica of the team's incident.

Own events go to the durable outbox, then into the team's event stream; every console's events
come back in stream order and are applied to the local store, so checks and unchecks resolve
the same way everywhere. The ingest holder's scored mentions go into the mention stream and
every other console applies them. One console holds the ingest lease at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT

from warroom.clock import ScaledClock, SystemClock
from warroom.incident import checkpoint as checkpoints
from warroom.incident.checkpoint import Checkpoint
from warroom.incident.engine import EngineUpdate
from warroom.incident.log import slugify
from warroom.incident.session import Session
from warroom.incident.state import IncidentState
from warroom.live.team.cursors import TeamCursors
from warroom.live.team.lease import LEASE_MS, RENEW_EVERY, STOP_AFTER, TRY_EVERY, IngestLease
from warroom.live.team.link import TeamLink
from warroom.live.team.outbox import Outbox
from warroom.live.team.presence import ANNOUNCE_EVERY, Member, announce, leave, members
from warroom.live.team.wire import (
    MENTIONS_PER_ENTRY,
    MentionBatch,
    TeamEvent,
    WireError,
    decode,
    mention_fields,
)
from warroom.model import (
    Event,
    EventKind,
    Label,
    Mention,
    MentionError,
    Score,
    ScoredMention,
    format_time,
    parse_time,
)

READ_BLOCK_MS = 1000  # a blocking read returns at least this often, to notice a stop
# The holder puts its engine's state in Redis this often (in mentions), so a console that joins
# late starts from it instead of reading every mention of the incident again.
SNAPSHOT_EVERY = 20_000
BACKFILL_ENTRIES = 10  # stream entries (of up to 500 mentions) stored per step of a backfill
READ_ENTRIES = 20  # entries per read: a console catching up yields to the screen between reads
RETRY_SECONDS = 1.0  # between tries while the link is down
Notice = Callable[[str], None]
Ingest = Callable[["TeamReplica"], Awaitable[None]]


class TeamIncidentInvalid(WireError):
    """The team's incident record in Redis is not one this console can open."""


async def join_team_incident(session: Session, link: TeamLink, *, name: str) -> bool:
    """Open the session on the team's incident: the one in Redis, or a new one this console
    founds (True) when the team has none. Two consoles founding at once get one incident."""
    record: Any = None
    raw = await link.redis.get(link.keys.incident)
    founded = False
    if raw is None:
        now = session.clock.now()
        record = {
            "slug": f"{slugify(name)[:40]}-{now:%Y%m%d-%H%M%S}",
            "name": name,
            "brand": session.brand,
            "drill": session.drill,
            "created_at": format_time(now),
        }
        founded = bool(await link.redis.set(link.keys.incident, json.dumps(record), nx=True))
        if not founded:
            raw = await link.redis.get(link.keys.incident)
    if not founded:
        try:
            record = json.loads(raw or b"null")
            slug, title = str(record["slug"]), str(record["name"])
        except (ValueError, KeyError, TypeError) as error:
            raise TeamIncidentInvalid(
                f"the team's incident record ({link.keys.incident}) is damaged: {error}; "
                "delete that key to start a new one"
            ) from None
    else:
        slug, title = record["slug"], record["name"]
    session.open_replica(slug, title)
    return founded


def new_console_id() -> str:
    """A console's id for this run: host, process and a random part, never reused."""
    host = socket.gethostname().split(".")[0][:20] or "host"
    return f"{host}-{secrets.token_hex(4)}"


class TeamReplica:
    """Keeps one session's incident in step with the team's streams."""

    def __init__(
        self,
        session: Session,
        link: TeamLink,
        *,
        role: str | None = None,
        console: str | None = None,
        notice: Notice | None = None,
        founded: bool = False,
        lease_ms: int = LEASE_MS,
    ) -> None:
        self.session = session
        self.link = link
        self.console = console or new_console_id()
        self.operator = session.operator
        self.role = role
        self.notice = notice or (lambda text: None)
        self.slug = session.log.meta.slug
        self.outbox = Outbox(session.log.path)
        # The renewal cadence and the stop margin scale with the lease (tests use short ones).
        scale = lease_ms / LEASE_MS
        self.renew_every = RENEW_EVERY * scale
        self.lease = IngestLease(
            link, self.console, self.operator, lease_ms=lease_ms, stop_after=STOP_AFTER * scale
        )
        self.cursors = TeamCursors(link, before_write=self._publish)
        self.members: list[Member] = []
        self.holder: dict[str, str] | None = None
        self.positions = {"events": "0-0", "mentions": "0-0"}
        self.last_applied = "0-0"
        self._counter = itertools.count(1)
        self._published: set[str] = set()
        self._wake = asyncio.Event()
        self._publishing = asyncio.Lock()
        self._applying_remote = False
        self._mentions_out: list[dict[str, Any]] = []  # the holder's, waiting to be sent
        self._last_sent = "0-0"  # the holder's last mention entry in the stream
        self._since_snapshot = 0
        self.joined_from: str | None = None  # the stream id of the snapshot this console took
        self._tasks: set[asyncio.Task[None]] = set()
        engine = session.engine
        engine.sink = self._sink
        engine.new_event_id = self._next_id
        engine.follows = True  # until this console holds the lease
        engine.listeners.append(self._on_update)
        session.rotate_on_close = False  # closing is the team's: every console keeps the log
        engine.restore_pending([_event(e) for e in self.outbox.pending()])
        if founded:  # the team's first event: which playbook the incident runs
            engine.record(
                EventKind.PLAYBOOK_CHANGED, {"playbook": session.playbook.name}, author=None
            )

    # -- what the header shows -----------------------------------------------------------------

    @property
    def is_holder(self) -> bool:
        return self.lease.held

    def describe(self) -> str:
        """`team: 3 on · dana (lead), lee (social) · ingest: dana · team link up`."""
        people = ", ".join(m.describe() for m in self.members) or self.operator
        holder = (self.holder or {}).get("operator", "nobody")
        link = self.link.state.describe(len(self.outbox))
        return f"team: {len(self.members) or 1} on · {people} · ingest: {holder} · {link}"

    # -- own events ----------------------------------------------------------------------------

    def _next_id(self) -> str:
        return f"{self.console}:{next(self._counter)}"

    def _sink(self, event: Event) -> None:
        """The engine's events: on disk in the outbox before the person is told, then sent."""
        assert event.id is not None
        self.outbox.add(
            TeamEvent(event.id, event.kind, format_time(event.at), event.author, event.data)
        )
        self._wake.set()

    def _on_update(self, update: EngineUpdate) -> None:
        # What this console took in itself goes to the team (what came from the stream does
        # not), even if the lease lapsed meanwhile: a gap is worse than a resend, which every
        # console drops as a duplicate.
        if self._applying_remote or not update.mentions:
            return
        self._mentions_out.extend(_record(item) for item in update.mentions)
        self._wake.set()

    async def _publish(self) -> None:
        """Send what waits: the outbox's events in order, then the holder's mentions."""
        async with self._publishing:  # one sender at a time, or an event could go twice
            await self._publish_held()

    async def _publish_held(self) -> None:
        for event in self.outbox.pending():
            if event.id in self._published:
                continue
            await self.link.add(self.link.keys.events(self.slug), event.fields())
            self._published.add(event.id)
        while self._mentions_out:
            batch = self._mentions_out[:MENTIONS_PER_ENTRY]
            entry = mention_fields(batch, self.console)
            self._last_sent = await self.link.add(self.link.keys.mentions(self.slug), entry)
            del self._mentions_out[: len(batch)]
            self._since_snapshot += len(batch)
        if self._since_snapshot >= SNAPSHOT_EVERY and self.lease.held:
            # Taken now, with nothing unsent and no await since the last send: the state is
            # exactly that of the mentions up to _last_sent.
            self._since_snapshot = 0
            await self._send_snapshot(self.session.engine.snapshot(), self._last_sent)

    async def _send_snapshot(self, snapshot: Checkpoint, stream_id: str) -> None:
        payload = await asyncio.to_thread(checkpoints.encode, snapshot)
        mapping: dict[FieldT, EncodableT] = {"stream_id": stream_id, "payload": payload}
        await self.link.redis.hset(self.link.keys.checkpoint(self.slug), mapping=mapping)

    # -- the team's streams in -----------------------------------------------------------------

    def apply(self, stream: str, entry_id: str, fields: dict[bytes, bytes]) -> None:
        """Apply one stream entry; a bad one is skipped, counted and named in the status line."""
        try:
            content = decode(fields)
        except WireError as error:
            self.link.skipped(entry_id, str(error))
            return
        self._applying_remote = True
        try:
            if isinstance(content, TeamEvent):
                self._apply_event(content)
            elif content.by != self.console:  # the holder took its own in already
                self._apply_mentions(entry_id, content.records)
        finally:
            self._applying_remote = False
        self.last_applied = entry_id

    def _apply_event(self, team_event: TeamEvent) -> None:
        try:
            event = _event(team_event)
        except ValueError as error:
            self.link.skipped(team_event.id, f"bad time ({error})")
            return
        engine = self.session.engine
        logged = engine.apply_remote(event)
        if logged is None:
            return
        if event.kind is EventKind.PLAYBOOK_CHANGED:
            self.session.follow_playbook()
        if team_event.id.startswith(f"{self.console}:"):
            self.outbox.done({team_event.id})
            state = engine.state
            if event.kind is EventKind.DECLARED and not _counts(event, state):
                self.notice(
                    f"already declared by {state.declared_by or 'someone'} at "
                    f"{state.declared_at:%H:%M:%S}: this console's declaration is in the log, "
                    "the first one counts"
                )

    def _apply_mentions(self, entry_id: str, records: list[dict[str, Any]]) -> None:
        batch = []
        for record in records:
            try:
                batch.append(_scored(record))
            except (MentionError, KeyError, TypeError, ValueError) as error:
                self.link.skipped(entry_id, f"mention: {str(error)[:80]}")
        if batch:
            clock = self.session.clock
            newest = max(item.mention.created_at for item in batch)
            if isinstance(clock, ScaledClock) and newest > clock.now():
                # A drill runs on the holder's scenario time: a console that joined later (or
                # whose clock drifted) follows the mentions it is given.
                clock.restart(newest)
            self.session.take_scored(batch)

    async def join_from_snapshot(self) -> bool:
        """A console with no mentions yet takes the holder's last snapshot (its signals, dedupe
        and feed) and reads only the mentions after it; the older ones are stored in the
        background, so this replica ends up whole for review and export."""
        if self.session.log.mention_count() or self.positions["mentions"] != "0-0":
            return False
        raw = await self.link.redis.hgetall(self.link.keys.checkpoint(self.slug))
        stream_id, payload = raw.get(b"stream_id"), raw.get(b"payload")
        if not isinstance(stream_id, bytes) or not isinstance(payload, bytes):
            return False
        try:
            snapshot = await asyncio.to_thread(checkpoints.decode, payload)
        except (ValueError, KeyError, TypeError, IndexError, RecursionError) as error:
            self.link.skipped("snapshot", f"damaged ({str(error)[:60]})")
            return False
        if not self.session.engine.restore(snapshot):
            return False  # computed under another rule: read every mention instead
        until = stream_id.decode()
        self.positions["mentions"] = until
        self.joined_from = until
        task = asyncio.ensure_future(self._backfill(until))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _backfill(self, until: str) -> None:
        """Store the mentions the snapshot covers, oldest first, without counting them again;
        a link that drops meanwhile is waited for, the storing resumes where it stopped."""
        key = self.link.keys.mentions(self.slug)
        start = "-"
        while True:
            try:
                entries = await self.link.entries_between(key, start, until, BACKFILL_ENTRIES)
            except (RedisError, OSError) as error:
                self.link.went_down(error)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            for entry_id, fields in entries:
                try:
                    content = decode(fields)
                except WireError as error:
                    self.link.skipped(entry_id, str(error))
                    continue
                if isinstance(content, MentionBatch):
                    batch = []
                    for record in content.records:
                        with contextlib.suppress(MentionError, KeyError, TypeError, ValueError):
                            batch.append(_scored(record))
                    self.session.engine.store_only(batch)
            if len(entries) < BACKFILL_ENTRIES or entries[-1][0] == until:
                return
            start = "(" + entries[-1][0]
            await asyncio.sleep(0)  # the console stays responsive while the history is stored

    async def follow(self, stop: asyncio.Event) -> None:
        """Tail both streams until stopped; the link going down is a state, not an exception."""
        with contextlib.suppress(RedisError, OSError):
            await self.join_from_snapshot()
        keys = {
            "events": self.link.keys.events(self.slug),
            "mentions": self.link.keys.mentions(self.slug),
        }
        while not stop.is_set():
            try:
                await self._publish()
                wanted = {keys[name]: position for name, position in self.positions.items()}
                entries = await self.link.read(wanted, block_ms=READ_BLOCK_MS, count=READ_ENTRIES)
                self.link.came_up()
            except (RedisError, OSError) as error:
                self.link.went_down(error)
                self._published.clear()  # what was sent may not have arrived: send again
                await _wait(stop, RETRY_SECONDS)
                continue
            for stream, entry_id, fields in entries:
                name = "events" if stream == keys["events"] else "mentions"
                self.positions[name] = entry_id
                self.apply(stream, entry_id, fields)
                await asyncio.sleep(0)  # catching up: the screen stays responsive

    async def wake_publisher(self, stop: asyncio.Event) -> None:
        """Send own events as soon as they are in the outbox (the read blocks meanwhile)."""
        while not stop.is_set():
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._publish()
            except (RedisError, OSError) as error:
                self.link.went_down(error)
                self._published.clear()

    # -- the ingest lease ----------------------------------------------------------------------

    async def hold_ingest(self, stop: asyncio.Event, ingest: Ingest) -> None:
        """Take the lease when it is free and run `ingest` only while holding it."""
        while not stop.is_set():
            if await self.lease.try_acquire():
                await self._ingest_while_held(stop, ingest)
            with contextlib.suppress(RedisError, OSError):
                self.holder = await self.lease.holder()
            await _wait(stop, TRY_EVERY)

    async def _ingest_while_held(self, stop: asyncio.Event, ingest: Ingest) -> None:
        try:
            await self.cursors.fetch()
        except (RedisError, OSError) as error:
            self.link.went_down(error)
            await self.lease.release()
            return
        engine = self.session.engine
        engine.follows = False
        self.holder = {"console": self.console, "operator": self.operator}
        task = asyncio.ensure_future(ingest(self))
        try:
            while not stop.is_set() and not task.done():
                await _wait(stop, self.renew_every, task)
                if not await self.lease.renew():
                    break  # lost it, or could not renew in time: stop before another takes it
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            engine.follows = True
            with contextlib.suppress(RedisError, OSError):
                await self.cursors.drain()
            if stop.is_set():
                await self.lease.release()

    # -- presence ------------------------------------------------------------------------------

    async def announce_presence(self, stop: asyncio.Event) -> None:
        """Say who this console is every few seconds, and read who else is on."""
        while not stop.is_set():
            # Wall time, not the session's: a drill's clock runs 30 times faster, and each
            # console's from its own start.
            now = SystemClock().now()
            me = Member(self.console, self.operator, self.role, now, self.last_applied)
            try:
                await announce(self.link, me)
                self.members = await members(self.link, now)
                self.holder = await self.lease.holder()
            except (RedisError, OSError) as error:
                self.link.went_down(error)
            await _wait(stop, ANNOUNCE_EVERY)
        await leave(self.link, self.console)

    async def close(self) -> None:
        """Leaving: give the lease up (another console takes over at once), say goodbye."""
        for task in list(self._tasks):  # the background storing of a late join
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.lease.release()
        await leave(self.link, self.console)
        await self.link.close()

    async def run(self, stop: asyncio.Event, ingest: Ingest | None = None) -> None:
        """Everything a console does for the team, until stopped."""
        tasks = [self.follow(stop), self.wake_publisher(stop), self.announce_presence(stop)]
        if ingest is not None:
            tasks.append(self.hold_ingest(stop, ingest))
        waker = asyncio.ensure_future(stop.wait())
        waker.add_done_callback(lambda _: self._wake.set())
        try:
            await asyncio.gather(*tasks)
        finally:
            waker.cancel()


async def _wait(stop: asyncio.Event, seconds: float, *also: asyncio.Future[Any]) -> None:
    """Sleep up to `seconds`, waking early when stopped (or when `also` finishes)."""
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({stopper, *also}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()


def _counts(declared: Event, state: IncidentState) -> bool:
    """Whether this declaration is the one the incident's state took (the first)."""
    when = declared.data.get("declared_at")
    at = parse_time(when) if isinstance(when, str) else declared.at
    return state.declared_by == declared.author and state.declared_at == at


def team_event_to_event(team_event: TeamEvent) -> Event:
    """The log's Event for a stream event (its seq is the local log's business)."""
    return _event(team_event)


def _event(team_event: TeamEvent) -> Event:
    return Event(
        0,
        team_event.kind,
        parse_time(team_event.at),
        dict(team_event.data),
        team_event.author,
        id=team_event.id,
    )


def _record(item: ScoredMention) -> dict[str, Any]:
    label = item.score.label
    return {
        "mention": item.mention.to_dict(),
        "compound": item.score.compound,
        "label": str(label) if label else None,
    }


def _scored(record: dict[str, Any]) -> ScoredMention:
    compound = record.get("compound")
    if compound is not None and not isinstance(compound, int | float):
        raise ValueError("compound is not a number")
    label = record.get("label")
    score = Score(
        float(compound) if compound is not None else None, Label(label) if label else None
    )
    return ScoredMention(Mention.from_dict(record["mention"]), score)
