"""YAML files that are not UTF-8: reported at the line and column of the first bad byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.live.config import ConfigInvalid, load_config
from warroom.playbook import PlaybookInvalid, load_playbook
from warroom.yamlpos import not_utf8

# Line 3, after `  - é ` (six characters, one of them two bytes): the 0xff is at column 7.
LATIN_LINE_3 = b"name: cafe\nsteps:\n" + "  - é ".encode() + b"\xff caf\n"


def test_the_first_bad_byte_is_found_by_line_and_column() -> None:
    """Columns count characters, not bytes: a two-byte é before it is one column."""
    error = not_utf8("f.yaml", LATIN_LINE_3)
    assert (error.line, error.column) == (3, 7)
    assert str(error) == "f.yaml:3:7: is not UTF-8 text (byte 0xff); save it as UTF-8"


def test_a_bad_first_byte_is_at_one_one() -> None:
    """Nothing before it: line 1, column 1."""
    assert str(not_utf8("f.yaml", b"\xe9t\xe9: 1\n")).startswith("f.yaml:1:1: ")


def test_a_bad_byte_past_the_read_buffer_is_still_placed_right() -> None:
    """Far into a big file (past any decoder chunk), the line is still counted from the start."""
    data = b"# filler\n" * 5000 + b"name: caf\xe9\n"
    error = not_utf8("big.yaml", data)
    assert (error.line, error.column) == (5001, 10)


def test_a_playbook_that_is_not_utf8_names_the_line_and_column(tmp_path: Path) -> None:
    """load_playbook reports file:3:7 and the byte, not 1:1 and an offset."""
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(LATIN_LINE_3)
    with pytest.raises(PlaybookInvalid) as raised:
        load_playbook(bad)
    assert [str(error) for error in raised.value.errors] == [
        f"{bad}:3:7: is not UTF-8 text (byte 0xff); save it as UTF-8"
    ]


def test_a_watch_config_that_is_not_utf8_names_the_line_and_column(tmp_path: Path) -> None:
    """load_config reports file:3:7 and the byte, as playbooks do."""
    bad = tmp_path / "warroom.yaml"
    bad.write_bytes(LATIN_LINE_3)
    with pytest.raises(ConfigInvalid) as raised:
        load_config(bad)
    assert [str(error) for error in raised.value.errors] == [
        f"{bad}:3:7: is not UTF-8 text (byte 0xff); save it as UTF-8"
    ]
