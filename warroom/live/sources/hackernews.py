"""Hacker News stories and comments through the Algolia search API, by moving time windows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

import aiohttp

from warroom.live.sources.base import Source, SourceError, option_problems, register
from warroom.live.sources.text import strip_html
from warroom.model import Mention, parse_time

ITEM_URL = "https://news.ycombinator.com/item?id={}"


class MalformedHit(ValueError):
    """An Algolia hit we cannot turn into a mention."""


def hit_time(hit: dict[str, Any]) -> int:
    """The hit's `created_at_i` (Unix seconds), read from `created_at` when missing."""
    value = hit.get("created_at_i")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    created = hit.get("created_at")
    if isinstance(created, str):
        try:
            return int(parse_time(created).timestamp())
        except ValueError:
            pass
    raise MalformedHit("created_at_i: missing and created_at unreadable")


def hit_mention(hit: Any) -> Mention:
    """One Algolia hit (story or comment, old layout with nulls or new without) as a mention."""
    if not isinstance(hit, dict):
        raise MalformedHit(f"expected an object, got {type(hit).__name__}")
    object_id = hit.get("objectID")
    if not isinstance(object_id, str | int) or isinstance(object_id, bool) or object_id == "":
        raise MalformedHit("objectID: missing")
    created = datetime.fromtimestamp(hit_time(hit), UTC)
    comment = hit.get("comment_text")
    if isinstance(comment, str) and comment:
        text = strip_html(comment)
    else:
        title = hit.get("title") or hit.get("story_title") or ""
        if not isinstance(title, str):
            raise MalformedHit("title: not a string")
        body = hit.get("story_text")
        # Titles are plain text on HN (a title may be about the <img> tag); bodies are HTML.
        text = title.strip()
        if isinstance(body, str) and body.strip():
            text = f"{text}\n\n{strip_html(body)}" if text else strip_html(body)
    if not text:
        raise MalformedHit(f"objectID {object_id}: no title, story_text or comment_text")
    author = hit.get("author")
    return Mention(
        id=f"hn:{object_id}",
        source="hackernews",
        text=text,
        created_at=created,
        author=author if isinstance(author, str) and author else None,
        url=ITEM_URL.format(object_id),
        engagement=_engagement(hit),
    )


def _engagement(hit: dict[str, Any]) -> int | None:
    counts = [hit.get("points"), hit.get("num_comments")]
    numbers = [c for c in counts if isinstance(c, int) and not isinstance(c, bool) and c >= 0]
    return sum(numbers) if numbers else None


@register
class HackerNewsSource(Source):
    """Polls `search_by_date` per watched term; the cursor is the `created_at_i` reached."""

    kind: ClassVar[str] = "hackernews"
    default_base_url: ClassVar[str] = "https://hn.algolia.com"
    default_interval: ClassVar[float] = 60.0
    option_names: ClassVar[frozenset[str]] = frozenset(
        {
            "query",
            "topic",
            "hits_per_page",
            "max_requests",
            "lookback",
            "overlap",
            "tags",
            "timeout",
        }
    )

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems with the options, as (option, message) pairs for the config validator."""
        numbers = {
            "hits_per_page": (1, 1000),
            "max_requests": (1, 100),
            "lookback": (0, 7 * 86400),
            "overlap": (0, 86400),
            "timeout": (1, 600),
        }
        return option_problems(options, numbers, texts=("query", "topic", "tags"))

    def __init__(self, name: str, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, options, **kwargs)
        self.hits_per_page = max(1, min(1000, int(options.get("hits_per_page", 100))))
        self.max_requests = max(1, int(options.get("max_requests", 10)))
        self.lookback = float(options.get("lookback", 3600))
        # Algolia indexes with a delay: look back a little each time, dedupe drops repeats.
        self.overlap = int(options.get("overlap", 120))
        self.tags = str(options.get("tags", "(story,comment)"))
        self.timeout = aiohttp.ClientTimeout(total=float(options.get("timeout", 30)))

    def queries(self) -> list[tuple[str, str]]:
        """(query, topic) pairs: the `query` option, or one per watched term."""
        if self.options.get("query"):
            return [(str(self.options["query"]), str(self.options.get("topic", "brand")))]
        pairs: dict[str, str] = {}
        for topic in self.topics.topics():
            for term in self.topics.query_terms(topic):
                pairs.setdefault(term.strip().lstrip("#@"), topic)  # "#acme" and "acme" are one
        return list(pairs.items())

    async def poll(self) -> list[Mention]:
        """Every query once, each from its own saved `created_at_i`."""
        mentions: list[Mention] = []
        staged: dict[str, int] = dict(self.cursor.get("since") or {})
        for query, topic in self.queries():
            mentions.extend(await self._poll_query(query, topic, staged))
        # Cursors move only once every query answered: a failure re-reads them all (dedupe).
        self.cursor["since"] = staged
        return mentions

    async def _poll_query(self, query: str, topic: str, staged: dict[str, int]) -> list[Mention]:
        saved = staged.get(query)
        now = int(self.clock.now().timestamp())
        since = int(saved) if saved is not None else int(now - self.lookback)
        start = since - self.overlap if saved is not None else since
        end: int | None = None
        hits: list[dict[str, Any]] = []
        for _ in range(self.max_requests):
            page, total = await self._search(query, start, end)
            times = [hit_time(h) for h in page if _has_time(h)]
            top = end if end is not None else max(times, default=start)
            if total > len(page) and top - start > 1:
                # More than a page: split the window and walk it forward, never page deep.
                end = start + max(1, (top - start) // 2)
                continue
            hits.extend(page)
            if end is None:
                since = max([since, *times])
                break
            start = since = max(since, end)
            end = None
        staged[query] = since
        return self._mentions(hits, topic)

    def _mentions(self, hits: list[Any], topic: str) -> list[Mention]:
        out: list[Mention] = []
        for hit in hits:
            try:
                mention = hit_mention(hit)
            except MalformedHit as error:
                self.skip(f"hit skipped: {error}")
                continue
            story_title = hit.get("story_title") if isinstance(hit, dict) else None
            found = self.topics.match(mention.text)
            if found is None and isinstance(story_title, str):
                found = self.topics.match(story_title)
            out.append(replace(mention, topic=found or topic))
        return out

    async def _search(self, query: str, start: int, end: int | None) -> tuple[list[Any], int]:
        url = f"{self.base_url}/api/v1/search_by_date"
        filters = f"created_at_i>{start}" + (f",created_at_i<={end}" if end is not None else "")
        params = {
            "query": query,
            "tags": self.tags,
            "numericFilters": filters,
            "hitsPerPage": str(self.hits_per_page),
        }
        async with self.session.get(url, params=params, timeout=self.timeout) as response:
            await self.check_response(response)
            try:
                data = await response.json(content_type=None)
            except ValueError as error:
                raise SourceError(f"answer is not JSON ({error})", url) from error
        if not isinstance(data, dict) or not isinstance(data.get("hits"), list):
            raise SourceError("answer has no `hits` list", url)
        hits = data["hits"]
        total = data.get("nbHits")
        return hits, total if isinstance(total, int) else len(hits)


def _has_time(hit: Any) -> bool:
    try:
        hit_time(hit)
    except (MalformedHit, AttributeError):
        return False
    return True
