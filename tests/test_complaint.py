"""The complaint layer: which cues fire, what they weigh, the reasons shown, and its limits."""

from __future__ import annotations

import time

import pytest

from warroom.detection.complaint import (
    CUES,
    MAX_SHIFT,
    as_vader_should_read,
    combine,
    find_cues,
    normalized,
    shift,
    vader_sum,
)
from warroom.detection.sentiment import Scorer
from warroom.model import Label


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


def names(text: str) -> list[str]:
    return [cue.name for cue in find_cues(text)]


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("still waiting for a callback", "still waiting"),
        ("it's still not fixed", "still waiting"),
        ("been on hold since lunch", "on hold"),
        ("waited 3 hours for an engineer", "long wait"),
        ("I emailed over two weeks ago", "long wait"),
        ("support is not answering", "no response"),
        ("no reply to my ticket", "no response"),
        ("the app is down again", "again"),
        ("the app is down, third time this month", "again and again"),
        ("my order was cancelled", "failed"),
        ("parcel never arrived", "failed"),
        ("charged twice for one order", "failed"),
        ("the app won't load", "not working"),
        ("can't log in since the update", "not working"),
        ("it keeps crashing", "not working"),
        ("I want a refund", "demand"),
        ("fix this now", "demand"),
        ("cancel my subscription", "demand"),
        ("thanks for nothing", "sarcasm"),
        ("great, another outage", "sarcasm"),
        ("love waking up to no hot water", "sarcasm"),
        ("not gonna lie, the worst purchase", "not gonna lie"),
        ("customer support said to wait", "service names"),
        ("please, anyone", "request"),
        ("they fixed it within the hour", "resolved"),
        ("working again, thanks", "resolved"),
        ("12 years with them and never had a single problem", "no problems"),
        ("awful day, at least the bank approved my loan", "after 'at least'"),
        ("servers will be down for maintenance sunday 1am", "notice"),
    ],
)
def test_each_cue_fires_on_the_words_it_names(text: str, cue: str) -> None:
    assert cue in names(text)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("no more waiting in line, the new app is brilliant", "long wait"),
        ("I was not stuck at all, smooth ride", "failed"),
        ("never lost a parcel with them", "failed"),
        ("the app walked me through it, only got stuck on wifi once", "failed"),
        ("I still love this phone", "still waiting"),
        ("thanks a lot for the quick fix", "sarcasm"),
        ("great phone, great price", "sarcasm"),
        ("thanks for the help!", "request"),
        ("what time do you open?", "problem question"),
        ("fyi the app is broken again, no one answers", "notice"),
    ],
)
def test_cues_do_not_fire_on_innocent_or_negated_words(text: str, cue: str) -> None:
    assert cue not in names(text)


def test_every_cue_has_a_reason_and_a_weight_on_vaders_scale() -> None:
    for cue in CUES:
        assert cue.reason and cue.name
        assert -4.0 <= cue.weight <= 4.0
        assert (cue.kind == "reading") == (cue.replacement is not None)


def test_a_question_reports_a_problem_only_with_problem_words() -> None:
    assert "problem question" in names("why is the app down again?")
    assert "problem question" in names("anyone else unable to log in?")
    assert "problem question" not in names("when does the new season start?")


def test_combine_adds_the_weights_to_vaders_sum_of_valences() -> None:
    # normalized() is VADER's own normalization: x / sqrt(x^2 + 15).
    assert normalized(0.0) == 0.0
    for compound in (-0.9, -0.3, 0.0, 0.4, 0.85):
        assert normalized(vader_sum(compound)) == pytest.approx(compound, abs=1e-4)
    fired = find_cues("still waiting for my refund")
    expected = normalized(vader_sum(0.0) + shift(fired))
    assert combine(0.0, fired) == expected
    assert expected < -0.5
    assert combine(0.4, []) == 0.4


def test_the_shift_is_capped_and_a_resolved_problem_does_not_count_twice() -> None:
    rant = find_cues(
        "still waiting, on hold 3 hours, no response, down again, cancelled, won't load, refund"
    )
    assert shift(rant) == -MAX_SHIFT
    fixed = find_cues("was stuck on hold 2 hours but they fixed it in the end")
    assert shift(fixed) > 0


def test_sarcasm_stops_the_praise_from_counting(scorer: Scorer) -> None:
    explained = scorer.explain("Oh great, thanks a lot for deleting my account. Wonderful.")
    assert explained.vader > 0.5  # VADER reads praise
    assert explained.label is Label.NEGATIVE
    assert [cue.name for cue in explained.cues] == ["sarcasm"]


@pytest.mark.parametrize(
    "text",
    [
        # Misread in the drill (issue 14): VADER scored each of these positive.
        "Brightwell support is not answering. Anyone got through?",
        "Not gonna lie, worst smart home purchase I've made",
        "thanks for nothing Brightwell, hub offline since Tuesday",
        "still waiting for my refund",
        "been on hold for 45 minutes lol",
        "Please help, I cannot log in",
    ],
)
def test_complaints_vader_misses_read_negative(scorer: Scorer, text: str) -> None:
    explained = scorer.explain(text)
    assert explained.label is Label.NEGATIVE, (explained.vader, explained.cues)
    assert explained.cues


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Thank you so much for the quick help!", Label.POSITIVE),
        ("No more waiting, they fixed it in 5 min!", Label.POSITIVE),
        ("Love my new headphones, best purchase this year", Label.POSITIVE),
        ("What time does the store open on Sunday?", Label.NEUTRAL),
        # Praise that the sarcasm cues once turned negative (found in review).
        ("Thanks a lot, you guys are great!", Label.POSITIVE),
        ("Love the way the new app looks!", Label.POSITIVE),
        ("Love when my order arrives early", Label.POSITIVE),
        ("So glad I paid for premium, totally worth it", Label.POSITIVE),
        ("The classic burger is amazing", Label.POSITIVE),
        ("Oh nice, new feature dropped!", Label.POSITIVE),
        # Complaints that the resolved cue once turned positive (found in review).
        ("3 weeks and you still haven't fixed it", Label.NEGATIVE),
        ("Nobody has fixed the app in 3 days, it keeps crashing", Label.NEGATIVE),
        ("The bug is back again, app keeps crashing", Label.NEGATIVE),
        ("can't fault them tbh, never had a single problem", Label.POSITIVE),
        ("worst shift of my life. at least the noodles here are amazing", Label.POSITIVE),
        ("Deliveries may be delayed in the highlands this week due to snow", Label.NEUTRAL),
        ("Can you please tell me the opening hours?", Label.NEUTRAL),
    ],
)
def test_praise_and_plain_questions_keep_their_label(
    scorer: Scorer, text: str, label: Label
) -> None:
    assert scorer.explain(text).label is label


def test_the_explanation_is_what_the_mention_is_scored(scorer: Scorer) -> None:
    text = "support is not answering, 2 hours on hold"
    explained = scorer.explain(text)
    assert explained.compound == scorer.compound(text)
    assert explained.compound < explained.vader
    assert {cue.reason for cue in explained.cues} >= {"no answer from the brand"}
    assert Scorer(complaint_layer=False).compound(text) == explained.vader


def test_hostile_text_is_read_in_bounded_time(scorer: Scorer) -> None:
    # A question mark first and thousands of question words after it: no quadratic search.
    text = "? " + "why why is it down " * 4_000
    began = time.perf_counter()
    scorer.explain(text)
    assert time.perf_counter() - began < 2.0


def test_the_anchors_never_hide_a_cue() -> None:
    # Anchors only skip posts a cue cannot match: the cues found are the same without them.
    import json
    from pathlib import Path

    data = Path(__file__).parent.parent / "benchmarks" / "data" / "brand_posts.jsonl"
    texts = [json.loads(line)["text"] for line in data.read_text(encoding="utf-8").splitlines()]
    texts += ["CANT LOG IN!!", "Still Waiting On Hold", "wont load, dont care", "🔥🔥 slaps"]
    texts += ["havent heard back from support", "I'm done. This bank is hopeless"]
    texts += ["loving being on hold", "we're done"]
    for text in texts:
        with_anchors = [cue.name for cue in find_cues(text)]
        assert with_anchors == [cue.name for cue in find_cues(text, use_anchors=False)], text


def test_the_word_gate_lets_through_the_cues_whose_anchors_a_post_has() -> None:
    # The gate reads anchors without a space word by word: it must agree with looking for every
    # anchor in the post, also when anchors sit inside words or across odd whitespace.
    import random

    from warroom.detection import complaint

    anchors = sorted({anchor for cue in CUES for anchor in cue.anchors})
    glue = ["", " ", "  ", "\t", "\n", "\xa0", "\u2028", "'", ". ", "? ", "x", "#", "😂"]
    rng = random.Random(5)
    for _ in range(2_000):
        text = "".join(rng.choice(anchors) + rng.choice(glue) for _ in range(rng.randint(1, 8)))
        gates = complaint._gates(text)
        for cue, bit, spaced in complaint._ALONE + complaint._BESIDE_A_PROBLEM:
            gated = bool(gates & bit) or any(anchor in text for anchor in spaced)
            assert gated == any(anchor in text for anchor in cue.anchors), (cue.name, text)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ('the app still says "payment pending", waited four days', "quoting the brand"),
        ("my “premium” plan keeps buffering every night", "quoting the brand"),
        ("hidden fees everywhere on this booking", "charges"),
        ("my bill went up £20 with no letter", "charges"),
        ("that is £60 gone and I can't afford it", "charges"),
        ("the card gets declined half the time", "unreliable"),
        ("the website is down", "outage"),
        ("lifts out of order at the station again", "outage"),
        ("all my loyalty points have disappeared", "vanished"),
        ("the install was rescheduled three times", "put off"),
        ("they took my direct debit twice", "failed"),
        ('transfer still "processing" after a week', "still waiting"),
        ("the tv app sits on the loading screen forever", "long wait"),
        ("heating has been off since tuesday", "long wait"),
        ("my hub keeps going offline", "not working"),
        ("thanks for the £25 overdraft fee", "sarcasm"),
        ("thank you for the 3 hour delay", "sarcasm"),
        ("is your website not connecting?", "problem question"),
        ("are your servers down?", "problem question"),
        ("the noise cancelling is superb", "feature names"),
        ("good morning, my router keeps dropping out", "greeting"),
        ("checkout was seamless", "praise VADER lacks"),
        ("my parcel never arrived. thanks", "polite sign-off"),
        ("could someone help, my card was declined", "request"),
        ("when does the new season drop?", "only a question"),
        ("the brand launches a new budgeting feature today", "news"),
    ],
)
def test_each_new_cue_fires_on_the_words_it_names(text: str, cue: str) -> None:
    assert cue in names(text)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        # titles, awards and inches are not the brand quoted back at it
        ('watching a show called "the crown" tonight', "quoting the brand"),
        ('voted "best bank" three years running', "quoting the brand"),
        ('the 5" screen and the 7" tablet', "quoting the brand"),
        # nor, without a problem beside it, a name or a statement quoted by news and praise
        ('the brand launches "halo pro" today', "quoting the brand"),
        ('the ceo says "we are sorry" in a statement', "quoting the brand"),
        ('love the new "away assist" mode', "quoting the brand"),
        ("no hidden fees, best bank I've had", "charges"),
        ("no late fees this year", "charges"),
        ("half the price of the others", "unreliable"),
        ("website down for maintenance sunday 2am", "outage"),
        ("the site is not down, my wifi was", "outage"),
        ("my headache disappeared after a good night", "vanished"),
        ("forever grateful to the team", "long wait"),
        ("thanks for waiving the fee", "sarcasm"),
        ("thanks for the update on my order", "sarcasm"),
        ("are you open on sunday?", "problem question"),
        ("the crime rate in my area", "feature names"),
        ("good service this morning", "greeting"),
        ("the app is unreliable", "praise VADER lacks"),
        ("thanks so much!", "polite sign-off"),
        # the problem is fixed: 'thanks' and 'well done' are meant
        ("stuck on hold 2 hours but they fixed it in the end, thanks", "polite sign-off"),
        ("was on hold for ages but they sorted it out, well done", "praise beside a problem"),
        ("miserable rainy day. does the 8:05 have a quiet coach?", "only a question"),
        ("I launched my shop on their platform today", "news"),
    ],
)
def test_new_cues_do_not_fire_on_innocent_or_negated_words(text: str, cue: str) -> None:
    assert cue not in names(text)


def test_support_as_a_noun_is_not_praise_and_keeps_its_negation() -> None:
    # "support" names the service; the words after it still count ("can't help").
    assert "service names" in names("support at the bank said to wait")
    text = "support can't help me at all"
    assert as_vader_should_read(text, find_cues(text)).startswith("service can't")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # praise VADER's lexicon lacks, and the same words negated
        ("checkout was seamless and delivery was speedy", Label.POSITIVE),
        ("the app is not reliable", Label.NEGATIVE),
        # a post that only asks: its words name the topic, not a feeling
        ("when does season 3 drop?", Label.NEUTRAL),
        ("can I get a check-up without booking?", Label.NEUTRAL),
        ("does the basic plan support 4k?", Label.NEUTRAL),
        # news with mild praise words is information; bad news still reads negative
        ("the brand rolls out firmware 4.2 this week, adds energy monitoring", Label.NEUTRAL),
        ("They announced a recall of the charger.", Label.NEGATIVE),
        # a greeting and a polite close around a problem are not praise
        (
            "Good morning, since the update my hub keeps going offline. Any help would be "
            "appreciated. Thanks",
            Label.NEGATIVE,
        ),
        ('my tv has been "in repair" for 5 weeks and still no update', Label.NEGATIVE),
        ('Brightwell launches "Halo Pro" today', Label.NEUTRAL),
        ("surge pricing again, £48 for a 10 min ride", Label.NEGATIVE),
    ],
)
def test_new_cues_move_the_label_the_right_way(scorer: Scorer, text: str, label: Label) -> None:
    explained = scorer.explain(text)
    assert explained.label is label, (explained.vader, [cue.name for cue in explained.cues])


# Cues developed on the development third of a second real corpus (tweets to brands of nine
# industries, labelled complaint or not by people; see benchmarks/bench_sentiment.py).
@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("i have sent you a dm several times", "chasing"),
        ("please check my dm!", "chasing"),
        ("been trying to reach you all week", "chasing"),
        ("any answer on my tweet?", "chasing"),
        ("the app keeps telling me my card is invalid", "keeps happening"),
        ("every time i try to pay it logs me out", "keeps happening"),
        ("i cant proceed past the payment page", "cannot"),
        ("could not get a seat on the 9:15", "cannot"),
        ("my package was supposed to be here yesterday", "let down"),
        ("they said it would take 2 days and it never arrived", "promised"),
        ("the pizza arrived cold and an hour late", "failed"),
        ("having a rather large issue with my account", "fault words"),
        ("the update is buggy and the screen flickers", "fault words"),
        ("the jacket arrived ripped", "fault words"),
        ("3 power outages in 3 months", "outage"),
        ("no power on our street since 6pm", "outage"),
        ("without internet for two days", "outage"),
        ("I haven't received my code", "failed"),
        ("yet to receive my refund", "failed"),
        ("customer service hung up on me", "failed"),
        ("no progress on my claim", "failed"),
        ("they do not reply, just automated email", "no response"),
        ("haven't heard a thing since monday", "no response"),
        ("thanks for ignoring all my tweets", "no response"),
        ("the camera is not working", "not working"),
        ("nothing works on the new version", "not working"),
        ("parcel an hour late for the 2nd day in a row", "again and again"),
        ("I shouldn't have to call three times", "demand"),
        ("ugh, on hold for 40 minutes", "sigh"),
        ("#neveragain with this courier", "hashtag complaint"),
        ("#badservice from start to finish", "hashtag complaint"),
        ("still the same after the update", "still waiting"),
        ("the order still has not been dispatched", "still waiting"),
        ("why is my package not being delivered", "problem question"),
        ("my heating stopped and the bill is paid. can you do something?", "problem question"),
    ],
)
def test_each_cue_from_the_complaints_corpus_fires_on_the_words_it_names(
    text: str, cue: str
) -> None:
    assert cue in names(text)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("can't wait for the new season!", "cannot"),
        ("couldn't recommend them more", "cannot"),
        ("he could not have been more helpful", "cannot"),
        ("can't fault the staff", "cannot"),
        ("no issues at all since I switched", "fault words"),
        ("never had an issue with them", "fault words"),
        ("the new issue of the magazine is out", "fault words"),
        ("torn between the two tablets", "fault words"),
        ("how do I file a bug report?", "fault words"),
        ("scheduled outage tonight from 1am", "outage"),
        ("planned outage on sunday", "outage"),
        ("no service fee on orders over £20", "outage"),
        ("arrived as promised, great job", "let down"),
        ("sent you a dm with my address", "chasing"),
        ("#bestday with the team", "hashtag complaint"),
        ("#badminton club night, sponsored by them", "hashtag complaint"),
        ("#badass new colours", "hashtag complaint"),
        ("really good coffee this morning", "exasperation"),
        ("really? free upgrade? amazing", "exasperation"),
        ("no power cuts since we switched supplier", "outage"),
        ("a week without signal drops, finally", "outage"),
        ("why not try the new menu this weekend", "problem question"),
        ("what time do you open? why not later on sundays", "chasing"),
    ],
)
def test_cues_from_the_complaints_corpus_do_not_fire_on_innocent_words(text: str, cue: str) -> None:
    assert cue not in names(text)


def test_a_hashtag_complaint_reads_as_its_words() -> None:
    text = "Ordered twice, both late #badservice #jeepsucks"
    assert as_vader_should_read(text, find_cues(text)).endswith("bad service jeep sucks")


def test_praise_beside_a_problem_counts_for_less(scorer: Scorer) -> None:
    # VADER reads "love", "fine" and "thanks": beside a problem they are politeness or the past.
    text = "Love the app, it used to work fine, but now my washer isn't working"
    explained = scorer.explain(text)
    assert explained.vader > 0.3
    assert explained.label is Label.NEGATIVE
    # With the problem reported fixed, the praise counts in full.
    fixed = scorer.explain("Love the app, my washer wasn't working but they fixed it")
    assert fixed.label is Label.POSITIVE


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Complaints VADER read as neutral or positive (written like the corpus, not copied).
        ("@brand I'm having a rather large issue. Please help.", Label.NEGATIVE),
        ("@brand please reply to my DM ASAP!!!", Label.NEGATIVE),
        ("@brand they promised a call back and it didn't happen", Label.NEGATIVE),
        ("@brand can't get any signal today, is it a fault?", Label.NEGATIVE),
        ("@brand why is my parcel not here for the 2nd day in a row", Label.NEGATIVE),
        ("@brand my order still has not been dispatched?", Label.NEGATIVE),
        ("3 power outages in 3 months! great job", Label.NEGATIVE),
        # ...and posts that stay what they are
        ("@brand no issues at all since the update, great work", Label.POSITIVE),
        ("@brand love it, can't wait for the new store to open!", Label.POSITIVE),
        ("@brand when will the blue one be back in stock?", Label.NEUTRAL),
    ],
)
def test_complaints_corpus_wordings_move_the_label_the_right_way(
    scorer: Scorer, text: str, label: Label
) -> None:
    explained = scorer.explain(text)
    assert explained.label is label, (explained.vader, [cue.name for cue in explained.cues])


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Found in review: posts the new cues first read as complaints.
        ("I can't get over how good the new oat latte is @BeanHouse", Label.POSITIVE),
        ("I can't even describe how comfy these trainers are", Label.NEUTRAL),
        ("@SkyJet can't remember, is the baggage allowance 23kg or 20kg?", Label.NEUTRAL),
        ("Picked up issue 42 of @GearMag at the station", Label.NEUTRAL),
        ("@GreenBank what's your position on the housing issue?", Label.NEUTRAL),
        ("Did @ShopLy ever issue a statement on the new returns policy?", Label.NEUTRAL),
        ("Is the bug bounty program at @CodeBase still open?", Label.NEUTRAL),
        ("These blackout curtains from @HomeNest are a game changer", Label.POSITIVE),
        ("@PlantPal said it would arrive Friday and it came Thursday!", Label.NEUTRAL),
        ("The sequel is supposed to be on @StreamBox in March", Label.NEUTRAL),
        ("I should have come to @SmileDental years ago, painless", Label.POSITIVE),
        ("I've been trying to eat healthier and @GreenBowl makes it easy", Label.POSITIVE),
        ("@Tunely keeps getting better with every update", Label.POSITIVE),
        ("Lost 5kg in two months with @FitGym classes, so happy", Label.POSITIVE),
        ("Why is nobody talking about how good the @NoodleBar ramen is", Label.POSITIVE),
        ("Ugh, I love the new @BeanHouse pumpkin latte so much", Label.POSITIVE),
        ("Second time flying @SkyJet and both flights were on time. Impressed", Label.POSITIVE),
        ("The app crashed but the team pushed a fix within an hour. Impressive", Label.POSITIVE),
        ("Nothing happens in the first episode but people say it picks up", Label.NEUTRAL),
        ("Tip: power off your router and turn it back on", Label.NEUTRAL),
        # ...and complaints typed with a phone's curly apostrophe
        ("@CityBank I can’t log in", Label.NEGATIVE),
        ("Still haven’t received my refund", Label.NEGATIVE),
    ],
)
def test_found_in_review_read_as_a_careful_reader_would(
    scorer: Scorer, text: str, label: Label
) -> None:
    explained = scorer.explain(text)
    assert explained.label is label, (explained.vader, [cue.name for cue in explained.cues])


def test_the_explanation_says_when_praise_counted_for_less(scorer: Scorer) -> None:
    beside = scorer.explain("Love the app, it used to work fine, but now my washer isn't working")
    assert beside.praise_discounted
    # no problem, or the problem fixed, or no praise to discount: nothing is said
    assert not scorer.explain("Love the app, it works fine").praise_discounted
    assert not scorer.explain("the washer wasn't working but they fixed it").praise_discounted
    assert not scorer.explain("my washer isn't working").praise_discounted
