"""How the post-mortem writes things: times (Sat 14 Mar 09:40), spans (2h 05m), shares (12.5%),
reach (184k) and links (example.com/post/1…)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from urllib.parse import urlsplit

from warroom.errors import did_you_mean


def local_zone(name: str | None = None) -> tzinfo:
    """The zone for local times: a zoneinfo name, else this machine's zone.

    A bad name raises ValueError or KeyError (`zone_hint` says what to type instead).
    """
    if name:
        from zoneinfo import ZoneInfo  # deferred: only --tz needs the tz database

        return ZoneInfo(name)
    return system_zone()


def system_zone() -> tzinfo:
    """This machine's zone, by its zoneinfo name when it has one (summer time then moves with
    the incident's dates), else its offset now."""
    from zoneinfo import ZoneInfo

    configured = os.environ.get("TZ")
    key = configured.removeprefix(":") if configured is not None else _localtime_key()
    if key:
        try:
            return ZoneInfo(key)
        except (ValueError, KeyError, OSError):
            pass  # a POSIX rule such as CET-1CEST: the C library reads it, zoneinfo does not
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def _localtime_key() -> str | None:
    """The zoneinfo name /etc/localtime points to (Debian, Fedora, macOS), if it does."""
    try:
        target = str(Path("/etc/localtime").resolve(strict=True))
    except OSError:
        return None
    _, found, key = target.partition("/zoneinfo/")
    return key if found else None


def zone_hint(name: str) -> str:
    """What to say about a zone name zoneinfo does not know: the close one, or an example."""
    from zoneinfo import available_timezones

    zones = available_timezones()
    same = {zone.lower(): zone for zone in zones}.get(name.lower())
    if same:
        return f" (did you mean '{same}'?)"
    return did_you_mean(name, sorted(zones)) or " (a zoneinfo name such as Europe/Paris)"


def zone_label(zone: tzinfo) -> str:
    """A zone's name for headings: its zoneinfo key, else its abbreviation now."""
    return str(getattr(zone, "key", None) or datetime.now(zone).strftime("%Z"))


def differs_from_utc(zone: tzinfo, moments: Iterable[datetime]) -> bool:
    """Whether any of `moments` reads differently in `zone` than in UTC."""
    offsets = {moment.astimezone(zone).utcoffset() for moment in moments}
    if not offsets:
        offsets = {datetime.now(zone).utcoffset()}
    return offsets != {timedelta(0)}


def zone_text(zone: tzinfo, moment: datetime) -> str:
    """A zone as people say it on a day: Europe/Paris (CET, UTC+1)."""
    local = moment.astimezone(zone)
    label, abbreviation = zone_label(zone), local.strftime("%Z")
    offset = _offset_text(local.utcoffset() or timedelta(0))
    if label == "UTC":
        return label
    if abbreviation in (label, offset, "UTC") or abbreviation.startswith(("+", "-")):
        return f"{label} ({offset})"
    return f"{label} ({abbreviation}, {offset})"


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def human_time(moment: datetime | None, zone: tzinfo = UTC) -> str:
    """A moment as people read it, to the minute: Sat 14 Mar 09:40; a dash when unknown."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def human_date(moment: datetime, zone: tzinfo = UTC) -> str:
    """A day as people read it, with its year: Sat 14 Mar 2026."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}"


def duration_text(span: timedelta | None) -> str:
    """A duration as 2h 05m, 12m 30s or 45s; negative spans keep their sign."""
    if span is None:
        return "—"
    seconds = int(span.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"


def percent(value: float | None) -> str:
    """A share as 12.5%, or a dash."""
    return "—" if value is None else f"{value:.1%}"


_UNITS = ((1_000, "k"), (1_000_000, "M"), (1_000_000_000, "B"))


def reach_text(count: int) -> str:
    """A number of followers as people write it: 950, 5.2k, 18.4k, 184k, 1.2M."""
    if count < 1_000:
        return str(count)
    for scale, unit in _UNITS:
        value = count / scale
        digits = 1 if value < 100 else 0
        rounded = round(value, digits)
        if rounded < 1_000 or unit == _UNITS[-1][1]:  # 999,950 is 1M, not 1000k
            return f"{rounded:.{digits}f}".removesuffix(".0") + unit
    raise AssertionError("unreachable: the last unit takes any size")


def short_url(url: str, limit: int = 30) -> str:
    """A link's text: its host and the start of its path (mastodon.social/@jo/1098…)."""
    try:
        # Browsers read a backslash in an http(s) link as a slash: parse it as they will.
        parts = urlsplit(url.replace("\\", "/"))
        host, path = (parts.hostname or "").removeprefix("www."), parts.path.rstrip("/")
        if parts.username is not None or parts.password is not None:
            host = ""  # user@host links mislead about where they go: show them as given
    except ValueError:  # a malformed bracketed host: show the start of it as given
        host, path = "", ""
    text = host + path if host else url
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word's end, with … when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + "…"
