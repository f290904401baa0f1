"""A fake feed server on 127.0.0.1: an RSS 2.0 news feed and a Google Alerts Atom feed."""

from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path

from aiohttp import web

from tests.fakes.common import ScriptedFake

FIXTURE = Path(__file__).parent.parent / "fixtures/api/rss.xml"
SAMPLE_RSS = FIXTURE.read_text(encoding="utf-8")
LAST_MODIFIED = "Sat, 14 Mar 2026 08:55:00 GMT"


def rss_item(title: str, link: str, pub_date: str, description: str = "", guid: str = "") -> str:
    """One RSS 2.0 <item>, like the sample's (no guid unless given)."""
    parts = [f"<title>{escape(title)}</title>", f"<link>{escape(link)}</link>"]
    parts.append(f"<pubDate>{pub_date}</pubDate>")
    if description:
        parts.append(f"<description><![CDATA[{description}]]></description>")
    if guid:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    return "<item>" + "".join(parts) + "</item>"


def rss_feed(items: list[str]) -> str:
    """The sample feed with these items in front of its own three."""
    return SAMPLE_RSS.replace("<item>", "".join(items) + "<item>", 1)


def alert_entry(alert_id: str, title_html: str, article: str, content_html: str, when: str) -> str:
    """A Google Alerts Atom <entry>: HTML title, redirect link, HTML content."""
    link = f"https://www.google.com/url?rct=j&sa=t&url={article}&ct=ga&cd=CAIyGjQ&usg=AOvVaw0"
    return (
        f"<entry><id>tag:google.com,2013:googlealerts/feed:{alert_id}</id>"
        f'<title type="html">{escape(title_html)}</title>'
        f'<link href="{escape(link)}"></link>'
        f"<published>{when}</published><updated>{when}</updated>"
        f'<content type="html">{escape(content_html)}</content>'
        "<author><name></name></author></entry>"
    )


def alerts_feed(entries: list[str]) -> str:
    """A Google Alerts feed document around the entries."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">'
        "<id>tag:google.com,2005:reader/user/06807031914929345698/state/com.google/alerts/1</id>"
        "<title>Google Alert - acme</title>"
        '<link href="https://www.google.com/alerts/feeds/06807031914929345698/1" rel="self">'
        "</link><updated>2026-03-14T08:55:00Z</updated>" + "".join(entries) + "</feed>"
    )


class FakeFeeds(ScriptedFake):
    """Serves `documents[path]` with ETag and Last-Modified, answering 304 when unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.documents: dict[str, str] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.validators = True

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._serve)
        return app

    async def _serve(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        sent = {k: v for k, v in request.headers.items() if k.startswith("If-")}
        self.requests.append((path, sent))
        failure = self.scripted_failure(len(self.requests), "Service Unavailable")
        if failure is not None:
            return failure
        if path not in self.documents:
            return web.Response(status=404, text="Not Found")
        body = self.documents[path].encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED} if self.validators else {}
        if self.validators and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        kind = "application/atom+xml" if b"<feed" in body else "application/rss+xml"
        return web.Response(body=body, headers=headers, content_type=kind, charset="utf-8")
