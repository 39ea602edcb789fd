"""Columns to questions and cells to answers: one response row in, one normalised response out.

A column maps to an item by the code at the start of its header (grid questions
`Question [Row]` by the row's code), else through the lock file's question titles
of any form version. A section's 已当场纠正的条目 (a checkbox of its items) gives each finding
of the section its own 当场纠正, by the item codes the ticked choices start with; the first
form versions' 已当场纠正 (是/否) is kept under the section's number and holds for each finding
of the section (`inspection.corrected_on_site`). Columns an instrument adds to a checklist's form (the questioning
grid) are claimed and read by that instrument's `ChecklistColumns`. Answers map through
the option labels of the response's form version (by position, so older labels stay
readable) and the current labels.
A row that cannot be used raises `Rejected` with a reason code and a message.

Text is data: notes, names and comments are kept exactly as typed (an `=`, `@`, `-`, `+` or
HTML in a note never sends a row to quarantine); whatever shows or exports them makes them
safe there. Every item of the row's form version is a required question, so a blank answer
means a damaged row (`未答`), never 不适用.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

from ...forms.lock_file import FormVersion, LockedForm
from ...inspection import (FIELD_TITLES, NO, PATROL_FIELDS, YES, corrected_items_title, known_answers, note_title,
                          version_answers)
from ...ingest.columns import (CODE_AT_START, EMAIL, EMAIL_TITLES, GRID, TIMESTAMP_TITLES, ChecklistColumns, Rejected,
                               norm, short, version_of)
from ...ingest.values import has_seconds, parse_date, parse_datetime

NOTE = re.compile(r"^问题说明\s*[（(]\s*(\d+(?:\.\d+)+)")
CORRECTED = re.compile(r"^已当场纠正\s*[（(]\s*(\d+(?:\.\d+)+)")
CORRECTED_ITEMS = re.compile(r"^已当场纠正的条目\s*[（(]\s*(\d+(?:\.\d+)+)")
# the choices of a checkbox answer: Google's sheet joins them with ", ", 问卷星 and 腾讯问卷 with "┋"; a
# choice starts with its item's code, so ", " is a join only before a code (a choice's text may hold a comma)
CHOICES = re.compile(r"\s*┋\s*|,\s*(?=\d+(?:\.\d+)+(?:-[a-z][a-z0-9]*)?(?![\w.\-]))")
SECTION_ANSWERS = ("note", "corrected", "corrected_items")   # kinds of a section's questions in the lock
MAX_CELL = 5000
_FIELD_BY_TITLE = {title: key for key, title in FIELD_TITLES.items()}
# optional facts of a daily patrol (round, time, person at fault): kept with the response in `extra`
_INFO_BY_TITLE = {title: key for key, title in PATROL_FIELDS.items()}
_READ_ABOVE = frozenset({"timestamp", "email", "field"})   # target kinds `normalise` reads before the answers
_FREE_TEXT = frozenset({"note", "info"})   # target kinds whose cells are text as typed, not answers

CLOCK_SKEW = dt.timedelta(days=1)   # a 检查日期 may be one day after the submission (a phone's clock, midnight)


@dataclass(frozen=True)
class Target:
    kind: str          # timestamp | email | field | info | item | note | corrected | corrected_items, or the `name`
                       # of ChecklistColumns
    key: str = ""      # field name, item code, section number, or the key ChecklistColumns gave the column


@dataclass(frozen=True)
class Vocabulary:
    """What one checklist's answers may be, from the standards and the lock file."""

    checklist: str
    timezone: ZoneInfo
    projects: dict[str, str]                 # project name or id -> id
    allowed_projects: frozenset[str] | None
    roles: dict[str, str]                    # role name or id -> id
    checklist_roles: tuple[str, ...]
    items: frozenset[str]                    # every item code the standards know
    clauses: frozenset[str]                  # every clause number
    form: LockedForm
    added: tuple[ChecklistColumns, ...] = ()  # columns instruments add to the checklist's form
    role_names: dict[str, str] = field(default_factory=dict)   # role id -> name
    current_items: tuple[str, ...] = ()       # the checklist's item codes in the standards now, in order
    item_titles: dict[str, str] = field(default_factory=dict)  # item code -> short title (for messages)
    current_sections: tuple[tuple[str, str], ...] = ()   # (number, title) of the sections of its items now
    late_entry_days: int = 31                 # a 检查日期 more days before its submission is quarantined
    section_items: dict[str, tuple[str, ...]] = field(default_factory=dict)   # section -> its items on the form now

    @classmethod
    def build(cls, standards, checklist: str, form: LockedForm,
              added: tuple[ChecklistColumns, ...] = ()) -> "Vocabulary":
        """The vocabulary of a checklist; `added`: the instruments' columns on its form
        (`checklist_columns(instruments, standards, checklist)`)."""
        spec = standards.checklists[checklist]
        projects = {}
        for p in standards.organisation.projects:
            projects[norm(p.name)] = p.id
            projects[p.id] = p.id
        roles = {}
        for r in standards.organisation.roles:
            roles[norm(r.name)] = r.id
            roles[r.id] = r.id
        current = tuple(i.code for i in standards.checklist_items(checklist))
        sections = tuple(dict.fromkeys((s.number, s.title) for s in map(standards.section_of, current) if s))
        return cls(checklist, ZoneInfo(standards.organisation.timezone), projects,
                   frozenset(spec.projects) if spec.projects else None, roles, tuple(spec.roles),
                   frozenset(standards.items), frozenset(standards.clauses), form, tuple(added),
                   {r.id: r.name for r in standards.organisation.roles},
                   current, {code: item.short for code, item in standards.items.items()}, sections,
                   standards.organisation.late_entry_days, _section_items(standards, current))

    def required_items(self, version: "FormVersion | None") -> tuple[str, ...]:
        """The item questions of a form version (all of them required on the form): the version the lock
        records, the lock's first version for responses older than it, or the checklist as the standards
        have it now when the lock records no version of this form."""
        if version is None:
            if not self.form.versions:
                return self.current_items
            version = self.form.versions[0]
        cache = self.__dict__.setdefault("_required", {})
        hit = cache.get(version.name)
        if hit is None:
            hit = cache[version.name] = tuple(dict.fromkeys(
                str(q["item"]) for q in version.questions.values() if q.get("item")))
        return hit

    def required_columns(self, version: "FormVersion | None",
                         have: "set[Target] | frozenset[Target]" = frozenset()) -> tuple[tuple[Target, str], ...]:
        """The columns besides its items that a header of a form version's responses must have, with their
        names: the timestamp and every other question of that version (fields, 问题说明, 已当场纠正, the
        questioning grid), as `required_items` picks the version. A deleted 检查日期 would move patrols to
        the day of submission, a deleted 已当场纠正 would leave actions open: never silently.
        A section's 已当场纠正 is there when the header (`have`) has either form of it: the first versions'
        是/否 or the checkbox of its items (an export of the first forms read without a lock, a sheet whose
        form was pushed again with the checkbox under the same standards version)."""
        if version is None and self.form.versions:
            version = self.form.versions[0]
        columns = [(Target("timestamp"), "时间戳记")]
        if version is not None:
            for q in version.questions.values():
                target = _question_target(q)
                if target is not None and target.kind != "item":
                    columns.append((target, str(q.get("title") or target.key)))
        else:
            columns += [(Target("field", key), title) for key, title in FIELD_TITLES.items()]
            for number, title in self.current_sections:
                columns += [(Target("note", number), note_title(number, title)),
                            (Target("corrected_items", number), corrected_items_title(number, title))]
            for reader in self.added:
                columns += [(Target(reader.name, key), title) for key, title in reader.required()]
        answered = {t.key for t in have if t.kind in ("corrected", "corrected_items")}
        return tuple(dict.fromkeys((t, title) for t, title in columns
                                   if not (t.kind in ("corrected", "corrected_items") and t.key in answered)))

    def corrected_options(self, version: "FormVersion | None", section: str) -> tuple[str, ...]:
        """The item codes a section's 已当场纠正的条目 offers on a form version: as the lock records the
        question, else the section's items on the checklist's form now."""
        cache = self.__dict__.setdefault("_corrected_options", {})
        key = (version.name if version else "", section)
        hit = cache.get(key)
        if hit is None:
            recorded = next((q.get("items") for q in (version.questions.values() if version else ())
                             if q.get("kind") == "corrected_items" and str(q.get("section")) == section
                             and isinstance(q.get("items"), list)), None)
            hit = cache[key] = (tuple(str(c) for c in recorded) if recorded is not None
                                else self.section_items.get(section, ()))
        return hit

    def version_named(self, name: str) -> "FormVersion | None | Literal[False]":
        """The lock's form version of that name; None for "" (no version recorded); False when unknown."""
        if not name:
            return None
        return next((v for v in self.form.versions if v.name == name), False)


@dataclass
class ColumnMap:
    targets: dict[int, Target]
    unmapped: list[tuple[int, str]]          # (column index, header as read)
    header: list[str]
    versions_used: set[str] = field(default_factory=set)   # form versions of the rows read ("" = none recorded)
    #: a question deleted and added again on the form (its sheet then has two columns of one title): the
    #: first column's index -> the later ones; each row's answer is in one of them (`normalise` merges them)
    twins: dict[int, list[int]] = field(default_factory=dict)

    def merged(self, cells: list) -> tuple[list, list[int]]:
        """The row with each twin column's answer in its first column (a row answers one of them), and the
        twin columns whose different text stays beside it (kept in `extra`, as an unmapped column's).

        Two different answers to one question (an item, a field: a sheet edited by hand) are `Rejected`;
        two different texts (a note) are both kept: text never quarantines a row."""
        cells, spare = list(cells), []
        for first, others in self.twins.items():
            given = [(i, cells[i]) for i in [first, *others] if i < len(cells) and _text(cells[i]) != ""]
            if not given:
                continue
            if len({_text(v) for _, v in given}) > 1:
                if self.targets[first].kind not in _FREE_TEXT:
                    raise Rejected("not_an_option", f"“{short(self.header[first])}”的 {len(given)} 列答案不同",
                                   column=short(self.header[first]))
                spare += [i for i, _ in given[1:]]
            while len(cells) <= first:
                cells.append(None)
            cells[first] = given[0][1]
        return cells, spare
    date_order: str | None = None            # how the source's a/b/yyyy dates read (Table.date_order)

    @cached_property
    def items(self) -> dict[str, int]:
        """Item code -> column index."""
        return {t.key: i for i, t in self.targets.items() if t.kind == "item"}


def _question_target(q: dict) -> Target | None:
    """The column target of a question the lock records for a form version (None: one ingest does not read)."""
    if q.get("item"):
        return Target("item", str(q["item"]))
    if q.get("field") == "questioned":      # the questioning grid's staff column (its key is "")
        return Target("questioning", "")
    if q.get("field"):
        return Target("field", str(q["field"]))
    if q.get("section") and q.get("kind") in SECTION_ANSWERS:
        return Target(str(q["kind"]), str(q["section"]))
    if q.get("questioning"):
        return Target("questioning", str(q["questioning"]))
    return None


def _lock_titles(form: LockedForm) -> dict[str, Target]:
    out: dict[str, Target] = {}
    for version in form.versions:
        for q in version.questions.values():
            title = norm(q.get("title"))
            if not title:
                continue
            if q.get("item"):
                out[title] = Target("item", str(q["item"]))
            elif q.get("field"):
                out[title] = Target("field", str(q["field"]))
            elif q.get("section") and q.get("kind") in SECTION_ANSWERS:
                out[title] = Target(q["kind"], str(q["section"]))
    return out


def _by_code(text: str, vocab: Vocabulary) -> Target | None:
    m = CODE_AT_START.match(text)
    if not m:
        return None
    code = m.group(1)
    # a bare clause number (a section heading) is not an item; an unknown code with a
    # letter suffix is an item that later standards removed, still readable
    if code in vocab.items or (code not in vocab.clauses and "-" in code):
        return Target("item", code)
    return None


def map_column(header: str, vocab: Vocabulary, titles: dict[str, Target]) -> Target | None:
    text = norm(header)
    low = text.lower()
    if low in TIMESTAMP_TITLES:
        return Target("timestamp")
    if low in EMAIL_TITLES:
        return Target("email")
    if text in _FIELD_BY_TITLE:
        return Target("field", _FIELD_BY_TITLE[text])
    if text in _INFO_BY_TITLE:
        return Target("info", _INFO_BY_TITLE[text])
    if m := NOTE.match(text):
        return Target("note", m.group(1))
    if m := CORRECTED_ITEMS.match(text):
        return Target("corrected_items", m.group(1))
    if m := CORRECTED.match(text):
        return Target("corrected", m.group(1))
    for added in vocab.added:
        key = added.column(text)
        if key is not None:
            return Target(added.name, key)
    grid = GRID.match(text)
    if grid and (target := _by_code(grid["row"], vocab) or titles.get(norm(grid["row"]))):
        return target
    return _by_code(text, vocab) or titles.get(text)


def map_columns(header: list, vocab: Vocabulary) -> ColumnMap:
    """Every column's question; columns that map to nothing (or twice) are listed by name."""
    titles = _lock_titles(vocab.form)
    targets: dict[int, Target] = {}
    seen: dict[Target, int] = {}
    twins: dict[int, list[int]] = {}
    unmapped = []
    for i, cell in enumerate(header):
        name = str(cell if cell is not None else "")
        target = map_column(name, vocab, titles) if norm(name) else None
        if target is None:
            unmapped.append((i, name))
            continue
        if target in seen:   # the same question again: a question deleted and added back on the form
            twins.setdefault(seen[target], []).append(i)
            continue
        seen[target] = i
        targets[i] = target
    return ColumnMap(targets, unmapped, [str(c if c is not None else "") for c in header], twins=twins)


@dataclass
class Normalised:
    """One response in the shared vocabulary, plus what it carried beyond it."""

    submitted_at: dt.datetime
    project: str
    role: str
    inspector: str
    date: dt.date
    form_version: str = ""
    email: str = ""
    findings: dict[str, int | None] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    corrected: dict[str, bool] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)   # unmapped columns' answers by header
    added: dict[str, dict] = field(default_factory=dict)  # ChecklistColumns name -> what its `finish` gave
    coarse: bool = False     # its time was given to the minute only (seconds dropped by a re-save)
    #: (findings, labels) as stored (compact JSON) and findings as hashed (sorted JSON), when `normalise` had them
    #: from an earlier row with the same answers (the dicts are then shared: never changed after `normalise`)
    encoded: tuple[str, str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> tuple:
        """The fields people do not change when they edit a response."""
        return (self.project, self.role, self.inspector, self.date)

    def content_hash(self) -> str:
        if not self.added:   # the text _SORTED_JSON gives the dict below, its keys in sorted order
            enc = _STRING_JSON
            text = "".join((
                '{"corrected": ', _SORTED_JSON(self.corrected), ', "date": ', enc(self.date.isoformat()),
                ', "email": ', enc(self.email), ', "extra": ', _SORTED_JSON(self.extra),
                ', "findings": ', self.encoded[2] if self.encoded else _SORTED_JSON(self.findings),
                ', "inspector": ', enc(self.inspector), ', "notes": ', _SORTED_JSON(self.notes),
                ', "project": ', enc(self.project), ', "role": ', enc(self.role),
                ', "submitted_at": ', enc(self.submitted_at.isoformat()), "}"))
            return hashlib.sha256(text.encode()).hexdigest()
        data = {"submitted_at": self.submitted_at.isoformat(), "project": self.project, "role": self.role,
                "inspector": self.inspector, "date": self.date.isoformat(), "email": self.email,
                "findings": self.findings, "corrected": self.corrected, "notes": self.notes, "extra": self.extra}
        for fields in self.added.values():   # only when given: stored hashes of older responses stay valid
            data.update(fields)
        return hashlib.sha256(_SORTED_JSON(data).encode()).hexdigest()


def json_encoder(*, sort_keys: bool = False, separators: tuple[str, str] = (", ", ": "), default=None):
    """A function giving the text of json.dumps(value, ensure_ascii=False, …) with these options.

    json.dumps builds a new encoder on every call, which costs more than encoding a short row;
    this builds the C encoder once (no circular-reference check: rows and answers hold none).
    """
    from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]  # C, not in typeshed

    def fail(value):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    if c_make_encoder is None:   # no C accelerator: the pure-Python encoder, built once
        return json.JSONEncoder(ensure_ascii=False, sort_keys=sort_keys, separators=separators,
                                default=default).encode
    encode = c_make_encoder(None, default or fail, encode_basestring, None, separators[1], separators[0],
                            sort_keys, False, True)
    join = "".join
    return lambda value: join(encode(value, 0))


# json.dumps(…, ensure_ascii=False, sort_keys=True), the text the content hash is taken of
_SORTED_JSON = json_encoder(sort_keys=True)
# json.dumps(…, ensure_ascii=False, separators=(",", ":")), the text a version's findings and labels are stored as
COMPACT_JSON = json_encoder(separators=(",", ":"))
_STRING_JSON = json.encoder.encode_basestring   # a str as json.dumps(…, ensure_ascii=False) gives it


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check_cell(value: str) -> None:
    if len(value) > MAX_CELL:
        raise Rejected("too_long", f"{len(value)} 个字符（上限 {MAX_CELL}）")


def corrected_codes(value: str, options: tuple[str, ...], section: str) -> list[str]:
    """The item codes ticked in a section's 已当场纠正的条目 answer (`4.2.1.1-a 桌面整洁, 4.2.1.2-d …`: each
    choice starts with its item's code). A choice that is not one of the question's items (`options`) is
    `Rejected` as any answer that is not an option: the row is quarantined, never guessed."""
    codes = []
    for choice in CHOICES.split(value):
        choice = choice.strip()
        if not choice:
            continue
        m = CODE_AT_START.match(choice)
        if m is None or m.group(1) not in options:
            raise Rejected("not_an_option", f"已当场纠正的条目（{section}）的答案“{short(choice)}”不是本页的条目",
                           column=f"已当场纠正的条目（{section}）")
        codes.append(m.group(1))
    return codes


def _section_items(standards, codes) -> dict[str, tuple[str, ...]]:
    """Section number -> the codes among `codes` (in order) of its items."""
    out: dict[str, list[str]] = {}
    for code in codes:
        section = standards.section_of(code)
        if section is not None:
            out.setdefault(section.number, []).append(code)
    return {number: tuple(items) for number, items in out.items()}


def check_date(date: dt.date, submitted: dt.datetime, late_entry_days: int) -> None:
    """Refuse a typed 检查日期 that cannot be right: after the submission's day (beyond a day of clock skew),
    or further before it than the late-entry window. A year typo would otherwise move the data's weeks,
    its missed patrols and its quarters."""
    day = submitted.date()
    if date > day + CLOCK_SKEW:
        raise Rejected("date_after_submission", f"{date.isoformat()}（提交于 {day.isoformat()}）")
    if (day - date).days > late_entry_days:
        raise Rejected("date_too_old", f"{date.isoformat()}（提交于 {day.isoformat()}，"
                                       f"相隔 {(day - date).days} 天，补录期限 {late_entry_days} 天）")


_ANSWER_TABLES: dict[tuple[int, int], tuple] = {}
_ANSWERED_MAX = 512
_TYPED_MAX = 1024   # answers as typed, per table: a handful of labels (bounded: an odd file does not grow memory)


def _answer_table(version: FormVersion | None, form: LockedForm) -> dict[str, int | None]:
    return _answer_tables(version, form)[0]


def _answer_tables(version: FormVersion | None, form: LockedForm) -> tuple[dict[str, int | None], dict]:
    """(normalised label -> findings, the same for labels as typed, filled as rows give them)."""
    # the same few tables serve every row: build each once (keyed by identity, the objects kept alive)
    entry = _ANSWER_TABLES.get((id(version), id(form)))
    if entry is None or entry[0] is not version or entry[1] is not form:
        if len(_ANSWER_TABLES) > 64:
            _ANSWER_TABLES.clear()
        entry = (version, form, _build_answer_table(version, form), {})
        _ANSWER_TABLES[(id(version), id(form))] = entry
    return entry[2], entry[3]


def _build_answer_table(version: FormVersion | None, form: LockedForm) -> dict[str, int | None]:
    table: dict[str, int | None] = {}
    others = [v for v in form.versions if v is not version] + ([version] if version else [])
    for v in others:  # the response's own version last, so its labels win
        for label, value in version_answers(v.options, v.answers).items():
            table[norm(label)] = value
    for label, value in known_answers().items():   # labels of forms built by this program, lock or not
        table.setdefault(norm(label), value)
    return table


@dataclass
class _Plan:
    """How `normalise` reads every row of one table, worked out once from its `ColumnMap`."""

    timestamp: int | None
    fields: dict[str, int]                 # field name -> column index
    email: int | None
    answers: list[tuple[int, str, str]]    # (column index, target kind, key) in column order, the answer columns
    checkboxes: list[str]                  # the sections whose 已当场纠正的条目 the source has
    items: list[int]                       # the item columns' indexes
    by_version: dict = field(default_factory=dict)   # version name -> (blank-checked items, checkbox options)
    #: (version name, the item columns' texts) -> (findings, labels, encoded) of a row that gave them: a year's
    #: rows repeat a few thousand combinations of answers (bounded: memory stays flat)
    answered: dict = field(default_factory=dict)

    @classmethod
    def of(cls, columns: ColumnMap) -> "_Plan":
        plan = columns.__dict__.get("_plan")
        if plan is None:   # the same for every row of a table
            by_target = {(t.kind, t.key): i for i, t in columns.targets.items()}
            plan = columns.__dict__["_plan"] = cls(
                by_target.get(("timestamp", "")),
                {t.key: i for i, t in columns.targets.items() if t.kind == "field" and by_target[(t.kind, t.key)] == i},
                by_target.get(("email", "")),
                [(i, t.kind, t.key) for i, t in columns.targets.items() if t.kind not in _READ_ABOVE],
                [t.key for t in columns.targets.values() if t.kind == "corrected_items"],
                [i for i, t in columns.targets.items() if t.kind == "item"])
        return plan

    def for_version(self, version: FormVersion | None, vocab: Vocabulary, columns: ColumnMap) -> tuple:
        """(the items of `version` that have a column, each checkbox section's options on `version`)."""
        key = version.name if version is not None else None
        hit = self.by_version.get(key)
        if hit is None:
            hit = self.by_version[key] = (
                tuple(code for code in vocab.required_items(version) if code in columns.items),
                tuple((section, vocab.corrected_options(version, section)) for section in self.checkboxes))
        return hit


def normalise(cells: list, columns: ColumnMap, vocab: Vocabulary, source_tz: dt.tzinfo) -> Normalised:
    """One response row as a `Normalised` response, or `Rejected` with the reason."""
    spare: list[int] = []
    if columns.twins:
        cells, spare = columns.merged(cells)
    texts = [v.strip() if type(v) is str else _text(v) for v in cells]
    n = len(cells)
    if max(map(len, texts), default=0) > MAX_CELL:
        for value in texts:
            _check_cell(value)
    plan = _Plan.of(columns)
    fields = plan.fields

    def field_cell(key: str):
        i = fields.get(key)
        return (cells[i] if i is not None and i < n else None), i is not None

    i = plan.timestamp
    raw_time = cells[i] if i is not None and i < n else None
    if i is None or _text(raw_time) == "":
        raise Rejected("missing_answer", "时间戳记")
    try:
        submitted = parse_datetime(raw_time, source_tz, vocab.timezone, columns.date_order)
    except (ValueError, OverflowError):
        raise Rejected("bad_time", raw_time) from None
    version = version_of(vocab.form, submitted)
    columns.versions_used.add(version.name if version else "")   # the header must have its items

    project_raw, _ = field_cell("project")
    if not _text(project_raw):
        raise Rejected("missing_answer", FIELD_TITLES["project"])
    project = vocab.projects.get(norm(project_raw))
    if project is None or (vocab.allowed_projects and project not in vocab.allowed_projects):
        raise Rejected("unknown_project", project_raw)

    role_raw, has_role = field_cell("role")
    if _text(role_raw):
        role = vocab.roles.get(norm(role_raw))
        if role is None:
            raise Rejected("unknown_role", role_raw)
        if role not in vocab.checklist_roles:
            raise Rejected("role_not_on_checklist", vocab.role_names.get(role, role_raw))
    elif len(vocab.checklist_roles) == 1 and not has_role:
        role = vocab.checklist_roles[0]
    else:
        raise Rejected("missing_answer", FIELD_TITLES["role"])

    inspector = _text(field_cell("inspector")[0])
    if not inspector:
        raise Rejected("missing_answer", FIELD_TITLES["inspector"])
    if EMAIL.search(inspector):
        raise Rejected("email_as_name")

    date_raw, has_date = field_cell("date")
    if has_date:
        if not _text(date_raw):
            raise Rejected("missing_answer", FIELD_TITLES["date"])
        try:
            date = parse_date(date_raw, vocab.timezone, columns.date_order)
        except (ValueError, OverflowError):
            raise Rejected("bad_date", date_raw) from None
        check_date(date, submitted, vocab.late_entry_days)
    else:
        date = submitted.date()

    answers, typed = _answer_tables(version, vocab.form)
    ticked = None  # (section, item codes ticked) of each answered 已当场纠正的条目
    # ChecklistColumns name -> (it, the row's data), when the row has a cell of theirs
    added: dict[str, tuple[ChecklistColumns, dict]] | None = None
    i = plan.email
    out = Normalised(submitted, project, role, inspector, date, version.name if version else "",
                     _text(cells[i] if i is not None and i < n else None))
    out.coarse = not has_seconds(raw_time)
    answered = (version.name if version else None, tuple([texts[i] if i < n else "" for i in plan.items]))
    known = plan.answered.get(answered)
    if known is not None:   # these answers were read (and found to be options) in an earlier row
        out.findings, out.labels, out.encoded = known
    findings, labels = out.findings, out.labels
    for i, kind, key in plan.answers:
        value = texts[i] if i < n else ""
        if not value:
            continue
        if kind == "item":
            if known is not None:
                continue
            finding = typed.get(value, typed)   # the table itself: not seen as typed yet
            if finding is typed:
                label = norm(value)
                if label not in answers:
                    raise Rejected("not_an_option", f"条目 {key} 的答案“{short(value)}”不是选项", column=key)
                finding = answers[label]
                if len(typed) < _TYPED_MAX:
                    typed[value] = finding
            findings[key] = finding
            labels[key] = value
        elif kind == "corrected":
            if value not in (YES, NO):
                raise Rejected("not_an_option", f"已当场纠正（{key}）的答案“{short(value)}”不是“是”或“否”",
                               column=f"已当场纠正（{key}）")
            out.corrected[key] = value == YES
        elif kind == "corrected_items":
            if ticked is None:
                ticked = []
            ticked.append((key, corrected_codes(value, vocab.corrected_options(version, key), key)))
        elif kind == "note":
            out.notes[key] = value
        elif kind == "info":   # kept as given, under its title (as an unmapped column's answer is)
            out.extra[PATROL_FIELDS[key]] = value
        else:   # a column an instrument added (see ChecklistColumns)
            if added is None:
                added = {a.name: (a, {}) for a in vocab.added}
            reader, data = added[kind]
            reader.cell(data, key, value)
    if known is None:
        if len(plan.answered) >= _ANSWERED_MAX:
            plan.answered.clear()
        out.encoded = (COMPACT_JSON(findings), COMPACT_JSON(labels), _SORTED_JSON(findings))
        plan.answered[answered] = (findings, labels, out.encoded)
    required, checkboxes = plan.for_version(version, vocab, columns)
    if checkboxes:
        # each ticked item is corrected on the spot (a tick on an item answered 符合 is kept and means nothing:
        # no action opens for it); each other finding of those sections is not, unless the row answered the
        # section's 是/否 of the first forms instead (a sheet keeps that column beside the checkbox)
        for _, codes in ticked or ():
            out.corrected.update(dict.fromkeys(codes, True))
        for section, options in checkboxes:
            if section in out.corrected:
                continue
            for code in options:
                if findings.get(code) and code not in out.corrected:
                    out.corrected[code] = False
    for reader, data in (added or {}).values():
        fields_ = reader.finish(data)
        if fields_:
            out.added[reader.name] = fields_
    # every item of the form version is required: a blank one is a damaged row (a cut-off line, a
    # cleared cell), never 不适用; items without a column are the header's problem (the run checks that)
    blank = [code for code in required if code not in findings]
    if blank:
        raise Rejected("unanswered", "、".join(blank), column=blank[0])
    if not findings:
        raise Rejected("missing_answer", "没有任何条目的答案")
    for i, name in [*columns.unmapped, *((i, columns.header[i]) for i in spare)]:
        if i < n and texts[i]:
            key = norm(name) or f"#{i + 1}"
            out.extra[key if key not in out.extra else f"{key} #{i + 1}"] = texts[i]
    return out
