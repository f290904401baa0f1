"""The watch config: what it reads, and every mistake named with file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

import warroom.live.config as config_module
from warroom.cli.config import STARTER
from warroom.errors import WarroomError
from warroom.live.config import ConfigInvalid, find_config, load_config, parse_config

FULL = """\
brand: Acme
operator: dana
playbook: product-recall
topics:
  brand:
    keywords: [acme phone]
    hashtags: [acme, "#acmefail"]
    handles: [acme@mastodon.social]
  competitors:
    Globex: ["globex", "#globex"]
    Initech: {}
sources:
  - name: fedi
    kind: mastodon
    base_url: https://fosstodon.org
    tags: [acme]
    token_env: MASTODON_TOKEN
    interval: 30
  - name: inbox
    kind: webhook
    token_env: WARROOM_HOOK_TOKEN
notifications:
  - kind: slack
    url_env: SLACK_URL
    events: [level_changed, declared]
lexicon:
  Bricked: -3.5
detector:
  window_minutes: 10
  sensitivity: 2.5
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigInvalid) as caught:
        parse_config(text, "w.yaml")
    return [str(e) for e in caught.value.errors]


def test_starter_config_is_valid() -> None:
    """What `warroom init` writes loads as it is."""
    config = parse_config(STARTER, "warroom.yaml")
    assert config.brand == "Acme"
    assert [s.kind for s in config.sources] == ["mastodon"]


def test_full_config_is_read() -> None:
    """Every section lands in WatchConfig, hashtags and handles prefixed."""
    config = parse_config(FULL, "w.yaml")
    assert (config.brand, config.operator, config.playbook) == ("Acme", "dana", "product-recall")
    assert config.topics.brand_terms == [
        "Acme",
        "acme phone",
        "#acme",
        "#acmefail",
        "@acme@mastodon.social",
    ]
    assert config.topics.competitors == {"Globex": ["globex", "#globex"], "Initech": ["Initech"]}
    fedi = config.source("fedi")
    assert fedi.kind == "mastodon"
    assert fedi.options == {
        "base_url": "https://fosstodon.org",
        "tags": ["acme"],
        "token_env": "MASTODON_TOKEN",
        "interval": 30,
    }
    assert config.notifications[0].url_env == "SLACK_URL"
    assert config.notifications[0].events == ("level_changed", "declared")
    assert config.lexicon == {"bricked": -3.5}
    assert config.detector == {"window_minutes": 10, "sensitivity": 2.5}


def test_topic_terms_as_a_plain_list() -> None:
    """A list of terms works too; the brand's name is always one of them."""
    config = parse_config("brand: Acme\ntopics:\n  brand: ['#acme', '@acme']\n", "w.yaml")
    assert config.topics.brand_terms == ["Acme", "#acme", "@acme"]
    assert config.topics.match("so #acme") == "brand"


def test_literal_token_is_refused_with_its_position() -> None:
    """`token:` in a source names token_env instead, and never repeats the secret."""
    errors = errors_of("brand: A\nsources:\n  - kind: mastodon\n    token: abc123xyz\n")
    assert len(errors) == 1
    assert errors[0].startswith("w.yaml:4:5: sources[0].token: secrets are never written")
    assert "token_env" in errors[0] and "abc123xyz" not in errors[0]


def test_password_is_refused_even_for_an_unknown_kind() -> None:
    """A password is reported even when the source around it is wrong too."""
    errors = errors_of("brand: A\nsources:\n  - kind: nope\n    password: hunter2\n")
    assert any("sources[0].password: secrets are never written" in e for e in errors)
    assert any("sources[0].kind: unknown source kind" in e for e in errors)


def test_credentials_in_urls_are_refused() -> None:
    """user:pass@host and ?access_token= in a URL are secrets too."""
    errors = errors_of(
        "brand: A\nsources:\n"
        "  - kind: mastodon\n    base_url: https://me:pw@m.example\n"
        "  - kind: mastodon\n    name: b\n    base_url: https://m.example/?access_token=x\n"
    )
    assert [e.split(": ")[1] for e in errors] == ["sources[0].base_url", "sources[1].base_url"]
    assert all("carries credentials" in e and "pw" not in e for e in errors)


def test_notification_url_must_be_an_env_var() -> None:
    """A webhook URL written in the file is refused with url_env advice."""
    errors = errors_of("brand: A\nnotifications:\n  - kind: slack\n    url: https://hooks/x\n")
    assert errors == [
        "w.yaml:4:5: notifications[0].url: URLs of webhooks are secrets: put it in an "
        "environment variable and name it here with `url_env: SLACK_WEBHOOK_URL`"
    ]


def test_env_option_must_be_a_variable_name() -> None:
    """A token pasted into token_env is refused without being echoed."""
    errors = errors_of("brand: A\nsources:\n  - kind: mastodon\n    token_env: xoxb-1234-abcd\n")
    assert errors == [
        "w.yaml:4:16: sources[0].token_env: must name an environment variable "
        "(like MASTODON_TOKEN), not hold the secret"
    ]


def test_unknown_keys_get_did_you_mean_at_the_key() -> None:
    """Misspelt keys at every level point at the key and suggest the right one."""
    errors = errors_of(
        "brand: A\nopertor: x\nsources:\n  - kind: mastodon\n    tgas: [a]\n"
        "detector:\n  cooldown_minute: 5\n"
    )
    assert errors == [
        "w.yaml:2:1: opertor: unknown key (did you mean 'operator'?)",
        "w.yaml:5:5: sources[0].tgas: unknown key (did you mean 'tags'?)",
        "w.yaml:7:3: detector.cooldown_minute: unknown key (did you mean 'cooldown_minutes'?)",
    ]


def test_all_errors_are_reported_at_once_in_file_order() -> None:
    """Several problems in several sections come out together, sorted by line."""
    errors = errors_of(
        "brand: ''\nsources:\n  - kind: mastodn\n  - kind: webhook\n    port: 99999\n"
        "notifications:\n  - kind: teams\n    url_env: X\n    events: [levelchanged]\n"
        "lexicon: {awful: -9}\ndetector: {min_volume: -1}\n"
    )
    lines = [int(e.split(":")[1]) for e in errors]
    assert lines == sorted(lines)
    assert len(errors) == 8
    joined = "\n".join(errors)
    for needle in (
        "brand: must be a non-empty string",
        "did you mean 'mastodon'?",
        "sources[1].token_env: required",
        "sources[1].port: must be a port number",
        "unknown kind 'teams'",
        "did you mean 'level_changed'?",
        "lexicon.awful: valence must be a number from -4 to 4",
        "detector.min_volume: must be a whole number >= 0",
    ):
        assert needle in joined


def test_duplicate_source_names_are_refused() -> None:
    """Two sources with one name cannot both keep a cursor."""
    errors = errors_of("brand: A\nsources:\n  - kind: mastodon\n  - kind: mastodon\n")
    assert errors == ["w.yaml:4:5: sources[1].name: another source is already named 'mastodon'"]


def test_duplicate_yaml_keys_are_reported() -> None:
    """A key given twice is an error, not a silent override."""
    errors = errors_of("brand: A\nbrand: B\n")
    assert errors[0].startswith("w.yaml:2:1: brand: duplicate key")


def test_yaml_syntax_error_has_a_position() -> None:
    """Broken YAML is one located error."""
    errors = errors_of("brand: A\nsources: [\n")
    assert len(errors) == 1 and errors[0].startswith("w.yaml:3:1:")


def test_alias_is_refused_at_its_place() -> None:
    """A YAML alias is one error where it is written: nested aliases could expand without bound."""
    assert errors_of("brand: &b Acme\noperator: *b\n") == [
        "w.yaml:2:11: aliases are not allowed ('*b'); write the value out in full"
    ]


def test_config_invalid_is_a_warroom_error() -> None:
    """A bad config is a WarroomError, so the command line reports it in one place."""
    with pytest.raises(WarroomError):
        parse_config("operator: x\n", "w.yaml")


def test_missing_brand_and_non_mapping() -> None:
    """The brand is required; a file that is not a mapping says what it should be."""
    assert errors_of("operator: x\n") == ["w.yaml:1:1: brand: is required"]
    assert "must be a mapping" in errors_of("- a\n")[0]


def test_webhook_open_to_the_network_needs_a_token() -> None:
    """allow_unauthenticated off loopback is refused at the option."""
    errors = errors_of(
        "brand: A\nsources:\n  - kind: webhook\n    host: 0.0.0.0\n"
        "    allow_unauthenticated: true\n"
    )
    assert errors == [
        "w.yaml:5:28: sources[0].allow_unauthenticated: only allowed on 127.0.0.1, not on 0.0.0.0"
    ]


def test_find_config_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--config first, then ./warroom.yaml, then the user config dir, else None."""
    user = tmp_path / "user" / "warroom.yaml"
    monkeypatch.setattr(config_module, "user_config_path", lambda: user)
    monkeypatch.chdir(tmp_path)
    assert find_config(None) is None
    user.parent.mkdir()
    user.write_text("brand: A\n")
    assert find_config(None) == user
    (tmp_path / "warroom.yaml").write_text("brand: B\n")
    assert find_config(None) == tmp_path / "warroom.yaml"
    assert find_config(tmp_path / "other.yaml") == tmp_path / "other.yaml"


def test_load_config_keeps_the_path_and_names_a_missing_file(tmp_path: Path) -> None:
    """A loaded config knows its file; a missing one is a located error suggesting init."""
    path = tmp_path / "warroom.yaml"
    path.write_text(FULL)
    assert load_config(path).path == path
    with pytest.raises(ConfigInvalid) as caught:
        load_config(tmp_path / "absent.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'absent.yaml'}:1:1: cannot read")
    assert "warroom init" in str(caught.value)


def test_mastodon_options_are_checked() -> None:
    """A page limit over the API's 40 and search without a token are refused."""
    errors = errors_of("brand: A\nsources:\n  - kind: mastodon\n    limit: 80\n    search: true\n")
    assert errors == [
        "w.yaml:4:12: sources[0].limit: must be a whole number from 1 to 40, got 80",
        "w.yaml:5:13: sources[0].search: needs an account: set token_env (read:search scope)",
    ]


def test_feed_query_words_are_not_mistaken_for_secrets() -> None:
    """?keywords=acme is not a credential; ?api_key=... is."""
    ok = parse_config(
        "brand: A\nsources:\n  - kind: mastodon\n    base_url: https://m.x/?keywords=a\n"
    )
    assert ok.sources[0].options["base_url"].endswith("keywords=a")
    assert (
        "carries credentials"
        in errors_of(
            "brand: A\nsources:\n  - kind: mastodon\n    base_url: https://m.x/?api_key=a\n"
        )[0]
    )


def test_relative_file_paths_are_next_to_the_config(tmp_path: Path) -> None:
    """A source's relative `path:` is read from the config's folder; `-` stays stdin."""
    path = tmp_path / "warroom.yaml"
    path.write_text(
        "brand: A\nsources:\n  - {name: a, kind: jsonl, path: in.jsonl}\n"
        "  - {name: b, kind: jsonl, path: '-'}\n"
    )
    config = load_config(path)
    assert config.source("a").options["path"] == str(tmp_path / "in.jsonl")
    assert config.source("b").options["path"] == "-"


def test_the_readme_watch_config_is_valid_and_covers_every_source_kind() -> None:
    """The example warroom.yaml in README.md passes validation and shows every source kind."""
    from warroom.live.config import parse_config, source_kinds

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```yaml\n")[1:]]
    example = next(b for b in blocks if b.startswith("brand:"))
    config = parse_config(example, "README.md")
    assert {source.kind for source in config.sources} == set(source_kinds())
    assert config.keymap == {"feed.filter": "ctrl+f", "incident.declare": "ctrl+d"}
