"""The package's shape: stages never import an instrument, no import cycles, no private names across modules,
imports inside functions only in the CLI and the instruments' classes (start-up time) or for a heavy optional
library."""

from __future__ import annotations

import ast
from pathlib import Path

from generator.context import printed_sources
from generator.instruments import INSTRUMENTS, Instrument
from generator.printing.fonts import PRINTED_SOURCES, package_characters

from conftest import ROOT

PACKAGE = ROOT / "generator"
STAGES = ("generator.forms", "generator.ingest", "generator.results", "generator.site", "generator.printing")
# modules only loaded when used: Google's client libraries (forms.push -> forms.google loads googleapiclient)
HEAVY = {("generator.forms.push", "generator.forms.google"),
         # requests and the form builder, only to pull a 腾讯问卷 survey (an ingest of files or sheets never does)
         ("generator.ingest.run", "generator.ingest.platforms.tencent"),
         # the draw loads the PDF printer: only the simulator draws, the ingest of the grid's columns never does
         ("generator.instruments.questioning.grid", "generator.instruments.questioning.draw")}


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = modules()


def imports():
    """(importer, imported module, imported name or None, inside which function or None) for generator modules."""
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner: dict[int, str] = {}
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    owner.setdefault(id(node), fn.name)
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    if full in MODULES:
                        yield name, full, None, owner.get(id(node))
                    elif target in MODULES:
                        yield name, target, alias.name, owner.get(id(node))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in MODULES:
                        yield name, alias.name, None, owner.get(id(node))


EDGES = list(imports())


def test_stages_never_import_an_instrument():
    assert [(a, b) for a, b, _, _ in EDGES if a.startswith(STAGES) and b.startswith("generator.instruments")] == []


def test_the_patrol_checklists_own_their_mapping_identity_and_row_ingest():
    """The checklists' mapping, identity rule and streamed row ingest are the patrol instrument's modules; the
    ingest stage reaches them only through the instrument (`ingest_stream`), with no checklist of its own."""
    for module in ("mapping", "identity", "ingest"):
        assert f"generator.instruments.patrol.{module}" in MODULES
    assert "generator.ingest.mapping" not in MODULES and "generator.ingest.identity" not in MODULES
    run = ast.parse((PACKAGE / "ingest" / "run.py").read_text(encoding="utf-8"))
    body = next(node for node in run.body if isinstance(node, ast.FunctionDef) and node.name == "_run_ingest")
    assert [n.lineno for n in ast.walk(body) if isinstance(n, ast.Attribute) and n.attr == "checklists"] == []


# The layers, lowest first: a module imports only from its own layer or a lower one. The store sits below every
# part that reads or writes it (ingest, results, notify, the CLI, the instruments) and imports none of them.
LAYERS = (
    ("generator.store",),
    ("generator.forms", "generator.ingest", "generator.results", "generator.site", "generator.printing",
     "generator.notify", "generator.instruments", "generator.demo", "generator.cli"),
)


def layer(module: str) -> int | None:
    return next((n for n, prefixes in enumerate(LAYERS)
                 if any(module == p or module.startswith(p + ".") for p in prefixes)), None)


def test_the_store_imports_no_layer_above_it():
    upward = [(a, b) for a, b, _, _ in EDGES
              if layer(a) is not None and layer(b) is not None and layer(b) > layer(a)]
    assert upward == []
    # what the store may import: its own modules and the shared pieces
    assert {b for a, b, _, _ in EDGES if layer(a) == 0 and layer(b) is None} <= {
        "generator.errors", "generator.messages", "generator.inspection", "generator.rulebook"}


def test_no_private_names_across_modules():
    assert [(a, b, n) for a, b, n, _ in EDGES if n and n.startswith("_") and not n.startswith("__") and a != b] == []


def instrument_class(module: str) -> bool:
    """The instruments' list (`generator.instruments`), an instrument's class (`generator.instruments.<id>`)
    or their base class (`generator.instruments.base`): every command loads them (`handbook check` for the
    standards checks), so they load an instrument's work (forms, pages, simulator, commands, the ingest
    shell of a default method) where a method uses it: start-up time, as in the CLI."""
    parts = module.split(".")
    if parts[:2] != ["generator", "instruments"]:
        return False
    return len(parts) == 2 or module == "generator.instruments.base" or (
        len(parts) == 3 and MODULES[module].name == "__init__.py")


def test_imports_inside_functions_only_in_the_cli_or_for_heavy_libraries():
    allowed = [(a, b) for a, b, _, fn in EDGES if fn and (
        a.startswith("generator.cli") or a.endswith(".commands") or fn == "register_commands" or (a, b) in HEAVY
        or instrument_class(a))]
    lazy = [(a, b, fn) for a, b, _, fn in EDGES if fn and (a, b) not in allowed]
    assert lazy == []


def test_no_import_cycles():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for a, b, _, _ in EDGES:
        if a != b:
            graph[a].add(b)
    # Tarjan's strongly connected components, iteratively
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert cycles == []


def test_each_instrument_is_listed_once_with_an_id_and_its_printed_sources_in_the_font_subset():
    ids = [i.id for i in INSTRUMENTS]
    titles = {i.id: i.title for i in INSTRUMENTS}
    assert len(set(ids)) == len(ids) and len(set(titles.values())) == len(ids)
    # the house instruments, in their order (a new one may come anywhere)
    house = {"patrol": "巡查检查表", "questionnaire": "客户满意度问卷", "exam": "季度综合考试",
             "questioning": "随机抽问", "fixreport": "整改反馈"}
    assert [i for i in ids if i in house] == list(house)
    assert {i: titles[i] for i in house} == house
    assert all(i.isidentifier() and i.islower() for i in ids), ids
    # the printing stage lists its own printed sources; each instrument owns its own (`printed_sources`)
    assert [s for s in PRINTED_SOURCES if s.startswith("instruments/")] == []
    assert [(i.id, s) for i in INSTRUMENTS for s in (*PRINTED_SOURCES, *i.printed_sources)
            if not (PACKAGE / s).exists()] == []


class PrintsMessages(Instrument):
    """An instrument whose printables would carry the message catalogue's texts (no house one prints them)."""

    id = "prints-messages"
    printed_sources = ("messages.py",)


def test_the_font_subset_covers_what_the_instruments_handed_down_print():
    house = package_characters(printed_sources(INSTRUMENTS))
    for instrument in INSTRUMENTS:
        assert package_characters(instrument.printed_sources) <= house, instrument.id
    # a new instrument's printed texts join the subset by its `printed_sources` alone: no list in printing/
    catalogue = set((PACKAGE / "messages.py").read_text(encoding="utf-8"))
    assert catalogue - house                                   # messages are not printed by the house instruments
    with_it = package_characters(printed_sources([*INSTRUMENTS, PrintsMessages()]))
    assert catalogue <= with_it and house <= with_it


PROBE = """
import sys
from click.testing import CliRunner
from generator.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
print(result.exit_code)
print(" ".join(sorted(m for m in sys.modules if m.startswith("generator") or m.split(".")[0] in HEAVY_LIBRARIES)))
"""
HEAVY_LIBRARIES = ("jinja2", "openpyxl", "weasyprint", "gspread", "googleapiclient", "mkdocs", "sqlite3", "fontTools",
                   "requests")
CLI = {"generator", "generator.cli", "generator.cli.backup", "generator.cli.click_zh", "generator.cli.forms",
       "generator.cli.ingest",
       "generator.cli.notify", "generator.cli.options", "generator.cli.platforms", "generator.cli.results",
       "generator.cli.site",
       "generator.cli.sources", "generator.errors", "generator.messages"}


def imported_at_the_top(instrument_id: str) -> set[str]:
    """The modules of its own folder an instrument's class module imports at its top (its standards checks, a leaf
    module of the constants it shares with its work): every command loads them with the class."""
    tree = ast.parse((PACKAGE / "instruments" / instrument_id / "__init__.py").read_text(encoding="utf-8"))
    return {f"generator.instruments.{instrument_id}.{node.module}" for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}


CLASSES = {"generator.instruments", "generator.instruments.base",
           *(f"generator.instruments.{i.id}" for i in INSTRUMENTS),
           *(m for i in INSTRUMENTS for m in imported_at_the_top(i.id))}


def loaded_by(*args: str) -> set[str]:
    import subprocess
    import sys

    probe = PROBE.replace("HEAVY_LIBRARIES", repr(HEAVY_LIBRARIES))
    out = subprocess.run([sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    code, modules = out.stdout.splitlines()
    assert code == "0", out.stdout
    return set(modules.split())


def test_check_and_help_load_only_the_cli_the_standards_and_the_instruments_classes():
    """Start-up: `handbook check` loads the instruments for their standards checks, `--help` for their command
    names; neither loads a stage, an instrument's work (forms, pages, simulator) or a heavy library
    (was: 0.97 s against 0.47 s before the instruments, every stage and Jinja loaded)."""
    standards = {"generator.diagnostics", "generator.model", "generator.standards", "generator.yamlsource"}
    # each instrument's settings model: the standards are validated with it, so `check` loads it, `--help` not
    settings = {f"generator.instruments.{i.id}.settings" for i in INSTRUMENTS if i.settings_key}
    assert "generator.instruments.exam.settings" in settings
    assert loaded_by("check") == CLI | CLASSES | standards | settings
    commands = {f"generator.instruments.{i.id}.commands" for i in INSTRUMENTS}
    assert loaded_by("--help") == CLI | CLASSES | commands


def test_an_ingest_of_a_file_loads_neither_the_printer_nor_jinja_nor_the_http_client(tmp_path):
    """Start-up of the weekly `handbook ingest --file`: a spot-check export (its rows carry the questioning
    grid) is read without the PDF printer, Jinja, the form builder's templates or requests, which only a
    腾讯问卷 pull, a build or the simulator use (was: all loaded, about a third of the run's start-up)."""
    loaded = loaded_by("ingest", "--file", "forms/examples/crd-spot-check.csv", "--checklist", "crd-spot-check",
                       "--db", str(tmp_path / "store.sqlite"), "--dry-run")
    assert {"generator.ingest.run", "generator.instruments.questioning.grid", "sqlite3"} <= loaded
    heavy = {"jinja2", "requests", "weasyprint", "generator.templating", "generator.printing",
             "generator.printing.pdf", "generator.ingest.platforms.tencent", "generator.instruments.questioning.draw",
             "generator.results", "generator.site"}
    assert loaded & heavy == set()


def test_the_simulators_locales_are_the_export_formats():
    from generator.cli.options import LOCALES
    from generator.instruments.patrol.simulate import TIMESTAMP_TITLES

    assert sorted(LOCALES) == sorted(TIMESTAMP_TITLES) == ["en-US", "forms", "zh-CN", "zh-TW"]
