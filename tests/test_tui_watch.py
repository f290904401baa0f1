"""`warroom watch`: the console on live sources from a config, and the team told by webhook."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from warroom.incident.log import IncidentStore
from warroom.live.config import load_config
from warroom.model import EventKind
from warroom.playbook import default_playbook
from warroom.tui.launch import watch_app
from warroom.tui.widgets.feed import MentionFeed

HOOK_PATH = "/hooks/s3cr3t-path"


def mention_line(n: int, text: str) -> str:
    return json.dumps(
        {
            "id": f"file:{n}",
            "source": "file",
            "text": text,
            "created_at": f"2026-03-14T09:{n:02d}:00Z",
            "author": f"user{n}",
        }
    )


async def wait_for(condition, seconds: float = 10.0) -> None:
    """Poll until `condition()` holds; fail after `seconds`."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_watch_reads_the_configured_source_and_notifies_a_declaration(
    tmp_path: Path, data_dir: Path, monkeypatch
) -> None:
    """Mentions from a followed file reach the feed; a declaration reaches the webhook, logged."""
    received: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(text="ok")

    app_hook = web.Application()
    app_hook.router.add_post(HOOK_PATH, hook)
    server = TestServer(app_hook, host="127.0.0.1")
    await server.start_server()
    monkeypatch.setenv("TEAM_HOOK_URL", str(server.make_url(HOOK_PATH)))
    feed_file = tmp_path / "mentions.jsonl"
    feed_file.write_text(
        "\n".join(mention_line(n, f"Acme thermostat post {n}") for n in range(5)) + "\n"
    )
    config_file = tmp_path / "warroom.yaml"
    config_file.write_text(
        "brand: Acme\n"
        "operator: dana\n"
        "topics:\n  brand: [acme]\n"
        "sources:\n  - name: export\n    kind: jsonl\n    path: mentions.jsonl\n    interval: 0.2\n"
        "notifications:\n  - kind: json\n    url_env: TEAM_HOOK_URL\n    events: [declared]\n"
    )
    config = load_config(config_file)
    app = watch_app(config, data_dir, playbook=default_playbook())
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            feed = app.main_screen.query_one(MentionFeed)
            await wait_for(lambda: feed.total == 5)
            with feed_file.open("a") as handle:
                handle.write(mention_line(7, "Acme again, followed as the file grows") + "\n")
            await wait_for(lambda: feed.total == 6)
            assert "export" in app.source_states
            await pilot.press("d")
            await pilot.press("enter")
            await wait_for(lambda: bool(received))
            await wait_for(
                lambda: any(e.kind is EventKind.NOTIFICATION for e in app.session.state.timeline)
            )
    finally:
        await server.close()
    assert received[0]["event"] == "declared" and received[0]["brand"] == "Acme"
    store = IncidentStore(data_dir)
    (meta,) = store.list()
    raw = "".join(p.read_text() for p in (data_dir / "incidents" / meta.slug).rglob("*.json"))
    assert "s3cr3t-path" not in raw and "127.0.0.1" not in raw
    assert '"delivered"' in raw


async def test_a_keymap_in_the_config_rebinds_a_key(tmp_path: Path, data_dir: Path) -> None:
    """`keymap: {feed.filter: ctrl+f}` makes ctrl+f open the filter instead of /."""
    config_file = tmp_path / "warroom.yaml"
    config_file.write_text(
        "brand: Acme\ntopics:\n  brand: [acme]\nsources: []\nkeymap:\n  feed.filter: ctrl+f\n"
    )
    app = watch_app(load_config(config_file), data_dir, playbook=default_playbook())
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("ctrl+f")
        assert app.main_screen.query_one("#filter").has_focus
