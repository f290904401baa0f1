"""Message templates: the placeholder syntax, its known names, and safe rendering."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from warroom.errors import did_you_mean

# Names a template may use; `{role:<id>}` (who holds a role) is checked against the roles.
KNOWN_PLACEHOLDERS: dict[str, str] = {
    "brand": "the brand's name, as the public knows it",
    "issue": "what happened, as a phrase after 'We're aware of' (reports of double charges)",
    "actions": "what we are doing about it, in full sentences, with dates where we have them",
    "next_update": "when the next update will be published (a time, not 'soon')",
    "incident": "the incident's short title (the double charges of 14 March)",
    "started_at": "when the incident started (local time as written by the console)",
    "level": "the current level: normal, elevated or crisis",
    "reason": "why the detector raised the level",
    "trending": "the terms trending in the conversation",
    "conditions": "the situation now (internal status update)",
    "needs": "what the team needs, from whom (internal status update)",
    "channel": "the channel the message goes out on",
    "contact": "where affected people get help (page, email, phone)",
    "link": "the link to the full statement or update page",
    "sign_off": "how the brand signs its messages (— The Brightwell team)",
}
ROLE_PREFIX = "role"

# `{{` and `}}` are literal braces; anything else between braces must be a placeholder.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[a-z][a-z0-9_]*(?::[a-z0-9][a-z0-9_-]*)?\Z")


@dataclass(frozen=True)
class Placeholder:
    """One placeholder found in a template text, with its offset in that text."""

    name: str
    offset: int


@dataclass(frozen=True)
class TemplateProblem:
    """Something wrong in a template text, at an offset in that text."""

    offset: int
    token: str
    message: str


@dataclass(frozen=True)
class Rendered:
    """A filled template: the text, and the placeholders that had no value (left visible)."""

    text: str
    missing: list[str]


def scan(text: str) -> tuple[list[Placeholder], list[TemplateProblem]]:
    """The placeholders in a template text, and its malformed braces."""
    found: list[Placeholder] = []
    problems: list[TemplateProblem] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        inner = match.group(1)
        if inner is None:
            problems.append(
                TemplateProblem(
                    match.start(), token, f"stray '{token}' (write '{token}{token}' for a brace)"
                )
            )
        elif not _NAME.match(inner):
            problems.append(
                TemplateProblem(
                    match.start(),
                    token,
                    f"malformed placeholder '{token}' (write e.g. {{issue}} or {{role:legal}})",
                )
            )
        else:
            found.append(Placeholder(inner, match.start()))
    return found, problems


def check_name(name: str, role_ids: set[str]) -> str | None:
    """Why a placeholder name is not allowed, or None when it is."""
    if ":" in name:
        prefix, _, role = name.partition(":")
        if prefix != ROLE_PREFIX:
            return f"unknown placeholder '{{{name}}}' (only {{role:<id>}} takes a ':')"
        if role not in role_ids:
            return f"unknown role '{role}' in '{{{name}}}'" + did_you_mean(role, sorted(role_ids))
        return None
    if name in KNOWN_PLACEHOLDERS:
        return None
    suggestion = did_you_mean(name, KNOWN_PLACEHOLDERS, otherwise="known")
    # Suggest the placeholder as a template writes it, '{issue}' rather than 'issue'.
    suggestion = suggestion.replace(" '", " '{").replace("'?", "}'?")
    return f"unknown placeholder '{{{name}}}'{suggestion}"


def render(template: object, context: Mapping[str, str]) -> Rendered:
    """Fill `{name}` placeholders from context; missing ones stay visible and are listed.

    Only plain names are looked up, never attributes or indexes, so `{brand.__class__}`
    stays literal text. `template` is a Template (anything with a `text`) or a string.
    """
    text = template if isinstance(template, str) else str(getattr(template, "text", ""))
    missing: list[str] = []
    pieces: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        pieces.append(text[last : match.start()])
        last = match.end()
        token = match.group(0)
        inner = match.group(1)
        if token == "{{":
            pieces.append("{")
        elif token == "}}":
            pieces.append("}")
        elif inner is not None and _NAME.match(inner) and context.get(inner) is not None:
            pieces.append(str(context[inner]))
        else:
            if inner is not None and _NAME.match(inner) and inner not in missing:
                missing.append(inner)
            pieces.append(token)
    pieces.append(text[last:])
    return Rendered("".join(pieces), missing)


def typed_fills(rendered: str, text: str, *, limit: int = 300) -> dict[str, str]:
    """What a person typed in place of the placeholders a rendered draft left visible.

    Read by matching the edited `text` against `rendered` (spacing aside): {} when the rest
    was edited too, so nothing is guessed.
    """
    found, _ = scan(rendered)
    if not found:
        return {}
    pattern: list[str] = []
    last = 0
    for index, placeholder in enumerate(found):
        pattern.append(re.escape(rendered[last : placeholder.offset]))
        pattern.append(f"(?P<p{index}>.+?)")
        last = placeholder.offset + len(placeholder.name) + 2
    pattern.append(re.escape(rendered[last:]))
    match = re.fullmatch("".join(pattern), text, re.DOTALL)
    if match is None:
        return {}
    values: dict[str, str] = {}
    for index, placeholder in enumerate(found):
        value = " ".join(match.group(f"p{index}").split())
        if not value or value == "{" + placeholder.name + "}" or len(value) > limit:
            continue
        if values.setdefault(placeholder.name, value) != value:
            return {}  # one name typed two ways: which one to keep is a guess
    return values
