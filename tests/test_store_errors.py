"""A --store that is not a handbook store: one-line errors, and the file is left as it was."""

from __future__ import annotations

from click.testing import CliRunner

from generator.cli import main

from conftest import ROOT, STANDARDS


def test_a_file_that_is_no_database_gives_one_line_errors_and_is_untouched(tmp_path):
    store = tmp_path / "notes.sqlite"
    store.write_bytes(b"this is a text file, not SQLite\n" * 10)
    before = store.read_bytes()
    runner = CliRunner()
    for args in (["export", "--table", "inspections", "--store", str(store), "--standards", str(STANDARDS)],
                 ["ingest", "--file", str(ROOT / "forms/examples/crd-spot-check.csv"), "--checklist",
                  "crd-spot-check", "--store", str(store), "--standards", str(STANDARDS)]):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, result.output
        assert result.output.strip().splitlines() == [
            f"Error: {store} 不是 handbook 数据库（不是 SQLite 文件）：检查 --store 是否写错；该文件未作任何改动。"]
        assert "Traceback" not in result.output
    assert store.read_bytes() == before
