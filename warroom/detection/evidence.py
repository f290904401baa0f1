"""Evidence people can trust: negative mentions with near-duplicates grouped, one per author."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# A retweet's or boost's prefix: `RT @someone@instance: `.
_REPOST = re.compile(r"^\s*(?:rt|boost(?:ed)?|repost(?:ed)?)\s*:?\s*@\S+\s*:?\s*", re.IGNORECASE)
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@[\w.-]+(?:@[\w.-]+)?")
_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# A quote post repeats the original's text after a few words of its own: the original's words
# are found inside the quote's only when there are enough of them to be the same post.
MIN_QUOTED_CHARS = 24


def duplicate_key(text: str) -> str:
    """The text as compared for near-duplicates: no repost prefix, links, handles or case."""
    text = _REPOST.sub("", text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    return " ".join(_WORDS.findall(text.lower()))


@dataclass(frozen=True)
class Piece(Generic[T]):
    """One candidate: the caller's item and what grouping needs to know of it."""

    item: T
    text: str
    author: str | None
    reach: int
    compound: float
    url: str | None = None


@dataclass
class EvidenceItem(Generic[T]):
    """One piece of evidence: the most-reached copy of a text, its copies and their reach."""

    item: T  # the most-reached copy
    text: str
    author: str | None
    compound: float
    copies: int = 1
    reach: int = 0  # of every copy together
    terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """What the log and the report keep beside the item itself."""
        return {
            "copies": self.copies,
            "total_reach": self.reach,
            "compound": self.compound,
            "terms": list(self.terms),
        }


def group_evidence(
    pieces: Iterable[Piece[T]],
    *,
    limit: int,
    terms: Callable[[str], Iterable[str]] | None = None,
) -> list[EvidenceItem[T]]:
    """The `limit` most-reached items: near-duplicates (same text after normalization, reposts,
    quote posts) grouped as one with their copies and total reach, at most one per author.

    `pieces` must already be negative and not ours; `terms` names the words that made one so.
    """
    ordered = sorted(pieces, key=lambda piece: piece.reach, reverse=True)
    groups: list[EvidenceItem[T]] = []
    keys: list[str] = []
    urls: list[str | None] = []
    by_key: dict[str, int] = {}
    for piece in ordered:
        key = duplicate_key(piece.text)
        index = by_key.get(key) if key else None
        if index is None and key:
            index = _quoted(piece.text, key, keys, urls)
        if index is None:
            index = len(groups)
            groups.append(EvidenceItem(piece.item, piece.text, piece.author, piece.compound))
            keys.append(key)
            urls.append(piece.url)
            if key:
                by_key[key] = index
            group = groups[index]
        else:
            group = groups[index]
            group.copies += 1
        group.reach += piece.reach
    groups.sort(key=lambda group: group.reach, reverse=True)
    chosen: list[EvidenceItem[T]] = []
    authors: set[str] = set()
    for group in groups:
        author = (group.author or "").lower()
        if author and author in authors:
            continue
        if author:
            authors.add(author)
        if terms is not None:
            group.terms = tuple(terms(group.text))
        chosen.append(group)
        if len(chosen) >= limit:
            break
    return chosen


def _quoted(text: str, key: str, keys: list[str], urls: list[str | None]) -> int | None:
    """The group this post quotes or is quoted by: its link, or the same words inside."""
    for index, (other, url) in enumerate(zip(keys, urls, strict=True)):
        if url and url in text:
            return index
        if not other:
            continue
        shorter, longer = (other, key) if len(other) <= len(key) else (key, other)
        if len(shorter) >= MIN_QUOTED_CHARS and f" {shorter} " in f" {longer} ":
            return index
    return None
