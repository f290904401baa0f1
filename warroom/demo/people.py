"""Who posts in the demo scenario, and the ids, urls and numbers real sources give them."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import datetime

# fmt: off
FIRST = (
    "sarah", "mike", "jen", "dave", "emma", "liam", "olivia", "noah", "ava", "ethan", "mia",
    "lucas", "chloe", "owen", "grace", "ben", "lily", "sam", "nora", "jack", "hannah", "ryan",
    "zoe", "matt", "kate", "leo", "ella", "tom", "amy", "dan", "ruth", "alex", "maya", "chris",
    "beth", "paul", "anna", "jo", "rob", "tess", "nick", "ivy", "carl", "lena", "omar", "priya",
    "raj", "yuki", "wei", "ana", "diego", "sofia", "luis", "marta", "jonas", "katrin", "lukas",
    "claire", "julien", "camille",
)
LAST = (
    "miller", "kowalski", "nguyen", "okafor", "patel", "murphy", "schmidt", "garcia", "brennan",
    "walsh", "cohen", "fischer", "lindqvist", "moreau", "dubois", "romero", "hughes", "carter",
    "tanaka", "silva", "kelly", "byrne", "obrien", "novak", "costa", "weber", "larsen", "price",
    "evans", "reid", "doyle",
)
WORDS = (
    "cold", "coffee", "cozy", "frosty", "north", "maple", "cabin", "winter", "quiet", "tinker",
    "retro", "pixel", "nerd", "dad", "mom", "garden", "loft", "static", "circuit", "toast",
    "burrow", "kettle", "drafty", "attic", "cedar", "harbor",
)
# fmt: on
MASTODON_INSTANCES = (
    ("mastodon.social", 30),
    ("mastodon.online", 8),
    ("mstdn.social", 6),
    ("fosstodon.org", 6),
    ("hachyderm.io", 6),
    ("mas.to", 5),
    ("mastodon.world", 5),
    ("techhub.social", 4),
    ("toot.community", 3),
    ("mastodon.scot", 2),
    ("infosec.exchange", 3),
)
LANG_INSTANCES = {"de": "chaos.social", "fr": "piaille.fr", "es": "masto.es"}
BRAND_SUBS = ("smarthome", "homeautomation", "Brightwell", "HVAC", "homeowners", "homeassistant")
COMPETITOR_SUBS = ("smarthome", "privacy", "technology", "Thermly", "homeautomation")
OUTLETS = (
    ("HomeTech Daily", "hometechdaily.news"),
    ("The Gadget Ledger", "gadgetledger.news"),
    ("Circuit Weekly", "circuitweekly.news"),
    ("Northlight Tech", "northlight.tech"),
    ("The Fuse", "thefuse.news"),
)
B32 = "abcdefghijklmnopqrstuvwxyz234567"
TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"
HN_FIRST_ID = 47_211_530
REDDIT_FIRST_POST = int("1rg9k20", 36)
REDDIT_FIRST_COMMENT = int("ob31000", 36)
BRAND_REACH = 38_400


@dataclass(frozen=True)
class Author:
    """One poster: their handle on a source and their followers (None where a source has none)."""

    source: str
    handle: str
    reach: int | None
    home: str = ""  # mastodon instance, bluesky did, or empty

    @property
    def user(self) -> str:
        return self.handle.split("@")[0]


def brand_account() -> Author:
    """The brand's own Mastodon account, as it appears in the stream."""
    return Author("mastodon", "brightwell", BRAND_REACH, "mastodon.social")


# The people whose posts move a conversation: reporters, reviewers, influencers (all fictional).
NOTABLES = {
    "dana": Author("bluesky", "danawhitfield.bsky.social", 184_000, "did:plc:"),
    "marcus": Author("mastodon", "marcusreyes@journa.host", 61_500, "journa.host"),
    "ledger": Author("bluesky", "gadgetledger.news", 412_000, "did:plc:"),
    "priya": Author("bluesky", "priya.codes", 97_000, "did:plc:"),
    "sam": Author("mastodon", "smarthomesam@mastodon.social", 53_000, "mastodon.social"),
    "hannah": Author("bluesky", "hvachannah.bsky.social", 128_000, "did:plc:"),
    "theo": Author("bluesky", "theoprivacy.bsky.social", 231_000, "did:plc:"),
}


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in pairs], [weight for _, weight in pairs])[0]


def _username(rng: random.Random) -> str:
    first, last, word = rng.choice(FIRST), rng.choice(LAST), rng.choice(WORDS)
    shapes = (
        f"{first}{last}",
        f"{first}_{last[:1]}",
        f"{first}.{last}",
        f"{word}{first}",
        f"{first}{rng.randint(1, 99)}",
        f"{word}_{word}{rng.randint(1, 9)}" if rng.random() < 0.2 else f"{word}{last}",
        f"{first[:1]}{last}{rng.randint(70, 99)}",
    )
    return rng.choice(shapes)


def _reach(rng: random.Random) -> int:
    """Followers: log-normal, so most people are small and a few are big."""
    return min(int(math.exp(rng.gauss(math.log(220), 1.5))), 45_000)


def make_author(rng: random.Random, source: str, lang: str | None = None) -> Author:
    """A new ordinary poster on a source."""
    name = _username(rng)
    if source == "mastodon":
        instance = LANG_INSTANCES.get(lang or "", "") or _weighted(rng, MASTODON_INSTANCES)
        return Author(source, f"{name}@{instance}", _reach(rng), instance)
    if source == "bluesky":
        did = "did:plc:" + "".join(rng.choice(B32) for _ in range(24))
        handle = f"{name.replace('_', '-')}.bsky.social"
        if rng.random() < 0.08:
            handle = f"{name.replace('_', '').replace('.', '')}.com"
        return Author(source, handle, _reach(rng), did)
    if source == "reddit":
        return Author(
            source, name.replace(".", "_") + rng.choice(("", "", str(rng.randint(1, 9999)))), None
        )
    return Author(source, name.replace(".", "").replace("_", "")[:15], None)


def with_did(rng: random.Random, author: Author) -> Author:
    """Give a notable Bluesky account a stable-looking did."""
    if author.home == "did:plc:":
        did = "did:plc:" + "".join(rng.choice(B32) for _ in range(24))
        return Author(author.source, author.handle, author.reach, did)
    return author


def tid(moment: datetime, rng: random.Random) -> str:
    """A Bluesky record key: microseconds since the epoch and a clock id, base32-sortable."""
    value = (int(moment.timestamp() * 1_000_000) << 10) | rng.getrandbits(10)
    chars = []
    for _ in range(13):
        chars.append(TID_CHARS[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def mastodon_id(moment: datetime, rng: random.Random) -> str:
    """A Mastodon snowflake: milliseconds since the epoch shifted left 16 bits, plus noise."""
    return str((int(moment.timestamp() * 1000) << 16) | rng.getrandbits(16))


def base36(number: int) -> str:
    """Reddit's id alphabet."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"


def slug(text: str, sep: str = "-", limit: int = 60) -> str:
    """A url slug of a title."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > limit:
            break
        out = f"{out}{sep}{word}" if out else word
    return out


def engagement(rng: random.Random, reach: int | None, boost: float) -> int:
    """Likes + reposts + replies: grows with reach and with how hot the moment is."""
    base = (reach or 150) ** 0.55 * 0.25 * boost
    return max(0, int(base * math.exp(rng.gauss(0.0, 1.0))))


KEEP_CASE = ("Brightwell", "Thermly", "I ", "I'", "@", "#", "RT")
OPENERS = ("Ok so ", "So ", "Honestly, ", "Hm. ", "Not gonna lie, ", "Update: ", "Right, ")
EMOJI = {
    "pos": ("🙌", "❤️", "👏", "😊", "🔥"),
    "neg": ("🥶", "😡", "🙃", "🤦", "😤"),
    "neu": ("🤔", "👀", "😅", "🤷"),
}


def vary(rng: random.Random, text: str, stance: str) -> str:
    """People type the same thought differently: case, openers, emoji, punctuation."""
    roll = rng.random()
    if roll < 0.12:
        opener = rng.choice(OPENERS)
        keep = opener.endswith(". ") or text.startswith(KEEP_CASE)
        text = opener + (text if keep else text[0].lower() + text[1:])
    elif roll < 0.18:
        text = text.lower()
    if text.endswith(".") and rng.random() < 0.5:
        text = text[:-1]
    if rng.random() < 0.18:
        text = f"{text} {rng.choice(EMOJI[stance])}"
    return text


def brand_engagement(rng: random.Random, crisis: bool, text: str) -> int:
    """Brand posts get little attention until the crisis; then everything it says is answered."""
    if text.startswith("@"):
        return int(rng.uniform(4, 40) * (8 if crisis else 1))
    return int(rng.uniform(1500, 4500) if crisis else rng.uniform(20, 150))


MODELS = ("Halo", "Halo", "Halo Pro", "Halo Pro", "Halo Mini", "Ember", "Ember 2")
REVIEWED_MODEL = "Halo Pro"
# fmt: off
US_CITIES = (
    "Boston", "Chicago", "Minneapolis", "Buffalo", "Detroit", "Albany", "Hartford", "Pittsburgh",
    "Cleveland", "Milwaukee", "Syracuse", "Rochester", "Madison", "Providence", "Columbus",
    "Burlington",
)
METRIC_CITIES = (
    "Toronto", "Ottawa", "Montreal", "Winnipeg", "Manchester", "Leeds", "Glasgow", "Edinburgh",
    "Sheffield",
)
# fmt: on
KIDS = (
    "My daughter",
    "The baby",
    "My 84 year old mum",
    "My son",
    "My youngest",
    "My partner",
    "Our toddler",
    "My dad",
    "Grandma",
)
ASSISTANTS = ("Alexa", "Google Home", "HomeKit", "Home Assistant", "SmartThings", "Matter")
RETAILERS = ("Best Buy", "Amazon", "Home Depot", "Costco", "Lowe's", "Target", "Walmart")
TIMES = ("6:40", "7:10am", "around 7", "6:55am", "7:30", "quarter past 7", "7:05")
BREACH_SIZES = ("1.8 million", "2 million", "over a million", "1.2M", "millions of")


class Slots:
    """Values for one post's template slots, kept consistent within the post (place, units)."""

    def __init__(self, rng: random.Random, lang: str, reviewed: bool, user: str) -> None:
        self.rng = rng
        self.english = lang == "en"
        self.metric = not self.english or rng.random() < 0.25
        self.reviewed = reviewed
        self.user = user

    def value(self, name: str) -> str:
        """The text for a slot name; an unknown slot is a bug in the template bank."""
        rng = self.rng
        f = not self.metric
        match name:
            case "model":
                return REVIEWED_MODEL if self.reviewed else rng.choice(MODELS)
            case "tmodel":
                return rng.choice(("Thermly One", "Thermly Sense", "Thermly Lite"))
            case "city":
                return rng.choice(US_CITIES if f else METRIC_CITIES)
            case "indoor":
                n = rng.randint(48, 58) if f else rng.randint(9, 14)
                unit = rng.choice(("°F", " degrees", "F", "°")) if f else "°C"
                if not f and self.english:
                    unit = rng.choice(("°C", " degrees"))
                return f"{n}{unit}"
            case "outdoor":
                n = rng.randint(-6, 22) if f else rng.randint(-15, -1)
                return f"{n}°F" if f else f"{n}°C"
            case "stuck":
                return rng.choice(("55°F", "55", "55F", "55 degrees")) if f else "13°C"
            case "fw":
                return rng.choice(("4.2", "4.2", "4.2", "4.2.0", "v4.2"))
            case "oldfw":
                return "4.1.3"
            case "mins":
                return str(rng.randrange(15, 95, 5))
            case "hold":
                return str(rng.randrange(20, 140, 5))
            case "kid":
                return rng.choice(KIDS)
            case "assistant":
                return rng.choice(ASSISTANTS)
            case "retailer":
                return rng.choice(RETAILERS)
            case "price":
                return f"${rng.choice((89, 99, 119, 129, 149, 179, 199))}"
            case "pct":
                return f"{rng.randint(8, 27)}%"
            case "time":
                return rng.choice(TIMES)
            case "ticket":
                return f"#{rng.randint(1_000_000, 9_999_999)}"
            case "outlet":
                return "Gadget Ledger"
            case "n":
                return str(rng.randint(12, 140))
            case "k":
                return rng.choice(BREACH_SIZES)
            case "user":
                return self.user
        raise KeyError(f"unknown template slot {{{name}}}")
