"""The watch config's team section: a name and the variable that holds the URL, never the URL."""

from __future__ import annotations

from warroom.live.config import ConfigInvalid, TeamConfig, parse_config


def errors_of(text: str) -> list[str]:
    try:
        parse_config(text, "w.yaml")
    except ConfigInvalid as invalid:
        return [str(e) for e in invalid.errors]
    return []


def test_team_section_and_role_are_read() -> None:
    """`team:` gives the name and url_env; `role:` this console's role."""
    config = parse_config("brand: A\nrole: social\nteam: {name: comms}\n", "w.yaml")
    assert config.team == TeamConfig("comms", "WARROOM_TEAM_URL") and config.role == "social"


def test_a_url_in_the_team_section_is_refused() -> None:
    """The URL holds the ACL password: it only ever comes from the environment."""
    errors = errors_of("brand: A\nteam: {name: comms, url: 'redis://u:p@h:6379'}\n")
    assert errors and all(error.startswith("w.yaml:2:") for error in errors)


def test_a_bad_team_name_says_what_is_allowed() -> None:
    """Team names become Redis key prefixes: a small alphabet."""
    assert "lowercase letters" in errors_of("brand: A\nteam: {name: 'Comms Team!'}\n")[0]
