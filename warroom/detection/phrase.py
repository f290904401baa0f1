"""What happened, as a phrase after "We're aware of …", read from the evidence's complaints."""

from __future__ import annotations

import re
from collections.abc import Sequence

# A clause ends at . ! ? ; or a line break; "4.2" and "55.5F" are not ends.
_CLAUSE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+")
# The most words the phrase keeps: a declare prompt's line, not the complaint.
MAX_WORDS = 12
# Fewer words than this say too little ("update"): taken only when nothing longer covers as much.
MIN_WORDS = 3
_EDGE = re.compile(r"^[^\w#@]+|[^\w°%]+$")


def _word(token: str) -> str:
    """A token as a trending term is written: lower case, no punctuation, no 's."""
    word = _EDGE.sub("", token).lower()
    return word[:-2] if word.endswith("'s") else word


def _keeps(token: str) -> bool:
    """Whether a token may end the phrase: not a hashtag, handle, link or emoji."""
    bare = _EDGE.sub("", token)
    return bool(bare) and not bare.startswith(("#", "@", "http")) and any(c.isalnum() for c in bare)


def _spans(text: str, terms: set[str]) -> list[tuple[int, list[str]]]:
    """From each word that is a trending term to the end of its clause: (terms covered, words)."""
    found = []
    for clause in _CLAUSE_END.split(text):
        tokens = clause.split()
        for start, token in enumerate(tokens):
            if _word(token) not in terms:
                continue
            words = tokens[start : start + MAX_WORDS]
            # Up to the comma after the last trending term: "firmware 4.2, stuck at 55F, ..."
            last = max(i for i, w in enumerate(words) if _word(w) in terms)
            end = next((i for i in range(last, len(words)) if words[i].endswith(",")), None)
            words = words if end is None else words[: end + 1]
            while words and not _keeps(words[-1]):
                words.pop()
            if not words:
                continue
            words[-1] = _EDGE.sub("", words[-1])
            found.append((len({_word(w) for w in words} & terms), words))
    return found


def what_happened(brand: str, terms: Sequence[str], complaints: Sequence[str]) -> str:
    """A phrase that fits "We're aware of …": `reports of <brand> <key phrase>`.

    The key phrase runs from a trending term to the end of its clause (or the comma after the
    last trending term in it) in one of the top complaints: the one covering the most trending
    terms, of at least MIN_WORDS words; on a tie the first complaint, then the shortest phrase.
    Without one: `reports of problems with <brand>`.
    """
    wanted = {term.lower() for term in terms}
    best: tuple[int, int, int, int] | None = None  # terms, long enough, -complaint, -words
    phrase: list[str] = []
    for index, text in enumerate(complaints):
        for covered, words in _spans(text, wanted):
            rank = (covered, len(words) >= MIN_WORDS, -index, -len(words))
            if best is None or rank > best:
                best, phrase = rank, words
    if not phrase:
        return f"reports of problems with {brand}"
    body = " ".join(phrase).rstrip(",:")
    has_brand = brand.lower() in body.lower()
    return f"reports of {body}" if has_brand else f"reports of {brand} {body}"
