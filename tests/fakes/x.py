"""A fake X API v2 recent search on 127.0.0.1 answering in the real shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.common import ScriptedFake

FIXTURE = Path(__file__).parent.parent / "fixtures/api/x_recent_search_docs_expansions.json"
SAMPLE: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
TOKEN = "bearer-secret"


def make_tweet(tweet_id: int, text: str, created_at: str, author_id: str = "9876543210") -> dict:
    """A tweet object built on the documented example."""
    tweet = copy.deepcopy(SAMPLE["data"][0])
    tweet.update(
        id=str(tweet_id),
        text=text,
        created_at=created_at,
        author_id=author_id,
        edit_history_tweet_ids=[str(tweet_id)],
        lang="en",
    )
    return tweet


def make_user(user_id: str, username: str, followers: int) -> dict[str, Any]:
    """A user object as `includes.users` sends it with `user.fields=username,public_metrics`."""
    return {
        "id": user_id,
        "name": username.title(),
        "username": username,
        "public_metrics": {"followers_count": followers, "following_count": 1, "tweet_count": 9},
    }


class FakeX(ScriptedFake):
    """Newest first, `since_id` exclusive, `next_token` paging, rate headers, scripted failures."""

    def __init__(self) -> None:
        super().__init__()
        self.tweets: list[Any] = []
        self.users: list[dict[str, Any]] = [make_user("9876543210", "pythondev", 1500)]
        self.requests: list[dict[str, str]] = []
        self.remaining = 449
        self.reset_epoch = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/2/tweets/search/recent", self._search)
        return app

    def _rate_headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": str(self.remaining),
            "x-rate-limit-reset": str(self.reset_epoch),
        }

    async def _search(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        self.requests.append(params)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            body = {"title": "Unauthorized", "type": "about:blank", "status": 401}
            return web.json_response(body, status=401)
        failure = self.scripted_failure(
            len(self.requests), '{"title":"Too Many Requests"}', self._rate_headers()
        )
        if failure is not None:
            return failure
        since = int(params.get("since_id", "0"))
        words = [w.strip('"()').lower() for w in params["query"].split(" -is:")[0].split(" OR ")]
        found = [t for t in self.tweets if _tid(t) > since and _matches(t, words)]
        found.sort(key=_tid, reverse=True)
        start = int(params.get("next_token", "0") or 0)
        size = int(params.get("max_results", "10"))
        page = found[start : start + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"] = str(_tid(page[0]))
            meta["oldest_id"] = str(_tid(page[-1]))
        if start + size < len(found):
            meta["next_token"] = str(start + size)
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = page
            ids = {t.get("author_id") for t in page if isinstance(t, dict)}
            body["includes"] = {"users": [u for u in self.users if u["id"] in ids]}
        self.remaining -= 1
        return web.json_response(body, headers=self._rate_headers())


def _tid(tweet: Any) -> int:
    try:
        return int(tweet["id"])
    except (KeyError, TypeError, ValueError):
        return 1  # malformed: sorts last, returned only on the first poll


def _matches(tweet: Any, words: list[str]) -> bool:
    if not isinstance(tweet, dict) or not isinstance(tweet.get("text"), str):
        return True
    return any(w in tweet["text"].lower() for w in words)
