"""The bundled demo scenario: a seeded, reproducible mention stream around a brand crisis."""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warroom.demo import people
from warroom.demo.timeline import SCHEDULE, STREAM_TOPIC, Bank, load_banks, mix, poisson, rates
from warroom.model import Mention, read_mentions

BRAND = "Brightwell"
# The brand's own accounts, as `topics.brand.handles` names them: their posts are ours.
HANDLES = (f"@{people.brand_account().handle}",)
# What the drill's drafts say for {contact}, {link} and {sign_off} (warroom.yaml's `messages:`).
MESSAGES = {
    "contact": "support@brightwell.example",
    "link": "https://status.brightwell.example",
    "sign_off": "— The Brightwell team",
}
COMPETITOR_TOPIC = "competitor:thermly"
DATA_DIR = Path(__file__).parent / "data"
DEMO_PATH = DATA_DIR / "demo_scenario.jsonl"
DEFAULT_SEED = 2026


def _at(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 14, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Phase:
    """A stretch of the scenario's story, in event time (start inclusive, end exclusive)."""

    name: str
    start: datetime
    end: datetime
    kind: str  # calm, competitor, praise, trigger, surge, response, recovery


PHASES: tuple[Phase, ...] = (
    Phase("Saturday morning chatter", _at(8, 0), _at(9, 30), "calm"),
    Phase("Thermly data breach", _at(9, 30), _at(10, 15), "competitor"),
    Phase("late-morning chatter", _at(10, 15), _at(10, 45), "calm"),
    Phase("viral review and Away Assist", _at(10, 45), _at(11, 15), "praise"),
    Phase("quiet before the update bites", _at(11, 15), _at(11, 30), "calm"),
    Phase("first reports of firmware 4.2", _at(11, 30), _at(11, 38), "trigger"),
    Phase("negative surge", _at(11, 38), _at(11, 58), "surge"),
    Phase("holding statement, apology, rollback", _at(11, 58), _at(12, 50), "response"),
    Phase("fix shipped and recovery", _at(12, 50), _at(14, 0), "recovery"),
)
START = PHASES[0].start
END = PHASES[-1].end
TRIGGER_AT = _at(11, 30)
SURGE_START = _at(11, 38)

REPOST_RATE = {"calm": 0.03, "competitor": 0.03, "breach": 0.1, "praise": 0.12, "crisis": 0.13}
BOOST = {"calm": 1.0, "competitor": 1.0, "breach": 2.5, "praise": 3.5, "crisis": 4.0}
NOTABLE_RATE = {"breach": 0.01, "praise": 0.02, "crisis": 0.01}
INFLUENCERS = ("priya", "sam", "hannah")  # reporters only post when the script says so
HASHTAGS = ("#brightwellfail", "#brightwellfail", "#bricked", "#brightwell", "#coldsnap")
SHARED_KINDS = ("rss", "hn", "reddit_post")  # shared as a link, not retweeted
SHARE_PREFIXES = ("", "", "Oof. ", "Here we go. ", "Well. ", "This. ", "Yikes: ", "Read this: ")


@dataclass
class _Post:
    """A mention being built, with what the generator knows about it."""

    mention: Mention
    stance: str
    kind: str
    author: people.Author
    stream: str
    repost: bool = False


class _Generator:
    """Walks the scenario minute by minute, drawing posts from each stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.banks = load_banks()
        self.posts: list[_Post] = []
        self.pools: dict[tuple[str, str, str], list[people.Author]] = {}
        self.notables = {k: people.with_did(self.rng, a) for k, a in people.NOTABLES.items()}
        self.brand = people.brand_account()
        self.counters = {"hn": 0, "t3": 0, "t1": 0}
        self.used_ids: set[str] = set()
        self.answered: set[str] = set()
        # Scheduled headlines run at their moment; random draws must not print them first.
        self.published = {(bank, index) for _, _, bank, index, _ in SCHEDULE if "news" in bank}

    def run(self) -> list[_Post]:
        minutes = int((END - START).total_seconds() // 60)
        for minute in range(minutes):
            begin = START + timedelta(minutes=minute)
            drafts: list[tuple[datetime, int, str, str, int | None, str | None]] = []
            for stream, rate in rates(minute + 0.5).items():
                for _ in range(poisson(self.rng, rate)):
                    moment = begin + timedelta(milliseconds=self.rng.randrange(60_000))
                    drafts.append((moment, len(drafts), stream, "", None, None))
            for when, stream, bank, scheduled, who in SCHEDULE:
                if begin <= when < begin + timedelta(minutes=1):
                    drafts.append((when, len(drafts), stream, bank, scheduled, who))
            for moment, _, stream, bank, index, who in sorted(drafts):
                self.posts.append(self._post(moment, stream, bank, index, who, minute))
        return self.posts

    def _post(
        self,
        moment: datetime,
        stream: str,
        bank_name: str,
        index: int | None,
        who: str | None,
        minute: int,
    ) -> _Post:
        rng = self.rng
        if not bank_name and rng.random() < REPOST_RATE[stream]:
            original = self._pick_original(moment, stream)
            if original is not None:
                return self._repost(moment, stream, original, minute)
        if not bank_name:
            weights = mix(stream, minute + 0.5)
            bank_name = rng.choices(list(weights), list(weights.values()))[0]
        bank = self.banks[bank_name]
        if index is None:
            index = rng.randrange(len(bank.templates))
            if bank.kind == "rss" and (bank.name, index) in self.published:
                # Each headline runs once; later it only travels as shares.
                original = self._pick_original(moment, stream, minutes=90, kinds=("rss",))
                if original is not None:
                    return self._repost(moment, stream, original, minute)
                weights = {k: w for k, w in mix(stream, minute + 0.5).items() if k != bank.name}
                bank = self.banks[rng.choices(list(weights), list(weights.values()))[0]]
                index = rng.randrange(len(bank.templates))
        template = bank.templates[index]
        self.published.add((bank.name, index))
        author = self._author(bank, stream, who, template)
        text = self._fill(template, bank, moment)
        if bank.kind == "reddit_post":
            text = text.replace("|", "\n\n")  # a post's title and body, as the source gives them
        if bank.kind == "social" and bank.lang == "en":
            text = people.vary(self.rng, text, bank.stance)
        if bank.kind == "social" and stream == "crisis" and "#" not in text and rng.random() < 0.15:
            text = f"{text} {rng.choice(HASHTAGS)}"
        boost = BOOST[stream] * (6.0 if who else 1.0)
        return self._build(
            moment, stream, bank.kind, bank.stance, bank.lang, text, author, boost, minute
        )

    def _author(self, bank: Bank, stream: str, who: str | None, text: str) -> people.Author:
        rng = self.rng
        if bank.kind == "brand" or who == "brand":
            return self.brand
        if who in dict(people.OUTLETS):
            return people.Author("rss", who, None)
        if who:
            return self.notables[who]
        if (
            bank.kind == "social"
            and bank.lang == "en"
            and rng.random() < NOTABLE_RATE.get(stream, 0.0)
        ):
            return self.notables[rng.choice(INFLUENCERS)]
        source = {"reddit_post": "reddit", "hn": "hackernews", "rss": "rss"}.get(bank.kind)
        if source is None:
            weights = (55, 45, 0) if bank.lang != "en" else (42, 45, 13)
            source = rng.choices(("mastodon", "bluesky", "reddit"), weights)[0]
        if source == "rss":
            # An outlet does not report on its own review as news.
            outlets = [name for name, _ in people.OUTLETS if name.removeprefix("The ") not in text]
            return people.Author("rss", rng.choice(outlets), None)
        # Some people post again in the same mood: the angry keep complaining, fans keep gushing.
        pool = self.pools.setdefault((source, stream, bank.stance), [])
        if pool and bank.lang == "en" and rng.random() < 0.2:
            return rng.choice(pool[-200:])
        author = people.make_author(rng, source, bank.lang)
        pool.append(author)
        return author

    def _fill(self, template: str, bank: Bank, moment: datetime) -> str:
        user = self._reply_target(template) if "{user}" in template else ""
        reviewed = bank.name.startswith("praise")
        slots = people.Slots(self.rng, bank.lang, reviewed, user)
        return re.sub(r"\{(\w+)\}", lambda match: slots.value(match.group(1)), template)

    def _reply_target(self, template: str) -> str:
        """The brand answers the latest unhappy (or, thanking, happy) post not yet answered."""
        wanted = "pos" if ("kind words" in template or "Glad" in template) else "neg"
        for post in reversed(self.posts):
            author = post.author
            if (
                post.stance == wanted
                and not post.repost
                and post.mention.is_brand
                and post.mention.lang == "en"
                and author.source == "mastodon"  # the brand answers on its own network
                and author != self.brand
                and author.handle not in self.answered
            ):
                self.answered.add(author.handle)
                return author.handle
        return "homeowner"

    def _pick_original(
        self,
        moment: datetime,
        stream: str,
        minutes: int = 25,
        kinds: tuple[str, ...] = ("social", "brand", *SHARED_KINDS),
    ) -> _Post | None:
        since = moment - timedelta(minutes=minutes)
        candidates = [
            p
            for p in self.posts[-600:]
            if p.stream == stream
            and not p.repost
            and p.mention.created_at >= since
            and p.kind in kinds
            and (p.mention.source in ("mastodon", "bluesky") or p.kind in SHARED_KINDS)
        ]
        if not candidates:
            return None
        weights = [
            math.sqrt((p.mention.reach or 3000) + 50 * (p.mention.engagement or 0))
            for p in candidates
        ]
        return self.rng.choices(candidates, weights)[0]

    def _repost(self, moment: datetime, stream: str, original: _Post, minute: int) -> _Post:
        rng = self.rng
        source = rng.choice(("mastodon", "bluesky"))
        author = people.make_author(rng, source, "en")
        old = original.mention
        if original.kind in SHARED_KINDS:
            title = old.text.split("\n")[0]
            text = f"{rng.choice(SHARE_PREFIXES)}{title} {old.url}"
        elif rng.random() < 0.5 or (original.author.reach or 0) > 45_000:
            text = f"RT @{original.author.handle}: {old.text}"
        else:
            text = old.text  # copy-paste reposts: same words, another author
        lang = old.lang if old.lang and old.lang != "en" else "en"
        post = self._build(
            moment, stream, "social", original.stance, lang, text, author, 0.6, minute
        )
        post.repost = True
        return post

    def _build(
        self,
        moment: datetime,
        stream: str,
        kind: str,
        stance: str,
        lang: str,
        text: str,
        author: people.Author,
        boost: float,
        minute: int,
    ) -> _Post:
        rng = self.rng
        source = author.source
        ident, url = self._identity(moment, kind, author, text, stream, minute)
        mention_lang: str | None = lang
        missing = {"reddit": 1.0, "hackernews": 1.0, "mastodon": 0.06, "bluesky": 0.03}
        if rng.random() < missing.get(source, 0.0):
            mention_lang = None
        if source == "rss":
            mention_lang = "en"
        engagement: int | None = people.engagement(rng, author.reach, boost)
        if author == self.brand:
            engagement = people.brand_engagement(self.rng, moment >= TRIGGER_AT, text)
        if source == "rss":
            engagement = None
        mention = Mention(
            id=ident,
            source=source,
            text=text,
            created_at=moment,
            author=author.handle,
            url=url,
            lang=mention_lang,
            reach=author.reach,
            engagement=engagement,
            topic=STREAM_TOPIC[stream],
        )
        return _Post(mention, stance, kind, author, stream)

    def _identity(
        self,
        moment: datetime,
        kind: str,
        author: people.Author,
        text: str,
        stream: str,
        minute: int,
    ) -> tuple[str, str]:
        rng = self.rng
        source = author.source
        if source == "mastodon":
            number = people.mastodon_id(moment, rng)
            return f"mastodon:{number}", f"https://{author.home}/@{author.user}/{number}"
        if source == "bluesky":
            rkey = people.tid(moment, rng)
            uri = f"at://{author.home}/app.bsky.feed.post/{rkey}"
            return f"bsky:{uri}", f"https://bsky.app/profile/{author.handle}/post/{rkey}"
        if source == "hackernews":
            item = self._next("hn", people.HN_FIRST_ID + minute * 11, 14)
            return f"hn:{item}", f"https://news.ycombinator.com/item?id={item}"
        if source == "rss":
            domain = dict(people.OUTLETS)[author.handle]
            url = f"https://{domain}/2026/03/14/{people.slug(text)}"
            while f"rss:{url}" in self.used_ids:
                url += "-2"
            self.used_ids.add(f"rss:{url}")
            return f"rss:{url}", url
        subs = (
            people.BRAND_SUBS
            if STREAM_TOPIC[stream] != COMPETITOR_TOPIC
            else people.COMPETITOR_SUBS
        )
        if kind == "reddit_post":
            number = people.base36(self._next("t3", people.REDDIT_FIRST_POST + minute * 640, 900))
            title = people.slug(text.split("\n")[0], "_", 50)
            sub = rng.choice(subs)
            return (
                f"reddit:t3_{number}",
                f"https://www.reddit.com/r/{sub}/comments/{number}/{title}/",
            )
        number = people.base36(self._next("t1", people.REDDIT_FIRST_COMMENT + minute * 4700, 6000))
        parent = self._reddit_parent(STREAM_TOPIC[stream])
        sub = parent[0] if parent else rng.choice(subs)
        post_id = (
            parent[1]
            if parent
            else people.base36(people.REDDIT_FIRST_POST - rng.randint(900, 90_000))
        )
        return (
            f"reddit:t1_{number}",
            f"https://www.reddit.com/r/{sub}/comments/{post_id}/comment/{number}/",
        )

    def _reddit_parent(self, topic: str) -> tuple[str, str] | None:
        for post in reversed(self.posts[-400:]):
            if post.kind == "reddit_post" and post.mention.topic == topic and post.mention.url:
                parts = post.mention.url.split("/")
                return parts[4], parts[6]
        return None

    def _next(self, counter: str, floor: int, step: int) -> int:
        value = max(self.counters[counter] + self.rng.randint(1, step), floor)
        self.counters[counter] = value
        return value


def generate_with_stance(seed: int = DEFAULT_SEED) -> list[tuple[Mention, str]]:
    """The scenario with each mention's human reading (pos, neu, neg), sorted by event time."""
    posts = _Generator(seed).run()
    pairs = [(post.mention, post.stance) for post in posts]
    return sorted(pairs, key=lambda pair: (pair[0].created_at, pair[0].id))


def generate(seed: int = DEFAULT_SEED) -> list[Mention]:
    """The scenario's mentions, deterministic for a seed, sorted by event time."""
    return [mention for mention, _ in generate_with_stance(seed)]


def to_jsonl(mentions: Iterable[Mention]) -> str:
    """The canonical JSON Lines text of mentions, one a line."""
    return "".join(mention.to_json() + "\n" for mention in mentions)


def load() -> list[Mention]:
    """The bundled scenario, read from its JSON Lines file."""
    with DEMO_PATH.open(encoding="utf-8") as lines:
        return list(read_mentions(lines, str(DEMO_PATH)))


def phase_at(moment: datetime) -> Phase | None:
    """The phase an event time falls in, or None outside the scenario."""
    for phase in PHASES:
        if phase.start <= moment < phase.end:
            return phase
    return None


def main(argv: list[str] | None = None) -> None:
    """Rewrite the bundled file from the generator, or with --check verify it is current."""
    parser = argparse.ArgumentParser(
        prog="python -m warroom.demo.scenario", description=main.__doc__
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the bundled file is stale")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    text = to_jsonl(generate(args.seed))
    if args.check:
        current = DEMO_PATH.read_text(encoding="utf-8") if DEMO_PATH.exists() else ""
        if current != text:
            print(f"{DEMO_PATH} is stale: run `python -m warroom.demo.scenario` to rewrite it")
            sys.exit(1)
        print(f"{DEMO_PATH} is current ({text.count(chr(10))} mentions)")
        return
    DEMO_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} mentions to {DEMO_PATH}")


if __name__ == "__main__":
    main()
