"""A fake Reddit (token endpoint and OAuth search) on 127.0.0.1 answering in the real shape."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.common import ScriptedFake

FIXTURE = Path(__file__).parent.parent / "fixtures/api/reddit_search_listing_2016.json"
LISTING: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
POST_TEMPLATE: dict[str, Any] = LISTING["data"]["children"][0]


def make_post(post_id: str, created_utc: float, title: str, selftext: str = "", **extra: Any):
    """A `t3` child built on the real sample post."""
    child = copy.deepcopy(POST_TEMPLATE)
    slug = title.lower().replace(" ", "_")[:40]
    child["data"].update(
        id=post_id,
        name=f"t3_{post_id}",
        title=title,
        selftext=selftext,
        selftext_html=None,
        created_utc=created_utc,
        created=created_utc + 28800,
        permalink=f"/r/redditdev/comments/{post_id}/{slug}/",
        score=5,
        num_comments=2,
    )
    child["data"].update(extra)
    return child


def make_comment(comment_id: str, created_utc: float, body: str, **extra: Any) -> dict[str, Any]:
    """A `t1` child as search listings send comments."""
    data = {
        "id": comment_id,
        "name": f"t1_{comment_id}",
        "body": body,
        "body_html": None,
        "author": "commenter",
        "created_utc": created_utc,
        "link_id": "t3_3gpbiu",
        "link_title": "a post",
        "permalink": f"/r/redditdev/comments/3gpbiu/a_post/{comment_id}/",
        "score": -3,
        "subreddit": "redditdev",
    }
    data.update(extra)
    return {"kind": "t1", "data": data}


class FakeReddit(ScriptedFake):
    """Issues tokens for one app, answers searches newest first with `after` paging."""

    def __init__(self, client_id: str = "cid", client_secret: str = "csecret") -> None:
        super().__init__()
        self.credentials = f"{client_id}:{client_secret}"
        self.children: list[Any] = []
        self.requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.valid_tokens: set[str] = set()
        self.expires_in = 86400
        self.remaining = 99.0

    def revoke_tokens(self) -> None:
        """Every token issued so far now gets 401, as an expired one would."""
        self.valid_tokens.clear()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v1/access_token", self._token)
        app.router.add_get("/search", self._search)
        app.router.add_get("/r/{sub}/search", self._search)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        expected = "Basic " + base64.b64encode(self.credentials.encode()).decode()
        if request.headers.get("Authorization") != expected:
            return web.json_response({"message": "Unauthorized", "error": 401}, status=401)
        token = f"tok-{len(self.token_requests)}"
        self.valid_tokens.add(token)
        return web.json_response(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.expires_in,
                "scope": "*",
            }
        )

    async def _search(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        self.requests.append(params)
        auth = request.headers.get("Authorization", "")
        if auth.removeprefix("bearer ") not in self.valid_tokens:
            return web.json_response({"message": "Unauthorized", "error": 401}, status=401)
        failure = self.scripted_failure(len(self.requests), "<html>oops</html>")
        if failure is not None:
            return failure
        query = params.get("q", "")
        words = [w.strip('"').lower() for w in query.split(" OR ")]
        found = [c for c in self.children if _matches(c, words)]
        found.sort(key=lambda c: (c["data"].get("created_utc") or 0) if _ok(c) else 0, reverse=True)
        start = 0
        if "after" in params:
            names = [c["data"].get("name") if _ok(c) else None for c in found]
            start = names.index(params["after"]) + 1
        limit = min(100, int(params.get("limit", "25")))
        page = found[start : start + limit]
        more = start + limit < len(found)
        after = page[-1]["data"].get("name") if more and _ok(page[-1]) else None
        body = {
            "kind": "Listing",
            "data": {
                "after": after,
                "dist": len(page),
                "modhash": "",
                "geo_filter": "",
                "facets": {},
                "children": page,
                "before": None,
            },
        }
        self.remaining -= 1
        headers = {
            "x-ratelimit-used": "1",
            "x-ratelimit-remaining": f"{self.remaining:.1f}",
            "x-ratelimit-reset": "42",
        }
        return web.json_response(body, headers=headers)


def _ok(child: Any) -> bool:
    return isinstance(child, dict) and isinstance(child.get("data"), dict)


def _matches(child: Any, words: list[str]) -> bool:
    if not _ok(child):
        return True  # a malformed child rides along with every answer
    data = child["data"]
    text = " ".join(str(data.get(f) or "") for f in ("title", "selftext", "body")).lower()
    return any(w in text for w in words)
