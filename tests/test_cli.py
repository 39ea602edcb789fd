"""The CLI: exit codes, messages, help on every command, documented in the README."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.instruments import INSTRUMENTS

from conftest import ROOT


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def all_commands(group=main, prefix=()):
    for name in group.list_commands(None):   # the instruments add theirs when listed
        command = group.get_command(None, name)
        yield prefix + (name,), command
        if hasattr(command, "commands"):
            yield from all_commands(command, prefix + (name,))


def test_check_passes_on_the_real_standards(standards_dir):
    result = run("check", "--standards", str(standards_dir), "--strict")
    assert result.exit_code == 0, result.output
    assert "标准检查通过" in result.output


def test_check_reports_file_and_line_and_exits_1(standards_dir):
    path = standards_dir / "procedure.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("code: 4.2.1.1-b", "code: 4.2.1.1-a"), encoding="utf-8")
    result = run("check", "--standards", str(standards_dir))
    assert result.exit_code == 1
    assert re.search(rf"{re.escape(str(path))}:\d+: 错误: 重复的条目代码“4.2.1.1-a”", result.output)
    assert result.output.strip().splitlines()[-1].startswith("错误：")
    assert "Traceback" not in result.output


def test_check_strict_fails_on_warnings(standards_dir):
    path = standards_dir / "checklists.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"4.2.3", "4.2.4"', '"4.2.3"'), encoding="utf-8")
    assert run("check", "--standards", str(standards_dir)).exit_code == 0
    result = run("check", "--standards", str(standards_dir), "--strict")
    assert result.exit_code == 1 and "警告" in result.output


def test_check_on_a_missing_folder(tmp_path):
    result = run("check", "--standards", str(tmp_path / "nope"))
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_check_on_binary_garbage(standards_dir):
    (standards_dir / "organisation.yaml").write_bytes(b"\xff\xfe\x00garbage\x00")
    result = run("check", "--standards", str(standards_dir))
    assert result.exit_code == 1
    assert "organisation.yaml" in result.output


def test_schema_is_written_and_matches_the_committed_one(tmp_path):
    result = run("schema", "--out", str(tmp_path))
    assert result.exit_code == 0
    for path in sorted(tmp_path.iterdir()):
        committed = ROOT / "standards" / "schema" / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), \
            "run `handbook schema` and commit standards/schema/"
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["additionalProperties"] is False


def test_yaml_files_name_their_schema():
    for path in (ROOT / "standards").glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=./schema/{path.stem}.schema.json"
        assert (ROOT / "standards" / "schema" / f"{path.stem}.schema.json").exists()


def test_schema_validates_the_real_files_and_rejects_unknown_keys():
    import jsonschema
    import yaml

    for path in (ROOT / "standards").glob("*.yaml"):
        schema = json.loads((ROOT / "standards" / "schema" / f"{path.stem}.schema.json").read_text())
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        jsonschema.validate(data, schema)
        data["bogus"] = 1
        with pytest.raises(jsonschema.ValidationError, match="'bogus' was unexpected"):
            jsonschema.validate(data, schema)


def test_version():
    from generator import __version__
    assert run("--version").output.strip().endswith(__version__)


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = list(all_commands())
    paths = [" ".join(path) for path, _ in commands]
    assert len(paths) == len(set(paths))
    # today's commands stay, and each instrument has its group (`handbook <id> …`); a command added later is
    # checked below like these without being added to a list here
    assert {"backup", "build", "check", "demo", "exam", "exam build", "exam form", "exam push", "exam simulate",
            "export", "fixreport", "fixreport form", "fixreport push", "forms", "forms build", "forms link",
            "forms push", "forms tencent-link", "forms tencent-setup", "ingest", "notify", "patrol", "patrol form",
            "patrol push", "patrol simulate", "questioning", "questioning draw", "questionnaire",
            "questionnaire form", "questionnaire push", "questionnaire simulate", "questions", "questions draw",
            "restore", "schema", "serve", "simulate", "sources", "sources withdraw"} <= set(paths)
    assert {i.id for i in INSTRUMENTS} <= set(paths)
    for path, command in commands:
        result = run(*path, "--help")
        assert result.exit_code == 0
        assert command.help, f"{' '.join(path)} has no help text"
        assert f"handbook {' '.join(path)}" in readme, f"README does not document `handbook {' '.join(path)}`"


def test_python_dash_m_works():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "check" in out.stdout


def test_store_option_is_the_same_on_every_command():
    """`--store` and `--db` name the same store everywhere (`handbook build --db` used to fail)."""
    with_store = {}
    for path, command in all_commands():
        for param in getattr(command, "params", []):
            if "--store" in param.opts or "--db" in param.opts:
                with_store[" ".join(path)] = (tuple(sorted(param.opts)), param.envvar, str(param.default))
    assert {"backup", "build", "check", "export", "ingest", "notify", "restore", "serve", "sources",
            "sources withdraw"} <= set(with_store)
    assert set(with_store.values()) == {(("--db", "--store"), "HANDBOOK_STORE", "data/inspections.sqlite")}


def test_build_accepts_db(tmp_path):
    result = CliRunner().invoke(main, ["build", "--db", str(tmp_path / "none.sqlite"), "--port", "1"])
    assert result.exit_code == 1   # a mistyped command line is one Chinese line, exit 1 (was Click's exit 2)
    # --db itself parsed; the next option is the unknown one
    assert result.output == ("错误：没有选项 --port。（是不是要用其中之一：'--out', '--store'？）"
                             "（运行 handbook build -h 查看用法）\n")


def test_library_errors_are_one_line_without_traceback(tmp_path):
    result = run("exam", "simulate", "--quarter", "2026Q4", "--projects", "nowhere", "--out", str(tmp_path / "x.csv"),
                 "--standards", str(ROOT / "standards"))
    assert result.exit_code == 1
    assert result.output.splitlines() == ["错误：未知项目“nowhere”；可用项目：wutong（梧桐苑）、lanting（兰亭雅居）、"
                                          "binjiang（滨江花园）、xiangshu（香树湾）、jinqiao（金桥公寓）、"
                                          "yuelan（悦澜府）、qingyuan（青园小区）、haitang（海棠湾）"]
