"""The errors a person can act on, and the one way to suggest what they meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import ClassVar


class WarroomError(Exception):
    """A failure with a one-line message that says what happened and what to do.

    Every error warroom raises for bad input or a refused operation derives from this, so the
    command line maps them to a message in one place (`warroom.cli.errors`) and never shows
    a traceback for them.
    """

    # 1: the operation failed; 2: input the person must fix first (click's usage status).
    exit_status: ClassVar[int] = 1

    def explain(self) -> str:
        """The message for a person: what happened and, where it helps, what to do next."""
        return str(self)


def did_you_mean(word: str, candidates: Iterable[str], *, otherwise: str | None = None) -> str:
    """A " (did you mean 'x'?)" suffix when a close match exists.

    With no close match: " (OTHERWISE: a, b, c)" when `otherwise` names the listing, else "".
    """
    choices = list(candidates)
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if otherwise is None:
        return ""
    return f" ({otherwise}: {', '.join(choices) or 'none'})"
