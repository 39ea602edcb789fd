"""`make test` lints (ruff) and type-checks (mypy) before the tests; these run the same two checks, so the
suite fails on a lint or type error however it is started, and show that the configured rules are in force."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, input=stdin, capture_output=True, text=True,
                          timeout=300)


def test_ruff_finds_nothing_in_generator_tests_and_bench():
    result = run("ruff", "check", "--quiet", "generator", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_ruff_rules_catch_an_unused_import_a_long_line_and_a_dropped_comparison():
    # a module as generator/ would hold it: pyproject.toml's rules apply by its path
    code = "import os\n\n\ndef f(x):\n    x == 1\n    return '" + "a" * 120 + "'\n"
    result = run("ruff", "check", "--output-format", "concise", "--stdin-filename", "generator/planted.py", "-",
                 stdin=code)
    assert result.returncode == 1
    found = {line.split(" ")[1] for line in result.stdout.splitlines() if line.startswith("generator/planted.py:")}
    assert {"F401", "E501", "B015"} <= found, result.stdout


def test_ruff_counts_a_chinese_character_as_two_columns():
    # 60 characters of Chinese text in a string: 120 columns plus the quotes and the name, over the limit
    result = run("ruff", "check", "--output-format", "concise", "--stdin-filename", "generator/planted.py", "-",
                 stdin='TEXT = "' + "巡" * 60 + '"\n')
    assert "E501" in result.stdout, result.stdout


@pytest.mark.slow   # a whole mypy run (cold: tens of seconds); `make test` runs mypy before the tests too
def test_mypy_finds_nothing_in_the_instrument_protocol_the_ingest_and_the_store():
    # one run (a cold one takes several seconds): its verbose log names the files pyproject.toml's `files` gives
    result = run("mypy", "--verbose")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found in "), result.stdout
    checked = re.findall(r"Found source: +BuildSource\(path='([^']+)'", result.stderr)
    for path in ("generator/instruments/base.py", "generator/ingest/run.py", "generator/instruments/patrol/mapping.py",
                 "generator/store/writer.py", "generator/store/connection.py"):
        assert path in checked, checked
