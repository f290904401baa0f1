"""A fake Algolia Hacker News API on 127.0.0.1 answering `search_by_date` in the real shape."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.common import ScriptedFake

FIXTURE = (
    Path(__file__).parent.parent / "fixtures/api/hn_algolia_search_by_date_legacy2014_comments.json"
)
TEMPLATE: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))["hits"][0]
_FILTER = re.compile(r"created_at_i(>=|<=|>|<|=)(\d+)")


def make_comment(object_id: int, created_at_i: int, html: str, **extra: Any) -> dict[str, Any]:
    """A comment hit in the old layout (every field present, null when empty)."""
    hit = copy.deepcopy(TEMPLATE)
    hit.update(
        objectID=str(object_id),
        created_at_i=created_at_i,
        created_at=_iso(created_at_i),
        comment_text=html,
        _tags=["comment", f"author_{hit['author']}", f"story_{hit['story_id']}"],
    )
    hit.update(extra)
    return hit


def make_story(object_id: int, created_at_i: int, title: str, **extra: Any) -> dict[str, Any]:
    """A story hit in the new layout (absent fields rather than nulls)."""
    hit: dict[str, Any] = {
        "created_at": _iso(created_at_i),
        "created_at_i": created_at_i,
        "title": title,
        "url": f"https://example.com/{object_id}",
        "author": "pg",
        "points": 12,
        "num_comments": 3,
        "story_id": object_id,
        "_tags": ["story", "author_pg", f"story_{object_id}"],
        "objectID": str(object_id),
        "updated_at": _iso(created_at_i),
    }
    hit.update(extra)
    return hit


def _iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeHackerNews(ScriptedFake):
    """Holds hits, answers searches like Algolia (newest first, `nbHits`), fails on request."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Any] = []
        self.requests: list[dict[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v1/search_by_date", self._search)
        return app

    async def _search(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        self.requests.append(params)
        failure = self.scripted_failure(len(self.requests), '{"message":"x"}')
        if failure is not None:
            return failure
        query = params.get("query", "").lower()
        per_page = min(1000, int(params.get("hitsPerPage", "20")))
        page = int(params.get("page", "0"))
        selected = [h for h in self.hits if _matches(h, query, params.get("numericFilters", ""))]
        selected.sort(key=lambda h: h.get("created_at_i", 0) if isinstance(h, dict) else 0)
        selected.reverse()
        body = {
            "hits": selected[page * per_page : (page + 1) * per_page],
            "nbHits": len(selected),
            "page": page,
            "nbPages": max(1, -(-len(selected) // per_page)),
            "hitsPerPage": per_page,
            "exhaustiveNbHits": True,
            "processingTimeMS": 1,
            "query": params.get("query", ""),
            "params": request.query_string,
        }
        return web.json_response(body)


def _matches(hit: Any, query: str, filters: str) -> bool:
    if not isinstance(hit, dict):
        return True  # a malformed hit shows up in every answer, as a corrupt record would
    ts = hit.get("created_at_i", 0)
    for op, value in _FILTER.findall(filters):
        bound = int(value)
        ok = {
            ">": ts > bound,
            ">=": ts >= bound,
            "<": ts < bound,
            "<=": ts <= bound,
            "=": ts == bound,
        }[op]
        if not ok:
            return False
    fields = ("title", "comment_text", "story_text", "story_title")
    text = " ".join(str(hit.get(f) or "") for f in fields).lower()
    return query in text
