"""The patrol checklists count and withdraw their own inspections (`stored_responses`, `withdraw_source`), as
every instrument does its responses: `handbook sources` and `handbook sources withdraw` ask each instrument and
never read the inspections themselves. Real CLI for the ingest, a real store, the real standards.

Worked out by hand: 梧桐苑 (wutong) crd spot checks by 测试员, each at 10:00 on its day unless said otherwise.

  a.csv   09-14, 09-15, 09-16 (every item 符合)                  -> 3 inspections, sitting with a
  b.csv   09-16 again (the very row of a.csv: the same inspection, it now sits with b),
          09-17, 09-18, and 09-15 at 10:20 with 4.2.1.1-a 不符合 1 处 (a resubmission within 60 minutes the same
          day: it replaces a's 09-15); then read again without 09-18 (gone, kept)
  before: a counts 09-14 (09-15 replaced, 09-16 with b) = 1; b counts 09-16, 09-17, 09-15 (10:20) = 3
  withdraw b: 09-16 goes back to a and keeps counting (kept 1); 09-17 and 09-15 (10:20) are withdrawn
          (taken 2); the gone 09-18 is marked withdrawn too but was not counting (not taken); a's 09-15 is no
          longer replaced -> a counts 09-14, 09-15, 09-16 = 3; b counts 0
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from conftest import ROOT
from generator import store
from generator.cli import main
from generator.ingest.shell import Withdrawn
from generator.instruments import INSTRUMENTS
from generator.instruments.patrol import simulate as sim
from generator.standards import require_standards
from legacy_store import store_d40fcfb

CHECKLIST = "crd-spot-check"
S = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
TZ = ZoneInfo(S.organisation.timezone)
PATROL = next(i for i in INSTRUMENTS if i.id == "patrol")
NOW = "2026-10-01T02:00:00+00:00"


def spot(day: int, found: dict[str, str] | None = None, minute: int = 0) -> sim.SimResponse:
    date = dt.date(2026, 9, day)
    answers = {i.code: (found or {}).get(i.code, "符合") for i in S.checklist_items(CHECKLIST)}
    return sim.SimResponse(submitted_at=dt.datetime.combine(date, dt.time(10, minute), TZ),
                           project=S.projects["wutong"].name, role=S.roles["crd"].name, inspector="测试员",
                           date=date, answers=answers)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def ingest(tmp_path, db, name, rows):
    path = sim.write_csv(tmp_path / name, sim.sheet_values(S, CHECKLIST, rows))
    result = run("ingest", "--store", db, "--lock", tmp_path / "no-lock.yaml", "--checklist", CHECKLIST, "--file", path)
    assert result.exit_code == 0, result.output


def by_date(conn, sql_columns: str) -> dict[tuple[str, str], tuple]:
    """(inspection date, submitted hh:mm) -> the inspection's columns."""
    return {(d, t[11:16]): tuple(rest) for d, t, *rest in conn.execute(f"""
        SELECT v.date, v.submitted_at, {sql_columns} FROM inspections i
        JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version""")}


def test_the_patrol_instrument_withdraws_its_inspections_and_says_how_many_it_took_and_kept(tmp_path):
    db = tmp_path / "store.sqlite"
    ingest(tmp_path, db, "a.csv", [spot(14), spot(15), spot(16)])
    later = [spot(16), spot(17), spot(18), spot(15, {"4.2.1.1-a": "不符合 1 处"}, minute=20)]
    ingest(tmp_path, db, "b.csv", later)
    ingest(tmp_path, db, "b.csv", [r for r in later if r.date.day != 18])
    with sqlite3.connect(db) as conn:
        a, b = (conn.execute("SELECT id FROM sources WHERE title = ?", (t,)).fetchone()[0] for t in ("a.csv", "b.csv"))

    conn = store.connect(db, instruments=INSTRUMENTS)
    try:
        assert (PATROL.stored_responses(conn, a), PATROL.stored_responses(conn, b)) == (1, 3)
        store.begin(conn, db, INSTRUMENTS)
        withdrawn = PATROL.withdraw_source(conn, b, S, NOW)
        assert withdrawn == Withdrawn(taken=2, kept=1)
        assert (PATROL.stored_responses(conn, a), PATROL.stored_responses(conn, b)) == (3, 0)
        # (source, gone, withdrawn, replaced) of each inspection by its date and time of submission
        rows = by_date(conn, "i.source_id, i.gone_at IS NOT NULL, i.withdrawn_at, i.replaced_by IS NOT NULL")
        assert rows == {("2026-09-14", "10:00"): (a, 0, None, 0),
                        ("2026-09-15", "10:00"): (a, 0, None, 0),      # its resubmission withdrawn: counts again
                        ("2026-09-16", "10:00"): (a, 0, None, 0),      # kept: back with the source that gave it too
                        ("2026-09-17", "10:00"): (b, 0, NOW, 0),
                        ("2026-09-18", "10:00"): (b, 1, NOW, 0),       # gone before: withdrawn, not counted as taken
                        ("2026-09-15", "10:20"): (b, 0, NOW, 0)}
        # the source's own row is the command's: the instrument leaves it
        assert conn.execute("SELECT withdrawn_at FROM sources WHERE id = ?", (b,)).fetchone() == (None,)
        # no other instrument holds anything of a checklist source
        others = [i.withdraw_source(conn, b, S, NOW) for i in INSTRUMENTS if i is not PATROL]
        assert [tuple(w) for w in others] == [(0, 0)] * (len(INSTRUMENTS) - 1)
        conn.execute("ROLLBACK")
    finally:
        conn.close()

    # the command adds what every instrument took and kept, and says it as before
    result = run("sources", "withdraw", b, "--yes", "--store", db)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"已撤回来源 {b}（b.csv）：2 条记录不再计入结果；另有 1 条在其他来源中也有，照常计入；"
        f"原始行 4 行保留在 {db} 中。重新生成网站（handbook build）后结果页随之更新。")
    listed = run("sources", "--store", db).output.splitlines()
    assert listed[1].startswith(f"{a}  {CHECKLIST}  文件 a.csv  ") and listed[1].endswith("  3  3")
    assert listed[2].startswith(f"{b}  {CHECKLIST}  文件 b.csv  ") and "  4  已撤回（" in listed[2]


def test_the_sources_commands_never_read_the_inspections_themselves():
    """Instrument-agnostic: each instrument counts and withdraws its own responses."""
    text = (ROOT / "generator" / "ingest" / "sources.py").read_text(encoding="utf-8")
    assert re.findall(r"(?:FROM|JOIN|UPDATE|INTO)\s+(?:inspections|versions|exam_\w+|survey_\w+|fix_reports)\b",
                      text) == []
    assert "mark_resubmissions" not in text


def test_an_old_store_lists_every_instruments_responses_unchanged_and_withdraws_after_its_upgrade(tmp_path):
    """The schema-5 store (d40fcfb): 5 patrols, 3 spot checks, 4 questionnaires, 4 quiz responses, one source
    each; listing it reads it as it is, withdrawing upgrades it first."""
    db = store_d40fcfb(tmp_path / "old.sqlite")
    listed = run("sources", "--store", db)
    assert listed.exit_code == 0, listed.output
    assert [line.rsplit("  ", 1)[1] for line in listed.output.splitlines()[1:]] == ["5", "3", "4", "4"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
    for source, taken in ((1, 5), (3, 4)):
        done = run("sources", "withdraw", source, "--yes", "--store", db)
        assert done.exit_code == 0, done.output
        assert f"：{taken} 条记录不再计入结果；" in done.output
    states = [line.rsplit("  ", 1)[1] for line in run("sources", "--store", db).output.splitlines()[1:]]
    assert states[1::2] == ["3", "4"] and all(s.startswith("已撤回（") for s in states[0::2])
