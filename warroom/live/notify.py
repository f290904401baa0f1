"""Outbound notifications: incident events posted to Slack-compatible and generic JSON webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from warroom.clock import Clock
from warroom.live.messages import json_body, slack_body
from warroom.live.sources.base import Backoff, retry_after_seconds
from warroom.model import Event, EventKind, Level

log = logging.getLogger("warroom.live.notify")

WEBHOOK_KINDS = ("slack", "json")
# Never announced: a notification about a notification would loop through the incident log.
NEVER_SENT = frozenset({EventKind.NOTIFICATION, EventKind.MENTION})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
QUEUE_SIZE = 200
USER_AGENT = "warroom/0.1 (+notify)"

Record = Callable[[dict[str, Any]], None]
Sleep = Callable[[float], Awaitable[Any]]


class _NotificationLike(Protocol):
    # Read-only, so the frozen NotificationConfig of the watch config fits.
    @property
    def kind(self) -> str: ...
    @property
    def url_env(self) -> str: ...
    @property
    def events(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """One webhook: a name for logs and records, its kind, and the env vars holding its secrets."""

    name: str
    kind: str
    url_env: str
    events: tuple[str, ...] = ("level_changed", "declared")
    token_env: str | None = None

    def wants(self, kind: EventKind) -> bool:
        """Whether this target asked for events of this kind."""
        return kind not in NEVER_SENT and str(kind) in self.events


def as_target(config: WebhookTarget | _NotificationLike) -> WebhookTarget:
    """A config.NotificationConfig (or a target) as a target, named without any secret."""
    if isinstance(config, WebhookTarget):
        return config
    if config.kind not in WEBHOOK_KINDS:
        raise ValueError(f"notification kind {config.kind!r} is not one of {WEBHOOK_KINDS}")
    name = getattr(config, "name", None) or f"{config.kind}:{config.url_env}"
    events = tuple(str(kind) for kind in config.events)
    return WebhookTarget(
        name, config.kind, config.url_env, events, getattr(config, "token_env", None)
    )


@dataclass
class Delivery:
    """One event on its way to one target."""

    target: WebhookTarget
    seq: int
    kind: str
    body: dict[str, Any]
    key: str
    attempts: int = 0
    http_status: int | None = None
    error: str = ""


class _Retry(Exception):
    def __init__(self, wait: float | None) -> None:
        self.wait = wait


class _GiveUp(Exception):
    pass


class Notifier:
    """Queues events per target and posts them from background tasks, with retries."""

    def __init__(
        self,
        targets: Iterable[WebhookTarget | _NotificationLike],
        *,
        session: aiohttp.ClientSession,
        clock: Clock,
        record: Record,
        brand: str,
        env: Mapping[str, str] = os.environ,
        max_attempts: int = 6,
        base_delay: float = 1.0,
        cap: float = 300.0,
        timeout: float = 10.0,
        queue_size: int = QUEUE_SIZE,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.targets = [as_target(target) for target in targets]
        self.session = session
        self.clock = clock
        self.brand = brand
        self.max_attempts = max(1, max_attempts)
        self.base_delay = base_delay
        self.cap = cap
        self._record = record
        self._env = env
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._queues = {t.name: asyncio.Queue[Delivery](maxsize=queue_size) for t in self.targets}
        self._workers: list[asyncio.Task[None]] = []

    def missing(self) -> list[str]:
        """Env vars named by the config but not set: one line each, for the status bar."""
        lines = []
        for target in self.targets:
            for var in (target.url_env, target.token_env):
                if var and not self._env.get(var):
                    lines.append(f"notify {target.name}: ${var} is not set; nothing will be sent")
        return lines

    def notify(self, event: Event, *, incident: str, level: Level, reason: str) -> None:
        """Queue the event for every target that wants it; never blocks, never raises."""
        for target in self.targets:
            if not target.wants(event.kind):
                continue
            try:
                build = slack_body if target.kind == "slack" else json_body
                body = build(event, incident=incident, brand=self.brand, level=level, reason=reason)
                key = f"{incident or 'watch'}:{event.seq}:{target.name}"
                self._enqueue(Delivery(target, event.seq, str(event.kind), body, key))
            except Exception:
                log.exception("notify %s: could not queue event %s", target.name, event.seq)

    def _enqueue(self, delivery: Delivery) -> None:
        queue = self._queues[delivery.target.name]
        if queue.full():
            # The newest news matters most in a crisis: the oldest waiting message makes room.
            oldest = queue.get_nowait()
            queue.task_done()
            oldest.error = f"queue full ({queue.maxsize} waiting)"
            self._later(self._outcome(oldest, "dropped"))
        queue.put_nowait(delivery)

    def _later(self, outcome: dict[str, Any]) -> None:
        # Recorded on the next loop turn, not inside the caller's listener (the log is mid-write).
        try:
            asyncio.get_running_loop().call_soon(self._emit, outcome)
        except RuntimeError:
            self._emit(outcome)

    def start(self) -> None:
        """Start one worker per target, so one slow hook holds up no other (needs a loop)."""
        if not any(not worker.done() for worker in self._workers):
            self._workers = [
                asyncio.get_running_loop().create_task(self._work(t), name=f"notify {t.name}")
                for t in self.targets
            ]

    async def run(self) -> None:
        """Deliver until cancelled or closed."""
        self.start()
        try:
            await asyncio.gather(*self._workers, return_exceptions=True)
        finally:
            for worker in self._workers:
                worker.cancel()

    async def close(self, drain: float = 2.0) -> None:
        """Let queued messages go out for up to `drain` seconds, then stop; the rest are dropped."""
        if any(not worker.done() for worker in self._workers):
            joins = asyncio.gather(*(queue.join() for queue in self._queues.values()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(joins, drain)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        for queue in self._queues.values():
            while not queue.empty():
                left = queue.get_nowait()
                queue.task_done()
                left.error = "not sent before warroom closed"
                self._emit(self._outcome(left, "dropped"))

    async def _work(self, target: WebhookTarget) -> None:
        queue = self._queues[target.name]
        while True:
            delivery = await queue.get()
            try:
                status = await self._deliver(delivery)
                self._emit(self._outcome(delivery, status))
            except asyncio.CancelledError:
                last = f" (last try: {delivery.error})" if delivery.error else ""
                delivery.error = f"not sent before warroom closed{last}"
                self._emit(self._outcome(delivery, "dropped"))
                raise
            except Exception as error:  # a bug here must not stop the other messages
                # Only the type: an exception's message could quote the URL.
                delivery.error = f"internal error ({type(error).__name__})"
                log.error("notify %s: event %s: %s", target.name, delivery.seq, delivery.error)
                self._emit(self._outcome(delivery, "failed"))
            finally:
                queue.task_done()

    async def _deliver(self, delivery: Delivery) -> str:
        target = delivery.target
        url = self._env.get(target.url_env)
        if not url:
            delivery.error = f"${target.url_env} is not set"
            log.warning("notify %s: %s; nothing sent", target.name, delivery.error)
            return "failed"
        headers = {"User-Agent": USER_AGENT, "Idempotency-Key": delivery.key}
        if target.token_env:
            token = self._env.get(target.token_env)
            if not token:
                delivery.error = f"${target.token_env} is not set"
                log.warning("notify %s: %s; nothing sent", target.name, delivery.error)
                return "failed"
            headers["Authorization"] = f"Bearer {token}"
        backoff = Backoff(self.base_delay, self.cap, self._rng)
        seq = delivery.seq
        while True:
            delivery.attempts += 1
            try:
                await self._post(url, headers, delivery)
                return "delivered"
            except _GiveUp:
                log.warning("notify %s: event %s not sent: %s", target.name, seq, delivery.error)
                return "failed"
            except _Retry as retry:
                if delivery.attempts >= self.max_attempts:
                    log.warning(
                        "notify %s: gave up on event %s after %d attempts: %s",
                        *(target.name, seq, delivery.attempts, delivery.error),
                    )
                    return "failed"
                wait = backoff.next_delay() if retry.wait is None else min(retry.wait, self.cap)
                log.info("notify %s: %s; retrying in %.1fs", target.name, delivery.error, wait)
                await self._sleep(wait)

    async def _post(self, url: str, headers: dict[str, str], delivery: Delivery) -> None:
        try:
            async with self.session.post(
                url,
                json=delivery.body,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,  # a redirect could carry the token to another host
            ) as response:
                delivery.http_status = response.status
                if response.status < 300:
                    delivery.error = ""
                    return
                detail = await _error_code(response)
                delivery.error = f"HTTP {response.status}{detail}"
                if response.status in (429, 503) and "Retry-After" in response.headers:
                    value = response.headers.get("Retry-After")
                    wait = retry_after_seconds(value, self.clock.now(), default=-1.0)
                    raise _Retry(wait if wait >= 0 else None)
                if response.status in RETRY_STATUSES:
                    raise _Retry(None)
                if 300 <= response.status < 400:
                    delivery.error += " (a redirect: check the webhook URL)"
                raise _GiveUp
        except (_Retry, _GiveUp):
            raise
        except aiohttp.InvalidURL:
            # str() of this error holds the URL itself; say which variable to fix instead.
            delivery.error = f"${delivery.target.url_env} is not a valid URL"
            raise _GiveUp from None
        except Exception as error:
            delivery.http_status = None
            delivery.error = _describe_error(error)
            raise _Retry(None) from None

    def _outcome(self, delivery: Delivery, status: str) -> dict[str, Any]:
        attempts = delivery.attempts
        if status == "failed" and attempts:
            summary = f"failed after {attempts} attempt{'s' if attempts != 1 else ''}"
        else:
            summary = status
        if delivery.error and status != "delivered":
            summary += f": {delivery.error}"
        return {
            "target": delivery.target.name,
            "kind": delivery.target.kind,
            "seq": delivery.seq,
            "event": delivery.kind,
            "status": status,
            "detail": summary,
            "http_status": delivery.http_status,
            "attempts": attempts,
        }

    def _emit(self, outcome: dict[str, Any]) -> None:
        try:
            self._record(outcome)
        except Exception:
            log.exception("notify %s: could not record the outcome", outcome.get("target"))


_ERROR_CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


async def _error_code(response: aiohttp.ClientResponse) -> str:
    """Slack answers errors with a short code (`invalid_payload`); only such codes are kept."""
    try:
        text = (await response.text(errors="replace"))[:200].strip()
    except Exception:
        return ""
    return f" {text}" if _ERROR_CODE.match(text) else ""


def _describe_error(error: BaseException) -> str:
    """A failure in words that never include the URL or host (aiohttp's messages do)."""
    if isinstance(error, TimeoutError):
        return "timed out"
    if type(error).__name__ == "ClientConnectorDNSError":
        return "DNS lookup failed"
    if isinstance(error, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return "TLS error (certificate or handshake)"
    if isinstance(error, aiohttp.ClientConnectorError):
        # The OSError's own message names the address, so only its errno is put in words.
        code = error.os_error.errno
        return f"could not connect ({os.strerror(code) if code else 'refused'})"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "server closed the connection"
    return f"request failed ({type(error).__name__})"
