"""The ingest lease: one console at a time polls the sources, scores, decides the level and
notifies. Set-if-absent with an expiry; renewed only by its holder; given up before it lapses
when it cannot be renewed, so there are never two holders."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable

from redis.exceptions import RedisError

from warroom.live.team.link import TeamLink

LEASE_MS = 12_000  # the lease lapses this long after its last renewal
RENEW_EVERY = 3.0  # seconds: three tries before the lease could lapse
# A holder that has not renewed for this long stops ingesting: it may have lost the lease
# without hearing so, and the lease lapses at LEASE_MS after the last renewal at the latest.
STOP_AFTER = 8.0
# A console without the lease asks for it this often: with a holder killed just after renewing,
# another takes over within LEASE_MS + TRY_EVERY (13 s), inside the 15 s the team is promised.
TRY_EVERY = 1.0

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class IngestLease:
    """This console's claim on ingest."""

    def __init__(
        self,
        link: TeamLink,
        console: str,
        operator: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        lease_ms: int = LEASE_MS,
        stop_after: float = STOP_AFTER,
    ) -> None:
        self.link = link
        self.lease_ms = lease_ms
        self.stop_after = stop_after
        self.value = json.dumps({"console": console, "operator": operator}, sort_keys=True)
        self._monotonic = monotonic
        self._renewed: float | None = None  # when the lease was last set or renewed

    @property
    def held(self) -> bool:
        """Whether this console may ingest now: it holds the lease and renewed it recently."""
        return self._renewed is not None and self._monotonic() - self._renewed < self.stop_after

    async def try_acquire(self) -> bool:
        """Take the lease if nobody holds it."""
        started = self._monotonic()
        try:
            taken = await self.link.redis.set(
                self.link.keys.lease, self.value, nx=True, px=self.lease_ms
            )
        except (RedisError, OSError) as error:
            self.link.went_down(error)
            return False
        if taken:
            self._renewed = started
        return bool(taken)

    async def renew(self) -> bool:
        """Extend the lease if this console still holds it; False when it does not (any more)."""
        if self._renewed is None:
            return False
        started = self._monotonic()
        try:
            kept = await self.link.redis.eval(
                _RENEW, 1, self.link.keys.lease, self.value, self.lease_ms
            )
        except (RedisError, OSError) as error:
            self.link.went_down(error)
            return self.held  # still ours until STOP_AFTER, as far as we can know
        if kept:
            self._renewed = started
            return True
        self._renewed = None
        return False

    async def release(self) -> None:
        """Give the lease up at once (quitting): another console takes over without waiting."""
        if self._renewed is None:
            return
        self._renewed = None
        with contextlib.suppress(RedisError, OSError):  # else it lapses within LEASE_MS
            await self.link.redis.eval(_RELEASE, 1, self.link.keys.lease, self.value)

    async def holder(self) -> dict[str, str] | None:
        """Who holds the lease now (console and operator), or None."""
        raw = await self.link.redis.get(self.link.keys.lease)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
