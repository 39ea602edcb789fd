"""forms/forms.lock.yaml: which Google Form belongs to which checklist, and what its questions mean.

Written by `handbook forms push` and `handbook forms link`. The one reader is `read_lock`
(plain data, shape checked); ingest takes its typed view, `read_locked_forms`. Shape (keys may be added, never renamed):

    demo: true                                   # only in the lock `handbook demo` writes: made-up form ids,
                                                 # so sheets mark their QR codes 演示
    checklists:
      <checklist id>:
        form_id: …
        responder_url: https://docs.google.com/forms/d/e/…/viewform
        sheets: [{spreadsheet_id, gid, sheet_name, linked}, …]      # newest last
        source: google | tencent | file          # where its responses are pulled from (absent: google)
        survey_id: "12345678"                    # tencent: the 腾讯问卷 survey (form_id is tencent:<survey_id>)
        definition: {<question id>: {title, options: {<option id>: text}}}   # tencent: as last read (handbook check)
        versions:
          "<standards version>":
            revision_id: …
            pushed: <aware datetime>
            options: [符合, 不符合 1 处, …]        # every item answer label of the version
            answers: {符合: 0, 不符合 1 处: 1, …, 不符合 5 处及以上（扣完）: 5, 不适用: null}
                                                 # what each label means (findings); versions recorded
                                                 # without it read `options` by position as
                                                 # 符合 / 1 / 2 / 3 处及以上 / 不适用
            questions: {<question id>: {item: <code>, title} | {field: project, title}
                                       | {section: "4.2.1", kind: note|corrected, title}
                                       | {section: "4.2.1", kind: corrected_items, title, items: [<code>, …]}
                                         # corrected: 是/否 per section (first versions); corrected_items:
                                         # a checkbox of the section's items (its options, by code)
                                       | {info: period|round|time|at_fault, title}}   # a daily patrol's round
            rules: {version, items: {<code>: {short, points, deduction, critical, fix_within_days, section}},
                    grades: [{name, min, max}, …]}   # what scoring needs of the standards version (rulebook.Rules);
                                                     # ingest copies it into a store that lacks the version

Every write goes to a temporary file in the same folder and is then renamed over
the lock (`os.replace`), so the lock is never half-written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ..errors import HandbookError, LockInvalid
from ..messages import Msg

DEFAULT_LOCK = Path("forms/forms.lock.yaml")
HEADER = "# forms/forms.lock.yaml — written by handbook forms push / link; do not edit by hand\n"
DEFAULT_SHEET_NAME = "表单回复 1"   # the tab name Google gives a linked response sheet in Chinese
SOURCES = ("google", "tencent", "file")   # a form's platform: Google Forms (default), 腾讯问卷, exported files only


def _fail(path: Path, where: str, what: str) -> LockInvalid:
    return LockInvalid(Msg.LOCK_UNUSABLE, path=path, where=where, what=what)


def read_lock(path: Path | str = DEFAULT_LOCK) -> dict:
    """The lock as plain data (`{"checklists": {...}}`); an empty lock when the file does not exist."""
    path = Path(path)
    if not path.exists():
        return {"checklists": {}}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, "", f"读不出来（{type(exc).__name__}）") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行 " if mark else ""
        raise _fail(path, where, "不是有效的 YAML") from None
    if data is None:
        return {"checklists": {}}
    _check_shape(path, data)
    return data


def _check_shape(path: Path, data) -> None:
    def need(cond: bool, where: str, what: str) -> None:
        if not cond:
            raise _fail(path, where, what)

    need(isinstance(data, dict) and isinstance(data.get("checklists", {}), dict), "顶层", "应有 checklists: 映射")
    data.setdefault("checklists", {})
    for cid, entry in data["checklists"].items():
        at = f"checklists.{cid}"
        need(isinstance(cid, str), at, " 的键应为检查表代号")
        need(isinstance(entry, dict), at, " 应为映射")
        need(isinstance(entry.get("form_id"), str) and entry["form_id"] != "", f"{at}.form_id", " 应为非空字符串")
        need(isinstance(entry.get("responder_url", ""), str), f"{at}.responder_url", " 应为字符串")
        need(entry.get("source", "google") in SOURCES, f"{at}.source", f" 应为 {'、'.join(SOURCES)} 之一")
        need(entry.get("source") != "tencent" or (isinstance(entry.get("survey_id"), str) and entry["survey_id"]),
             f"{at}.survey_id", " 应为腾讯问卷问卷编号（带引号的字符串）")
        sheets = entry.setdefault("sheets", [])
        need(isinstance(sheets, list), f"{at}.sheets", " 应为列表")
        for i, sheet in enumerate(sheets):
            need(isinstance(sheet, dict) and isinstance(sheet.get("spreadsheet_id"), str)
                 and isinstance(sheet.get("gid"), int) and not isinstance(sheet.get("gid"), bool),
                 f"{at}.sheets[{i}]", " 应有 spreadsheet_id（字符串）和 gid（整数）")
        versions = entry.setdefault("versions", {})
        need(isinstance(versions, dict), f"{at}.versions", " 应为映射")
        for version, v in versions.items():
            vat = f"{at}.versions.{version}"
            need(isinstance(version, str), vat, " 的版本号应为带引号的字符串")
            need(isinstance(v, dict) and isinstance(v.get("questions", {}), dict), vat, " 应有 questions: 映射")
            need(isinstance(v.get("options", []), list), f"{vat}.options", " 应为列表")
            need(isinstance(v.get("rules", {}), dict), f"{vat}.rules", " 应为映射")
            answers = v.get("answers", {})
            need(isinstance(answers, dict) and all(
                isinstance(k, str) and (a is None or (isinstance(a, int) and not isinstance(a, bool) and a >= 0))
                for k, a in answers.items()), f"{vat}.answers", " 应为“选项: 处数”的映射（不适用为 null）")
            for qid, q in v.get("questions", {}).items():
                need(isinstance(qid, str) and isinstance(q, dict) and isinstance(q.get("title"), str),
                     f"{vat}.questions.{qid}", " 应为带引号的问题 id 映射到 {…, title: …}")


# ---------------------------------------------------------------- writing

class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):   # type: ignore[misc]  # libyaml's emitter when built
    """Block style for the structure, flow style for leaves (lists of scalars, flat mappings). Emitted by
    libyaml when PyYAML has it (the same text as the Python emitter, a tenth of the time: `forms push` writes
    the lock after every form)."""


def _is_scalar(value) -> bool:
    return not isinstance(value, (dict, list))


_Dumper.add_representer(dict, lambda d, data: d.represent_mapping(
    "tag:yaml.org,2002:map", data.items(), flow_style=all(_is_scalar(v) for v in data.values()) and bool(data)))
_Dumper.add_representer(list, lambda d, data: d.represent_sequence(
    "tag:yaml.org,2002:seq", data, flow_style=all(_is_scalar(v) for v in data)))
_Dumper.add_multi_representer(str, lambda d, data: d.represent_str(str(data)))   # names from the standards


def dump_lock(data: dict) -> str:
    """The lock's text: a header comment, then YAML (flow style for leaves, like the contract)."""
    return HEADER + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)


def write_lock(path: Path | str, data: dict) -> None:
    """Write the lock atomically: a temporary file in the same folder, then os.replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dump_lock(data)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- link

SHEET_KEY = re.compile(r"^[A-Za-z0-9_-]{20,}$")


def parse_sheet_url(url: str) -> tuple[str, int]:
    """(spreadsheet id, gid) from a Sheets URL with or without `#gid=`, or from a bare key (gid 0)."""
    text = url.strip()
    if SHEET_KEY.match(text):
        return text, 0
    parts = urlsplit(text)
    match = re.search(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]{20,})", parts.path)
    if not (parts.scheme in ("http", "https") and match):
        raise HandbookError(Msg.NOT_A_SHEET_URL, url=url)
    gid = 0
    for piece in (parts.fragment, parts.query):
        found = re.search(r"(?:^|[&?#])gid=(\d+)", "&" + piece)
        if found:
            gid = int(found.group(1))
            break
    return match.group(1), gid


def link(lock_path: Path | str, checklist: str, sheet_url: str, *, sheet_name: str | None = None,
         today: dt.date | None = None) -> tuple[dict, bool]:
    """Record a response sheet for a pushed checklist; returns (sheet entry, whether it was added)."""
    lock_path = Path(lock_path)
    spreadsheet_id, gid = parse_sheet_url(sheet_url)
    data = read_lock(lock_path)
    entry = data["checklists"].get(checklist)
    if entry is None:
        known = "、".join(data["checklists"]) or "（还没有）"
        raise HandbookError(Msg.NO_FORM_IN_LOCK, path=lock_path, checklist=checklist, known=known)
    for sheet in entry["sheets"]:
        if sheet["spreadsheet_id"] == spreadsheet_id and sheet["gid"] == gid:
            return sheet, False
    sheet = {"spreadsheet_id": spreadsheet_id, "gid": gid, "sheet_name": sheet_name or DEFAULT_SHEET_NAME,
             "linked": today or dt.date.today()}
    entry["sheets"].append(sheet)
    write_lock(lock_path, data)
    return sheet, True


# ---------------------------------------------------------------- the typed view ingest reads

@dataclass(frozen=True)
class FormVersion:
    name: str
    pushed: dt.datetime | None
    options: tuple[str, ...]
    questions: dict[str, dict]      # question id -> {item|field|section+kind, title}
    answers: dict[str, int | None] = field(default_factory=dict)   # option label -> findings, when recorded
    rules: dict = field(default_factory=dict)       # the standards version's scoring rules, when recorded


@dataclass(frozen=True)
class LockedSheet:
    spreadsheet_id: str
    gid: int | None
    sheet_name: str | None


@dataclass(frozen=True)
class LockedForm:
    checklist: str
    sheets: tuple[LockedSheet, ...] = ()
    versions: tuple[FormVersion, ...] = ()   # oldest first
    source: str = "google"                   # google | tencent | file
    survey_id: str = ""                      # tencent: the 腾讯问卷 survey its answers are read from


@dataclass(frozen=True)
class Lock:
    forms: dict[str, LockedForm] = field(default_factory=dict)

    def form(self, checklist: str) -> LockedForm:
        return self.forms.get(checklist) or LockedForm(checklist)


def _when(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), dt.timezone.utc)
    if isinstance(value, str):
        try:
            return _when(dt.datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def read_locked_forms(path: Path | str | None = None) -> Lock:
    """The lock's forms as ingest reads them (sheets, versions oldest first); empty when there is no file."""
    path = Path(path or DEFAULT_LOCK)
    data = read_lock(path)
    forms = {}
    try:
        for checklist, entry in (data.get("checklists") or {}).items():
            entry = entry or {}
            sheets = tuple(LockedSheet(str(s["spreadsheet_id"]),
                                       int(s["gid"]) if s.get("gid") is not None else None,
                                       s.get("sheet_name")) for s in entry.get("sheets") or [])
            versions = [FormVersion(str(name), _when(v.get("pushed")), tuple(v.get("options") or ()),
                                    {str(k): dict(q) for k, q in (v.get("questions") or {}).items()},
                                    {str(k): a for k, a in (v.get("answers") or {}).items()},
                                    dict(v.get("rules") or {}))
                        for name, v in (entry.get("versions") or {}).items()]
            versions.sort(key=lambda v: (v.pushed or dt.datetime.min.replace(tzinfo=dt.timezone.utc), v.name))
            forms[checklist] = LockedForm(checklist, sheets, tuple(versions), str(entry.get("source") or "google"),
                                          str(entry.get("survey_id") or ""))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise HandbookError(Msg.LOCK_MALFORMED, path=path, kind=type(exc).__name__, detail=exc) from None
    return Lock(forms)


def link_tencent(lock_path: Path | str, checklist: str, survey_id: str, responder_url: str,
                 definition: dict | None = None) -> dict:
    """Record (or update) a checklist's 腾讯问卷 survey: its answers are pulled from the survey from now on."""
    lock_path = Path(lock_path)
    data = read_lock(lock_path)
    entry = data["checklists"].setdefault(checklist, {"form_id": f"tencent:{survey_id}"})
    entry.update({"form_id": f"tencent:{survey_id}", "source": "tencent", "survey_id": str(survey_id),
                  "responder_url": responder_url})
    entry.setdefault("sheets", [])
    entry.setdefault("versions", {})
    if definition is not None:
        entry["definition"] = definition
    write_lock(lock_path, data)
    return entry
