"""The engine's state beside its incident, keyed by the log position: a resume replays the rest."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warroom.incident.log import LogPosition, write_atomically
from warroom.model import Label, Mention, Score, ScoredMention

logger = logging.getLogger("warroom.incident.checkpoint")

# Bumped whenever what is stored (or what it means) changes: an older checkpoint is then ignored.
VERSION = 2  # 2: the labels people set, as the signals count them
FILE_NAME = "checkpoint.json"
# Ids are encoded this many at a time, so a thread encoding 500,000 of them lets the loop run.
IDS_PER_CHUNK = 10_000


@dataclass(frozen=True)
class Checkpoint:
    """A copy of the engine's state after the mentions and events up to `position`.

    `settings` (the detector rule, the stopwords) say what the state was computed under.
    Every field is plain data or frozen, so it is encoded in a thread while the engine goes on.
    """

    position: LogPosition
    settings: dict[str, Any]
    signals: dict[str, Any]
    seen: list[str]  # the dedupe ids, oldest first
    watermark: str | None
    feed: list[ScoredMention]
    feed_negative: list[ScoredMention]
    # The mentions the signals count at a person's label rather than the scorer's, and at which.
    counted: dict[str, Label] = field(default_factory=dict)


def path_for(folder: Path) -> Path:
    """Where the checkpoint of the incident in `folder` lives."""
    return folder / FILE_NAME


def encode(checkpoint: Checkpoint) -> bytes:
    """The checkpoint as JSON (ASCII, so lone surrogates from the internet are kept)."""
    head = {
        "version": VERSION,
        "position": {
            "mentions": checkpoint.position.mentions,
            "mention_seq": checkpoint.position.mention_seq,
            "event_seq": checkpoint.position.event_seq,
        },
        "settings": checkpoint.settings,
        "signals": checkpoint.signals,
        "watermark": checkpoint.watermark,
        "feed": [_scored_row(item) for item in checkpoint.feed],
        "feed_negative": [_scored_row(item) for item in checkpoint.feed_negative],
        "counted": {key: str(label) for key, label in checkpoint.counted.items()},
    }
    text = json.dumps(head, separators=(",", ":"), allow_nan=False)
    ids = checkpoint.seen
    chunks = (
        json.dumps(ids[start : start + IDS_PER_CHUNK])[1:-1]
        for start in range(0, len(ids), IDS_PER_CHUNK)
    )
    return (text[:-1] + ',"seen":[' + ",".join(chunks) + "]}").encode("ascii")


def decode(payload: bytes) -> Checkpoint:
    """A checkpoint from `encode`'s bytes; ValueError, KeyError or TypeError when damaged."""
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("version") != VERSION:
        raise ValueError(f"format version {data.get('version')!r}, this warroom reads {VERSION}")
    where = data["position"]
    position = LogPosition(
        int(where["mentions"]), int(where["mention_seq"]), int(where["event_seq"])
    )
    seen = data["seen"]
    if not isinstance(seen, list) or not all(isinstance(item, str) for item in seen):
        raise TypeError("seen: expected a list of ids")
    watermark = data["watermark"]
    if watermark is not None and not isinstance(watermark, str):
        raise TypeError("watermark: expected a time or null")
    return Checkpoint(
        position=position,
        settings=dict(data["settings"]),
        signals=dict(data["signals"]),
        seen=seen,
        watermark=watermark,
        feed=[scored_from_row(row) for row in data["feed"]],
        feed_negative=[scored_from_row(row) for row in data["feed_negative"]],
        counted=_labels(data["counted"]),
    )


def write(folder: Path, checkpoint: Checkpoint) -> None:
    """Write the checkpoint beside the incident: whole (temp file, fsync, rename) or not at all."""
    write_atomically(path_for(folder), encode(checkpoint))


def read(folder: Path, settings: dict[str, Any]) -> Checkpoint | None:
    """The incident's checkpoint if there is one computed under `settings`, else None.

    A damaged or mismatched checkpoint is never an error: it is logged, and the caller replays.
    """
    path = path_for(folder)
    try:
        payload = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning("checkpoint %s unreadable (%s): replaying the whole log", path, error)
        return None
    try:
        checkpoint = decode(payload)
    except (ValueError, KeyError, TypeError, IndexError, RecursionError) as error:
        logger.warning("checkpoint %s damaged (%s): replaying the whole log", path, error)
        return None
    if checkpoint.settings != settings:
        logger.info("checkpoint %s made under other settings: replaying the whole log", path)
        return None
    return checkpoint


def _scored_row(item: ScoredMention) -> list[Any]:
    label = item.score.label
    return [item.mention.to_dict(), item.score.compound, str(label) if label else None]


def scored_from_row(row: Sequence[Any]) -> ScoredMention:
    """A [mention, compound, label] row as a scored mention; ValueError, TypeError or KeyError
    when it is damaged (a checkpoint's feed, an override event from a teammate)."""
    mention, compound, label = row
    if compound is not None and not isinstance(compound, int | float):
        raise TypeError(f"compound: expected a number, got {compound!r}")
    score = Score(None if compound is None else float(compound), Label(label) if label else None)
    return ScoredMention(Mention.from_dict(mention), score)


def _labels(data: Any) -> dict[str, Label]:
    if not isinstance(data, dict):
        raise TypeError("counted: expected an object of labels")
    return {str(key): Label(value) for key, value in data.items()}
