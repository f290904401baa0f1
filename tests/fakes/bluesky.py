"""A fake Bluesky on 127.0.0.1: a Jetstream websocket and the AppView search, real shapes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.common import ScriptedFake

FIXTURE = Path(__file__).parent.parent / "fixtures/api/bluesky_jetstream_post.jsonl"
SAMPLE_EVENTS: list[dict[str, Any]] = [
    json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()
]
IDENTIFIER, PASSWORD = "acme.bsky.social", "abcd-efgh-ijkl-mnop"


def make_event(time_us: int, text: str, rkey: str, did: str = "did:plc:alice", **record: Any):
    """A Jetstream commit event creating a post, built on the reply sample."""
    event = copy.deepcopy(SAMPLE_EVENTS[1])
    event.update(did=did, time_us=time_us)
    event["commit"].update(rkey=rkey, rev=f"rev{time_us}")
    event["commit"]["record"].update(text=text, **record)
    return event


def make_post(did: str, rkey: str, text: str, indexed_at: str, **extra: Any) -> dict[str, Any]:
    """A searchPosts post view."""
    post = {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyrei{rkey}",
        "author": {
            "did": did,
            "handle": f"{did.rsplit(':', 1)[-1]}.bsky.social",
            "displayName": "Someone",
            "labels": [],
            "createdAt": "2024-01-01T00:00:00.000Z",
        },
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": indexed_at,
            "langs": ["en"],
            "text": text,
        },
        "replyCount": 1,
        "repostCount": 2,
        "likeCount": 3,
        "quoteCount": 0,
        "indexedAt": indexed_at,
        "labels": [],
    }
    post.update(extra)
    return post


class FakeBluesky(ScriptedFake):
    """Replays `events` from the requested cursor; serves `posts` to searchPosts with a session."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []
        self.connections: list[dict[str, str]] = []
        self.drops: list[int] = []  # connection i is dropped after drops[i] events
        self.posts: list[dict[str, Any]] = []
        self.requests: list[dict[str, str]] = []
        self.sessions = 0
        self.valid_tokens: set[str] = set()
        self.remaining = 2999
        self.reset_epoch = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/subscribe", self._subscribe)
        app.router.add_post("/xrpc/com.atproto.server.createSession", self._create_session)
        app.router.add_get("/xrpc/app.bsky.feed.searchPosts", self._search)
        return app

    async def _subscribe(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        params = dict(request.query)
        index = len(self.connections)
        self.connections.append(params)
        cursor = int(params.get("cursor", "0"))
        drop_after = self.drops[index] if index < len(self.drops) else None
        sent = 0
        for event in self.events:
            if isinstance(event, dict) and event.get("time_us", 0) < cursor:
                continue
            if sent == drop_after:
                # An abrupt drop: no close frame, the TCP connection just goes away.
                assert request.transport is not None
                request.transport.close()
                return ws
            await ws.send_str(event if isinstance(event, str) else json.dumps(event))
            sent += 1
        async for _ in ws:  # keep the stream open until the client leaves
            pass
        return ws

    async def _create_session(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body != {"identifier": IDENTIFIER, "password": PASSWORD}:
            error = {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
            return web.json_response(error, status=401)
        self.sessions += 1
        token = f"access-{self.sessions}"
        self.valid_tokens.add(token)
        return web.json_response(
            {
                "accessJwt": token,
                "refreshJwt": f"refresh-{self.sessions}",
                "handle": IDENTIFIER,
                "did": "did:plc:acmeteam",
                "active": True,
            }
        )

    def expire_tokens(self) -> None:
        """Every access token now answers ExpiredToken, as after two hours."""
        self.valid_tokens.clear()

    async def _search(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        self.requests.append(params)
        auth = request.headers.get("Authorization", "")
        if not auth:
            error = {"error": "Forbidden", "message": "anonymous search is not allowed"}
            return web.json_response(error, status=403)
        if auth.removeprefix("Bearer ") not in self.valid_tokens:
            error = {"error": "ExpiredToken", "message": "Token has expired"}
            return web.json_response(error, status=400)
        failure = self.scripted_failure(len(self.requests), '{"error":"x"}')
        if failure is not None:
            return failure
        query = params["q"].lower()
        since = params.get("since", "")
        found = [
            p
            for p in self.posts
            if not isinstance(p.get("record"), dict)
            or (query in str(p["record"].get("text", "")).lower() and p["indexedAt"] >= since)
        ]
        found.sort(key=lambda p: p.get("indexedAt", ""), reverse=True)
        start = int(params.get("cursor", "0"))
        limit = int(params.get("limit", "25"))
        body: dict[str, Any] = {"posts": found[start : start + limit], "hitsTotal": len(found)}
        if start + limit < len(found):
            body["cursor"] = str(start + limit)
        self.remaining -= 1
        headers = {
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_epoch),
            "RateLimit-Policy": "3000;w=300",
        }
        return web.json_response(body, headers=headers)
