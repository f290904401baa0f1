"""Review at scale: open a 1,000,000-mention incident for review (< 3 s) and report it (< 15 s).

Cold = the per-minute aggregates are built from the mentions (and cached beside the incident);
warm = the cache matches the log and is read instead. The baseline is the floor for any cold
path: json.load of every mention segment, measured in the same run.
Set WARROOM_BENCH_MENTIONS to try another size.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from warroom.clock import FrozenClock
from warroom.incident.log import IncidentLog, IncidentStore
from warroom.model import EventKind, Label, Mention, Score, ScoredMention
from warroom.review.aggregates import CACHE_NAME
from warroom.review.document import build_review
from warroom.review.html import render_html
from warroom.review.markdown import render_markdown
from warroom.review.text import local_zone

SIZE = int(os.environ.get("WARROOM_BENCH_MENTIONS", "1000000"))
MINUTES = 1000
BATCH = 50_000
T0 = datetime(2026, 3, 14, 0, 0, tzinfo=UTC)
OPEN_LIMIT = 3.0
REPORT_LIMIT = 15.0
NEGATIVE = Score(-0.6, Label.NEGATIVE)
POSITIVE = Score(0.5, Label.POSITIVE)
TEXTS = ("the app lost my order again", "refund still missing after a week", "love the update")


def _mentions(start: int, count: int) -> list[ScoredMention]:
    per_minute = max(1, SIZE // MINUTES)
    out = []
    for number in range(start, start + count):
        minute = number // per_minute
        surge = 700 <= minute < 730
        negative = number % 10 < (7 if surge else 1)
        moment = T0 + timedelta(minutes=minute, seconds=number % 60)
        mention = Mention(
            f"bench:{number}",
            "demo",
            TEXTS[number % 2] if negative else TEXTS[2],
            moment,
            author=f"user{number % 5003}",
            reach=number % 10007,
        )
        out.append(ScoredMention(mention, NEGATIVE if negative else POSITIVE))
    return out


def _events(log: IncidentLog) -> None:
    def at(minute: int) -> datetime:
        return T0 + timedelta(minutes=minute)

    log.append(EventKind.PLAYBOOK_CHANGED, {"playbook": "default"}, at=at(0))
    crisis = {"level": "crisis", "previous": "normal", "reason": "bench", "minute": "x"}
    log.append(EventKind.LEVEL_CHANGED, crisis, at=at(702))
    declared = {"name": "Bench", "playbook": "default", "declared_at": at(705).isoformat()}
    log.append(EventKind.DECLARED, declared, author="alice", at=at(705))
    for offset, step in enumerate(("confirm-signal", "open-incident", "holding-statement")):
        data = {"step": step, "title": step, "owner": "social"}
        log.append(EventKind.STEP_CHECKED, data, author="bob", at=at(710 + 20 * offset))
    log.append(EventKind.NOTE, {"text": "support confirms"}, author="bob", at=at(712))
    log.append(EventKind.CLOSED, {"summary": "done"}, author="alice", at=at(900))


def _build(folder: Path) -> tuple[str, float]:
    began = time.perf_counter()
    store = IncidentStore(folder)
    with store.create("bench review", clock=FrozenClock(T0)) as log:
        for start in range(0, SIZE, BATCH):
            log.append_mentions(_mentions(start, min(BATCH, SIZE - start)))
            log.flush()
        _events(log)
        return log.meta.slug, time.perf_counter() - began


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        folder = Path(tmp)
        slug, built = _build(folder)
        print(f"built an incident of {SIZE:,} mentions in {built:.1f} s")
        store = IncidentStore(folder)
        zone = local_zone("UTC")
        path = folder / "incidents" / slug

        def raw_read() -> int:
            return sum(
                len(json.loads(p.read_bytes())["mentions"]) for p in path.glob("mentions/*.json")
            )

        def review(cache: bool = True) -> Any:
            with store.open(slug, clock=FrozenClock(T0), writable=False) as log:
                return build_review(log, cache=cache)

        floor, count = _timed(raw_read)
        assert count == SIZE, count
        (path / CACHE_NAME).unlink(missing_ok=True)
        cold, result = _timed(review)
        warm, _ = _timed(review)
        md_warm, text = _timed(lambda: render_markdown(review(), zone))
        html_warm, page = _timed(lambda: render_html(review(), zone))
        html_cold, _ = _timed(lambda: render_html(review(cache=False), zone))
        cache_kb = (path / CACHE_NAME).stat().st_size / 1024
        m = result.metrics
        print(f"  surge {m.first_surge}, peak share {m.peak_share:.1%}, {len(text)} md chars")
        rows = [
            ("baseline: json.load of every mention segment", floor, None),
            ("open for review, cold (builds the cache)", cold, cold / floor),
            (f"open for review, warm (cache {cache_kb:.0f} KiB)", warm, warm / floor),
            ("report md, warm", md_warm, md_warm / floor),
            (f"report html, warm ({len(page) // 1024} KiB)", html_warm, html_warm / floor),
            ("report html, cold (no cache)", html_cold, html_cold / floor),
        ]
        for label, seconds, ratio in rows:
            versus = f"  ({ratio:.3f}x baseline)" if ratio is not None else ""
            print(f"{label:48} {seconds:6.2f} s{versus}")
        print(f"warm open vs cold open: {cold / warm:.0f}x faster")
        verdict = "PASS" if warm < OPEN_LIMIT else "FAIL"
        print(f"{verdict}: warm open {warm:.2f} s < {OPEN_LIMIT} s")
        worst = max(md_warm, html_warm, html_cold)
        verdict = "PASS" if worst < REPORT_LIMIT else "FAIL"
        print(f"{verdict}: slowest report {worst:.2f} s < {REPORT_LIMIT} s (cold included)")


if __name__ == "__main__":
    main()
