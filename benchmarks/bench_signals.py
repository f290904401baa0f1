"""Signals' hot path against bare VADER: µs per mention for add(), advance() and gauge()."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from warroom.detection.signals import Signals
from warroom.model import Mention, Score, ScoredMention, label_for

TEXTS = (
    "@acme flight 1234 delayed again!!! 3 hours on the tarmac, no info, worst service ever #fail",
    "Thanks a lot @acme, my order is three weeks late. Great service. https://t.co/abc",
    "acme still waiting for my refund, this is ridiculous",
    "Just picked up the new acme phone, the camera is amazing",
    "this is so dangerous, my acme phone burned my hand #batterygate",
    "acme store downtown is open late tonight",
    "worst customer service ever, never buying from acme again",
    "Loving my new acme headphones! #music",
)
COUNT = 60_000


def main() -> None:
    rng = random.Random(1)
    analyzer = SentimentIntensityAnalyzer()
    start = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    texts = [rng.choice(TEXTS) for _ in range(COUNT)]
    began = time.perf_counter()
    compounds = [analyzer.polarity_scores(text)["compound"] for text in texts[:3000]]
    vader = (time.perf_counter() - began) / 3000
    scores = {text: analyzer.polarity_scores(text)["compound"] for text in TEXTS}
    posts = []
    for index, text in enumerate(texts):
        created = start + timedelta(seconds=index * 0.2)  # 300 a minute
        mention = Mention(f"bench:{index}", "bench", text, created, reach=rng.randrange(10_000))
        compound = scores[text]
        posts.append(ScoredMention(mention, Score(compound, label_for(compound))))
    signals = Signals(extra_stopwords=["acme"])
    began = time.perf_counter()
    for post in posts:
        signals.add(post)
    add = (time.perf_counter() - began) / COUNT
    began = time.perf_counter()
    signals.advance(posts[-1].mention.created_at)
    minutes = len(signals.series())
    advance = (time.perf_counter() - began) / minutes
    began = time.perf_counter()
    for _ in range(100):
        signals.gauge()
    gauge = (time.perf_counter() - began) / 100
    negative = sum(1 for value in compounds if value <= -0.05) / len(compounds)
    print(f"bare VADER:        {vader * 1e6:8.1f} µs/post")
    print(
        f"Signals.add:       {add * 1e6:8.2f} µs/post ({add / vader:.1%} of VADER;"
        f" {negative:.0%} negative posts tokenized)"
    )
    print(f"Signals.advance:   {advance * 1e6:8.1f} µs/minute evaluated")
    print(f"Signals.gauge:     {gauge * 1e3:8.2f} ms/call")
    print(f"VADER + add:       {vader / (vader + add):.3f}x of bare VADER throughput")


if __name__ == "__main__":
    main()
