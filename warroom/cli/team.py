"""`warroom team status`: who is on, who holds ingest, the link, the last event, each lag."""

from __future__ import annotations

import asyncio

import click

from warroom.cli.errors import WarroomGroup
from warroom.clock import SystemClock


@click.group("team", cls=WarroomGroup)
def team() -> None:
    """Team mode: one incident shared by the team's consoles through Redis."""


@team.command("status")
@click.option("--team-name", default=None, help="The team's name (default: default).")
def status(team_name: str | None) -> None:
    """The team's incident, its members with roles, the ingest holder and each console's lag."""
    for line in asyncio.run(_status_lines(team_name)):
        click.echo(line)


async def _status_lines(team_name: str | None) -> list[str]:
    # Imported here: redis and the team package cost every other command their start-up.
    import json

    from redis.exceptions import RedisError

    from warroom.live.team.lease import IngestLease
    from warroom.live.team.link import TeamLink, team_settings
    from warroom.live.team.presence import members

    settings = team_settings(team_name)
    link = TeamLink(settings, clock=SystemClock())
    lines = [f"team {settings.team!r} on {settings.shown_url}"]
    try:
        try:
            await link.redis.ping()
        except (RedisError, OSError) as error:
            lines.append(f"link: DOWN ({type(error).__name__}: cannot reach the team's Redis)")
            return lines
        lines.append("link: up")
        raw = await link.redis.get(link.keys.incident)
        incident = json.loads(raw) if raw else None
        if incident is None:
            lines.append("incident: none open")
        else:
            lines.append(f"incident: {incident.get('name')} ({incident.get('slug')})")
        holder = await IngestLease(link, "status", "status").holder()
        lines.append(
            f"ingest: {holder['operator']} on {holder['console']}" if holder else "ingest: nobody"
        )
        last_id = "0-0"
        if incident is not None:
            key = link.keys.events(incident["slug"])
            newest = await link.entries(key, newest_first=True, count=1)
            if newest:
                last_id, fields = newest[0]
                lines.append(f"last event: {last_id} ({_kind(fields)})")
        on = await members(link, SystemClock().now())
        lines.append(f"members: {len(on)} on")
        for member in on:
            lag = _lag_seconds(last_id, member.last_event)
            role = member.role or "no role"
            mark = " (ingest)" if holder and holder.get("console") == member.console else ""
            lines.append(f"  {member.operator:16} {role:12} {member.console:28} lag {lag}{mark}")
    finally:
        await link.close()
    return lines


def _kind(fields: dict[bytes, bytes]) -> str:
    import json

    try:
        return str(json.loads(fields.get(b"body", b"{}")).get("kind", "?"))
    except ValueError:
        return "?"


def _lag_seconds(newest: str, applied: str) -> str:
    """How far behind a console is, from the millisecond part of the stream ids."""
    try:
        behind = int(newest.split("-")[0]) - int(applied.split("-")[0])
    except ValueError:
        return "?"
    return "0 s" if behind <= 0 else f"{behind / 1000:.1f} s"
