"""Consoles (the engine side, a Session) joined to one team's Redis, for the team-mode tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from tests.redis_server import RedisServer
from warroom.clock import Clock
from warroom.incident.engine import EngineUpdate
from warroom.incident.log import IncidentStore
from warroom.incident.session import InProcessScoring, Session
from warroom.live.sources.base import Topics
from warroom.live.sources.jsonl import JsonlSource
from warroom.live.team.lease import LEASE_MS
from warroom.live.team.link import TeamLink, team_settings
from warroom.live.team.replica import TeamReplica, join_team_incident
from warroom.live.watch import run_sources
from warroom.model import Mention
from warroom.playbook import default_playbook


class Console:
    """One person's console without the screen: a session, its replica and its tasks."""

    def __init__(
        self,
        server: RedisServer,
        folder: Path,
        clock: Clock,
        operator: str,
        role: str,
        *,
        lease_ms: int = LEASE_MS,
    ) -> None:
        self.server = server
        self.lease_ms = lease_ms
        self.folder = folder
        self.clock = clock
        self.operator = operator
        self.role = role
        self.notices: list[str] = []
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.session: Session | None = None
        self.replica: TeamReplica | None = None

    async def start(
        self, ingest: Callable[[TeamReplica], Awaitable[None]] | None = None
    ) -> Console:
        link = TeamLink(
            team_settings("test", {"WARROOM_TEAM_URL": self.server.url}), clock=self.clock
        )
        session = Session(
            store=IncidentStore(self.folder),
            clock=self.clock,
            brand="acme",
            playbook=default_playbook(),
            scoring=InProcessScoring(),
            operator=self.operator,
        )
        founded = await join_team_incident(session, link, name="Acme watch")
        self.session = session
        self.replica = TeamReplica(
            session,
            link,
            role=self.role,
            notice=self.notices.append,
            founded=founded,
            lease_ms=self.lease_ms,
        )
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.replica.run(self.stop, ingest))
        return self

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self.task, 10)
        if self.replica is not None:
            await self.replica.close()
        if self.session is not None:
            self.session.shutdown()


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait until `condition()` holds, or fail after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


def jsonl_ingest(
    path: Path, taken: Callable[[EngineUpdate], None] | None = None
) -> Callable[[TeamReplica], Awaitable[None]]:
    """The ingest of a holder: a JSON Lines source following `path`, its cursor in Redis;
    `taken` sees each batch's update (a benchmark times the first mention a holder takes in)."""

    async def ingest(replica: TeamReplica) -> None:
        source = JsonlSource(
            "file",
            {"path": str(path), "interval": 0.05},
            session=None,  # type: ignore[arg-type]  # reads a file, makes no requests
            cursors=replica.cursors,
            clock=replica.session.clock,
            topics=Topics(["acme"]),
        )

        async def take(mentions: list[Mention]) -> EngineUpdate:
            update = await replica.session.ingest(mentions)
            if taken is not None:
                taken(update)
            return update

        await run_sources([source], take)

    return ingest


HOLDER = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from tests.conftest import T0
from tests.redis_server import RedisServer
from tests.team_support import Console, jsonl_ingest
from warroom.clock import FrozenClock

async def main():
    server = RedisServer(Path(sys.argv[2]))
    server.port = int(sys.argv[3])
    console = Console(server, Path(sys.argv[4]), FrozenClock(T0), "dana", "lead", lease_ms=2000)
    await console.start(jsonl_ingest(Path(sys.argv[5])))
    while not console.replica.is_holder:
        await asyncio.sleep(0.02)
    print("holding", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
