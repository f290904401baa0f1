"""Append cost vs incident size: 1,000 mentions (one flush) and one note, at 1,000 and 200,000."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from warroom.clock import SystemClock
from warroom.incident.log import IncidentLog, IncidentStore
from warroom.model import EventKind, Label, Mention, Score, ScoredMention

SMALL = 1_000
LARGE = 200_000
BATCH = 1_000
REPEATS = 15
NOTE_REPEATS = 30
LIMIT = 1.5
CLOCK = SystemClock()


def _batch(start: int, count: int) -> list[ScoredMention]:
    text = "Our order arrived broken and support has not answered in three days, not impressed"
    return [
        ScoredMention(
            Mention(
                f"demo:{i}", "demo", f"{text} #{i}", CLOCK.now(), author=f"user{i % 977}", reach=i
            ),
            Score(-0.62, Label.NEGATIVE),
        )
        for i in range(start, start + count)
    ]


def _filled(incidents: IncidentStore, name: str, size: int) -> tuple[str, float]:
    """An incident holding `size` mentions, written in big batches; returns slug and seconds."""
    began = time.perf_counter()
    with incidents.create(name, clock=CLOCK) as log:
        for start in range(0, size, 20_000):
            log.append_mentions(_batch(start, min(20_000, size - start)))
            log.flush()
        log.append(EventKind.DECLARED, {"level": "crisis"})
    return log.meta.slug, time.perf_counter() - began


def _measure(incidents: IncidentStore, slugs: dict[int, str]) -> dict[int, dict[str, float]]:
    """Median timings per size; the sizes take turns so drift in the machine hits both alike."""
    logs: dict[int, IncidentLog] = {}
    samples: dict[int, dict[str, list[float]]] = {}
    for size, slug in slugs.items():
        began = time.perf_counter()
        logs[size] = incidents.open(slug, clock=CLOCK)
        samples[size] = {"open": [time.perf_counter() - began], "mentions": [], "note": []}
    note = {"text": "holding statement approved by legal"}
    for n in range(max(REPEATS, NOTE_REPEATS)):
        for size, log in logs.items():
            if n < REPEATS:
                batch = _batch(size + BATCH * n, BATCH)
                began = time.perf_counter()
                log.append_mentions(batch)
                log.flush()
                samples[size]["mentions"].append(time.perf_counter() - began)
            began = time.perf_counter()
            log.append(EventKind.NOTE, note, author="ann")
            samples[size]["note"].append(time.perf_counter() - began)
    for log in logs.values():
        log.close()
    return {
        size: {key: statistics.median(values) for key, values in figures.items()}
        for size, figures in samples.items()
    }


def main() -> None:
    """Print the timings at both sizes and the ratios the acceptance criterion bounds."""
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder:
        incidents = IncidentStore(Path(folder))
        small_slug, _ = _filled(incidents, "small", SMALL)
        large_slug, build = _filled(incidents, "large", LARGE)
        print(f"built {LARGE:,} mentions in {build:.1f} s")
        figures = _measure(incidents, {SMALL: small_slug, LARGE: large_slug})
    small, large = figures[SMALL], figures[LARGE]
    rows = [
        ("append 1,000 mentions + flush", "mentions"),
        ("append 1 note (fsync)", "note"),
        ("open for writing (one sample)", "open"),
    ]
    print(f"{'median seconds':32} {SMALL:>10,} {LARGE:>10,}  ratio")
    for label, key in rows:
        ratio = large[key] / small[key]
        print(f"{label:32} {small[key]:10.4f} {large[key]:10.4f}  {ratio:5.2f}")
    ratio = large["mentions"] / small["mentions"]
    verdict = "ok" if ratio <= LIMIT else "FAIL"
    print(f"mention append ratio {ratio:.2f} (limit {LIMIT}): {verdict}")


if __name__ == "__main__":
    main()
