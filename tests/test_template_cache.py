"""Compiled templates are kept between builds (Jinja's bytecode cache): our environment uses it (the theme's:
tests/test_site_build.py), a template compiled once is loaded from it by the next process, an edited one is
compiled again, and a cache that cannot be written never fails a build."""

from __future__ import annotations

import jinja2

from generator.templating import _QuietBytecodeCache, bytecode_cache, environment


def env_with(cache, templates: dict[str, str]) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader(templates), bytecode_cache=cache)


def test_our_environment_keeps_its_compiled_templates():
    assert isinstance(bytecode_cache(), jinja2.FileSystemBytecodeCache)
    assert environment().bytecode_cache is bytecode_cache()


def test_a_template_compiled_once_is_loaded_by_the_next_environment(tmp_path, monkeypatch):
    compiled = []
    real = jinja2.Environment.compile

    def counting(self, source, *args, **kwargs):
        compiled.append(source)
        return real(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    templates = {"t.md.j2": "第 {{ n }} 周"}
    assert env_with(_QuietBytecodeCache(str(tmp_path)), templates).get_template("t.md.j2").render(n=3) == "第 3 周"
    assert compiled == ["第 {{ n }} 周"] and len(list(tmp_path.iterdir())) == 1
    # another environment (as in the next build or process) loads it from the cache
    assert env_with(_QuietBytecodeCache(str(tmp_path)), templates).get_template("t.md.j2").render(n=4) == "第 4 周"
    assert compiled == ["第 {{ n }} 周"]
    # an edited template is compiled again: each entry is checked against its template's source
    edited = env_with(_QuietBytecodeCache(str(tmp_path)), {"t.md.j2": "第 {{ n }} 周（已改）"})
    assert edited.get_template("t.md.j2").render(n=5) == "第 5 周（已改）"
    assert compiled == ["第 {{ n }} 周", "第 {{ n }} 周（已改）"]


def test_a_cache_that_cannot_be_written_only_means_compiling(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")      # writing an entry into it raises NotADirectoryError
    env = env_with(_QuietBytecodeCache(str(not_a_folder)), {"t.md.j2": "{{ a }}+{{ b }}"})
    assert env.get_template("t.md.j2").render(a=1, b=2) == "1+2"
