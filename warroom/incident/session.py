"""A console's engine side: one incident log, scoring off the UI's core, and the team's actions."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from warroom.clock import Clock
from warroom.detection.evidence import EvidenceItem, Piece, group_evidence
from warroom.detection.phrase import what_happened
from warroom.detection.sentiment import Explanation, Scorer, explain, negative_terms, score_texts
from warroom.detection.signals import DetectorRule, Signals
from warroom.incident.durable import GroupFlush
from warroom.incident.engine import FEED_WINDOW, Engine, EngineUpdate
from warroom.incident.log import IncidentLog, IncidentNotFound, IncidentStore
from warroom.incident.state import IncidentState
from warroom.model import (
    APOLOGY_WORDS,
    Event,
    EventKind,
    Label,
    Mention,
    OwnAccounts,
    Score,
    ScoredMention,
    label_for,
)
from warroom.model import format_time as iso
from warroom.playbook import (
    Playbook,
    PlaybookInvalid,
    PlaybookNotFound,
    Step,
    find_playbook,
    load_playbook,
    user_playbooks_dir,
)

logger = logging.getLogger("warroom.incident.session")

# Mentions kept in memory for the feed (the engine's FeedWindow holds them).
RECENT_MENTIONS = FEED_WINDOW
# After this many mentions taken in since the last time, the heap is frozen (gc.freeze): what a
# bulk load leaves is long-lived, and full collections need not walk it again and again.
FREEZE_EVERY = 100_000


class ScoringBackend(Protocol):
    """Where VADER runs."""

    async def score(self, mentions: Sequence[Mention]) -> list[Score]: ...

    def explain(self, text: str) -> Explanation:
        """Why a text scores what it does under this backend's lexicon."""
        ...

    def negative_terms(self, text: str) -> list[str]:
        """The words that make a text negative under this backend's lexicon."""
        ...

    def close(self) -> None: ...


class InProcessScoring:
    """Score in this process: for tests, headless runs and small files."""

    def __init__(self, lexicon: dict[str, float] | None = None) -> None:
        self.scorer = Scorer(lexicon)

    async def score(self, mentions: Sequence[Mention]) -> list[Score]:
        return self.scorer.score_many(mentions)

    def explain(self, text: str) -> Explanation:
        return self.scorer.explain(text)

    def negative_terms(self, text: str) -> list[str]:
        return self.scorer.negative_terms(text)

    def close(self) -> None:
        pass


class ProcessScoring:
    """Score in a worker process: VADER is pure Python and would hold the UI's GIL."""

    def __init__(self, lexicon: dict[str, float] | None = None) -> None:
        self.lexicon = dict(lexicon or {})
        self._pool = self._started_pool()

    def _started_pool(self) -> ProcessPoolExecutor:
        # The worker is forked at the first task: give it one now, while this process is small,
        # so it does not start with private copies of a resumed incident's heap.
        pool = ProcessPoolExecutor(max_workers=1)
        # A pool that cannot start now fails the first batch instead, which knows what to do.
        with contextlib.suppress(BrokenProcessPool, RuntimeError, OSError):
            pool.submit(score_texts, [], self.lexicon)
        return pool

    async def score(self, mentions: Sequence[Mention]) -> list[Score]:
        texts = [m.text for m in mentions if m.is_english]
        try:
            values = iter(await self._run(texts))
        except BrokenProcessPool:
            # The worker died (killed, out of memory): a fresh pool scores this batch and the next.
            try:
                values = iter(await self._run(texts))
            except BrokenProcessPool:
                # Twice in a row: score here, slower, rather than lose the batch.
                values = iter(score_texts(texts, self.lexicon))
        scores = []
        for mention in mentions:
            if mention.is_english:
                value = next(values)
                scores.append(Score(value, label_for(value)))
            else:
                scores.append(Score(None, None))
        return scores

    def explain(self, text: str) -> Explanation:
        # Rare (a person opened a mention): in this process, under the worker's lexicon.
        return explain(text, self.lexicon)

    def negative_terms(self, text: str) -> list[str]:
        return negative_terms(text, self.lexicon)

    async def _run(self, texts: list[str]) -> list[float]:
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(
                pool, score_texts, texts, self.lexicon
            )
        except BrokenProcessPool:
            if self._pool is pool:  # a concurrent batch may have restarted it already
                self._pool = self._started_pool()
                pool.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class Evidence:
    """Why the detector thinks this is a crisis: shown when proposing to declare.

    `top_negative` holds the most-reached negative public mentions of the window, copies of one
    text grouped (×copies, their total reach), at most one per author, with the negative terms.
    """

    reason: str
    trending: list[str]
    top_negative: list[EvidenceItem[ScoredMention]]
    # The texts of more complaints (by reach) than are shown: what `issue` reads.
    complaints: tuple[str, ...] = ()

    def issue(self, brand: str) -> str:
        """What happened, as a phrase after "We're aware of …", from the top complaints."""
        texts = self.complaints or tuple(e.item.mention.text for e in self.top_negative)
        return what_happened(brand, self.trending, texts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "trending": self.trending,
            "top_negative": [
                {
                    "id": e.item.mention.id,
                    "author": e.item.mention.author,
                    "text": e.item.mention.text[:280],
                    **e.to_dict(),
                }
                for e in self.top_negative
            ],
        }


@dataclass(frozen=True)
class SwitchPlan:
    """What a playbook switch keeps and drops: checks map by step id, then by title."""

    playbook: Playbook
    mapped: dict[str, str]  # checked step id in the running playbook -> its id in the new one
    dropped: list[str]  # checked step ids (titles shown) that the new playbook has no step for
    titles: dict[str, str]  # every checked step's title, for saying what is kept and dropped

    def kept_titles(self) -> list[str]:
        """The titles of the checks the switch keeps."""
        return [self.titles[step] for step in self.mapped]

    def dropped_titles(self) -> list[str]:
        """The titles of the checks the switch drops (still counted under the old playbook)."""
        return [self.titles[step] for step in self.dropped]


def plan_switch(checks: dict[str, str], playbook: Playbook) -> SwitchPlan:
    """Map checked steps ({id: title}) onto another playbook: same id, else same title."""
    ids = {step.id for step in playbook.steps}
    by_title = {step.title.casefold(): step.id for step in playbook.steps}
    mapped: dict[str, str] = {}
    dropped: list[str] = []
    for step, title in checks.items():
        target = step if step in ids else by_title.get(title.casefold())
        if target is None or target in mapped.values():
            dropped.append(step)
        else:
            mapped[step] = target
    return SwitchPlan(playbook, mapped, dropped, dict(checks))


# How many of the most-reached complaints the suggested "what happened" is read from.
ISSUE_COMPLAINTS = 12

# Who the console logs as the author of what it checks by itself (`on: declared`).
CONSOLE_AUTHOR = "warroom"


@dataclass(frozen=True)
class DiskTrouble:
    """Buffered mentions cannot reach the disk: the last error, and since when (session clock)."""

    error: Exception
    since: datetime

    @property
    def reason(self) -> str:
        """The error without its path: `Permission denied`, `No space left on device`."""
        return disk_reason(self.error)


def disk_reason(error: Exception) -> str:
    """What the disk said, without the file's path (the folder is named where it matters)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


def lost_line(count: int, folder: Path, error: Exception) -> str:
    """One line saying how many mentions never reached `folder`, and why."""
    noun = "mention" if count == 1 else "mentions"
    return (
        f"{count:,} {noun} could not be written to {folder} ({disk_reason(error)}); "
        "they are not in the incident log"
    )


def operator_name(configured: str | None = None) -> str:
    """Who is at the keyboard: the config's operator, else $USER."""
    return configured or os.environ.get("USER") or os.environ.get("USERNAME") or "operator"


class Session:
    """What the console works on: the engine, its incident log and the playbook."""

    def __init__(
        self,
        *,
        store: IncidentStore,
        clock: Clock,
        brand: str,
        playbook: Playbook,
        scoring: ScoringBackend,
        operator: str | None = None,
        role: str | None = None,
        drill: bool = False,
        rule: DetectorRule | None = None,
        handles: Iterable[str] = (),
        messages: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        # What drafts fill {contact}, {link} and {sign_off} with (the config's `messages:`).
        self.messages = dict(messages or {})
        self.clock = clock
        self.brand = brand
        self.playbook = playbook
        self.scoring = scoring
        self.operator = operator_name(operator)
        # The operator's part in the team (`lead`, `social`): written with what they record.
        self.role = role
        self.drill = drill
        self.rule = rule
        # The brand's own name is in every mention: it is never a trending term.
        self.engine = Engine(
            clock=clock, signals=Signals(rule, extra_stopwords=brand.lower().split())
        )
        # The brand's own accounts: their posts are the brand's, not the public's (set before
        # any log is opened, since a resume reads the stored mentions again).
        self.engine.accounts = OwnAccounts(handles)
        # What the feed shows when a screen opens is the engine's bounded window (in the
        # checkpoint too); the rest stays in the store.
        self.recent: deque[ScoredMention] = self.engine.feed.recent
        self.recent_negative: deque[ScoredMention] = self.engine.feed.negative
        self._unfrozen = 0  # mentions taken in since the heap was last frozen
        self.closed_slugs: list[str] = []
        # A flush from a worker thread never runs on a log that close() or shutdown() is
        # putting away: it would write to a log whose segments are already closed.
        self._disk = threading.Lock()
        # Closing starts a fresh log for what comes next; not in team mode (see close()).
        self.rotate_on_close = True
        self._flushes: GroupFlush | None = None
        self._stopped = False
        # Set by a failed flush, cleared by the next one that works: the console shows it.
        self.disk_trouble: DiskTrouble | None = None

    # -- the log -----------------------------------------------------------------------------

    def open(self, name: str | None = None, *, fresh: bool = False) -> IncidentLog:
        """Continue the newest open log of this kind (drill or live), else start one.

        `fresh` always starts one (`warroom demo --reset`): older open logs are left as they are.
        Raises IncidentLocked (naming the holder) when another console is working that log:
        a second console must not split the team's log in two.
        """
        with self.store.claiming():
            return self._find_or_create(name, fresh=fresh)

    def _find_or_create(self, name: str | None, *, fresh: bool = False) -> IncidentLog:
        newest: Path | None = None  # the newest log of this kind: closed, if one is created
        for meta in [] if fresh else reversed(self.store.list()):
            if meta.drill != self.drill or meta.brand != self.brand:
                continue
            with self.store.open(meta.slug, clock=self.clock, writable=False) as peek:
                newest = newest or peek.path
                if IncidentState.from_events(peek.events()).closed_at is not None:
                    continue
            log = self.store.open(meta.slug, clock=self.clock)
            # Closed between the peek and the lock: read again under the lock.
            if IncidentState.from_events(log.events()).closed_at is not None:
                log.close()
                continue
            self._attach(log, resume=True)
            self._resume_playbook()
            return log
        log = self.store.create(
            name or self._log_name(), clock=self.clock, brand=self.brand, drill=self.drill
        )
        self._attach(log, resume=False)
        self._record_playbook()
        if newest is not None:
            self._carry_baseline(newest)
        return log

    def _carry_baseline(self, closed: Path) -> None:
        # Watching after an incident goes on with the baseline it learned, as after close().
        if not self.engine.carry_over(closed):
            logger.info("no usable checkpoint in %s: learning the baseline from scratch", closed)
            return
        # At once: a resume of this log would otherwise replay nothing and learn from scratch.
        self.engine.checkpoint(wait=True)

    def open_replica(self, slug: str, name: str) -> IncidentLog:
        """Open this console's copy of a team's incident, creating it under exactly that slug.

        Nothing is written locally: the team's stream brings every event, the playbook's too.
        """
        with self.store.claiming():
            try:
                log = self.store.open(slug, clock=self.clock)
                existed = True
            except IncidentNotFound:
                log = self.store.create(
                    name, clock=self.clock, brand=self.brand, drill=self.drill, slug=slug
                )
                existed = False
        self._attach(log, resume=existed)
        self.follow_playbook()
        return log

    def follow_playbook(self) -> None:
        """Run the playbook the incident's log says is in force, when it can be loaded."""
        wanted = self.state.playbook
        if not wanted or wanted == self.playbook.name:
            return
        with contextlib.suppress(PlaybookNotFound, PlaybookInvalid, OSError):
            self.playbook = load_playbook(
                find_playbook(wanted, user_playbooks_dir(self.store.data_dir))
            )

    def _resume_playbook(self) -> None:
        # The checklist is the incident's: the playbook it last ran, not the configured one.
        wanted = self.state.playbook
        if not wanted or wanted == self.playbook.name:
            return
        try:
            self.playbook = load_playbook(
                find_playbook(wanted, user_playbooks_dir(self.store.data_dir))
            )
        except (PlaybookNotFound, PlaybookInvalid, OSError):
            # Gone or broken since: go on with the configured one, and say so in the log.
            self._record_playbook()

    def _record_playbook(self) -> None:
        if self.playbook.name:
            self.engine.record(
                EventKind.PLAYBOOK_CHANGED, {"playbook": self.playbook.name}, author=None
            )

    def _log_name(self) -> str:
        prefix = "Drill" if self.drill else "Watch"
        return f"{prefix}: {self.brand} {self.clock.now():%Y-%m-%d %H:%M}"

    def _attach(self, log: IncidentLog, *, resume: bool) -> None:
        self.engine.attach(log, resume=resume)
        if resume:
            self._freeze()

    def _freeze(self) -> None:
        # After a bulk load (a resume, a replay's history) the heap is mostly long-lived: frozen,
        # a full collection skips it (pauses of ~0.5 s at a million mentions become ~0).
        # Frozen objects are still freed when their last reference goes.
        self._unfrozen = 0
        gc.freeze()

    @property
    def log(self) -> IncidentLog:
        assert self.engine.log is not None, "open() first"
        return self.engine.log

    @property
    def state(self) -> IncidentState:
        return self.engine.state

    # -- mentions ----------------------------------------------------------------------------

    async def ingest(self, mentions: Sequence[Mention], *, advance: bool = True) -> EngineUpdate:
        """Score new mentions off the UI's core and take them in."""
        fresh = [m for m in mentions if not self.engine.has_seen(m.id)]
        if not fresh:
            return EngineUpdate()
        scores = await self.scoring.score(fresh)
        return self.take_scored(list(map(ScoredMention, fresh, scores)), advance=advance)

    def take_scored(self, scored: list[ScoredMention], *, advance: bool = True) -> EngineUpdate:
        """Take in mentions scored elsewhere (this console's worker, or the team's holder)."""
        update = self.engine.ingest_scored(scored, advance=advance)
        self._brand_posted([item.mention for item in update.mentions if item.mention.ours])
        self._unfrozen += len(scored)
        if self._unfrozen >= FREEZE_EVERY:
            self._freeze()
        return update

    def tick(self, *, flush: bool = True) -> EngineUpdate:
        """Let time pass: quiet minutes are judged too; buffered mentions reach the disk."""
        try:
            return self.engine.tick(flush=flush)
        except OSError as error:  # a level change the disk refused
            self._disk_failed(error)
            raise

    def flush(self) -> None:
        """Write buffered mentions now; safe to call from a thread while mentions arrive.

        A failure is kept in `disk_trouble` (and raised): the log keeps the mentions and retries.
        """
        with self._disk:
            log = self.engine.log
            if log is None or not log.writable or self._stopped:
                return
            try:
                log.flush()
            except Exception as error:
                self._disk_failed(error)
                raise
            self.disk_trouble = None

    def _disk_failed(self, error: Exception) -> None:
        since = self.disk_trouble.since if self.disk_trouble else self.clock.now()
        self.disk_trouble = DiskTrouble(error, since)

    @property
    def waiting_mentions(self) -> int:
        """Mentions taken in but not yet on disk."""
        log = self.engine.log
        return log.pending_mentions if log is not None else 0

    async def durable(self) -> None:
        """Return once every mention taken in so far is on disk (flushes are shared)."""
        if self._flushes is None:
            self._flushes = GroupFlush(self.flush)
        await self._flushes.wait()

    # -- what the team does ------------------------------------------------------------------

    def evidence(self, limit: int = 3) -> Evidence:
        """The detector's reason, the trending terms and the most-reached negative mentions."""
        gauge = self.engine.signals.gauge()
        # Only the detector's window counts as evidence, not the negatives of hours ago.
        since = (self.engine.watermark or self.clock.now()) - timedelta(
            minutes=self.engine.signals.rule.window_minutes
        )
        window = [
            Piece(s, m.text, m.author, m.reach or 0, s.score.compound or 0.0, m.url)
            for s in self.recent_negative
            if (m := s.mention).created_at >= since and not m.ours
        ]
        top = group_evidence(
            window, limit=max(limit, ISSUE_COMPLAINTS), terms=self.scoring.negative_terms
        )
        complaints = tuple(e.item.mention.text for e in top[:ISSUE_COMPLAINTS])
        return Evidence(gauge.reason, [t.term for t in gauge.trending[:8]], top[:limit], complaints)

    def declare(self, name: str, evidence: dict[str, Any] | None = None) -> Event:
        """Declare the incident: the clock starts, the playbook's deadlines count from now."""
        data = {
            "name": name,
            "playbook": self.playbook.name,
            "declared_at": iso(self.clock.now()),
            "level": str(self.engine.level),
            "evidence": evidence or {},
        }
        event = self.engine.record(EventKind.DECLARED, self._signed(data), author=self.operator)
        self.auto_check("declared")
        return event

    def auto_check(self, trigger: str) -> list[Event]:
        """Check the open steps that `trigger` checks by itself (`on: declared`), as the console.

        The hook for events: `declared`, `closed`, `brand_posted` (one of our posts seen during
        the incident), `apology_posted`.
        """
        state = self.state
        if not state.declared or state.closed_at is not None:
            return []
        events = []
        for step in self.playbook.steps_on(trigger):
            if step.id in state.checks:
                continue
            data = {"step": step.id, "title": step.title, "owner": step.owner, "auto": trigger}
            events.append(self.engine.record(EventKind.STEP_CHECKED, data, author=CONSOLE_AUTHOR))
        return events

    def _brand_posted(self, ours: list[Mention]) -> None:
        # Our public posts check the steps that wait for them; in team mode only the console
        # holding ingest does it (the others would check them a second time).
        if not ours or (self.engine.sink is not None and self.engine.follows):
            return
        self.auto_check("brand_posted")
        if any(word in m.text.lower() for m in ours for word in APOLOGY_WORDS):
            self.auto_check("apology_posted")

    def open_due_steps(self) -> list[Step]:
        """Steps that apply, are due by now and are not checked (closing checks `on: closed`)."""
        state = self.state
        if state.declared_at is None:
            return []
        now = self.clock.now()
        level = state.peak_level
        return [
            step
            for step in self.playbook.steps
            if level in step.levels
            and step.id not in state.checks
            and step.on != "closed"
            and step.deadline(state.declared_at) <= now
        ]

    def close(self, summary: str) -> Event:
        """Close the incident with a one-line summary; watching goes on in a fresh log."""
        closed = self.log
        # Its mentions first: a close the disk refuses writes nothing, and can simply be retried.
        self.flush()
        self.auto_check("closed")
        data = self._signed({"summary": summary})
        event = self.engine.record(EventKind.CLOSED, data, author=self.operator)
        self.closed_slugs.append(closed.meta.slug)
        if not self.rotate_on_close:
            # A team's incident, or the drill's: the console keeps it, closed, until it quits.
            return event
        fresh = self.store.create(
            self._log_name(), clock=self.clock, brand=self.brand, drill=self.drill
        )
        self.engine.attach(fresh, resume=False)
        with self._disk:
            closed.close()
        self._record_playbook()
        # The baseline goes on in the fresh log: a resume of it starts from this, not scratch.
        self.engine.checkpoint()
        return event

    def note(self, text: str, *, evidence: str | None = None) -> Event:
        """A note in the log: on disk before this returns."""
        data: dict[str, Any] = {"text": text}
        if evidence:
            data["mention_id"] = evidence
        return self.engine.record(EventKind.NOTE, self._signed(data), author=self.operator)

    def set_step(self, step_id: str, done: bool) -> Event:
        """Check or uncheck a playbook step; who and when go in the log."""
        step = self.playbook.step(step_id)
        kind = EventKind.STEP_CHECKED if done else EventKind.STEP_UNCHECKED
        data = {"step": step.id, "title": step.title, "owner": step.owner}
        return self.engine.record(kind, self._signed(data), author=self.operator)

    def plan_switch(self, playbook: Playbook) -> SwitchPlan:
        """What switching to `playbook` would keep and drop, to show before confirming."""
        checks = {step: check.title or step for step, check in self.state.checks.items()}
        return plan_switch(checks, playbook)

    def switch_playbook(self, playbook: Playbook) -> Event:
        """Run another playbook; checks map by step id, then by title; the rest are dropped.

        Dropped checks stay in the log and count under the playbook they were made in.
        """
        plan = self.plan_switch(playbook)
        self.playbook = playbook
        data = {
            "playbook": playbook.name,
            "kept_checks": sorted(plan.mapped.values()),
            "mapped": plan.mapped,
            "dropped": plan.dropped,
        }
        return self.engine.record(EventKind.PLAYBOOK_CHANGED, data, author=self.operator)

    def draft(
        self,
        template_id: str,
        text: str,
        tone: float | None,
        filled: Mapping[str, str] | None = None,
    ) -> Event:
        """A message drafted from a template, with its VADER tone.

        `filled`: placeholders the person typed by hand ({contact}: an address), kept in the
        log so the incident's next drafts fill them (`typed_values`).
        """
        data: dict[str, Any] = {"template": template_id, "text": text, "tone": tone}
        if filled:
            data["filled"] = dict(filled)
        return self.engine.record(EventKind.DRAFT, self._signed(data), author=self.operator)

    def typed_values(self) -> dict[str, str]:
        """Placeholder values typed by hand in this incident's drafts, the latest of each."""
        found: dict[str, str] = {}
        for event in self.state.timeline:
            filled = event.data.get("filled") if event.kind is EventKind.DRAFT else None
            if isinstance(filled, dict):
                found.update({str(k): v for k, v in filled.items() if isinstance(v, str) and v})
        return found

    def publish(self, template_id: str, text: str, channel: str, link: str | None = None) -> Event:
        """A draft marked as published on a channel (with its link): a public response.

        Checks the steps `on: brand_posted` (and `on: apology_posted` for an apology template).
        """
        data: dict[str, Any] = {
            "template": template_id,
            "text": text,
            "published": True,
            "channel": channel,
        }
        if link:
            data["link"] = link
        event = self.engine.record(EventKind.DRAFT, self._signed(data), author=self.operator)
        self.auto_check("brand_posted")
        with contextlib.suppress(KeyError):
            if self.playbook.template(template_id).kind == "apology":
                self.auto_check("apology_posted")
        return event

    def flag(self, item: ScoredMention, flagged: bool = True) -> Event:
        """Flag a mention for response (or take the flag off)."""
        data = {"mention_id": item.mention.id, "flagged": flagged, "text": item.mention.text[:280]}
        return self.engine.record(EventKind.FLAGGED, self._signed(data), author=self.operator)

    def override(self, item: ScoredMention, label: Label) -> Event:
        """A person corrects VADER's reading of a mention."""
        return self.engine.override_sentiment(item, label, author=self.operator, role=self.role)

    def _signed(self, data: dict[str, Any]) -> dict[str, Any]:
        """A person's event data with their role, when they have one."""
        return {**data, "role": self.role} if self.role else data

    def explain(self, text: str) -> Explanation:
        """Why a text scores what it does under this console's lexicon: VADER and the cues."""
        return self.scoring.explain(text)

    def shutdown(self) -> str | None:
        """Flush, release the incident and stop scoring; one line on what could not be saved."""
        self.scoring.close()
        with self._disk:
            self._stopped = True
            log = self.engine.log
            try:
                self.engine.close()
            except OSError as error:
                if log is None:
                    raise
                # The log is released all the same; what it still buffers dies with the process.
                return lost_line(log.pending_mentions, log.path / "mentions", error)
        return None
