"""What a stream entry holds, and the checks an entry from the team's Redis must pass."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from warroom.errors import WarroomError
from warroom.model import EventKind

WIRE_VERSION = "1"
# An entry larger than this is refused on both sides: a note or a batch of mentions is far
# smaller, and a huge entry would stall every console that reads it.
MAX_ENTRY_BYTES = 1_000_000
# Scored mentions per stream entry: one entry per batch keeps Redis' per-entry cost low.
MENTIONS_PER_ENTRY = 500


class WireError(WarroomError):
    """A stream entry that is malformed, too large or of an unknown version; it is skipped."""


@dataclass(frozen=True, slots=True)
class TeamEvent:
    """One event of the shared log: what a person (or the ingest holder) did, with its id."""

    id: str  # "<console>:<counter>": globally unique, so a resend is applied once
    kind: EventKind
    at: str  # ISO 8601 UTC, as the log writes it
    author: str | None
    data: dict[str, Any]

    def fields(self) -> dict[str, str]:
        """The stream entry's fields."""
        body = {"id": self.id, "kind": str(self.kind), "at": self.at, "author": self.author}
        return _entry("event", {**body, "data": self.data})


@dataclass(frozen=True, slots=True)
class MentionBatch:
    """Scored mention records ({mention, compound, label}) and the console that took them in."""

    records: list[dict[str, Any]]
    by: str


def mention_fields(records: list[dict[str, Any]], by: str) -> dict[str, str]:
    """A stream entry holding scored mention records, from the ingest holder `by`."""
    return _entry("mentions", {"records": records, "by": by})


def _entry(kind: str, body: dict[str, Any]) -> dict[str, str]:
    text = json.dumps(body, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    if len(text) > MAX_ENTRY_BYTES:
        raise WireError(f"a {kind} entry of {len(text):,} bytes is over {MAX_ENTRY_BYTES:,}")
    return {"v": WIRE_VERSION, "type": kind, "body": text}


def decode(fields: dict[bytes, bytes]) -> TeamEvent | MentionBatch:
    """A stream entry's content: an event, or a batch of mention records. Raises WireError."""
    version = fields.get(b"v")
    if version != WIRE_VERSION.encode():
        raise WireError(f"unknown version {version!r} (this console reads {WIRE_VERSION})")
    raw = fields.get(b"body", b"")
    if len(raw) > MAX_ENTRY_BYTES:
        raise WireError(f"entry of {len(raw):,} bytes is over {MAX_ENTRY_BYTES:,}")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise WireError(f"body is not JSON ({str(error)[:80]})") from None
    if not isinstance(body, dict):
        raise WireError("body is not an object")
    kind = fields.get(b"type")
    if kind == b"event":
        return _event(body)
    if kind == b"mentions":
        records, by = body.get("records"), body.get("by")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise WireError("mentions entry without a list of records")
        return MentionBatch(records, str(by or ""))
    raise WireError(f"unknown entry type {kind!r}")


def _event(body: dict[str, Any]) -> TeamEvent:
    event_id, kind, at = body.get("id"), body.get("kind"), body.get("at")
    author, data = body.get("author"), body.get("data")
    if not isinstance(event_id, str) or not event_id or len(event_id) > 200:
        raise WireError("event without a valid id")
    if not isinstance(at, str) or not isinstance(data, dict):
        raise WireError(f"event {event_id[:60]}: no time or no data")
    if author is not None and not isinstance(author, str):
        raise WireError(f"event {event_id[:60]}: author is not text")
    try:
        event_kind = EventKind(str(kind))
    except ValueError:
        raise WireError(f"event {event_id[:60]}: unknown kind {str(kind)[:40]!r}") from None
    if event_kind is EventKind.MENTION:
        raise WireError(f"event {event_id[:60]}: mentions travel in their own entries")
    return TeamEvent(event_id, event_kind, at, author, data)
