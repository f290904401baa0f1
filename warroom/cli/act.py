"""Acting on an incident without a console: note, check, declare, close, and `team status`.

On one machine they write to the incident's log when no console holds it (and otherwise say
which console does); in team mode (`--team`, or WARROOM_TEAM_URL set) they go through the
team's shared log, as a console's actions do.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from warroom.cli.common import Context, pass_context
from warroom.clock import SystemClock
from warroom.errors import WarroomError, did_you_mean
from warroom.incident.log import IncidentLog, IncidentNotFound
from warroom.incident.session import operator_name
from warroom.incident.state import IncidentState
from warroom.model import EventKind, format_time
from warroom.playbook import (
    Playbook,
    PlaybookInvalid,
    PlaybookNotFound,
    default_playbook,
    find_playbook,
    load_playbook,
    user_playbooks_dir,
)

if TYPE_CHECKING:
    from warroom.live.team.link import TeamLink


class NoOpenIncident(WarroomError):
    """No incident to act on."""


class NotAllowed(WarroomError):
    """An action the incident's state or playbook does not allow (an unknown step, a second
    declaration)."""


@dataclass(frozen=True)
class Target:
    """Where an action goes: the local log's slug, or the team's incident."""

    slug: str
    team: bool


def _team_wanted(team: bool) -> bool:
    # The URL alone is enough: a team member's machine has it set.
    return team or bool(os.environ.get("WARROOM_TEAM_URL"))


def _open_incident(context: Context, incident: str | None) -> str:
    """The slug of the named incident, else of the newest one not closed."""
    store = context.store()
    if incident:
        slug = incident if (store.root / incident).is_dir() else None
        for meta in store.list():
            if incident in (meta.slug, meta.name):
                slug = meta.slug
        if slug is None:
            names = [meta.slug for meta in store.list()]
            raise IncidentNotFound(f"no incident {incident!r}{did_you_mean(incident, names)}")
        return slug
    clock = SystemClock()
    for meta in reversed(store.list()):
        with store.open(meta.slug, clock=clock, writable=False) as log:
            if IncidentState.from_events(log.events()).closed_at is None:
                return meta.slug
    raise NoOpenIncident(f"no open incident in {store.root}: name one with --incident")


def _playbook_of(state: IncidentState, context: Context) -> Playbook:
    if not state.playbook:
        return default_playbook()
    try:
        return load_playbook(find_playbook(state.playbook, user_playbooks_dir(context.data_dir)))
    except (PlaybookNotFound, PlaybookInvalid, OSError):
        return default_playbook()


def _step_data(playbook: Playbook, step_id: str) -> dict[str, Any]:
    try:
        step = playbook.step(step_id)
    except KeyError:
        ids = [s.id for s in playbook.steps]
        raise NotAllowed(
            f"no step {step_id!r} in playbook {playbook.name!r}{did_you_mean(step_id, ids)}"
        ) from None
    return {"step": step.id, "title": step.title, "owner": step.owner}


Build = Callable[[IncidentState], dict[str, Any]]


def _act_locally(context: Context, incident: str | None, kind: EventKind, build: Build) -> str:
    """Append one event to the local incident (refused, naming it, if a console holds it)."""
    slug = _open_incident(context, incident)
    clock = SystemClock()
    log: IncidentLog = context.store().open(slug, clock=clock)
    with log:
        # A drill runs on its scenario's clock: what is done from here is stamped where it
        # stopped (its last event or mention), not today, so it sits in the drill's timeline.
        drill = log.meta.drill
        state = IncidentState.from_events(log.events(include_mentions=drill), name=log.meta.name)
        data = build(state)
        at = (state.last_at or log.meta.created_at) if drill else None
        if at is not None and "declared_at" in data:
            data["declared_at"] = format_time(at)  # the drill's deadlines count from there
        log.append(kind, data, author=operator_name(), at=at)
    return slug


async def _act_in_team(team: str | None, kind: EventKind, build: Build) -> str:
    """XADD one event to the team's incident; the consoles apply it in stream order."""
    from warroom.live.team.link import TeamLink, team_settings
    from warroom.live.team.wire import TeamEvent

    link = TeamLink(team_settings(team), clock=SystemClock())
    try:
        slug = await _team_incident(link)
        state = await _team_state(link, slug)
        data = build(state)
        event_id = f"cli-{socket.gethostname()[:20]}-{secrets.token_hex(4)}:1"
        event = TeamEvent(event_id, kind, format_time(SystemClock().now()), operator_name(), data)
        await link.add(link.keys.events(slug), event.fields())
        return slug
    finally:
        await link.close()


async def _team_incident(link: TeamLink) -> str:
    raw = await link.redis.get(link.keys.incident)
    if raw is None:
        raise NoOpenIncident(f"team {link.settings.team!r} has no open incident (no console on)")
    return str(json.loads(raw)["slug"])


async def _team_state(link: TeamLink, slug: str) -> IncidentState:
    """The incident's state from the team's event stream (events are few; mentions are not read)."""
    from warroom.live.team.replica import team_event_to_event
    from warroom.live.team.wire import TeamEvent, WireError, decode

    state = IncidentState(name=slug)
    for _, fields in await link.entries(link.keys.events(slug)):
        try:
            content = decode(fields)
        except WireError:
            continue
        if isinstance(content, TeamEvent):
            state.apply(team_event_to_event(content))
    return state


def _run(
    context: Context,
    team: bool,
    team_name: str | None,
    incident: str | None,
    kind: EventKind,
    build: Build,
) -> str:
    if _team_wanted(team):
        return asyncio.run(_act_in_team(team_name, kind, build))
    return _act_locally(context, incident, kind, build)


TEAM_OPTIONS = [
    click.option("--incident", help="The incident (name or slug; default: the open one)."),
    click.option("--team", "team", is_flag=True, help="Through the team (WARROOM_TEAM_URL)."),
    click.option("--team-name", default=None, help="The team's name (default: default)."),
]


def _options(function: Any) -> Any:
    for option in reversed(TEAM_OPTIONS):
        function = option(function)
    return function


@click.command()
@click.argument("text")
@_options
@pass_context
def note(
    context: Context, text: str, incident: str | None, team: bool, team_name: str | None
) -> None:
    """Write a note in the incident's log (the timeline everyone sees)."""
    if not text.strip():
        raise click.BadParameter("a note needs some text", param_hint="TEXT")
    slug = _run(context, team, team_name, incident, EventKind.NOTE, lambda state: {"text": text})
    click.echo(f"noted in {slug}")


@click.command()
@click.argument("step_id")
@click.option("--undo", is_flag=True, help="Uncheck the step.")
@_options
@pass_context
def check(
    context: Context,
    step_id: str,
    undo: bool,
    incident: str | None,
    team: bool,
    team_name: str | None,
) -> None:
    """Check (or with --undo uncheck) a playbook step by its id."""
    kind = EventKind.STEP_UNCHECKED if undo else EventKind.STEP_CHECKED

    def build(state: IncidentState) -> dict[str, Any]:
        return _step_data(_playbook_of(state, context), step_id)

    slug = _run(context, team, team_name, incident, kind, build)
    click.echo(f"{'unchecked' if undo else 'checked'} {step_id} in {slug}")


@click.command()
@click.argument("name")
@_options
@pass_context
def declare(
    context: Context, name: str, incident: str | None, team: bool, team_name: str | None
) -> None:
    """Declare the incident NAME: its clock starts, the playbook's deadlines count from now."""
    now = format_time(SystemClock().now())
    data = {"name": name, "declared_at": now, "evidence": {}}

    def build(state: IncidentState) -> dict[str, Any]:
        if state.declared_at is not None:
            raise NotAllowed(
                f"already declared by {state.declared_by or 'someone'} at "
                f"{state.declared_at:%Y-%m-%d %H:%M:%S}Z as {state.name!r}"
            )
        return {**data, "playbook": state.playbook}  # the one in force stays in force

    slug = _run(context, team, team_name, incident, EventKind.DECLARED, build)
    click.echo(f"declared {name!r} in {slug}")


@click.command()
@click.argument("summary")
@_options
@pass_context
def close(
    context: Context, summary: str, incident: str | None, team: bool, team_name: str | None
) -> None:
    """Close the incident with a one-line SUMMARY."""
    slug = _run(
        context, team, team_name, incident, EventKind.CLOSED, lambda state: {"summary": summary}
    )
    click.echo(f"closed {slug}")
