"""Every entry point against one corpus of hostile input: each bad line is named and skipped,
every good one kept once, and nothing downstream (report, export) fails on what was kept."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from warroom.clock import FrozenClock
from warroom.detection.signals import Signals
from warroom.incident.engine import Engine
from warroom.incident.log import IncidentStore
from warroom.live.config import ConfigInvalid, load_config
from warroom.live.sources.base import CursorStore, Topics
from warroom.live.sources.jsonl import JsonlSource
from warroom.live.sources.webhook import WebhookSource, parse_batch
from warroom.model import (
    MAX_LINE_CHARS,
    EventKind,
    Label,
    Mention,
    Score,
    ScoredMention,
    read_mentions,
)
from warroom.review.document import build_review
from warroom.tui.main import main

CORPUS = Path(__file__).parent / "fixtures" / "hostile" / "mentions.jsonl"
# The corpus is dated 2026-03-14 08:xx; the clock is just after it.
NOW = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def good_ids() -> list[str]:
    return [f"good:{n}" for n in range(1, 8)]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The committed corpus plus one valid mention on a line too long to be one, and a good
    mention after it (generated: a 3 MB line does not belong in the repository)."""
    path = tmp_path / "hostile.jsonl"
    huge = {
        "id": "bad:huge-line",
        "source": "webhook",
        "text": "acme " * (MAX_LINE_CHARS // 2),
        "created_at": "2026-03-14T08:30:00Z",
    }
    last = {
        "id": "good:7",
        "source": "webhook",
        "text": "after the huge line, acme still down",
        "created_at": "2026-03-14T08:31:00Z",
    }
    text = CORPUS.read_text(encoding="utf-8") + json.dumps(huge) + "\n" + json.dumps(last) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_mentions_keeps_the_good_and_names_every_bad_line(corpus: Path) -> None:
    """Each bad line is reported once with its line number; the good ones come through."""
    problems = []
    with corpus.open(encoding="utf-8") as handle:
        kept = list(read_mentions(handle, str(corpus), problems.append, NOW))
    assert [m.id for m in kept] == good_ids()
    lines = corpus.read_text(encoding="utf-8").splitlines()
    bad_lines = [n for n, line in enumerate(lines, 1) if not line.startswith('{"id": "good:')]
    assert [p.line for p in problems] == bad_lines


def test_analyze_skips_every_bad_line_and_counts_the_rest(corpus: Path) -> None:
    """`analyze --json` prints one object over the good mentions; the skipped are on stderr."""
    result = CliRunner().invoke(main, ["analyze", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["mentions"] == len(good_ids())
    assert result.stderr.count("skipped ") == 11
    assert "longer than 1,000,000 characters" in result.stderr
    assert "nested too deeply" in result.stderr


def test_webhook_batch_of_the_corpus_keeps_the_good_items(corpus: Path) -> None:
    """Posted as one batch, the webhook's parser keeps the good items and names the rest
    (the huge line is left out: a body that large is refused whole, with 413)."""
    items = []
    for line in corpus.read_text(encoding="utf-8").splitlines():
        if len(line) > MAX_LINE_CHARS:
            continue
        try:
            items.append(json.loads(line))
        except (ValueError, RecursionError):
            items.append(line)  # what the parser would get for an unparseable part
    mentions, errors = parse_batch(items, NOW)
    assert [m.id for m in mentions] == good_ids()
    assert len(errors) == len(items) - len(good_ids()) == 10


async def test_jsonl_source_ingests_the_lines_around_every_bad_one(
    corpus: Path, tmp_path: Path
) -> None:
    """The followed file: good lines before and after each bad one are emitted, the cursor
    ends past the last line, and a line appended later is read too."""
    source = JsonlSource(
        "file",
        {"path": str(corpus)},
        session=None,  # type: ignore[arg-type]  # reads files, makes no requests
        cursors=CursorStore(tmp_path / "cursors"),
        clock=FrozenClock(NOW),
        topics=Topics(["acme"]),
    )
    first = await source.fetch_once()
    assert [m.id for m in first] == good_ids()
    assert len(source.problems) == 11
    with corpus.open("a", encoding="utf-8") as handle:
        handle.write(
            json.dumps(
                {"id": "good:8", "source": "x", "text": "later", "created_at": "2026-03-14T08:50Z"}
            )
            + "\n"
        )
    later = await source.fetch_once()
    assert [m.id for m in later] == ["good:8"]
    source.close()


def test_replay_then_report_and_export_to_stdout(corpus: Path, tmp_path: Path) -> None:
    """Replayed into an incident, the corpus yields a report (Markdown and HTML) and exports
    (JSON Lines and CSV) on stdout; a lone surrogate is escaped there, never a crash."""
    env = {**os.environ, "WARROOM_DATA": str(tmp_path / "data"), "PYTHONIOENCODING": "utf-8"}

    def warroom(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "warroom.tui", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="strict",
            env=env,
            timeout=120,
        )

    replayed = warroom("replay", str(corpus), "--incident", "hostile")
    assert replayed.returncode == 0, replayed.stderr
    assert "7 mentions into incident 'hostile'" in replayed.stderr
    for args in (
        ("report", "hostile"),
        ("report", "hostile", "--format", "html"),
        ("export", "hostile", "--format", "jsonl"),
        ("export", "hostile", "--format", "csv"),
    ):
        done = warroom(*args)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr)
        if args[0] == "export":
            assert "\\ud800 lone surrogate" in done.stdout


def _incident_with_impossible_times(data_dir: Path) -> str:
    """An incident written before the edge checked times: four stored mentions dated 9999,
    2100, 1900 and year 1 among thirty good ones."""
    clock = FrozenClock(NOW)
    log = IncidentStore(data_dir).create("bad times", clock=clock, brand="acme")
    start = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
    stored = [
        ScoredMention(
            Mention(f"m:{n}", "x", "acme is broken", start + timedelta(minutes=n)),
            Score(-0.5, Label.NEGATIVE),
        )
        for n in range(30)
    ]
    for n, year in enumerate((9999, 2100, 1900, 1)):
        when = datetime(year, 1, 1, tzinfo=UTC)
        stored.append(ScoredMention(Mention(f"bad:{n}", "x", "acme", when), Score(-0.5, None)))
    log.append_mentions(stored)
    log.append(EventKind.DECLARED, {"name": "bad times"}, author="dana")
    log.close()
    return log.meta.slug


def test_stored_impossible_times_are_left_out_of_report_review_and_resume(
    tmp_path: Path,
) -> None:
    """Report (Markdown and HTML), the review's data and a resumed engine skip the four and
    say so; nothing crashes, nothing runs away in size."""
    data_dir = tmp_path / "data"
    slug = _incident_with_impossible_times(data_dir)
    for fmt in ("md", "html"):
        result = CliRunner().invoke(
            main, ["--data-dir", str(data_dir), "report", slug, "--format", fmt]
        )
        assert result.exit_code == 0, result.output
        assert "warning: 4 stored mention(s) left out" in result.stderr
        assert "4 stored mention(s) left out" in result.stdout
        assert len(result.stdout) < 200_000
    with IncidentStore(data_dir).open(slug, clock=FrozenClock(NOW), writable=False) as log:
        review = build_review(log, cache=False)
        assert review.aggregates.mentions == 30 and len(review.problems) == 1
    with IncidentStore(data_dir).open(slug, clock=FrozenClock(NOW)) as log:
        engine = Engine(clock=FrozenClock(NOW), signals=Signals())
        engine.attach(log, resume=True)
        assert engine.has_seen("m:29") and not engine.has_seen("bad:2")
        assert log.left_out.count == 4


def test_export_keeps_every_stored_record_as_written(tmp_path: Path) -> None:
    """Export is the lossless dump: the impossible ones are exported too, without a crash."""
    data_dir = tmp_path / "data"
    slug = _incident_with_impossible_times(data_dir)
    result = CliRunner().invoke(
        main,
        ["--data-dir", str(data_dir), "export", slug, "--only", "mentions", "--format", "jsonl"],
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 34


ALIAS_BOMB = """brand: Acme
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
lexicon: {bomb: *h}
"""


def test_an_alias_bomb_in_the_watch_config_is_refused_before_it_expands(tmp_path: Path) -> None:
    """The billion-laughs file is refused at its first alias, naming the place."""
    path = tmp_path / "warroom.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(ConfigInvalid) as raised:
        load_config(path)
    assert str(raised.value) == (
        f"{path}:3:8: aliases are not allowed ('*a'); write the value out in full"
    )


SLOW_CLIENTS = """
import socket, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(count):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"POST /mentions HTTP/1.1\\r\\nHost: x\\r\\n")  # and never the rest
    except OSError:
        pass
    held.append(s)
print("holding", flush=True)
time.sleep(30)
"""


@pytest.mark.slow
async def test_eleven_hundred_slow_connections_leave_notes_saving(tmp_path: Path) -> None:
    """A flood of connections that never finish their request: the webhook holds at most its
    cap, the process keeps descriptors to spare, and a note is saved meanwhile."""
    clock = FrozenClock(NOW)
    source = WebhookSource(
        "inbox",
        {"port": 0, "allow_unauthenticated": True},
        session=None,  # type: ignore[arg-type]  # a receiver makes no requests
        cursors=CursorStore(tmp_path / "cursors"),
        clock=clock,
        topics=Topics(["acme"]),
    )
    stop = asyncio.Event()

    async def emit(mentions: list[Mention]) -> None:
        return None

    runner = asyncio.create_task(source.run(emit, stop))
    await asyncio.wait_for(source.ready.wait(), 5)
    fds_before = len(os.listdir("/proc/self/fd"))
    flood = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SLOW_CLIENTS,
        str(source.port),
        "1100",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert flood.stdout is not None
        await asyncio.wait_for(flood.stdout.readline(), 60)
        await asyncio.sleep(1.0)  # the refused ones are closed by now; the held ones stay
        log = IncidentStore(tmp_path / "data").create("flood", clock=clock)
        note = log.append(EventKind.NOTE, {"text": "holding statement approved"}, author="dana")
        log.close()
        held_fds = len(os.listdir("/proc/self/fd")) - fds_before
        assert note.seq >= 1
        # Held: at most the cap; waiting in the listen backlog: at most the cap again.
        assert source.refused_connections >= 1100 - 2 * source.max_connections
        # The cap, plus a few: the flood's pipe, the incident's lock and files (not 1,100).
        assert held_fds <= source.max_connections + 32
    finally:
        flood.kill()
        await flood.wait()
        stop.set()
        await asyncio.wait_for(runner, 10)
