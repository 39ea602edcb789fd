"""Property: whatever the YAML, the loader returns diagnostics and never raises."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.instruments import INSTRUMENTS
from generator.standards import load_standards

from conftest import standards_texts

pytestmark = pytest.mark.slow   # property-based runs of the loader over thousands of documents

BASE = standards_texts()
DATA = {name: yaml.safe_load(text) for name, text in BASE.items()}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True), st.text(max_size=20), st.just("4.2.1.1-a"))


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


PATHS = {name: [p for p in paths(data) if p] for name, data in DATA.items()}


def mutate(data, path, action, value):
    import copy
    data = copy.deepcopy(data)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "delete":
        del parent[key]
    else:
        parent[key] = value
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(DATA)), st.data(), st.sampled_from(["delete", "replace"]), scalars)
def test_mutated_documents_only_yield_diagnostics(name, data, action, value):
    path = data.draw(st.sampled_from(PATHS[name]))
    texts = dict(BASE)
    texts[name] = yaml.safe_dump(mutate(DATA[name], path, action, value), allow_unicode=True)
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert result.standards is not None or result.errors
    for d in result.diagnostics:
        assert d.file in BASE and d.line >= 1 and d.message


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(BASE)), st.floats(0, 1), st.text(max_size=30))
def test_truncated_or_garbled_text_only_yields_diagnostics(name, cut, junk):
    text = BASE[name]
    texts = dict(BASE)
    texts[name] = text[: int(len(text) * cut)] + junk
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert result.standards is not None or result.errors
    assert all(str(d) for d in result.diagnostics)


@settings(max_examples=60, deadline=None)
@given(st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)), max_leaves=20))
def test_arbitrary_yaml_documents_only_yield_diagnostics(doc):
    texts = dict(BASE)
    texts["checklists.yaml"] = yaml.safe_dump(doc, allow_unicode=True)
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert result.errors


def test_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi"))
    texts = dict(BASE)
    texts["checklists.yaml"] = bomb
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert [d.message_id for d in result.errors] == ["yaml_too_deep"]
