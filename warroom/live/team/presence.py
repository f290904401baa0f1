"""Who is on: each console announces its operator and role every few seconds."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis.exceptions import RedisError

from warroom.live.team.link import TeamLink
from warroom.model import format_time, parse_time

ANNOUNCE_EVERY = 3.0  # seconds
GONE_AFTER = timedelta(seconds=15)  # a console not heard from for this long is not on


@dataclass(frozen=True, slots=True)
class Member:
    """One console on the team."""

    console: str
    operator: str
    role: str | None
    seen: datetime
    last_event: str  # the last stream entry it applied
    holder: bool = False

    def describe(self) -> str:
        role = f" ({self.role})" if self.role else ""
        return f"{self.operator}{role}"


async def announce(link: TeamLink, member: Member) -> None:
    """Say this console is on (HSET under the team's presence key)."""
    value = {
        "operator": member.operator,
        "role": member.role,
        "seen": format_time(member.seen),
        "last_event": member.last_event,
    }
    await link.redis.hset(link.keys.presence, member.console, json.dumps(value))


async def leave(link: TeamLink, console: str) -> None:
    """Say this console is gone (quitting)."""
    with contextlib.suppress(RedisError, OSError):  # else it drops out after GONE_AFTER
        await link.redis.hdel(link.keys.presence, console)


async def members(link: TeamLink, now: datetime) -> list[Member]:
    """The consoles heard from recently, in order of operator name."""
    raw = await link.redis.hgetall(link.keys.presence)
    found = []
    for console, value in raw.items():
        try:
            data = json.loads(value)
            seen = parse_time(str(data["seen"]))
        except (ValueError, KeyError, TypeError):
            continue
        if now - seen > GONE_AFTER:
            continue
        role = data.get("role")
        found.append(
            Member(
                console.decode() if isinstance(console, bytes) else str(console),
                str(data.get("operator") or "?"),
                str(role) if role else None,
                seen,
                str(data.get("last_event") or "0-0"),
            )
        )
    return sorted(found, key=lambda m: (m.operator, m.console))
