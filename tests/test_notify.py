"""Outbound notifications against a fake webhook server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import socket
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.conftest import T0
from warroom.clock import FrozenClock
from warroom.live.config import NotificationConfig
from warroom.live.messages import slack_body
from warroom.live.notify import Notifier, WebhookTarget, as_target
from warroom.model import Event, EventKind, Level

SECRET_PATH = "/services/T0001/B0002/s3cr3tPathXYZ"
TOKEN = "tok-very-secret-42"
REASON = "negative share 45% vs baseline 21%, volume 3.2x baseline over the last 10 min"


class FakeHook:
    """A webhook receiver that answers from a script: (status, headers, seconds to hang)."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str], float]] = []
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.url = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(SECRET_PATH, self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        self.headers.append(dict(request.headers))
        status, headers, hang = self.script.pop(0) if self.script else (200, {}, 0.0)
        if hang:
            await asyncio.sleep(hang)
        return web.Response(
            status=status, headers=headers, text="ok" if status < 300 else "no_service"
        )


@pytest.fixture
async def hook() -> AsyncIterator[FakeHook]:
    """A fake webhook on 127.0.0.1, without an access log (it would print the secret path)."""
    fake = FakeHook()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server(access_log=None)
    fake.url = str(server.make_url(SECRET_PATH))
    yield fake
    await server.close()


def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{SECRET_PATH}"


class Harness:
    """A notifier with recorded outcomes and sleeps that return at once."""

    def __init__(self, session: aiohttp.ClientSession, clock: FrozenClock) -> None:
        self.session = session
        self.clock = clock
        self.records: list[dict[str, Any]] = []
        self.delays: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)

    def notifier(self, targets: list[Any], env: dict[str, str], **options: Any) -> Notifier:
        options.setdefault("sleep", self.sleep)
        options.setdefault("max_attempts", 4)
        options.setdefault("record", self.records.append)
        return Notifier(
            targets,
            session=self.session,
            clock=self.clock,
            env=env,
            brand="Brightwell",
            rng=random.Random(7),
            **options,
        )


@pytest.fixture
async def harness(clock: FrozenClock) -> AsyncIterator[Harness]:
    """A harness with its own client session."""
    async with aiohttp.ClientSession() as session:
        yield Harness(session, clock)


ALL_THREE = ("level_changed", "declared", "closed")


def target(
    kind: str = "slack", events: tuple[str, ...] = ALL_THREE, token_env: str | None = None
) -> WebhookTarget:
    """The team's webhook, its URL in $HOOK_URL."""
    return WebhookTarget("team-slack", kind, "HOOK_URL", events, token_env)


def level_event(seq: int = 12) -> Event:
    """The detector's level change to CRISIS, with evidence and a field not meant for outsiders."""
    evidence = {"z": 4.1, "top_mentions": [{"text": "x"}]}
    data = {"level": "crisis", "previous": "elevated", "reason": REASON, "evidence": evidence}
    data["operator_host"] = "ops-laptop-7"
    return Event(seq, EventKind.LEVEL_CHANGED, T0, data)


def send(notifier: Notifier, event: Event) -> None:
    """Announce an event of the battery-fires incident."""
    notifier.notify(event, incident="battery-fires", level=Level.CRISIS, reason=REASON)


async def deliver(notifier: Notifier, *events: Event) -> None:
    """Queue the events, run the notifier until its queues are empty, then close it."""
    notifier.start()
    for event in events:
        send(notifier, event)
    await notifier.close(drain=5.0)


async def test_slack_body_has_text_and_blocks(harness: Harness, hook: FakeHook) -> None:
    """A level change reaches Slack as mrkdwn text plus a section and a context block."""
    notifier = harness.notifier([target("slack")], {"HOOK_URL": hook.url})
    await deliver(notifier, level_event())
    [body] = hook.received
    assert body["text"] == f"Brightwell: level CRISIS — {REASON}"
    assert [block["type"] for block in body["blocks"]] == ["section", "context"]
    assert body["blocks"][0]["text"] == {"type": "mrkdwn", "text": body["text"]}
    assert "battery-fires" in body["blocks"][1]["elements"][0]["text"]


async def test_generic_body_carries_the_event(harness: Harness, hook: FakeHook) -> None:
    """The generic JSON body names event, incident, brand, level, reason, time and safe data."""
    notifier = harness.notifier([target("json")], {"HOOK_URL": hook.url})
    await deliver(notifier, level_event())
    [body] = hook.received
    assert body["event"] == "level_changed"
    assert (body["incident"], body["brand"], body["level"]) == (
        "battery-fires",
        "Brightwell",
        "crisis",
    )
    assert body["reason"] == REASON
    assert body["at"] == "2026-03-14T09:00:00.000Z"
    safe = {"level": "crisis", "previous": "elevated", "reason": REASON, "evidence": {"z": 4.1}}
    assert body["data"] == safe


def test_messages_in_the_teams_words() -> None:
    """Declared, step checked and closed read as the team would say them."""
    declared = Event(
        3, EventKind.DECLARED, T0, {"name": "Battery fires", "level": "crisis"}, "dana"
    )
    checked = {"step": "s1", "title": "Holding statement posted"}
    step = Event(4, EventKind.STEP_CHECKED, T0, checked, "dana")
    closed = Event(5, EventKind.CLOSED, T0, {"summary": "Recall announced; sentiment back"}, "dana")
    texts = [
        slack_body(e, incident="x", brand="Brightwell", level=Level.CRISIS, reason="")["text"]
        for e in (declared, step, closed)
    ]
    assert texts[0].startswith("Incident declared: Battery fires — Brightwell, level CRISIS")
    assert texts[1] == "Step checked: Holding statement posted (by dana)"
    assert texts[2] == "Incident closed: Recall announced; sentiment back (by dana)"


def test_slack_text_escapes_hostile_text() -> None:
    """<!channel>, a disguised link and & arrive as literal text, not as Slack markup."""
    hostile = "<!channel> see <https://evil.example|click> & <@U123>"
    event = Event(9, EventKind.CLOSED, T0, {"summary": hostile}, "<!here>")
    body = slack_body(event, incident="<!everyone>", brand="B&B", level=Level.CRISIS, reason="")
    dumped = json.dumps(body)
    assert "<" not in dumped and ">" not in dumped
    assert "&lt;!channel&gt; see &lt;https://evil.example|click&gt; &amp; &lt;@U123&gt;" in dumped
    assert "B&amp;B" in dumped and "&lt;!everyone&gt;" in dumped


async def test_429_retry_after_is_honoured(harness: Harness, hook: FakeHook) -> None:
    """A 429 with Retry-After: 7 waits 7 s, then the retry is delivered after 2 attempts."""
    hook.script = [(429, {"Retry-After": "7"}, 0.0)]
    notifier = harness.notifier([target()], {"HOOK_URL": hook.url})
    await deliver(notifier, level_event())
    assert harness.delays == [7.0]
    [outcome] = harness.records
    assert (outcome["status"], outcome["attempts"], outcome["http_status"]) == ("delivered", 2, 200)
    assert len(hook.received) == 2


async def test_503_retry_after_http_date(harness: Harness, hook: FakeHook) -> None:
    """A 503 whose Retry-After is a date waits until that date on the injected clock."""
    hook.script = [(503, {"Retry-After": format_datetime(T0 + timedelta(seconds=30), True)}, 0.0)]
    notifier = harness.notifier([target()], {"HOOK_URL": hook.url})
    await deliver(notifier, level_event())
    assert harness.delays == [30.0]
    assert harness.records[0]["status"] == "delivered"


async def test_500_then_recovery(harness: Harness, hook: FakeHook) -> None:
    """Two 500s back off exponentially with jitter, and the third attempt is delivered."""
    hook.script = [(500, {}, 0.0), (500, {}, 0.0)]
    notifier = harness.notifier([target()], {"HOOK_URL": hook.url})
    await deliver(notifier, level_event())
    first, second = harness.delays
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0
    [outcome] = harness.records
    assert (outcome["status"], outcome["attempts"], outcome["http_status"]) == ("delivered", 3, 200)


async def test_dead_endpoint_gives_up(harness: Harness) -> None:
    """Nothing listening: max_attempts tries, then one record saying it failed."""
    notifier = harness.notifier([target()], {"HOOK_URL": dead_url()}, max_attempts=4)
    await deliver(notifier, level_event())
    assert len(harness.delays) == 3
    [outcome] = harness.records
    assert (outcome["status"], outcome["attempts"], outcome["http_status"]) == ("failed", 4, None)
    assert outcome["detail"].startswith("failed after 4 attempts: could not connect")


async def test_client_error_is_not_retried(harness: Harness, hook: FakeHook) -> None:
    """A 404 (a revoked hook) fails at once: retrying cannot help."""
    hook.script = [(404, {}, 0.0)]
    notifier = harness.notifier([target()], {"HOOK_URL": hook.url})
    await deliver(notifier, level_event())
    assert harness.delays == []
    assert harness.records[0]["detail"] == "failed after 1 attempt: HTTP 404 no_service"


async def test_notify_never_blocks_on_a_hanging_endpoint(harness: Harness, hook: FakeHook) -> None:
    """notify() returns in under 5 ms while the webhook hangs; close() stops the hung send."""
    hook.script = [(200, {}, 30.0)]
    notifier = harness.notifier([target()], {"HOOK_URL": hook.url}, sleep=asyncio.sleep)
    notifier.start()
    send(notifier, level_event(1))
    while not hook.received:
        await asyncio.sleep(0.01)
    slowest = 0.0
    for seq in range(2, 22):
        started = time.perf_counter()
        send(notifier, level_event(seq))
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 0.005
    await notifier.close(drain=0.05)
    assert [r["status"] for r in harness.records] == ["dropped"] * 21


async def test_secrets_never_recorded_or_logged(
    harness: Harness, hook: FakeHook, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the URL (nor its host and path) nor the token appears in records or log lines."""
    caplog.set_level(logging.DEBUG)
    hook.script = [(500, {}, 0.0), (401, {}, 0.0)]
    targets = [
        target("json", token_env="HOOK_TOKEN"),
        WebhookTarget("dead", "slack", "DEAD_URL", ("level_changed",)),
        WebhookTarget("broken", "slack", "BAD_URL", ("level_changed",)),
    ]
    env = {"HOOK_URL": hook.url, "HOOK_TOKEN": TOKEN, "DEAD_URL": dead_url()}
    env["BAD_URL"] = "http://[s3cr3tPathXYZ/x"
    notifier = harness.notifier(targets, env)
    await deliver(notifier, level_event())
    assert hook.headers[0]["Authorization"] == f"Bearer {TOKEN}"
    assert len(harness.records) == 3 and caplog.records
    seen = repr(harness.records) + caplog.text + repr([r.args for r in caplog.records])
    for secret in (TOKEN, "s3cr3tPathXYZ", "127.0.0.1", env["DEAD_URL"], hook.url):
        assert secret not in seen


async def test_targets_get_only_the_events_they_asked_for(harness: Harness, hook: FakeHook) -> None:
    """A target for `declared` gets no level change, and notifications are never announced."""
    wants = target("json", events=("declared", "notification"))
    notifier = harness.notifier([wants], {"HOOK_URL": hook.url})
    declared = Event(2, EventKind.DECLARED, T0, {"name": "Battery fires"}, "dana")
    notice = Event(3, EventKind.NOTIFICATION, T0, {"target": "team-slack"})
    await deliver(notifier, level_event(1), declared, notice)
    assert [body["event"] for body in hook.received] == ["declared"]


async def test_full_queue_drops_the_oldest(harness: Harness, hook: FakeHook) -> None:
    """With the queue full, the oldest waiting message is dropped and that is recorded."""
    notifier = harness.notifier([target("json")], {"HOOK_URL": hook.url}, queue_size=2)
    for seq in (1, 2, 3):
        send(notifier, level_event(seq))
    await asyncio.sleep(0)
    assert [(r["seq"], r["status"]) for r in harness.records] == [(1, "dropped")]
    await deliver(notifier)
    assert [body["seq"] for body in hook.received] == [2, 3]


async def test_unset_url_variable_is_recorded(harness: Harness) -> None:
    """A webhook whose env var is unset records a failure naming the variable, and nothing else."""
    notifier = harness.notifier([target()], {})
    assert notifier.missing() == ["notify team-slack: $HOOK_URL is not set; nothing will be sent"]
    await deliver(notifier, level_event())
    [outcome] = harness.records
    assert (outcome["status"], outcome["attempts"]) == ("failed", 0)
    assert outcome["detail"] == "failed: $HOOK_URL is not set"


def test_config_entries_become_targets() -> None:
    """A NotificationConfig from warroom.yaml maps onto a target named by kind and variable."""
    made = as_target(NotificationConfig("slack", "SLACK_WEBHOOK_URL", ("declared",)))
    assert made == WebhookTarget(
        "slack:SLACK_WEBHOOK_URL", "slack", "SLACK_WEBHOOK_URL", ("declared",)
    )


async def test_timeout_is_retried_then_given_up(harness: Harness, hook: FakeHook) -> None:
    """A webhook slower than the timeout counts as a failed attempt and is retried."""
    hook.script = [(200, {}, 5.0), (200, {}, 5.0)]
    notifier = harness.notifier([target()], {"HOOK_URL": hook.url}, timeout=0.1, max_attempts=2)
    await deliver(notifier, level_event())
    [outcome] = harness.records
    assert outcome["detail"] == "failed after 2 attempts: timed out"


async def test_a_failing_record_callback_does_not_stop_delivery(
    harness: Harness, hook: FakeHook
) -> None:
    """If writing the outcome fails, the next message is still sent."""

    def broken(outcome: dict[str, Any]) -> None:
        raise OSError("disk full")

    notifier = harness.notifier([target("json")], {"HOOK_URL": hook.url}, record=broken)
    await deliver(notifier, level_event(1), level_event(2))
    assert [body["seq"] for body in hook.received] == [1, 2]
