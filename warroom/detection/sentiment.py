"""VADER scoring for mentions: normalized, length-capped, cached, with a crisis lexicon and the
complaint layer (warroom/detection/complaint.py) over it."""

from __future__ import annotations

import copy
import hashlib
import math
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
)

from warroom.detection.complaint import (
    FiredCue,
    as_vader_should_read,
    combine,
    discounts_praise,
    find_cues,
)
from warroom.model import UNSCORED, Label, Mention, Score, label_for

# Words a brand crisis is made of that VADER's lexicon lacks (each scores 0 in plain VADER).
# Values are on VADER's -4..+4 scale, each set equal or close to a VADER entry of similar
# strength (named in the comment). It only adds words: VADER's own ratings are never changed
# (so `leak` -1.4, `hacked` -1.7, `scam` -2.7, `lawsuit` -0.9, `boycott` -1.3, `defective`
# -1.9, `misleading` -1.7, `cover-up` -1.2 stay as VADER rates them). VADER lowercases tokens
# and strips surrounding punctuation, so a hyphenated word such as `tone-deaf` is one token.
CRISIS_LEXICON: dict[str, float] = {
    # service failure
    "outage": -2.0,  # between crash -1.7 and broken -2.1
    "outages": -2.0,  # = outage
    "downtime": -1.5,  # a little worse than delay -1.3
    "glitch": -1.3,  # = delay
    "glitches": -1.3,  # = glitch
    "glitchy": -1.4,  # ~ glitch
    "buggy": -1.6,  # ~ crash -1.7
    "crashed": -1.7,  # = crash
    "crashes": -1.7,  # = crash
    "crashing": -1.7,  # = crash
    "unusable": -2.1,  # = broken
    "bricked": -2.3,  # device dead for good: = failed
    "malfunction": -1.8,  # ~ defective -1.9
    "malfunctioning": -1.8,  # = malfunction
    "unresponsive": -1.2,  # ~ cancel -1.0, lagging -1.1
    "unreachable": -1.2,  # support cannot be reached: = unresponsive
    "laggy": -1.1,  # = lagging
    "throttled": -1.0,  # = cancel
    "throttling": -1.0,  # = throttled
    # product safety
    "recall": -1.5,  # safety recall: below injury -1.8
    "recalls": -1.5,  # = recall
    "recalled": -1.5,  # = recall
    "unsafe": -2.1,  # = dangerous
    "hazardous": -1.8,  # ~ injury -1.8
    "contaminated": -2.2,  # = poisoned
    "contamination": -2.0,  # ~ contaminated
    "tainted": -1.8,  # ~ injury
    "toxic": -2.0,  # = offensive
    "overheating": -1.5,  # = recall
    "injuries": -1.8,  # = injury
    # security and privacy
    "breach": -2.0,  # worse than leak -1.4: data taken, not just exposed
    "breaches": -2.0,  # = breach
    "breached": -2.0,  # = breach
    "data-breach": -2.3,  # = failed
    "leaks": -1.4,  # = leak
    "hackers": -1.5,  # ~ hacked -1.7
    "compromised": -1.6,  # ~ hacked
    "ransomware": -2.3,  # = failed
    "malware": -2.0,  # = breach
    "spyware": -2.0,  # = malware
    "phishing": -2.0,  # = malware
    "doxxed": -2.2,  # = stolen
    # money, trust and law
    "refund": -1.0,  # asking for one is a complaint: = cancel
    "refunds": -1.0,  # = refund
    "scammed": -2.7,  # = scam
    "scammers": -2.7,  # = scam
    "scammy": -2.2,  # = fraudulent
    "ripoff": -2.2,  # = fraudulent
    "rip-off": -2.2,  # = ripoff
    "overcharged": -1.8,  # ~ deceived -1.9
    "overcharging": -1.8,  # = overcharged
    "gouging": -2.0,  # = unacceptable
    "price-gouging": -2.0,  # = gouging
    "misled": -1.7,  # = misleading
    "mislead": -1.7,  # = misleading
    "deceptive": -1.9,  # = deceived
    "coverup": -1.2,  # = cover-up
    "negligence": -2.0,  # = unacceptable
    "negligent": -2.0,  # = negligence
    "shady": -1.5,  # ~ greedy -1.3
    "sue": -1.1,  # = suing
    "sued": -1.1,  # = suing
    "class-action": -1.5,  # several lawsuits (-0.9) at once
    "enshittification": -2.3,  # = failed
    # people and conduct
    "layoffs": -1.5,  # ~ delay -1.3, worse
    "layoff": -1.5,  # = layoffs
    "tone-deaf": -1.8,  # crisis rebuke: between insensitive -0.9 and offensive -2.0
    "backlash": -1.6,  # below outrage -2.3
    "sexist": -2.8,  # ~ racist -3.0
    "stranded": -1.6,  # ~ injured -1.7
    "canceled": -1.0,  # US spelling: = cancelled
    "canceling": -0.8,  # = cancelling
    "delays": -1.3,  # = delay
    "uninstalled": -1.0,  # a customer leaving: = cancel
    # resolution
    "fixed": 1.0,  # between resolved 0.7 and restored 1.4
    "refunded": 0.8,  # money back: ~ resolved 0.7
}

CHUNK_TOKENS = 150  # VADER's cost grows with the square of the token count; score in chunks
MAX_TOKENS = 2_000  # only the start of a very long post is read
MAX_CHARS = 20_000  # bounds normalization of a hostile single-token post too
_LONG_KEY_CHARS = 1_000  # longer texts are cached under a digest, so the cache stays small
_VALENCE_LIMIT = 4.0

# C0/C1 controls (mapped to a space) and invisible format characters (dropped): every
# Unicode "Cf" character (zero-width space and joiner, bidi marks, soft hyphen, BOM, emoji
# tags) plus the variation selectors, whose U+FE0F after "❤" hides the emoji from VADER.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)

# The ASCII controls that str.split() does not already treat as whitespace.
_ASCII_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f]")


def _replace_invisible(match: re.Match[str]) -> str:
    # Controls separate words, format characters sit inside them.
    return " " if match.group() < "\xa0" else ""


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def normalize(text: str) -> str:
    """Text as VADER should read it: no invisible characters, NFC, straight apostrophes, single
    spaces."""
    if text.isascii():
        # The common case, 4x faster: only controls to look for, and only if not printable.
        if not text.isprintable() and _ASCII_CONTROL.search(text):
            text = _ASCII_CONTROL.sub(" ", text)
    else:
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub(_replace_invisible, text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        # Phones type "can’t": VADER's negations and the complaint cues know only "can't".
        text = text.translate(_APOSTROPHES)
    # VADER splits on whitespace, so collapsing it changes no score and finds more reposts.
    return " ".join(text.split())


_NEGATE = frozenset(NEGATE)
_NEGATORS = _NEGATE | {"no"}  # `no` turns the next word as VADER reads it, but is not in NEGATE
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…“”‘’"
_SO_THIS = ("so", "this")


# Every word of VADER's idioms and booster phrases: a sentiment word with none of them around it
# can be in no idiom.
_IDIOM_WORDS = frozenset(
    word for phrase in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in phrase for word in phrase.split()
)


def _negated(word: str) -> bool:
    # vaderSentiment.negated() for one lower-case word, without its list copies.
    return word in _NEGATE or "n't" in word


class _Analyzer(SentimentIntensityAnalyzer):  # type: ignore[misc]  # VADER ships no types
    """VADER 3.3.2 with polarity_scores and two of its checks rewritten to give the same answers
    faster."""

    def __init__(self) -> None:
        super().__init__()
        # VADER swaps emoji for their descriptions one character at a time.
        self._emoji = frozenset(emoji for emoji in self.emojis if len(emoji) == 1)
        self._ascii_emoji = any(emoji.isascii() for emoji in self._emoji)

    def polarity_scores(self, text: str) -> dict[str, float]:
        # VADER's own, less two costs: copying a post with no emoji a character at a time (a
        # sixth of its time on a tweet), and a sentiment_valence call for each word that is
        # not in the lexicon, which only appends 0.
        if (self._ascii_emoji or not text.isascii()) and not self._emoji.isdisjoint(text):
            scores: dict[str, float] = super().polarity_scores(text)
            return scores
        text = text.strip()
        sentitext = SentiText(text)
        words: list[str] = sentitext.words_and_emoticons
        lexicon: dict[str, float] = self.lexicon
        sentiments: list[float] = []
        for i, item in enumerate(words):
            lower = item.lower()
            if (
                lower in BOOSTER_DICT
                or lower not in lexicon
                or (lower == "kind" and i < len(words) - 1 and words[i + 1].lower() == "of")
            ):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        result: dict[str, float] = self.score_valence(sentiments, text)
        return result

    # VADER lower-cases the whole post 4 times per sentiment word in these checks (a third of
    # its time on a tweet); these lower-case only the few words they read. Tests compare the
    # scores with plain VADER on many generated posts.

    @staticmethod
    def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
        def low(k: int) -> str:
            return str(words[k]).lower()

        if start_i == 0 and _negated(low(i - 1)):
            valence = valence * N_SCALAR
        if start_i == 1:
            if low(i - 2) == "never" and low(i - 1) in _SO_THIS:
                valence = valence * 1.25
            elif low(i - 2) == "without" and low(i - 1) == "doubt":
                pass
            elif _negated(low(i - 2)):
                valence = valence * N_SCALAR
        if start_i == 2:
            emphasis = low(i - 3) == "never" and low(i - 2) in _SO_THIS
            if emphasis or low(i - 1) in _SO_THIS:
                valence = valence * 1.25
            elif low(i - 3) == "without" and (low(i - 2) == "doubt" or low(i - 1) == "doubt"):
                pass
            elif _negated(low(i - 3)):
                valence = valence * N_SCALAR
        return valence

    @staticmethod
    def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
        w0, w1, w2, w3 = (str(words[i - k]).lower() for k in range(4))
        after = [str(word).lower() for word in words[i + 1 : i + 3]]
        if _IDIOM_WORDS.isdisjoint((w0, w1, w2, w3, *after)):
            return valence  # no idiom or booster phrase can be among these words
        twoone = f"{w2} {w1}"
        threetwoone = f"{w3} {w2} {w1}"
        threetwo = f"{w3} {w2}"
        for seq in (f"{w1} {w0}", f"{w2} {w1} {w0}", twoone, threetwoone, threetwo):
            if seq in SPECIAL_CASES:
                valence = SPECIAL_CASES[seq]
                break
        if after:
            zeroone = f"{w0} {after[0]}"
            if zeroone in SPECIAL_CASES:
                valence = SPECIAL_CASES[zeroone]
        if len(after) > 1:
            zeroonetwo = f"{w0} {after[0]} {after[1]}"
            if zeroonetwo in SPECIAL_CASES:
                valence = SPECIAL_CASES[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in BOOSTER_DICT:
                valence = valence + BOOSTER_DICT[n_gram]
        return valence


@dataclass(frozen=True)
class Explanation:
    """Why a text scored what it did: VADER's reading, the complaint cues, and the result."""

    vader: float  # VADER with the crisis lexicon, before the complaint layer
    cues: list[FiredCue]
    compound: float  # what the mention is scored: VADER with the cues' weights added
    # VADER read praise beside a problem, so it counted PRAISE_BESIDE_A_PROBLEM of itself
    praise_discounted: bool = False

    @property
    def label(self) -> Label:
        return label_for(self.compound)


_BASE_ANALYZER: SentimentIntensityAnalyzer | None = None


def _new_analyzer(lexicon: Mapping[str, float]) -> SentimentIntensityAnalyzer:
    # Parsing VADER's files takes ~20 ms: do it once, then give each Scorer a shallow copy
    # with its own merged lexicon dict; the base analyzer is never changed.
    global _BASE_ANALYZER
    if _BASE_ANALYZER is None:
        _BASE_ANALYZER = _Analyzer()
    analyzer = copy.copy(_BASE_ANALYZER)
    analyzer.lexicon = {**_BASE_ANALYZER.lexicon, **lexicon}
    return analyzer


def _checked_lexicon(extra: Mapping[str, float]) -> dict[str, float]:
    checked: dict[str, float] = {}
    for word, valence in extra.items():
        if not isinstance(word, str) or not word.strip():
            raise ValueError(f"extra lexicon: term {word!r} must be a non-empty string")
        if len(word.split()) != 1:
            raise ValueError(f"extra lexicon: term {word!r} must be one word (no spaces)")
        if (
            isinstance(valence, bool)
            or not isinstance(valence, int | float)
            or not math.isfinite(valence)
            or not -_VALENCE_LIMIT <= valence <= _VALENCE_LIMIT
        ):
            raise ValueError(
                f"extra lexicon: term {word!r} has valence {valence!r};"
                " use a number from -4 (most negative) to 4 (most positive)"
            )
        # VADER looks tokens up in lower case.
        checked[word.strip().lower()] = float(valence)
    return checked


class Scorer:
    """VADER with the crisis lexicon, normalization, a length cap and an LRU cache."""

    # Not thread-safe (the cache is a plain OrderedDict): one Scorer per thread or process.

    def __init__(
        self,
        extra_lexicon: Mapping[str, float] | None = None,
        *,
        cache_size: int = 50_000,
        complaint_layer: bool = True,  # False only to measure what the layer adds
    ) -> None:
        if cache_size < 0:
            raise ValueError(f"cache_size must be 0 or more, got {cache_size}")
        extra = _checked_lexicon(extra_lexicon or {})
        self._analyzer = _new_analyzer({**CRISIS_LEXICON, **extra})
        # Bounded: at most `cache_size` keys of at most _LONG_KEY_CHARS characters (a longer
        # text is keyed by a 16-byte digest), so ~10 MB for posts and ~60 MB at the worst.
        self._cache: OrderedDict[str | bytes, float] = OrderedDict()
        self._cache_size = cache_size
        self._complaint_layer = complaint_layer
        self.cache_hits = 0
        self.cache_misses = 0

    def compound(self, text: str) -> float:
        """VADER's compound score (-1..1) of a text, normalized, chunked and cached."""
        # Slicing a short str returns the same object, so the cap costs nothing.
        normalized = normalize(text[:MAX_CHARS])
        key: str | bytes = normalized
        if len(normalized) > _LONG_KEY_CHARS:
            key = hashlib.blake2b(
                normalized.encode("utf-8", "surrogatepass"), digest_size=16
            ).digest()
        cache = self._cache
        cached = cache.get(key)
        if cached is not None:
            cache.move_to_end(key)
            self.cache_hits += 1
            return cached
        self.cache_misses += 1
        value = self._uncached(normalized)
        cache[key] = value
        if len(cache) > self._cache_size:
            cache.popitem(last=False)
        return value

    def explain(self, text: str) -> Explanation:
        """VADER's reading of a text, the complaint cues that fired, and the score they give."""
        normalized = normalize(text[:MAX_CHARS])
        cues, compound = self._read(normalized)
        vader = self._vader(normalized) if cues else compound
        discounted = False
        if cues and discounts_praise(cues):
            # combine() discounts VADER's reading of the text as it should read: was it praise?
            read = normalized
            if any(cue.cue.replacement is not None for cue in cues):
                read = as_vader_should_read(normalized, cues)
            discounted = self._vader(read) > 0
        return Explanation(vader, cues, compound, discounted)

    def negative_terms(self, text: str, limit: int = 5) -> list[str]:
        """The words of a text that pull its score down: negative in the lexicon, or a positive
        word negated (`not working`), in the order they appear, each once."""
        lexicon: dict[str, float] = self._analyzer.lexicon
        found: list[str] = []
        previous = ""
        for token in normalize(text[:MAX_CHARS]).split(" ")[:MAX_TOKENS]:
            word = token.strip(_PUNCTUATION).lower()
            valence = lexicon.get(word)
            term = None
            if valence is not None and valence < 0 and word not in _NEGATORS:
                term = word  # `no`, `never`: negators, shown with the word they turn
            elif (
                valence is not None
                and valence > 0
                and (previous in _NEGATORS or _negated(previous))
            ):
                term = f"{previous} {word}"
            if term is not None and term not in found:
                found.append(term)
                if len(found) >= limit:
                    break
            previous = word
        return found

    def score(self, mention: Mention) -> Score:
        """The score of one mention; UNSCORED when its language is known and not English."""
        if not mention.is_english:
            return UNSCORED
        value = self.compound(mention.text)
        return Score(value, label_for(value))

    def score_many(self, mentions: Sequence[Mention]) -> list[Score]:
        """The scores of a batch of mentions, in order."""
        return [self.score(mention) for mention in mentions]

    def _uncached(self, normalized: str) -> float:
        return self._read(normalized)[1]

    def _read(self, normalized: str) -> tuple[list[FiredCue], float]:
        """The complaint cues of a text and its score: VADER on the text as it should read it,
        with the cues' weights added."""
        if normalized.count(" ") >= MAX_TOKENS:
            # The cues read what VADER reads: only the start of a very long post.
            normalized = " ".join(normalized.split(" ")[:MAX_TOKENS])
        cues = find_cues(normalized) if self._complaint_layer else []
        if not cues:
            return cues, self._vader(normalized)
        if any(cue.cue.replacement is not None for cue in cues):
            normalized = as_vader_should_read(normalized, cues)
        return cues, combine(self._vader(normalized), cues)

    def _vader(self, normalized: str) -> float:
        # normalize() leaves single spaces, so counting them counts the tokens.
        if normalized.count(" ") < CHUNK_TOKENS:
            scores: dict[str, float] = self._analyzer.polarity_scores(normalized)
            return scores["compound"]
        tokens = normalized.split(" ")[:MAX_TOKENS]
        # Equal-sized chunks, so a 151-token post is not scored as 150 tokens plus 1.
        chunks = math.ceil(len(tokens) / CHUNK_TOKENS)
        size = math.ceil(len(tokens) / chunks)
        total = 0.0
        for start in range(0, len(tokens), size):
            chunk = tokens[start : start + size]
            total += self._analyzer.polarity_scores(" ".join(chunk))["compound"] * len(chunk)
        return round(total / len(tokens), 4)


# One Scorer per lexicon in a worker process: a console has one lexicon, so one cache.
_PROCESS_SCORERS: dict[tuple[tuple[str, float], ...], Scorer] = {}


def score_texts(texts: list[str], extra_lexicon: dict[str, float] | None = None) -> list[float]:
    """Compound scores of texts; a picklable entry point for a process-pool worker."""
    scorer = _process_scorer(extra_lexicon)
    return [scorer.compound(text) for text in texts]


def _process_scorer(extra_lexicon: Mapping[str, float] | None) -> Scorer:
    # One Scorer (and cache) per process per lexicon, kept between calls.
    key = tuple(sorted(_checked_lexicon(extra_lexicon or {}).items()))
    scorer = _PROCESS_SCORERS.get(key)
    if scorer is None:
        scorer = _PROCESS_SCORERS[key] = Scorer(extra_lexicon)
    return scorer


def negative_terms(text: str, extra_lexicon: Mapping[str, float] | None = None) -> list[str]:
    """The words that make a text negative (see Scorer.negative_terms), under a lexicon."""
    return _process_scorer(extra_lexicon).negative_terms(text)


def explain(text: str, extra_lexicon: Mapping[str, float] | None = None) -> Explanation:
    """Why a text scores what it does (see Scorer.explain), under a lexicon."""
    return _process_scorer(extra_lexicon).explain(text)
