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


async def test_invalid_items_are_named_and_the_rest_kept(url: str, receiver: Receiver) -> None:
    """Every invalid item is named by index and field; the valid ones are accepted."""
    batch = [item(0), item(1, created_at="yesterday"), item(2), item(3, id=None), "text"]
    status, body, _ = await post(url, batch)
    assert status == 202
    assert (body["received"], body["accepted"], body["rejected"]) == (2, 2, 3)
    assert [d.split(":")[0] for d in body["details"]] == [
        "items[1].created_at",
        "items[3].id",
        "items[4]",
    ]
    assert body["errors"][1] == {"index": 3, "field": "id", "message": "is required"}
    assert [m.id for m in receiver.emitted] == ["ext:0", "ext:2"]


async def test_a_batch_of_only_invalid_items_is_422(url: str, receiver: Receiver) -> None:
    """Nothing valid in the batch: 422, nothing emitted."""
    status, body, _ = await post(url, [item(1, created_at="yesterday"), item(2, id=None)])
    assert status == 422 and "nothing was accepted" in body["error"]
    assert not receiver.emitted


@pytest.mark.parametrize(
    ("created_at", "problem"),
    [
        ("0001-01-01T00:00:00+01:00", "outside the years 1970 to 9999"),
        ("9999-12-31T23:59:59-05:00", "outside the years 1970 to 9999"),
        ("9999-12-31T23:59:59Z", "more than a day in the future"),
        ("2100-01-01T00:00:00Z", "more than a day in the future"),
        ("1969-12-31T23:59:59Z", "before 1970"),
    ],
)
async def test_impossible_times_are_refused_and_the_good_items_kept_once(
    url: str, receiver: Receiver, created_at: str, problem: str
) -> None:
    """One item with an impossible time among five good ones: it is named, the five are kept,
    and the sender's resend of the batch is answered as duplicates."""
    batch = [item(n) for n in range(5)] + [item(9, created_at=created_at)]
    status, body, _ = await post(url, batch)
    assert status == 202 and (body["accepted"], body["rejected"]) == (5, 1)
    detail = body["details"][0]
    assert detail.startswith(f"items[5].created_at: '{created_at}'") and problem in detail
    status, body, _ = await post(url, batch)
    assert status == 202 and (body["accepted"], body["duplicates"]) == (0, 5)
    assert [m.id for m in receiver.emitted] == [f"ext:{n}" for n in range(5)]


async def test_deeply_nested_json_is_400_not_500(url: str, receiver: Receiver) -> None:
    """A body nested past what the parser takes is a malformed request, said as such."""
    status, body, _ = await post(url, raw=b"[" * 5000 + b"]" * 5000)
    assert status == 400 and "nested too deeply" in body["error"]
    status, _, _ = await post(url, item(1))
    assert status == 202


async def test_body_that_is_not_utf8_is_400(url: str) -> None:
    """Bytes that are not UTF-8 are not JSON."""
    status, body, _ = await post(url, raw=b'{"id": "\xff\xfe"}')
    assert status == 400 and "not JSON" in body["error"]


async def test_a_slow_body_is_cut_off_with_408(receiver: Receiver) -> None:
    """A sender that trickles its body is answered 408 when the body timeout runs out."""
    source = await receiver.start()
    source.body_timeout = 0.2
    url = await receiver.ready()
    host, port = url.split("//")[1].split("/")[0].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /mentions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + TOKEN.encode()
        + b"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert b" 408 " in status_line


async def test_connections_over_the_cap_are_refused_at_once(receiver: Receiver) -> None:
    """Past max_connections, a new connection gets 503 and is closed; the held ones count
    against the cap, and once they go, posts are served again."""
    source = await receiver.start(max_connections=4)
    url = await receiver.ready()
    host, port = url.split("//")[1].split("/")[0].split(":")
    held = []
    for _ in range(4):  # slow senders that never finish their headers
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"POST /mentions HTTP/1.1\r\nHost: x\r\n")
        held.append(writer)
    await asyncio.sleep(0.1)
    reader, writer = await asyncio.open_connection(host, int(port))
    status_line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert b" 503 " in status_line and source.refused_connections >= 1
    for writer in held:
        writer.close()
    await asyncio.sleep(0.1)
    status, _, _ = await post(url, item(1))
    assert status == 202


async def test_202_waits_until_the_mentions_are_durable(receiver: Receiver) -> None:
    """The answer comes after the runner's durable() returned: a 202 means on disk."""
    source = await receiver.start()
    calls: list[int] = []

    async def durable() -> None:
        calls.append(len(receiver.emitted))

    source.durable = durable
    status, _, _ = await post(await receiver.ready(), [item(1), item(2)])
    assert status == 202 and calls == [2]


async def test_not_saved_is_503_and_the_resend_goes_through(receiver: Receiver) -> None:
    """When the mentions cannot be made durable, the sender is told to retry, and the retry is
    not mistaken for a duplicate."""
    source = await receiver.start()
    failing = True

    async def durable() -> None:
        if failing:
            raise OSError(28, "No space left on device")

    source.durable = durable
    url = await receiver.ready()
    status, body, headers = await post(url, [item(1)])
    assert status == 503 and "send them again" in body["error"] and headers["Retry-After"]
    failing = False
    status, body, _ = await post(url, [item(1)])
    assert status == 202 and body["accepted"] == 1


async def test_counts_say_what_the_incident_already_had(receiver: Receiver) -> None:
    """When the incident already stored some of the batch (its emit says how many were new),
    the answer counts those as duplicates."""
    source = await receiver.start()

    async def emit_one_new(mentions: list[Mention]) -> int:
        receiver.emitted.extend(mentions)
        return 1

    assert receiver.task is not None
    receiver.task.cancel()
    receiver.stop.set()
    receiver.stop = asyncio.Event()
    receiver.task = asyncio.create_task(source.run(emit_one_new, receiver.stop))
    await asyncio.sleep(0.05)
    status, body, _ = await post(await receiver.ready(), [item(1), item(2), item(3)])
    assert status == 202 and (body["accepted"], body["duplicates"]) == (1, 2)


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
