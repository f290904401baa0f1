"""`warroom playbook`: list, show, validate and create crisis playbooks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from warroom.cli.errors import WarroomGroup
from warroom.model import Level
from warroom.playbook import (
    Playbook,
    PlaybookError,
    PlaybookInvalid,
    PlaybookNotFound,
    find_playbook,
    list_playbooks,
    load_playbook,
    new_playbook,
    user_playbooks_dir,
)


def _user_dir(ctx: click.Context) -> Path:
    """The user playbook folder, under the main group's --data-dir when there is one."""
    data_dir = getattr(ctx.obj, "data_dir", None)
    return user_playbooks_dir(Path(data_dir) if data_dir else None)


def _load(name: str, user_dir: Path) -> Playbook:
    # Not found and invalid reach the person through warroom.cli.errors.
    return load_playbook(find_playbook(name, user_dir))


def _minutes(minutes: int) -> str:
    days, rest = divmod(minutes, 1440)
    hours, rest = divmod(rest, 60)
    if days:
        return f"T+{days}d{hours:02d}h"
    return f"T+{hours}h{rest:02d}" if hours else f"T+{rest}m"


@click.group("playbook", cls=WarroomGroup)
def playbook() -> None:
    """Crisis playbooks: YAML files the team edits between incidents."""


@playbook.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """List playbooks: yours (in the data directory) and the bundled ones."""
    user_dir = _user_dir(ctx)
    entries = list_playbooks(user_dir)
    if not entries:
        click.echo("no playbooks found")
        return
    width = max(len(name) for name, _, _ in entries)
    for name, path, bundled in entries:
        origin = "bundled" if bundled else "yours  "
        try:
            loaded = load_playbook(path)
            summary = f"{len(loaded.steps):3d} steps  {_first_line(loaded.description)}"
        except PlaybookInvalid as error:
            summary = f"INVALID ({len(error.errors)} errors): warroom playbook validate {path}"
        click.echo(f"{name:<{width}}  {origin}  {summary}")
    click.echo(f"\nyour playbooks: {user_dir} (they override bundled ones of the same name)")


def _first_line(text: str, limit: int = 70) -> str:
    line = text.strip().split(". ")[0].strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


@playbook.command("show")
@click.argument("name")
@click.option("--level", type=click.Choice([lv.value for lv in Level]), help="Only steps for it.")
@click.option("--yaml", "as_yaml", is_flag=True, help="Print the file as it is.")
@click.pass_context
def show_command(ctx: click.Context, name: str, level: str | None, as_yaml: bool) -> None:
    """Show a playbook: roles, steps with owners and deadlines, channels, templates."""
    user_dir = _user_dir(ctx)
    if as_yaml:
        click.echo(find_playbook(name, user_dir).read_text(encoding="utf-8"), nl=False)
        return
    loaded = _load(name, user_dir)
    for line in describe_playbook(loaded, Level(level) if level else None):
        click.echo(line)


def describe_playbook(book: Playbook, level: Level | None = None) -> list[str]:
    """A playbook as plain text lines, for the terminal."""
    lines = [f"{book.name} ({book.path or 'text'})", "", *_wrap(book.description), ""]
    lines.append("Roles")
    lines += [f"  {r.id:<10} {r.title}" + (f" — {r.who}" if r.who else "") for r in book.roles]
    if book.triggers:
        settings = ", ".join(f"{key}={value}" for key, value in book.triggers.items())
        lines += ["", f"Detector overrides: {settings}"]
    for phase in book.phases:
        steps = [s for s in phase.steps if level is None or level in s.levels]
        if not steps:
            continue
        lines += ["", phase.title]
        for step in steps:
            extra = f"  [{step.when}]" if step.when else ""
            lines.append(f"  {_minutes(step.due_minutes):>8}  {step.owner:<10} {step.title}{extra}")
            if step.depends_on:
                lines.append(f"{'':22}after: {', '.join(step.depends_on)}")
    if book.channels:
        lines += ["", "Channels"]
        lines += [f"  {c.id:<10} {c.kind:<9} {c.audience}" for c in book.channels]
    if book.templates:
        lines += ["", "Templates"]
        lines += [f"  {t.id:<10} {t.kind:<9} {t.title}" for t in book.templates]
    if book.review_questions:
        lines += ["", "Review questions"]
        lines += [f"  - {question}" for question in book.review_questions]
    return lines


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, width=88) or [""]


@playbook.command("validate")
@click.argument("files", nargs=-1, required=True)
@click.pass_context
def validate_command(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Check playbook files (or names); errors go to stderr and the exit code is 1."""
    user_dir = _user_dir(ctx)
    failed = 0
    for item in files:
        errors = _validate_one(item, user_dir)
        if errors:
            failed += 1
            for error in errors:
                click.echo(str(error), err=True)
            click.echo(f"{item}: {len(errors)} error(s)", err=True)
        else:
            click.echo(f"{item}: ok")
    if failed:
        ctx.exit(1)


def _validate_one(item: str, user_dir: Path) -> list[PlaybookError]:
    path = Path(item)
    if not path.exists():
        try:
            path = find_playbook(item, user_dir)
        except PlaybookNotFound:
            return [PlaybookError(item, 1, 1, "", "no such file or playbook name")]
    try:
        load_playbook(path)
    except PlaybookInvalid as error:
        return error.errors
    except OSError as error:
        return [PlaybookError(item, 1, 1, "", f"cannot read: {error.strerror or error}")]
    return []


@playbook.command("new")
@click.argument("name")
@click.option("--from", "source", default="default", show_default=True, help="Playbook to copy.")
@click.pass_context
def new_command(ctx: click.Context, name: str, source: str) -> None:
    """Create your own playbook NAME, copied from another (never overwrites)."""
    try:
        path = new_playbook(name, source, _user_dir(ctx))
    except (ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from error
    except PlaybookInvalid as error:
        raise click.ClickException(
            f"'{source}' does not validate; fix it first:\n{error}"
        ) from error
    click.echo(f"created {path}")
    click.echo(f"edit it, then check it with: warroom playbook validate {path}")
