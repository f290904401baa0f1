"""`warroom report` (Markdown and HTML post-mortems) and `warroom export` (JSON Lines and CSV)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.test_metrics import HOSTILE, T0, WORKED, at, level, make_incident
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.model import EventKind
from warroom.playbook import default_playbook
from warroom.review.markdown import md
from warroom.review.text import duration_text
from warroom.tui.main import main

MENTIONS = 3501  # scenario_mentions(): 110 calm minutes x 20, 5 surge minutes x 200, 1 rival


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def slug(data_dir: Path) -> str:
    return make_incident(data_dir)


def test_markdown_states_each_key_time_in_utc_and_local(slug: str) -> None:
    """--tz Asia/Tokyo: the surge at 09:10 UTC is 18:10 in Tokyo, on its own row."""
    result = run("report", slug, "--tz", "Asia/Tokyo")
    assert result.exit_code == 0, result.output
    assert "| moment | UTC | Asia/Tokyo | note |" in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("| first negative"))
    assert "| Sat 14 Mar 09:10 | Sat 14 Mar 18:10 |" in row
    for label in ("detected", "declared", "first public response", "apology", "back to baseline"):
        assert f"| {label} |" in result.output
    assert "| closed | Sat 14 Mar 12:00 | Sat 14 Mar 21:00 |" in result.output
    assert "Times are UTC, with local times in Asia/Tokyo (JST, UTC+9) beside them." in (
        result.output
    )


def test_markdown_lists_intervals_steps_and_owners(slug: str) -> None:
    """Intervals, the late step with its delay, and the owner table are in the report."""
    output = run("report", slug).output
    assert "| time to detect | 1m 20s |" in output
    assert "| time to respond | 55m 00s |" in output
    assert "late by 1m 00s" in output
    assert "| social | 2 | 1 | 3 | 0 | 0 |" in output


def test_markdown_escapes_text_from_the_internet(slug: str) -> None:
    """A post's HTML stays literal characters in the Markdown, never markup."""
    output = run("report", slug).output
    assert "<script>" not in output
    assert r"\<script\>alert(1)\</script\> refund NOW" in output
    assert r"hostile \<b\>note\</b\> \| pipe" in output


def test_markdown_text_chart_places_the_actions(slug: str) -> None:
    """The text chart has a row of action letters and a row of step checks."""
    output = run("report", slug).output
    chart = output.split("```text\n", 1)[1].split("```", 1)[0]
    acts = next(line for line in chart.splitlines() if line.startswith("  acts |"))
    assert [c for c in acts[8:] if c != " "] == ["*", "!", "B", "R", "A", "C"]  # S+D share a column
    steps = next(line for line in chart.splitlines() if line.startswith(" steps |"))
    assert steps.count("+") >= 5


def test_review_questions_are_prefilled_from_the_log(slug: str) -> None:
    """Every playbook question is there, each with what the log shows."""
    output = run("report", slug).output
    for question in default_playbook().review_questions:
        section = output.split(f"### {md(question)}\n", 1)[1].split("###", 1)[0]
        assert "- From the log: " in section
    assert "late: open-incident (social) by 1m 00s" in output
    assert "to respond 55m 00s" in output
    assert "holding-statement: negative share 10.0% → — 30 min on." in output  # no data then


def test_html_is_chosen_by_the_output_suffix(slug: str, tmp_path: Path) -> None:
    """-o report.html writes HTML with the CSP that loads nothing."""
    target = tmp_path / "report.html"
    result = run("report", slug, "-o", str(target))
    assert result.exit_code == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert (
        "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'" in page
    )


def test_html_escapes_hostile_text(slug: str) -> None:
    """The hostile post is text: no script element, no raw tag anywhere in the page."""
    page = run("report", slug, "--format", "html").output
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; refund NOW" in page
    assert 'href="https://example.com/p?a=1&amp;b=&lt;2&gt;"' in page


def test_html_references_nothing_outside_the_file(slug: str) -> None:
    """No src, link, import or url(); the only http(s) URLs are mention links and the xmlns."""
    page = run("report", slug, "--format", "html").output
    assert not re.search(r"\bsrc\s*=|<link|@import|url\(|<iframe|<object|<embed", page, re.I)
    urls = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert urls == {"http://www.w3.org/2000/svg", "https://example.com/p?a=1&amp;b=&lt;2&gt;"}


def test_html_chart_has_bars_line_and_every_action(slug: str) -> None:
    """The inline SVG has volume bars, the share line and one marker per key moment."""
    page = run("report", slug, "--format", "html").output
    svg = page.split('<svg xmlns="http://www.w3.org/2000/svg" id="chart"', 1)[1].split("</svg>")[0]
    assert svg.count('class="bar"') > 20
    assert 'class="share"' in svg
    assert svg.count('class="action"') == 7
    assert svg.count('class="check"') == 6


def test_markdown_and_html_have_the_same_sections_in_order(slug: str) -> None:
    """Both formats render one document: the same section and question headings."""
    markdown = run("report", slug).output
    page = run("report", slug, "--format", "html").output
    md_headings = re.findall(r"^##+ (.+)$", markdown, re.M)
    html_headings = re.findall(r"<h[23]>(.+?)</h[23]>", page)
    assert len(md_headings) == 10 + len(default_playbook().review_questions)
    assert [md(unescape(h)) for h in html_headings] == md_headings


def test_report_of_a_never_declared_incident(data_dir: Path) -> None:
    """Missing moments show as a dash with the reason."""
    events = [WORKED[0], level(at(9, 11, 20), at(9, 11), "elevated", "normal")]
    slug = make_incident(data_dir, events)
    output = run("report", slug, "--tz", "UTC").output
    assert "| declared | — | never declared |" in output
    assert "elevated; never crisis" in output
    assert "never recovered" in output


def test_report_reads_an_incident_a_console_holds(slug: str, data_dir: Path) -> None:
    """The report opens read-only, so it works while another process writes."""
    with IncidentStore(data_dir).open(slug, clock=FrozenClock(T0)):
        result = run("report", slug)
    assert result.exit_code == 0
    assert "# Post-mortem: Refunds" in result.output


def test_report_of_an_unknown_incident_says_so(data_dir: Path) -> None:
    """An unknown slug is a one-line error naming `warroom incidents`."""
    result = run("report", "nope")
    assert result.exit_code == 1
    assert "no incident 'nope'" in result.output and "warroom incidents" in result.output


def test_report_rejects_an_unknown_zone(slug: str) -> None:
    """A bad --tz is a usage error naming the option."""
    result = run("report", slug, "--tz", "Mars/Olympus")
    assert result.exit_code == 2
    assert "--tz" in result.output and "Mars/Olympus" in result.output


def test_export_jsonl_holds_every_record_in_log_order(slug: str) -> None:
    """--only all: one JSON object a line, every mention and event, by seq."""
    lines = run("export", slug, "--only", "all").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == MENTIONS + len(WORKED)
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    hostile = next(
        r for r in records if r["kind"] == "mention" and r["data"]["mention"]["reach"] == 10**6
    )
    assert hostile["data"]["mention"]["text"] == HOSTILE


def test_export_csv_round_trips_the_text(slug: str) -> None:
    """CSV rows carry mention fields in columns and the hostile text exactly."""
    text = run("export", slug, "--format", "csv", "--only", "mentions").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == MENTIONS
    assert any(row["text"] == HOSTILE and row["label"] == "negative" for row in rows)


def test_export_only_events(slug: str, tmp_path: Path) -> None:
    """--only events leaves the mentions out; -o writes the file."""
    target = tmp_path / "events.csv"
    run("export", slug, "--format", "csv", "--only", "events", "-o", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [row["kind"] for row in rows][:3] == ["playbook_changed", "level_changed", "declared"]
    assert rows[2]["data.declared_at"] == "2026-03-14T09:15:00Z"


def test_durations_read_naturally() -> None:
    """Hours and minutes, minutes and seconds, or seconds; negative spans keep the sign."""
    assert duration_text(timedelta(hours=2, minutes=5, seconds=9)) == "2h 05m"
    assert duration_text(timedelta(minutes=12, seconds=30)) == "12m 30s"
    assert duration_text(timedelta(seconds=-45)) == "-45s"
    assert duration_text(None) == "—"


def test_markdown_escape_keeps_text_inert() -> None:
    """Links, images, HTML and table pipes are escaped; newlines fold into spaces."""
    assert md("![x](http://a/b.png) <img> | *hi*\nnext") == (
        r"!\[x\](http://a/b.png) \<img\> \| \*hi\*" + " next"
    )


def test_report_warns_when_the_playbook_is_gone(data_dir: Path) -> None:
    """The report still renders and says on stderr that steps are unknown."""
    declared = {"name": "Refunds", "playbook": "gone", "declared_at": "2026-03-14T09:15:00Z"}
    slug = make_incident(data_dir, [(at(9, 15), EventKind.DECLARED, declared, "alice")])
    result = CliRunner().invoke(main, ["report", slug])
    assert result.exit_code == 0
    assert "warning: playbook 'gone' could not be loaded" in result.stderr
    assert "# Post-mortem: Refunds" in result.stdout
