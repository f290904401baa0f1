"""Reddit search listings (posts and comments) through OAuth, newest first, paged with `after`."""

from __future__ import annotations

import base64
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
from warroom.model import Mention

SITE = "https://www.reddit.com"


class MalformedThing(ValueError):
    """A listing child we cannot turn into a mention."""


def thing_mention(child: Any) -> Mention:
    """A listing child (`t3` post or `t1` comment) as a mention."""
    if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
        raise MalformedThing("child: expected an object with `data`")
    kind, data = child.get("kind"), child["data"]
    name = data.get("name") or (f"{kind}_{data['id']}" if isinstance(data.get("id"), str) else "")
    if kind not in ("t1", "t3") or not isinstance(name, str) or not name.startswith(f"{kind}_"):
        raise MalformedThing(f"kind {kind!r} / name {name!r}: not a post or comment")
    created = data.get("created_utc")
    if isinstance(created, bool) or not isinstance(created, int | float):
        raise MalformedThing(f"{name}: created_utc missing")
    if kind == "t3":
        title, body = data.get("title"), data.get("selftext")
        if not isinstance(title, str):
            raise MalformedThing(f"{name}: title missing")
        text = f"{title}\n\n{body}" if isinstance(body, str) and body.strip() else title
        counts = [data.get("score"), data.get("num_comments")]
    else:
        text = data.get("body")
        if not isinstance(text, str):
            raise MalformedThing(f"{name}: body missing")
        counts = [data.get("score")]
    permalink = data.get("permalink")
    author = data.get("author")
    numbers = [c for c in counts if isinstance(c, int) and not isinstance(c, bool)]
    return Mention(
        id=f"reddit:{name}",
        source="reddit",
        text=text.strip(),
        created_at=datetime.fromtimestamp(float(created), UTC),
        author=author if isinstance(author, str) and author != "[deleted]" else None,
        url=SITE + permalink if isinstance(permalink, str) and permalink.startswith("/") else None,
        # A downvoted post has a negative score; engagement counts attention, so never below 0.
        engagement=max(0, sum(numbers)) if numbers else None,
    )


@register
class RedditSource(Source):
    """Searches Reddit per topic with an OAuth app token; the cursor is the newest time seen."""

    kind: ClassVar[str] = "reddit"
    default_base_url: ClassVar[str] = "https://oauth.reddit.com"
    default_interval: ClassVar[float] = 60.0
    option_names: ClassVar[frozenset[str]] = frozenset(
        {"auth_url", "client_id_env", "client_secret_env", "username_env", "password_env",
         "user_agent", "query", "topic", "limit", "max_pages", "lookback", "overlap", "type",
         "subreddit", "timeout"}
    )  # fmt: skip

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems with the options, as (option, message) pairs for the config validator."""
        numbers = {
            "limit": (1, 100),
            "max_pages": (1, 100),
            "lookback": (0, 7 * 86400),
            "overlap": (0, 86400),
            "timeout": (1, 600),
        }
        required = ("client_id_env", "client_secret_env")
        texts = ("query", "topic", "user_agent", "subreddit")
        problems = option_problems(options, numbers, required, texts)
        if bool(options.get("username_env")) != bool(options.get("password_env")):
            problems.append(
                ("password_env", "a script app needs both username_env and password_env")
            )
        if options.get("type", "link") not in ("link", "comment"):
            problems.append(("type", "must be link (posts) or comment"))
        auth_url = options.get("auth_url")
        if auth_url is not None and not str(auth_url).startswith(("http://", "https://")):
            problems.append(("auth_url", "must be an http:// or https:// URL"))
        return problems

    def __init__(self, name: str, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, options, **kwargs)
        self.auth_url = str(options.get("auth_url") or SITE).rstrip("/")
        self.limit = max(1, min(100, int(options.get("limit", 100))))
        self.max_pages = max(1, int(options.get("max_pages", 5)))
        self.lookback = float(options.get("lookback", 3600))
        self.overlap = float(options.get("overlap", 120))
        self.search_type = str(options.get("type", "link"))
        self.subreddit = options.get("subreddit")
        self.user_agent = str(options.get("user_agent", "warroom/0.1 (crisis console)"))
        self.timeout = aiohttp.ClientTimeout(total=float(options.get("timeout", 30)))
        self._token: str | None = None
        self._token_expires = datetime.min.replace(tzinfo=UTC)
        self._paused_until: datetime | None = None
        self.rate: dict[str, str] = {}

    def queries(self) -> list[tuple[str, str]]:
        """(query, topic) pairs: the `query` option, or one OR-query per topic."""
        if self.options.get("query"):
            return [(str(self.options["query"]), str(self.options.get("topic", "brand")))]
        pairs = []
        for topic in self.topics.topics():
            terms = list(
                dict.fromkeys(t.strip().lstrip("#@") for t in self.topics.query_terms(topic))
            )
            if terms:
                pairs.append((" OR ".join(f'"{t}"' if " " in t else t for t in terms), topic))
        return pairs

    async def poll(self) -> list[Mention]:
        """Every query once, newest first, down to the previous poll's newest post."""
        mentions: list[Mention] = []
        staged: dict[str, float] = dict(self.cursor.get("newest") or {})
        for query, topic in self.queries():
            mentions.extend(await self._poll_query(query, topic, staged))
        # Cursors move only once every query answered: a failure re-reads them all (dedupe).
        self.cursor["newest"] = staged
        return mentions

    async def _poll_query(self, query: str, topic: str, staged: dict[str, float]) -> list[Mention]:
        saved = staged.get(query)
        now = self.clock.now().timestamp()
        # Reddit's search index lags: re-read a little before the cursor; dedupe drops repeats.
        floor = float(saved) - self.overlap if saved is not None else now - self.lookback
        top = float(saved) if saved is not None else floor
        out: list[Mention] = []
        after: str | None = None
        for _ in range(self.max_pages):
            listing = await self._search(query, after)
            children = listing.get("children")
            if not isinstance(children, list):
                raise SourceError("listing has no `children` list", self._search_url())
            reached_floor = False
            for child in children:
                try:
                    mention = thing_mention(child)
                except MalformedThing as error:
                    self.skip(f"item skipped: {error}")
                    continue
                stamp = mention.created_at.timestamp()
                if stamp < floor:
                    reached_floor = True
                    continue
                top = max(top, stamp)
                out.append(replace(mention, topic=self.topics.match(mention.text) or topic))
            after = listing.get("after") if isinstance(listing.get("after"), str) else None
            if reached_floor or not after:
                break
        else:
            self.skip(f"{query!r}: more than {self.max_pages} pages of new posts; older not read")
        staged[query] = top
        return out

    def _search_url(self) -> str:
        if self.subreddit:
            return f"{self.base_url}/r/{self.subreddit}/search"
        return f"{self.base_url}/search"

    async def _search(self, query: str, after: str | None) -> dict[str, Any]:
        params = {
            "q": query,
            "sort": "new",
            "type": self.search_type,
            "limit": str(self.limit),
            "raw_json": "1",
        }
        if self.subreddit:
            params["restrict_sr"] = "1"
        if after:
            params["after"] = after
        url = self._search_url()
        if self._paused_until is not None and self.clock.now() < self._paused_until:
            wait = (self._paused_until - self.clock.now()).total_seconds()
            raise RetryAfter(wait, f"{url} (x-ratelimit-remaining: 0)")
        for attempt in range(2):
            headers = {"Authorization": f"bearer {await self._access_token()}"}
            headers["User-Agent"] = self.user_agent
            async with self.session.get(
                url, params=params, headers=headers, timeout=self.timeout
            ) as response:
                if response.status == 401 and attempt == 0:
                    self._token = None  # revoked or expired early: get a new token once
                    continue
                self._note_rate(response)
                await self.check_response(response)
                data = await _json(response, url)
            listing = as_dict(data).get("data")
            if not isinstance(listing, dict):
                raise SourceError("answer is not a Listing", url)
            return listing
        raise SourceFailed("HTTP 401 twice: check the app's client id and secret", url)

    def _note_rate(self, response: aiohttp.ClientResponse) -> None:
        self.rate = {
            k: v for k, v in response.headers.items() if k.lower().startswith("x-ratelimit-")
        }
        remaining = _float(response.headers.get("x-ratelimit-remaining"))
        reset = _float(response.headers.get("x-ratelimit-reset"))
        if remaining is not None and remaining < 1 and reset is not None:
            self._paused_until = self.clock.now() + timedelta(seconds=reset)
        else:
            self._paused_until = None

    async def _access_token(self) -> str:
        if self._token and self.clock.now() < self._token_expires:
            return self._token
        client_id = self.secret("client_id_env")
        client_secret = self.secret("client_secret_env")
        data = {"grant_type": "client_credentials"}
        if self.options.get("username_env"):
            data = {
                "grant_type": "password",
                "username": self.secret("username_env"),
                "password": self.secret("password_env"),
            }
        url = f"{self.auth_url}/api/v1/access_token"
        async with self.session.post(
            url,
            data=data,
            headers={
                "Authorization": _basic(client_id, client_secret),
                "User-Agent": self.user_agent,
            },
            timeout=self.timeout,
        ) as response:
            if response.status in (400, 401, 403):
                raise SourceFailed(
                    f"HTTP {response.status}: token refused, check the app credentials", url
                )
            await self.check_response(response)
            body = await _json(response, url)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            error = body.get("error") if isinstance(body, dict) else None
            raise SourceError(f"no access_token in the answer (error: {error})", url)
        expires_in = _float(str(body.get("expires_in", 3600))) or 3600.0
        # Renew a minute early so a request never carries a token that expires in flight.
        self._token_expires = self.clock.now() + timedelta(seconds=max(0.0, expires_in - 60))
        self._token = token
        return token


async def _json(response: aiohttp.ClientResponse, url: str) -> Any:
    try:
        return await response.json(content_type=None)
    except ValueError as error:
        raise SourceError(f"answer is not JSON ({error})", url) from error


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
