"""RSS and Atom feeds (Google Alerts, news sites) with conditional GET and tolerant parsing."""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import io
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import aiohttp
import feedparser

from warroom.live.sources.base import Source, SourceError, option_problems, register
from warroom.live.sources.text import strip_html
from warroom.model import Mention

# Parsing a big feed takes long enough to stall the console's event loop; smaller ones do not.
THREAD_THRESHOLD = 256 * 1024


class MalformedEntry(ValueError):
    """A feed entry we cannot turn into a mention."""


def resolve_link(link: str) -> str:
    """The article behind a Google redirect link (its `url` or `q` parameter), else the link."""
    parts = urlsplit(link)
    host = parts.hostname or ""
    if (host == "google.com" or host.endswith(".google.com")) and parts.path == "/url":
        query = parse_qs(parts.query)
        for key in ("url", "q"):
            if query.get(key) and query[key][0].startswith(("http://", "https://")):
                return query[key][0]
    return link


def entry_id(entry: Any) -> str:
    """The entry's own id (guid), or a hash of link and title when the feed gives none."""
    guid = entry.get("id")
    if isinstance(guid, str) and guid.strip():
        return f"rss:{guid.strip()}"
    link = entry.get("link") or ""
    title = entry.get("title") or ""
    if not link and not title:
        raise MalformedEntry("entry has no id, link or title")
    digest = hashlib.sha256(f"{link}\n{title}".encode()).hexdigest()[:24]
    return f"rss:sha256:{digest}"


def plain_field(entry: Any, key: str) -> str:
    """An entry's title or summary as plain text: HTML stripped only when the feed sent HTML."""
    value = entry.get(key)
    if not isinstance(value, str):
        return ""
    detail = entry.get(f"{key}_detail") or {}
    if detail.get("type", "text/html") in ("text/html", "application/xhtml+xml"):
        return strip_html(value)
    return " ".join(value.split())


def entry_mention(entry: Any, fallback_time: datetime, lang: str | None = None) -> Mention:
    """One parsed feed entry as a mention: title and summary as plain text."""
    title = plain_field(entry, "title")
    summary = plain_field(entry, "summary")
    if summary and summary != title:
        text = f"{title}\n\n{summary}" if title else summary
    else:
        text = title
    if not text:
        raise MalformedEntry(f"{entry.get('link') or entry.get('id') or 'entry'}: no title or text")
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    created = datetime.fromtimestamp(calendar.timegm(moment), UTC) if moment else fallback_time
    link = entry.get("link")
    author = entry.get("author")
    return Mention(
        id=entry_id(entry),
        source="rss",
        text=text,
        created_at=created,
        author=author if isinstance(author, str) and author else None,
        url=resolve_link(link) if isinstance(link, str) and link else None,
        lang=lang,
    )


def parse_feed(body: bytes, url: str, content_type: str = "") -> Any:
    """Parse feed bytes tolerantly; raise SourceError only when nothing feed-like is there."""
    # A stream, never bytes: feedparser would try bytes as a local file name first.
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-type": content_type} if content_type else None,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if parsed.get("bozo") and not parsed.entries and not parsed.feed.get("title"):
        problem = parsed.get("bozo_exception")
        raise SourceError(f"not an RSS or Atom feed ({problem})", url)
    return parsed


@register
class FeedSource(Source):
    """One feed URL polled with If-None-Match / If-Modified-Since; entries deduplicated by id."""

    kind: ClassVar[str] = "rss"
    default_interval: ClassVar[float] = 300.0
    option_names: ClassVar[frozenset[str]] = frozenset(
        {"url", "topic", "user_agent", "timeout", "max_bytes"}
    )

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems with the options, as (option, message) pairs for the config validator."""
        numbers = {"timeout": (1, 600), "max_bytes": (1024, 1024**3)}
        problems = option_problems(options, numbers, ("url",), ("topic", "user_agent"))
        url = options.get("url")
        if url and not str(url).startswith(("http://", "https://")):
            problems.append(("url", "must be an http:// or https:// feed address"))
        return problems

    def __init__(self, name: str, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, options, **kwargs)
        self.url = str(options.get("url") or "")
        # A search feed (Google Alerts) names its topic; a general feed keeps matching items only.
        self.topic = options.get("topic")
        self.user_agent = str(options.get("user_agent", "warroom/0.1 (feed reader)"))
        self.timeout = aiohttp.ClientTimeout(total=float(options.get("timeout", 30)))
        self.max_bytes = int(options.get("max_bytes", 10 * 1024 * 1024))

    async def poll(self) -> list[Mention]:
        """Fetch the feed unless unchanged (304) and return its entries as mentions."""
        if not self.url.startswith(("http://", "https://")):
            raise SourceError(f"{self.name}: option 'url' must be an http(s) feed address")
        headers = {"User-Agent": self.user_agent, "Accept": "application/atom+xml, */*"}
        if self.cursor.get("etag"):
            headers["If-None-Match"] = self.cursor["etag"]
        if self.cursor.get("modified"):
            headers["If-Modified-Since"] = self.cursor["modified"]
        async with self.session.get(self.url, headers=headers, timeout=self.timeout) as response:
            if response.status == 304:
                return []
            await self.check_response(response)
            body = await self._read_capped(response)
            etag = response.headers.get("ETag")
            modified = response.headers.get("Last-Modified")
            content_type = response.headers.get("Content-Type", "")
        if len(body) > THREAD_THRESHOLD:
            parsed = await asyncio.to_thread(parse_feed, body, self.url, content_type)
        else:
            parsed = parse_feed(body, self.url, content_type)
        mentions = self._mentions(parsed)
        # Validators are saved with the entries (commit runs after emit), so a crash re-fetches.
        for key, value in (("etag", etag), ("modified", modified)):
            if value:
                self.cursor[key] = value
            else:
                self.cursor.pop(key, None)
        return mentions

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise SourceError(f"feed is larger than {self.max_bytes} bytes", self.url)
            chunks.append(chunk)
        return b"".join(chunks)

    def _mentions(self, parsed: Any) -> list[Mention]:
        lang = parsed.feed.get("language") or None
        now = self.clock.now()
        out: list[Mention] = []
        for entry in parsed.entries:
            try:
                mention = entry_mention(entry, now, lang if isinstance(lang, str) else None)
            except MalformedEntry as error:
                self.skip(f"entry skipped: {error}")
                continue
            topic = self.topics.match(mention.text) or self.topic
            if topic:
                out.append(replace(mention, topic=str(topic)))
        return out
