"""The brand's own posts: marked at ingest, stored as ours, kept out of every figure."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import T0
from warroom.clock import FrozenClock
from warroom.demo import scenario as demo_scenario
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import Signals
from warroom.incident.engine import Engine
from warroom.incident.log import IncidentStore
from warroom.model import Mention, OwnAccounts, ScoredMention
from warroom.offline.analyze import analyze
from warroom.review.aggregates import build_aggregates
from warroom.tui.widgets.feed import OURS_BADGE, FeedFilter, FeedRow

HANDLES = ("@brightwell", "support@mastodon.social", "brightwell.bsky.social")


def post(n: int, author: str, *, source: str = "x", url: str | None = None, **extra) -> Mention:
    text = extra.pop("text", "the thermostat broke again, terrible")
    return Mention(f"t:{n}", source, text, T0 + timedelta(minutes=n), author, url, **extra)


def public_only(mentions: list[Mention]) -> list[Mention]:
    accounts = OwnAccounts(demo_scenario.HANDLES)
    return [m for m in mentions if not accounts.owns(m)]


@pytest.fixture(scope="module")
def demo() -> list[Mention]:
    return demo_scenario.load()


def test_handles_are_matched_as_each_network_writes_them() -> None:
    """`@name`, `name@instance` (or a local `name` read on that instance) and Bluesky handles."""
    accounts = OwnAccounts(HANDLES)
    assert accounts.owns(post(1, "BrightWell"))
    assert accounts.owns(post(2, "u/brightwell", source="reddit"))
    assert accounts.owns(post(3, "Brightwell.bsky.social", source="bluesky"))
    assert accounts.owns(post(4, "support@mastodon.social", source="mastodon"))
    local = "https://mastodon.social/@support/1"
    assert accounts.owns(post(5, "support", source="mastodon", url=local))
    elsewhere = "https://other.example/@support/1"
    assert not accounts.owns(post(6, "support", source="mastodon", url=elsewhere))
    assert not accounts.owns(post(7, "brightwellfan"))
    assert not accounts.owns(post(8, None))


def test_a_reply_to_our_post_stays_a_public_mention(clock: FrozenClock) -> None:
    """Naming or answering @brightwell does not make a post ours: only its author does."""
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer())
    engine.accounts = OwnAccounts(HANDLES)
    update = engine.ingest([post(1, "dana", text="@brightwell your update bricked my heating")])
    assert not update.mentions[0].mention.ours
    assert engine.stats.ours == 0 and engine.signals.series()[0].volume == 1


def test_input_cannot_claim_to_be_ours(clock: FrozenClock) -> None:
    """A posted `"ours": true` is overruled at ingest: only the configured handles decide."""
    data = {**post(1, "dana").to_dict(), "ours": True}
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer())
    engine.accounts = OwnAccounts(HANDLES)
    update = engine.ingest([Mention.from_dict(data)])
    assert not update.mentions[0].mention.ours
    assert engine.signals.series()[0].volume == 1


def test_a_stream_with_our_posts_has_the_same_figures_as_without(demo: list[Mention]) -> None:
    """Series (volume, negative share), level changes and trending terms ignore our 20 posts."""
    with_ours = analyze(demo, brand="Brightwell", handles=demo_scenario.HANDLES)
    without = analyze(public_only(demo), brand="Brightwell")
    assert with_ours.summary["ours"] == 20 and without.summary["ours"] == 0
    mine, theirs = with_ours.to_json(), without.to_json()
    assert mine["series"] == theirs["series"]
    assert mine["alerts"] == theirs["alerts"] and mine["alerts"]
    assert mine["trending"] == theirs["trending"]


def test_without_handles_our_posts_count_as_the_public(demo: list[Mention]) -> None:
    """The comparison above can fail: unmarked, the brand's posts change the figures."""
    unmarked = analyze(demo, brand="Brightwell").to_json()
    without = analyze(public_only(demo), brand="Brightwell").to_json()
    assert unmarked["series"] != without["series"]


def test_our_posts_are_stored_flagged_and_left_out_on_resume(
    clock: FrozenClock, data_dir: Path
) -> None:
    """The log keeps our posts with `"ours": true`; a resumed engine still leaves them out."""
    store = IncidentStore(data_dir)
    log = store.create("t", clock=clock)
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer(), log=log)
    engine.accounts = OwnAccounts(HANDLES)
    engine.ingest([post(1, "brightwell", text="Sorry, a fix is coming"), post(2, "dana")])
    engine.close()
    with store.open(log.meta.slug, clock=clock, writable=False) as stored:
        records = list(stored.mention_records())
        assert [r["mention"].get("ours", False) for r in records] == [True, False]
    again = Engine(clock=clock, signals=Signals(), scorer=Scorer())
    again.accounts = OwnAccounts(HANDLES)
    again.attach(store.open(log.meta.slug, clock=clock), resume=True)
    assert [m.volume for m in again.signals.series() if m.volume] == [1]
    assert [s.mention.ours for s in again.feed.recent] == [True, False]
    again.close()


def test_the_review_leaves_our_stored_posts_out(clock: FrozenClock, data_dir: Path) -> None:
    """The review's per-minute rows and top mentions, replayed from the log, skip ours."""
    log = IncidentStore(data_dir).create("t", clock=clock)
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer(), log=log)
    engine.accounts = OwnAccounts(HANDLES)
    ours = post(1, "brightwell", text="Terrible news: we are sorry, the update failed", reach=9000)
    engine.ingest([ours, post(2, "dana", reach=10)])
    engine.close()
    log = IncidentStore(data_dir).open(log.meta.slug, clock=clock, writable=False)
    aggregates = build_aggregates(log, engine.signals.rule)
    log.close()
    assert sum(row.volume for row in aggregates.rows) == 1
    assert [item["id"] for item in aggregates.top_negative] == ["t:2"]


def test_analyze_with_a_config_counts_ours_apart(tmp_path: Path, demo: list[Mention]) -> None:
    """`analyze FILE --config warroom.yaml --json`: one JSON object, our posts in `summary.ours`."""
    from warroom.tui.main import main

    config = tmp_path / "warroom.yaml"
    config.write_text(
        "brand: Brightwell\n"
        "topics:\n  brand:\n    keywords: [brightwell]\n"
        "    handles: [brightwell@mastodon.social]\n"
    )
    result = CliRunner().invoke(
        main, ["analyze", str(demo_scenario.DEMO_PATH), "--config", str(config), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"series", "alerts", "trending", "summary"}
    assert data["summary"]["ours"] == 20
    plain = CliRunner().invoke(main, ["analyze", str(demo_scenario.DEMO_PATH), "--json"])
    assert json.loads(plain.stdout)["summary"]["ours"] == 0


def test_the_feed_filter_ours_keeps_only_our_posts() -> None:
    """`/ours` shows the brand's posts only; `/public` everything else."""
    rows = [
        FeedRow.of(ScoredMention(m, Scorer().score(m)))
        for m in (post(1, "brightwell", ours=True), post(2, "dana"))
    ]
    assert [r.item.mention.id for r in rows if FeedFilter.parse("ours").matches(r)] == ["t:1"]
    assert [r.item.mention.id for r in rows if FeedFilter.parse("public").matches(r)] == ["t:2"]
    assert FeedFilter.parse("ours").active and FeedFilter.parse("ours").describe() == "ours"


async def test_the_feed_marks_our_posts_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our rows carry the OURS badge in reverse video and italic text, even with NO_COLOR."""
    from textual.app import App, ComposeResult

    from warroom.tui.widgets.feed import MentionFeed

    monkeypatch.setenv("NO_COLOR", "1")
    clock = FrozenClock(T0 + timedelta(minutes=5))

    class FeedApp(App[None]):
        def compose(self) -> ComposeResult:
            yield MentionFeed(clock)

    app = FeedApp()
    async with app.run_test(size=(100, 10)) as pilot:
        feed = app.query_one(MentionFeed)
        items = [post(1, "dana"), post(2, "brightwell", ours=True, text="Sorry, a fix is coming")]
        feed.add(ScoredMention(m, Scorer().score(m)) for m in items)
        await pilot.pause()
        feed.render_lines(feed.region)  # looks the styles up, as a frame does
        ours, public = feed.render_line(0), feed.render_line(1)
        assert OURS_BADGE in ours.text and OURS_BADGE not in public.text
        badge = next(s for s in ours if s.text == OURS_BADGE)
        assert badge.style is not None and badge.style.reverse and badge.style.bold
        text = next(s for s in ours if "fix is coming" in s.text)
        assert text.style is not None and text.style.italic


def test_signals_do_not_count_our_posts_whoever_feeds_them() -> None:
    """Signals.add and the review's Signals.count leave a post marked ours out."""
    signals = Signals()
    ours = post(1, "brightwell", ours=True)
    signals.add(ScoredMention(ours, Scorer().score(ours)))
    assert signals.series() == []
    assert not signals.count(1, "brand", -0.5, None, 10, ours=True)
    assert signals.series() == []
