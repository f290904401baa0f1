"""The mentions of any minute of a stored incident: one scan builds an index, then reads are small.

Mentions are stored in arrival order, not event-time order, so one pass over the segment files
notes which segments hold each minute; opening a minute then reads only those segments.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from typing import Any

from warroom.incident.log import IncidentLog
from warroom.model import Label, Mention, MentionError, Score, ScoredMention, parse_time

_SEGMENT = re.compile(r"^\d{10}\.json$")
# Segments kept parsed: a minute's mentions usually sit in one to three neighbouring segments.
CACHED_SEGMENTS = 8


def _minute_key(stamp: str) -> str:
    """`2026-03-14T11:48` from a stored created_at; stored times are UTC with a Z."""
    if stamp.endswith("Z") and len(stamp) >= 16:
        return stamp[:16]
    return parse_time(stamp).strftime("%Y-%m-%dT%H:%M")


class MinuteIndex:
    """Which mention segments hold each minute; built on first use, in the caller's thread."""

    def __init__(self, log: IncidentLog) -> None:
        self.folder = Path(log.path) / "mentions"
        self._segments: dict[str, list[Path]] | None = None
        self._parsed: OrderedDict[Path, list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def _segment_files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if _SEGMENT.match(p.name))

    def _records(self, path: Path) -> list[dict[str, Any]]:
        cached = self._parsed.get(path)
        if cached is not None:
            self._parsed.move_to_end(path)
            return cached
        table = (json.loads(path.read_bytes()) or {}).get("mentions", {})
        records = [table[key] for key in sorted(table, key=int)]
        self._parsed[path] = records
        if len(self._parsed) > CACHED_SEGMENTS:
            self._parsed.popitem(last=False)
        return records

    def build(self) -> None:
        """Scan every segment once (what a writer flushes later is not seen)."""
        index: dict[str, list[Path]] = {}
        for path in self._segment_files():
            seen = set()
            for record in self._records(path):
                seen.add(_minute_key(record["mention"]["created_at"]))
            for key in seen:
                index.setdefault(key, []).append(path)
        self._segments = index

    def mentions_in(self, minute: datetime) -> list[ScoredMention]:
        """Every stored mention posted in that UTC minute, oldest first (log order on ties)."""
        with self._lock:
            if self._segments is None:
                self.build()
            assert self._segments is not None
            key = minute.strftime("%Y-%m-%dT%H:%M")
            found = []
            for path in self._segments.get(key, []):
                for record in self._records(path):
                    if _minute_key(record["mention"]["created_at"]) == key:
                        found.append(record)
        items = []
        for record in found:
            try:
                items.append(_scored(record))
            except MentionError:
                continue  # stored before the edge checked it; the report says it was left out
        return sorted(items, key=lambda item: item.mention.created_at)


def _scored(record: dict[str, Any]) -> ScoredMention:
    label = record.get("label")
    score = Score(record.get("compound"), Label(label) if label else None)
    return ScoredMention(Mention.from_dict(record["mention"]), score)
