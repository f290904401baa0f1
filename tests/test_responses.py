"""Responses measured, not assumed: our posts first, then public steps, then published drafts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.test_metrics import WORKED, at, make_incident, review_of, scenario_mentions
from warroom.model import EventKind, Label, Mention, Score, ScoredMention, format_time
from warroom.review.metrics import ACKNOWLEDGEMENT, is_ours, our_posts, reactions
from warroom.tui.main import main

HOLDING = "We're aware that refunds fail in the app. Next update by 10:15 UTC."
APOLOGY = "We're sorry: refunds failed for two hours. Here is what we fixed."


def record(minute: int, label: str | None = "negative", ours: bool = False) -> dict[str, Any]:
    """A stored mention record as the log writes it, `minute` minutes after 09:00."""
    mention = {
        "id": f"demo:{minute}:{label}:{ours}",
        "source": "demo",
        "text": APOLOGY if ours else "refund broken",
        "created_at": format_time(at(9, 0) + timedelta(minutes=minute)),
    }
    if ours:
        mention["ours"] = True
    return {"seq": minute, "mention": mention, "compound": None, "label": label}


def test_is_ours_reads_the_record_or_its_mention() -> None:
    """The flag counts on the stored record or on the mention inside it."""
    assert is_ours({"ours": True, "mention": {}})
    assert is_ours({"mention": {"ours": True}})
    assert not is_ours({"mention": {"text": "ours"}})
    assert not is_ours({"ours": "yes", "mention": {"ours": 1}})


def test_the_reaction_is_30_minutes_after_against_30_before() -> None:
    """Volume and negative share of the public's mentions around one post; ours left out."""
    records = [record(minute) for minute in range(0, 30)]  # 30 before, all negative
    records += [record(minute, "positive") for minute in range(30, 50)]  # 20 after
    records += [record(minute, "negative") for minute in range(50, 60)]  # 10 after
    records += [record(minute, None) for minute in range(60, 70)]  # 10 after, unscored
    records.append(record(30, ours=True))
    posts = our_posts(records)
    assert [post.at for post in posts] == [at(9, 30)] and posts[0].apology
    (reaction,) = reactions(records, posts)
    assert (reaction.before_volume, reaction.after_volume) == (30, 30)
    assert reaction.before_share == 1.0
    assert reaction.after_share == 10 / 30  # of the 30 scored after: 10 negative


def with_posts(*posts: tuple[int, int, str]) -> list[ScoredMention]:
    """The metrics scenario with our own posts at (hour, minute) added."""
    mentions = scenario_mentions()
    for number, (hour, minute, text) in enumerate(posts):
        mention = Mention(f"demo:ours{number}", "demo", text, at(hour, minute), ours=True)
        mentions.append(ScoredMention(mention, Score(0.1, Label.NEUTRAL)))
    return mentions


def report(slug: str) -> str:
    result = CliRunner().invoke(main, ["report", slug], catch_exceptions=False)
    assert result.exit_code == 0
    return result.output


def test_our_posts_give_the_response_times_and_say_so(data_dir: Path) -> None:
    """With posts of ours, first response and apology are theirs; cadence and reactions shown."""
    slug = make_incident(data_dir, mentions=with_posts((9, 40, HOLDING), (10, 10, APOLOGY)))
    review = review_of(data_dir, slug)
    m = review.metrics
    assert (m.first_response, m.first_response_source) == (at(9, 40), "our posts")
    assert (m.apology, m.apology_source) == (at(10, 10), "our posts")
    assert m.cadence() == [timedelta(minutes=30)]
    assert m.longest_silence == timedelta(minutes=110)  # 10:10 to the close at 12:00
    assert [r.at for r in m.reactions] == [at(9, 40), at(10, 10)]
    output = report(slug)
    assert "| first public response | Sat 14 Mar 09:40 |" in output
    assert "from our posts" in output
    assert "Public responses: 2 (from our posts); gaps 30m 00s." in output
    assert "Longest silence: 1h 50m" in output
    assert "| posted | post | volume before |" in output


def test_a_routine_post_mid_crisis_is_not_the_first_response(data_dir: Path) -> None:
    """A scheduled tip that says nothing of the problem is ours, but not a response to it."""
    promo = "Spring is here! Tip: switch your schedule to 'Shoulder season' and save."
    slug = make_incident(data_dir, mentions=with_posts((9, 35, promo), (9, 40, HOLDING)))
    m = review_of(data_dir, slug).metrics
    assert (m.first_response, m.first_response_source) == (at(9, 40), "our posts")
    assert [r.at for r in m.reactions] == [at(9, 35), at(9, 40)]  # its reaction is still shown


@pytest.mark.parametrize(
    ("text", "responds"),
    [
        ("We are seeing delays to card payments. Next update at 10:00.", True),
        ("Our app is down for some users; we're investigating.", True),
        ("Payments are back to normal. Thank you for your patience.", True),
        ("@jo Sorry about the trouble! DM us if it's still offline.", True),
        ("DM us for 20% off this weekend!", False),
        ("The new issue of our magazine is out", False),
        ("Reach out to book a demo", False),
        ("No problem is too big for our team", False),
        ("Tip: switch your schedule to 'Shoulder season'", False),
    ],
)
def test_a_post_responds_when_it_speaks_to_a_problem(text: str, responds: bool) -> None:
    assert (ACKNOWLEDGEMENT.search(text) is not None) is responds


def test_without_posts_the_public_steps_give_the_times(data_dir: Path) -> None:
    """No post of ours: the first public step check, named, with its source."""
    slug = make_incident(data_dir)
    m = review_of(data_dir, slug).metrics
    assert (m.first_response_source, m.first_response_step) == ("steps", "holding-statement")
    assert m.apology_source == "steps"
    assert "from steps: holding-statement" in report(slug)


def test_without_posts_or_steps_published_drafts_give_the_times(data_dir: Path) -> None:
    """Only drafts marked published: they are the responses, and the report says so."""
    published = {
        "template": "apology",
        "text": "Sorry",
        "tone": 0.1,
        "published": True,
        "channel": "x",
        "link": "https://x.example/1",
    }
    events = [e for e in WORKED if e[1] is not EventKind.STEP_CHECKED]
    events.insert(-1, (at(10, 45), EventKind.DRAFT, published, "bob"))
    slug = make_incident(data_dir, events)
    m = review_of(data_dir, slug).metrics
    assert (m.first_response, m.first_response_source) == (at(10, 45), "published drafts")
    assert (m.apology, m.apology_source) == (at(10, 45), "published drafts")
    output = report(slug)
    assert "from published drafts" in output
    assert "published on x (https://x.example/1) from apology" in output
