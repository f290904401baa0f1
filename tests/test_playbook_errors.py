"""The broken-playbook corpus: every mistake reported with the right message, line and column."""

# ruff: noqa: E501  (the expected messages are kept whole, as a person reads them)

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from warroom.cli.playbook import playbook
from warroom.errors import WarroomError
from warroom.playbook import (
    PlaybookInvalid,
    PlaybookNotFound,
    find_playbook,
    load_playbook,
    parse_playbook,
    validate_text,
)

CORPUS = Path(__file__).parent / "playbooks_broken"

# file stem -> every error it must produce, as "line:column: path: message", in file order.
EXPECTED: dict[str, list[str]] = {
    "apology-missing-part": [
        "22:7: templates[0].parts.empathy: required key is missing",
    ],
    "bad-id": [
        "7:9: roles[1].id: id 'Legal Team' must be lowercase letters, digits, '-' or '_' (e.g. 'legal-team')",
        "33:12: steps[1].owner: unknown role 'legal' (did you mean 'lead'?)",
    ],
    "bad-triggers": [
        "15:19: triggers.window_minutes: expected a whole number; found text 'ten'",
        "16:16: triggers.sensitivity: 50 is out of range (0.1 to 10)",
        "17:3: triggers.cooldown: unknown key 'cooldown' (did you mean 'cooldown_minutes'?)",
    ],
    "bad-when": [
        "35:11: steps[1].when: unknown level 'critical' (levels: normal, elevated, crisis)",
    ],
    "dangling-depends-on": [
        "35:18: steps[1].depends_on[0]: unknown step 'asess' (did you mean 'assess'?)",
    ],
    "deadline-cycle": [
        "40:10: steps[2].due: deadline cycle: assess -> holding -> assess (one of them needs minutes from the incident start)",
    ],
    "dependency-cycle": [
        "36:18: steps[1].depends_on[0]: dependency cycle: assess -> holding -> legal-check -> assess",
    ],
    "due-after-unknown-step": [
        "34:18: steps[1].due.after: unknown step 'asses' (did you mean 'assess'?)",
    ],
    "due-before-dependency": [
        "34:10: steps[1].due: due at T+20 min, before 'assess' it depends on (due at T+30 min)",
    ],
    "due-not-minutes": [
        "34:10: steps[1].due: expected minutes from the incident start (due: 30) or after a step (due: {after: assess, minutes: 15}); found text '45 minutes'",
    ],
    "duplicate-key": [
        "35:5: steps[1].due: duplicate key 'due' (first at line 34)",
    ],
    "duplicate-step-id": [
        "30:9: steps[1].id: duplicate id 'assess' (first defined at line 25)",
    ],
    "empty": [
        "1:1: the file is empty; a playbook starts with 'version: 1'",
    ],
    "malformed-placeholder": [
        "22:24: templates[0].text: malformed placeholder '{brand.__class__}' (write e.g. {issue} or {role:legal})",
    ],
    "many-errors": [
        "1:10: version: unsupported version 3 (this warroom reads version 1; write 'version: 1')",
        "31:5: steps[1].titel: unknown key 'titel' (did you mean 'title'?)",
        "33:12: steps[1].owner: unknown role 'legl' (did you mean 'legal'?)",
        "41:18: steps[2].depends_on[0]: unknown step 'legal-chek' (did you mean 'legal-check'?)",
    ],
    "missing-owner": [
        "30:5: steps[1].owner: required key is missing",
    ],
    "name-mismatch": [
        "2:7: name: 'other-name' does not match the file name 'name-mismatch.yaml' (rename one of them; playbooks are found by file name)",
    ],
    "not-a-mapping": [
        "1:1: expected a mapping with keys version, name, roles, phases, steps; found a list",
    ],
    "self-dependency": [
        "35:18: steps[1].depends_on[0]: step 'legal-check' depends on itself",
    ],
    "unknown-channel-kind": [
        "16:11: channels[0].kind: unknown channel kind 'twitter' (kinds: mastodon, bluesky, x, email, web, internal)",
    ],
    "unknown-channel": [
        "43:19: steps[2].channels[1]: unknown channel 'mastodon' (channels: x)",
    ],
    "unknown-key": [
        "31:5: steps[1].titel: unknown key 'titel' (did you mean 'title'?)",
    ],
    "unknown-phase": [
        "38:12: steps[2].phase: unknown phase 'respnd' (did you mean 'respond'?)",
    ],
    "unknown-placeholder": [
        "23:22: templates[0].text: unknown placeholder '{next_updat}' (did you mean '{next_update}'?)",
    ],
    "unknown-role-placeholder": [
        "23:20: templates[0].text: unknown role 'legl' in '{role:legl}' (did you mean 'legal'?)",
    ],
    "unknown-role": [
        "33:12: steps[1].owner: unknown role 'legl' (did you mean 'legal'?)",
    ],
    "unknown-template": [
        "42:15: steps[2].template: unknown template 'holdng' (did you mean 'holding'?)",
    ],
    "unreachable-dependency": [
        "36:11: steps[1].when: step can never apply: it applies at elevated but 'assess' it depends on only at crisis",
    ],
    "unreachable-when": [
        "35:11: steps[1].when: 'level > crisis' is never true (levels: normal < elevated < crisis)",
    ],
    "wrong-version": [
        "1:10: version: unsupported version 2 (this warroom reads version 1; write 'version: 1')",
    ],
    "yaml-colon-in-value": [
        "31:17: YAML syntax error: mapping values are not allowed in this context; a ':' inside a value? put the value in quotes",
    ],
    "yaml-tab-indent": [
        "33:1: YAML syntax error: found a tab character that violates indentation (while scanning a plain scalar); indent with spaces, not tabs",
    ],
    "yaml-unclosed-quote": [
        "31:12: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar); an unclosed quote or bracket",
    ],
}


def errors_of(path: Path) -> list[str]:
    """The errors loading a file raises, without the file name prefix."""
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook(path)
    prefix = f"{path}:"
    lines = [str(error) for error in caught.value.errors]
    assert all(line.startswith(prefix) for line in lines)
    return [line.removeprefix(prefix) for line in lines]


def test_corpus_is_large_and_fully_covered() -> None:
    """At least 15 distinct broken playbooks, each with its expected errors listed here."""
    names = {path.stem for path in CORPUS.glob("*.yaml")}
    assert len(names) >= 15
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_playbook_reports_expected_errors(name: str) -> None:
    """Each broken playbook yields exactly its expected errors, at the right places."""
    assert errors_of(CORPUS / f"{name}.yaml") == EXPECTED[name]


def test_all_errors_are_reported_at_once_in_file_order() -> None:
    """A file with several mistakes reports all of them, sorted by line and column."""
    errors = validate_text((CORPUS / "many-errors.yaml").read_text(), "many.yaml")
    assert len(errors) == 4
    assert [(e.line, e.column) for e in errors] == sorted((e.line, e.column) for e in errors)


def test_error_fields_and_string_form() -> None:
    """A PlaybookError carries file, line, column and path; str() is file:line:col: path: msg."""
    text = (CORPUS / "unknown-role.yaml").read_text()
    [error] = validate_text(text, "team.yaml")
    assert (error.file, error.line, error.column, error.path) == (
        "team.yaml",
        33,
        12,
        "steps[1].owner",
    )
    assert (
        str(error) == "team.yaml:33:12: steps[1].owner: unknown role 'legl' (did you mean 'legal'?)"
    )


def test_parse_raises_with_every_error() -> None:
    """parse_playbook raises PlaybookInvalid whose message lists every error, one per line."""
    with pytest.raises(PlaybookInvalid) as caught:
        parse_playbook((CORPUS / "many-errors.yaml").read_text(), "many.yaml")
    assert str(caught.value).count("\n") == len(caught.value.errors) - 1


def test_validate_text_never_raises_on_garbage() -> None:
    """Validate-as-you-type survives any half-typed text and reports a position."""
    for text in ["", "version: [", "{", "- - -", "version: 1\nsteps: {", ": :", "\t\x00"]:
        errors = validate_text(text)
        assert errors
        assert all(error.line >= 1 and error.column >= 1 for error in errors)


def test_cli_validate_fails_with_errors_on_stderr() -> None:
    """`validate` exits 1 and prints each error on stderr, so hooks and CI can use it."""
    path = CORPUS / "unknown-role.yaml"
    result = CliRunner().invoke(playbook, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:33:12: steps[1].owner: unknown role 'legl'" in result.stderr
    assert "unknown role" not in result.stdout


def test_cli_validate_reports_every_file() -> None:
    """`validate` checks every file given, even after a broken one."""
    files = [str(CORPUS / "unknown-key.yaml"), str(CORPUS / "wrong-version.yaml")]
    result = CliRunner().invoke(playbook, ["validate", *files])
    assert result.exit_code == 1
    assert "titel" in result.stderr
    assert "unsupported version 2" in result.stderr


def test_alias_is_refused_at_its_place() -> None:
    """A YAML alias is one error where it is written: nested aliases could expand without bound."""
    text = (
        "version: 1\nname: aliased\nroles:\n  - id: lead\n    title: &title Incident lead\n"
        "  - id: legal\n    title: *title\nphases:\n  - {id: respond, title: Respond}\n"
        "steps:\n  - {id: assess, title: Assess, phase: respond, owner: lead, due: 10}\n"
    )
    assert [str(error) for error in validate_text(text, "p.yaml")] == [
        "p.yaml:7:12: aliases are not allowed ('*title'); write the value out in full"
    ]
    assert validate_text(text.replace("*title", "'Legal *counsel*'"), "p.yaml") == []


def test_playbook_errors_are_warroom_errors(tmp_path: Path) -> None:
    """Invalid and missing playbooks are WarroomErrors, which the command line reports in one place."""
    with pytest.raises(WarroomError):
        parse_playbook("version: 2\n", "p.yaml")
    with pytest.raises(WarroomError):
        find_playbook("no-such-playbook", user_dir=tmp_path)
    assert issubclass(PlaybookNotFound, LookupError)


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    """A file that is not UTF-8 gets one clear error instead of a traceback."""
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(PlaybookInvalid, match="not UTF-8"):
        load_playbook(bad)


def test_damaged_playbooks_never_crash_the_validator() -> None:
    """Deleting any line or scrambling characters of a good playbook yields errors, not crashes."""
    text = (Path(__file__).parent.parent / "playbooks" / "default.yaml").read_text()
    lines = text.split("\n")
    variants = ["\n".join(lines[:i] + lines[i + 1 :]) for i in range(len(lines))]
    rng = random.Random(7)
    for _ in range(300):
        chars = list(text)
        for _ in range(3):
            chars[rng.randrange(len(chars))] = rng.choice(["", ":", "-", " ", "\n", "{", "\t", "0"])
        variants.append("".join(chars))
    for variant in variants:
        for error in validate_text(variant, "damaged.yaml"):
            assert error.line >= 1 and error.column >= 1
