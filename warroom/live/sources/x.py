"""X (Twitter) API v2 recent search, for teams with a paid bearer token; polls with `since_id`."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import aiohttp

from warroom.live.sources.base import (
    RetryAfter,
    Source,
    SourceError,
    SourceFailed,
    as_dict,
    option_problems,
    register,
)
from warroom.model import Mention, parse_time

TWEET_FIELDS = "created_at,lang,public_metrics,author_id"
USER_FIELDS = "username,public_metrics"
MAX_QUERY = 512


class MalformedTweet(ValueError):
    """A tweet object we cannot turn into a mention."""


def tweet_mention(tweet: Any, users: dict[str, dict[str, Any]]) -> Mention:
    """One tweet of `data`, its author joined from `includes.users`, as a mention."""
    if not isinstance(tweet, dict):
        raise MalformedTweet(f"expected an object, got {type(tweet).__name__}")
    tweet_id, text = tweet.get("id"), tweet.get("text")
    if not isinstance(tweet_id, str) or not tweet_id.isdigit():
        raise MalformedTweet(f"id: {tweet_id!r} is not a tweet id")
    if not isinstance(text, str):
        raise MalformedTweet(f"tweet {tweet_id}: text missing")
    try:
        created = parse_time(str(tweet.get("created_at")))
    except ValueError as error:
        raise MalformedTweet(f"tweet {tweet_id}: created_at unreadable") from error
    user = users.get(str(tweet.get("author_id")), {})
    username = user.get("username") if isinstance(user.get("username"), str) else None
    followers = (user.get("public_metrics") or {}).get("followers_count")
    metrics = tweet.get("public_metrics") or {}
    counts = [metrics.get(k) for k in ("like_count", "retweet_count", "reply_count", "quote_count")]
    numbers = [c for c in counts if isinstance(c, int) and not isinstance(c, bool) and c >= 0]
    lang = tweet.get("lang")
    return Mention(
        id=f"x:{tweet_id}",
        source="x",
        # v2 escapes &, < and > in text; undo it once so the text is what the author typed.
        text=html.unescape(text),
        created_at=created,
        author=username,
        url=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
        # "und" is X's "could not tell"; "zxx" means no linguistic content.
        lang=lang if isinstance(lang, str) and lang not in ("", "und", "zxx") else None,
        reach=followers if isinstance(followers, int) and followers >= 0 else None,
        engagement=sum(numbers) if numbers else None,
    )


@register
class XSource(Source):
    """Recent search per topic with a bearer token; pages with next_token, polls with since_id."""

    kind: ClassVar[str] = "x"
    default_base_url: ClassVar[str] = "https://api.x.com"
    default_interval: ClassVar[float] = 120.0
    option_names: ClassVar[frozenset[str]] = frozenset(
        {"token_env", "query", "topic", "max_results", "max_pages", "exclude_retweets", "timeout"}
    )

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems with the options, as (option, message) pairs for the config validator."""
        numbers = {"max_results": (10, 100), "max_pages": (1, 100), "timeout": (1, 600)}
        problems = option_problems(options, numbers, required=("token_env",))
        if not isinstance(options.get("exclude_retweets", True), bool):
            problems.append(("exclude_retweets", "must be true or false"))
        if len(str(options.get("query", ""))) > MAX_QUERY:
            problems.append(("query", f"X allows {MAX_QUERY} characters"))
        return problems

    def __init__(self, name: str, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, options, **kwargs)
        self.max_results = max(10, min(100, int(options.get("max_results", 100))))
        self.max_pages = max(1, int(options.get("max_pages", 5)))
        self.exclude_retweets = bool(options.get("exclude_retweets", True))
        self.timeout = aiohttp.ClientTimeout(total=float(options.get("timeout", 30)))
        self._paused_until: datetime | None = None
        self.rate: dict[str, str] = {}

    def queries(self) -> list[tuple[str, str]]:
        """(query, topic) pairs: the `query` option, or one OR-query per topic."""
        if self.options.get("query"):
            pairs = [(str(self.options["query"]), str(self.options.get("topic", "brand")))]
        else:
            pairs = []
            for topic in self.topics.topics():
                terms = [t.strip() for t in self.topics.query_terms(topic) if t.strip()]
                if terms:
                    joined = " OR ".join(f'"{t}"' if " " in t else t for t in terms)
                    pairs.append((f"({joined})", topic))
        if self.exclude_retweets:
            pairs = [(f"{q} -is:retweet", topic) for q, topic in pairs]
        for query, _ in pairs:
            if len(query) > MAX_QUERY:
                raise SourceError(f"query is {len(query)} characters, X allows {MAX_QUERY}")
        return pairs

    async def poll(self) -> list[Mention]:
        """Every query once: the tweets newer than its saved `since_id`."""
        token = self.secret("token_env")
        mentions: list[Mention] = []
        staged: dict[str, str] = dict(self.cursor.get("since_id") or {})
        for query, topic in self.queries():
            mentions.extend(await self._poll_query(token, query, topic, staged))
        # Cursors move only once every query answered: a failure re-reads them all (dedupe).
        self.cursor["since_id"] = staged
        return mentions

    async def _poll_query(
        self, token: str, query: str, topic: str, staged: dict[str, str]
    ) -> list[Mention]:
        since_id = staged.get(query)
        newest: str | None = None
        next_token: str | None = None
        out: list[Mention] = []
        for _ in range(self.max_pages):
            page = await self._search(token, query, since_id, next_token)
            meta = as_dict(page.get("meta"))
            if newest is None and isinstance(meta.get("newest_id"), str):
                newest = meta["newest_id"]
            out.extend(self._mentions(page, topic))
            next_token = meta.get("next_token") if isinstance(meta.get("next_token"), str) else None
            # The first poll takes one page: the console wants what is happening now, not 7 days.
            if not next_token or since_id is None:
                break
        else:
            self.skip(f"{query!r}: more than {self.max_pages} pages of new posts; older not read")
        if newest is not None:
            staged[query] = newest
        return out

    def _mentions(self, page: dict[str, Any], topic: str) -> list[Mention]:
        includes = as_dict(page.get("includes"))
        users = {str(u.get("id")): u for u in includes.get("users") or [] if isinstance(u, dict)}
        out: list[Mention] = []
        for tweet in page.get("data") or []:
            try:
                mention = tweet_mention(tweet, users)
            except MalformedTweet as error:
                self.skip(f"tweet skipped: {error}")
                continue
            out.append(replace(mention, topic=self.topics.match(mention.text) or topic))
        return out

    async def _search(
        self, token: str, query: str, since_id: str | None, next_token: str | None
    ) -> dict[str, Any]:
        url = f"{self.base_url}/2/tweets/search/recent"
        if self._paused_until is not None and self.clock.now() < self._paused_until:
            wait = (self._paused_until - self.clock.now()).total_seconds()
            raise RetryAfter(wait, f"{url} (x-rate-limit-remaining: 0)")
        params = {
            "query": query,
            "max_results": str(self.max_results),
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        if since_id:
            params["since_id"] = since_id
        if next_token:
            params["next_token"] = next_token
        headers = {"Authorization": f"Bearer {token}"}
        async with self.session.get(
            url, params=params, headers=headers, timeout=self.timeout
        ) as response:
            self._note_rate(response)
            if response.status == 429 and "Retry-After" not in response.headers:
                raise RetryAfter(self._seconds_to_reset(response) or 60.0, url)
            if response.status in (401, 403):
                raise SourceFailed(
                    f"HTTP {response.status}: check the bearer token and the plan's access", url
                )
            await self.check_response(response)
            try:
                data = await response.json(content_type=None)
            except ValueError as error:
                raise SourceError(f"answer is not JSON ({error})", url) from error
        if not isinstance(data, dict):
            raise SourceError("answer is not an object", url)
        if "data" not in data and data.get("errors") and "meta" not in data:
            raise SourceError(f"API error: {data['errors'][0]}", url)
        return data

    def _seconds_to_reset(self, response: aiohttp.ClientResponse) -> float | None:
        reset = response.headers.get("x-rate-limit-reset")
        if reset is None or not reset.strip().isdigit():
            return None
        moment = datetime.fromtimestamp(int(reset), UTC)
        return max(1.0, (moment - self.clock.now()).total_seconds())

    def _note_rate(self, response: aiohttp.ClientResponse) -> None:
        self.rate = {
            k: v for k, v in response.headers.items() if k.lower().startswith("x-rate-limit-")
        }
        remaining = response.headers.get("x-rate-limit-remaining")
        seconds = self._seconds_to_reset(response)
        if remaining == "0" and seconds is not None and response.status < 400:
            self._paused_until = self.clock.now() + timedelta(seconds=seconds)
        else:
            self._paused_until = None
