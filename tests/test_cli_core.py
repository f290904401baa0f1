"""The headless commands as a communications lead runs them: analyze, replay, incidents, demo."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from warroom.demo import scenario as demo_scenario
from warroom.model import parse_time
from warroom.tui.main import main

DEMO = str(demo_scenario.DEMO_PATH)


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_analyze_json_is_one_object_with_the_documented_keys(tmp_path: Path) -> None:
    """--json prints exactly one JSON object: series, alerts, trending, summary."""
    result = run("analyze", DEMO, "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert set(report) == {"series", "alerts", "trending", "summary"}
    first = report["series"][0]
    assert {"minute", "volume", "mean_compound", "negative_share"} <= set(first)
    assert report["alerts"]
    assert all({"at", "level", "previous", "reason"} <= set(a) for a in report["alerts"])
    assert report["summary"]["mentions"] == len(demo_scenario.load())


def test_analyze_names_the_demo_crisis_within_ten_minutes_and_no_distractor() -> None:
    """The demo's surge is named a crisis within 10 minutes; the competitor and praise are not."""
    report = json.loads(run("analyze", DEMO, "--json").stdout)
    alerts = [(a["at"], a["level"]) for a in report["alerts"]]
    crises = [at for at, level in alerts if level == "crisis"]
    assert crises, alerts
    first = parse_time(crises[0])
    assert demo_scenario.SURGE_START <= first <= demo_scenario.SURGE_START + timedelta(minutes=10)
    distractors = [p for p in demo_scenario.PHASES if p.kind in ("competitor", "praise")]
    for at, _level in alerts:
        moment = parse_time(at)
        assert not any(p.start <= moment <= p.end + timedelta(minutes=15) for p in distractors), at


def test_analyze_reports_bad_lines_on_stderr_and_goes_on() -> None:
    """A bad line is named by line number and field on stderr; stdout stays one JSON object."""
    good = {"id": "t:1", "source": "t", "text": "ok", "created_at": "2026-03-14T09:00:00Z"}
    lines = "\n".join(
        [json.dumps(good), "{oops", json.dumps({**good, "id": "t:2", "created_at": "noon"})]
    )
    result = CliRunner().invoke(main, ["analyze", "-", "--json"], input=lines)
    assert result.exit_code == 0
    assert "<stdin>:2: (line): not JSON" in result.stderr
    assert "<stdin>:3: created_at:" in result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["mentions"] == 1 and report["summary"]["skipped_lines"] == 2


def test_analyze_table_is_readable() -> None:
    """Without --json a table, the level changes with reasons and a summary line."""
    result = run("analyze", DEMO)
    assert "minute (UTC)" in result.stdout
    assert "CRISIS" in result.stdout and "negative share" in result.stdout
    assert "mentions (" in result.stdout.splitlines()[-1]


def test_analyze_missing_file_is_a_one_line_error() -> None:
    """A file that cannot be read gives one line saying which and why."""
    result = CliRunner().invoke(main, ["analyze", "/nonexistent/x.jsonl"])
    assert result.exit_code != 0
    assert "cannot read /nonexistent/x.jsonl" in result.output


def test_replay_writes_an_incident_and_incidents_lists_it(data_dir: Path) -> None:
    """replay feeds the file into an incident; incidents shows it with its peak level."""
    result = run("replay", DEMO, "--incident", "demo replay")
    assert result.exit_code == 0
    assert "CRISIS" in result.stdout
    header, row = run("incidents").stdout.splitlines()
    assert header.split() == "INCIDENT STATUS STARTED (UTC) DURATION PEAK MENTIONS NAME".split()
    assert row.startswith("demo-replay ") and row[header.index("PEAK") :].startswith("crisis ")
    again = run("replay", DEMO, "--incident", "demo replay")
    assert (
        f"0 mentions into incident 'demo-replay' ({len(demo_scenario.load())} duplicates"
        in again.stderr
    )


def test_demo_headless_prints_the_level_changes() -> None:
    """`demo --headless` runs the scenario through the engine and prints the level changes."""
    result = run("demo", "--headless")
    assert result.exit_code == 0
    assert "CRISIS" in result.stdout
    assert "final level" in result.stderr


def test_analyze_reads_its_input_as_a_stream(monkeypatch) -> None:
    """The engine is handed batches of at most ANALYZE_BATCH while the input is still being
    read, never the whole file: memory stays flat whatever the file's size."""
    from warroom.incident.engine import Engine
    from warroom.offline import analyze as analyze_module

    monkeypatch.setattr(analyze_module, "ANALYZE_BATCH", 100)
    read = 0
    seen_sizes: list[tuple[int, int]] = []
    real_ingest = Engine.ingest

    def ingest(self, mentions, *, advance=True):  # type: ignore[no-untyped-def]
        seen_sizes.append((len(mentions), read))
        return real_ingest(self, mentions, advance=advance)

    def stream():  # type: ignore[no-untyped-def]
        nonlocal read
        for mention in demo_scenario.load()[:1000]:
            read += 1
            yield mention

    monkeypatch.setattr(Engine, "ingest", ingest)
    analyze_module.analyze(stream())
    assert max(size for size, _ in seen_sizes) == 100
    assert seen_sizes[0][1] <= 100  # the first batch went in after 100 were read, not 1,000
