"""The engine's wiring: deduplication, event time, the log, replay pacing, resuming."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from tests.conftest import T0
from warroom.clock import FrozenClock
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import Signals
from warroom.incident.engine import Engine
from warroom.incident.log import IncidentLog, IncidentStore
from warroom.incident.state import IncidentState
from warroom.model import Event, EventKind, Label, Mention, Score, ScoredMention
from warroom.offline.replay import paced_batches


def mention(n: int, minute: float, text: str = "the thermostat is fine") -> Mention:
    return Mention(f"t:{n}", "test", text, T0 + timedelta(minutes=minute))


def test_the_same_id_twice_is_one_mention(clock: FrozenClock) -> None:
    """Within a batch and across batches, a repeated id is dropped and counted."""
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer())
    first = engine.ingest([mention(1, 0), mention(1, 0), mention(2, 0)])
    second = engine.ingest([mention(2, 1), mention(3, 1)])
    assert [s.mention.id for s in first.mentions] == ["t:1", "t:2"]
    assert [s.mention.id for s in second.mentions] == ["t:3"]
    assert engine.stats.duplicates == 2 and engine.stats.ingested == 3


def test_a_late_mention_lands_in_its_own_minute(clock: FrozenClock) -> None:
    """Event time, not arrival: a minute-0 mention arriving after minute 5 counts in minute 0."""
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer())
    engine.ingest([mention(1, 0), mention(2, 5)])
    engine.ingest([mention(3, 0.5)])
    volumes = {m.minute: m.volume for m in engine.signals.series()}
    assert volumes[T0] == 2 and volumes[T0 + timedelta(minutes=5)] == 1


def test_mentions_and_actions_reach_the_log_in_order(clock: FrozenClock, data_dir: Path) -> None:
    """Mentions, a note and a level change are in the log in the order they happened."""
    log = IncidentStore(data_dir).create("t", clock=clock)
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer(), log=log)
    engine.ingest([mention(1, 0)])
    engine.record(EventKind.NOTE, {"text": "first"}, author="dana")
    engine.ingest([mention(2, 1)])
    log.close()
    with IncidentStore(data_dir).open(log.meta.slug, clock=clock, writable=False) as again:
        kinds = [
            (e.kind, e.data.get("text") or e.data["mention"]["id"])
            for e in again.events(include_mentions=True)
        ]
    assert kinds == [
        (EventKind.MENTION, "t:1"),
        (EventKind.NOTE, "first"),
        (EventKind.MENTION, "t:2"),
    ]


def test_resuming_rebuilds_state_and_skips_known_mentions(
    clock: FrozenClock, data_dir: Path
) -> None:
    """Attaching to a stored incident brings back its state; its mentions are not taken twice."""
    store = IncidentStore(data_dir)
    log = store.create("t", clock=clock)
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer(), log=log)
    engine.ingest([mention(n, n / 10) for n in range(20)])
    engine.record(EventKind.DECLARED, {"name": "Outage"}, author="dana")
    log.close()
    again = Engine(clock=clock, signals=Signals(), scorer=Scorer())
    again.attach(store.open(log.meta.slug, clock=clock), resume=True)
    assert again.state.declared and again.state.name == "Outage"
    assert sum(m.volume for m in again.signals.series()) == 20
    update = again.ingest([mention(5, 0.5), mention(99, 3)])
    assert [s.mention.id for s in update.mentions] == ["t:99"]
    again.close()
    assert IncidentState.from_events(
        store.open(log.meta.slug, clock=clock, writable=False).events()
    ).declared


def test_replay_waits_by_event_time_at_the_given_speed() -> None:
    """At 60x, ten minutes of mentions take ten seconds of (fake) wall time, in order."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    mentions = [mention(n, n) for n in range(11)]  # one a minute, over ten minutes

    async def collect() -> list[list[str]]:
        return [
            [m.id for m in batch]
            async for batch in paced_batches(mentions, 60.0, sleep=sleep, monotonic=lambda: now[0])
        ]

    batches = asyncio.run(collect())
    assert [i for batch in batches for i in batch] == [m.id for m in mentions]
    assert abs(now[0] - 10.0) < 1e-6


def test_replay_as_fast_as_possible_does_not_sleep() -> None:
    """Without a speed the file is fed in big batches with no waiting."""
    slept = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    mentions = [mention(n, n) for n in range(2500)]

    async def collect() -> list[int]:
        return [len(b) async for b in paced_batches(mentions, None, sleep=sleep)]

    assert asyncio.run(collect()) == [1000, 1000, 500]
    assert all(s == 0 for s in slept)


def test_a_post_from_decades_ago_does_not_blow_up_the_series(clock: FrozenClock) -> None:
    """Long silences are left out of the series instead of filled minute by minute."""
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer())
    old = Mention("t:old", "test", "fine", T0.replace(year=1971))
    engine.ingest([old, mention(1, 0), mention(2, 3)], advance=False)
    engine.finish()
    minutes = [m.minute for m in engine.signals.series()]
    assert minutes[0].year == 1971 and len(minutes) == 5  # 1971, then 09:00..09:03


def test_a_second_override_takes_the_first_one_out(clock: FrozenClock) -> None:
    """Praise called negative, then neutral, then praise again: the minute counts it once, at
    its latest label (the feed hands the scorer's score each time)."""
    engine = Engine(clock=clock, signals=Signals())
    item = ScoredMention(mention(1, 0, "Great, another outage."), Score(0.62, Label.POSITIVE))
    engine.ingest_scored([item])

    def counts() -> tuple[int, int, int, int]:
        (minute,) = engine.signals.series()
        return minute.scored, minute.negative, minute.neutral, minute.positive

    expected = {Label.NEGATIVE: (1, 1, 0, 0), Label.NEUTRAL: (1, 0, 1, 0)}
    for label in (Label.NEGATIVE, Label.NEUTRAL, Label.NEGATIVE, Label.POSITIVE):
        engine.override_sentiment(item, label, author="dana")
        assert counts() == expected.get(label, (1, 0, 0, 1))


class Outbox:
    """A team console's sink: own events, each with an id, kept as the outbox keeps them."""

    def __init__(self, console: str) -> None:
        self.console = console
        self.sent: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.sent.append(event)

    def next_id(self) -> str:
        return f"{self.console}:{len(self.sent) + 1}"


def team_engine(clock: FrozenClock, log: IncidentLog | None, console: str) -> Engine:
    engine = Engine(clock=clock, signals=Signals(), log=log)
    outbox = Outbox(console)
    engine.sink, engine.new_event_id = outbox, outbox.next_id
    return engine


def praise(n: int, minute: float = 0) -> ScoredMention:
    return ScoredMention(mention(n, minute, "Great, another outage."), Score(0.62, Label.POSITIVE))


def counts(engine: Engine) -> list[tuple[int, int, int, int]]:
    return [(m.scored, m.negative, m.neutral, m.positive) for m in engine.signals.series()]


def test_a_row_relabelled_again_after_closing_counts_once(
    clock: FrozenClock, data_dir: Path
) -> None:
    """Closing moves the console to a fresh incident with the same signals and feed: a row
    relabelled there again takes out the earlier label, not the scorer's."""
    store = IncidentStore(data_dir)
    engine = Engine(clock=clock, signals=Signals(), log=store.create("one", clock=clock))
    post = praise(1)
    engine.ingest_scored([post])
    engine.override_sentiment(post, Label.NEGATIVE, author="dana")
    engine.attach(store.create("two", clock=clock), resume=False)  # what closing does
    engine.override_sentiment(post, Label.NEUTRAL, author="dana")
    assert counts(engine) == [(1, 0, 1, 0)]


def test_own_overrides_still_in_the_outbox_count_after_a_restart(
    clock: FrozenClock, data_dir: Path
) -> None:
    """Team mode: relabelled while the team's stream was out of reach, then restarted. The
    outbox's override shows, counts, and counts once when the stream gives it back."""
    store = IncidentStore(data_dir)
    log = store.create("team", clock=clock)
    engine = team_engine(clock, log, "dana")
    post = praise(1)
    engine.ingest_scored([post])
    engine.override_sentiment(post, Label.NEGATIVE, author="dana")
    log.close()  # killed, the override in the outbox only
    outbox = engine.sink
    assert isinstance(outbox, Outbox)
    again = team_engine(clock, None, "dana")
    again.attach(store.open(log.meta.slug, clock=clock), resume=True)
    assert counts(again) == [(1, 0, 0, 1)]
    again.restore_pending(outbox.sent)  # as the team replica does on start
    assert counts(again) == [(1, 1, 0, 0)]
    again.apply_remote(outbox.sent[0])  # the stream gives it back
    assert again.state.overrides == {"t:1": Label.NEGATIVE}
    assert counts(again) == [(1, 1, 0, 0)]


def test_a_teammates_override_of_a_post_long_gone_from_the_feed_is_counted(
    clock: FrozenClock, data_dir: Path
) -> None:
    """The console deciding the level took in 5,000 posts since (two minutes at a surge's
    pace): the teammate's override carries its post, so it is counted all the same."""
    store = IncidentStore(data_dir)
    holder = team_engine(clock, store.create("holder", clock=clock), "holder")
    teammate = team_engine(clock, None, "lee")
    post = praise(0)
    for engine in (holder, teammate):
        engine.ingest_scored([post])
    holder.ingest_scored([praise(n, n / 3000) for n in range(1, 5001)])
    assert post not in holder.feed.recent
    teammate.override_sentiment(post, Label.NEGATIVE, author="lee")
    sent = teammate.sink
    assert isinstance(sent, Outbox)
    holder.apply_remote(sent.sent[0])
    assert counts(holder)[0] == (3000, 1, 0, 2999)


def test_an_override_written_before_events_carried_their_post_is_found_in_the_log(
    clock: FrozenClock, data_dir: Path
) -> None:
    """An override logged after the checkpoint by an older warroom (no post in the event): the
    resume finds its post among the log's mentions and counts it."""
    store = IncidentStore(data_dir)
    log = store.create("older", clock=clock)
    engine = Engine(clock=clock, signals=Signals(), log=log)
    engine.ingest_scored([praise(1), praise(2)])
    assert engine.checkpoint(wait=True)
    data = {"mention_id": "t:2", "label": "negative", "was": "positive"}
    log.append(EventKind.SENTIMENT_OVERRIDDEN, data, author="dana")
    log.close()  # killed: the checkpoint is from before the override
    again = Engine(clock=clock, signals=Signals())
    again.attach(store.open(log.meta.slug, clock=clock), resume=True)
    assert again.resumed_from is not None
    assert counts(again) == [(2, 1, 0, 1)]
