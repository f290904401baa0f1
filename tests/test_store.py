"""The incident store: ordering, durability, buffering, segments, locking and bad input."""

from __future__ import annotations

import json
import os
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from warroom.clock import FrozenClock
from warroom.incident import log as store
from warroom.incident.log import (
    IncidentLocked,
    IncidentNotFound,
    IncidentReadOnly,
    IncidentStore,
    default_data_dir,
)
from warroom.model import UNSCORED, EventKind, Label, Mention, Score, ScoredMention


def _mentions(clock: FrozenClock, start: int, count: int) -> list[ScoredMention]:
    return [
        ScoredMention(
            Mention(f"demo:{i}", "demo", f"post {i}", clock.now(), author="a", reach=i),
            Score(-0.5, Label.NEGATIVE),
        )
        for i in range(start, start + count)
    ]


def _on_disk_notes(folder: Path) -> list[dict]:
    """Read the event segments straight from disk, as a crash survivor would."""
    records = []
    for path in sorted((folder / "events").glob("*.json")):
        records.extend(json.loads(path.read_text())["events"].values())
    return records


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The store's monotonic clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(store, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def incidents(data_dir: Path) -> IncidentStore:
    """A store in the test's private data directory."""
    return IncidentStore(default_data_dir())


def test_data_dir_override_beats_env(data_dir: Path, tmp_path: Path) -> None:
    """An explicit --data-dir wins over WARROOM_DATA, which wins over the platform dir."""
    assert default_data_dir() == data_dir
    assert default_data_dir(tmp_path / "other") == tmp_path / "other"


def test_data_dir_falls_back_to_platform_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without override or env the platform's user data dir is used."""
    monkeypatch.delenv("WARROOM_DATA")
    assert default_data_dir().name.lower() == "warroom"


def test_events_and_mentions_merge_in_seq_order(
    incidents: IncidentStore, clock: FrozenClock
) -> None:
    """One seq counter orders notes and mentions across both streams."""
    with incidents.create("Order", clock=clock) as log:
        log.append(EventKind.NOTE, {"text": "first"})
        log.append_mentions(_mentions(clock, 0, 2))
        log.append(EventKind.LEVEL_CHANGED, {"level": "crisis"})
        log.append_mentions(_mentions(clock, 2, 1))
        kinds = [(e.seq, e.kind) for e in log.events(include_mentions=True)]
    assert kinds == [
        (1, EventKind.NOTE),
        (2, EventKind.MENTION),
        (3, EventKind.MENTION),
        (4, EventKind.LEVEL_CHANGED),
        (5, EventKind.MENTION),
    ]


def test_note_is_on_disk_when_append_returns(incidents: IncidentStore, clock: FrozenClock) -> None:
    """A note is in the segment file the moment append() returns, before any close."""
    log = incidents.create("Durable", clock=clock)
    event = log.append(EventKind.NOTE, {"text": "call legal"}, author="ann")
    on_disk = _on_disk_notes(log.path)
    assert on_disk == [event.to_dict()]
    reader = incidents.open("durable", clock=clock, writable=False)
    assert list(reader.events()) == [event]
    log.close()


def test_event_time_defaults_to_clock(incidents: IncidentStore, clock: FrozenClock) -> None:
    """`at` is the injected clock's now unless given."""
    with incidents.create("Times", clock=clock) as log:
        first = log.append(EventKind.NOTE, {})
        later = clock.now() + timedelta(minutes=5)
        second = log.append(EventKind.NOTE, {}, at=later)
    assert (first.at, second.at) == (clock.now(), later)


def test_mentions_wait_in_buffer_until_a_second_passes(
    incidents: IncidentStore, clock: FrozenClock, fake_time: list[float]
) -> None:
    """Mentions reach disk on the first append after they have waited a second."""
    log = incidents.create("Buffer", clock=clock)
    reader = incidents.open("buffer", clock=clock, writable=False)
    log.append_mentions(_mentions(clock, 0, 3))
    fake_time[0] += 0.5
    log.append_mentions(_mentions(clock, 3, 1))
    assert (reader.mention_count(), log.pending_mentions) == (0, 4)
    fake_time[0] += 0.6
    log.append_mentions(_mentions(clock, 4, 1))
    assert (reader.mention_count(), log.pending_mentions) == (5, 0)
    log.close()


def test_a_note_append_also_flushes_old_mentions(
    incidents: IncidentStore, clock: FrozenClock, fake_time: list[float]
) -> None:
    """Any append after the second is up carries the waiting mentions to disk."""
    log = incidents.create("Note flush", clock=clock)
    log.append_mentions(_mentions(clock, 0, 2))
    fake_time[0] += 1.0
    log.append(EventKind.NOTE, {"text": "x"})
    assert log.pending_mentions == 0
    log.close()


def test_explicit_flush_and_close_write_mentions(
    incidents: IncidentStore, clock: FrozenClock, fake_time: list[float]
) -> None:
    """flush() writes the buffer at once and close() writes what is left."""
    log = incidents.create("Flush", clock=clock)
    reader = incidents.open("flush", clock=clock, writable=False)
    log.append_mentions(_mentions(clock, 0, 2))
    log.flush()
    assert reader.mention_count() == 2
    log.append_mentions(_mentions(clock, 2, 3))
    log.close()
    assert reader.mention_count() == 5


def test_mentions_round_trip_with_scores(incidents: IncidentStore, clock: FrozenClock) -> None:
    """mentions() rebuilds the same scored mentions, unscored ones included."""
    scored = [
        *_mentions(clock, 0, 2),
        ScoredMention(Mention("x:1", "rss", "hé", clock.now()), UNSCORED),
    ]
    with incidents.create("Round trip", clock=clock) as log:
        log.append_mentions(scored)
    reader = incidents.open("round-trip", clock=clock, writable=False)
    assert list(reader.mentions()) == scored
    event = next(e for e in reader.events(include_mentions=True) if e.seq == 3)
    assert event.data == {"mention": scored[2].mention.to_dict(), "compound": None, "label": None}


def test_segments_rotate_and_reopen_continues(
    incidents: IncidentStore, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full segments are left alone; new entries go to new files; reopening picks up the tail."""
    monkeypatch.setattr(store, "MENTION_SEGMENT_SIZE", 10)
    monkeypatch.setattr(store, "EVENT_SEGMENT_SIZE", 3)
    with incidents.create("Rotate", clock=clock) as log:
        log.append_mentions(_mentions(clock, 0, 25))
        for i in range(4):
            log.append(EventKind.NOTE, {"i": i})
    with incidents.open("rotate", clock=clock) as log:
        log.append_mentions(_mentions(clock, 25, 10))
        log.append(EventKind.NOTE, {"i": 4})
        assert (log.mention_count(), log.event_count()) == (35, 5)
    names = sorted(p.name for p in (log.path / "mentions").iterdir())
    assert names == [f"{n:010d}.json" for n in (0, 10, 20, 30)]
    assert len(list((log.path / "events").iterdir())) == 2
    seqs = [e.seq for e in incidents.open("rotate", clock=clock).events(include_mentions=True)]
    assert seqs == list(range(1, 41))


def test_writer_opens_only_the_last_segments(
    incidents: IncidentStore, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening for writing reads the last mention segment, not the whole history."""
    monkeypatch.setattr(store, "MENTION_SEGMENT_SIZE", 10)
    with incidents.create("Big", clock=clock) as log:
        log.append_mentions(_mentions(clock, 0, 55))
        log.append(EventKind.NOTE, {})
    read: list[str] = []
    real_load = store._load_json
    monkeypatch.setattr(store, "_load_json", lambda p: read.append(p.name) or real_load(p))
    with incidents.open("big", clock=clock) as log:
        assert log.mention_count() == 55
        log.append(EventKind.NOTE, {})
    assert sorted(read) == ["0000000000.json", "0000000050.json", "meta.json"]


def test_second_writer_is_told_who_holds_the_incident(
    incidents: IncidentStore, clock: FrozenClock
) -> None:
    """The lock error names pid, user, host and since, and points to review."""
    with incidents.create("Locked", clock=clock), pytest.raises(IncidentLocked) as caught:
        incidents.open("locked", clock=clock)
    message = str(caught.value)
    for part in (f"pid {os.getpid()}", "tester@", socket.gethostname(), "2026-03-14T09:00"):
        assert part in message
    assert "warroom review locked" in message


def test_lock_is_released_on_close(incidents: IncidentStore, clock: FrozenClock) -> None:
    """After close another writer may open the incident and the holder file is gone."""
    log = incidents.create("Release", clock=clock)
    log.close()
    assert not (log.path / "holder.json").exists()
    incidents.open("release", clock=clock).close()


def test_reader_works_alongside_writer_and_cannot_write(
    incidents: IncidentStore, clock: FrozenClock
) -> None:
    """A read-only open succeeds while a writer holds the lock, and refuses to append."""
    with incidents.create("Review", clock=clock) as log:
        log.append(EventKind.NOTE, {"text": "a"})
        reader = incidents.open("review", clock=clock, writable=False)
        log.append(EventKind.NOTE, {"text": "b"})
        assert [e.data["text"] for e in reader.events()] == ["a", "b"]
        with pytest.raises(IncidentReadOnly):
            reader.append(EventKind.NOTE, {"text": "c"})


def test_leftover_temp_files_are_ignored_and_cleaned(
    incidents: IncidentStore, clock: FrozenClock
) -> None:
    """Half-written *.tmp files from a crash do not break reading and vanish on write-open."""
    with incidents.create("Crash", clock=clock) as log:
        event = log.append(EventKind.NOTE, {"text": "kept"})
    (log.path / "events" / "0000000000.json.tmp").write_text('{"events": {"1": {"se')
    (log.path / "mentions" / "0000000000.json.tmp").write_bytes(b"\x00garbage")
    (log.path / "meta.json.tmp").write_text("{")
    assert list(incidents.open("crash", clock=clock, writable=False).events()) == [event]
    with incidents.open("crash", clock=clock) as log:
        assert list(log.events()) == [event]
        assert not list(log.path.rglob("*.tmp"))


def test_list_returns_incidents_oldest_first(incidents: IncidentStore, clock: FrozenClock) -> None:
    """list() shows every incident with its meta; a folder without meta.json is skipped."""
    incidents.create("Later", clock=FrozenClock(clock.now() + timedelta(hours=1))).close()
    incidents.create("Earlier", clock=clock, brand="acme", drill=True, extra={"k": 1}).close()
    (incidents.root / "half-created").mkdir()
    metas = incidents.list()
    assert [m.slug for m in metas] == ["earlier", "later"]
    assert (metas[0].brand, metas[0].drill, metas[0].extra) == ("acme", True, {"k": 1})


def test_summaries_count_without_reading_history(
    incidents: IncidentStore, clock: FrozenClock
) -> None:
    """summaries() gives event and mention counts per incident."""
    with incidents.create("Counted", clock=clock) as log:
        log.append_mentions(_mentions(clock, 0, 7))
        log.append(EventKind.DECLARED, {"level": "crisis"})
    [summary] = incidents.summaries()
    assert (summary.meta.slug, summary.events, summary.mentions) == ("counted", 1, 7)


def test_slugs_are_unique_and_safe(incidents: IncidentStore, clock: FrozenClock) -> None:
    """Equal names get -2, -3; names with no usable letters still get a slug."""
    slugs = [incidents.create(n, clock=clock).meta.slug for n in ("Bad Ad!", "bad ad", "Bad ad")]
    assert slugs == ["bad-ad", "bad-ad-2", "bad-ad-3"]
    assert incidents.create("!!!", clock=clock).meta.slug == "incident"
    assert incidents.create("Café Crème", clock=clock).meta.slug == "cafe-creme"


def test_unknown_or_unsafe_slug_is_not_found(incidents: IncidentStore, clock: FrozenClock) -> None:
    """Opening a missing incident, or a path outside the store, raises IncidentNotFound."""
    for slug in ("nope", "../etc", ""):
        with pytest.raises(IncidentNotFound):
            incidents.open(slug, clock=clock)


def test_unserializable_data_is_refused_naming_the_key(
    incidents: IncidentStore, clock: FrozenClock
) -> None:
    """A value JSON cannot hold raises TypeError naming where it is, and nothing is written."""
    with incidents.create("Bad data", clock=clock) as log:
        with pytest.raises(TypeError, match=r"\['step'\]\['due'\]"):
            log.append(EventKind.STEP_CHECKED, {"step": {"due": clock.now()}})
        with pytest.raises(TypeError, match="nan"):
            log.append(EventKind.NOTE, {"x": float("nan")})
        assert log.append(EventKind.NOTE, {"ok": True}).seq == 1
    assert len(_on_disk_notes(log.path)) == 1


def test_appended_data_is_copied(incidents: IncidentStore, clock: FrozenClock) -> None:
    """Changing a dict after appending it does not change the log."""
    data = {"text": "before"}
    with incidents.create("Copy", clock=clock) as log:
        log.append(EventKind.NOTE, data)
        data["text"] = "after"
        log.append(EventKind.NOTE, {"text": "second"})
    assert [e["data"]["text"] for e in _on_disk_notes(log.path)] == ["before", "second"]


def test_mention_kind_must_use_append_mentions(
    incidents: IncidentStore, clock: FrozenClock
) -> None:
    """append() refuses MENTION events, which belong to the buffered mention stream."""
    with incidents.create("Kinds", clock=clock) as log, pytest.raises(ValueError):
        log.append(EventKind.MENTION, {})


def test_closed_log_refuses_appends(incidents: IncidentStore, clock: FrozenClock) -> None:
    """Appending after close is an error, not a silent write without the lock."""
    log = incidents.create("Closed", clock=clock)
    log.close()
    with pytest.raises(ValueError, match="closed"):
        log.append(EventKind.NOTE, {})


def test_seq_continues_after_reopen(incidents: IncidentStore, clock: FrozenClock) -> None:
    """A reopened incident numbers new events after the highest seq of either stream."""
    with incidents.create("Resume", clock=clock) as log:
        log.append(EventKind.NOTE, {})
        log.append_mentions(_mentions(clock, 0, 4))
    with incidents.open("resume", clock=clock) as log:
        assert log.append(EventKind.NOTE, {}).seq == 6


def test_damaged_segment_is_named_in_the_error(
    incidents: IncidentStore, clock: FrozenClock
) -> None:
    """A segment that is not JSON stops the open with an error naming the file."""
    with incidents.create("Damaged", clock=clock) as log:
        log.append(EventKind.NOTE, {})
    (log.path / "events" / "0000000000.json").write_text("{broken")
    with pytest.raises(ValueError, match=r"events/0000000000\.json: not valid JSON"):
        incidents.open("damaged", clock=clock)
    (log.path / "events" / "0000000000.json").write_text("{}")
    incidents.open("damaged", clock=clock).close()  # the failed open released its lock


def test_close_while_a_flush_runs_in_another_thread_does_not_deadlock(
    data_dir: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """close() waits for a running flush and then finishes; neither hangs."""
    import threading

    from warroom.incident.log import _Stream

    log = IncidentStore(data_dir).create("deadlock", clock=clock)
    log.append_mentions([ScoredMention(Mention("m:1", "t", "x", clock.now()), Score(0.0, None))])
    entered, release = threading.Event(), threading.Event()
    original = _Stream.write

    def slow_write(self, records):  # type: ignore[no-untyped-def]
        entered.set()
        release.wait(5)
        return original(self, records)

    monkeypatch.setattr(_Stream, "write", slow_write)
    flusher = threading.Thread(target=log.flush)
    flusher.start()
    assert entered.wait(5)
    closer = threading.Thread(target=log.close)
    closer.start()
    release.set()
    flusher.join(5)
    closer.join(5)
    assert not flusher.is_alive() and not closer.is_alive()
    with IncidentStore(data_dir).open(log.meta.slug, clock=clock, writable=False) as again:
        assert again.mention_count() == 1


def test_a_note_is_acknowledged_when_only_the_opportunistic_mention_flush_fails(
    incidents: IncidentStore, clock: FrozenClock, fake_time: list[float]
) -> None:
    """The disk refuses the mention segment, not the note: the note is saved and append
    returns; the mentions stay buffered and reach disk once writing works again."""
    log = incidents.create("Disk", clock=clock)
    log.append_mentions(_mentions(clock, 0, 5))
    fake_time[0] += 5  # the buffer is due for a flush at the next append

    def refuse(records: list[dict]) -> int:
        raise OSError(28, "No space left on device")

    working = log._mentions.write
    log._mentions.write = refuse  # type: ignore[method-assign]
    note = log.append(EventKind.NOTE, {"text": "call legal"}, author="dana")
    assert [r["data"]["text"] for r in _on_disk_notes(log.path)] == ["call legal"]
    assert log.pending_mentions == 5 and note.seq > 0
    log._mentions.write = working  # type: ignore[method-assign]
    log.flush()
    assert log.pending_mentions == 0
    log.close()
