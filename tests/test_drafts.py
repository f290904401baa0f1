"""Drafts that work as generated: tone calibrated on the bundled templates, fills, a count."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from tests.tui_support import CRISIS_AT, drill_at, quiet_app
from warroom.playbook import Template, list_playbooks, load_playbook
from warroom.tui.screens.draft import DraftScreen, incident_context, tone_scorer, tone_words

# A neutral incident: every placeholder filled with plain, factual words.
NEUTRAL = {
    "brand": "Acme",
    "issue": "reports of the wrong delivery date on some orders",
    "actions": "We have fixed the date display and are checking every order.",
    "next_update": "14:30 UTC (in 60 minutes)",
    "incident": "Delivery dates",
    "started_at": "13:30 UTC",
    "level": "elevated",
    "reason": "negative share above the baseline",
    "trending": "delivery, date",
    "conditions": "Level ELEVATED: negative share above the baseline.",
    "needs": "Support needs the list of affected orders.",
    "channel": "web",
    "contact": "support@acme.example",
    "link": "https://acme.example/status",
    "sign_off": "— The Acme team",
}
BUNDLED = [
    (name, template)
    for name, path, _ in list_playbooks()
    for template in load_playbook(path).templates
]


@pytest.mark.parametrize(("playbook", "template"), BUNDLED, ids=[f"{n}-{t.id}" for n, t in BUNDLED])
def test_every_bundled_template_filled_for_a_neutral_incident_passes_the_tone_check(
    playbook: str, template: Template
) -> None:
    """The console does not flag its own bundled words."""
    found = {name: load_playbook(path) for name, path, _ in list_playbooks()}[playbook]
    text = found.render(template.id, NEUTRAL).text
    words, flagged = tone_words(template, tone_scorer().compound(text))
    assert not flagged, f"{playbook}/{template.id}: {words}: {text}"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("apology", "Sorry, but your complaints are stupid and hateful."),
        ("holding", "We are aware that your stupid complaints are a waste of our time."),
    ],
)
def test_an_angry_rewrite_is_still_flagged(kind: str, text: str) -> None:
    """Calibrated, not switched off: a hostile message of each kind is flagged."""
    template = Template("t", "T", kind, text)
    assert tone_words(template, tone_scorer().compound(text))[1]


def test_conditions_and_actions_come_from_the_level_and_the_checked_steps(
    data_dir: Path, demo_scored: list
) -> None:
    """{conditions} is the level and its reason; {actions} the checked steps' titles."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("Firmware 4.2")
    session.set_step("confirm-signal", True)
    context = incident_context(session, CRISIS_AT)
    assert context["conditions"].startswith("Level CRISIS: ")
    assert session.state.reason in context["conditions"]
    assert "Confirm the signal is real" in context["actions"]


async def test_the_character_count_against_the_channel_limit_is_shown_as_you_type(
    data_dir: Path, demo_scored: list
) -> None:
    """The holding statement goes to X among others: its count is out of 280, marked when over."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("Firmware 4.2")
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        app.push_screen(DraftScreen(session, "holding"))
        await pilot.pause(0.1)
        count = app.screen.query_one("#draft-count", Static)
        editor = app.screen.query_one("#draft-text", TextArea)
        assert f"{len(editor.text.strip())}/280 characters (x)" in str(count.content)
        assert not count.has_class("-over")
        editor.clear()
        editor.insert("x" * 300)
        await pilot.pause(0.1)
        assert "300/280 characters (x) · 20 over" in str(count.content)
        assert count.has_class("-over")
