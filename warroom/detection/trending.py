"""Trending terms: words and hashtags over-represented in complaints against the usual ones."""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# URLs, @handles (Mastodon's @user@host too) and HTML entities are never terms.
_NOT_TERMS = re.compile(r"(?:https?://|www\.)\S+|@[\w.@-]+|&#?\w+;")
# A term starts with a letter (so numbers drop out), may be a #hashtag, and has 3+ characters.
# ASCII only: VADER scores English, and this is ~2x faster than a Unicode class on the hot path.
_TERM = re.compile(r"#?[a-z][a-z0-9_]{2,}")

DEFAULT_CAPACITY = 5000
DEFAULT_MIN_COUNT = 3
DEFAULT_MIN_SCORE = 2.0  # a z-score: below it a term is within chance of its usual rate
# Negative posts tokenized per minute; above it counts are scaled up from this sample.
SAMPLE_PER_MINUTE = 300
PRIOR = 0.5  # pseudo-count per term
MIN_VOCABULARY = 1000  # the prior assumes at least this many distinct words are in use

_STOPWORD_TEXT = """
    about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't dont down during each few for from further get gets got had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's i'd i'll i'm
    i've if in into is isn't it it's its itself just let's like me more most mustn't my myself no
    nor not now of off on once only or other ought our ours ourselves out over own same shan't she
    she'd she'll she's should shouldn't so some such than that that's the their theirs them
    themselves then there there's these they they'd they'll they're they've this those through to
    too under until up very was wasn't we we'd we'll we're we've were weren't what what's when
    when's where where's which while who who's whom why why's will with won't would wouldn't you
    you'd you'll you're you've your yours yourself yourselves im ive youre thats its isnt wont cant
    didnt doesnt just really still even one two yes yeah lol via amp rt new now today
    don isn aren wasn weren hasn haven hadn doesn didn won wouldn couldn shouldn mustn shan
    anyone anybody anything everyone everybody everything someone somebody something else
    also ever every much many lot lots way thing things know think going gonna got getting
    said says say see seen look looks make made want wants need needs morning tonight yesterday
    tomorrow week day days hour hours minute minutes time times people guys okay ok
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class TrendingTerm:
    """A term over-represented in the window's negative brand mentions, with its z-score."""

    term: str
    count: int
    score: float


def terms_of(text: str, stopwords: frozenset[str] = STOPWORDS) -> set[str]:
    """The distinct terms of a post: lowercase words and #hashtags, no URLs, handles or numbers."""
    text = text.lower()
    if "@" in text or "http" in text or "www." in text or "&" in text:
        text = _NOT_TERMS.sub(" ", text)
    found = set(_TERM.findall(text))
    found -= stopwords
    return found


class TermSample:
    """The terms of negative brand posts, per minute; in a surge only the first few are read.

    Only the first `per_minute` posts of a minute are tokenized, so a burst costs no more than
    counting; whoever reads the counts scales them up by the minute's negatives over `sampled`.
    """

    def __init__(self, per_minute: int, stopwords: frozenset[str] = STOPWORDS) -> None:
        self.per_minute = per_minute
        self.stopwords = stopwords
        self.counts: dict[int, dict[str, int]] = {}  # minute key -> term -> posts
        self.sampled: dict[int, int] = {}  # minute key -> posts tokenized

    def count(self, key: int, text: str, sign: int = 1) -> None:
        """Count (sign 1) or uncount (-1) one negative post's terms in minute `key`."""
        sampled = self.sampled.get(key, 0)
        if sampled >= self.per_minute:
            return
        counts = self.counts.get(key)
        if counts is None:
            counts = self.counts[key] = {}
        self.sampled[key] = sampled + sign
        for term in terms_of(text, self.stopwords):
            counts[term] = counts.get(term, 0) + sign

    def state(self) -> dict[str, Any]:
        """The per-minute counts, JSON-ready, for a checkpoint (`restore` reads them back)."""
        return {
            "counts": [[key, dict(counts)] for key, counts in self.counts.items()],
            "sampled": [[key, number] for key, number in self.sampled.items()],
        }

    def restore(self, state: Mapping[str, Any]) -> None:
        """Take back what `state` wrote."""
        self.counts = {int(key): dict(counts) for key, counts in state["counts"]}
        self.sampled = {int(key): int(number) for key, number in state["sampled"]}

    def forget_before(self, key: int) -> None:
        """Drop the minutes before `key`."""
        for old in [old for old in self.counts if old < key]:
            del self.counts[old]
            self.sampled.pop(old, None)


class TermCounts:
    """Term frequencies that decay over time and keep at most `capacity` distinct terms."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._counts: dict[str, float] = {}
        # Decay is a shared scale factor, so decaying costs O(1) instead of touching every term.
        self._scale = 1.0
        self._total = 0.0

    def __len__(self) -> int:
        return len(self._counts)

    @property
    def total(self) -> float:
        """The decayed number of term occurrences seen."""
        return self._total

    def state(self) -> dict[str, Any]:
        """The decayed counts, JSON-ready, for a checkpoint (`restore` reads them back)."""
        return {"counts": dict(self._counts), "scale": self._scale, "total": self._total}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Take back what `state` wrote."""
        self._counts = {str(term): float(value) for term, value in state["counts"].items()}
        self._scale = float(state["scale"])
        self._total = float(state["total"])

    def get(self, term: str) -> float:
        """The decayed count of one term."""
        return self._counts.get(term, 0.0) * self._scale

    def decay(self, factor: float) -> None:
        """Multiply every count by `factor` (0 < factor <= 1)."""
        self._scale *= factor
        self._total *= factor
        if self._scale < 1e-12:
            self._counts = {term: value * self._scale for term, value in self._counts.items()}
            self._scale = 1.0

    def add(self, counts: Mapping[str, int]) -> None:
        """Add the term counts of one minute, trimming the rarest terms when over capacity."""
        inverse = 1.0 / self._scale
        table = self._counts
        for term, count in counts.items():
            table[term] = table.get(term, 0.0) + count * inverse
            self._total += count
        if len(table) > self.capacity:
            keep = heapq.nlargest(self.capacity * 4 // 5, table.items(), key=lambda item: item[1])
            self._counts = dict(keep)


def rank_terms(
    window: Mapping[str, int],
    baseline: TermCounts,
    limit: int = 10,
    min_count: int = DEFAULT_MIN_COUNT,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[TrendingTerm]:
    """Terms of `window` ranked by z-scored log-odds against `baseline` (Monroe et al. 2008)."""
    n = sum(window.values())
    m = baseline.total
    vocabulary = max(len(baseline) + len(window), MIN_VOCABULARY)
    prior_total = PRIOR * vocabulary
    ranked: list[TrendingTerm] = []
    for term, count in window.items():
        if count < min_count:
            continue
        usual = baseline.get(term)
        here = math.log((count + PRIOR) / (n + prior_total - count - PRIOR))
        before = math.log((usual + PRIOR) / (m + prior_total - usual - PRIOR))
        score = (here - before) / math.sqrt(1.0 / (count + PRIOR) + 1.0 / (usual + PRIOR))
        if score >= min_score:
            ranked.append(TrendingTerm(term, count, round(score, 2)))
    ranked.sort(key=lambda item: (-item.score, item.term))
    return ranked[:limit]


def merged(counters: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The sum of several minutes' term counts."""
    total: dict[str, int] = {}
    for counter in counters:
        for term, count in counter.items():
            total[term] = total.get(term, 0) + count
    return total
