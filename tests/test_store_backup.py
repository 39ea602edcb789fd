"""Damaged stores, backups and restores.

A store whose second half is zeroed, and one with two pages of a table swapped (SQLite still reads it,
its integrity check does not pass), are made here from a real ingest; every command that reads or writes
a store refuses them with one Chinese line, exit 1, and leaves the file byte for byte as it was.
`handbook backup` is tried against a real ingest running in another process: every copy is the store as
one transaction or the other left it (a plain copy of the file at the same moments gave half an ingest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.store.backup import list_backups

from conftest import ROOT, STANDARDS
from site_helpers import copy_site_sources

SPOT = ROOT / "forms/examples/crd-spot-check.csv"        # 20 responses
PATROL = ROOT / "forms/examples/daily-patrol.csv"        # 1,501 responses


def cli(*args, input: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args] + ["--standards", str(STANDARDS)], input=input)


def run(*args, input: str | None = None):
    """A command of the real CLI without --standards (backup and restore do not read the standards)."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def count(store: Path) -> int:
    conn = sqlite3.connect(store)
    try:
        return conn.execute("SELECT count(*) FROM inspections").fetchone()[0]
    finally:
        conn.close()


def quick_check(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def sound_store(tmp_path_factory) -> Path:
    """A real store: the example patrols and spot checks ingested."""
    store = tmp_path_factory.mktemp("sound") / "inspections.sqlite"
    for source, checklist in ((PATROL, "daily-patrol"), (SPOT, "crd-spot-check")):
        result = cli("ingest", "--file", source, "--checklist", checklist, "--store", store)
        assert result.exit_code == 0, result.output
    assert count(store) == 1521 and quick_check(store) == "ok"
    return store


def zeroed(sound: Path, dest: Path) -> Path:
    """The store with its second half overwritten by zeros (as a disk or a copy that stopped half way)."""
    data = sound.read_bytes()
    dest.write_bytes(data[:len(data) // 2] + bytes(len(data) - len(data) // 2))
    return dest


def swapped(sound: Path, dest: Path) -> Path:
    """The store with two leaf pages of `raw_rows` and two of `versions` swapped: every query still
    answers, but rows come out of order; only SQLite's integrity check notices."""
    conn = sqlite3.connect(sound)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    leaves = {table: [p for (p,) in conn.execute(
        "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", (table,))]
        for table in ("raw_rows", "versions")}
    conn.close()
    data = sound.read_bytes()
    out = bytearray(data)
    for pages in leaves.values():
        a, b = pages[1], pages[3]
        at = lambda n: slice((n - 1) * page_size, n * page_size)   # noqa: E731
        out[at(a)], out[at(b)] = data[at(b)], data[at(a)]
    dest.write_bytes(bytes(out))
    # the damage this test is about: reads work, the check fails
    check = sqlite3.connect(dest)
    assert check.execute("SELECT count(*) FROM raw_rows").fetchone()[0] == 1521
    assert check.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    check.close()
    return dest


def every_store_command(store: Path, tmp_path: Path) -> dict[str, list]:
    """Each command that reads or writes a store."""
    docs, config = copy_site_sources(tmp_path / "site-src")
    return {
        "ingest": ["ingest", "--file", SPOT, "--checklist", "crd-spot-check", "--store", store],
        "ingest --dry-run": ["ingest", "--dry-run", "--file", SPOT, "--checklist", "crd-spot-check", "--store", store],
        "export": ["export", "--table", "inspections", "--store", store],
        "export csv": ["export", "--table", "actions", "--format", "csv", "--output", tmp_path / "out/a.csv",
                       "--store", store],
        "notify --dry-run": ["notify", "--dry-run", "--store", store],
        "notify": ["notify", "--store", store],
        "build": ["build", "--store", store, "--out", tmp_path / "public", "--docs", docs, "--config", config],
    }


@pytest.mark.parametrize("damage", [zeroed, swapped], ids=["second-half-zeroed", "pages-swapped"])
def test_a_damaged_store_is_refused_by_every_command_with_one_line_and_left_as_it_was(
        damage, sound_store, tmp_path, monkeypatch):
    monkeypatch.delenv("HANDBOOK_NOTIFY_CREDENTIALS", raising=False)
    store = damage(sound_store, tmp_path / "inspections.sqlite")
    before = digest(store)
    problems = "100 处以上问题" if damage is zeroed else "4 处问题"
    expected = (f"错误：数据库 {store} 已损坏（SQLite 完整性检查：{problems}）：运行 handbook restore --store {store} "
                f"用最近的备份恢复"
                f"（handbook backup 的备份在 {tmp_path}/backups/），或改用新的 --store 重新导入；该文件未作任何改动。")
    for name, args in every_store_command(store, tmp_path).items():
        assert one_line(cli(*args)) == expected, name
        assert digest(store) == before, name
    assert not (tmp_path / "public").exists() and not (tmp_path / "out/a.csv").exists()
    # a damaged store is never backed up: the good copies are not pushed out by it
    assert one_line(run("backup", "--store", store)) == expected
    assert not (tmp_path / "backups").exists()


def test_a_damaged_default_store_names_restore_without_store_and_restore_takes_it(sound_store, tmp_path,
                                                                                   monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDBOOK_STORE", raising=False)
    (tmp_path / "data").mkdir()
    store = tmp_path / "data/inspections.sqlite"
    shutil.copyfile(sound_store, store)
    assert run("backup").exit_code == 0          # data/backups/ holds a sound copy
    swapped(sound_store, store)
    assert one_line(cli("export", "--table", "inspections")) == (
        "错误：数据库 data/inspections.sqlite 已损坏（SQLite 完整性检查：4 处问题）：运行 handbook restore "
        "用最近的备份恢复"
        "（handbook backup 的备份在 data/backups/），或改用新的 --store 重新导入；该文件未作任何改动。")
    # the command named works as named
    assert run("restore", "--yes").exit_code == 0 and quick_check(store) == "ok"
    # a store elsewhere is named with --store, the way restore takes it (a space in the path quoted)
    other = tmp_path / "二 期" / "s.sqlite"
    other.parent.mkdir()
    shutil.copyfile(sound_store, other)
    assert run("backup", "--store", other).exit_code == 0
    swapped(sound_store, other)
    line = one_line(cli("export", "--table", "inspections", "--store", "二 期/s.sqlite"))
    assert "：运行 handbook restore --store '二 期/s.sqlite' 用最近的备份恢复" in line
    assert run("restore", "--store", "二 期/s.sqlite", "--yes").exit_code == 0 and quick_check(other) == "ok"


def test_backup_keeps_the_newest_copies_each_checked(sound_store, tmp_path):
    folder = tmp_path / "kept"
    made = []
    for n in range(4):
        result = run("backup", "--store", sound_store, "--folder", folder, "--keep", "3")
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        copy = Path(lines[0].split(" → ")[1].split("（")[0])
        made.append(copy)
        assert lines[0] == (f"已备份数据库 {sound_store} → {copy}"
                            f"（{copy.stat().st_size / 1e6:.1f} MB，1521 次检查，完整性检查通过）")
        assert lines[1] == (f"{folder}/ 保留最近 3 份备份" + ("，删除了 1 份较早的" if n == 3 else ""))
        time.sleep(0.01)
    assert set(folder.iterdir()) == set(made[1:])   # the oldest went, no partial copy left behind
    assert list_backups(sound_store, folder) == made[1:]   # oldest first, also within one second
    assert all(count(c) == 1521 and quick_check(c) == "ok" for c in made[1:])
    assert len(set(made)) == 4   # two backups in the same second get distinct names


def test_backup_by_default_goes_beside_the_store_and_the_number_kept_comes_from_the_environment(
        sound_store, tmp_path, monkeypatch):
    store = tmp_path / "data/inspections.sqlite"
    store.parent.mkdir()
    store.write_bytes(sound_store.read_bytes())
    monkeypatch.setenv("HANDBOOK_BACKUP_KEEP", "2")
    for _ in range(3):
        assert run("backup", "--store", store).exit_code == 0
    copies = sorted((tmp_path / "data/backups").iterdir())
    assert len(copies) == 2 and all(c.name.startswith("inspections-") and c.suffix == ".sqlite" for c in copies)


def test_backup_of_a_missing_store_says_so(tmp_path):
    store = tmp_path / "none.sqlite"
    assert one_line(run("backup", "--store", store)) == \
        f"错误：找不到数据库 {store}：先运行 handbook ingest，或用 --store 指定已有的数据库。"
    assert not store.exists()


def state(copy: Path) -> int | str:
    """A copy's number of inspections, or "damaged"."""
    try:
        return count(copy) if quick_check(copy) == "ok" else "damaged"
    except sqlite3.DatabaseError:
        return "damaged"


@pytest.mark.slow
def test_backups_taken_during_a_real_ingest_are_each_one_consistent_state(sound_store, tmp_path):
    """A year of patrols ingested by another process while backups are taken over and over: every copy
    holds the store before the ingest (1,521 inspections) or after it (all of the year's added), and
    passes the integrity check. A plain copy of the file taken between the backups (the control: the
    test can see half an ingest) catches the store half written at least once."""
    year = tmp_path / "year.csv"
    result = cli("simulate", "--checklist", "daily-patrol", "--from", "2025-11-01", "--to", "2026-10-31",
                 "--seed", "2", "--out", year)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "backups"
    during = 0
    seen: set = set()
    plain: list = []
    after = None
    for attempt in range(12):
        store = tmp_path / f"store{attempt}.sqlite"
        store.write_bytes(sound_store.read_bytes())
        ingest = subprocess.Popen(
            [sys.executable, "-m", "generator", "ingest", "--file", str(year), "--checklist", "daily-patrol",
             "--store", str(store), "--standards", str(STANDARDS)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
        n = 0
        while ingest.poll() is None:
            for _ in range(5):
                n += 1
                shutil.copyfile(store, tmp_path / f"plain{attempt}-{n}.sqlite")
            result = run("backup", "--store", store, "--folder", folder, "--keep", "1000")
            if result.exit_code == 1 and "被其他程序占用（已锁定）" in result.output:
                # on a loaded machine the ingest's write can hold the file past the busy timeout: the backup
                # says so in one line and copies nothing (the next one is tried)
                assert result.output.count("错误：") == 1 and "数据库未作改动" in result.output, result.output
                continue
            assert result.exit_code == 0, result.output
            if ingest.poll() is None:
                during += 1   # the ingest was still running when this copy was finished
        assert ingest.wait() == 0, ingest.stderr.read()
        after = count(store)
        seen |= {state(copy) for copy in folder.glob(f"store{attempt}-*.sqlite")}
        plain += [state(copy) for copy in tmp_path.glob(f"plain{attempt}-*.sqlite")]
        if during >= 5 and after in seen and set(plain) - {1521, after}:
            break
    assert after > 1521 + 8000
    assert seen <= {1521, after}, seen      # never half an ingest, never damaged
    assert during >= 5 and after in seen, (during, seen)
    assert set(plain) - {1521, after}, plain   # the control saw the store half written


def backed_up(sound_store: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A store (a copy of the sound one) and one backup of it."""
    store = tmp_path / "inspections.sqlite"
    store.write_bytes(sound_store.read_bytes())
    result = run("backup", "--store", store)
    assert result.exit_code == 0, result.output
    (copy,) = (tmp_path / "backups").iterdir()
    return store, copy


def test_backup_names_and_the_restore_prompt_read_in_the_organisations_zone(sound_store, tmp_path):
    beijing = ZoneInfo("Asia/Shanghai")   # standards/organisation.yaml's zone, recorded in the store by ingest
    start = dt.datetime.now(beijing).replace(microsecond=0)
    store, copy = backed_up(sound_store, tmp_path)
    end = dt.datetime.now(beijing)
    stamp = dt.datetime.strptime(copy.name, "inspections-%Y%m%d-%H%M%S.sqlite").replace(tzinfo=beijing)
    assert start <= stamp <= end, (copy.name, start, end)   # Beijing time, whatever the machine's zone
    declined = run("restore", "--store", store, input="n\n")
    made = dt.datetime.fromtimestamp(copy.stat().st_mtime, beijing).strftime("%Y-%m-%d %H:%M")
    assert declined.output.startswith(f"用备份 {copy}（备份于 {made}，1521 次检查）替换数据库 {store}？")
    done = run("restore", "--store", store, "--yes")
    assert done.exit_code == 0, done.output
    kept = next((tmp_path / "backups").glob("inspections-before-restore-*.sqlite"))
    stamp = dt.datetime.strptime(kept.name, "inspections-before-restore-%Y%m%d-%H%M%S.sqlite").replace(tzinfo=beijing)
    assert start <= stamp <= dt.datetime.now(beijing), kept.name


def test_restore_puts_the_newest_backup_back_and_keeps_the_damaged_store(sound_store, tmp_path):
    store, copy = backed_up(sound_store, tmp_path)
    zeroed(store, store)
    damaged = store.read_bytes()
    result = run("restore", "--store", store, "--yes")
    assert result.exit_code == 0, result.output
    kept = next((tmp_path / "backups").glob("inspections-before-restore-*.sqlite"))
    assert result.output == (f"已用 {copy} 恢复数据库 {store}（1521 次检查，完整性检查通过）"
                             f"；原来的数据库另存为 {kept}\n")
    # the replaced store, as it was: every page (SQLite's copy renews the header's change counter)
    assert len(kept.read_bytes()) == len(damaged) and kept.read_bytes()[100:] == damaged[100:]
    assert count(store) == 1521 and quick_check(store) == "ok"
    export = cli("export", "--table", "project_weeks", "--store", store)
    assert export.exit_code == 0 and export.output.startswith("[")
    # the kept store is not one of the backups: a later backup never prunes it, restore never picks it
    assert run("backup", "--store", store, "--keep", "1").exit_code == 0
    assert kept.exists() and copy.exists() is False


def test_restore_asks_first_and_without_a_yes_changes_nothing(sound_store, tmp_path):
    store, copy = backed_up(sound_store, tmp_path)
    assert cli("ingest", "--file", SPOT, "--checklist", "crd-spot-check", "--store", store).exit_code == 0
    before = digest(store)
    declined = run("restore", "--store", store, input="n\n")
    assert declined.exit_code == 1
    prompt, error = declined.output.strip().splitlines()
    assert prompt.startswith(f"用备份 {copy}（备份于 ") and "1521 次检查）替换数据库" in prompt
    assert prompt.endswith("[y/N]: n")
    assert error == f"错误：没有确认，未恢复：确认要替换后加 --yes 再运行；数据库 {store} 未作改动。"
    assert digest(store) == before and sorted((tmp_path / "backups").iterdir()) == [copy]
    accepted = run("restore", "--store", store, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.output.splitlines()[-1].startswith(f"已用 {copy} 恢复数据库 {store}（1521 次检查")


def test_restore_refuses_a_damaged_copy_and_changes_nothing(sound_store, tmp_path):
    store, copy = backed_up(sound_store, tmp_path)
    swapped(sound_store, copy)
    before = digest(store)
    assert one_line(run("restore", "--store", store, "--yes")) == (
        f"错误：不能用 {copy} 恢复：文件已损坏（SQLite 完整性检查：4 处问题）：换一份备份（handbook restore 备份文件，"
        f"备份在 {tmp_path}/backups/）；数据库 {store} 未作改动。")
    assert digest(store) == before and sorted((tmp_path / "backups").iterdir()) == [copy]
    other = tmp_path / "notes.txt"
    other.write_text("not a store\n", encoding="utf-8")
    assert one_line(run("restore", other, "--store", store, "--yes")) == (
        f"错误：不能用 {other} 恢复：不是可用的 handbook 数据库：换一份备份（handbook restore 备份文件，"
        f"备份在 {tmp_path}/backups/）；数据库 {store} 未作改动。")
    assert digest(store) == before


def test_restore_without_any_backup_says_how_to_make_one(tmp_path):
    store = tmp_path / "inspections.sqlite"
    assert one_line(run("restore", "--store", store, "--yes")) == (
        f"错误：{tmp_path}/backups/ 里没有数据库 {store} 的备份：先运行 handbook backup；"
        "或指定备份文件：handbook restore 备份文件。")
