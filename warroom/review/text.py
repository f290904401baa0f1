"""How the post-mortem writes moments, spans and shares: UTC and local times, 2h 05m, 12.5%."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


def local_zone(name: str | None = None) -> tzinfo:
    """The zone for local times: a zoneinfo name, else this machine's zone."""
    if name:
        from zoneinfo import ZoneInfo  # deferred: only --tz needs the tz database

        return ZoneInfo(name)
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def zone_label(zone: tzinfo) -> str:
    """A zone's name for headings: its zoneinfo key, else its abbreviation now."""
    return str(getattr(zone, "key", None) or datetime.now(zone).strftime("%Z"))


def utc_text(moment: datetime | None) -> str:
    """A moment in UTC to the second, or a dash."""
    return "—" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def local_text(moment: datetime | None, zone: tzinfo) -> str:
    """A moment in `zone` to the second, with the zone's abbreviation, or a dash."""
    return "—" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")


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
