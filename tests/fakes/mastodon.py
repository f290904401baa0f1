"""A fake Mastodon instance on 127.0.0.1 answering in the exact shape of the real API."""

from __future__ import annotations

import asyncio
import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.common import FakeServer

FIXTURE = Path("/work/shared/fixtures/api/mastodon_status_entity_docs.json")
HOST = "mastodon.example"
LIMIT_DEFAULT = 20
LIMIT_MAX = 40


def _num(status: dict[str, Any]) -> int:
    # Tests may plant a hostile, non-numeric id; the fake still has to order it somewhere.
    return int(status["id"]) if str(status["id"]).isdigit() else 0


def _template() -> dict[str, Any]:
    if FIXTURE.exists():
        return json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {  # the documented Status entity, trimmed, when the shared fixture is absent
        "id": "1",
        "created_at": "2019-12-08T03:48:33.901Z",
        "spoiler_text": "",
        "language": "en",
        "uri": "",
        "url": "",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": "",
        "reblog": None,
        "account": {"id": "1", "username": "x", "acct": "x", "followers_count": 0},
        "tags": [],
    }


TEMPLATE = _template()


def make_status(
    status_id: int | str,
    content: str = "<p>Loving my new #acme phone</p>",
    *,
    tags: tuple[str, ...] = ("acme",),
    acct: str = "alice",
    followers: int = 120,
    created_at: str = "2026-03-14T08:59:00.000Z",
    spoiler_text: str = "",
    language: str | None = "en",
    counts: tuple[int, int, int] = (1, 2, 3),
    reblog: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A Status entity as Mastodon sends it, built on the documented example."""
    status = copy.deepcopy(TEMPLATE)
    sid = str(status_id)
    username = acct.split("@")[0]
    status.update(
        id=sid,
        created_at=created_at,
        content=content,
        spoiler_text=spoiler_text,
        sensitive=bool(spoiler_text),
        language=language,
        uri=f"https://{HOST}/users/{username}/statuses/{sid}",
        url=f"https://{HOST}/@{username}/{sid}",
        replies_count=counts[0],
        reblogs_count=counts[1],
        favourites_count=counts[2],
        reblog=reblog,
        tags=[{"name": tag, "url": f"https://{HOST}/tags/{tag}"} for tag in tags],
    )
    status["account"].update(
        id=str(abs(hash(acct)) % 10**9),
        username=username,
        acct=acct,
        display_name=username.title(),
        followers_count=followers,
        url=f"https://{HOST}/@{username}",
    )
    return status


def make_boost(
    status_id: int | str, original: dict[str, Any], *, acct: str = "bob"
) -> dict[str, Any]:
    """A boost: its own id and account, the original status in `reblog`, empty content."""
    boost = make_status(status_id, "", tags=(), acct=acct, counts=(0, 0, 0), reblog=original)
    boost["tags"] = copy.deepcopy(original["tags"])  # boosts show up on the tag's timeline too
    return boost


@dataclass
class Failure:
    """One scripted bad answer for the next matching request."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = '{"error":"Internal server error"}'


class FakeMastodon(FakeServer):
    """Timelines, search and SSE streaming of one instance, driven by the test."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.statuses: list[dict[str, Any]] = []
        self.token = token
        self.failures: list[Failure] = []
        self.requests: list[web.Request] = []
        self.stream_events: asyncio.Queue[str | None] | None = None
        self.stream_connections = 0
        self.rate_remaining = 300

    def add(self, *statuses: dict[str, Any]) -> None:
        """Post statuses to the instance."""
        self.statuses.extend(statuses)

    def fail_next(self, status: int, **headers: str) -> None:
        """Make the next API request answer `status` with these headers."""
        self.failures.append(Failure(status, {k.replace("_", "-"): v for k, v in headers.items()}))

    def app(self) -> web.Application:
        """The aiohttp application to serve."""
        app = web.Application()
        app.router.add_get("/api/v1/timelines/tag/{tag}", self._timeline)
        app.router.add_get("/api/v2/search", self._search)
        app.router.add_get("/api/v1/streaming/hashtag", self._stream)
        return app

    def _rate_headers(self) -> dict[str, str]:
        self.rate_remaining = max(0, self.rate_remaining - 1)
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(self.rate_remaining),
            "X-RateLimit-Reset": "2026-03-14T09:05:00.000Z",
        }

    def _scripted(self) -> web.Response | None:
        if not self.failures:
            return None
        failure = self.failures.pop(0)
        return web.Response(
            status=failure.status,
            text=failure.body,
            content_type="application/json",
            headers={**self._rate_headers(), **failure.headers},
        )

    def _unauthorized(self, request: web.Request) -> web.Response | None:
        expected = f"Bearer {self.token}"
        if self.token is None or request.headers.get("Authorization") == expected:
            return None
        return web.json_response({"error": "The access token is invalid"}, status=401)

    def _page(self, items: list[dict[str, Any]], query: Any) -> list[dict[str, Any]]:
        limit = min(int(query.get("limit", LIMIT_DEFAULT)), LIMIT_MAX)
        ordered = sorted(items, key=lambda s: _num(s), reverse=True)
        if "max_id" in query:
            ordered = [s for s in ordered if _num(s) < int(query["max_id"])]
        if "since_id" in query:
            ordered = [s for s in ordered if _num(s) > int(query["since_id"])]
        if "min_id" in query:
            # min_id gives the page just after the cursor: the oldest newer statuses, newest first.
            newer = [s for s in ordered if _num(s) > int(query["min_id"])]
            return newer[-limit:]
        return ordered[:limit]

    def _link(self, request: web.Request, page: list[dict[str, Any]]) -> dict[str, str]:
        if not page:
            return {}
        base = f"{request.url.origin()}{request.path}"
        newest, oldest = _num(page[0]), _num(page[-1])
        return {
            "Link": f'<{base}?max_id={oldest}>; rel="next", <{base}?min_id={newest}>; rel="prev"'
        }

    async def _timeline(self, request: web.Request) -> web.Response:
        self.requests.append(request)
        scripted = self._scripted()
        if scripted is not None:
            return scripted
        tag = request.match_info["tag"].lower()
        tagged = [s for s in self.statuses if tag in {t["name"].lower() for t in s["tags"]}]
        page = self._page(tagged, request.query)
        headers = {**self._rate_headers(), **self._link(request, page)}
        return web.json_response(page, headers=headers)

    async def _search(self, request: web.Request) -> web.Response:
        self.requests.append(request)
        denied = self._unauthorized(request)
        if denied is not None:
            return denied
        scripted = self._scripted()
        if scripted is not None:
            return scripted
        words = request.query.get("q", "").lower().split()
        found = [s for s in self.statuses if any(w in s["content"].lower() for w in words)]
        page = self._page(found, request.query)
        body = {"accounts": [], "statuses": page, "hashtags": []}
        return web.json_response(body, headers=self._rate_headers())

    def start_stream(self) -> asyncio.Queue[str | None]:
        """Open the stream's event queue; push SSE chunks, or None to drop the connection."""
        self.stream_events = asyncio.Queue()
        return self.stream_events

    def push(self, event: str, payload: Any) -> None:
        """Send one SSE event to the connected stream (a Status dict for update)."""
        assert self.stream_events is not None, "call start_stream() first"
        data = payload if isinstance(payload, str) else json.dumps(payload)
        self.stream_events.put_nowait(f"event: {event}\ndata: {data}\n\n")

    def heartbeat(self) -> None:
        """Send an SSE comment line, as the streaming server does every few seconds."""
        assert self.stream_events is not None, "call start_stream() first"
        self.stream_events.put_nowait(":thump\n")

    def drop_stream(self) -> None:
        """Close the current stream connection, as a proxy timeout would."""
        assert self.stream_events is not None
        self.stream_events.put_nowait(None)

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        if self.token is None or request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "Error: Missing access token"}, status=401)
        scripted = self._scripted()
        if scripted is not None:
            return scripted
        self.stream_connections += 1
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b":)\n")
        events = self.stream_events or self.start_stream()
        while True:
            chunk = await events.get()
            if chunk is None:
                break
            await response.write(chunk.encode())
        return response
