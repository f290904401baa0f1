"""A webhook 202 from a console means the mentions are on disk, and the counts tell the truth."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import aiohttp

from tests.conftest import T0
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.incident.session import InProcessScoring, Session
from warroom.live.sources.base import CursorStore, Topics
from warroom.live.sources.webhook import WebhookSource
from warroom.live.watch import run_sources
from warroom.model import EventKind
from warroom.playbook import default_playbook

TOKEN = "hook-secret-123"


def batch(first: int, count: int) -> list[dict[str, object]]:
    """Valid mentions ext:first .. ext:first+count-1, dated just before the clock."""
    return [
        {
            "id": f"ext:{n}",
            "source": "webhook",
            "text": f"acme support is not answering {n}",
            "created_at": "2026-03-14T08:59:00Z",
        }
        for n in range(first, first + count)
    ]


def stored_ids(data_dir: Path, slug: str, clock: FrozenClock) -> list[str]:
    """The mention ids on disk, read by a second, read-only reader (what a crash would keep)."""
    with IncidentStore(data_dir).open(slug, clock=clock, writable=False) as log:
        return [
            e.data["mention"]["id"]
            for e in log.events(include_mentions=True)
            if e.kind is EventKind.MENTION
        ]


async def post(url: str, body: object) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession() as http, http.post(url, json=body, headers=headers) as r:
        return r.status, await r.json()


def console(data_dir: Path, clock: FrozenClock) -> Session:
    session = Session(
        store=IncidentStore(data_dir),
        clock=clock,
        brand="acme",
        playbook=default_playbook(),
        scoring=InProcessScoring(),
        operator="dana",
    )
    session.open("webhook test")
    return session


def webhook(tmp_path: Path, clock: FrozenClock) -> WebhookSource:
    return WebhookSource(
        "inbox",
        {"port": 0, "token_env": "HOOK_TOKEN"},
        session=None,  # type: ignore[arg-type]  # a receiver makes no requests
        cursors=CursorStore(tmp_path / "cursors"),
        clock=clock,
        topics=Topics(["acme"]),
        env={"HOOK_TOKEN": TOKEN},
    )


async def test_every_202_is_on_disk_before_it_is_sent(tmp_path: Path) -> None:
    """Right after each 202, a separate reader finds every accepted mention on disk, although
    the log buffers mentions for up to a second."""
    clock = FrozenClock(T0)
    session = console(tmp_path / "data", clock)
    source = webhook(tmp_path, clock)
    runner = asyncio.create_task(run_sources([source], session.ingest, session.durable))
    try:
        await asyncio.wait_for(source.ready.wait(), 5)
        expected: list[str] = []
        for round_ in range(5):
            status, body = await post(source.url, batch(round_ * 40, 40))
            assert status == 202 and body["accepted"] == 40
            expected += [f"ext:{n}" for n in range(round_ * 40, round_ * 40 + 40)]
            assert stored_ids(tmp_path / "data", session.log.meta.slug, clock) == expected
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        session.log.close()


async def test_a_resend_after_a_restart_is_counted_as_already_stored(tmp_path: Path) -> None:
    """The webhook forgot what it had seen (its cursor was not saved before a crash), yet a
    resend of stored mentions is answered as duplicates: the incident says what is new."""
    clock = FrozenClock(T0)
    session = console(tmp_path / "data", clock)
    first = webhook(tmp_path, clock)
    runner = asyncio.create_task(run_sources([first], session.ingest, session.durable))
    await asyncio.wait_for(first.ready.wait(), 5)
    status, body = await post(first.url, batch(0, 10))
    assert status == 202 and body["accepted"] == 10
    runner.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await runner
    for saved in (tmp_path / "cursors").iterdir():  # as if killed before the cursor was saved
        saved.unlink()
    again = webhook(tmp_path, clock)
    runner = asyncio.create_task(run_sources([again], session.ingest, session.durable))
    try:
        await asyncio.wait_for(again.ready.wait(), 5)
        status, body = await post(again.url, batch(5, 10))
        assert status == 202 and (body["accepted"], body["duplicates"]) == (5, 5)
        assert len(stored_ids(tmp_path / "data", session.log.meta.slug, clock)) == 15
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        session.log.close()
