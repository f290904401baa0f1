"""Webhook ingest: a local HTTP endpoint that other tools POST canonical mentions to."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from aiohttp import web

from warroom.live.sources.base import (
    Durable,
    Emit,
    Source,
    SourceFailed,
    SourceStatus,
    describe_error,
    register,
)
from warroom.model import Mention, MentionError, decode_json

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_BODY = 1024 * 1024
SAVE_EVERY = 1.0  # seconds between cursor writes: one fsync per request would cap the rate
# A sender has this long to deliver its whole body: a slow one must not hold a connection.
BODY_TIMEOUT = 10.0
# Open connections at most: far below the process's file limit, so a flood of connections
# can never take the descriptors the console needs to save a note.
DEFAULT_MAX_CONNECTIONS = 128
# Idle keep-alive connections are closed after this long.
KEEPALIVE_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class ItemError:
    """One invalid item of a posted batch: which item, which field, what is wrong."""

    index: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"items[{self.index}]" if self.index is not None else ""
        field = "" if self.field == "(line)" else self.field
        path = ".".join(p for p in (where, field) if p) or "body"
        return f"{path}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "message": self.message}


def parse_batch(data: Any, now: datetime | None = None) -> tuple[list[Mention], list[ItemError]]:
    """Mentions of a posted body (one object or a list), and every invalid item.

    `now` refuses items dated more than a day ahead of it (a sender with a wrong clock).
    """
    if isinstance(data, dict):
        items, indexed = [data], False
    elif isinstance(data, list):
        items, indexed = data, True
    else:
        return [], [ItemError(None, "(line)", "expected a mention object or a list of them")]
    mentions: list[Mention] = []
    errors: list[ItemError] = []
    for index, item in enumerate(items):
        try:
            mentions.append(Mention.from_dict(item, now))
        except MentionError as error:
            errors.append(ItemError(index if indexed else None, error.field, error.message))
    return mentions, errors


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1 and localhost: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Refused(asyncio.Protocol):
    """A connection over the cap: told 503 at once and closed, costing no handler."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        body = b'{"error": "too many connections; retry shortly"}'
        transport.write(
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            b"Retry-After: 1\r\nConnection: close\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        transport.close()


def _answer(status: int, body: dict[str, Any], **headers: str) -> web.Response:
    return web.json_response(body, status=status, headers=headers or None)


@register
class WebhookSource(Source):
    """Receives POST /mentions (bearer token from token_env) and emits what it accepts."""

    kind: ClassVar[str] = "webhook"
    push: ClassVar[bool] = True  # nothing to fetch: `fetch --once` skips it
    default_interval: ClassVar[float] = 1.0
    option_names: ClassVar[frozenset[str]] = frozenset(
        {"host", "port", "token_env", "allow_unauthenticated", "max_body", "max_connections"}
    )

    def __init__(self, name: str, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, options, **kwargs)
        self.host = str(options.get("host", DEFAULT_HOST))
        self.port = int(options.get("port", DEFAULT_PORT))
        self.max_body = int(options.get("max_body", DEFAULT_MAX_BODY))
        self.max_connections = int(options.get("max_connections", DEFAULT_MAX_CONNECTIONS))
        self.body_timeout = BODY_TIMEOUT
        self.refused_connections = 0
        # Set by the runner: waits until what was emitted is on disk, so a 202 is durable.
        self.durable: Durable | None = None
        self._server: asyncio.Server | None = None
        self.received = 0
        self.accepted = 0
        self.ready = asyncio.Event()
        self._token: str | None = None
        self._dirty = False

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems with the options, as (option, message) pairs for the config validator."""
        problems: list[tuple[str, str]] = []
        host = str(options.get("host", DEFAULT_HOST))
        if options.get("allow_unauthenticated") is True:
            if not is_loopback(host):
                problems.append(
                    ("allow_unauthenticated", f"only allowed on 127.0.0.1, not on {host}")
                )
        elif not options.get("token_env"):
            problems.append(
                ("token_env", "required (or `allow_unauthenticated: true` on 127.0.0.1)")
            )
        port = options.get("port", DEFAULT_PORT)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            problems.append(("port", f"must be a port number 0-65535, got {port!r}"))
        size = options.get("max_body", DEFAULT_MAX_BODY)
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            problems.append(("max_body", f"must be a positive number of bytes, got {size!r}"))
        cap = options.get("max_connections", DEFAULT_MAX_CONNECTIONS)
        if not isinstance(cap, int) or isinstance(cap, bool) or not 1 <= cap <= 512:
            problems.append(("max_connections", f"must be a number from 1 to 512, got {cap!r}"))
        return problems

    async def poll(self) -> list[Mention]:
        """A push source has nothing to poll."""
        return []

    @property
    def url(self) -> str:
        """Where to POST mentions (the real port once listening)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/mentions"

    def make_app(self, emit: Emit) -> web.Application:
        """The aiohttp application: POST /mentions and GET /health."""
        app = web.Application(client_max_size=self.max_body)

        async def post(request: web.Request) -> web.Response:
            return await self.handle(request, emit)

        app.router.add_post("/mentions", post)
        app.router.add_get("/health", self.health)
        return app

    async def handle(self, request: web.Request, emit: Emit) -> web.Response:
        """Answer one POST: 401, 408, 413, 400, 422 (every item invalid), 503 (not saved) or
        202 once the new mentions are on disk, with counts and every rejected item."""
        if self._token is not None:
            given = request.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self._token}".encode()):
                return _answer(
                    401,
                    {"error": "missing or wrong bearer token (Authorization: Bearer <token>)"},
                    **{"WWW-Authenticate": "Bearer"},
                )
        too_large = {"error": f"body larger than {self.max_body} bytes: send smaller batches"}
        if request.content_length is not None and request.content_length > self.max_body:
            return _answer(413, too_large)
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _answer(413, too_large)
        except TimeoutError:
            seconds = f"{self.body_timeout:g}"
            return _answer(408, {"error": f"body not received within {seconds} s: send it whole"})
        try:
            data = decode_json(body)
        except ValueError as error:
            return _answer(400, {"error": f"body is not JSON: {error}"})
        mentions, errors = parse_batch(data, self.clock.now())
        rejected = {
            "details": [str(e) for e in errors],
            "errors": [e.to_dict() for e in errors],
        }
        if errors and not mentions:
            return _answer(
                422,
                {"error": f"{len(errors)} invalid item(s); nothing was accepted", **rejected},
            )
        taken = await self._take(mentions, emit)
        if taken is None:
            return _answer(
                503,
                {"error": "could not save the mentions to disk; send them again later"},
                **{"Retry-After": "5"},
            )
        answer: dict[str, Any] = {
            "received": len(mentions),
            "accepted": taken,
            "duplicates": len(mentions) - taken,
        }
        if errors:
            answer.update(rejected=len(errors), **rejected)
        return _answer(202, answer)

    async def _take(self, mentions: list[Mention], emit: Emit) -> int | None:
        """Hand the new mentions on and wait until they are durable: how many were new to the
        incident, or None when they could not be saved (nothing is marked as seen then)."""
        fresh = self.fresh(mentions)
        # Marked seen before the await, so a concurrent resend of the same ids is a duplicate.
        self._seen.update(m.id for m in fresh)
        new = 0
        if fresh:
            try:
                answered = await emit(fresh)
                if self.durable is not None:
                    await self.durable()
            except asyncio.CancelledError:
                self._seen.difference_update(m.id for m in fresh)
                raise
            except Exception as error:
                # Not saved: forget the ids so the sender's retry is not dropped as a duplicate.
                self._seen.difference_update(m.id for m in fresh)
                self.skip(f"a batch of {len(fresh)} was not saved: {describe_error(error)}")
                return None
            new = len(fresh) if answered is None else answered
            self.saved.remember(m.id for m in fresh)
            self._dirty = True
        self.received += len(mentions)
        self.accepted += new
        return new

    async def health(self, request: web.Request) -> web.Response:
        """GET /health: alive, and how much came in."""
        return _answer(
            200,
            {
                "status": "ok",
                "source": self.name,
                "received": self.received,
                "accepted": self.accepted,
            },
        )

    def _resolve_token(self) -> str | None:
        problems = self.check_options(self.options)
        if problems:
            option, message = problems[0]
            raise SourceFailed(f"{self.name}: {option}: {message}")
        if self.options.get("token_env"):
            return self.secret("token_env")
        return None

    def _capped(self, runner: web.AppRunner) -> Callable[[], asyncio.BaseProtocol]:
        """The server's protocol factory, refusing connections past max_connections."""
        serve = runner.server
        assert serve is not None, "runner.setup() first"
        loop = asyncio.get_running_loop()
        # Accepted in this burst but not yet counted by aiohttp (it counts a connection once
        # its connection_made has run, a loop turn later): without these, a burst of
        # connections would all pass the check before any of them is counted.
        accepting = 0

        def counted() -> None:
            nonlocal accepting
            accepting -= 1

        def protocol() -> asyncio.BaseProtocol:
            nonlocal accepting
            if len(serve.connections) + accepting >= self.max_connections:
                self.refused_connections += 1
                return _Refused()
            accepting += 1
            # Two turns: the transport schedules connection_made after this returns.
            loop.call_soon(loop.call_soon, counted)
            return serve()

        return protocol

    def save(self) -> None:
        """Write the remembered ids if anything new arrived."""
        if self._dirty:
            self._dirty = False
            if len(self._seen) > 20_000:
                self._seen = self.saved.seen_ids()
            self.cursors.save(self.name, self.saved)

    async def run(self, emit: Emit, stop: asyncio.Event) -> None:
        """Listen until stopped; a port in use or a missing token is reported and retried."""

        async def listen_round() -> float:
            runner: web.AppRunner | None = None
            try:
                self._token = self._resolve_token()
                runner = web.AppRunner(
                    self.make_app(emit), access_log=None, keepalive_timeout=KEEPALIVE_TIMEOUT
                )
                await runner.setup()
                loop = asyncio.get_running_loop()
                server = await loop.create_server(
                    self._capped(runner), self.host, self.port, backlog=self.max_connections
                )
                self._server = server
                self.port = server.sockets[0].getsockname()[1]
                self.backoff.reset()
                self.report(SourceStatus.CONNECTED, f"listening on {self.url}")
                self.ready.set()
                while not await self.wait(stop, SAVE_EVERY):
                    self.save()
                return 0.0
            except OSError as error:
                # FAILED rather than backing off: nothing is received until someone fixes this.
                raise SourceFailed(f"cannot listen on {self.host}:{self.port}: {error}") from error
            finally:
                self.save()
                if self._server is not None:
                    self._server.close()
                    self._server = None
                if runner is not None:
                    await runner.cleanup()

        await self.keep_running(stop, listen_round)
