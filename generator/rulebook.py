"""Which scoring rules an inspection is scored with: the standards in force when it was made.

Scoring needs of the standards only what this module keeps per standards version (`Rules`): each
item's points, deduction per finding, 红线 flag, days to fix and section, and the grade bands. A
version's rules are recorded with it (in the store by every `handbook ingest`, in the lock by
`handbook forms push`), so editing the standards never re-scores what was scored before:

- procedure.yaml's change notes (`document.changes`, newest first) are the timeline. An entry takes
  effect on its `effective` date (default: its `date`); an inspection dated `d` is scored with the
  newest entry in effect on `d`. Dates before every entry take the oldest version with recorded rules.
- the current version (`document.version`) is scored with the YAML as it is; an older version with
  the rules recorded for it; one with none recorded with the nearest newer version that has them.
- a store or lock that records no rules at all (written before they were recorded) is scored with
  the current standards, as it always was (`RuleBook.unrecorded`: the CLI says so, once).

`with_history` binds a `RuleBook` to a `Standards`; `rules_for(standards, inspection)` is the one
lookup scoring makes. Standards without a rule book score everything with themselves, as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class ItemRule:
    """What scoring needs of one item (the attributes scoring reads of `model.Item`)."""

    code: str
    short: str
    points: float
    deduction: float
    critical: bool
    fix_within_days: int
    section: str | None = None      # the content section's number (4.2.1): 已当场纠正 is asked per section


@dataclass(frozen=True)
class Grade:
    name: str
    min: float
    max: float


@dataclass(frozen=True)
class Rules:
    """The scoring rules of one standards version (duck-types what scoring reads of `Standards`)."""

    version: str
    items: dict[str, ItemRule]
    grades: tuple[Grade, ...]

    def grade(self, percent: float) -> str:
        """The grade name for a score in 0–100 (bands: min inclusive, top band includes 100)."""
        bands = sorted(self.grades, key=lambda g: g.min)
        for band in reversed(bands):
            if percent >= band.min:
                return band.name
        return bands[0].name

    @property
    def lowest_grade(self) -> str:
        return min(self.grades, key=lambda g: g.min).name

    def section_number(self, code: str) -> str | None:
        item = self.items.get(code)
        return item.section if item else None

    def to_json(self) -> str:
        return json.dumps({"version": self.version,
                           "items": {c: {k: v for k, v in dataclasses.asdict(i).items() if k != "code"}
                                     for c, i in self.items.items()},
                           "grades": [dataclasses.asdict(g) for g in self.grades]},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_data(cls, data: Mapping) -> "Rules":
        items = {str(c): ItemRule(str(c), str(i["short"]), float(i["points"]), float(i["deduction"]),
                                  bool(i["critical"]), int(i["fix_within_days"]), i.get("section"))
                 for c, i in data["items"].items()}
        grades = tuple(Grade(str(g["name"]), float(g["min"]), float(g["max"])) for g in data["grades"])
        return cls(str(data["version"]), items, grades)

    @classmethod
    def from_json(cls, text: str) -> "Rules":
        return cls.from_data(json.loads(text))

    def only(self, codes) -> "Rules":
        """These rules for the items `codes` alone (a form's items), grades kept."""
        return Rules(self.version, {c: i for c, i in self.items.items() if c in codes}, self.grades)

    def data(self) -> dict:
        """The rules as plain data (the lock records them so with each form version)."""
        return json.loads(self.to_json())

    def same_scoring(self, other: "Rules") -> bool:
        """Whether both score every answer alike (labels and the version's name aside)."""
        def key(r: Rules):
            return ({c: (i.points, i.deduction, i.critical, i.fix_within_days) for c, i in r.items.items()},
                    sorted((g.name, g.min, g.max) for g in r.grades))
        return key(self) == key(other)


def rules_of(standards) -> Rules:
    """The scoring rules of the standards as loaded (their `document.version`)."""
    items = {}
    for code, item in standards.items.items():
        section = standards.section_of(code)
        items[code] = ItemRule(code, item.short, float(item.points), float(item.deduction), bool(item.critical),
                               int(item.fix_within_days), section.number if section else None)
    grades = tuple(Grade(g.name, float(g.min), float(g.max)) for g in standards.organisation.grades)
    return Rules(standards.document.version, items, grades)


def timeline(standards) -> list[tuple[str, dt.date]]:
    """(version, effective date) of every change note, newest first, as procedure.yaml lists them."""
    return [(c.version, c.effective or c.date) for c in standards.document.changes]


@dataclass
class RuleBook:
    """Every version's rules and when each took effect; `for_date` is the rules an inspection is scored with."""

    versions: list[tuple[str, dt.date | None]]            # newest first; None: in force on every date
    rules: dict[str, Rules]                               # version -> its rules (the current one's from the YAML)
    unrecorded: bool = False    # no rules were ever recorded: the current standards score everything
    _by_date: dict = field(default_factory=dict, repr=False)

    def for_date(self, day: dt.date) -> Rules:
        hit = self._by_date.get(day)
        if hit is None:
            hit = self._by_date[day] = self._lookup(day)
        return hit

    def _lookup(self, day: dt.date) -> Rules:
        names = [v for v, _ in self.versions]
        at = next((k for k, (_, start) in enumerate(self.versions) if start is None or start <= day), None)
        if at is None:   # before every entry: the oldest version with rules
            at = len(names) - 1
        for k in range(at, -1, -1):   # that version, else the nearest newer one with rules
            if names[k] in self.rules:
                return self.rules[names[k]]
        for k in range(at + 1, len(names)):
            if names[k] in self.rules:
                return self.rules[names[k]]
        raise LookupError(day)   # never: the current version always has rules


def build_rulebook(standards, recorded: Mapping[str, Rules]) -> RuleBook:
    """The rule book of `standards` given the rules recorded for earlier versions (store and lock)."""
    current = rules_of(standards)
    versions: list[tuple[str, dt.date | None]] = list(timeline(standards))
    if current.version not in [v for v, _ in versions]:
        # a current version without a change note: in force on every date (it re-scores everything)
        versions.insert(0, (current.version, None))
    rules = {v: r for v, r in recorded.items() if v != current.version}
    rules[current.version] = current
    return RuleBook(versions, rules, unrecorded=not recorded)


def with_history(standards, recorded: Mapping[str, Rules]):
    """`standards` whose scoring follows the versions in force (see the module's docstring)."""
    return dataclasses.replace(standards, rulebook=build_rulebook(standards, recorded))


def rules_for(standards, inspection):
    """The rules `inspection` is scored with: its version's (with a rule book), else the standards themselves."""
    book = getattr(standards, "rulebook", None)
    return standards if book is None else book.for_date(inspection.date)


def recorded_timeline(recorded: Mapping[str, tuple[dt.date | None, Rules]]) -> RuleBook:
    """The rule book as the store recorded it (what was scored before this edit): each version from its
    recorded effective date, newest first."""
    order = sorted(recorded.items(), key=lambda kv: (kv[1][0] or dt.date.min), reverse=True)
    return RuleBook([(v, start) for v, (start, _) in order], {v: r for v, (_, r) in order})
