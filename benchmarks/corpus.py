"""A large stream of realistic mentions for the scale benchmarks, written as JSON Lines.

Every text is unique (so no cache helps), 2% are long posts, 3% are not English, authors
repeat as they do on real networks, and the stream spans hours at a steady rate.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warroom.demo.timeline import load_banks

START = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
LANGS = ("de", "fr", "es")


def texts(rng: random.Random) -> list[str]:
    """The demo's written posts (complaints, praise, news, questions) as the pool of phrasing."""
    pool = [text for bank in load_banks().values() for text in bank.templates]
    return [t.replace("{", "").replace("}", "") for t in pool]


def write_corpus(path: Path, count: int, *, per_second: float = 40.0, seed: int = 11) -> Path:
    """Write `count` mentions to `path`, `per_second` of them per second of event time."""
    rng = random.Random(seed)
    pool = texts(rng)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            base = rng.choice(pool)
            text = f"{base} #{n}"
            if rng.random() < 0.02:  # a long post: a pasted thread
                text = " ".join(rng.choice(pool) for _ in range(40)) + f" #{n}"
            record = {
                "id": f"corpus:{n}",
                "source": rng.choice(("mastodon", "bluesky", "reddit", "hackernews", "rss")),
                "text": text,
                "created_at": (START + timedelta(seconds=n / per_second))
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
                "author": f"user{int(rng.paretovariate(1.2)) % 50_000}",
                "reach": int(rng.paretovariate(1.1) * 50),
            }
            if rng.random() < 0.03:
                record["lang"] = rng.choice(LANGS)
            out.write(json.dumps(record) + "\n")
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1])
    write_corpus(target, int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
    print(target)
