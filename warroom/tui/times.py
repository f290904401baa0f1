"""Times as people say them: "today 14:03 (3 min ago)" in the local zone, not ISO 8601."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def ago(moment: datetime, now: datetime) -> str:
    """`just now`, `3 min ago`, `2 h ago`, `4 days ago`, or `in 5 min` for a moment ahead."""
    seconds = (now - moment).total_seconds()
    span = abs(seconds)
    if span < 45:
        return "just now" if seconds >= 0 else "in under a minute"
    if span < 90 * 60:
        amount = f"{round(span / 60)} min"
    elif span < 36 * 3600:
        amount = f"{round(span / 3600)} h"
    else:
        days = round(span / 86400)
        amount = f"{days} day" if days == 1 else f"{days} days"
    return f"{amount} ago" if seconds >= 0 else f"in {amount}"


def local_day(moment: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """`today 14:03`, `yesterday 23:10`, `Mon 09:12` this week, else `3 Mar 2026 09:12`.

    In `zone`, or the system's zone when None (what the person's own clock shows).
    """
    local = moment.astimezone(zone)
    days = (now.astimezone(zone).date() - local.date()).days
    clock = f"{local:%H:%M}"
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"yesterday {clock}"
    if days == -1:
        return f"tomorrow {clock}"
    if 1 < days < 7:
        return f"{local:%a} {clock}"
    return f"{local.day} {local:%b %Y} {clock}"


def human_time(moment: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """`today 14:03 (3 min ago)`: the local day and time, then how long ago."""
    return f"{local_day(moment, now, zone)} ({ago(moment, now)})"


def exact_time(moment: datetime, zone: tzinfo | None = None) -> str:
    """`14 Mar 2026 14:03:05 CET (UTC+01:00)`: to the second, the zone named."""
    local = moment.astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    name = local.tzname() or "UTC"
    stamp = f"{local.day} {local:%b %Y %H:%M:%S}"
    if not offset:
        return f"{stamp} {name}"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    utc = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    # A zone without a name of its own is already called by its offset.
    return f"{stamp} {utc}" if name == utc else f"{stamp} {name} ({utc})"
