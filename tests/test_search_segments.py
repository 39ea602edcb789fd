"""The search index's word segmentation is remembered between builds (generator/site/segments.py): the same
words as jieba's own cut, jieba's dictionary not loaded when every run is remembered, and a damaged, foreign or
unwritable file only means cutting again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import jieba
import pytest

from generator.site import segments
from generator.site.segments import SEPARATOR, CachedJieba

from conftest import ROOT

RUNS = ["客服人员服务行为监督管理程序", "项目经理每天至少巡查一次", "梧桐苑", "红线问题", "整改逾期"]


class Counting:
    """jieba, counting the cuts asked of it."""

    def __init__(self):
        self.cuts = 0

    def __getattr__(self, name):
        return getattr(jieba, name)

    def cut(self, sentence, *args, **kwargs):
        self.cuts += 1
        return jieba.cut(sentence, *args, **kwargs)


def test_a_remembered_cut_is_jiebas_own_and_asks_jieba_nothing(tmp_path):
    path = tmp_path / "segments.json"
    first = CachedJieba(Counting(), path)
    assert [first.cut(run.encode("utf-8")) for run in RUNS] == [list(jieba.cut(run)) for run in RUNS]
    assert first._jieba.cuts == len(RUNS)
    first.save()

    again = CachedJieba(Counting(), path)
    assert [again.cut(run.encode("utf-8")) for run in RUNS] == [list(jieba.cut(run)) for run in RUNS]
    assert again._jieba.cuts == 0
    assert "\u200b".join(again.cut("梧桐苑")) == SEPARATOR.join(jieba.cut("梧桐苑"))


@pytest.mark.parametrize("damage", ["", "{not json", '{"key": 1, "entries": [1, 2]}',
                                    '{"entries": {"梧桐苑": ["梧\u200b桐苑", 1]}}', "[]"])
def test_a_damaged_or_foreign_file_means_cutting_again_and_is_replaced(tmp_path, damage):
    path = tmp_path / "segments.json"
    path.write_text(damage, encoding="utf-8")
    cached = CachedJieba(Counting(), path)
    assert cached.cut("梧桐苑") == list(jieba.cut("梧桐苑"))     # not the planted 梧 / 桐苑 of another key
    assert cached._jieba.cuts == 1
    cached.save()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["entries"]["梧桐苑"][0] == SEPARATOR.join(jieba.cut("梧桐苑"))


def test_an_entry_whose_words_are_not_its_run_is_cut_again(tmp_path):
    path = tmp_path / "segments.json"
    cached = CachedJieba(Counting(), path)
    cached.cut("梧桐苑")
    cached.save()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"]["梧桐苑"][0] = "梧桐\u200b小区"        # under the right key, but other characters
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    again = CachedJieba(Counting(), path)
    assert again.cut("梧桐苑") == list(jieba.cut("梧桐苑"))
    assert again._jieba.cuts == 1


def test_entries_of_another_dictionary_are_not_used(tmp_path, monkeypatch):
    path = tmp_path / "segments.json"
    cached = CachedJieba(Counting(), path)
    cached.cut("梧桐苑")
    cached.save()
    monkeypatch.setattr(segments, "_dictionary_key", lambda _: "another dictionary")
    other = CachedJieba(Counting(), path)
    other.cut("梧桐苑")
    assert other._jieba.cuts == 1


def test_runs_not_used_for_thirty_days_are_dropped_and_others_kept_across_processes(tmp_path):
    path = tmp_path / "segments.json"
    old = CachedJieba(Counting(), path)
    old.today -= segments.STALE_DAYS + 1
    old.cut("红线问题")
    old.save()
    other = CachedJieba(Counting(), path)      # another build, meanwhile
    other.cut("梧桐苑")
    today = CachedJieba(Counting(), path)
    today.cut("整改逾期")
    other.save()
    today.save()                               # merged with what the other build wrote
    entries = json.loads(path.read_text(encoding="utf-8"))["entries"]
    assert "梧桐苑" in entries and "整改逾期" in entries
    assert "红线问题" not in entries


def test_an_unwritable_folder_never_fails_the_build(tmp_path):
    folder = tmp_path / "gone"
    cached = CachedJieba(Counting(), folder / "segments.json")   # its folder does not exist
    assert cached.cut("梧桐苑") == list(jieba.cut("梧桐苑"))
    cached.save()
    assert not folder.exists()
    assert cached.changed                      # kept in memory, written next time


def test_the_cache_folder_is_private_and_someone_elses_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(segments.tempfile, "gettempdir", lambda: str(tmp_path))
    folder = segments.cache_folder()
    assert folder == tmp_path / f"_handbook-cache-{os.getuid()}"
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o777)                        # anybody could plant words in it
    assert segments.cache_folder() is None


SITE_BUILD = textwrap.dedent("""
    import json, pathlib, sys
    import jieba
    from generator.site import engine
    root = pathlib.Path(sys.argv[1])
    out = root / ("site" + sys.argv[2])
    engine.build_with_engine("mkdocs", root / "mkdocs.yml", root / "docs", out, nav=["index.md"],
                             not_in_nav=[], copyright="")
    print(json.dumps({"loaded": jieba.dt.initialized,
                      "index": (out / "search" / "search_index.json").read_text(encoding="utf-8")}))
""")


@pytest.mark.slow   # three MkDocs builds in new processes
def test_a_real_build_loads_jiebas_dictionary_only_for_runs_not_remembered(tmp_path):
    """Builds of a small Material site in new processes (TMPDIR: a folder of this test): the first cuts and
    remembers, the second loads no dictionary, one after the file was damaged cuts again; the three search
    indexes are the same, byte for byte, and hold the segmented words."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(
        "# 客服人员服务行为监督\n\n项目经理每天至少巡查一次，发现的红线问题当天整改。\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: 手册\ntheme:\n  name: material\n  language: zh\n"
        "plugins:\n  - search:\n      lang: zh\n", encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}

    def build(n: str) -> dict:
        done = subprocess.run([sys.executable, "-c", SITE_BUILD, str(tmp_path), n], env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])

    first, second = build("1"), build("2")
    assert (first["loaded"], second["loaded"]) == (True, False)
    assert second["index"] == first["index"]
    texts = " ".join(doc["text"] for doc in json.loads(first["index"])["docs"])
    assert "项目经理\u200b每天\u200b至少\u200b巡查\u200b一次" in texts      # jieba's words, as Material joins them
    cache = temp / f"_handbook-cache-{os.getuid()}" / segments.FILE_NAME
    cache.write_text("{damaged", encoding="utf-8")
    third = build("3")
    assert third["loaded"] is True and third["index"] == first["index"]
    assert "发现的红线问题当天整改" in json.loads(cache.read_text(encoding="utf-8"))["entries"]
