"""Mastodon: hashtag timelines on any instance; status search and live streaming with a token."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import aiohttp

from warroom.live.sources.base import (
    Emit,
    RetryAfter,
    Source,
    SourceError,
    SourceFailed,
    SourceStatus,
    Topics,
    register,
)
from warroom.live.sources.text import strip_html
from warroom.model import BRAND_TOPIC, Mention, MentionError, parse_time

PAGE_LIMIT = 40  # the API's maximum for timelines and search
STREAM_HEALTHY_SECONDS = 30.0  # a stream that lived this long resets the backoff when it drops


def status_to_mention(status: Mapping[str, Any], host: str, topic: str = BRAND_TOPIC) -> Mention:
    """Normalize a Mastodon Status entity (a boost becomes its original) to a canonical mention."""
    original = status.get("reblog") or status
    if not isinstance(original, Mapping):
        raise MentionError("reblog", "must be a Status object")
    account = original.get("account")
    if not isinstance(account, Mapping):
        raise MentionError("account", "is required")
    status_id = original.get("id")
    if not isinstance(status_id, str) or not status_id.isdigit():
        raise MentionError("id", f"must be a string of digits, got {status_id!r}")
    text = strip_html(original.get("content") or "")
    warning = strip_html(original.get("spoiler_text") or "")
    if warning:
        text = f"CW: {warning} — {text}" if text else f"CW: {warning}"
    acct = account.get("acct")
    if isinstance(acct, str) and acct and "@" not in acct:
        acct = f"{acct}@{host}"  # local accounts come without their domain
    counts = [original.get(k) for k in ("replies_count", "reblogs_count", "favourites_count")]
    engagement = sum(c for c in counts if isinstance(c, int) and not isinstance(c, bool))
    return Mention.from_dict(
        {
            "id": f"mastodon:{host}:{status_id}",
            "source": "mastodon",
            "text": text,
            "created_at": original.get("created_at"),
            "author": acct or None,
            "url": original.get("url") or original.get("uri"),
            "lang": original.get("language"),
            "reach": account.get("followers_count"),
            "engagement": engagement,
            "topic": topic,
        }
    )


def status_tags(status: Mapping[str, Any]) -> list[str]:
    """The hashtags of a status (of the original, for a boost), without '#'."""
    original = status.get("reblog") or status
    tags = original.get("tags") if isinstance(original, Mapping) else None
    if not isinstance(tags, list):
        return []
    return [str(t["name"]) for t in tags if isinstance(t, Mapping) and t.get("name")]


def _newest(ids: list[str], current: str | None) -> str | None:
    # Mastodon ids are snowflake strings: compare them as integers, never as text.
    numbers = [int(i) for i in ids if i.isdigit()]
    if current is not None and current.isdigit():
        numbers.append(int(current))
    return str(max(numbers)) if numbers else current


def _tag_topics(topics: Topics) -> dict[str, str]:
    found: dict[str, str] = {}
    for topic in topics.topics():
        for term in topics.query_terms(topic):
            if term.startswith("#"):
                found.setdefault(term[1:].lower(), topic)
    return found


@register
class MastodonSource(Source):
    """Hashtag timelines (no token needed), plus search and streaming when token_env is set."""

    kind: ClassVar[str] = "mastodon"
    default_base_url: ClassVar[str] = "https://mastodon.social"
    default_interval: ClassVar[float] = 60.0
    option_names: ClassVar[frozenset[str]] = frozenset(
        {"tags", "search", "token_env", "stream", "streaming_url", "limit", "max_pages", "timeout"}
    )

    def __init__(self, name: str, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, options, **kwargs)
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.limit = max(1, min(int(options.get("limit", PAGE_LIMIT)), PAGE_LIMIT))
        self.max_pages = max(1, int(options.get("max_pages", 5)))
        self.timeout = aiohttp.ClientTimeout(total=float(options.get("timeout", 30.0)))
        self.streaming_url = str(options.get("streaming_url") or self.base_url).rstrip("/")
        self._tag_topic = _tag_topics(self.topics)
        tags = options["tags"] if options.get("tags") is not None else self._default_tags()
        self.tags = [str(t).lstrip("#") for t in tags]  # `tags: []` means search only
        self.queries = [str(q) for q in self._search_option()]
        self._rate_reset: datetime | None = None

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems with the options, as (option, message) pairs for the config validator."""
        problems: list[tuple[str, str]] = []
        tags = options.get("tags")
        if tags is not None and (
            not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags)
        ):
            problems.append(("tags", "must be a list of hashtags (with or without #)"))
        search = options.get("search")
        if search is not None and not isinstance(search, bool | list):
            problems.append(("search", "must be true, false or a list of queries"))
        if search and not options.get("token_env"):
            problems.append(("search", "needs an account: set token_env (read:search scope)"))
        if not isinstance(options.get("stream", True), bool):
            problems.append(("stream", "must be true or false"))
        for key, top in (("limit", PAGE_LIMIT), ("max_pages", 1000)):
            value = options.get(key, 1)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
                problems.append((key, f"must be a whole number from 1 to {top}, got {value!r}"))
        return problems

    # -- options ---------------------------------------------------------------------------

    def _default_tags(self) -> list[str]:
        return list(self._tag_topic) or [
            t for t in self.topics.query_terms() if t.replace("_", "").isalnum()
        ]

    def _search_option(self) -> list[str]:
        search = self.options.get("search")
        if search is False or not self.options.get("token_env"):
            return []
        if isinstance(search, list):
            return search
        return [t for t in self.topics.query_terms() if not t.startswith(("#", "@"))]

    @property
    def streaming(self) -> bool:
        """Stream live when a token is configured and tags are followed, unless `stream: false`."""
        wanted = self.options.get("stream", True) is not False
        return bool(self.options.get("token_env")) and wanted and bool(self.tags)

    def topic_for(self, status: Mapping[str, Any], text: str, fallback: str) -> str:
        """Which watch group a status belongs to: its words and tags, else where we found it."""
        tags = status_tags(status)
        matched = self.topics.match(" ".join([text, *(f"#{t}" for t in tags)]))
        if matched:
            return matched
        for tag in tags:
            if tag.lower() in self._tag_topic:
                return self._tag_topic[tag.lower()]
        return fallback

    # -- HTTP ------------------------------------------------------------------------------

    async def _get(self, path: str, params: dict[str, str], auth: bool = False) -> Any:
        url = f"{self.base_url}{path}"
        now = self.clock.now()
        if self._rate_reset is not None and now < self._rate_reset:
            raise RetryAfter((self._rate_reset - now).total_seconds(), url)
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.secret('token_env')}"
        async with self.session.get(
            url, params=params, headers=headers, timeout=self.timeout
        ) as response:
            self._note_rate_limit(response.headers)
            if response.status == 401:
                hint = (
                    f"the token in {self.options.get('token_env')} was refused"
                    if auth
                    else "this server wants an access token: set token_env"
                )
                raise SourceFailed(f"HTTP 401 ({hint})", str(response.url))
            await self.check_response(response)
            try:
                return await response.json(content_type=None)
            except ValueError as error:
                raise SourceError("answer is not JSON", str(response.url)) from error

    def _note_rate_limit(self, headers: Mapping[str, str]) -> None:
        self._rate_reset = None
        if headers.get("X-RateLimit-Remaining", "").strip() != "0":
            return
        try:
            self._rate_reset = parse_time(headers.get("X-RateLimit-Reset", ""))
        except ValueError:
            self._rate_reset = None

    # -- polling ---------------------------------------------------------------------------

    def normalize(self, statuses: Any, url: str, fallback: str) -> list[Mention]:
        """Mentions of a list of statuses; a malformed one is skipped and reported."""
        if not isinstance(statuses, list):
            raise SourceError(f"expected a list of statuses, got {type(statuses).__name__}", url)
        mentions: list[Mention] = []
        for index, status in enumerate(statuses):
            try:
                if not isinstance(status, Mapping):
                    raise MentionError("(item)", "is not a Status object")
                mention = status_to_mention(status, self.host, fallback)
                topic = self.topic_for(status, mention.text, fallback)
                if topic != mention.topic:
                    mention = Mention.from_dict({**mention.to_dict(), "topic": topic})
                mentions.append(mention)
            except (MentionError, TypeError, ValueError, KeyError) as error:
                sid = status.get("id") if isinstance(status, Mapping) else None
                self.skip(f"status {sid or f'#{index}'} from {url}: {error}")
        return mentions

    async def _pages(
        self, path: str, params: dict[str, str], since: str | None, auth: bool, fallback: str
    ) -> tuple[list[Mention], str | None]:
        """Every status newer than `since` (on a first run: the newest page only)."""
        mentions: list[Mention] = []
        for _ in range(self.max_pages):
            query = {**params, "limit": str(self.limit)}
            if since is not None:
                query["min_id"] = since
            body = await self._get(path, query, auth)
            statuses = body.get("statuses") if isinstance(body, Mapping) else body
            url = f"{self.base_url}{path}"
            mentions.extend(self.normalize(statuses, url, fallback))
            ids = [str(s.get("id")) for s in statuses or [] if isinstance(s, Mapping)]
            since = _newest(ids, since)
            if since is None or len(ids) < self.limit or "min_id" not in query:
                break
        return mentions, since

    async def poll(self) -> list[Mention]:
        """One round over every tag (and search query): the statuses newer than the cursor."""
        tag_cursor = dict(self.cursor.get("tags") or {})
        search_cursor = dict(self.cursor.get("search") or {})
        mentions: list[Mention] = []
        for tag in self.tags:
            fallback = self._tag_topic.get(tag.lower(), BRAND_TOPIC)
            found, tag_cursor[tag] = await self._pages(
                f"/api/v1/timelines/tag/{tag}", {}, tag_cursor.get(tag), False, fallback
            )
            mentions.extend(found)
        for query in self.queries:
            fallback = self.topics.match(query) or BRAND_TOPIC
            params = {"q": query, "type": "statuses", "resolve": "false"}
            found, search_cursor[query] = await self._pages(
                "/api/v2/search", params, search_cursor.get(query), True, fallback
            )
            mentions.extend(found)
        # The cursor moves only when the whole round worked, so a failure never leaves a gap.
        self.cursor["tags"] = tag_cursor
        self.cursor["search"] = search_cursor
        return mentions

    # -- streaming -------------------------------------------------------------------------

    async def run(self, emit: Emit, stop: asyncio.Event) -> None:
        """Poll only, or (with a token) catch up by polling and then stream until stopped."""
        if not self.streaming:
            await super().run(emit, stop)
            return

        async def stream_round() -> float:
            self.report(SourceStatus.POLLING, "catching up")
            await self.deliver(emit)
            started = self.clock.now()
            await self._stream_all(emit, stop)
            if (self.clock.now() - started).total_seconds() >= STREAM_HEALTHY_SECONDS:
                self.backoff.reset()
            if not stop.is_set():
                self.report(SourceStatus.BACKING_OFF, "stream closed, reconnecting")
            return self.backoff.next_delay()

        await self.keep_running(stop, stream_round)

    async def _stream_all(self, emit: Emit, stop: asyncio.Event) -> None:
        """One connection per tag; returns when any drops (or on stop), raising its error."""
        tasks = [asyncio.ensure_future(self._stream(tag, emit)) for tag in self.tags]
        stopper = asyncio.ensure_future(stop.wait())
        try:
            done, _ = await asyncio.wait({*tasks, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in [*tasks, stopper]:
                task.cancel()
            await asyncio.gather(*tasks, stopper, return_exceptions=True)
        for task in done:
            if task is not stopper and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    async def _stream(self, tag: str, emit: Emit) -> None:
        url = f"{self.streaming_url}/api/v1/streaming/hashtag"
        headers = {
            "Authorization": f"Bearer {self.secret('token_env')}",
            "Accept": "text/event-stream",
        }
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=120)
        async with self.session.get(
            url, params={"tag": tag}, headers=headers, timeout=timeout
        ) as response:
            if response.status == 401:
                raise SourceFailed("HTTP 401 (the token was refused for streaming)", url)
            await self.check_response(response)
            self.report(SourceStatus.CONNECTED, f"streaming #{tag}")
            event, data = "", []
            async for raw in response.content:
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if line.startswith(":"):
                    continue  # heartbeat
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line and event:
                    await self._dispatch(tag, event, "\n".join(data), url, emit)
                    event, data = "", []

    async def _dispatch(self, tag: str, event: str, data: str, url: str, emit: Emit) -> None:
        if event not in ("update", "status.update"):
            return  # deletes and other events are not mentions
        try:
            status = json.loads(data)
        except ValueError as error:
            self.skip(f"{event} event from {url} is not JSON: {error}")
            return
        fallback = self._tag_topic.get(tag.lower(), BRAND_TOPIC)
        mentions = self.fresh(self.normalize([status], url, fallback))
        if mentions:
            await emit(mentions)
        if event == "update" and isinstance(status, Mapping):
            tags = dict(self.cursor.get("tags") or {})
            tags[tag] = _newest([str(status.get("id"))], tags.get(tag))
            self.cursor["tags"] = tags
        self.commit(mentions)
