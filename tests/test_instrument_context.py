"""The `Context` every instrument method that makes something of the standards gets (`generator/context.py`):
the forms stage's (the standards and every instrument) and the build's (the standards that build loaded, the
store, the lock, the day, the quarter), and `instruments` a required keyword of the library's entry points."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator.context import Context, printed_sources, standards_context
from generator.forms.form_spec import build_forms
from generator.instruments import INSTRUMENTS, Instrument, site_generators
from generator.results.publish import overview_figures
from generator.results.weekly import Figure
from generator.site.site_build import SiteContext
from generator.standards import load_standards, require_standards

from conftest import ROOT, edited

DAY = dt.date(2026, 11, 22)


class Recorder(Instrument):
    """An instrument that keeps every context it is handed (and adds nothing to forms or pages)."""

    id = "recorder"
    title = "记录"
    printed_sources = ("messages.py",)

    def __init__(self):
        self.seen: list[tuple[str, Context]] = []

    def checklist_items(self, context, checklist):
        self.seen.append((f"items:{checklist.id}", context))
        return [], {}

    def page_generators(self, context):
        self.seen.append(("pages", context))
        return [lambda ctx: ctx.write("results/recorder.md", f"# {context.standards.organisation.name}\n")]

    def method_pages(self, context, links):
        self.seen.append(("methods", context))
        return {}

    def overview_figures(self, context, this_week, last_week):
        self.seen.append(("figures", context))
        return [Figure("记录", 1.0, None, "%", "results/recorder.md")]


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def test_the_forms_stage_hands_each_checklist_the_standards_and_every_instrument(standards):
    recorder = Recorder()
    instruments = [*INSTRUMENTS, recorder]
    with_it = build_forms(standards, instruments)
    assert {k: v.to_json() for k, v in with_it.items()} == \
        {k: v.to_json() for k, v in build_forms(standards, INSTRUMENTS).items()}   # it adds no item
    assert [what for what, _ in recorder.seen] == [f"items:{c}" for c in standards.checklists]
    for _, context in recorder.seen:
        assert context.standards is standards and context.instruments == tuple(instruments)
        assert (context.store_path, context.lock_path, context.today, context.quarter) == (None, None, None, None)


def test_a_build_asks_the_instruments_with_the_standards_it_loaded_each_time(standards, tmp_path):
    recorder = Recorder()
    lock = tmp_path / "none.lock.yaml"
    generators = site_generators(tmp_path / "no-store.sqlite", instruments=[recorder], quarter="2026Q4",
                                 lock_path=lock, today=DAY)
    assert recorder.seen == []          # nothing is asked before a build has its standards
    first = SiteContext(standards, tmp_path / "first")
    for generate in generators:
        generate(first)
    (_, pages), (_, methods) = recorder.seen
    assert pages == Context(standards, (recorder,), store_path=tmp_path / "no-store.sqlite", lock_path=lock,
                            today=DAY, quarter="2026Q4")
    assert (methods.standards, methods.instruments, methods.lock_path) == (standards, (recorder,), lock)
    assert (tmp_path / "first" / "results" / "recorder.md").read_text(encoding="utf-8") == \
        "# 嘉宝物业住宅管理分公司（演示）\n"
    # a served site builds again with the standards as edited since: the same generators see the new ones
    again = load_standards(texts=edited("organisation.yaml", "name: 嘉宝物业住宅管理分公司（演示）",
                                        "name: 梧桐物业（改名）"), instruments=INSTRUMENTS).standards
    for generate in generators:
        generate(SiteContext(again, tmp_path / "second"))
    assert recorder.seen[2][1].standards is again
    assert (tmp_path / "second" / "results" / "recorder.md").read_text(encoding="utf-8") == "# 梧桐物业（改名）\n"


def test_the_overview_figures_get_the_context_of_the_build(standards, tmp_path):
    recorder = Recorder()
    weeks = SimpleNamespace(this_week="this week", last_week="last week")
    context = Context(standards, (*INSTRUMENTS, recorder), store_path=tmp_path / "store.sqlite")
    assert [f.label for f in overview_figures(context, weeks)] == ["记录"]   # the house's: no store file yet
    assert recorder.seen == [("figures", context)]
    # outside a build there is no store: the house instruments give no figures rather than fail
    assert overview_figures(standards_context(standards, INSTRUMENTS), weeks) == []


def test_the_context_is_frozen_and_gathers_the_printed_sources_once_in_order(standards):
    recorder = Recorder()
    context = standards_context(standards, [*INSTRUMENTS, recorder])
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.today = DAY   # an instrument cannot change what the next one gets
    sources = context.printed_sources
    assert sources == printed_sources([*INSTRUMENTS, recorder]) and sources[-1] == "messages.py"
    assert len(set(sources)) == len(sources)                     # templates/methods is two instruments'
    assert sources.index("templates/methods") < sources.index("instruments/questioning/grid.py")
    assert context.printed_sources is sources                    # computed once


def test_a_call_that_leaves_the_instruments_out_fails_at_once(tmp_path):
    with pytest.raises(TypeError, match="instruments"):
        require_standards(ROOT / "standards")
    with pytest.raises(TypeError, match="instruments"):
        site_generators(Path(tmp_path / "store.sqlite"))
