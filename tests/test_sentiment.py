"""Tests for VADER scoring: labels, language, cache, crisis lexicon, normalization, long posts."""

from __future__ import annotations

import math
import pickle
import random
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from warroom.detection import sentiment
from warroom.detection.sentiment import (
    CHUNK_TOKENS,
    CRISIS_LEXICON,
    MAX_TOKENS,
    Scorer,
    normalize,
    score_texts,
)
from warroom.model import UNSCORED, Label, Mention

CRISIS_SENTENCES = [
    "Another outage this morning, nothing loads.",
    "They announced a recall of the charger.",
    "Their servers were breached last night, change your passwords.",
    "That ad was tone-deaf.",
    "My phone is bricked after the update.",
]

PLAIN_SENTENCES = [
    "I love this phone, the camera is amazing!",
    "Worst customer service ever. Never again!!",
    "The store opens at nine tomorrow.",
    "Not bad at all, but the battery could be better :)",
    "Is it GOOD? I mean, it is kind of ok I guess???",
]


@pytest.fixture(scope="module")
def plain() -> SentimentIntensityAnalyzer:
    """VADER as shipped, for comparison."""
    return SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    """A scorer shared by tests that do not look at its cache counters."""
    return Scorer()


def mention(text: str, lang: str | None = None) -> Mention:
    return Mention(
        id=f"demo:{abs(hash(text))}",
        source="demo",
        text=text,
        created_at=datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
        lang=lang,
    )


def test_clear_sentences_get_the_expected_labels(scorer: Scorer) -> None:
    """Praise is positive, a complaint negative and a plain fact neutral."""
    assert scorer.score(mention("I love it, great job!")).label is Label.POSITIVE
    assert scorer.score(mention("I hate it, awful job.")).label is Label.NEGATIVE
    assert scorer.score(mention("The store opens at nine.")).label is Label.NEUTRAL


@pytest.mark.parametrize(
    ("valence", "expected"),
    [
        (0.1, Label.NEUTRAL),
        (0.2, Label.POSITIVE),
        (-0.1, Label.NEUTRAL),
        (-0.2, Label.NEGATIVE),
    ],
)
def test_labels_follow_the_thresholds(valence: float, expected: Label) -> None:
    """A compound just inside ±0.05 is neutral; just outside it is positive or negative."""
    scorer = Scorer({"zorb": valence})
    score = scorer.score(mention("zorb"))
    assert score.compound is not None
    inside = abs(score.compound) < 0.05
    assert inside == (expected is Label.NEUTRAL)
    assert 0.02 < abs(score.compound) < 0.08  # close to the threshold on either side
    assert score.label is expected


@pytest.mark.parametrize("lang", ["fr", "de-DE", "ja"])
def test_non_english_mention_is_not_scored(lang: str) -> None:
    """A mention in a known non-English language is UNSCORED and never reaches VADER."""
    scorer = Scorer()
    assert scorer.score(mention("Quelle horreur, encore une panne", lang)) == UNSCORED
    assert scorer.cache_misses == 0


@pytest.mark.parametrize("lang", [None, "en", "en-GB", "EN-us"])
def test_english_or_unknown_language_is_scored(lang: str | None) -> None:
    """English in any region, or no language at all, is scored."""
    assert Scorer().score(mention("Terrible outage again", lang)).label is Label.NEGATIVE


def test_repeated_text_is_served_from_the_cache() -> None:
    """A repost is not scored again: one miss, then hits, with the same score."""
    scorer = Scorer()
    first = scorer.compound("Worst outage ever, refund me now")
    again = scorer.compound("Worst outage ever, refund me now")
    spaced = scorer.compound("  Worst outage\never,  refund me now\n")
    assert first == again == spaced
    assert (scorer.cache_misses, scorer.cache_hits) == (1, 2)


def test_cache_evicts_the_least_recently_used_text() -> None:
    """With room for two texts, the one not used for longest is scored again."""
    scorer = Scorer(cache_size=2)
    scorer.compound("first post")
    scorer.compound("second post")
    scorer.compound("first post")  # hit: now the most recently used
    scorer.compound("third post")  # evicts "second post"
    scorer.compound("first post")  # still cached
    scorer.compound("second post")  # scored again
    assert (scorer.cache_hits, scorer.cache_misses) == (2, 4)


def test_cache_size_zero_disables_caching() -> None:
    """cache_size=0 scores every text afresh."""
    scorer = Scorer(cache_size=0)
    scorer.compound("same text")
    scorer.compound("same text")
    assert (scorer.cache_hits, scorer.cache_misses) == (0, 2)


def test_negative_cache_size_is_refused() -> None:
    """A negative cache size is a configuration error."""
    with pytest.raises(ValueError, match="cache_size"):
        Scorer(cache_size=-1)


@pytest.mark.parametrize("text", CRISIS_SENTENCES)
def test_crisis_lexicon_catches_what_plain_vader_misses(
    text: str, plain: SentimentIntensityAnalyzer, scorer: Scorer
) -> None:
    """Crisis sentences that plain VADER calls neutral read as negative with our lexicon."""
    assert plain.polarity_scores(text)["compound"] > -0.05
    assert scorer.compound(text) <= -0.05


def test_crisis_lexicon_only_adds_words_on_vaders_scale(plain: SentimentIntensityAnalyzer) -> None:
    """Every crisis entry is a word VADER lacks, in lower case, rated within -4..4."""
    assert 40 <= len(CRISIS_LEXICON) <= 80
    for word, valence in CRISIS_LEXICON.items():
        assert word not in plain.lexicon, word
        assert word == word.lower() and len(word.split()) == 1, word
        assert -4 <= valence <= 4, word


def test_extra_lexicon_adds_a_brand_term() -> None:
    """A brand-specific term from the watch config changes the score; keys are case-blind."""
    text = "#DeleteZorb is trending again"
    assert Scorer().score(mention(text)).label is Label.NEUTRAL
    assert Scorer({"DeleteZorb": -2.5}).score(mention(text)).label is Label.NEGATIVE


def test_extra_lexicon_overrides_the_crisis_lexicon() -> None:
    """A brand named like a crisis word can neutralize it."""
    text = "Recall 2.0 is out today"
    assert Scorer().compound(text) < 0
    assert Scorer({"recall": 0}).compound(text) == 0


def test_scorers_do_not_share_lexicon_changes(plain: SentimentIntensityAnalyzer) -> None:
    """One scorer's extra terms are invisible to another scorer and to plain VADER."""
    Scorer({"zorbtastic": 3.0})
    assert Scorer().compound("zorbtastic") == 0
    fresh = SentimentIntensityAnalyzer()
    assert "zorbtastic" not in fresh.lexicon and "outage" not in fresh.lexicon


@pytest.mark.parametrize(
    ("extra", "term"),
    [
        ({"": 1.0}, "''"),
        ({"   ": 1.0}, "'   '"),
        ({"two words": 1.0}, "'two words'"),
        ({"zorb": 4.5}, "'zorb'"),
        ({"zorb": -9}, "'zorb'"),
        ({"zorb": "bad"}, "'zorb'"),
        ({"zorb": True}, "'zorb'"),
        ({"zorb": math.nan}, "'zorb'"),
        ({"zorb": None}, "'zorb'"),
        ({7: 1.0}, "7"),
    ],
)
def test_invalid_extra_lexicon_is_refused_naming_the_term(extra: dict, term: str) -> None:
    """A bad term or valence raises ValueError naming the term."""
    with pytest.raises(ValueError, match="extra lexicon") as error:
        Scorer(extra)
    assert term in str(error.value)


def test_emoji_with_variation_selector_scores_like_the_bare_emoji(scorer: Scorer) -> None:
    """'❤️' (heart + U+FE0F) counts as much as '❤', which VADER alone would miss."""
    with_selector = scorer.compound("I love it ❤\ufe0f")
    assert with_selector == scorer.compound("I love it ❤")
    assert with_selector > scorer.compound("I love it")


def test_zero_width_characters_do_not_hide_a_word(scorer: Scorer) -> None:
    """A zero-width space or joiner inside a word does not hide it from VADER."""
    assert scorer.compound("this is terr\u200bible") == scorer.compound("this is terrible")
    assert scorer.compound("this is terr\u200dible") == scorer.compound("this is terrible")


def test_normalize_removes_invisibles_composes_and_collapses_spaces() -> None:
    """Format characters go, controls separate words, NFC composes, whitespace collapses."""
    assert normalize("  zero\u200bwidth\u00ad  and\tbom\ufeff\n") == "zerowidth and bom"
    assert normalize("cafe\u0301") == "caf\u00e9"
    assert normalize("clear\x1b[2Jscreen\x00now") == "clear [2Jscreen now"
    assert normalize("plain ascii text") == "plain ascii text"


def test_normalize_removes_every_format_character() -> None:
    """Every Unicode 'Cf' character this Python knows is dropped."""
    format_chars = [
        chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"
    ]
    assert normalize("a" + "".join(format_chars) + "b") == "ab"


# Words and phrases that drive VADER's negation, booster and idiom rules.
TRICKY_UNITS = [
    "not", "never", "no", "nor", "or", "very", "so", "this", "least", "at", "but", "without",
    "doubt", "isn't", "shouldn't've", "good", "bad", "love", "hate", "GREAT", "AWFUL", "sad",
    "happy", "phone", "store", "!", "?", ":)", "😡", "❤", "kinda", "barely",
    "kiss of death", "to die for", "the shit", "the bomb", "yeah right", "bad ass",
    "beating heart", "kind of", "sort of", "just enough", "at least", "never so good",
    "without doubt", "not the bomb",
]  # fmt: skip


def test_faster_checks_give_plain_vaders_scores(plain: SentimentIntensityAnalyzer) -> None:
    """Our rewritten VADER checks score 1,500 generated tricky posts exactly like VADER."""
    ours = sentiment._new_analyzer({})
    rng = random.Random(2026)
    for _ in range(1500):
        text = " ".join(rng.choices(TRICKY_UNITS, k=rng.randint(1, 20)))
        assert ours.polarity_scores(text) == plain.polarity_scores(text), text


@pytest.mark.parametrize("text", PLAIN_SENTENCES)
def test_short_text_score_is_unchanged_by_the_mechanism(
    text: str, plain: SentimentIntensityAnalyzer
) -> None:
    """Without crisis words or the complaint layer, a short post scores exactly as VADER does."""
    assert Scorer(complaint_layer=False).compound(text) == plain.polarity_scores(text)["compound"]


def test_post_at_the_chunk_size_is_scored_whole(plain: SentimentIntensityAnalyzer) -> None:
    """A post of exactly CHUNK_TOKENS tokens is one VADER call, so 'but' still spans it."""
    words = ("good " * 20 + "but terrible ").split()
    text = " ".join((words * 20)[:CHUNK_TOKENS])
    assert Scorer().compound(text) == plain.polarity_scores(text)["compound"]


def test_long_post_is_scored_fast_and_in_range() -> None:
    """A 100,000-character complaint scores in well under a second, still negative."""
    text = ("The outage ruined our launch and support was useless. " * 2000)[:100_000]
    start = time.perf_counter()
    value = Scorer().compound(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5
    assert -1 <= value <= -0.05


def test_long_mixed_post_combines_its_chunks() -> None:
    """A long post half praise, half complaint lands between the two halves' scores."""
    praise = "I love this brand, great people. " * 60
    complaint = "The outage was awful and nobody answered. " * 50
    scorer = Scorer()
    mixed = scorer.compound(praise + complaint)
    assert scorer.compound(complaint) < mixed < scorer.compound(praise)


def test_only_the_start_of_a_very_long_post_is_read() -> None:
    """Text past MAX_TOKENS does not change the score, and the cache key stays small."""
    head = "Great service, thanks! " * (MAX_TOKENS // 3 + 1)
    scorer = Scorer()
    assert scorer.compound(head) == scorer.compound(head + "terrible awful outage " * 500)
    assert all(len(key) <= 1_000 for key in scorer._cache)


@pytest.mark.parametrize(
    "text",
    [
        "[bold red]x[/] [link=http://evil]click[/link]",
        "\x1b[2J\x1b[31mred alert\x1b[0m",
        "nul\x00 bell\x07 backspace\x08 del\x7f c1\x9b",
        "lone surrogate \ud800 here",
        "\u202eevil reversed text\u202c",
        "",
        " \n\t ",
        "x" * 100_000,
        "!!!???" * 1000,
        "😡" * 5000,
    ],
)
def test_hostile_text_scores_without_error(text: str) -> None:
    """Markup, escape sequences, controls and junk are data: a score in -1..1, no error."""
    score = Scorer().score(mention(text))
    assert score.compound is not None and -1 <= score.compound <= 1
    assert score.label is not None


def test_score_many_keeps_order_and_language_rule(scorer: Scorer) -> None:
    """Batch scoring returns one score per mention, in order, skipping non-English."""
    batch = [mention("I love it"), mention("C'est nul", "fr"), mention("Total outage")]
    scores = scorer.score_many(batch)
    assert [score.label for score in scores] == [Label.POSITIVE, None, Label.NEGATIVE]


def test_score_texts_matches_a_scorer_and_reuses_it() -> None:
    """The process-pool entry point gives a Scorer's scores and keeps one per lexicon."""
    texts = ["Total outage again", "Love the new zorbphone"]
    assert score_texts(texts) == [Scorer().compound(text) for text in texts]
    assert score_texts(texts, {"zorbphone": 2.0}) == [
        Scorer({"zorbphone": 2.0}).compound(text) for text in texts
    ]
    kept = sentiment._PROCESS_SCORERS[(("zorbphone", 2.0),)]
    score_texts(texts, {"zorbphone": 2.0})
    assert kept.cache_hits >= 2


def test_score_texts_runs_in_a_process_pool() -> None:
    """score_texts pickles and runs in a worker process."""
    pickle.dumps(score_texts)
    texts = ["Total outage again", "I love it ❤\ufe0f"]
    with ProcessPoolExecutor(max_workers=1) as pool:
        result = pool.submit(score_texts, texts, {"zorb": 1.0}).result(timeout=60)
    assert result == [Scorer().compound(text) for text in texts]


def test_sarcastic_thanks_reads_as_a_complaint(
    scorer: Scorer, plain: SentimentIntensityAnalyzer
) -> None:
    """VADER reads sarcastic thanks as praise; the complaint layer does not."""
    text = "Oh great, thanks a lot for deleting my account. Wonderful."
    assert plain.polarity_scores(text)["compound"] > 0
    assert scorer.compound(text) < 0
