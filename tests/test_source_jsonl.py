"""JSON Lines input: a followed file (growth, partial lines, truncation, rotation) and stdin."""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

from warroom.clock import FrozenClock
from warroom.live.sources.base import Backoff, CursorStore, SourceState, SourceStatus, Topics
from warroom.live.sources.jsonl import JsonlSource
from warroom.model import Mention


def line(n: int, **changes: Any) -> str:
    data = {
        "id": f"file:{n}",
        "source": "export",
        "text": f"acme {n}",
        "created_at": "2026-03-14T08:00:00Z",
        **changes,
    }
    return json.dumps(data) + "\n"


class Follower:
    """JSON Lines sources over one cursor store, recording what they emitted."""

    def __init__(self, tmp_path: Path, clock: FrozenClock) -> None:
        self.path = tmp_path / "mentions.jsonl"
        self.cursors = CursorStore(tmp_path / "cursors")
        self.clock = clock
        self.states: list[SourceState] = []
        self.emitted: list[Mention] = []

    def source(self, path: str | None = None) -> JsonlSource:
        return JsonlSource(
            "export",
            {"path": path or str(self.path), "interval": 0.01},
            session=None,  # type: ignore[arg-type]  # reads files, makes no requests
            cursors=self.cursors,
            clock=self.clock,
            topics=Topics(["acme"]),
            on_state=self.states.append,
            sleep=lambda s: asyncio.sleep(min(s, 0.01)),
            backoff=Backoff(base=0.01, cap=0.02, rng=random.Random(1)),
        )

    def write(self, text: str, mode: str = "a") -> None:
        with open(self.path, mode, encoding="utf-8") as handle:
            handle.write(text)

    async def emit(self, mentions: list[Mention]) -> None:
        self.emitted.extend(mentions)


@pytest.fixture
def follower(tmp_path: Path, clock: FrozenClock) -> Follower:
    return Follower(tmp_path, clock)


def ids(mentions: list[Mention]) -> list[str]:
    return [m.id for m in mentions]


async def test_bad_lines_are_reported_with_file_and_line(follower: Follower) -> None:
    """A line that is not JSON and one with a bad field are named file:line and skipped."""
    follower.write(line(1) + "{oops\n" + line(3, created_at="noon") + line(4))
    source = follower.source()
    mentions = await source.fetch_once()
    assert ids(mentions) == ["file:1", "file:4"]
    assert source.problems[0].startswith(f"export: {follower.path}:2: (line): not JSON")
    assert source.problems[1].startswith(f"export: {follower.path}:3: created_at:")


async def test_partial_line_waits_for_its_newline(follower: Follower) -> None:
    """A line still being written is read only once it is complete."""
    follower.write(line(1) + line(2)[:20])
    source = follower.source()
    assert ids(await source.fetch_once()) == ["file:1"]
    follower.write(line(2)[20:])
    assert ids(await source.fetch_once()) == ["file:2"]
    assert not source.problems


async def test_growth_is_followed(follower: Follower) -> None:
    """Lines appended later come on the next poll, once each."""
    follower.write(line(1))
    source = follower.source()
    await source.fetch_once()
    follower.write(line(2) + line(3))
    assert ids(await source.fetch_once()) == ["file:2", "file:3"]
    assert await source.fetch_once() == []


async def test_restart_resumes_at_the_byte_offset(follower: Follower) -> None:
    """A new source on the same cursors reads only what was appended since; line numbers go on."""
    follower.write(line(1) + line(2))
    await follower.source().fetch_once()
    follower.write("nope\n" + line(4))
    source = follower.source()
    assert ids(await source.fetch_once()) == ["file:4"]
    assert f"{follower.path}:3:" in source.problems[0]


async def test_truncation_reads_from_the_start(follower: Follower) -> None:
    """A file cut shorter than the cursor is read again from the top, and that is reported."""
    follower.write(line(1) + line(2) + line(3))
    source = follower.source()
    await source.fetch_once()
    follower.write(line(9), mode="w")
    assert ids(await source.fetch_once()) == ["file:9"]
    assert any("truncated" in p for p in source.problems)


async def test_rotation_finishes_the_old_file_first(follower: Follower) -> None:
    """Renamed away and replaced: the old file's last lines, then the new file's."""
    follower.write(line(1))
    source = follower.source()
    await source.fetch_once()
    follower.write(line(2))
    os.rename(follower.path, follower.path.with_suffix(".1"))
    follower.write(line(3), mode="w")
    assert ids(await source.fetch_once()) == ["file:2", "file:3"]
    follower.write(line(4))
    assert ids(await source.fetch_once()) == ["file:4"]


async def test_rotation_while_stopped_reads_the_new_file(follower: Follower) -> None:
    """A restart finding a different file at the path reads it from the start."""
    follower.write(line(1) + line(2))
    await follower.source().fetch_once()
    os.rename(follower.path, follower.path.with_suffix(".1"))
    follower.write(line(5), mode="w")
    assert ids(await follower.source().fetch_once()) == ["file:5"]


async def test_missing_file_backs_off_until_it_appears(follower: Follower) -> None:
    """No file yet: reported and retried; once written, its lines arrive."""
    source = follower.source()
    stop = asyncio.Event()
    task = asyncio.create_task(source.run(follower.emit, stop))
    for _ in range(300):
        if any(s.status is SourceStatus.BACKING_OFF for s in follower.states):
            break
        await asyncio.sleep(0.01)
    follower.write(line(1))
    for _ in range(300):
        if follower.emitted:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    source.close()
    backing = [s for s in follower.states if s.status is SourceStatus.BACKING_OFF]
    assert "no such file" in backing[0].detail
    assert ids(follower.emitted) == ["file:1"]


async def test_stdin_once_reads_to_the_end(follower: Follower) -> None:
    """`-` reads stdin until end of input; bad lines are named <stdin>:line."""
    source = follower.source("-")
    source.stdin = io.StringIO(line(1) + "[]\n" + line(3))
    assert ids(await source.fetch_once()) == ["file:1", "file:3"]
    assert source.problems[0].startswith("export: <stdin>:2: (line): expected a JSON object")


async def test_stdin_is_followed_while_running(follower: Follower) -> None:
    """Running on stdin emits lines as they come and stops cleanly."""
    read, write = os.pipe()
    source = follower.source("-")
    source.stdin = os.fdopen(read, encoding="utf-8")
    stop = asyncio.Event()
    task = asyncio.create_task(source.run(follower.emit, stop))
    with os.fdopen(write, "w", encoding="utf-8") as writer:
        writer.write(line(1))
        writer.flush()
        for _ in range(300):
            if follower.emitted:
                break
            await asyncio.sleep(0.01)
        assert ids(follower.emitted) == ["file:1"]
        writer.write(line(2))
    for _ in range(300):
        if len(follower.emitted) == 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert ids(follower.emitted) == ["file:1", "file:2"]


async def test_backlog_larger_than_one_read_is_taken_whole(
    follower: Follower, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fetch_once reads past the per-poll slice until the end of the file."""
    monkeypatch.setattr("warroom.live.sources.jsonl.MAX_READ", 300)
    follower.write("".join(line(n) for n in range(20)))
    assert ids(await follower.source().fetch_once()) == [f"file:{n}" for n in range(20)]


async def test_line_separator_inside_a_string_is_not_a_line_end(follower: Follower) -> None:
    """U+2028 and a carriage return inside a JSON string stay part of the text."""
    follower.write(json.dumps({**json.loads(line(1)), "text": "a\u2028b\rc"}, ensure_ascii=False))
    follower.write("\n" + line(2))
    source = follower.source()
    mentions = await source.fetch_once()
    assert [m.text for m in mentions] == ["a\u2028b\rc", "acme 2"] and not source.problems


async def test_running_source_state_names_skipped_lines(follower: Follower) -> None:
    """While running, the state after a poll says a line was skipped, with file:line."""
    follower.write(line(1) + "garbage\n")
    source = follower.source()
    stop = asyncio.Event()
    task = asyncio.create_task(source.run(follower.emit, stop))
    for _ in range(300):
        if any(s.status is SourceStatus.CONNECTED for s in follower.states):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    source.close()
    connected = next(s for s in follower.states if s.status is SourceStatus.CONNECTED)
    assert connected.detail.startswith("1 new; skipped 1 bad item(s), last ")
    assert f"{follower.path}:2: (line): not JSON" in connected.detail
