"""`bench/run.py --write` replaces its own section of BENCHMARKS.md and nothing else."""

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def markdown(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    yield importlib.import_module("benchmarks_md")
    # The bench's modules are scripts' neighbours, not the project's: not left loaded.
    for name in ("run", "benchmarks_md"):
        sys.modules.pop(name, None)


def section(name: str, body: str) -> str:
    return f"<!-- bench:{name} -->\n{body}<!-- /bench:{name} -->"


def test_a_write_changes_its_section_only(markdown, tmp_path):
    titles = markdown.SECTIONS
    by_hand = "Profiled by hand: kept as written.\n"
    sqlite = section("sqlite", "old SQLite figures\n")
    postgresql = section("postgresql", "PostgreSQL figures\n")
    text = (
        "# Benchmarks\n\nAn old header.\n\n"
        f"{titles['sqlite']}\n\n{sqlite}\n\n{by_hand}\n"
        f"{titles['postgresql']}\n\n{postgresql}\n\n"
        "## A note written after the sections\n\nIt stays.\n"
    )
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(text, encoding="utf-8")

    markdown.write_benchmarks("sqlite", "new SQLite figures\n", path)

    written = path.read_text(encoding="utf-8")
    assert written.startswith(markdown.HEADER + "\n" + titles["sqlite"])
    expected_rest = text[text.index(titles["sqlite"]) :].replace("old SQLite", "new SQLite")
    assert written == markdown.HEADER + "\n" + expected_rest


def test_a_section_not_there_goes_after_the_one_before_it_and_its_notes(markdown, tmp_path):
    titles = markdown.SECTIONS
    note = "Where the time goes, by hand.\n"
    record = section("record-postgresql", "record figures\n")
    text = (
        f"{markdown.HEADER}\n{titles['record-postgresql']}\n\n{record}\n\n{note}\n"
        "## Issue 15: a dated note\n\nIt stays last.\n"
    )
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(text, encoding="utf-8")

    markdown.write_benchmarks("city-postgresql", "city figures\n", path)

    written = path.read_text(encoding="utf-8")
    city = section("city-postgresql", "city figures\n")
    new = f"{titles['city-postgresql']}\n\n{city}\n\n"
    at = text.index("## Issue 15")
    assert written == text[:at] + new + text[at:]


def test_a_new_file_holds_every_section(markdown, tmp_path):
    path = tmp_path / "BENCHMARKS.md"

    markdown.write_benchmarks("city-sqlite", "city figures\n", path)

    written = path.read_text(encoding="utf-8")
    assert written.startswith(markdown.HEADER)
    positions = [written.index(f"<!-- bench:{name} -->") for name in markdown.SECTIONS]
    assert positions == sorted(positions)
    assert section("city-sqlite", "city figures\n") in written
    assert written.count("Nothing here yet.") == len(markdown.SECTIONS) - 1
