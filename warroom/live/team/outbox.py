"""The durable outbox: a console's own events, on disk before they are acknowledged, kept
until the team's stream has them. A console without the link keeps working on it."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from warroom.live.team.wire import TeamEvent
from warroom.model import EventKind

OUTBOX_NAME = "team-outbox.jsonl"


class Outbox:
    """Events written by this console and not yet seen in the team's stream, in order."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / OUTBOX_NAME
        self._lock = threading.Lock()
        self._events: list[TeamEvent] = self._read()

    def _read(self) -> list[TeamEvent]:
        events = []
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        for line in lines:
            try:
                data: dict[str, Any] = json.loads(line)
                events.append(
                    TeamEvent(
                        str(data["id"]),
                        EventKind(data["kind"]),
                        str(data["at"]),
                        data.get("author"),
                        dict(data["data"]),
                    )
                )
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line (killed mid-write): that event was never acknowledged
        return events

    def add(self, event: TeamEvent) -> None:
        """Append one event and fsync: when this returns, a kill -9 does not lose it."""
        line = _line(event)
        with self._lock:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            self._events.append(event)

    def pending(self) -> list[TeamEvent]:
        """What still waits for the stream, oldest first."""
        with self._lock:
            return list(self._events)

    def __len__(self) -> int:
        return len(self._events)

    def done(self, event_ids: set[str]) -> None:
        """Drop events the stream now holds (rewritten atomically)."""
        with self._lock:
            kept = [e for e in self._events if e.id not in event_ids]
            if len(kept) == len(self._events):
                return
            self._events = kept
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "w", encoding="utf-8") as handle:
                for event in kept:
                    handle.write(_line(event) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)


def _line(event: TeamEvent) -> str:
    body = {
        "id": event.id,
        "kind": str(event.kind),
        "at": event.at,
        "author": event.author,
        "data": event.data,
    }
    return json.dumps(body, ensure_ascii=True)
