"""What happened, suggested from the evidence as a phrase that fits "We're aware of …"."""

from __future__ import annotations

from pathlib import Path

from tests.tui_support import CRISIS_AT, drill_at
from warroom.detection.phrase import what_happened


def test_the_drills_evidence_gives_a_phrase_after_we_are_aware_of(
    data_dir: Path, demo_scored: list
) -> None:
    """In the drill's crisis the suggestion names the brand and the complaint, not a term list."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    evidence = session.evidence()
    assert len(evidence.trending) >= 2
    phrase = evidence.issue("Brightwell")
    assert phrase.startswith("reports of Brightwell ")
    assert ", ".join(evidence.trending[:2]) not in phrase  # no bare comma list of terms
    assert "stuck" in phrase and len(phrase.split()) <= 14
    sentence = f"We're aware of {phrase}."
    assert not sentence.endswith(("?.", "!.", ",."))


def test_the_complaint_covering_most_trending_terms_gives_the_phrase() -> None:
    """From a trending term to the end of its clause, in the complaint covering the most terms."""
    complaints = [
        "Brightwell's firmware is awful. Everything stuck again #fail",
        "Anyone else's Brightwell stuck at 55°F after this morning's update? So cold",
    ]
    phrase = what_happened("Brightwell", ["stuck", "update"], complaints)
    assert phrase == "reports of Brightwell stuck at 55°F after this morning's update"


def test_without_a_trending_term_in_any_complaint_the_phrase_is_general() -> None:
    """No complaint holds a trending term: a plain phrase that still fits the sentence."""
    assert what_happened("Acme", ["refund"], ["so cold"]) == "reports of problems with Acme"


def test_hashtags_and_links_do_not_end_the_phrase() -> None:
    """Trailing hashtags, handles and links are left out of the phrase."""
    phrase = what_happened("Acme", ["refunds"], ["refunds failing again #acmefail https://x.y"])
    assert phrase == "reports of Acme refunds failing again"
