"""The demo scenario's script: how busy each stream is, what it says, and the scheduled posts."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

TEXTS_PATH = Path(__file__).parent / "data" / "demo_texts.txt"

# Minutes since 08:00 UTC at which the story turns.
BREACH, PRAISE, TRIGGER, SURGE, HOLDING, APOLOGY, FIX = 90, 165, 210, 218, 238, 265, 290

STREAM_TOPIC = {
    "calm": "brand",
    "competitor": "competitor:thermly",
    "breach": "competitor:thermly",
    "praise": "brand",
    "crisis": "brand",
}


def _envelope(
    m: float, start: float, rise: float, hold: float, fall: float, peak: float, tail: float
) -> float:
    """A burst: linear rise, plateau, linear fall to a quarter, then an exponential tail."""
    t = m - start
    if t < 0:
        return 0.0
    if t < rise:
        return peak * t / rise
    if t < rise + hold:
        return peak
    if t < rise + hold + fall:
        return peak * (1 - 0.75 * (t - rise - hold) / fall)
    return 0.25 * peak * math.exp(-(t - rise - hold - fall) / tail)


def _crisis(m: float) -> float:
    """Extra brand mentions a minute caused by the firmware 4.2 failure."""
    if m < TRIGGER:
        return 0.0
    if m < SURGE:
        return 0.6 + 0.25 * (m - TRIGGER)
    if m < SURGE + 10:
        return 3 + 27 * (m - SURGE) / 10
    if m < HOLDING:
        return 30.0
    bump = 6 * math.exp(-(m - HOLDING) / 5)  # the holding statement gets shared and answered
    if m < APOLOGY:
        return 30 - 17 * (m - HOLDING) / (APOLOGY - HOLDING) + bump
    bump = 5 * math.exp(-(m - APOLOGY) / 6)
    if m < FIX:
        return 13 - 6 * (m - APOLOGY) / (FIX - APOLOGY) + bump
    return 7 * math.exp(-(m - FIX) / 22) + 4 * math.exp(-(m - FIX) / 5)


def poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method: fine for the per-minute rates here (under ~80)."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def rates(m: float) -> dict[str, float]:
    """Expected mentions a minute per stream at minute m (US waking up: a slow upward drift)."""
    calm = 5.0 + 3.0 * m / 360
    if SURGE <= m < FIX + 10:
        calm *= 0.6  # ordinary chatter thins out while the crisis takes over feeds
    return {
        "calm": calm,
        "competitor": 1.5 + 0.9 * m / 360,
        "breach": _envelope(m, BREACH, 14, 20, 11, 10.0, 15),
        "praise": _envelope(m, PRAISE, 7, 12, 10, 19.0, 7),
        "crisis": _crisis(m),
    }


CALM_MIX = {
    "calm_question": 22,
    "calm_setup": 12,
    "calm_praise": 17,
    "calm_gripe": 21,
    "calm_neutral": 14,
    "calm_news": 0.8,
    "calm_reddit_post": 4,
    "calm_hn": 0.8,
    "calm_de": 2,
    "calm_fr": 1.2,
    "calm_es": 1.2,
}
BREACH_MIX = {
    "competitor_breach": 60,
    "competitor_breach_both": 12,
    "competitor_breach_news": 3,
    "competitor_breach_reddit": 3,
    "competitor_breach_hn": 3,
    "competitor_breach_de": 2,
    "competitor_breach_fr": 1,
    "competitor_calm": 8,
}
PRAISE_MIX = {"praise_burst": 84, "praise_news": 2, "praise_reddit": 4, "calm_question": 6}
SURGE_MIX = {
    "trigger_report": 5,
    "surge_report": 24,
    "surge_angry": 20,
    "surge_sarcasm": 12,
    "surge_silence": 10,
    "surge_question": 12,
    "surge_tip": 8,
    "surge_neutral": 16,
    "surge_defend": 4,
    "surge_news": 1.2,
    "surge_reddit_post": 3,
    "surge_hn": 3,
    "surge_de": 2,
    "surge_fr": 1.5,
    "surge_es": 1.5,
}
HOLDING_MIX = {
    **SURGE_MIX,
    "trigger_report": 0,
    "surge_silence": 0,
    "surge_news": 0,
    "holding_news": 1.2,
    "surge_report": 16,
    "surge_angry": 16,
    "surge_sarcasm": 9,
    "response_reaction": 20,
}
APOLOGY_MIX = {
    "apology_reaction": 24,
    "apology_doubt": 16,
    "response_reaction": 3,
    "surge_report": 5,
    "surge_angry": 7,
    "surge_sarcasm": 4,
    "surge_neutral": 8,
    "surge_tip": 2,
    "surge_hn": 2,
    "recovery_neutral": 5,
    "surge_reddit_post": 1,
    "surge_de": 1,
    "surge_fr": 1,
    "surge_es": 1,
}
RECOVERY_MIX = {
    "recovery_thanks": 30,
    "recovery_lingering": 22,
    "recovery_neutral": 14,
    "recovery_news": 1.2,
    "recovery_hn": 2,
    "apology_reaction": 6,
    "apology_doubt": 3,
    "surge_angry": 4,
    "surge_sarcasm": 3,
    "recovery_de": 1.5,
    "recovery_fr": 1.2,
    "recovery_es": 1.2,
}


def mix(stream: str, m: float) -> Mapping[str, float]:
    """Which template banks a stream draws from at minute m, with weights."""
    if stream == "calm":
        return CALM_MIX
    if stream == "competitor":
        return {"competitor_calm": 1}
    if stream == "breach":
        return BREACH_MIX
    if stream == "praise":
        return PRAISE_MIX
    if m < SURGE:
        return {"trigger_report": 10, "surge_question": 2, "surge_neutral": 1}
    if m < HOLDING:
        return SURGE_MIX
    if m < APOLOGY:
        return HOLDING_MIX
    if m < FIX:
        return APOLOGY_MIX
    return RECOVERY_MIX


def _at(hour: int, minute: int, second: int) -> datetime:
    return datetime(2026, 3, 14, hour, minute, second, tzinfo=UTC)


# Posts that happen at a known moment: (when, stream, bank, template index, who).
# who: "brand" for @brightwell, a key of demo_people.NOTABLES, an outlet, or None for anyone.
SCHEDULE: tuple[tuple[datetime, str, str, int, str | None], ...] = (
    (_at(8, 41, 10), "calm", "brand_calm", 1, "brand"),
    (_at(9, 12, 40), "calm", "brand_calm", 0, "brand"),
    (_at(9, 31, 20), "breach", "competitor_breach_news", 0, "Northlight Tech"),
    (_at(9, 36, 5), "breach", "competitor_breach", 3, "theo"),
    (_at(9, 52, 44), "breach", "competitor_breach_news", 1, None),
    (_at(10, 38, 5), "calm", "brand_calm", 3, "brand"),
    (_at(10, 44, 30), "praise", "praise_news", 0, "The Gadget Ledger"),
    (_at(10, 46, 12), "praise", "praise_ledger", 0, "ledger"),
    (_at(10, 51, 3), "praise", "praise_burst", 1, "priya"),
    (_at(11, 8, 12), "calm", "brand_calm", 2, "brand"),
    (_at(11, 30, 47), "crisis", "trigger_report", 0, None),
    (_at(11, 31, 55), "crisis", "trigger_report", 1, None),
    (_at(11, 33, 20), "crisis", "trigger_report", 2, None),
    (_at(11, 34, 12), "crisis", "trigger_journalist", 0, "dana"),
    (_at(11, 41, 30), "calm", "brand_calm", 1, "brand"),  # a scheduled spring tip mid-crisis
    (_at(11, 44, 2), "crisis", "trigger_journalist", 1, "marcus"),
    (_at(11, 46, 40), "crisis", "surge_news", 0, "HomeTech Daily"),
    (_at(11, 49, 15), "crisis", "surge_tip", 0, "hannah"),
    (_at(11, 52, 31), "crisis", "trigger_journalist", 2, "dana"),
    (_at(11, 53, 9), "crisis", "surge_hn", 0, None),
    (_at(11, 56, 10), "crisis", "surge_news", 2, "Circuit Weekly"),
    (_at(11, 58, 36), "crisis", "brand_holding", 0, "brand"),
    (_at(12, 3, 50), "crisis", "brand_holding", 2, "brand"),
    (_at(12, 9, 10), "crisis", "brand_holding", 1, "brand"),
    (_at(12, 11, 25), "crisis", "brand_holding", 2, "brand"),
    (_at(12, 14, 0), "crisis", "holding_news", 0, "The Fuse"),
    (_at(12, 25, 4), "crisis", "brand_apology", 0, "brand"),
    (_at(12, 27, 40), "crisis", "brand_apology", 1, "brand"),
    (_at(12, 31, 12), "crisis", "brand_apology", 2, "brand"),
    (_at(12, 34, 30), "crisis", "recovery_news", 0, None),
    (_at(12, 36, 48), "crisis", "brand_apology", 2, "brand"),
    (_at(12, 41, 5), "crisis", "recovery_news", 1, None),
    (_at(12, 42, 20), "crisis", "brand_apology", 2, "brand"),
    (_at(12, 46, 2), "crisis", "brand_apology", 2, "brand"),
    (_at(12, 50, 15), "crisis", "brand_fix", 0, "brand"),
    (_at(12, 53, 0), "crisis", "brand_fix", 1, "brand"),
    (_at(12, 58, 41), "crisis", "brand_fix", 2, "brand"),
    (_at(13, 5, 30), "crisis", "recovery_news", 2, None),
    (_at(13, 7, 9), "crisis", "brand_fix", 2, "brand"),
    (_at(13, 20, 33), "crisis", "brand_fix", 2, "brand"),
    (_at(13, 32, 0), "crisis", "recovery_news", 3, None),
)


HEADER = re.compile(r"\[\w+ (pos|neu|neg) [a-z]{2} (social|reddit_post|hn|rss|brand)\]")


@dataclass(frozen=True)
class Bank:
    """A group of post templates with the reading a person would give them."""

    name: str
    stance: str  # pos, neu, neg: how a communications professional reads these posts
    lang: str
    kind: str  # social, reddit_post, hn, rss, brand
    templates: tuple[str, ...]


def load_banks(path: Path = TEXTS_PATH) -> dict[str, Bank]:
    """Read the template banks; a header line is `[name stance lang kind]`."""
    banks: dict[str, Bank] = {}
    header: list[str] | None = None
    lines: list[str] = []

    def close() -> None:
        if header is not None:
            banks[header[0]] = Bank(header[0], header[1], header[2], header[3], tuple(lines))

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if HEADER.fullmatch(line):
            close()
            header, lines = line.strip("[]").split(), []
        elif header is None:
            raise ValueError(f"{path}:{number}: template before the first [header]")
        else:
            lines.append(line)
    close()
    return banks
