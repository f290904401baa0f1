"""The incident's state as derived from its log."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import T0
from warroom.incident.state import IncidentState
from warroom.model import Event, EventKind


def test_the_first_declaration_counts() -> None:
    """Two declarations in one log (two people at once, in team mode): the first one counts,
    its author and time are the incident's."""
    first = Event(1, EventKind.DECLARED, T0, {"name": "Firmware 4.2"}, "dana")
    second = Event(2, EventKind.DECLARED, T0 + timedelta(seconds=1), {"name": "Outage"}, "lee")
    state = IncidentState.from_events([first, second])
    assert (state.name, state.declared_by, state.declared_at) == ("Firmware 4.2", "dana", T0)
