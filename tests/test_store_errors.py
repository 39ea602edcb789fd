"""Stores that cannot be used: one Chinese line, exit 1, and the file left as it was.

Not a store (a text file, another application's SQLite tables), locked by another connection, read-only,
on a full disk; `build --store PATH` that does not exist. Every command that opens a store is tried on
the real CLI, and the file is compared byte for byte afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

from conftest import ROOT, STANDARDS
from site_helpers import copy_site_sources

SPOT = ROOT / "forms/examples/crd-spot-check.csv"        # 20 responses
PATROL = ROOT / "forms/examples/daily-patrol.csv"        # 1,501 responses


def cli(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args] + ["--standards", str(STANDARDS)])


def ingest(store: Path, source: Path = SPOT, checklist: str = "crd-spot-check", *extra: str):
    return cli("ingest", "--file", source, "--checklist", checklist, "--store", store, *extra)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(result) -> str:
    """The whole output of a failed command, which must be one line and no traceback."""
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def every_store_command(store: Path, tmp_path: Path) -> dict[str, list]:
    """Each command that opens a store, by name: ingest, its dry run, export (JSON and XLSX), build."""
    docs, config = copy_site_sources(tmp_path / "site-src")
    return {
        "ingest": ["ingest", "--file", SPOT, "--checklist", "crd-spot-check", "--store", store],
        "ingest --dry-run": ["ingest", "--dry-run", "--file", SPOT, "--checklist", "crd-spot-check", "--store", store],
        "export": ["export", "--table", "inspections", "--store", store],
        "export xlsx": ["export", "--table", "patrols", "--format", "xlsx", "--output", tmp_path / "out/p.xlsx",
                        "--store", store],
        "build": ["build", "--store", store, "--out", tmp_path / "public", "--docs", docs, "--config", config],
    }


def test_a_file_that_is_no_database_gives_one_line_errors_and_is_untouched(tmp_path):
    store = tmp_path / "notes.sqlite"
    store.write_bytes(b"this is a text file, not SQLite\n" * 10)
    before = store.read_bytes()
    for name, args in every_store_command(store, tmp_path).items():
        assert one_line(cli(*args)) == \
            f"错误：{store} 不是 handbook 数据库（不是 SQLite 文件）：检查 --store 是否写错；该文件未作任何改动。", name
    assert store.read_bytes() == before


def test_another_applications_sqlite_file_is_refused_by_every_command_and_left_untouched(tmp_path):
    store = tmp_path / "crm.sqlite"
    conn = sqlite3.connect(store)
    conn.executescript("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                       "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL);"
                       "INSERT INTO users VALUES (1, '张三'); INSERT INTO orders VALUES (1, 1, 9.5);")
    conn.close()
    before = digest(store)
    for name, args in every_store_command(store, tmp_path).items():
        assert one_line(cli(*args)) == (f"错误：{store} 不是 handbook 数据库（其中是其他程序的表：orders、users）："
                                        "检查 --store 是否写错；该文件未作任何改动。"), name
        assert digest(store) == before, name
        assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.sqlite", "site-src"], name   # no journal, no output
    conn = sqlite3.connect(store)
    assert conn.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall() == [("orders",), ("users",)]
    conn.close()


def test_a_store_locked_by_another_connection_says_it_is_locked(tmp_path, short_busy_timeout):
    store = tmp_path / "s.sqlite"
    assert ingest(store).exit_code == 0
    before = digest(store)
    locked = (f"错误：数据库 {store} 被其他程序占用（已锁定）：等其他程序（例如另一个 handbook ingest）结束后稍后再试；"
              "数据库未作改动。")
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")     # another program writing: nobody may read or write meanwhile
    try:
        commands = every_store_command(store, tmp_path)
        for name in ("ingest", "export", "build"):
            t0 = time.monotonic()
            assert one_line(cli(*commands[name])) == locked, name
            # each waited out the busy timeout, read when the store is opened (shortened here from 5 s)
            assert short_busy_timeout <= time.monotonic() - t0 < 4, name
    finally:
        holder.execute("ROLLBACK")
    # a reader holding its snapshot: the ingest reads and prepares everything, then cannot commit
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM inspections").fetchone()
    try:
        assert one_line(ingest(store, PATROL, "daily-patrol")) == locked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert digest(store) == before and not (tmp_path / "public").exists()
    again = ingest(store, PATROL, "daily-patrol")    # the lock gone, the same command works
    assert again.exit_code == 0 and "新增 1501" in again.output


@contextlib.contextmanager
def unprivileged():
    """Run as `nobody` meanwhile when the tests run as root (root writes whatever the file modes say)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_a_read_only_store_or_folder_gives_one_line_and_stays_as_it_was(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="handbook-ro-"))   # reachable by `nobody` (tmp_path is not)
    try:
        store = folder / "s.sqlite"
        assert ingest(store).exit_code == 0
        before = digest(store)
        message = (f"错误：数据库 {store} 是只读的，无法写入：检查该文件及其所在文件夹的写权限，"
                   "或用 --store 指定可写的位置；数据库未作改动。")
        folder.chmod(0o777)
        store.chmod(0o444)                                   # the file read-only
        with unprivileged():
            assert one_line(ingest(store, PATROL, "daily-patrol")) == message
            read = cli("export", "--table", "inspections", "--format", "csv", "--store", store)
        assert read.exit_code == 0 and len(read.output.splitlines()) == 1 + 20   # reading it is fine
        store.chmod(0o666)
        folder.chmod(0o555)                                  # the folder read-only: no journal can be made
        with unprivileged():
            assert one_line(ingest(store, PATROL, "daily-patrol")) == message
        assert digest(store) == before and sorted(p.name for p in folder.iterdir()) == ["s.sqlite"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def _ingest_limited(store: Path, limit: int) -> subprocess.CompletedProcess:
    """`handbook ingest` in a process that may not write files beyond `limit` bytes (Python ignores SIGXFSZ:
    the write fails with EFBIG, as on a disk whose quota is used up)."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "ingest", "--file", str(PATROL), "--checklist", "daily-patrol",
         "--store", str(store), "--standards", str(STANDARDS)],
        cwd=ROOT, capture_output=True, text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))


def test_a_full_disk_gives_one_line_and_the_store_stays_as_it_was(tmp_path):
    store = tmp_path / "s.sqlite"
    assert ingest(store).exit_code == 0
    before = digest(store)
    result = _ingest_limited(store, store.stat().st_size + 1000)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip() == (f"错误：无法写入数据库 {store}（磁盘已满、超出磁盘配额或文件大小限制）："
                                     "腾出磁盘空间或放宽限制后重试；数据库保持原样。")
    assert digest(store) == before and sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]

    # a file system that is really full (ENOSPC: SQLite's "database or disk is full"): a small tmpfs
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={store.stat().st_size + 64 * 1024}", "tmpfs",
                              str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root; the size limit above stands for a full disk")
    try:
        shutil.copyfile(store, disk / "s.sqlite")
        result = CliRunner().invoke(main, ["ingest", "--file", str(PATROL), "--checklist", "daily-patrol",
                                           "--store", str(disk / "s.sqlite"), "--standards", str(STANDARDS)])
        assert one_line(result) == (f"错误：磁盘已满，无法写入数据库 {disk / 's.sqlite'}：腾出磁盘空间后重试；"
                                    "数据库保持原样。")
        assert digest(disk / "s.sqlite") == before and [p.name for p in disk.iterdir()] == ["s.sqlite"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.slow
def test_build_needs_the_store_it_is_given_and_says_what_it_read(tmp_path, monkeypatch):
    docs, config = copy_site_sources(tmp_path)
    site = ["--docs", docs, "--config", config]
    missing = tmp_path / "nowhere.sqlite"
    result = cli("build", "--store", missing, "--out", tmp_path / "a", *site)
    assert one_line(result) == (f"错误：找不到 --store 指定的数据库 {missing}：检查路径是否写错；只有默认数据库 "
                                "data/inspections.sqlite 可以还不存在（结果页会显示暂无检查数据）。")
    monkeypatch.setenv("HANDBOOK_STORE", str(missing))
    assert one_line(cli("build", "--out", tmp_path / "a", *site)).startswith(
        f"错误：找不到 HANDBOOK_STORE 指定的数据库 {missing}：")
    monkeypatch.delenv("HANDBOOK_STORE")
    assert not (tmp_path / "a").exists() and not missing.exists()

    # a real store: the build names it and how many inspections it scored (those still in their source)
    store = tmp_path / "s.sqlite"
    assert ingest(store, PATROL, "daily-patrol").exit_code == 0
    conn = sqlite3.connect(store)
    conn.execute("UPDATE inspections SET gone_at = '2026-11-23T00:00:00+00:00' WHERE rowid <= 101")
    conn.commit()
    conn.close()
    result = cli("build", "--store", store, "--out", tmp_path / "b", *site)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"读取数据库 {store}：评分 1400 次检查。"

    # only the default store may be missing: the build says so and the results say there is no data
    work = tmp_path / "work"
    work.mkdir()
    (work / "build").symlink_to(ROOT / "build", target_is_directory=True)   # the shared PDF cache
    monkeypatch.chdir(work)
    result = cli("build", "--out", tmp_path / "c", *site)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == \
        "默认数据库 data/inspections.sqlite 还不存在：结果页显示“暂无检查数据”（先运行 handbook ingest）。"
    assert "暂无检查数据" in (tmp_path / "c/results/index.html").read_text(encoding="utf-8")
    assert not (work / "data").exists()
