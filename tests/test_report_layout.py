"""The post-mortem as people read it: local times only where they differ, human times, reach as
people write it, short links, a chart with hourly ticks, plain definitions, who did what."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scripts.scenes import CRISIS_AT, drill_at, work_the_crisis
from tests.test_metrics import T0, WORKED, make_incident
from warroom.incident.log import IncidentStore
from warroom.model import EventKind
from warroom.playbook import find_playbook, load_playbook
from warroom.review.chart import time_ticks
from warroom.review.document import build_review
from warroom.review.html import render_html
from warroom.review.text import reach_text, short_url, system_zone
from warroom.tui.main import main


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


@pytest.fixture
def slug(data_dir: Path) -> str:
    return make_incident(data_dir)


def html_table(page: str, first_heading: str) -> tuple[list[str], list[list[str]]]:
    """The headings and the cells (as text) of the table whose first heading is given."""
    start = page.index(f"<table><thead><tr><th>{first_heading}</th>")
    table = page[start : page.index("</table>", start)]
    head = [unescape(h) for h in re.findall(r"<th>(.*?)</th>", table)]
    rows = [
        [unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in re.findall(r"<tr><td.*?</tr>", table)
    ]
    return head, rows


def test_a_zone_that_differs_gets_its_own_column_of_human_times(slug: str) -> None:
    """--tz Europe/Paris: beside each UTC time its Paris time (CET, an hour on in March), both
    as Sat 14 Mar 09:10; the zone is named once, in the header and the column heading."""
    page = run("report", slug, "--format", "html", "--tz", "Europe/Paris").output
    head, rows = html_table(page, "moment")
    assert head == ["moment", "UTC", "Europe/Paris", "note"]
    assert rows[0][:3] == ["first negative surge", "Sat 14 Mar 09:10", "Sat 14 Mar 10:10"]
    assert "Times are UTC, with local times in Europe/Paris (CET, UTC+1) beside them." in page
    timeline_head, timeline = html_table(page, "UTC")
    assert timeline_head == ["UTC", "Europe/Paris", "who", "what"]
    assert timeline[2][:2] == ["Sat 14 Mar 09:15", "Sat 14 Mar 10:15"]  # declared
    assert not re.search(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", re.sub(r'href="[^"]*"', "", page))


def test_utc_and_a_zone_that_matches_it_hide_the_local_column(slug: str) -> None:
    """--tz UTC, or London in March (the same as UTC then): no column repeating UTC."""
    for zone, words in (("UTC", "Times are UTC."), ("Europe/London", "the same as Europe/London")):
        page = run("report", slug, "--format", "html", "--tz", zone).output
        assert html_table(page, "moment")[0] == ["moment", "UTC", "note"]
        assert html_table(page, "UTC")[0] == ["UTC", "who", "what"]
        assert words in page
        markdown = run("report", slug, "--tz", zone).output
        assert "| moment | UTC | note |" in markdown and "| UTC | who | what |" in markdown


def test_the_default_zone_is_the_machines(slug: str) -> None:
    """Without --tz, the zone the machine runs in (TZ here) gives the local column."""
    page = run("report", slug, "--format", "html", env={"TZ": "America/New_York"}).output
    head, rows = html_table(page, "moment")
    assert head == ["moment", "UTC", "America/New_York", "note"]
    assert rows[0][2] == "Sat 14 Mar 05:10"  # EDT: summer time began on 8 March 2026


def test_a_bad_zone_says_which_option_and_what_to_type(slug: str) -> None:
    """A zone zoneinfo does not know is a usage error naming --tz, the value and an example;
    a wrong capitalisation gets the right name offered."""
    result = CliRunner().invoke(main, ["report", slug, "--tz", "Mars/Olympus"])
    assert result.exit_code == 2
    assert "--tz" in result.output and "'Mars/Olympus' is not a time zone" in result.output
    assert "Europe/Paris" in result.output
    result = CliRunner().invoke(main, ["report", slug, "--tz", "europe/paris"])
    assert result.exit_code == 2 and "did you mean 'Europe/Paris'?" in result.output


def test_reach_reads_as_people_write_it(slug: str) -> None:
    """184k, 1.2M: never a raw 1000000 in the most-reached mentions."""
    assert [reach_text(n) for n in (950, 1_234, 18_400, 184_000, 999_950, 1_200_000)] == [
        "950",
        "1.2k",
        "18.4k",
        "184k",
        "1M",
        "1.2M",
    ]
    page = run("report", slug, "--format", "html").output
    _, rows = html_table(page, "reach")
    assert rows[0][0] == "1M" and "1000000" not in page
    assert re.fullmatch(r"[\d.]+[kM]? \(×\d+\)|[\d.]+[kM]?", rows[1][0])


def test_links_show_host_and_path_and_keep_the_whole_url(slug: str) -> None:
    """The link's text is short; the href and the title hold the full (escaped) URL."""
    page = run("report", slug, "--format", "html").output
    link = re.search(r'<a class="url" href="([^"]*)" title="([^"]*)"[^>]*>(.*?)</a>', page)
    assert link is not None
    href, title, text = link.groups()
    assert href == title == "https://example.com/p?a=1&amp;b=&lt;2&gt;"
    assert re.sub("<wbr>", "", text) == "example.com/p"
    long = "https://mastodon.social/@quietdoyle/109876543210987654321"
    assert short_url(long) == "mastodon.social/@quietdoyle/1…"
    assert len(short_url(long)) == 30


def test_link_text_names_the_host_a_browser_will_go_to() -> None:
    """A backslash is a slash to a browser, and user@host hides the host: never a false host."""
    assert short_url("https://evil.example\\@bank.example/login").startswith("evil.example/")
    assert short_url("https://user@bank.example/login").startswith("https://user@")


def test_words_do_not_break_inside_themselves(slug: str) -> None:
    """The style lets words wrap only between them: nothing may break anywhere, a time or a
    number stays on one line; a long handle may wrap before its @server, not inside a word."""
    page = run("report", slug, "--format", "html").output
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "anywhere" not in style and "break-all" not in style
    assert "word-break: normal; overflow-wrap: normal;" in " ".join(style.split())
    assert re.search(r"td\.time, td\.number \{ white-space: nowrap; \}", style)
    assert '<td class="who">detector</td>' in page  # the level change, whole


def test_the_chart_has_hourly_ticks_and_a_legend_in_text(slug: str) -> None:
    """08:00 to 12:00 UTC on the axis, an hour apart; the key is HTML text under the chart."""
    page = run("report", slug, "--format", "html", "--tz", "Asia/Tokyo").output
    svg = page.split('id="chart"', 1)[1].split("</svg>", 1)[0]
    ticks = re.findall(r'text-anchor="middle" fill="#222222">(\d\d:\d\d)</text>', svg)
    assert ticks == [f"{hour:02d}:00" for hour in range(8, 13)]
    local = re.findall(r'text-anchor="middle" fill="#555555">(\d\d:\d\d)</text>', svg)
    assert local == [f"{hour:02d}:00" for hour in range(17, 22)]  # the Tokyo row
    legend = page.split('<div class="legend">', 1)[1].split("</div>", 1)[0]
    for words in ("brand mentions per minute", "negative share of the last 10 minutes"):
        assert words in legend
    assert "first negative surge" in legend and "back to baseline" in legend


def test_time_ticks_fit_the_span() -> None:
    """Hourly for an afternoon, every few hours for two days, quarter hours for an hour."""
    start = T0 + timedelta(minutes=7)
    hourly = time_ticks(start, start + timedelta(hours=5), 12)
    assert [t.strftime("%H:%M") for t in hourly] == ["09:00", "10:00", "11:00", "12:00", "13:00"]
    days = time_ticks(start, start + timedelta(hours=48), 12)
    assert {t.minute for t in days} == {0} and days[1] - days[0] == timedelta(hours=6)
    short = time_ticks(start, start + timedelta(minutes=50), 12)
    assert short[0].strftime("%H:%M") == "08:15" and short[1] - short[0] == timedelta(minutes=15)


def test_definitions_are_in_plain_words(slug: str) -> None:
    """No field names or event kinds: nothing like "the DECLARED event's declared_at"."""
    for fmt in ("md", "html"):
        output = run("report", slug, "--format", fmt).output
        definitions = output.split("Definitions", 1)[1]
        assert "declared_at" not in definitions and "_" not in unescape(definitions)
        assert not re.search(r"\b(DECLARED|CLOSED|LEVEL_CHANGED)\b", definitions)
        assert "when someone declared the incident" in definitions


def test_every_event_is_attributed_to_who_made_it(data_dir: Path, demo_scored: list) -> None:
    """In a drill worked through a session: the operator's declaration, checks and playbook
    switch are theirs; the playbook the console started with and the steps it checked by itself
    are warroom's; only level changes are the detector's."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT, operator="dana")
    work_the_crisis(session)
    session.switch_playbook(load_playbook(find_playbook("product-recall")))
    slug = session.log.meta.slug if session.log else ""
    session.shutdown()
    store = IncidentStore(data_dir)
    with store.open(slug, clock=session.clock, writable=False) as log:
        page = render_html(build_review(log, cache=False), system_zone())
    _, rows = html_table(page, "UTC")
    who = {(row[-2], row[-1].split(":")[0]) for row in rows}
    assert ("warroom", "playbook") in who and ("dana", "playbook") in who
    assert ("dana", "incident declared") in who and ("dana", "step checked") in who
    assert ("warroom", "step checked") in who  # on: declared
    assert {name for name, what in who if what.startswith("level")} == {"detector"}
    assert {what for name, what in who if name == "detector"} == {
        what for _, what in who if what.startswith("level")
    }


def test_stored_authorless_events_are_warroom_not_the_detector(slug: str) -> None:
    """An incident logged before: its playbook event has no author and shows as warroom."""
    assert WORKED[0][1] is EventKind.PLAYBOOK_CHANGED and WORKED[0][3] is None
    page = run("report", slug, "--format", "html", "--tz", "UTC").output
    _, rows = html_table(page, "UTC")
    assert rows[0][1:] == ["warroom", "playbook: default"]
    assert rows[1][1] == "detector" and rows[2][1] == "alice"
