"""Playbooks: the bundled set, the model, the `when` grammar, templates, lookup and commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from warroom.cli.playbook import playbook
from warroom.detection.signals import DetectorRule
from warroom.model import Level
from warroom.playbook import (
    PlaybookInvalid,
    PlaybookNotFound,
    bundled_dir,
    default_playbook,
    find_playbook,
    list_playbooks,
    load_playbook,
    new_playbook,
    parse_playbook,
    parse_when,
    user_playbooks_dir,
    validate_text,
)
from warroom.playbook.templates import KNOWN_PLACEHOLDERS, render

BUNDLED = ("default", "product-recall", "offensive-post", "misinformation")
REPO_PLAYBOOKS = Path(__file__).parent.parent / "playbooks"

SMALL = """\
version: 1
name: small
roles:
  - {id: lead, title: Comms lead, who: Ana}
  - {id: legal, title: Legal counsel}
phases:
  - {id: assess, title: Assess}
  - {id: respond, title: Respond}
steps:
  - {id: holding, title: Holding statement, phase: respond, owner: lead,
     due: {after: assess, minutes: 20}, depends_on: [assess]}
  - {id: assess, title: Assess, phase: assess, owner: lead, due: 30}
  - {id: escalate, title: Call the lawyers, phase: respond, owner: legal, due: 90,
     when: crisis, depends_on: [assess]}
  - {id: calm, title: Watch quietly, phase: assess, owner: lead, due: 40, when: level == normal}
templates:
  - {id: holding, title: Holding, kind: holding,
     text: "We're aware that {issue}. {{not a placeholder}}"}
"""


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_playbook_validates_and_loads(name: str) -> None:
    """Every bundled playbook is valid, and its name matches its file."""
    path = REPO_PLAYBOOKS / f"{name}.yaml"
    assert validate_text(path.read_text(encoding="utf-8"), str(path)) == []
    book = load_playbook(path)
    assert book.name == name
    assert book.path == path


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_playbook_is_complete(name: str) -> None:
    """Every step has a known owner, something public goes out within 90 minutes, and there
    is an internal status update template and post-mortem questions."""
    book = load_playbook(REPO_PLAYBOOKS / f"{name}.yaml")
    assert {step.owner for step in book.steps} <= {role.id for role in book.roles}
    first_public = min(
        step.due_minutes
        for step in book.steps
        if step.channels and any(book.channel(c).kind != "internal" for c in step.channels)
    )
    assert first_public <= 90
    status = [t for t in book.templates if t.kind == "status"]
    assert status and [key for key, _ in status[0].parts] == ["conditions", "actions", "needs"]
    assert len(book.review_questions) >= 3


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_triggers_are_valid_detector_rules(name: str) -> None:
    """Trigger overrides are fields signals.DetectorRule accepts."""
    book = load_playbook(REPO_PLAYBOOKS / f"{name}.yaml")
    rule = DetectorRule(**book.triggers)
    assert all(getattr(rule, key) == value for key, value in book.triggers.items())


def test_default_playbook_follows_the_method() -> None:
    """The default playbook walks the crisis-response method in order, ending in a review."""
    book = default_playbook()
    titles = " / ".join(phase.title.lower() for phase in book.phases)
    for word in ("monitor", "assemble", "assess", "decide", "respond", "feedback", "review"):
        assert word in titles
    apology = book.template("apology")
    assert [key for key, _ in apology.parts] == ["acknowledge", "empathy", "resolution"]
    assert book.steps[-1].phase == "review"
    assert book.step("holding-statement").due_minutes <= 60


def test_bundled_dir_is_the_repository_folder_in_a_checkout() -> None:
    """In an editable install the bundled playbooks are the repository's playbooks/ folder."""
    assert bundled_dir().resolve() == REPO_PLAYBOOKS.resolve()


def test_steps_are_ordered_by_phase_and_deadlines_resolved() -> None:
    """Steps follow the phase order; `due: {after}` becomes minutes from the incident start."""
    book = parse_playbook(SMALL)
    assert [step.id for step in book.steps] == ["assess", "calm", "holding", "escalate"]
    assert book.step("holding").due_minutes == 50
    assert str(book.step("holding").due_spec) == "20 min after assess"
    started = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    assert book.step("holding").deadline(started) == datetime(2026, 3, 14, 9, 50, tzinfo=UTC)
    assert [s.id for s in book.phases[0].steps] == ["assess", "calm"]


def test_steps_apply_by_level() -> None:
    """A step applies where its `when` holds; unconditioned steps apply everywhere."""
    book = parse_playbook(SMALL)
    assert [s.id for s in book.active_steps(Level.NORMAL)] == ["assess", "calm", "holding"]
    assert [s.id for s in book.active_steps(Level.CRISIS)] == ["assess", "holding", "escalate"]
    assert book.applies("escalate", Level.CRISIS)
    assert not book.applies(book.step("escalate"), Level.ELEVATED)


def test_step_applies_only_where_its_dependencies_do() -> None:
    """A step inherits the levels of the steps it depends on."""
    text = SMALL.replace("when: level == normal}", "when: level <= elevated}").replace(
        "due: 90,\n     when: crisis, depends_on: [assess]}", "due: 90, depends_on: [calm]}"
    )
    book = parse_playbook(text)
    assert book.step("escalate").levels == {Level.NORMAL, Level.ELEVATED}


@pytest.mark.parametrize(
    ("condition", "levels"),
    [
        ("crisis", {"crisis"}),
        ("elevated", {"elevated", "crisis"}),
        ("level >= elevated", {"elevated", "crisis"}),
        ("level == elevated", {"elevated"}),
        ("level != crisis", {"normal", "elevated"}),
        ("level < elevated", {"normal"}),
        ("always", {"normal", "elevated", "crisis"}),
        ("level == normal or level == crisis", {"normal", "crisis"}),
        ("level >= elevated and level < crisis", {"elevated"}),
        ("level > crisis", set()),
    ],
)
def test_when_grammar(condition: str, levels: set[str]) -> None:
    """`when` conditions evaluate to the set of levels at which they hold."""
    assert {level.value for level in parse_when(condition)} == levels


@pytest.mark.parametrize("condition", ["", "level is high", "level >= critical", "crisis!"])
def test_when_grammar_rejects_nonsense(condition: str) -> None:
    """Unreadable conditions raise ValueError with a hint."""
    with pytest.raises(ValueError, match=r"condition|level"):
        parse_when(condition)


def test_render_fills_placeholders_and_lists_missing() -> None:
    """Known values are filled; missing ones stay visible as {name} and are listed once."""
    result = render("{brand}: {issue}. Next: {next_update}. {issue}!", {"brand": "Acme"})
    assert result.text == "Acme: {issue}. Next: {next_update}. {issue}!"
    assert result.missing == ["issue", "next_update"]


def test_render_never_evaluates_attributes_or_indexes() -> None:
    """`{brand.__class__}` and `{brand[0]}` are literal text, not Python lookups."""
    result = render("{brand.__class__} {brand[0]} {brand}", {"brand": "Acme"})
    assert result.text == "{brand.__class__} {brand[0]} Acme"


def test_render_keeps_escaped_braces_and_values_verbatim() -> None:
    """`{{`/`}}` are literal braces; values containing braces are not re-expanded."""
    result = render("{{x}} {issue}", {"issue": "a {brand} b"})
    assert result.text == "{x} a {brand} b"
    assert result.missing == []


def test_playbook_render_fills_role_holders() -> None:
    """`{role:<id>}` is the person holding that role, else the role's title."""
    book = parse_playbook(SMALL.replace("{issue}", "{issue}, ask {role:lead} or {role:legal}"))
    result = book.render("holding", {"issue": "orders were charged twice"})
    assert result.text.startswith("We're aware that orders were charged twice, ask Ana or Legal")
    assert "{not a placeholder}" in result.text


def test_templates_record_their_placeholders() -> None:
    """A template lists the placeholders it uses, all of them known."""
    for template in default_playbook().templates:
        assert template.placeholders
        names = {name for name in template.placeholders if not name.startswith("role:")}
        assert names <= set(KNOWN_PLACEHOLDERS)


def test_list_finds_bundled_playbooks() -> None:
    """Listing shows every bundled playbook, marked bundled."""
    entries = {name: bundled for name, _, bundled in list_playbooks()}
    assert all(entries[name] for name in BUNDLED)


def test_user_playbook_overrides_bundled(tmp_path: Path) -> None:
    """A user playbook with a bundled name is the one found and listed."""
    user = tmp_path / "mine"
    user.mkdir()
    (user / "default.yaml").write_text((REPO_PLAYBOOKS / "default.yaml").read_text())
    assert find_playbook("default", user) == user / "default.yaml"
    assert ("default", user / "default.yaml", False) in list_playbooks(user)


def test_user_dir_follows_warroom_data(data_dir: Path) -> None:
    """User playbooks live under the data directory."""
    assert user_playbooks_dir() == data_dir / "playbooks"


def test_find_unknown_name_suggests(tmp_path: Path) -> None:
    """An unknown name raises PlaybookNotFound with a suggestion."""
    with pytest.raises(PlaybookNotFound, match="did you mean 'product-recall'"):
        find_playbook("product-recal", tmp_path)


def test_new_copies_renames_and_validates(tmp_path: Path) -> None:
    """`new` copies a playbook under the new name into the user folder; it validates."""
    path = new_playbook("data-leak", "product-recall", tmp_path)
    assert path == tmp_path / "data-leak.yaml"
    book = load_playbook(path)
    assert book.name == "data-leak"
    assert len(book.steps) == len(load_playbook(REPO_PLAYBOOKS / "product-recall.yaml").steps)
    assert not list(tmp_path.glob(".*.tmp"))


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    """`new` never overwrites an existing playbook."""
    (tmp_path / "mine.yaml").write_text("keep me")
    with pytest.raises(FileExistsError):
        new_playbook("mine", "default", tmp_path)
    assert (tmp_path / "mine.yaml").read_text() == "keep me"


def test_new_rejects_bad_names(tmp_path: Path) -> None:
    """Names must be usable as file names: lowercase letters, digits and '-'."""
    with pytest.raises(ValueError, match="not a playbook name"):
        new_playbook("../Evil Name", "default", tmp_path)


def test_new_refuses_a_broken_source(tmp_path: Path) -> None:
    """Copying a playbook that does not validate is refused."""
    (tmp_path / "broken.yaml").write_text("version: 1\nname: broken\n")
    with pytest.raises(PlaybookInvalid):
        new_playbook("copy", "broken", tmp_path)
    assert not (tmp_path / "copy.yaml").exists()


def test_large_playbook_loads() -> None:
    """A 500-step playbook with chains of dependencies and deadlines loads correctly."""
    lines = ["version: 1", "name: big", "roles: [{id: lead, title: Lead}]"]
    lines += ["phases: [{id: p, title: P}]", "steps:"]
    for i in range(500):
        due = f"{{after: s{i - 1}, minutes: 1}}" if i else "5"
        deps = f", depends_on: [s{i - 1}]" if i else ""
        lines.append(f"  - {{id: s{i}, title: T, phase: p, owner: lead, due: {due}{deps}}}")
    book = parse_playbook("\n".join(lines))
    assert len(book.steps) == 500
    assert book.step("s499").due_minutes == 504


def test_cli_list_shows_bundled() -> None:
    """`playbook list` names every bundled playbook."""
    result = CliRunner().invoke(playbook, ["list"])
    assert result.exit_code == 0, result.output
    for name in BUNDLED:
        assert name in result.stdout


def test_cli_show_prints_steps_with_deadlines() -> None:
    """`playbook show` prints roles and each step with its deadline and owner."""
    result = CliRunner().invoke(playbook, ["show", "default"])
    assert result.exit_code == 0, result.output
    assert "Communications lead (incident commander)" in result.stdout
    assert "T+1h00  social     Publish the holding statement" in result.stdout


def test_cli_show_level_filters_steps() -> None:
    """`show --level normal` leaves out steps that only apply when elevated or worse."""
    result = CliRunner().invoke(playbook, ["show", "default", "--level", "normal"])
    assert result.exit_code == 0
    assert "Brief the executive sponsor" not in result.stdout
    assert "Publish the holding statement" in result.stdout


def test_cli_show_unknown_name_fails() -> None:
    """`show` of an unknown name exits non-zero with a suggestion."""
    result = CliRunner().invoke(playbook, ["show", "defualt"])
    assert result.exit_code == 1
    assert "did you mean 'default'" in result.stderr


def test_cli_validate_accepts_valid_files_and_names() -> None:
    """`validate` exits 0 for valid files and for bundled names."""
    files = [str(REPO_PLAYBOOKS / f"{name}.yaml") for name in BUNDLED]
    result = CliRunner().invoke(playbook, ["validate", *files, "default"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok") == len(BUNDLED) + 1


def test_cli_new_creates_in_data_dir(data_dir: Path) -> None:
    """`new NAME --from` writes into <data dir>/playbooks, then refuses a second time."""
    runner = CliRunner()
    first = runner.invoke(playbook, ["new", "recall-eu", "--from", "product-recall"])
    assert first.exit_code == 0, first.output
    assert (data_dir / "playbooks" / "recall-eu.yaml").is_file()
    second = runner.invoke(playbook, ["new", "recall-eu"])
    assert second.exit_code == 1
    assert "already exists" in second.stderr


def test_readme_example_is_a_valid_playbook() -> None:
    """The annotated example in playbooks/README.md validates and resolves its deadlines."""
    readme = (REPO_PLAYBOOKS / "README.md").read_text(encoding="utf-8")
    example = readme.split("## The format, annotated")[1].split("```yaml\n", 1)[1]
    book = parse_playbook(example.split("```", 1)[0], "data-leak.yaml")
    assert book.step("holding-statement").due_minutes == 60
    assert book.triggers == {
        "window_minutes": 15,
        "sensitivity": 3.0,
        "min_volume": 10,
        "cooldown_minutes": 60,
    }
