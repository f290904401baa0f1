"""Team mode on a real redis-server (127.0.0.1), each figure against the single-console one
measured in the same run:

1. notes and checks written on one of 10 consoles reaching the 9 others, against the same note
   written on a console without team mode (its local append, fsync included);
2. 2,000 mentions/s ingested by the holder reaching 9 followers, against the holder's own ingest
   time for the same batches (and a console without team mode ingesting them);
3. takeover after a SIGKILL of the holder (in its own process, the real 12 s lease), against the
   lease's bound (LEASE_MS + TRY_EVERY);
4. a new console joining an incident of 200,000 mentions, against one joining an empty incident
   and the holder's own restart of the same incident from its disk.

Every console of 1, 2 and 4 is a `tests.team_support.Console` (a Session and its TeamReplica)
in this one process and event loop, each with its own data folder under one temp dir: what the
figures include that separate machines would not is the 10 consoles sharing one core.

    .venv/bin/python -m benchmarks bench_team              # all four, about 2.5 minutes
    .venv/bin/python -m benchmarks.bench_team notes join   # some of them
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.corpus import write_corpus
from tests.redis_server import RedisServer
from tests.team_support import Console, jsonl_ingest
from warroom.clock import FrozenClock
from warroom.incident.engine import FEED_WINDOW, EngineUpdate
from warroom.incident.log import IncidentStore
from warroom.incident.session import InProcessScoring, Session
from warroom.live.team.lease import LEASE_MS, TRY_EVERY
from warroom.live.team.replica import TeamReplica
from warroom.live.team.wire import MentionBatch, decode
from warroom.model import EventKind, Mention
from warroom.playbook import default_playbook

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)  # the tests' clock; the corpus starts at 08:00
CONSOLES = 10
NOTES = 200
CHECKS = 100
RATE = 2_000  # mentions/s
SLICE = 0.05  # s: the holder takes a batch of RATE * SLICE mentions this often
SURGE_SECONDS = 20
TAKEOVERS = 3
JOIN_SIZE = 200_000
JOIN_BATCH = 5_000
PEOPLE = [("dana", "lead"), ("lee", "social"), ("sam", "legal"), ("kim", "support")]

# The ingest holder of the takeover, in its own process (tests.team_support.HOLDER with the
# lease length as an argument): a JSON Lines source following a file, its cursor in Redis.
HOLDER = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from datetime import UTC, datetime
from pathlib import Path
from tests.redis_server import RedisServer
from tests.team_support import Console, jsonl_ingest
from warroom.clock import FrozenClock

async def main():
    server = RedisServer(Path(sys.argv[2]))
    server.port = int(sys.argv[3])
    clock = FrozenClock(datetime(2026, 3, 14, 9, 0, tzinfo=UTC))
    console = Console(server, Path(sys.argv[4]), clock, "dana", "lead", lease_ms=int(sys.argv[6]))
    await console.start(jsonl_ingest(Path(sys.argv[5])))
    while not console.replica.is_holder:
        await asyncio.sleep(0.02)
    print("holding", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


# -- helpers ------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def solo_session(folder: Path) -> Session:
    """A console without team mode: a session on its own incident log."""
    session = Session(
        store=IncidentStore(folder),
        clock=FrozenClock(T0),
        brand="acme",
        playbook=default_playbook(),
        scoring=InProcessScoring(),
        operator="dana",
    )
    session.open("Acme watch")
    return session


async def team(
    server: RedisServer,
    root: Path,
    count: int,
    ingest: Callable[[TeamReplica], Awaitable[None]] | None = None,
) -> list[Console]:
    """`count` consoles on one team; the first founds the incident (and runs `ingest`)."""
    clock = FrozenClock(T0)
    consoles = []
    for n in range(count):
        operator, role = PEOPLE[n % len(PEOPLE)]
        console = Console(server, root / f"c{n}", clock, operator, role)
        consoles.append(await console.start(ingest if n == 0 else None))
    return consoles


async def close_all(consoles: list[Console]) -> None:
    for console in consoles:
        with contextlib.suppress(Exception):
            await console.close()


async def wait_for(condition: Callable[[], bool], seconds: float, step: float = 0.002) -> bool:
    deadline = time.perf_counter() + seconds
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(step)
    return True


@contextlib.contextmanager
def redis_server(root: Path) -> Iterator[RedisServer]:
    server = RedisServer(root / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


class LoopLag:
    """How late a 20 ms sleep wakes up: how long the event loop (a console's screen) stalls."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.02)
            self.lags.append(time.perf_counter() - started - 0.02)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


class GcPauses:
    """The full (generation 2) collections of this process, and how long each took."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._started)

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)


def corpus(folder: Path, count: int, *, per_second: float, prefix: str) -> list[Mention]:
    """`count` realistic mentions (benchmarks/corpus.py), their ids prefixed."""
    path = write_corpus(folder / f"{prefix}.jsonl", count, per_second=per_second)
    out = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            record["id"] = record["id"].replace("corpus:", f"{prefix}:")
            out.append(Mention.from_dict(record))
    path.unlink()
    return out


# -- 1. notes and checks ------------------------------------------------------------------------


async def bench_notes(root: Path) -> dict[str, Any]:
    # Baseline: the same notes on a console without team mode (on disk, fsync'd, when it returns).
    solo = solo_session(root / "solo")
    local = []
    try:
        for n in range(NOTES):
            started = time.perf_counter()
            solo.note(f"holding statement draft {n} approved by legal")
            local.append(time.perf_counter() - started)
            assert solo.state.timeline[-1].data["text"].endswith(f"{n} approved by legal")
            await asyncio.sleep(random.uniform(0.005, 0.02))
    finally:
        solo.shutdown()

    with redis_server(root) as server:
        consoles = await team(server, root / "team", CONSOLES)
        arrived: dict[str, list[float]] = {}

        def hook(console: Console) -> None:
            def on_update(update: EngineUpdate) -> None:
                now = time.perf_counter()
                for event in update.events:
                    if event.id is not None:
                        arrived.setdefault(event.id, []).append(now)

            assert console.session is not None
            console.session.engine.listeners.append(on_update)

        for console in consoles[1:]:
            hook(console)
        writer = consoles[0].session
        assert writer is not None
        await asyncio.sleep(1.0)  # every console is following
        call, spread, lost = [], {"note": [], "check": []}, 0  # type: ignore[var-annotated]
        try:
            # Interleaved (note, note, check), so both kinds meet the same moments.
            actions = [("note", n) for n in range(NOTES)]
            for n in range(CHECKS):
                actions.insert(3 * n + 2, ("check", n))
            for kind, n in actions:
                started = time.perf_counter()
                if kind == "note":
                    event = writer.note(f"holding statement draft {n} approved by legal")
                else:
                    event = writer.set_step("assess-impact", n % 2 == 0)
                returned = time.perf_counter()
                if kind == "note":
                    call.append(returned - started)
                assert event.id is not None
                ok = await wait_for(lambda i=event.id: len(arrived.get(i, ())) >= CONSOLES - 1, 10)
                if not ok:
                    lost += 1
                spread[kind] += [t - returned for t in arrived.get(event.id, ())]
                await asyncio.sleep(random.uniform(0.005, 0.02))
            # Every console ends the same: all the notes, the step as the last check left it.
            for console in consoles:
                assert console.session is not None
                notes = [e for e in console.session.state.timeline if e.kind is EventKind.NOTE]
                assert len(notes) == NOTES, (console.operator, len(notes))
                checked = (CHECKS - 1) % 2 == 0  # the last set_step: checked on an even n
                assert ("assess-impact" in console.session.state.checks) is checked
        finally:
            await close_all(consoles)
    return {
        "local": local,
        "call": call,
        "note": spread["note"],
        "check": spread["check"],
        "lost": lost,
    }


def report_notes(r: dict[str, Any]) -> None:
    base50, base99 = pct(r["local"], 50), pct(r["local"], 99)
    print(f"1. notes: {NOTES} notes + {CHECKS} checks on console 0, {CONSOLES} consoles")
    print(
        f"   baseline, note() without team mode (append + fsync): p50 {ms(base50)}  p99 "
        f"{ms(base99)}"
    )
    print(
        f"   note() in team mode (outbox + fsync):               p50 {ms(pct(r['call'], 50))}  "
        f"p99 {ms(pct(r['call'], 99))}"
    )
    for kind in ("note", "check"):
        got = r[kind]
        p50, p99 = pct(got, 50), pct(got, 99)
        print(
            f"   {kind} returned -> in each other timeline ({len(got)} arrivals): "
            f"p50 {ms(p50)}  p99 {ms(p99)}  max {ms(max(got))}  "
            f"(x{p50 / base50:.1f} / x{p99 / base99:.1f} the local append)  aim p99 < 200 ms"
        )
    print(f"   actions not on all 9 others within 10 s: {r['lost']}", flush=True)


# -- 2. a surge through the holder --------------------------------------------------------------


async def bench_surge(root: Path) -> dict[str, Any]:
    per = int(RATE * SLICE)
    slices = int(SURGE_SECONDS / SLICE)
    mentions = corpus(root, per * slices + per * 20, per_second=RATE, prefix="surge")
    warm, mentions = mentions[: per * 20], mentions[per * 20 :]
    batches = [mentions[k * per : (k + 1) * per] for k in range(slices)]

    # Baseline 1: a console without team mode taking in the same batches at the same rate.
    solo = solo_session(root / "solo-surge")
    solo_times = []
    try:
        await solo.ingest(warm)
        started = time.perf_counter()
        for k, batch in enumerate(batches[: slices // 4]):
            await asyncio.sleep(max(0.0, started + k * SLICE - time.perf_counter()))
            t = time.perf_counter()
            await solo.ingest(batch)
            solo_times.append(time.perf_counter() - t)
    finally:
        solo.shutdown()

    go, fed = asyncio.Event(), asyncio.Event()
    holder_times: list[float] = []
    sent: dict[str, float] = {}
    lags: list[float] = []
    per_console: dict[int, list[float]] = {}
    behind: list[float] = []  # the wall time the feed actually took
    measuring: list[bool] = []

    async def feed(replica: TeamReplica) -> None:
        session = replica.session
        await go.wait()
        await session.ingest(warm)
        await asyncio.sleep(1.0)
        measuring.append(True)
        started = time.perf_counter()
        for k, batch in enumerate(batches):
            await asyncio.sleep(max(0.0, started + k * SLICE - time.perf_counter()))
            t = time.perf_counter()
            await session.ingest(batch)
            holder_times.append(time.perf_counter() - t)
        behind.append(time.perf_counter() - started)
        fed.set()
        await asyncio.Event().wait()  # keep the lease

    with redis_server(root) as server:
        consoles = await team(server, root / "team-surge", CONSOLES, feed)
        holder = consoles[0]
        assert holder.session is not None and holder.replica is not None

        def on_holder(update: EngineUpdate) -> None:
            if not measuring:
                return  # the warm-up batch
            now = time.perf_counter()
            for item in update.mentions:
                sent[item.mention.id] = now

        def hook(n: int, console: Console) -> None:
            mine = per_console.setdefault(n, [])

            def on_update(update: EngineUpdate) -> None:
                now = time.perf_counter()
                for item in update.mentions:
                    at = sent.get(item.mention.id)
                    if at is not None:
                        mine.append(now - at)

            assert console.session is not None
            console.session.engine.listeners.append(on_update)

        holder.session.engine.listeners.append(on_holder)
        for n, console in enumerate(consoles[1:], 1):
            hook(n, console)
        last = batches[-1][-1].id
        try:
            assert await wait_for(
                lambda: holder.replica is not None and holder.replica.is_holder, 15
            )
            cpu0, wall0 = time.process_time(), time.perf_counter()
            with LoopLag() as loop, GcPauses() as pauses:
                go.set()
                await fed.wait()
                arrived = await wait_for(
                    lambda: all(
                        c.session is not None and c.session.engine.has_seen(last)
                        for c in consoles[1:]
                    ),
                    60,
                    0.01,
                )
            cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
            counts = [
                sum(1 for b in batches for m in b if c.session and c.session.engine.has_seen(m.id))
                for c in consoles[1:]
            ]
        finally:
            await close_all(consoles)
    for values in per_console.values():
        lags.extend(values)
    return {
        "holder": holder_times,
        "solo": solo_times,
        "lags": lags,
        "per_console_p99": [pct(v, 99) for v in per_console.values() if v],
        "arrived": arrived,
        "counts": counts,
        "expected": sum(len(b) for b in batches),
        "feed_seconds": behind[0] if behind else float("nan"),
        "cpu": cpu,
        "loop_lag_p99": pct(loop.lags, 99),
        "loop_lag_max": max(loop.lags),
        "gc": pauses.pauses,
    }


def report_surge(r: dict[str, Any]) -> None:
    n = r["expected"]
    print(
        f"2. surge: {n:,} mentions at {RATE:,}/s ({SURGE_SECONDS} s) through the holder, "
        f"{CONSOLES} consoles"
    )
    print(
        f"   baseline, ingest of a {int(RATE * SLICE)}-mention batch: without team mode "
        f"p50 {ms(pct(r['solo'], 50))} p99 {ms(pct(r['solo'], 99))}; "
        f"on the holder p50 {ms(pct(r['holder'], 50))} p99 {ms(pct(r['holder'], 99))}"
    )
    lags = r["lags"]
    print(
        f"   holder ingest -> follower engine ({len(lags):,} arrivals): p50 {ms(pct(lags, 50))}  "
        f"p99 {ms(pct(lags, 99))}  max {ms(max(lags))}  "
        f"(x{pct(lags, 99) / pct(r['holder'], 99):.0f} the holder's batch p99)  aim p99 < 1 s"
    )
    print(
        f"   per-follower p99: {min(r['per_console_p99']) * 1000:,.0f}-"
        f"{max(r['per_console_p99']) * 1000:,.0f} ms; every follower has every mention: "
        f"{r['arrived'] and all(c == n for c in r['counts'])} "
        f"({min(r['counts']):,}-{max(r['counts']):,} of {n:,})"
    )
    print(
        f"   the feed took {r['feed_seconds']:.1f} s for {SURGE_SECONDS} s of mentions; this "
        f"process "
        f"used {r['cpu']:.2f} CPU s per s; loop lag p99 {ms(r['loop_lag_p99'])} max "
        f"{ms(r['loop_lag_max'])}",
        flush=True,
    )
    full = r["gc"]
    if full:
        print(
            f"   full (generation 2) collections meanwhile: {len(full)}, longest {ms(max(full))}, "
            f"{sum(full):.1f} s in all",
            flush=True,
        )


# -- 3. takeover after SIGKILL ------------------------------------------------------------------


def timed_jsonl_ingest(path: Path, first: list[float]) -> Callable[[TeamReplica], Awaitable[None]]:
    """tests.team_support.jsonl_ingest, noting when this console first takes a mention in."""

    def taken(update: EngineUpdate) -> None:
        if update.mentions and not first:
            first.append(time.perf_counter())

    return jsonl_ingest(path, taken)


def line(n: int) -> str:
    return json.dumps(
        {
            "id": f"file:{n}",
            "source": "export",
            "text": f"acme thermostat {n} offline again",
            "created_at": "2026-03-14T08:30:00Z",
        }
    )


async def one_takeover(root: Path, rep: int) -> dict[str, Any]:
    folder = root / f"takeover-{rep}"
    folder.mkdir()
    feed = folder / "mentions.jsonl"
    feed.write_text("")
    with redis_server(folder) as server:
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                HOLDER,
                str(ROOT),
                str(folder / "r"),
                str(server.port),
                str(folder / "holder"),
                str(feed),
                str(LEASE_MS),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        firsts: list[list[float]] = [[], []]
        survivors = [
            Console(server, folder / f"s{n}", FrozenClock(T0), *PEOPLE[n + 1]) for n in range(2)
        ]
        written = 0
        try:
            assert holder.stdout is not None
            ready = await asyncio.wait_for(asyncio.to_thread(holder.stdout.readline), 60)
            assert ready.strip() == "holding", ready
            for n, survivor in enumerate(survivors):
                await survivor.start(timed_jsonl_ingest(feed, firsts[n]))
            kill_after = random.uniform(4.0, 7.0)  # anywhere in the 3 s renewal cycle
            started = time.perf_counter()
            killed = None
            taken: float | None = None

            async def watch() -> float:
                while not any(s.replica is not None and s.replica.is_holder for s in survivors):
                    await asyncio.sleep(0.005)
                return time.perf_counter()

            new: float | None = None
            while True:
                with feed.open("a", encoding="utf-8") as handle:  # 200 lines/s
                    handle.write("".join(line(n) + "\n" for n in range(written, written + 10)))
                written += 10
                await asyncio.sleep(0.05)
                now = time.perf_counter()
                if killed is None and now - started > kill_after:
                    holder.send_signal(signal.SIGKILL)
                    killed = time.perf_counter()
                    watcher = asyncio.ensure_future(watch())
                    before = [bool(f) for f in firsts]
                    assert not any(before), "a survivor ingested while the holder lived"
                if killed is not None and taken is None and watcher.done():
                    taken = watcher.result()
                if any(firsts) and new is None:
                    new = min(f[0] for f in firsts if f)
                if new is not None and time.perf_counter() - new > 1.0:
                    break
                if killed is not None and now - killed > 40:
                    break
            n_holders = sum(1 for s in survivors if s.replica is not None and s.replica.is_holder)
            session = next(s.session for s in survivors if s.replica and s.replica.is_holder)
            assert session is not None
            await asyncio.sleep(1.0)
            missing = sum(
                1 for n in range(written - 200) if not session.engine.has_seen(f"file:{n}")
            )
        finally:
            holder.kill()
            holder.wait()
            await close_all(survivors)
    assert killed is not None
    return {
        "holder": (taken - killed) if taken else None,
        "ingest": (new - killed) if new else None,
        "holders": n_holders,
        "missing": missing,
        "written": written,
    }


async def bench_takeover(root: Path) -> list[dict[str, Any]]:
    return [await one_takeover(root, rep) for rep in range(TAKEOVERS)]


def report_takeover(rows: list[dict[str, Any]]) -> None:
    bound = LEASE_MS / 1000 + TRY_EVERY
    print(
        f"3. takeover after SIGKILL of the holder (lease {LEASE_MS / 1000:.0f} s, bound "
        f"{bound:.0f} s), 2 survivors"
    )
    for n, r in enumerate(rows, 1):
        print(
            f"   run {n}: is_holder after {r['holder']:.2f} s ({r['holder'] / bound:.2f} of "
            f"the bound), "
            f"first mention ingested after {r['ingest']:.2f} s; holders: {r['holders']}; "
            f"lines missing on the new holder: {r['missing']} of {r['written'] - 200:,}"
        )
    sys.stdout.flush()


# -- 4. join on a 200,000-mention incident -------------------------------------------------------


async def streamed(link: Any, key: str) -> int:
    """How many mention records the team's mention stream holds."""
    total = 0
    for _, fields in await link.entries(key):
        content = decode(fields)
        if isinstance(content, MentionBatch):
            total += len(content.records)
    return total


async def one_join(
    server: RedisServer, folder: Path, last: str, stored: int, operator: str
) -> dict[str, Any]:
    """A console from an empty data folder: until it has seen the last mention, until its feed
    window is full with the latest, and until its own log stores the team's every mention."""
    with LoopLag() as loop:
        started = time.perf_counter()
        joiner = await Console(server, folder, FrozenClock(T0), operator, "legal").start()
        try:
            up = time.perf_counter() - started
            session, replica = joiner.session, joiner.replica
            assert session is not None and replica is not None
            if not last:  # the empty incident: what start() costs is the figure
                return {"up": up}
            seen = await wait_for(lambda: session.engine.has_seen(last), 300, 0.01)
            last_seen = time.perf_counter() - started
            full = await wait_for(
                lambda: (
                    len(session.recent) == FEED_WINDOW and session.recent[-1].mention.id == last
                ),
                60,
                0.01,
            )
            feed_full = time.perf_counter() - started
            whole = await wait_for(lambda: session.log.mention_count() >= stored, 300, 0.05)
            backfilled = time.perf_counter() - started
            snapshot = getattr(replica, "joined_from", None) is not None
            count = session.log.mention_count()
        finally:
            await joiner.close()
    return {
        "up": up,
        "seen": seen,
        "last_seen": last_seen,
        "full": full,
        "feed_full": feed_full,
        "whole": whole,
        "stored": backfilled,
        "count": count,
        "snapshot": snapshot,
        "loop_p99": pct(loop.lags, 99),
        "loop_max": max(loop.lags),
    }


async def bench_join(root: Path) -> dict[str, Any]:
    mentions = corpus(root, JOIN_SIZE, per_second=40, prefix="join")
    last = mentions[-1].id
    forever = asyncio.Event()

    async def hold(replica: TeamReplica) -> None:
        await forever.wait()

    out: dict[str, Any] = {}
    with redis_server(root) as server:
        holder = (await team(server, root / "team-join", 1, hold))[0]
        try:
            assert holder.session is not None and holder.replica is not None
            replica = holder.replica
            assert await wait_for(lambda: replica.is_holder, 15)
            # Baseline 1: a console joining the team while its incident has no mention yet.
            out["empty"] = await one_join(server, root / "empty-joiner", "", 0, "lee")

            built = time.perf_counter()
            for k in range(0, JOIN_SIZE, JOIN_BATCH):
                await holder.session.ingest(mentions[k : k + JOIN_BATCH])
                # InProcessScoring never yields: without this the lease is not renewed.
                await asyncio.sleep(0)
            out["ingest"] = time.perf_counter() - built
            link = replica.link
            key = link.keys.mentions(replica.slug)
            await wait_for(lambda: not replica._mentions_out, 120, 0.05)
            await asyncio.sleep(1.0)  # the last snapshot
            out["published"] = time.perf_counter() - built
            out["stream_len"] = await link.redis.xlen(key)
            out["stream_mb"] = (await link.redis.memory_usage(key) or 0) / 1e6
            out["streamed"] = await streamed(link, key)
            snap = await link.redis.hget(link.keys.checkpoint(replica.slug), "stream_id")
            out["snap_at_end"] = (
                snap is not None
                and snap.decode() == (await link.entries(key, newest_first=True, count=1))[0][0]
            )
            out["holder_count"] = holder.session.log.mention_count()
            del mentions
            gc.collect()

            # The figures: a new console from an empty data folder, from the holder's snapshot,
            # then (the snapshot deleted) by reading the whole mention stream.
            out["snapshot"] = await one_join(server, root / "joiner", last, out["streamed"], "sam")
            saved = await link.redis.hgetall(link.keys.checkpoint(replica.slug))
            await link.redis.delete(link.keys.checkpoint(replica.slug))
            out["replay"] = await one_join(server, root / "joiner-2", last, out["streamed"], "kim")
            if saved:
                await link.redis.hset(link.keys.checkpoint(replica.slug), mapping=saved)
        finally:
            await close_all([holder])
            forever.set()

    # Baseline 2: the holder's own console reopening the same incident from its disk.
    started = time.perf_counter()
    again = Session(
        store=IncidentStore(root / "team-join" / "c0"),
        clock=FrozenClock(T0),
        brand="acme",
        playbook=default_playbook(),
        scoring=InProcessScoring(),
        operator="dana",
    )
    again.open()
    out["resume"] = time.perf_counter() - started
    out["resumed"] = (again.log.mention_count(), again.engine.has_seen(last), len(again.recent))
    again.shutdown()
    return out


def report_join(r: dict[str, Any]) -> None:
    print(
        f"4. join: a new console from an empty data folder; the team's incident holds "
        f"{JOIN_SIZE:,} mentions"
    )
    print(
        f"   (taken in by the holder in {r['ingest']:.1f} s, all sent after "
        f"{r['published']:.1f} s: "
        f"{r['stream_len']} entries, {r['streamed']:,} mentions, {r['stream_mb']:.0f} MB in Redis; "
        f"holder's log {r['holder_count']:,}; snapshot at the stream's end: {r['snap_at_end']})"
    )
    e = r["empty"]
    print(f"   baseline, joining an incident with no mention: start() {ms(e['up'])}")
    print(
        f"   baseline, the holder's console reopening the incident from its own disk: "
        f"{r['resume']:.2f} s ({r['resumed'][0]:,} mentions, last seen {r['resumed'][1]}, "
        f"feed {r['resumed'][2]:,})"
    )
    for name, label in (
        ("snapshot", "from the holder's snapshot"),
        ("replay", "snapshot deleted, whole stream"),
    ):
        j = r[name]
        print(
            f"   {label} (snapshot used: {j['snapshot']}): start() {j['up']:.2f} s; last "
            f"mention seen "
            f"{j['last_seen']:.2f} s ({j['seen']}); feed full with the latest "
            f"{j['feed_full']:.2f} s "
            f"({j['full']}); own log holds all {r['streamed']:,} {j['stored']:.2f} s "
            f"({j['whole']}, "
            f"{j['count']:,}); x{j['last_seen'] / r['resume']:.1f} the reopen; "
            f"loop lag p99 {ms(j['loop_p99'])}, longest stall {ms(j['loop_max'])}"
        )
    sys.stdout.flush()


# -- main ---------------------------------------------------------------------------------------

BENCHES: dict[str, tuple[Callable[[Path], Awaitable[Any]], Callable[[Any], None]]] = {
    "notes": (bench_notes, report_notes),
    "surge": (bench_surge, report_surge),
    "takeover": (bench_takeover, report_takeover),
    "join": (bench_join, report_join),
}


def machine() -> str:
    model = "?"
    with contextlib.suppress(OSError):
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    redis = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    version = next((w for w in redis if w.startswith("v=")), "v=?")
    return (
        f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}, "
        f"redis-server {version[2:]} (appendfsync always), loopback"
    )


def main(argv: list[str] | None = None) -> None:
    names = [n for n in (argv or []) if n in BENCHES] or list(BENCHES)
    print(machine(), flush=True)
    random.seed(7)
    for name in names:
        root = Path(tempfile.mkdtemp(prefix=f"warroom-bench-team-{name}-"))
        run, report = BENCHES[name]
        started = time.perf_counter()
        try:
            result = asyncio.run(run(root))
        finally:
            shutil.rmtree(root, ignore_errors=True)
        report(result)
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
