"""The command line's tables as a person uses them: `warroom export` and `warroom incidents`."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from tests.test_metrics import NEGATIVE, T0, WORKED, at, make_incident, scenario_mentions
from warroom.cli.review import MENTION_COLUMNS
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.model import EventKind, Mention, ScoredMention
from warroom.tui.main import main

MENTIONS = 3501  # tests.test_metrics.scenario_mentions()
# What a spreadsheet would run as a formula, posted by people on the internet.
FORMULAS = ('=HYPERLINK("http://x.example","click")', "+1+1", "-2+3", "@SUM(A1:A9)")
LONG_NAME = "Refund outage " + "and the long tail of complaints about it " * 3
LONG_NAME = LONG_NAME[:120]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def hostile_incident(data_dir: Path) -> str:
    """The worked incident plus mentions and a note that start like spreadsheet formulas, a
    text that needs CSV quoting, and a playbook switch whose data nests."""
    extra = [
        ScoredMention(
            Mention(f"x:{n}", "mastodon", text, at(9, 30), author=f"@{n}evil", reach=n),
            NEGATIVE,
        )
        for n, text in enumerate((*FORMULAS, 'a "quoted", comma\nand a new line'))
    ]
    switch = {"playbook": "product-recall", "mapped": {"open-incident": "convene"}, "kept": [1]}
    events = [
        *WORKED[:-1],
        (at(11, 50), EventKind.NOTE, {"text": "=cmd|'/c calc'!A0"}, "alice"),
        (at(11, 55), EventKind.PLAYBOOK_CHANGED, switch, "carol"),
        WORKED[-1],
    ]
    return make_incident(data_dir, events, mentions=[*scenario_mentions(), *extra])


def test_export_defaults_to_the_mentions_as_json_lines(data_dir: Path) -> None:
    """No --format, no --only: JSON Lines of the mentions alone, and stderr says so."""
    slug = make_incident(data_dir)
    result = run("export", slug)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == MENTIONS
    assert {record["kind"] for record in records} == {"mention"}
    assert f"exported {MENTIONS} mentions of '{slug}' as jsonl" in result.stderr


def test_export_only_events_holds_no_mention(data_dir: Path) -> None:
    """--only events: the team's and the detector's events, every one, and nothing else."""
    slug = make_incident(data_dir)
    lines = run("export", slug, "--only", "events").stdout.splitlines()
    kinds = [json.loads(line)["kind"] for line in lines]
    assert kinds == [str(kind) for _, kind, _, _ in WORKED]


def test_mentions_csv_has_one_column_per_field(data_dir: Path) -> None:
    """A header of unique names, the mention's fields lifted out, no event among the rows."""
    slug = make_incident(data_dir)
    text = run("export", slug, "--format", "csv").stdout
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(MENTION_COLUMNS)
    assert len(header) == len(set(header)) and header.count("author") == 1
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == MENTIONS
    assert all(row["id"].startswith("demo:") and row["label"] for row in rows)
    first = rows[0]
    assert (first["author"], first["source"], first["ours"]) == ("user1", "demo", "false")


def test_events_csv_flattens_data_with_dotted_names(data_dir: Path, tmp_path: Path) -> None:
    """Each event's data fields get a `data.` column, nested ones a dotted name; lists are JSON;
    -o events.csv chooses CSV by itself."""
    slug = hostile_incident(data_dir)
    target = tmp_path / "events.csv"
    assert run("export", slug, "--only", "events", "-o", str(target)).exit_code == 0
    text = target.read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:5] == ["seq", "kind", "at", "author", "id"]
    assert len(header) == len(set(header))
    assert {"data.declared_at", "data.mapped.open-incident", "data.kept"} <= set(header)
    rows = list(csv.DictReader(io.StringIO(text)))
    declared = next(row for row in rows if row["kind"] == "declared")
    assert (declared["data.declared_at"], declared["author"]) == ("2026-03-14T09:15:00Z", "alice")
    switch = next(row for row in rows if row["author"] == "carol")
    assert (switch["data.mapped.open-incident"], switch["data.kept"]) == ("convene", "[1]")


def test_csv_cells_that_look_like_formulas_stay_text(data_dir: Path) -> None:
    """=, +, - and @ at a cell's start get a leading quote, in text, authors and notes alike;
    numbers (a negative score) stay numbers."""
    slug = hostile_incident(data_dir)
    rows = list(csv.DictReader(io.StringIO(run("export", slug, "--format", "csv").stdout)))
    texts = {row["text"] for row in rows}
    assert {"'" + formula for formula in FORMULAS} <= texts
    assert not texts & set(FORMULAS)
    planted = [row for row in rows if row["id"].startswith("x:")]
    assert all(row["author"].startswith("'@") for row in planted)
    assert all(row["compound"] == "-0.6" for row in planted)
    events = run("export", slug, "--only", "events", "--format", "csv").stdout
    assert "'=cmd|'/c calc'!A0" in events and ",=cmd" not in events


def test_csv_quotes_as_rfc_4180_says(data_dir: Path) -> None:
    """CRLF between records; a field with a comma, a quote or a line break in double quotes,
    its quotes doubled; read back, the text is exact."""
    slug = hostile_incident(data_dir)
    raw = run("export", slug, "--format", "csv").stdout_bytes
    assert raw.count(b"\r\n") == MENTIONS + len(FORMULAS) + 2  # header + rows
    assert b'"a ""quoted"", comma\nand a new line"' in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert 'a "quoted", comma\nand a new line' in {row["text"] for row in rows}


def test_a_csv_of_everything_is_refused_with_what_to_do(data_dir: Path) -> None:
    """--only all --format csv would mix two kinds of rows: a usage error naming --only."""
    slug = make_incident(data_dir)
    result = CliRunner().invoke(main, ["export", slug, "--only", "all", "--format", "csv"])
    assert result.exit_code == 2
    assert "--only" in result.output and "--format jsonl" in result.output


def two_incidents(data_dir: Path, long_slug: str | None = None) -> None:
    """A short name, then a 120-character one (its slug from its name unless given, as a
    drill's or a team's is)."""
    store = IncidentStore(data_dir)
    for minute, name, slug in ((0, "Short one", None), (1, LONG_NAME, long_slug)):
        clock = FrozenClock(T0 + timedelta(minutes=minute))
        with store.create(name, clock=clock, brand="Acme", slug=slug) as log:
            log.append(EventKind.DECLARED, {"name": name, "declared_at": "2026-03-14T09:00:00Z"})
            log.append(EventKind.CLOSED, {"summary": "done"}, at=at(10, 30))


def test_incidents_has_a_header_and_columns_that_hold_with_a_long_name(data_dir: Path) -> None:
    """Every column starts under its heading in every row, whatever the names' lengths; the
    name comes last, whole when not on a terminal."""
    two_incidents(data_dir)
    header, *rows = run("incidents").stdout.splitlines()
    headings = ["INCIDENT", "STATUS", "STARTED (UTC)", "DURATION", "PEAK", "MENTIONS", "NAME"]
    starts = [header.index(heading) for heading in headings]
    assert starts == sorted(starts)
    for row in rows:
        for heading, start in zip(headings, starts, strict=True):
            if heading in ("DURATION", "MENTIONS"):  # right-aligned: they end under the heading
                end = start + len(heading)
                assert row[end - 1] != " " and row[end] == " ", (heading, row)
            else:
                assert row[start] != " " and row[start - 1 : start] in ("", " "), (heading, row)
    names = [row[starts[-1] :] for row in rows]
    assert names == ["Short one", LONG_NAME]
    assert all(row[starts[1] :].startswith("closed ") for row in rows)


def test_incidents_cuts_a_long_name_to_the_terminal(data_dir: Path) -> None:
    """In a 100-column terminal no line is longer than 100 and the long name ends with …."""
    two_incidents(data_dir, long_slug="refund-outage")
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    env["WARROOM_DATA"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "warroom.tui", "incidents"],
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
        timeout=60,
        check=False,
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal side is closed: everything is read
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert done.returncode == 0, done.stderr
    lines = output.decode("utf-8").splitlines()
    assert len(lines) == 3 and all(len(line) <= 100 for line in lines), lines
    assert lines[2].endswith("…") and lines[2].split("  ")[-1].strip("…") in LONG_NAME
    assert lines[1].endswith("Short one")


def test_incidents_json_lists_each_incident(data_dir: Path) -> None:
    """--json is one array with each incident's slug, name, status, times, peak and counts."""
    two_incidents(data_dir)
    listed = json.loads(run("incidents", "--json").stdout)
    assert [item["name"] for item in listed] == ["Short one", LONG_NAME]
    assert listed[0]["status"] == "closed" and listed[0]["duration_seconds"] == 90 * 60
    assert listed[0]["started_at"] == "2026-03-14T09:00:00.000Z" and listed[0]["mentions"] == 0


def test_incidents_prints_a_name_as_plain_text(data_dir: Path) -> None:
    """A name holding an escape sequence or a line break cannot colour or break the table."""
    with IncidentStore(data_dir).create("red\x1b[31m alert\nsecond line", clock=FrozenClock(T0)):
        pass
    output = run("incidents").stdout
    assert "\x1b" not in output and len(output.splitlines()) == 2
    assert output.splitlines()[1].endswith("red [31m alert second line")
