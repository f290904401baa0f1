"""`warroom init` and `warroom fetch`: config, exit codes, JSON Lines out, errors on stderr.

To cover another source kind, add a function to CASES: it gets a `serve(app) -> base_url`
helper and a temp dir, and returns a Setup: the source's config entry, the ids it must print
(in order) and the environment variables (secrets) it needs.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from aiohttp import web
from click.testing import CliRunner, Result

from tests.fakes import bluesky, hackernews, reddit, rss, x
from tests.fakes.mastodon import FakeMastodon, make_status
from warroom.cli.config import STARTER, fetch, init
from warroom.model import Mention

Serve = Callable[[web.Application], str]


class Setup(NamedTuple):
    """A source kind wired to its fake: config entry, ids it must print, env vars it needs."""

    entry: dict[str, Any]
    ids: list[str]
    env: dict[str, str] = {}


Case = Callable[[Serve, Path], Setup]


@contextmanager
def served() -> Iterator[Serve]:
    """Serve aiohttp apps on 127.0.0.1 from a background loop (the CLI runs its own loop)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    def serve(app: web.Application) -> str:
        return asyncio.run_coroutine_threadsafe(start(app), loop).result(5)

    try:
        yield serve
    finally:
        for runner in runners:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def mastodon_case(serve: Serve, tmp_path: Path) -> Setup:
    fake = FakeMastodon()
    fake.add(make_status(1), make_status(2, "<p>Acme &amp; co</p>"))
    base_url = serve(fake.app())
    host = base_url.split("://")[1]
    entry = {"name": "fedi", "kind": "mastodon", "base_url": base_url, "tags": ["acme"]}
    return Setup(entry, [f"mastodon:{host}:2", f"mastodon:{host}:1"])


def jsonl_case(serve: Serve, tmp_path: Path) -> Setup:
    path = tmp_path / "in.jsonl"
    lines = [
        {"id": f"f:{n}", "source": "export", "text": "acme", "created_at": "2026-03-14T08:00:00Z"}
        for n in (1, 2)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return Setup({"name": "file", "kind": "jsonl", "path": str(path)}, ["f:1", "f:2"])


# `fetch` runs on the system clock: the search fakes get posts from the last minutes.


def hackernews_case(serve: Serve, tmp_path: Path) -> Setup:
    fake = hackernews.FakeHackerNews()
    now = int(time.time())
    fake.hits = [
        hackernews.make_story(11, now - 300, "Acme ships a new sink"),
        hackernews.make_comment(12, now - 60, "<p>Acme&#x27;s sink <i>leaks</i></p>"),
        hackernews.make_story(10, now - 7200, "Acme, before the lookback window"),
    ]
    entry = {"name": "hn", "kind": "hackernews", "base_url": serve(fake.app())}
    return Setup(entry, ["hn:12", "hn:11"])


def reddit_case(serve: Serve, tmp_path: Path) -> Setup:
    fake = reddit.FakeReddit(client_id="cid", client_secret="csecret")
    now = time.time()
    fake.children = [
        reddit.make_post("old1", now - 7200, "Acme before the lookback window"),
        reddit.make_post("new1", now - 300, "Acme sink leaks", "all over the floor"),
        reddit.make_post("new2", now - 60, "Acme replied to me"),
        reddit.make_post("other", now - 30, "Nothing about the brand"),
    ]
    base_url = serve(fake.app())
    entry = {
        "name": "reddit",
        "kind": "reddit",
        "base_url": base_url,
        "auth_url": base_url,
        "client_id_env": "WARROOM_TEST_REDDIT_ID",
        "client_secret_env": "WARROOM_TEST_REDDIT_SECRET",
    }
    env = {"WARROOM_TEST_REDDIT_ID": "cid", "WARROOM_TEST_REDDIT_SECRET": "csecret"}
    return Setup(entry, ["reddit:t3_new2", "reddit:t3_new1"], env)


def x_case(serve: Serve, tmp_path: Path) -> Setup:
    fake = x.FakeX()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    fake.tweets = [
        x.make_tweet(1001, "Acme support never answers", now),
        x.make_tweet(1003, "@acme thanks, fixed", now),
        x.make_tweet(1002, "unrelated chatter", now),
    ]
    entry = {"name": "x", "kind": "x", "base_url": serve(fake.app()), "token_env": "WARROOM_TEST_X"}
    return Setup(entry, ["x:1003", "x:1001"], {"WARROOM_TEST_X": x.TOKEN})


def rss_case(serve: Serve, tmp_path: Path) -> Setup:
    fake = rss.FakeFeeds()
    when = "2026-03-14T08:50:00Z"
    article = "https://news.example/acme"
    fake.documents["/alerts.xml"] = rss.alerts_feed(
        [
            rss.alert_entry("1", "<b>Acme</b> recalls sinks", article, "<b>Acme</b> said", when),
            rss.alert_entry("2", "Globex news", article, "not the brand", when),
            rss.alert_entry("3", "Why <b>Acme</b> matters", article, "opinion", when),
        ]
    )
    entry = {"name": "alerts", "kind": "rss", "url": serve(fake.app()) + "/alerts.xml"}
    prefix = "rss:tag:google.com,2013:googlealerts/feed:"
    return Setup(entry, [f"{prefix}1", f"{prefix}3"])


def bluesky_case(serve: Serve, tmp_path: Path) -> Setup:
    fake = bluesky.FakeBluesky()
    start_us = int((time.time() - 60) * 1_000_000)
    fake.events = [
        bluesky.make_event(start_us, "Acme is down again", "r1"),
        bluesky.make_event(start_us + 1, "nothing to see", "r2"),
        bluesky.make_event(start_us + 2, "loving my new acme sink", "r3", did="did:plc:bob"),
    ]
    entry = {
        "name": "bsky",
        "kind": "bluesky",
        "mode": "jetstream",
        "base_url": serve(fake.app()),
        # The backlog is in the past, so catching up ends when the stream goes quiet.
        "idle_seconds": 0.2,
        "fetch_seconds": 5,
    }
    post = "app.bsky.feed.post"
    ids = [f"bsky:at://did:plc:alice/{post}/r1", f"bsky:at://did:plc:bob/{post}/r3"]
    return Setup(entry, ids)


CASES: dict[str, Case] = {
    "mastodon": mastodon_case,
    "jsonl": jsonl_case,
    "hackernews": hackernews_case,
    "reddit": reddit_case,
    "x": x_case,
    "rss": rss_case,
    "bluesky": bluesky_case,
}


def all_cases(serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Setup]:
    """Every kind set up at once, its env vars set for the CLI to read from os.environ."""
    setups = [CASES[kind](serve, tmp_path) for kind in sorted(CASES)]
    for setup in setups:
        set_env(monkeypatch, setup.env)
    return setups


def set_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """Set a case's secrets in os.environ for the test's duration (the CLI reads them there)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def write_config(tmp_path: Path, sources: list[dict[str, Any]]) -> Path:
    path = tmp_path / "warroom.yaml"
    path.write_text(yaml.safe_dump({"brand": "Acme", "sources": sources}))
    return path


def run_fetch(*args: str) -> Result:
    return CliRunner().invoke(fetch, list(args), catch_exceptions=False)


def printed(result: Result) -> list[Mention]:
    """Every stdout line must be a canonical mention."""
    return [Mention.from_dict(json.loads(line)) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("kind", sorted(CASES))
def test_fetch_once_prints_canonical_mentions(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each source kind prints its new mentions as canonical JSON Lines and exits 0."""
    with served() as serve:
        setup = CASES[kind](serve, tmp_path)
        set_env(monkeypatch, setup.env)
        result = run_fetch("--config", str(write_config(tmp_path, [setup.entry])), "--once")
    assert result.exit_code == 0, result.stderr
    assert [m.id for m in printed(result)] == setup.ids
    assert result.stderr == ""


def test_second_run_prints_only_new_mentions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cursors are kept in the data dir: a second --once prints nothing already printed."""
    with served() as serve:
        setups = all_cases(serve, tmp_path, monkeypatch)
        config = str(write_config(tmp_path, [setup.entry for setup in setups]))
        first = run_fetch("--config", config, "--once", "--data-dir", str(tmp_path / "d"))
        again = run_fetch("--config", config, "--once", "--data-dir", str(tmp_path / "d"))
    assert (first.exit_code, first.stderr) == (0, "")
    # Sources run concurrently, so their lines interleave: compare as sorted lists.
    expected = sorted(mention_id for setup in setups for mention_id in setup.ids)
    assert sorted(m.id for m in printed(first)) == expected
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")
    assert (tmp_path / "d" / "cursors" / "fedi.json").exists()


def test_one_failing_source_is_named_and_the_rest_print(tmp_path: Path) -> None:
    """A 500 from one source is one stderr line with its name and URL; exit 0."""
    with served() as serve:
        fake = FakeMastodon()
        fake.fail_next(500)
        broken = {"name": "down", "kind": "mastodon", "base_url": serve(fake.app())}
        entry, expected, _ = jsonl_case(serve, tmp_path)
        result = run_fetch("--config", str(write_config(tmp_path, [broken, entry])), "--once")
    assert result.exit_code == 0
    assert [m.id for m in printed(result)] == expected
    (line,) = result.stderr.splitlines()
    assert line.startswith("down: HTTP 500 from http://127.0.0.1:")
    assert "/api/v1/timelines/tag/Acme" in line


def test_all_sources_failing_exits_1(tmp_path: Path) -> None:
    """Nothing worked: exit 1, one line per source."""
    entries = [
        {"name": "a", "kind": "jsonl", "path": str(tmp_path / "missing.jsonl")},
        {"name": "b", "kind": "mastodon", "base_url": "http://127.0.0.1:9"},
    ]
    result = run_fetch("--config", str(write_config(tmp_path, entries)), "--once")
    assert result.exit_code == 1 and result.stdout == ""
    lines = sorted(result.stderr.splitlines())
    assert lines[0].startswith("a: ") and "missing.jsonl: no such file" in lines[0]
    assert lines[1].startswith("b: ") and "127.0.0.1" in lines[1]


def test_skipped_items_are_reported_on_stderr(tmp_path: Path) -> None:
    """A bad line is named with file:line on stderr; the good lines still print."""
    path = tmp_path / "in.jsonl"
    good = {"id": "f:1", "source": "x", "text": "acme", "created_at": "2026-03-14T08:00:00Z"}
    path.write_text("oops\n" + json.dumps(good) + "\n")
    config = write_config(tmp_path, [{"name": "file", "kind": "jsonl", "path": str(path)}])
    result = run_fetch("--config", str(config), "--once")
    assert result.exit_code == 0 and [m.id for m in printed(result)] == ["f:1"]
    assert result.stderr.startswith(f"skipped: file: {path}:1: (line): not JSON")


def test_source_option_picks_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--source NAME fetches only that source; an unknown name exits 2 with a suggestion."""
    with served() as serve:
        setups = all_cases(serve, tmp_path, monkeypatch)
        config = str(write_config(tmp_path, [setup.entry for setup in setups]))
        only = run_fetch("--config", config, "--source", "file", "--once")
        wrong = run_fetch("--config", config, "--source", "fedl", "--once")
    assert {m.source for m in printed(only)} == {"export"}
    assert wrong.exit_code == 2 and "did you mean 'fedi'?" in wrong.stderr


def test_bad_config_exits_2_with_positions(tmp_path: Path) -> None:
    """An invalid config prints each error with file:line:column and exits 2."""
    path = tmp_path / "warroom.yaml"
    path.write_text("brand: A\nsources:\n  - kind: mastodon\n    token: x\n")
    result = run_fetch("--config", str(path), "--once")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:4:5: sources[0].token: secrets are never written")


def test_no_config_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without any config, fetch says to run init."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("warroom.live.config.user_config_path", lambda: tmp_path / "u" / "w.yaml")
    result = run_fetch("--once")
    assert result.exit_code == 2 and "warroom init" in result.stderr


def test_webhook_is_skipped_with_once(tmp_path: Path) -> None:
    """A receiving source has nothing to fetch once: said on stderr, not a failure."""
    entries = [{"name": "inbox", "kind": "webhook", "token_env": "HOOK"}]
    result = run_fetch("--config", str(write_config(tmp_path, entries)), "--once")
    assert result.exit_code == 0
    assert result.stderr.startswith("inbox: skipped: a webhook source receives")


def test_follow_prints_as_the_file_grows(tmp_path: Path) -> None:
    """Without --once the sources keep running, printing lines appended meanwhile."""
    entry, expected, _ = jsonl_case(lambda app: "", tmp_path)
    entry["interval"] = 0.05
    config = write_config(tmp_path, [entry])
    later = {"id": "f:3", "source": "export", "text": "acme", "created_at": "2026-03-14T08:01:00Z"}

    def append() -> None:
        with open(entry["path"], "a", encoding="utf-8") as handle:
            handle.write(json.dumps(later) + "\n")

    timer = threading.Timer(0.3, append)
    timer.start()
    result = run_fetch("--config", str(config), "--stop-after", "1.0")
    timer.join()
    assert result.exit_code == 0
    assert [m.id for m in printed(result)] == [*expected, "f:3"]
    assert "file: connected (2 new)" in result.stderr
    assert "connected (0 new)" not in result.stderr  # only transitions are printed
    assert result.stderr.rstrip().endswith("file: stopped")


def test_init_writes_then_refuses_to_overwrite(tmp_path: Path) -> None:
    """init writes the starter; again it refuses; --force overwrites."""
    target = tmp_path / "warroom.yaml"
    first = CliRunner().invoke(init, [str(target)])
    assert first.exit_code == 0 and target.read_text() == STARTER
    target.write_text("brand: Mine\n")
    again = CliRunner().invoke(init, [str(target)])
    assert again.exit_code == 1 and "--force" in again.stderr
    assert target.read_text() == "brand: Mine\n"
    forced = CliRunner().invoke(init, [str(target), "--force"])
    assert forced.exit_code == 0 and target.read_text() == STARTER


def test_init_defaults_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a path, init writes ./warroom.yaml, which fetch then finds."""
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(init, []).exit_code == 0
    assert (tmp_path / "warroom.yaml").read_text() == STARTER


def test_escape_sequences_from_the_network_are_shown_not_run(tmp_path: Path) -> None:
    """A status id carrying a terminal escape is printed escaped on stderr."""
    with served() as serve:
        fake = FakeMastodon()
        evil = make_status(1)
        evil["id"] = "\x1b[31mred\u2028line"
        fake.add(evil)
        entry = {"name": "fedi", "kind": "mastodon", "base_url": serve(fake.app())}
        result = run_fetch("--config", str(write_config(tmp_path, [entry])), "--once")
    assert "\x1b" not in result.stderr and "\\x1b[31mred\\u2028line" in result.stderr
    assert len(result.stderr.splitlines()) == 1
