"""The store: one transaction per run (failures and kills change nothing), no interleaving, dry runs, CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import HandbookError
from generator.ingest import file_source, run_ingest
from generator.store import read_inspections
from generator.instruments.patrol import ingest as patrol_ingest
from generator.store import SCHEMA_VERSION, read_log
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT
from ingest_helpers import FIXTURE_ITEMS, old_form_lock

EXAMPLE = ROOT / "forms" / "examples" / "daily-patrol.csv"

# data rows of the shipped example (one header line; the simulator writes no line breaks in cells)
EXAMPLE_ROWS = len((ROOT / "forms/examples/daily-patrol.csv").read_text(encoding="utf-8").splitlines()) - 1


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def dump(db):
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables if t != "ingest_log"}
    finally:
        conn.close()


def ingest(standards, db, path=EXAMPLE, **kw):
    return run_ingest([file_source(path, "daily-patrol")], standards=standards, db_path=db,
                      **{"instruments": INSTRUMENTS, **kw})


def test_schema_is_versioned_and_a_second_run_changes_nothing(standards, tmp_path):
    db = tmp_path / "s.sqlite"
    first = ingest(standards, db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    before = dump(db)
    second = ingest(standards, db)
    assert second.total["new"] == 0 and second.total["unchanged"] == first.total["new"]
    assert dump(db) == before
    assert [entry["total"]["new"] for entry in read_log(db)] == [first.total["new"], 0]


def test_injected_failure_after_n_rows_leaves_the_store_as_before(standards, tmp_path, monkeypatch):
    db = tmp_path / "s.sqlite"
    small = tmp_path / "daily-patrol.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    small.write_text("".join(lines[:300]), encoding="utf-8")
    ingest(standards, db, small)
    before = dump(db)
    monkeypatch.setattr(patrol_ingest, "WRITE_BATCH", 100)

    def fail_after(label, done, total):
        if label == "store" and done >= 700:
            raise RuntimeError("injected failure")

    with pytest.raises(RuntimeError):
        ingest(standards, db, EXAMPLE, progress=fail_after)
    assert dump(db) == before
    report = ingest(standards, db, EXAMPLE)
    assert report.total["new"] == len(lines) - 300 and report.total["unchanged"] == 299


def test_a_killed_run_leaves_the_store_as_before(standards, tmp_path):
    db = tmp_path / "s.sqlite"
    small = tmp_path / "daily-patrol.csv"
    small.write_text("".join(EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:50]), encoding="utf-8")
    ingest(standards, db, small)
    before = dump(db)
    script = (
        "import os, sys\n"
        "from generator.ingest import run as r, file_source\n"
        "from generator.standards import require_standards\n"
        "from generator.instruments import INSTRUMENTS\n"
        "from generator.instruments.patrol import ingest as patrol_ingest\n"
        "patrol_ingest.WRITE_BATCH = 100\n"
        "def die(label, done, total):\n"
        "    if label == 'store' and done >= 500: os._exit(9)   # killed mid-write, no cleanup\n"
        f"r.run_ingest([file_source({str(EXAMPLE)!r}, 'daily-patrol')], "
        f"standards=require_standards({str(ROOT / 'standards')!r}, instruments=INSTRUMENTS),"
        f" db_path={str(db)!r}, progress=die, instruments=INSTRUMENTS)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 9, result.stderr
    assert dump(db) == before


def test_a_second_ingest_waits_then_says_another_is_running(standards, tmp_path):
    db = tmp_path / "s.sqlite"
    ingest(standards, db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        t0 = time.monotonic()
        with pytest.raises(HandbookError, match="被其他程序占用（已锁定）"):
            ingest(standards, db, lock_wait=0.3)
        assert time.monotonic() - t0 >= 0.3
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_dry_run_writes_nothing(standards, tmp_path):
    db = tmp_path / "s.sqlite"
    report = ingest(standards, db, dry_run=True)
    assert report.total["new"] > 1000 and not db.exists()
    ingest(standards, db)
    before = dump(db)
    assert ingest(standards, db, dry_run=True).total["unchanged"] == report.total["new"]
    assert dump(db) == before and len(read_log(db)) == 1


def test_conservation_holds_for_every_source(standards, tmp_path):
    data = ROOT / "tests" / "data" / "ingest"
    sources = [file_source(p, "daily-patrol") for p in sorted(data.glob("*.csv"))]
    sources.append(file_source(EXAMPLE, "daily-patrol"))
    # the hand-made exports come from an older, five-item form; the lock records it
    report = run_ingest(sources, standards=standards, db_path=tmp_path / "s.sqlite",
                        lock=old_form_lock(*FIXTURE_ITEMS), instruments=INSTRUMENTS)
    for s in report.sources:
        assert s.read == s.new + s.edited + s.unchanged + s.quarantined
    # the six exports hold the same four responses: stored once, the copies are exact duplicates
    assert report.total["new"] == 4 + EXAMPLE_ROWS and report.total["quarantined"] == 20
    assert len(read_inspections(tmp_path / "s.sqlite")) == 4 + EXAMPLE_ROWS


# ---------------------------------------------------------------- CLI

def cli(*args, env=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def test_cli_ingest_file_offline_and_json(tmp_path):
    db = tmp_path / "s.sqlite"
    args = ["ingest", "--file", str(EXAMPLE), "--checklist", "daily-patrol", "--db", str(db),
            "--standards", str(ROOT / "standards"), "--lock", str(tmp_path / "none.yaml")]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert f"读取 {EXAMPLE_ROWS} 行：新增 {EXAMPLE_ROWS}，修改 0，未变 0，隔离 0；来源中已删除 0" in result.output
    result = cli(*args, "--json")
    data = json.loads(result.stdout)
    assert data["total"] == {"read": EXAMPLE_ROWS, "new": 0, "edited": 0, "unchanged": EXAMPLE_ROWS, "gone": 0,
                             "quarantined": 0}
    assert all(isinstance(data["sources"][0][k], int) for k in data["total"])


def test_cli_store_from_environment(tmp_path):
    db = tmp_path / "env.sqlite"
    result = cli("ingest", "--file", str(EXAMPLE), "--checklist", "daily-patrol", "--standards",
                 str(ROOT / "standards"), env={"HANDBOOK_STORE": str(db)})
    assert result.exit_code == 0 and db.exists()


def test_cli_errors_are_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setattr("gspread.auth.DEFAULT_SERVICE_ACCOUNT_FILENAME", tmp_path / "none.json")
    base = ["--db", str(tmp_path / "s.sqlite"), "--standards", str(ROOT / "standards"),
            "--lock", str(tmp_path / "none.yaml")]
    for args, message in [
        (["--file", str(EXAMPLE)],
         "错误：--sheet 和 --file 需要用 --checklist 指明是哪张表单的回复；可选：daily-patrol（"),
        ([], f"错误：没有可导入的回复：锁文件 {tmp_path / 'none.yaml'} 中没有记录任何回复表。"),
        (["--sheet", "1AbCdEfGhIjKlMnOp", "--checklist", "daily-patrol"], "错误：没有 Google 凭据："),
        (["--file", str(EXAMPLE), "--checklist", "nope"], "错误：未知的检查表或表单“nope”；可选：daily-patrol（"),
    ]:
        result = cli("ingest", *args, *base)
        assert result.exit_code == 1, result.output
        assert result.output.strip().splitlines()[-1].startswith(message)
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "s.sqlite").exists()


def test_cli_simulate_is_deterministic(tmp_path):
    outs = []
    for name in ("a.csv", "b.csv"):
        result = cli("simulate", "--checklist", "crd-spot-check", "--from", "2026-10-01", "--to", "2026-10-31",
                     "--projects", "wutong,lanting", "--locale", "zh-TW", "--encoding", "gb18030",
                     "--out", str(tmp_path / name), "--standards", str(ROOT / "standards"))
        assert result.exit_code == 0, result.output
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1] and "時間戳記".encode("gb18030") in outs[0]


def test_shipped_examples_are_what_the_documented_command_makes(tmp_path):
    for checklist in ("daily-patrol", "crd-spot-check"):
        out = tmp_path / f"{checklist}.csv"
        cli("simulate", "--checklist", checklist, "--from", "2026-09-14", "--to", "2026-11-22", "--seed", "1",
            "--out", str(out), "--standards", str(ROOT / "standards"))
        shipped = ROOT / "forms" / "examples" / f"{checklist}.csv"
        assert out.read_bytes() == shipped.read_bytes(), "re-run the commands in README (handbook simulate)"
        assert shipped.stat().st_size < 1.5e6
