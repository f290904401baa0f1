"""The bundled demo scenario: reproducible, canonical, and shaped like the story it tells."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from warroom.demo import scenario as demo
from warroom.demo.timeline import load_banks
from warroom.model import Label, LineProblem, Mention, label_for, read_mentions

ID_PREFIX = {
    "mastodon": "mastodon:",
    "bluesky": "bsky:at://did:plc:",
    "hackernews": "hn:",
    "reddit": "reddit:t",
    "rss": "rss:https://",
}


@pytest.fixture(scope="module")
def mentions() -> list[Mention]:
    return demo.generate()


@pytest.fixture(scope="module")
def labels(mentions: list[Mention]) -> dict[str, Label]:
    """VADER's label for every English mention, by id."""
    vader = SentimentIntensityAnalyzer()
    return {
        m.id: label_for(vader.polarity_scores(m.text)["compound"]) for m in mentions if m.is_english
    }


def _window(
    mentions: list[Mention], start: datetime, end: datetime, brand: bool = True
) -> list[Mention]:
    return [m for m in mentions if start <= m.created_at < end and m.is_brand == brand]


def _phases(kind: str) -> list[demo.Phase]:
    return [phase for phase in demo.PHASES if phase.kind == kind]


def _per_minute(mentions: list[Mention], kind: str, brand: bool = True) -> float:
    phases = _phases(kind)
    count = sum(len(_window(mentions, p.start, p.end, brand)) for p in phases)
    return count / sum((p.end - p.start).total_seconds() / 60 for p in phases)


def _share(mentions: list[Mention], labels: dict[str, Label], label: Label) -> float:
    read = [labels[m.id] for m in mentions if m.id in labels]
    return sum(1 for value in read if value == label) / len(read)


def _kind_share(
    mentions: list[Mention], labels: dict[str, Label], kind: str, label: Label
) -> float:
    chosen = [m for p in _phases(kind) for m in _window(mentions, p.start, p.end)]
    return _share(chosen, labels, label)


def test_generation_is_deterministic(mentions: list[Mention]) -> None:
    """Two runs with the default seed give the same mentions."""
    assert demo.generate() == mentions


def test_another_seed_gives_another_stream(mentions: list[Mention]) -> None:
    """The seed drives the randomness: a different seed gives different mentions."""
    assert demo.generate(7) != mentions


def test_bundled_file_equals_generator_output_byte_for_byte(mentions: list[Mention]) -> None:
    """The shipped file is exactly what the generator writes (rerun the module if not)."""
    assert demo.DEMO_PATH.read_bytes() == demo.to_jsonl(mentions).encode("utf-8")


def test_load_reads_the_bundled_file(mentions: list[Mention]) -> None:
    """load() gives the same mentions as the generator."""
    assert demo.load() == mentions


def test_size_is_a_few_thousand_mentions_and_modest_on_disk(mentions: list[Mention]) -> None:
    """A few thousand mentions, and the file stays around 2 MB at most."""
    assert 3000 <= len(mentions) <= 8000
    assert demo.DEMO_PATH.stat().st_size <= 2_200_000


def test_every_line_is_a_canonical_mention() -> None:
    """Every line parses, and writing it back gives the same line."""
    lines = demo.DEMO_PATH.read_text(encoding="utf-8").splitlines()
    problems: list[LineProblem] = []
    parsed = list(read_mentions(lines, "demo", problems.append))
    assert problems == []
    assert len(parsed) == len(lines)
    assert all(m.to_json() == line for m, line in zip(parsed, lines, strict=True))
    assert all(json.loads(line)["created_at"].endswith("Z") for line in lines)


def test_ids_are_unique_and_prefixed_by_source(mentions: list[Mention]) -> None:
    """No two mentions share an id, and each id starts with its source's prefix."""
    assert len({m.id for m in mentions}) == len(mentions)
    assert all(m.id.startswith(ID_PREFIX[m.source]) for m in mentions)


def test_all_sources_take_part(mentions: list[Mention]) -> None:
    """Mastodon, Bluesky, Hacker News, Reddit and RSS all carry mentions."""
    assert set(Counter(m.source for m in mentions)) == set(ID_PREFIX)


def test_sorted_by_event_time_within_the_scenario(mentions: list[Mention]) -> None:
    """The file is in created_at order and every mention falls inside a phase."""
    times = [m.created_at for m in mentions]
    assert times == sorted(times)
    assert all(demo.phase_at(moment) is not None for moment in times)


def test_phases_tile_the_day_in_story_order() -> None:
    """Phases are contiguous, cover every kind, and the trigger and surge start them."""
    for before, after in zip(demo.PHASES, demo.PHASES[1:], strict=False):
        assert before.end == after.start
    kinds = [p.kind for p in demo.PHASES]
    assert set(kinds) == {
        "calm",
        "competitor",
        "praise",
        "trigger",
        "surge",
        "response",
        "recovery",
    }
    assert _phases("trigger")[0].start == demo.TRIGGER_AT
    assert _phases("surge")[0].start == demo.SURGE_START
    assert demo.PHASES[-1].end - demo.PHASES[0].start >= timedelta(hours=5)


def test_calm_brand_chatter_runs_at_a_few_a_minute(mentions: list[Mention]) -> None:
    """Peace time carries a handful of brand mentions a minute and a few competitor ones."""
    assert 4 <= _per_minute(mentions, "calm") <= 12
    assert 1 <= _per_minute(mentions, "calm", brand=False) <= 5


def test_competitor_bad_day_raises_competitor_volume_and_negativity(
    mentions: list[Mention], labels: dict[str, Label]
) -> None:
    """During the Thermly breach competitor mentions at least double and turn negative."""
    assert _per_minute(mentions, "competitor", brand=False) >= 2 * _per_minute(
        mentions, "calm", brand=False
    )
    breach = [m for p in _phases("competitor") for m in _window(mentions, p.start, p.end, False)]
    calm = [m for p in _phases("calm") for m in _window(mentions, p.start, p.end, False)]
    assert _share(breach, labels, Label.NEGATIVE) > _share(calm, labels, Label.NEGATIVE) + 0.05


def test_competitor_posts_naming_both_brands_stay_on_the_competitor_topic(
    mentions: list[Mention],
) -> None:
    """Breach posts that also name Brightwell are filed under competitor:thermly."""
    both = [m for m in mentions if "Thermly" in m.text and "breach" in m.text.lower()]
    assert any("Brightwell" in m.text for m in both)
    assert all(m.topic == demo.COMPETITOR_TOPIC for m in both if "Brightwell" in m.text)


def test_praise_burst_raises_brand_volume_and_positive_share(
    mentions: list[Mention], labels: dict[str, Label]
) -> None:
    """The viral review brings several times the volume, read as positive by VADER."""
    assert _per_minute(mentions, "praise") >= 3 * _per_minute(mentions, "calm")
    calm = _kind_share(mentions, labels, "calm", Label.POSITIVE)
    assert _kind_share(mentions, labels, "praise", Label.POSITIVE) > calm + 0.15


def test_surge_brings_at_least_three_times_calm_brand_volume(mentions: list[Mention]) -> None:
    """The negative surge runs at three times or more the calm brand volume."""
    assert _per_minute(mentions, "surge") >= 3 * _per_minute(mentions, "calm")


def test_surge_is_read_more_negative_than_calm(
    mentions: list[Mention], labels: dict[str, Label]
) -> None:
    """VADER sees a clearly higher negative share in the surge than in calm chatter."""
    calm = _kind_share(mentions, labels, "calm", Label.NEGATIVE)
    assert _kind_share(mentions, labels, "surge", Label.NEGATIVE) > calm + 0.05


def test_conversation_recovers_by_the_end(
    mentions: list[Mention], labels: dict[str, Label]
) -> None:
    """In the last half hour volume is near calm again and negativity is below the surge's."""
    end = demo.PHASES[-1].end
    tail = _window(mentions, end - timedelta(minutes=30), end)
    assert len(tail) / 30 < 2 * _per_minute(mentions, "calm")
    surge = _kind_share(mentions, labels, "surge", Label.NEGATIVE)
    assert _share(tail, labels, Label.NEGATIVE) < surge - 0.05


def test_first_reports_precede_the_surge(mentions: list[Mention]) -> None:
    """Firmware 4.2 complaints start at the trigger, not before."""
    firmware = [m for m in mentions if m.is_brand and re.search(r"\b4\.2\b", m.text)]
    assert min(m.created_at for m in firmware) >= demo.TRIGGER_AT
    assert min(m.created_at for m in firmware) < demo.SURGE_START


def test_brand_posts_holding_statement_apology_and_fix_in_order(mentions: list[Mention]) -> None:
    """@brightwell's own posts are mentions on Mastodon: aware, then sorry, then fixed."""
    own = [m for m in mentions if m.author == "brightwell"]
    assert own and all(m.source == "mastodon" and m.is_brand for m in own)

    def first(words: str) -> datetime:
        return min(m.created_at for m in own if m.text.startswith(words))

    assert demo.SURGE_START < first("We're aware") < first("We're sorry") < first("Update: the fix")
    assert demo.phase_at(first("We're aware")).kind == "response"


def test_non_english_and_unlabelled_posts_are_present(mentions: list[Mention]) -> None:
    """Some posts are German, French or Spanish, and some carry no language at all."""
    langs = Counter(m.lang for m in mentions)
    assert all(langs[tag] > 0 for tag in ("de", "fr", "es"))
    assert (langs["de"] + langs["fr"] + langs["es"]) / len(mentions) >= 0.02
    assert langs[None] > 0


def test_reposts_and_identical_texts_are_present(mentions: list[Mention]) -> None:
    """People repost: RT-style posts and the same words from different authors."""
    surge = [m for p in _phases("surge") for m in _window(mentions, p.start, p.end)]
    retweets = sum(1 for m in surge if m.text.startswith("RT @"))
    counts = Counter(m.text for m in surge)
    copies = sum(n - 1 for n in counts.values() if n > 1)
    assert retweets / len(surge) >= 0.03
    assert copies / len(surge) >= 0.05


def test_reach_is_heavy_tailed(mentions: list[Mention]) -> None:
    """Most authors are small; a few reporters and influencers reach 50k-500k people."""
    reach = [m.reach for m in mentions if m.reach is not None]
    assert statistics.median(reach) < 1000
    assert 50_000 <= max(reach) <= 500_000


def test_texts_have_no_unfilled_template_slots(mentions: list[Mention]) -> None:
    """Every slot in a template was filled."""
    assert not [m.text for m in mentions if re.search(r"\{\w+\}", m.text)]


def test_check_passes_on_the_bundled_file(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m warroom.demo.scenario --check` accepts the shipped file."""
    demo.main(["--check"])
    assert "is current" in capsys.readouterr().out


def test_check_fails_on_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--check exits 1 when the file differs from the generator."""
    stale = tmp_path / "demo.jsonl"
    stale.write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr(demo, "DEMO_PATH", stale)
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--check"])
    assert exit_info.value.code == 1


def test_rewrite_writes_the_generator_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mentions: list[Mention]
) -> None:
    """Without --check the module rewrites the file from the generator."""
    target = tmp_path / "demo.jsonl"
    monkeypatch.setattr(demo, "DEMO_PATH", target)
    demo.main([])
    assert target.read_text(encoding="utf-8") == demo.to_jsonl(mentions)


def test_template_before_a_header_is_reported_with_its_line(tmp_path: Path) -> None:
    """A template bank file with a stray line names the file and line."""
    bad = tmp_path / "texts.txt"
    bad.write_text("# banks\nHello Brightwell\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"texts\.txt:2"):
        load_banks(bad)
