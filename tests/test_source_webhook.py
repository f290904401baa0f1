"""Webhook ingest: every bad request answered as documented, good ones emitted once."""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from warroom.clock import FrozenClock
from warroom.live.sources.base import Backoff, CursorStore, SourceState, SourceStatus, Topics
from warroom.live.sources.webhook import WebhookSource, parse_batch
from warroom.model import Mention

TOKEN = "hook-secret-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def item(n: int, **changes: Any) -> dict[str, Any]:
    """A valid canonical mention object."""
    data = {
        "id": f"ext:{n}",
        "source": "webhook",
        "text": f"acme post {n}",
        "created_at": "2026-03-14T08:59:00Z",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class Receiver:
    """A running webhook source and what it emitted."""

    def __init__(self, tmp_path: Path, clock: FrozenClock) -> None:
        self.cursors = CursorStore(tmp_path / "cursors")
        self.clock = clock
        self.emitted: list[Mention] = []
        self.states: list[SourceState] = []
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.source: WebhookSource | None = None

    async def emit(self, mentions: list[Mention]) -> None:
        self.emitted.extend(mentions)

    async def start(self, **options: Any) -> WebhookSource:
        opts = {"port": 0, "token_env": "HOOK_TOKEN", **options}
        self.stop = asyncio.Event()
        self.source = WebhookSource(
            "inbox",
            opts,
            session=None,  # type: ignore[arg-type]  # a receiver makes no requests
            cursors=self.cursors,
            clock=self.clock,
            topics=Topics(["acme"]),
            on_state=self.states.append,
            env={"HOOK_TOKEN": TOKEN},
            sleep=lambda s: asyncio.sleep(min(s, 0.01)),
            backoff=Backoff(base=0.01, cap=0.02, rng=random.Random(1)),
        )
        self.task = asyncio.create_task(self.source.run(self.emit, self.stop))
        return self.source

    async def ready(self) -> str:
        assert self.source is not None
        await asyncio.wait_for(self.source.ready.wait(), 5)
        return self.source.url

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, 5)


@pytest.fixture
async def receiver(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Receiver]:
    receiver = Receiver(tmp_path, clock)
    yield receiver
    await receiver.close()


@pytest.fixture
async def url(receiver: Receiver) -> str:
    """The /mentions URL of a receiver with a token."""
    await receiver.start()
    return await receiver.ready()


async def post(url: str, body: Any = None, raw: bytes | None = None, headers: Any = None):
    data = raw if raw is not None else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers=AUTH if headers is None else headers) as response,
    ):
        return response.status, await response.json(), response.headers


async def test_single_object_is_accepted(url: str, receiver: Receiver) -> None:
    """One mention object: 202 with counts, and it is emitted."""
    status, body, _ = await post(url, item(1))
    assert (status, body) == (202, {"received": 1, "accepted": 1, "duplicates": 0})
    assert [m.id for m in receiver.emitted] == ["ext:1"]


async def test_list_is_accepted(url: str, receiver: Receiver) -> None:
    """A list of mentions is emitted in order."""
    status, body, _ = await post(url, [item(1), item(2), item(3)])
    assert status == 202 and body["accepted"] == 3
    assert [m.id for m in receiver.emitted] == ["ext:1", "ext:2", "ext:3"]


async def test_missing_token_is_401(url: str, receiver: Receiver) -> None:
    """No Authorization header: 401 with a Bearer challenge, nothing emitted."""
    status, body, headers = await post(url, item(1), headers={})
    assert status == 401 and headers["WWW-Authenticate"] == "Bearer"
    assert "bearer token" in body["error"] and not receiver.emitted


async def test_wrong_token_is_401(url: str, receiver: Receiver) -> None:
    """A wrong token: 401."""
    status, _, _ = await post(url, item(1), headers={"Authorization": "Bearer nope"})
    assert status == 401 and not receiver.emitted


async def test_too_large_body_is_413(receiver: Receiver) -> None:
    """A body over max_body: 413, nothing emitted."""
    await receiver.start(max_body=300)
    url = await receiver.ready()
    status, body, _ = await post(url, [item(n) for n in range(10)])
    assert status == 413 and "300 bytes" in body["error"]
    assert not receiver.emitted


async def test_not_json_is_400(url: str) -> None:
    """A body that is not JSON: 400 saying so."""
    status, body, _ = await post(url, raw=b"{not json")
    assert status == 400 and "not JSON" in body["error"]


async def test_invalid_items_reject_the_whole_batch_with_422(url: str, receiver: Receiver) -> None:
    """Every invalid item is named by index and field; none of the batch is accepted."""
    batch = [item(0), item(1, created_at="yesterday"), item(2), item(3, id=None), "text"]
    status, body, _ = await post(url, batch)
    assert status == 422
    assert [d.split(":")[0] for d in body["details"]] == [
        "items[1].created_at",
        "items[3].id",
        "items[4]",
    ]
    assert body["errors"][1] == {"index": 3, "field": "id", "message": "is required"}
    assert not receiver.emitted


async def test_invalid_single_object_names_the_field(url: str) -> None:
    """A single bad object: 422 naming just the field."""
    status, body, _ = await post(url, item(1, reach=-5))
    assert status == 422 and body["details"] == ["reach: must not be negative, got -5"]


async def test_json_that_is_not_a_mention_is_422(url: str) -> None:
    """A JSON number is not a mention or a list of them."""
    status, body, _ = await post(url, 42)
    assert status == 422 and "expected a mention object" in body["details"][0]


async def test_resent_mentions_are_duplicates(url: str, receiver: Receiver) -> None:
    """Sending the same ids again is accepted as duplicates and not emitted twice."""
    await post(url, [item(1), item(2)])
    status, body, _ = await post(url, [item(2), item(3)])
    assert status == 202 and body == {"received": 2, "accepted": 1, "duplicates": 1}
    assert [m.id for m in receiver.emitted] == ["ext:1", "ext:2", "ext:3"]


async def test_health_answers_without_token(url: str) -> None:
    """GET /health says ok and counts, without a token."""
    await post(url, item(1))
    async with (
        aiohttp.ClientSession() as session,
        session.get(url.replace("/mentions", "/health")) as response,
    ):
        assert response.status == 200
        assert await response.json() == {
            "status": "ok",
            "source": "inbox",
            "received": 1,
            "accepted": 1,
        }


async def test_restart_remembers_what_was_accepted(receiver: Receiver) -> None:
    """After a stop and a restart, a resend of old ids is a duplicate; new ids go through."""
    await receiver.start()
    await post(await receiver.ready(), [item(1), item(2)])
    await receiver.close()
    await receiver.start()
    status, body, _ = await post(await receiver.ready(), [item(2), item(3)])
    assert status == 202 and body == {"received": 2, "accepted": 1, "duplicates": 1}
    assert [m.id for m in receiver.emitted] == ["ext:1", "ext:2", "ext:3"]


async def test_unauthenticated_allowed_on_loopback(receiver: Receiver) -> None:
    """allow_unauthenticated: true on 127.0.0.1 takes posts without a token."""
    await receiver.start(token_env=None, allow_unauthenticated=True)
    status, _, _ = await post(await receiver.ready(), item(1), headers={})
    assert status == 202


def test_unauthenticated_refused_off_loopback() -> None:
    """allow_unauthenticated on 0.0.0.0 is a config error, as is a missing token_env."""
    open_host = WebhookSource.check_options({"host": "0.0.0.0", "allow_unauthenticated": True})
    assert [p[0] for p in open_host] == ["allow_unauthenticated"]
    assert [p[0] for p in WebhookSource.check_options({})] == ["token_env"]


async def test_unset_token_variable_fails_without_raising(receiver: Receiver) -> None:
    """A token variable that is not set: the source reports failure naming it and keeps trying."""
    await receiver.start(token_env="UNSET_VARIABLE")
    for _ in range(200):
        if sum(s.status is SourceStatus.FAILED for s in receiver.states) >= 2:
            break
        await asyncio.sleep(0.01)
    failed = [s for s in receiver.states if s.status is SourceStatus.FAILED]
    assert len(failed) >= 2 and "UNSET_VARIABLE is not set" in failed[0].detail
    assert TOKEN not in failed[0].detail


async def test_port_in_use_is_reported(receiver: Receiver) -> None:
    """A port already taken is reported as a failure naming host and port."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        await receiver.start(port=port)
        for _ in range(200):
            if any(s.status is SourceStatus.FAILED for s in receiver.states):
                break
            await asyncio.sleep(0.01)
    failed = [s for s in receiver.states if s.status is SourceStatus.FAILED]
    assert failed and f"cannot listen on 127.0.0.1:{port}" in failed[0].detail


def test_parse_batch_keeps_the_senders_fields() -> None:
    """A valid item keeps its source, topic and counts."""
    mentions, errors = parse_batch([item(1, source="zendesk", topic="competitor:Globex", reach=5)])
    assert not errors
    assert (mentions[0].source, mentions[0].topic, mentions[0].reach) == (
        "zendesk",
        "competitor:Globex",
        5,
    )
