"""The connection to the team's Redis: keys by team, stream writes and blocking reads, and the
link's state (up, or down since when) for the header."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT, KeyT, StreamIdT

from warroom.clock import Clock
from warroom.errors import WarroomError
from warroom.live.sources.base import redact_url

URL_ENV = "WARROOM_TEAM_URL"
TEAM_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# Redis answers on loopback in well under a millisecond; a link this slow is treated as down.
SOCKET_TIMEOUT = 5.0
CONNECT_TIMEOUT = 3.0


class TeamConfigInvalid(WarroomError):
    """Team mode asked for but not usable as configured: says what to set."""

    exit_status = 2


@dataclass(frozen=True, slots=True)
class TeamSettings:
    """Where the team's Redis is (from the environment only) and the team's name."""

    url: str
    team: str

    @property
    def shown_url(self) -> str:
        """The URL without its password, for messages."""
        return redact_url(self.url)


def team_settings(
    team: str | None, env: Mapping[str, str] | None = None, *, url_env: str = URL_ENV
) -> TeamSettings:
    """The team settings from the environment (`WARROOM_TEAM_URL`) and a team name."""
    environ = os.environ if env is None else env
    url = environ.get(url_env, "")
    if not url:
        raise TeamConfigInvalid(
            f"team mode needs {url_env} in the environment, e.g. "
            f"{url_env}=redis://user:password@redis.example:6379/0 (rediss:// for TLS)"
        )
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise TeamConfigInvalid(f"{url_env} must be a redis:// or rediss:// URL")
    name = team or "default"
    if not TEAM_NAME.match(name):
        raise TeamConfigInvalid(
            f"team name {name!r}: lowercase letters, digits, - and _, at most 40 characters"
        )
    return TeamSettings(url, name)


class TeamKeys:
    """Every key warroom uses, under `warroom:<team>:` (the prefix an ACL grants)."""

    def __init__(self, team: str) -> None:
        self.prefix = f"warroom:{team}"

    @property
    def incident(self) -> str:
        """The team's open incident: which one every console works on."""
        return f"{self.prefix}:incident"

    @property
    def lease(self) -> str:
        return f"{self.prefix}:lease"

    @property
    def cursors(self) -> str:
        return f"{self.prefix}:cursors"

    @property
    def presence(self) -> str:
        return f"{self.prefix}:presence"

    def events(self, slug: str) -> str:
        return f"{self.prefix}:inc:{slug}:events"

    def mentions(self, slug: str) -> str:
        return f"{self.prefix}:inc:{slug}:mentions"

    def checkpoint(self, slug: str) -> str:
        return f"{self.prefix}:inc:{slug}:checkpoint"


@dataclass
class LinkState:
    """What the header says of the link."""

    up: bool = False
    down_since: datetime | None = None
    error: str = ""
    skipped: int = 0  # stream entries that were malformed, too large or of another version
    last_skipped: str = ""

    def describe(self, waiting: int) -> str:
        """`team link up`, or `team link down since 12:03 · 4 waiting`."""
        if self.up:
            text = "team link up"
        else:
            since = f" since {self.down_since:%H:%M}" if self.down_since else ""
            text = f"team link down{since} · {waiting} waiting"
        if self.skipped:
            text += f" · {self.skipped} bad entries skipped ({self.last_skipped[:60]})"
        return text


class TeamLink:
    """One console's connection to the team's Redis, and what it knows of the link's health."""

    def __init__(self, settings: TeamSettings, *, clock: Clock) -> None:
        self.settings = settings
        self.keys = TeamKeys(settings.team)
        self.clock = clock
        self.state = LinkState()
        self.redis: aioredis.Redis = aioredis.Redis.from_url(
            settings.url,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=CONNECT_TIMEOUT,
            retry_on_timeout=False,
        )

    def went_down(self, error: BaseException) -> None:
        """Note a failure; the first one starts the `down since` clock."""
        if self.state.up or self.state.down_since is None:
            self.state.down_since = self.clock.now()
        self.state.up = False
        self.state.error = _describe(error, self.settings)

    def came_up(self) -> None:
        self.state.up = True
        self.state.down_since = None
        self.state.error = ""

    def skipped(self, entry_id: str, why: str) -> None:
        """Count one stream entry this console could not apply."""
        self.state.skipped += 1
        self.state.last_skipped = f"{entry_id}: {why}"

    async def ping(self) -> bool:
        """Whether Redis answers now; updates the state either way."""
        try:
            await self.redis.ping()
        except (RedisError, OSError) as error:
            self.went_down(error)
            return False
        self.came_up()
        return True

    async def close(self) -> None:
        await self.redis.aclose()

    async def add(self, key: str, fields: dict[str, str]) -> str:
        """XADD one entry; its id."""
        entry: dict[FieldT, EncodableT] = dict(fields.items())
        entry_id = await self.redis.xadd(key, entry)
        return _text(entry_id)

    async def read(
        self, streams: dict[str, str], *, block_ms: int, count: int = 500
    ) -> list[tuple[str, str, dict[bytes, bytes]]]:
        """Entries after each stream's last id: (stream, entry id, fields), in stream order."""
        wanted: dict[KeyT, StreamIdT] = dict(streams.items())
        answer: Any = await self.redis.xread(wanted, count=count, block=block_ms)
        out = []
        for stream, entries in answer or []:
            for entry_id, fields in entries:
                out.append((_text(stream), _text(entry_id), fields))
        return out

    async def entries(
        self, key: str, *, newest_first: bool = False, count: int | None = None
    ) -> list[tuple[str, dict[bytes, bytes]]]:
        """A stream's entries (XRANGE, or XREVRANGE newest first): (entry id, fields)."""
        if newest_first:
            answer: Any = await self.redis.xrevrange(key, count=count)
        else:
            answer = await self.redis.xrange(key, count=count)
        return [(_text(entry_id), fields) for entry_id, fields in answer or []]

    async def entries_between(
        self, key: str, start: str, end: str, count: int
    ) -> list[tuple[str, dict[bytes, bytes]]]:
        """At most `count` entries from `start` to `end` (XRANGE; "(id" excludes that id)."""
        answer: Any = await self.redis.xrange(key, min=start, max=end, count=count)
        return [(_text(entry_id), fields) for entry_id, fields in answer or []]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _describe(error: BaseException, settings: TeamSettings) -> str:
    # redis-py's messages can quote the URL: never with its password.
    text = f"{type(error).__name__}: {error}"
    return text.replace(settings.url, settings.shown_url)[:200]
