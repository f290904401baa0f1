"""End-to-end headless throughput (parse, score, signals, store) against bare VADER, one core."""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from warroom.clock import SystemClock
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import Signals
from warroom.incident.engine import Engine
from warroom.incident.log import IncidentStore
from warroom.model import read_mentions

MENTIONS = 20_000
REPEATS = 3
WORDS = (
    "brightwell thermostat update firmware stuck cold house support refund outage app love "
    "great terrible broken fix thanks again why still waiting hours customer service heating "
    "schedule install easy recommend awful worst best happy angry disappointed today morning "
    "night family kids freezing warm degrees reset factory bricked"
).split()


def unique_lines(count: int, seed: int = 7) -> list[str]:
    """JSON Lines of canonical mentions with unique 15-35 word texts, a minute apart in tens."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
    lines = []
    for n in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 35))) + f" #{n}"
        moment = start + timedelta(seconds=n * 0.5)
        lines.append(
            json.dumps(
                {
                    "id": f"bench:{n}",
                    "source": "bench",
                    "text": text,
                    "created_at": moment.isoformat().replace("+00:00", "Z"),
                    "author": f"user{n % 997}",
                    "reach": rng.randint(0, 50_000),
                }
            )
        )
    return lines


def bare_vader(lines: list[str]) -> float:
    """Seconds for plain polarity_scores on the same texts (the baseline)."""
    texts = [json.loads(line)["text"] for line in lines]
    analyzer = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    for text in texts:
        analyzer.polarity_scores(text)
    return time.perf_counter() - started


def end_to_end(lines: list[str]) -> float:
    """Seconds for the whole pipeline: JSON parse, score, signals, incident log on disk."""
    with tempfile.TemporaryDirectory() as folder:
        clock = SystemClock()
        log = IncidentStore(Path(folder)).create("bench", clock=clock)
        engine = Engine(clock=clock, signals=Signals(), scorer=Scorer(), log=log)
        started = time.perf_counter()
        batch = []
        for mention in read_mentions(lines, "bench"):
            batch.append(mention)
            if len(batch) == 500:
                engine.ingest(batch)
                batch = []
        engine.ingest(batch)
        engine.finish()
        log.close()
        return time.perf_counter() - started


def main() -> None:
    lines = unique_lines(MENTIONS)
    bare, full = [], []
    for _ in range(REPEATS):  # interleaved, so machine noise hits both alike
        bare.append(bare_vader(lines))
        full.append(end_to_end(lines))
    bare_s, full_s = statistics.median(bare), statistics.median(full)
    print(f"mentions: {MENTIONS:,} unique texts, {REPEATS} runs each, medians")
    print(f"bare VADER polarity_scores: {MENTIONS / bare_s:,.0f} mentions/s ({bare_s:.2f} s)")
    print(f"warroom end to end:         {MENTIONS / full_s:,.0f} mentions/s ({full_s:.2f} s)")
    print(f"ratio (end to end / bare):  {bare_s / full_s:.2f}x  (target >= 0.7x)")


if __name__ == "__main__":
    main()
