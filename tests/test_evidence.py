"""Evidence people can trust: negative public mentions, copies grouped, one item per author."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.conftest import T0
from warroom.clock import FrozenClock
from warroom.demo import scenario as demo_scenario
from warroom.detection.evidence import Piece, duplicate_key, group_evidence
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import Signals
from warroom.incident.engine import Engine
from warroom.incident.log import IncidentStore
from warroom.incident.session import InProcessScoring, Session
from warroom.model import Mention, OwnAccounts, ScoredMention
from warroom.review.aggregates import build_aggregates
from warroom.tui.launch import default_playbook

COMPLAINT = "The 4.2 update bricked my thermostat. Terrible, we have no heat"


def piece(text: str, author: str | None, reach: int, url: str | None = None) -> Piece[str]:
    return Piece(f"{author}:{reach}", text, author, reach, Scorer().compound(text), url)


def test_reposts_links_handles_and_case_do_not_make_a_new_text() -> None:
    """`RT @x:`, a link, an @handle and capitals are not part of what is compared."""
    key = duplicate_key(COMPLAINT)
    assert duplicate_key(f"RT @dana@mastodon.social: {COMPLAINT}") == key
    assert duplicate_key(f"{COMPLAINT.upper()} https://example.com/p/1 @brightwell") == key
    assert duplicate_key("The 4.2 update bricked my fridge") != key


def test_copies_are_one_item_with_their_count_and_total_reach() -> None:
    """Three copies by three authors are one item ×3 whose reach is the three together."""
    items = group_evidence(
        [
            piece(COMPLAINT, "ana", 100),
            piece(f"RT @ana: {COMPLAINT}", "bo", 50),
            piece(COMPLAINT.lower() + "!!", "cy", 25),
            piece("Support never answered me, awful", "dee", 120),
        ],
        limit=3,
    )
    assert [(i.item, i.copies, i.reach) for i in items] == [
        ("ana:100", 3, 175),
        ("dee:120", 1, 120),
    ]


def test_a_quote_post_joins_the_post_it_quotes() -> None:
    """A few words of one's own before the quoted text, or the quoted post's link, is a copy."""
    original = piece(COMPLAINT, "ana", 500, url="https://news.example/a/1")
    items = group_evidence(
        [
            original,
            piece(f"Oof. {COMPLAINT}", "bo", 40),
            piece("Awful, look at this https://news.example/a/1", "cy", 30),
        ],
        limit=3,
    )
    assert [(i.item, i.copies, i.reach) for i in items] == [("ana:500", 3, 570)]


def test_one_item_per_author() -> None:
    """An author with many complaints is represented once, by their most-reached one."""
    items = group_evidence(
        [
            piece("Refund please, the app is broken", "loud", 900),
            piece("Still broken, awful support", "loud", 800),
            piece("Terrible, the heating failed", "LOUD", 700),
            piece("My thermostat died overnight, horrible", "quiet", 10),
        ],
        limit=3,
    )
    assert [i.item for i in items] == ["loud:900", "quiet:10"]


def test_each_item_names_the_terms_that_made_it_negative() -> None:
    """The negative words of the lexicon, and a negated positive one, in text order."""
    scorer = Scorer()
    assert scorer.negative_terms(COMPLAINT) == ["bricked", "terrible"]
    assert scorer.negative_terms("this is not good and the app crashed") == ["not good", "crashed"]
    items = group_evidence([piece(COMPLAINT, "ana", 1)], limit=3, terms=scorer.negative_terms)
    assert items[0].terms == ("bricked", "terrible") and items[0].compound < -0.05


def _session(data_dir: Path, moment, handles: tuple[str, ...]) -> Session:
    session = Session(
        store=IncidentStore(data_dir),
        clock=FrozenClock(moment),
        brand=demo_scenario.BRAND,
        playbook=default_playbook(),
        scoring=InProcessScoring(),
        drill=True,
    )
    session.engine.accounts = OwnAccounts(handles)
    session.open("Drill")
    return session


def test_the_declare_prompt_evidence_ignores_our_posts(
    tmp_path: Path, demo_scored: list[ScoredMention]
) -> None:
    """At the drill's peak, the evidence with our posts marked is the evidence without them."""
    moment = demo_scenario.SURGE_START + timedelta(minutes=25)
    before = [s for s in demo_scored if s.mention.created_at < moment]
    accounts = OwnAccounts(demo_scenario.HANDLES)
    public = [s for s in before if not accounts.owns(s.mention)]
    marked = _session(tmp_path / "a", moment, demo_scenario.HANDLES)
    marked.take_scored(before)
    plain = _session(tmp_path / "b", moment, ())
    plain.take_scored(public)
    evidence = marked.evidence(limit=5)
    assert evidence.to_dict() == plain.evidence(limit=5).to_dict()
    assert evidence.top_negative and all(
        not e.item.mention.ours and e.compound <= -0.05 and e.terms for e in evidence.top_negative
    )
    authors = [e.item.mention.author for e in evidence.top_negative]
    assert len(set(authors)) == len(authors)
    marked.shutdown()
    plain.shutdown()


def test_the_report_groups_copies_and_authors(clock: FrozenClock, data_dir: Path) -> None:
    """The review's most-reached negative mentions: one item ×3 and one per author."""

    def at(n: int, text: str, author: str, reach: int) -> Mention:
        return Mention(f"t:{n}", "x", text, T0 + timedelta(seconds=n), author, reach=reach)

    log = IncidentStore(data_dir).create("t", clock=clock)
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer(), log=log)
    engine.ingest(
        [
            at(1, COMPLAINT, "ana", 300),
            at(2, f"RT @ana: {COMPLAINT}", "bo", 200),
            at(3, COMPLAINT, "cy", 100),
            at(4, "Support is awful and slow", "ana", 250),
            at(5, "I love my thermostat", "dee", 5000),
        ]
    )
    engine.close()
    log = IncidentStore(data_dir).open(log.meta.slug, clock=clock, writable=False)
    top = build_aggregates(log, engine.signals.rule).top_negative
    log.close()
    assert [(t["id"], t["copies"], t["total_reach"]) for t in top] == [("t:1", 3, 600)]
    assert top[0]["terms"] == ["bricked", "terrible"]
