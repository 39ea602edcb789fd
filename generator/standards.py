"""Load and validate the standards: YAML text in, frozen model and diagnostics out.

`load_standards` never raises on bad input: every problem becomes a
`Diagnostic` naming `file:line`, and all of them are reported at once.
The instruments given validate their own sections of methods.yaml with their own models
(`Instrument.settings_key`, `settings_model`) and cross-check them (`Instrument.check_standards`,
handed a `FileChecks`); the CLI and `handbook demo` give every instrument.
"""

from __future__ import annotations

import difflib
import re
import typing
import zoneinfo
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from pydantic import BaseModel, ValidationError

from . import model as m
from .diagnostics import Diagnostic
from .errors import HandbookError, StandardsInvalid
from .messages import Msg
from .yamlsource import Parsed, parse_yaml

DEFAULT_DIR = Path("standards")


# ---------------------------------------------------------------- the loaded model

@dataclass(frozen=True)
class Section:
    """A content section of 4.2 (e.g. 4.2.1 服务场景) with the items under it."""

    clause: m.Clause
    items: tuple[m.Item, ...]

    @property
    def number(self) -> str:
        return self.clause.number

    @property
    def title(self) -> str:
        return self.clause.title or self.clause.number


@dataclass(frozen=True)
class Standards:
    """The whole standards: procedure, organisation and checklists, cross-checked."""

    procedure: m.ProcedureFile
    organisation: m.OrganisationFile
    checklists_file: m.ChecklistsFile
    methods_file: m.MethodsFile = field(default_factory=m.MethodsFile)
    source: str = "standards"
    # the rules of earlier standards versions, by date (`rulebook.with_history`); None: score with these
    rulebook: object | None = field(default=None, compare=False, repr=False)

    @property
    def document(self) -> m.Document:
        return self.procedure.document

    @cached_property
    def clauses(self) -> dict[str, m.Clause]:
        """Every clause by number, in document order."""
        return {c.number: c for c, _ in iter_clauses(self.procedure.clauses)}

    @cached_property
    def items(self) -> dict[str, m.Item]:
        """Every item by code, in document order."""
        return {i.code: i for c, _ in iter_clauses(self.procedure.clauses) for i in c.items}

    @cached_property
    def item_clause(self) -> dict[str, m.Clause]:
        """The clause each item is written under."""
        return {i.code: c for c, _ in iter_clauses(self.procedure.clauses) for i in c.items}

    @cached_property
    def methods(self) -> dict[str, m.Method]:
        return {c.method.id: c.method for c, _ in iter_clauses(self.procedure.clauses) if c.method}

    @cached_property
    def method_clause(self) -> dict[str, str]:
        """The clause number that defines each method."""
        return {c.method.id: c.number for c, _ in iter_clauses(self.procedure.clauses) if c.method}

    @cached_property
    def roles(self) -> dict[str, m.Role]:
        return {r.id: r for r in self.organisation.roles}

    @cached_property
    def projects(self) -> dict[str, m.Project]:
        return {p.id: p for p in self.organisation.projects}

    def project_choices(self) -> str:
        """Every project as `id（name）`, for hints: wutong（梧桐苑）、lanting（兰亭苑）…"""
        return "、".join(f"{p.id}（{p.name}）" for p in self.organisation.projects)

    def find_project(self, text: str) -> str:
        """The id of the project named by its id or its Chinese name (`wutong` or `梧桐苑`);
        HandbookError listing every project otherwise."""
        text = text.strip()
        for p in self.organisation.projects:
            if text in (p.id, p.name):
                return p.id
        raise HandbookError(Msg.UNKNOWN_PROJECTS, unknown=text, known=self.project_choices())

    @cached_property
    def documents(self) -> dict[str, m.DocumentRef]:
        return {d.id: d for d in self.procedure.documents}

    @cached_property
    def checklists(self) -> dict[str, m.Checklist]:
        return {c.id: c for c in self.checklists_file.checklists}

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        """The content sections (4.2.1 …): children of the deepest clause holding every item."""
        holders = [path for clause, path in iter_clauses(self.procedure.clauses) if clause.items]
        if not holders:
            return ()
        common = holders[0]
        for path in holders[1:]:
            n = 0
            while n < min(len(common), len(path)) and common[n] == path[n]:
                n += 1
            common = common[:n]
        # `common` ends at a clause index or at "children"; step back to a clause path
        while common and common[-1] == "children":
            common = common[:-1]
        parent = _clause_at(self.procedure.clauses, common)
        if parent is None or parent.items:
            return tuple(Section(c, tuple(child_items(c))) for c in
                         ([parent] if parent else self.procedure.clauses) if child_items(c))
        return tuple(Section(c, tuple(child_items(c))) for c in parent.children)

    def section_of(self, code: str) -> Section | None:
        """The content section an item belongs to."""
        return self._section_by_code.get(code)

    @cached_property
    def _section_by_code(self) -> dict[str, Section]:
        # scoring asks for every finding of every inspection: a lookup, not a scan
        out: dict[str, Section] = {}
        for section in self.sections:
            for item in section.items:
                out.setdefault(item.code, section)
        return out

    def checklist_items(self, checklist_id: str) -> tuple[m.Item, ...]:
        """The items a checklist covers, in document order."""
        return select_items(self, self.checklists[checklist_id])

    def grade(self, percent: float) -> str:
        """The grade name for a score in 0–100 (bands: min inclusive, top band includes 100)."""
        bands = sorted(self.organisation.grades, key=lambda g: g.min)
        for band in reversed(bands):
            if percent >= band.min:
                return band.name
        return bands[0].name

    @property
    def lowest_grade(self) -> str:
        return min(self.organisation.grades, key=lambda g: g.min).name


def iter_clauses(clauses, path=("clauses",)) -> Iterator[tuple[m.Clause, tuple]]:
    """Every clause depth-first in document order, with its key path."""
    for i, clause in enumerate(clauses):
        here = path + (i,)
        yield clause, here
        yield from iter_clauses(clause.children, here + ("children",))


def _clause_at(clauses, path: tuple) -> m.Clause | None:
    """The clause at a key path such as ("clauses", 3, "children", 1)."""
    node = None
    for part in path[1:]:
        if isinstance(part, int):
            node = clauses[part]
        elif part == "children" and node is not None:
            clauses = node.children
    return node


def child_items(clause: m.Clause) -> list[m.Item]:
    """The items of a clause and of all its sub-clauses."""
    out = list(clause.items)
    for child in clause.children:
        out.extend(child_items(child))
    return out


def select_items(standards: Standards, checklist: m.Checklist) -> tuple[m.Item, ...]:
    """Resolve a checklist's include/exclude/methods into items, in document order."""

    def expand(ref: str) -> set[str]:
        if ref in standards.items:
            return {ref}
        clause = standards.clauses.get(ref)
        return {i.code for i in child_items(clause)} if clause else set()

    chosen: set[str] = set()
    for ref in checklist.include:
        chosen |= expand(ref)
    for ref in checklist.exclude:
        chosen -= expand(ref)
    if checklist.methods is not None:
        wanted = set(checklist.methods)
        chosen = {c for c in chosen if wanted & set(standards.items[c].methods)}
    return tuple(i for c, i in standards.items.items() if c in chosen)


# ---------------------------------------------------------------- loading

@dataclass
class LoadResult:
    """What `load_standards` returns: the model (None when there are errors) and every problem."""

    standards: Standards | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)


def load_standards(path: Path | str | None = None, *, texts: Mapping[str, str] | None = None,
                   instruments: Sequence) -> LoadResult:
    """Load the standards from a folder, or from `texts` ({file name: YAML text}) for tests.

    `instruments` (`generator.instruments.INSTRUMENTS`) add their cross-checks of methods.yaml."""
    diagnostics: list[Diagnostic] = []
    folder = Path(path) if path is not None else DEFAULT_DIR
    if texts is None:
        texts, label = _read_folder(folder, diagnostics), str(folder)
    else:
        label = str(path) if path is not None else ""
    parsed: dict[str, Parsed] = {}
    models: dict[str, BaseModel] = {}
    for name, model_cls in m.FILES.items():
        file = f"{label}/{name}" if label else name
        if name not in texts and name in m.OPTIONAL_FILES:
            models[name], parsed[name] = model_cls(), Parsed(file=file)
            continue
        if name not in texts:
            if not any(d.file == file for d in diagnostics):
                diagnostics.append(Diagnostic.make(file, 1, "file_missing", name=name,
                                                   folder=label or "标准目录"))
            continue
        result, problems = parse_yaml(texts[name], file)
        diagnostics.extend(problems)
        parsed[name] = result
        if problems and result.data is None:
            continue
        if not isinstance(result.data, dict):
            diagnostics.append(Diagnostic.make(file, result.line_of(()), "yaml_not_mapping"))
            continue
        # the instruments' sections of methods.yaml are validated by their own models, the rest by the file's
        sections = settings_models(instruments) if name == METHODS_FILE else {}
        owned = {key: cls for key, cls in sections.items() if key in result.data}
        data = {key: value for key, value in result.data.items() if key not in owned}
        valid = _validate(model_cls, data, result, (), diagnostics)
        settings = {key: _validate(cls, result.data[key], result, (key,), diagnostics)
                    if result.data[key] is not None else None for key, cls in owned.items()}
        if valid is not None and all(v is not None or result.data[k] is None for k, v in settings.items()):
            models[name] = valid.model_copy(update=settings) if settings else valid
    for name in sorted(set(texts) - set(m.FILES)):
        diagnostics.append(Diagnostic.make(f"{label}/{name}" if label else name, 1, "file_unknown",
                                           severity="warning", name=name, known="、".join(m.FILES)))
    if len(models) < len(m.FILES):
        return LoadResult(None, _sorted(diagnostics))
    standards = Standards(models["procedure.yaml"], models["organisation.yaml"],
                          models["checklists.yaml"], models["methods.yaml"], source=label)
    diagnostics.extend(check_meaning(standards, parsed, instruments))
    ok = not any(d.severity == "error" for d in diagnostics)
    return LoadResult(standards if ok else None, _sorted(diagnostics))


METHODS_FILE = "methods.yaml"   # the file whose top-level sections the instruments own (`Instrument.settings_key`)


def settings_models(instruments: Sequence) -> dict[str, type[BaseModel]]:
    """Each given instrument's methods.yaml key and the model of its section."""
    out: dict[str, type[BaseModel]] = {}
    for instrument in instruments:
        key = getattr(instrument, "settings_key", None)
        model_cls = instrument.settings_model() if key else None
        if key and model_cls is not None:
            out.setdefault(key, model_cls)
    return out


def _validate(model_cls: type[BaseModel], data, parsed: Parsed, at: tuple, diagnostics: list[Diagnostic]):
    """`data` (found at key path `at` in `parsed`) as a `model_cls`, or None with its problems added."""
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(_schema_diagnostics(exc, model_cls, parsed, at))
    except (RecursionError, ValueError, TypeError) as exc:  # defensive: never a traceback
        key = at[-1] if at else Path(parsed.file).name
        diagnostics.append(Diagnostic.make(parsed.file, 1, "invalid", key=key, reason=type(exc).__name__))
    return None


def require_standards(path: Path | str | None = None, *, strict: bool = False,
                      instruments: Sequence) -> Standards:
    """Load the standards (cross-checked by `instruments` too) or raise `StandardsInvalid` with every
    diagnostic."""
    result = load_standards(path, instruments=instruments)
    if not result.ok(strict) or result.standards is None:
        raise StandardsInvalid(result.diagnostics)
    return result.standards


def _read_folder(folder: Path, diagnostics: list[Diagnostic]) -> dict[str, str]:
    texts: dict[str, str] = {}
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    except OSError as exc:
        diagnostics.append(Diagnostic.make(str(folder), 1, "file_unreadable",
                                           reason=exc.strerror or type(exc).__name__))
        return texts
    for name in names:
        try:
            texts[name] = (folder / name).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            diagnostics.append(Diagnostic.make(f"{folder}/{name}", 1, "file_unreadable",
                                               reason=getattr(exc, "strerror", None) or type(exc).__name__))
    return texts


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.file, d.line, d.column or 0))


# ---------------------------------------------------------------- schema errors

_TYPE_NAMES = {"string": "文本", "int": "整数", "float": "数字", "bool": "true 或 false",
               "list": "列表", "dict": "映射（key: value）", "model": "映射（key: value）",
               "date": "日期（YYYY-MM-DD）", "tuple": "列表"}


_UNION_TAGS = {"str", "int", "float", "bool", "list", "dict", "date"}


def _actual_type(value) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, (int, float)):
        return f"数字 {value!r}"
    if isinstance(value, str):
        return f"文本“{value[:30]}”"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "映射"
    return type(value).__name__


def _fields_at(root: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the model found at `loc` inside `root` (for did-you-mean)."""
    current: object = root
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = _inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def suggest(value: str, choices, what: str = "", names: Mapping[str, str] | None = None) -> str:
    """A did-you-mean hint for `value` among `choices`; with `names` (id -> Chinese name) the
    choices are shown as `id（name）` and a name written where the id belongs gets its id."""
    choices = [str(c) for c in choices]
    if names:
        choices = [c for c in names if c in choices] + [c for c in choices if c not in names]
        by_name = {name: cid for cid, name in names.items()}
        if str(value).strip() in by_name:
            cid = by_name[str(value).strip()]
            return f"这里要写{what}代号：{cid}（{value}）"
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
    if close:
        return f"是否应为“{close[0]}”？"
    if choices:
        labels = [f"{c}（{names[c]}）" if names and c in names else c for c in choices]
        shown = "、".join(labels[:12]) + ("……" if len(labels) > 12 else "")
        return f"可用的{what}有：{shown}"
    return f"没有可用的{what}"


def _schema_diagnostics(exc: ValidationError, root: type[BaseModel], parsed: Parsed,
                        at: tuple = ()) -> list[Diagnostic]:
    """Each error of validating the data at key path `at` of `parsed` as a `root`, at its line."""
    out = []
    for err in exc.errors(include_url=False):
        loc = at + tuple(err["loc"])
        kind = err["type"]
        key = next((p for p in reversed(loc) if isinstance(p, str) and "[" not in p
                    and p not in _UNION_TAGS), "")
        ctx = err.get("ctx") or {}
        value = err.get("input")
        line = parsed.line_of(loc)
        make = lambda mid, **kw: Diagnostic.make(parsed.file, line, mid, **kw)  # noqa: E731
        if kind == "extra_forbidden":
            fields = _fields_at(root, loc[len(at):-1])
            out.append(make("unknown_key", key=key, suggestion=suggest(key, fields, "字段")))
        elif kind == "missing":
            line = parsed.line_of(loc[:-1])
            out.append(make("missing_key", key=key))
        elif kind.endswith("_type") or kind.endswith("_parsing") or kind == "model_attributes_type":
            base = kind.split("_")[0]
            expected = _TYPE_NAMES.get(base, base)
            hint = ""
            if base == "string" and isinstance(value, (int, float)):
                hint = f"编号等数字样式的文本请加引号，例如 \"{value}\""
            elif base == "date":
                hint = "日期写作 YYYY-MM-DD，例如 2026-11-27"
            elif base in ("list", "tuple"):
                hint = "列表写作 [a, b] 或每行以“- ”开头"
            else:
                hint = f"改为{expected}"
            out.append(make("wrong_type", key=key, expected=expected, actual=_actual_type(value),
                            type_hint=hint))
        elif kind == "literal_error":
            out.append(make("bad_choice", key=key, value=value, choices=ctx.get("expected", "")))
        elif kind == "greater_than":
            out.append(make("too_small", key=key, limit=_num(ctx.get("gt")), value=value))
        elif kind == "greater_than_equal":
            out.append(make("too_small_eq", key=key, limit=_num(ctx.get("ge")), value=value))
        elif kind in ("less_than_equal", "less_than"):
            out.append(make("too_large", key=key, limit=_num(ctx.get("le", ctx.get("lt"))), value=value))
        elif kind == "too_short":
            out.append(make("empty_list", key=key))
        elif kind == "string_pattern_mismatch" and key.endswith("_env"):
            # the value may be the secret itself (a webhook key pasted here): never shown
            out.append(make("env_name_expected", key=key))
        elif kind == "string_pattern_mismatch":
            hint = ("条目代码或条款编号形如 4.2.1.1 或 4.2.1.1-a" if key in ("code", "number")
                    else "只用小写英文字母、数字、- 和 _，并以字母开头")
            out.append(make("bad_format", key=key, value=value, format_hint=hint))
        elif kind == "string_too_long":
            out.append(make("invalid", key=key, reason=f"不能超过 {ctx.get('max_length')} 个字"))
        else:
            out.append(make("invalid", key=key, reason=err.get("msg", kind)))
    return out


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


# ---------------------------------------------------------------- meaning checks

@dataclass
class FileChecks:
    """What a cross-check of one standards file reports with: each problem a `Diagnostic` at the line of its
    key path in the file (e.g. ("exam", "questions", 3, "answer")). Instruments get one for methods.yaml."""

    parsed: Parsed
    out: list[Diagnostic]

    def add(self, path, message_id: str, severity: str = "error", **fields) -> None:
        """Report the catalogue message `message_id` at `path`."""
        p = self.parsed
        self.out.append(Diagnostic.make(p.file, p.line_of(path), message_id, severity=severity, **fields))

    def unique(self, entries, what: str) -> None:
        """Report each value of `entries` ((path, value) pairs) met before, naming the line it was first at."""
        seen: dict[str, int] = {}
        for path, value in entries:
            line = self.parsed.line_of(path)
            if value in seen:
                self.add(path, "duplicate", what=what, value=value, first=seen[value])
            else:
                seen[value] = line

    def ref(self, path, value, known, what: str, names: Mapping[str, str] | None = None) -> None:
        """Report `value` at `path` when it is not one of `known` (with a did-you-mean; `names`: id -> name)."""
        if value not in known:
            self.add(path, "unknown_ref", what=what, value=value, suggestion=suggest(value, known, what, names))


def check_meaning(s: Standards, parsed: Mapping[str, Parsed], instruments: Sequence) -> list[Diagnostic]:
    """Cross-checks the schema cannot express: uniqueness, references, bands, selections; then each
    instrument's of methods.yaml (`Instrument.check_standards`)."""
    out: list[Diagnostic] = []
    proc, org, chk = parsed["procedure.yaml"], parsed["organisation.yaml"], parsed["checklists.yaml"]

    def add(p: Parsed, path, message_id, severity="error", **fields):
        FileChecks(p, out).add(path, message_id, severity, **fields)

    def unique(p: Parsed, entries, what):
        FileChecks(p, out).unique(entries, what)

    # roles and projects are written by id; hints show each id with its Chinese name
    id_names = {"角色": {r.id: r.name for r in s.organisation.roles},
                "项目": {p.id: p.name for p in s.organisation.projects}}

    def ref(p: Parsed, path, value, known, what):
        FileChecks(p, out).ref(path, value, known, what, id_names.get(what))

    clause_paths = list(iter_clauses(s.procedure.clauses))
    item_entries = [(path + ("items", k, "code"), item.code)
                    for clause, path in clause_paths for k, item in enumerate(clause.items)]
    unique(proc, [(path + ("number",), c.number) for c, path in clause_paths], "条款编号")
    unique(proc, item_entries, "条目代码")
    unique(proc, [(path + ("method", "id"), c.method.id) for c, path in clause_paths if c.method], "检查方式")
    unique(proc, [(("documents", i, "id"), d.id) for i, d in enumerate(s.procedure.documents)], "文件代号")
    unique(org, [(("roles", i, "id"), r.id) for i, r in enumerate(s.organisation.roles)], "角色")
    unique(org, [(("projects", i, "id"), p.id) for i, p in enumerate(s.organisation.projects)], "项目")
    unique(chk, [(("checklists", i, "id"), c.id) for i, c in enumerate(s.checklists_file.checklists)], "检查表")

    roles, methods, docs = set(s.roles), set(s.methods), set(s.documents)
    for clause, path in clause_paths:
        if clause.role:
            ref(proc, path + ("role",), clause.role, roles, "角色")
        if clause.owner:
            ref(proc, path + ("owner",), clause.owner, roles, "角色")
        for j, doc in enumerate(clause.references):
            ref(proc, path + ("references", j), doc, docs, "文件")
        if not (clause.title or clause.text or clause.items or clause.children or clause.references):
            add(proc, path, "clause_empty", severity="warning", number=clause.number)
        for k, item in enumerate(clause.items):
            ipath = path + ("items", k)
            if not (item.code == clause.number or item.code.startswith(clause.number + ".")
                    or item.code.startswith(clause.number + "-")):
                add(proc, ipath + ("code",), "code_outside_clause", code=item.code, number=clause.number)
            if item.deduction > item.points:
                add(proc, ipath + ("deduction",), "deduction_gt_points",
                    deduction=_num(item.deduction), points=_num(item.points))
            for j, mid in enumerate(item.methods):
                ref(proc, ipath + ("methods", j), mid, methods, "检查方式")
            for j, rid in enumerate(item.roles):
                ref(proc, ipath + ("roles", j), rid, roles, "角色")
            if item.owner:
                ref(proc, ipath + ("owner",), item.owner, roles, "角色")

    # organisation
    if s.organisation.action_owner:
        ref(org, ("action_owner",), s.organisation.action_owner, roles, "角色")
    for i, p in enumerate(s.organisation.projects):
        for rid in p.people:
            ref(org, ("projects", i, "people", rid), rid, roles, "角色")
    try:
        zoneinfo.ZoneInfo(s.organisation.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        add(org, ("timezone",), "bad_timezone", value=s.organisation.timezone)
    for i, day in enumerate(s.organisation.working_days):
        if not 1 <= day <= 7:
            add(org, ("working_days", i), "bad_choice", key="working_days", value=day, choices="1–7")
    _check_bands(s.organisation.grades, org, add)
    for i, p in enumerate(s.organisation.projects):
        if p.since and p.until and p.until < p.since:
            add(org, ("projects", i, "until"), "project_dates", id=p.id, since=p.since, until=p.until)
    if s.organisation.notifications is not None:
        _check_notifications(s, FileChecks(org, out), id_names)

    # checklists
    codes_and_clauses = list(s.items) + list(s.clauses)
    used: set[str] = set()
    given: dict[str, set[str]] = {}           # item code -> roles some checklist lets check it
    listed: dict[str, list[str]] = {}         # item code -> checklists that include it
    for i, cl in enumerate(s.checklists_file.checklists):
        base = ("checklists", i)
        for j, rid in enumerate(cl.roles):
            ref(chk, base + ("roles", j), rid, roles, "角色")
            if rid in s.roles and not s.roles[rid].inspects:
                add(chk, base + ("roles", j), "not_inspector", severity="warning", role=rid, id=cl.id)
        for key in ("include", "exclude"):
            for j, r in enumerate(getattr(cl, key)):
                ref(chk, base + (key, j), r, codes_and_clauses, "章节或条目")
        for j, mid in enumerate(cl.methods or []):
            ref(chk, base + ("methods", j), mid, methods, "检查方式")
        for j, pid in enumerate(cl.projects or []):
            ref(chk, base + ("projects", j), pid, set(s.projects), "项目")
        selected = select_items(s, cl)
        if not selected:
            add(chk, base + ("id",), "checklist_empty", id=cl.id)
        used.update(item.code for item in selected)
        for item in selected:
            given.setdefault(item.code, set()).update(cl.roles)
            listed.setdefault(item.code, []).append(cl.id)
    for path, code in item_entries:
        if code not in used:
            add(proc, path, "item_unused", severity="warning", code=code)
    # a role named as an item's checker that no checklist lets check it (items in no checklist: item_unused)
    for clause, path in clause_paths:
        for k, item in enumerate(clause.items):
            if item.code not in used:
                continue
            for j, rid in enumerate(item.roles):
                if rid in s.roles and rid not in given[item.code]:
                    add(proc, path + ("items", k, "roles", j), "role_not_on_checklist", severity="warning",
                        code=item.code, role=rid, role_name=s.roles[rid].name,
                        checklists="、".join(listed[item.code]))
    methods = FileChecks(parsed["methods.yaml"], out)
    for instrument in instruments:
        instrument.check_standards(s, methods)
    _check_methods(s, methods)
    return out


def _check_methods(s: Standards, p: FileChecks) -> None:
    """Cross-checks of methods.yaml that are no instrument's: training and meeting issues."""
    mf = s.methods_file
    projects = set(s.projects)
    for i, t in enumerate(mf.training):
        for j, pid in enumerate(t.projects if isinstance(t.projects, list) else []):
            p.ref(("training", i, "projects", j), pid, projects, "项目")
    for i, issue in enumerate(mf.meetings):
        if issue.project != "all":
            p.ref(("meetings", i, "project"), issue.project, projects, "项目")
        if issue.item is not None:
            p.ref(("meetings", i, "item"), issue.item, list(s.items), "条目")
        if issue.until < issue.date:
            p.add(("meetings", i, "until"), "invalid", key="until", reason="跟进截止日期早于会议日期")


def _check_bands(grades, org: Parsed, add) -> None:
    indexed = sorted(enumerate(grades), key=lambda pair: (pair[1].min, pair[1].max))
    for i, band in indexed:
        if band.min >= band.max:
            add(org, ("grades", i), "band_empty", name=band.name, min=_num(band.min), max=_num(band.max))
    if not indexed:
        return
    first_i, first = indexed[0]
    last_i, last = max(enumerate(grades), key=lambda pair: pair[1].max)
    if first.min != 0:
        add(org, ("grades", first_i, "min"), "bands_start", value=_num(first.min))
    if last.max != 100:
        add(org, ("grades", last_i, "max"), "bands_end", value=_num(last.max))
    for (_, lower), (j, upper) in zip(indexed, indexed[1:]):
        if lower.max < upper.min:
            add(org, ("grades", j, "min"), "bands_gap", lower=lower.name, upper=upper.name,
                a=_num(lower.max), b=_num(upper.min))
        elif lower.max > upper.min:
            add(org, ("grades", j, "min"), "bands_overlap", lower=lower.name, upper=upper.name,
                a=_num(lower.max), b=_num(upper.min))


# an address as the e-mail field takes it: something@domain.tld (no display name, no spaces)
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")


def _check_notifications(s: Standards, p: FileChecks, id_names: Mapping[str, Mapping[str, str]]) -> None:
    """organisation.yaml `notifications`: known roles and projects, a channel for each recipient, a project
    team's role tied to its projects, addresses that are addresses, a mail server when mail is sent."""
    block = s.organisation.notifications
    base = ("notifications",)
    for i, r in enumerate(block.recipients):
        here = base + ("recipients", i)
        if r.role is not None:
            p.ref(here + ("role",), r.role, set(s.roles), "角色", id_names["角色"])
        for j, pid in enumerate(r.projects or []):
            p.ref(here + ("projects", j), pid, set(s.projects), "项目", id_names["项目"])
        if r.role is None and r.projects is None:
            p.add(here, "recipient_unscoped")
        if r.role in s.roles and s.roles[r.role].project_team and r.projects is None:
            p.add(here + ("role",), "recipient_team_role", role=r.role, name=s.roles[r.role].name)
        if r.wecom is None and r.dingtalk is None and not r.email:
            p.add(here, "recipient_no_channel")
        for j, address in enumerate(r.email):
            if not _ADDRESS.match(address):
                p.add(here + ("email", j), "bad_address", value=address)
        if r.email and block.smtp is None:
            p.add(here + ("email",), "smtp_missing")
    if block.smtp is not None and not _ADDRESS.match(block.smtp.sender):
        p.add(base + ("smtp", "sender"), "bad_address", value=block.smtp.sender)
