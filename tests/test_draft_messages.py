"""{contact}, {link} and the sign-off: from the config's `messages:`, remembered once typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from tests.tui_support import CRISIS_AT, drill_at, quiet_app
from warroom.clock import FrozenClock
from warroom.errors import WarroomError
from warroom.incident.session import InProcessScoring
from warroom.live.config import parse_config
from warroom.playbook.templates import typed_fills
from warroom.tui.launch import demo_session
from warroom.tui.screens.draft import DraftScreen, incident_context


def test_the_messages_section_is_read() -> None:
    """`messages:` gives the drafts' contact, link and sign-off."""
    config = parse_config(
        "brand: Acme\nmessages: {contact: support@acme.example, link: 'https://s.acme.example',"
        " sign_off: '— The Acme team'}\n"
    )
    assert config.messages == {
        "contact": "support@acme.example",
        "link": "https://s.acme.example",
        "sign_off": "— The Acme team",
    }


def test_an_unknown_messages_key_is_named_with_its_place_and_a_suggestion() -> None:
    """A typo in `messages:` is an error at its line and column, with did-you-mean."""
    with pytest.raises(WarroomError) as raised:
        parse_config("brand: Acme\nmessages:\n  contcat: support@acme.example\n", "w.yaml")
    text = str(raised.value)
    assert "w.yaml:3:3" in text and "contact" in text


def test_typed_fills_reads_what_replaced_a_placeholder() -> None:
    """Only placeholders replaced with the rest untouched are read back."""
    rendered = "Write to {contact}. More at {link}."
    assert typed_fills(rendered, "Write to help@x.example. More at {link}.") == {
        "contact": "help@x.example"
    }
    assert typed_fills(rendered, "Rewritten. More at {link}.") == {}


async def test_a_contact_typed_in_a_draft_fills_the_next_draft_after_a_restart(
    data_dir: Path, demo_scored: list
) -> None:
    """Typed once by hand, {contact} is in the log and the incident's next draft uses it."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.messages = {}  # a config without `messages:`
    session.declare("Brightwell: thermostats stuck after firmware 4.2")
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        app.push_screen(DraftScreen(session, "holding"))
        await pilot.pause(0.1)
        editor = app.screen.query_one("#draft-text", TextArea)
        typed = editor.text.replace("{contact}", "help@brightwell.example")
        editor.load_text(typed)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
    session.shutdown()
    again = demo_session(data_dir, FrozenClock(CRISIS_AT), scoring=InProcessScoring())
    again.messages = {}
    assert incident_context(again, CRISIS_AT)["contact"] == "help@brightwell.example"
    again.shutdown()
