"""Bluesky: the Jetstream firehose filtered by topic, or searchPosts with an app password."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import aiohttp

from warroom.live.sources.base import (
    Emit,
    RetryAfter,
    Source,
    SourceError,
    SourceFailed,
    SourceStatus,
    as_dict,
    option_problems,
    register,
)
from warroom.model import Mention, format_time, parse_time

POST = "app.bsky.feed.post"
JETSTREAM = "wss://jetstream2.us-east.bsky.network"
# Authenticated app.bsky calls go to the account's PDS (bsky.social), which proxies the AppView.
APPVIEW = "https://bsky.social"


class MalformedPost(ValueError):
    """A Jetstream event or post view we cannot turn into a mention."""


def post_url(did: str, rkey: str) -> str:
    """The bsky.app page of a post."""
    return f"https://bsky.app/profile/{did}/post/{rkey}"


def _record_fields(record: Any, where: str) -> tuple[str, str | None, datetime | None]:
    if not isinstance(record, dict):
        raise MalformedPost(f"{where}: record is not an object")
    text = record.get("text")
    if not isinstance(text, str):
        raise MalformedPost(f"{where}: record.text missing")
    langs = record.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    created: datetime | None = None
    if isinstance(record.get("createdAt"), str):
        try:
            created = parse_time(record["createdAt"])
        except ValueError:
            created = None
    return text, lang, created


def jetstream_mention(event: Any) -> Mention | None:
    """A Jetstream event as a mention; None for anything but a post creation."""
    if not isinstance(event, dict) or event.get("kind") != "commit":
        return None
    commit = event.get("commit")
    if not isinstance(commit, dict):
        raise MalformedPost("commit: not an object")
    if commit.get("operation") != "create" or commit.get("collection") != POST:
        return None
    did, rkey = event.get("did"), commit.get("rkey")
    if not isinstance(did, str) or not did.startswith("did:") or not isinstance(rkey, str):
        raise MalformedPost(f"did {did!r} / rkey {rkey!r}: not a post address")
    uri = f"at://{did}/{POST}/{rkey}"
    text, lang, created = _record_fields(commit.get("record"), uri)
    if created is None:
        time_us = event.get("time_us")
        if not isinstance(time_us, int):
            raise MalformedPost(f"{uri}: neither createdAt nor time_us")
        created = datetime.fromtimestamp(time_us / 1_000_000, UTC)
    return Mention(
        id=f"bsky:{uri}",
        source="bluesky",
        text=text,
        created_at=created,
        author=did,
        url=post_url(did, rkey),
        lang=lang,
    )


def post_view_mention(post: Any) -> Mention:
    """A searchPosts post view as a mention: handle, counts, createdAt (else indexedAt)."""
    if not isinstance(post, dict):
        raise MalformedPost("post: not an object")
    uri = post.get("uri")
    parts = uri.removeprefix("at://").split("/") if isinstance(uri, str) else []
    if len(parts) != 3 or parts[1] != POST or not parts[0].startswith("did:"):
        raise MalformedPost(f"uri {uri!r}: not a post address")
    text, lang, created = _record_fields(post.get("record"), str(uri))
    if created is None:
        try:
            created = parse_time(str(post.get("indexedAt")))
        except ValueError as error:
            raise MalformedPost(f"{uri}: neither createdAt nor indexedAt") from error
    author = as_dict(post.get("author"))
    handle = author.get("handle")
    counts = [post.get(k) for k in ("likeCount", "repostCount", "replyCount", "quoteCount")]
    numbers = [c for c in counts if isinstance(c, int) and not isinstance(c, bool) and c >= 0]
    return Mention(
        id=f"bsky:{uri}",
        source="bluesky",
        text=text,
        created_at=created,
        author=handle if isinstance(handle, str) and handle else parts[0],
        url=post_url(parts[0], parts[2]),
        lang=lang,
        engagement=sum(numbers) if numbers else None,
    )


@register
class BlueskySource(Source):
    """Jetstream (no account) by default; searchPosts when an app password is configured."""

    kind: ClassVar[str] = "bluesky"
    default_base_url: ClassVar[str] = JETSTREAM
    default_interval: ClassVar[float] = 60.0
    option_names: ClassVar[frozenset[str]] = frozenset(
        {"mode", "identifier_env", "password_env", "rewind", "batch_seconds", "batch_size",
         "fetch_seconds", "idle_seconds", "limit", "max_pages", "lookback", "overlap", "timeout"}
    )  # fmt: skip

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems with the options, as (option, message) pairs for the config validator."""
        numbers = {
            "rewind": (0, 3600), "batch_seconds": (0.01, 60), "batch_size": (1, 100_000),
            "fetch_seconds": (0.1, 3600), "idle_seconds": (0.1, 600), "limit": (1, 100),
            "max_pages": (1, 100), "lookback": (0, 7 * 86400), "overlap": (0, 86400),
            "timeout": (1, 600),
        }  # fmt: skip
        problems = option_problems(options, numbers, texts=())
        mode = options.get("mode", "search" if options.get("identifier_env") else "jetstream")
        if mode not in ("jetstream", "search"):
            problems.append(("mode", "must be jetstream (no account) or search (app password)"))
        elif mode == "search":
            for key in ("identifier_env", "password_env"):
                if not options.get(key):
                    problems.append((key, "search needs a handle and an app password"))
        return problems

    def __init__(self, name: str, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, options, **kwargs)
        default_mode = "search" if options.get("identifier_env") else "jetstream"
        self.mode = str(options.get("mode", default_mode))
        if not options.get("base_url"):
            self.base_url = APPVIEW if self.mode == "search" else JETSTREAM
        self.rewind_us = int(float(options.get("rewind", 5)) * 1_000_000)
        self.batch_seconds = float(options.get("batch_seconds", 0.5))
        self.batch_size = int(options.get("batch_size", 500))
        self.fetch_seconds = float(options.get("fetch_seconds", 10))
        self.idle_seconds = float(options.get("idle_seconds", 2))
        self.limit = max(1, min(100, int(options.get("limit", 100))))
        self.max_pages = max(1, int(options.get("max_pages", 5)))
        self.lookback = float(options.get("lookback", 3600))
        self.overlap = float(options.get("overlap", 60))
        self.timeout = aiohttp.ClientTimeout(total=float(options.get("timeout", 30)))
        self._pending_us: int | None = None
        self._token: str | None = None
        self._paused_until: datetime | None = None
        self.rate: dict[str, str] = {}

    # -- Jetstream ---------------------------------------------------------------------------

    def subscribe_params(self) -> dict[str, str]:
        """Query of the subscribe URL: posts only, from the saved time minus a few seconds."""
        params = {"wantedCollections": POST}
        saved = self.cursor.get("time_us")
        if isinstance(saved, int):
            params["cursor"] = str(max(0, saved - self.rewind_us))
        return params

    def _event(self, data: Any) -> Mention | None:
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            self.skip("event skipped: not JSON")
            return None
        if not isinstance(event, dict):
            self.skip("event skipped: not an object")
            return None
        time_us = event.get("time_us")
        if isinstance(time_us, int) and not isinstance(time_us, bool):
            self._pending_us = max(self._pending_us or 0, time_us)
        try:
            mention = jetstream_mention(event)
        except MalformedPost as error:
            self.skip(f"event skipped: {error}")
            return None
        if mention is None:
            return None
        topic = self.topics.match(mention.text)
        return replace(mention, topic=topic) if topic else None

    def _advance(self) -> None:
        if self._pending_us is not None:
            self.cursor["time_us"] = self._pending_us

    async def _flush(self, batch: list[Mention], emit: Emit) -> None:
        if not batch and self._pending_us == self.cursor.get("time_us"):
            return  # nothing new: spare the disk a write
        mentions = self.fresh(batch)
        if mentions:
            await emit(mentions)
        self._advance()
        self.commit(mentions)

    async def _stream(self, emit: Emit, stop: asyncio.Event) -> None:
        url = f"{self.base_url}/subscribe"
        loop = asyncio.get_running_loop()
        async with self.session.ws_connect(
            url, params=self.subscribe_params(), heartbeat=30, max_msg_size=0
        ) as ws:
            self.report(SourceStatus.CONNECTED, "streaming")
            batch: list[Mention] = []
            last_flush = loop.time()
            while not stop.is_set():
                try:
                    message = await ws.receive(timeout=self.batch_seconds)
                except TimeoutError:
                    message = None
                if message is None:
                    pass
                elif message.type == aiohttp.WSMsgType.TEXT:
                    # Reset only once data flows, so a server that accepts then drops backs us off.
                    self.backoff.reset()
                    mention = self._event(message.data)
                    if mention is not None:
                        batch.append(mention)
                elif message.type == aiohttp.WSMsgType.BINARY:
                    self.skip("event skipped: binary frame (compression is not requested)")
                else:
                    await self._flush(batch, emit)
                    if message.type == aiohttp.WSMsgType.ERROR:
                        raise SourceError(f"websocket error: {ws.exception()}", url)
                    raise SourceError("connection closed", url)
                if len(batch) >= self.batch_size or loop.time() - last_flush >= self.batch_seconds:
                    await self._flush(batch, emit)
                    batch, last_flush = [], loop.time()
            await self._flush(batch, emit)

    async def run(self, emit: Emit, stop: asyncio.Event) -> None:
        """Stream until stopped, reconnecting with the saved cursor; search mode polls."""
        if self.mode == "search":
            await super().run(emit, stop)
            return

        async def stream_round() -> float:
            # Returns only when stopped; a dropped stream raises: back off and resume.
            await self._stream(emit, stop)
            return 0.0

        await self.keep_running(stop, stream_round)

    async def _catch_up(self) -> list[Mention]:
        """Read the stream from the cursor until caught up, quiet or out of time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.fetch_seconds
        now_us = int(self.clock.now().timestamp() * 1_000_000)
        out: list[Mention] = []
        url = f"{self.base_url}/subscribe"
        async with self.session.ws_connect(url, params=self.subscribe_params()) as ws:
            while loop.time() < deadline:
                try:
                    message = await ws.receive(timeout=self.idle_seconds)
                except TimeoutError:
                    break
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                mention = self._event(message.data)
                if mention is not None:
                    out.append(mention)
                if (self._pending_us or 0) >= now_us:
                    break
        self._advance()
        return out

    # -- searchPosts -------------------------------------------------------------------------

    async def poll(self) -> list[Mention]:
        """Search mode: each term once; Jetstream mode: catch up from the cursor."""
        if self.mode != "search":
            return await self._catch_up()
        mentions: list[Mention] = []
        staged: dict[str, str] = dict(self.cursor.get("since") or {})
        for term, topic in self.search_terms():
            mentions.extend(await self._search_term(term, topic, staged))
        # Cursors move only once every query answered: a failure re-reads them all (dedupe).
        self.cursor["since"] = staged
        return mentions

    def search_terms(self) -> list[tuple[str, str]]:
        """(term, topic) pairs: one search per watched term (searchPosts ANDs words)."""
        pairs: dict[str, str] = {}
        for topic in self.topics.topics():
            for term in self.topics.query_terms(topic):
                pairs.setdefault(term.strip(), topic)
        return list(pairs.items())

    async def _search_term(self, term: str, topic: str, staged: dict[str, str]) -> list[Mention]:
        saved = staged.get(term)
        now = self.clock.now()
        newest = parse_time(saved) if saved else now - timedelta(seconds=self.lookback)
        since = newest - timedelta(seconds=self.overlap) if saved else newest
        out: list[Mention] = []
        page_cursor: str | None = None
        for _ in range(self.max_pages):
            params = {"q": term, "sort": "latest", "limit": str(self.limit)}
            params["since"] = format_time(since)
            if page_cursor:
                params["cursor"] = page_cursor
            data = await self._xrpc("app.bsky.feed.searchPosts", params)
            posts = data.get("posts")
            if not isinstance(posts, list):
                raise SourceError("answer has no `posts` list", self.base_url)
            for post in posts:
                try:
                    mention = post_view_mention(post)
                except MalformedPost as error:
                    self.skip(f"post skipped: {error}")
                    continue
                newest = max(newest, _indexed_at(post) or mention.created_at)
                out.append(replace(mention, topic=self.topics.match(mention.text) or topic))
            page_cursor = data.get("cursor") if isinstance(data.get("cursor"), str) else None
            if not page_cursor or not posts:
                break
        else:
            self.skip(f"{term!r}: more than {self.max_pages} pages of new posts; older not read")
        staged[term] = format_time(min(newest, now))
        return out

    async def _xrpc(self, method: str, params: dict[str, str]) -> dict[str, Any]:
        url = f"{self.base_url}/xrpc/{method}"
        if self._paused_until is not None and self.clock.now() < self._paused_until:
            wait = (self._paused_until - self.clock.now()).total_seconds()
            raise RetryAfter(wait, f"{url} (RateLimit-Remaining: 0)")
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {await self._session_token()}"}
            async with self.session.get(
                url, params=params, headers=headers, timeout=self.timeout
            ) as response:
                body = await _json_or_none(response)
                self._note_rate(response)
                error = body.get("error") if isinstance(body, dict) else None
                expired = response.status == 401 or error in ("ExpiredToken", "InvalidToken")
                if expired and attempt == 0:
                    self._token = None  # access tokens live about two hours: log in again
                    continue
                await self.check_response(response)
            if not isinstance(body, dict):
                raise SourceError("answer is not a JSON object", url)
            return body
        raise SourceError("token refused twice: check the app password", url)

    def _note_rate(self, response: aiohttp.ClientResponse) -> None:
        self.rate = {
            k: v for k, v in response.headers.items() if k.lower().startswith("ratelimit-")
        }
        remaining = response.headers.get("RateLimit-Remaining")
        reset = response.headers.get("RateLimit-Reset", "")
        if remaining == "0" and reset.isdigit() and response.status < 400:
            self._paused_until = datetime.fromtimestamp(int(reset), UTC)
        else:
            self._paused_until = None

    async def _session_token(self) -> str:
        if self._token:
            return self._token
        identifier = self.secret("identifier_env")
        password = self.secret("password_env")
        url = f"{self.base_url}/xrpc/com.atproto.server.createSession"
        payload = {"identifier": identifier, "password": password}
        async with self.session.post(url, json=payload, timeout=self.timeout) as response:
            if response.status in (400, 401):
                refused = f"HTTP {response.status}: login refused, check handle and app password"
                raise SourceFailed(refused, url)
            await self.check_response(response)
            body = await _json_or_none(response)
        token = body.get("accessJwt") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise SourceError("no accessJwt in the createSession answer", url)
        self._token = token
        return token


def _indexed_at(post: dict[str, Any]) -> datetime | None:
    try:
        return parse_time(str(post.get("indexedAt")))
    except ValueError:
        return None


async def _json_or_none(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except ValueError:
        return None
