"""The sources' cursors in Redis, so a new ingest holder resumes with no gap and no duplicate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT

from warroom.live.sources.base import SourceCursor
from warroom.live.team.link import TeamLink


class TeamCursors:
    """A cursor store (load/save, as the sources use it) backed by the team's Redis.

    The holder loads every cursor when it takes the lease; each save is written after the
    mentions it covers went into the stream, so a holder that dies between the two costs a
    re-fetch (dropped as duplicates), never a gap.
    """

    def __init__(
        self, link: TeamLink, before_write: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self.link = link
        # The holder sends the mentions a cursor covers before the cursor itself: a new holder
        # must never start past mentions the team's stream does not have.
        self.before_write = before_write
        self._known: dict[str, SourceCursor] = {}
        self._pending: dict[FieldT, EncodableT] = {}
        self._writer: asyncio.Task[None] | None = None

    async def fetch(self) -> None:
        """Read every source's cursor from Redis (on taking the lease)."""
        raw = await self.link.redis.hgetall(self.link.keys.cursors)
        self._known = {}
        for name, value in raw.items():
            try:
                data = json.loads(value)
            except ValueError:
                continue  # a damaged cursor costs a re-fetch; dedupe absorbs the overlap
            key = name.decode() if isinstance(name, bytes) else str(name)
            self._known[key] = SourceCursor(
                cursor=dict(data.get("cursor") or {}), seen=list(data.get("seen") or [])
            )

    def load(self, name: str) -> SourceCursor:
        known = self._known.get(name)
        return (
            SourceCursor(cursor=dict(known.cursor), seen=list(known.seen))
            if known
            else SourceCursor()
        )

    def save(self, name: str, state: SourceCursor) -> None:
        """Queue the cursor for Redis (latest wins); written by a background task."""
        self._known[name] = SourceCursor(cursor=dict(state.cursor), seen=list(state.seen))
        self._pending[name] = json.dumps({"cursor": state.cursor, "seen": state.seen})
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, {}
            try:
                if self.before_write is not None:
                    await self.before_write()
                await self.link.redis.hset(self.link.keys.cursors, mapping=batch)
            except (RedisError, OSError) as error:
                self.link.went_down(error)
                for name, value in batch.items():
                    self._pending.setdefault(name, value)
                await asyncio.sleep(1.0)

    async def drain(self) -> None:
        """Wait until every queued cursor is written (before giving the lease up)."""
        if self._writer is not None:
            await self._writer
