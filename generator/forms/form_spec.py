"""Generate a Google Form per checklist: pure data in, request bodies out.

A form is made with `forms.create` (title only: Google copies nothing else) and
one `forms.batchUpdate` that fills it. The layout is phone-first: an opening page
(project, role, inspector, date), then one page per content section with one
required radio question per item and, at the end of the page, an optional
问题说明 paragraph and 已当场纠正的条目 (a checkbox per item of the page: each finding's own
当场纠正, as the printed sheet asks it per finding).

Item and question ids are derived from codes, so the same item always has the
same ids in every form and every push. Google accepts client-chosen ids that
are 8 lowercase hex digits no greater than 7fffffff (a positive int32; the
decimal value is the `entry.<n>` prefill parameter).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..context import standards_context
from ..errors import HandbookError
from ..inspection import (COMPLIANT, FIELD_TITLES, NOT_APPLICABLE, PATROL_FIELDS, PERIODS, answer_options,
                          corrected_items_title, findings_to_empty, note_title, round_label)
from ..labels import daily_rounds
from ..messages import Msg
from ..standards import Standards

# Kinds of question recorded in the lock file, besides items and opening fields. CORRECTED (是/否 per section)
# is what the first form versions asked; forms now ask CORRECTED_ITEMS (the page's items, ticked per finding).
NOTE, CORRECTED, CORRECTED_ITEMS = "note", "corrected", "corrected_items"
# The note's help text: what to write, and no personal data (people's names cannot be masked reliably on
# the site; the other kinds are masked, `text.mask_contacts`, but are better not written at all)
NOTE_HELP = ("选填：写明不符合的条目代码、位置和情况。请不要写业主、住户或员工的姓名，也不要写电话、证件号、"
             "车牌和门牌号"
             "（位置写到楼栋或区域即可）。")
ITEM_KINDS = ("questionItem", "questionGroupItem", "pageBreakItem", "textItem", "imageItem", "videoItem")


def stable_id(key: str) -> str:
    """An 8-hex-digit id in 00000000..7fffffff derived from `key` (Google's accepted id format)."""
    value = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") & 0x7FFFFFFF
    return f"{value:08x}"


def item_title(code: str, short: str) -> str:
    """Title of an item's question; ingest maps a response column by the code at its start."""
    return f"{code} {short}"


def _num(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class FormSpec:
    """Everything sent to Google for one checklist, plus what each question id means."""

    checklist: str
    title: str
    version: str
    create: dict                      # forms.create body
    batch_update: dict                # forms.batchUpdate body that fills an empty form
    publish: dict                     # forms.setPublishSettings body
    questions: dict[str, dict] = field(default_factory=dict)  # question id -> lock entry
    options: tuple[str, ...] = ()     # item answer labels recorded in the lock (none for a quiz or survey)
    answers: dict[str, int | None] = field(default_factory=dict)   # each of those labels -> findings

    @property
    def items(self) -> list[dict]:
        """The items of the finished form, in order."""
        return [r["createItem"]["item"] for r in self.batch_update["requests"] if "createItem" in r]

    @property
    def info(self) -> dict:
        """The finished form's info (title from create, description from updateFormInfo)."""
        info = dict(self.create["info"])
        info.pop("documentTitle", None)
        for r in self.batch_update["requests"]:
            if "updateFormInfo" in r:
                info.update(r["updateFormInfo"]["info"])
        return info

    @property
    def settings(self) -> dict:
        settings: dict = {}
        for r in self.batch_update["requests"]:
            if "updateSettings" in r:
                settings.update(r["updateSettings"]["settings"])
        return settings

    def to_data(self) -> dict:
        return {
            "checklist": self.checklist,
            "standardsVersion": self.version,
            "create": self.create,
            "batchUpdate": self.batch_update,
            "setPublishSettings": self.publish,
            "questions": self.questions,
        }

    def to_json(self) -> str:
        """The JSON written to forms/<checklist>.json: byte-identical for the same standards."""
        return json.dumps(self.to_data(), ensure_ascii=False, indent=2) + "\n"


def instrument_form(form_id: str, title: str, version: str, description: str, items: list[dict],
                    questions: dict[str, dict], *, quiz: bool = False) -> FormSpec:
    """An instrument's own form (questionnaire, exam, fix report): its description, no e-mail address ever
    collected (and graded as a quiz when `quiz`), its items in order, published and accepting responses."""
    settings: dict = {"emailCollectionType": "DO_NOT_COLLECT"}
    mask = "emailCollectionType"
    if quiz:   # a quiz first, so the questions below may carry grading
        settings["quizSettings"] = {"isQuiz": True}
        mask += ",quizSettings.isQuiz"
    requests: list[dict] = [
        {"updateFormInfo": {"info": {"description": description}, "updateMask": "description"}},
        {"updateSettings": {"settings": settings, "updateMask": mask}},
    ]
    requests += [{"createItem": {"item": item, "location": {"index": i}}} for i, item in enumerate(items)]
    return FormSpec(
        checklist=form_id, title=title, version=version,
        create={"info": {"title": title, "documentTitle": f"{title}（{form_id}）"}},
        batch_update={"includeFormInResponse": True, "requests": requests},
        publish={"publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": True}},
                 "updateMask": "publishState"},
        questions=questions,
    )


# ---------------------------------------------------------------- question builders

def choice_question(qid: str, options: list[str], kind: str = "RADIO", required: bool = True) -> dict:
    """A choice question (RADIO, DROP_DOWN or CHECKBOX) with these option labels."""
    return {"questionId": qid, "required": required,
            "choiceQuestion": {"type": kind, "options": [{"value": o} for o in options]}}


def question_item(key: str, title: str, question: dict, description: str | None = None) -> dict:
    """A form item holding one question; its item id is derived from `key`."""
    item: dict = {"itemId": stable_id(f"item:{key}"), "title": title}
    if description:
        item["description"] = description
    item["questionItem"] = {"question": question}
    return item


def _item_description(item) -> str:
    lines = []
    if item.critical:
        lines.append("【红线】发现即判本次检查不合格。")
    lines.append(item.text.strip())
    fix = "当场整改" if item.fix_within_days == 0 else f"{item.fix_within_days} 天内整改"
    empty = findings_to_empty(item.points, item.deduction)
    lines.append(f"分值 {_num(item.points)} 分，每处扣 {_num(item.deduction)} 分，{empty} 处扣完（得 0 分）；{fix}。")
    if item.guidance:
        lines.append(f"检查要点：{item.guidance.strip()}")
    return "\n".join(lines)


def _form_description(standards: Standards, checklist) -> str:
    doc = standards.document
    parts = []
    if checklist.description:
        parts.append(checklist.description.strip())
    parts.append(f"每个条目点选一项：{COMPLIANT} / 不符合 1 处 / 不符合 2 处 …… / 不符合 N 处及以上（扣完） / "
                 f"{NOT_APPLICABLE}。N 是扣完该条目分值的处数（见条目说明），选到“扣完”该条目得 0 分。"
                 "发现问题时，在该页末尾的“问题说明”中写明条目代码、位置和情况；"
                 "在“已当场纠正的条目”中勾选当场纠正了的条目。")
    parts.append(f"标准版本 {doc.version}（{doc.number} {doc.title}）")
    return "\n\n".join(parts)


def build_form(standards: Standards, checklist_id: str, *, instruments: Sequence) -> FormSpec:
    """The create body, fill requests and question map of one checklist's form.

    Each of `instruments` may add items at the end (`Instrument.checklist_items`: the questioning grid).
    """
    checklist = standards.checklists[checklist_id]
    chosen = {i.code for i in standards.checklist_items(checklist_id)}
    questions: dict[str, dict] = {}
    items: list[dict] = []
    answers: dict[str, int | None] = {}    # every item option of this form -> findings (for the lock)

    def add_question(key: str, title: str, question: dict, entry: dict, description: str | None = None):
        qid = question["questionId"]
        items.append(question_item(key, title, question, description))
        questions[qid] = {**entry, "title": title}

    # opening page
    project_ids = checklist.projects or [p.id for p in standards.organisation.projects if p.active]
    projects = [standards.projects[p].name for p in project_ids]
    roles = [standards.roles[r].name for r in checklist.roles]
    add_question("field:project", FIELD_TITLES["project"],
                 choice_question(stable_id("question:field:project"), projects, "DROP_DOWN"), {"field": "project"})
    add_question("field:role", FIELD_TITLES["role"],
                 choice_question(stable_id("question:field:role"), roles), {"field": "role"})
    add_question("field:inspector", FIELD_TITLES["inspector"],
                 {"questionId": stable_id("question:field:inspector"), "required": True,
                  "textQuestion": {"paragraph": False}},
                 {"field": "inspector"}, "填写姓名（不要填写电子邮箱）。")
    add_question("field:date", FIELD_TITLES["date"],
                 {"questionId": stable_id("question:field:date"), "required": True,
                  "dateQuestion": {"includeYear": True}},
                 {"field": "date"}, "实际检查的日期（先在纸质表上填写、事后补录时尤其要填对）。")
    rounds = daily_rounds(standards, checklist)
    if rounds:   # 程序 4.5.1, 4.5.2: which of the day's patrols this is (as the paper sheet records it)
        add_question("info:period", PATROL_FIELDS["period"],
                     choice_question(stable_id("question:info:period"), list(PERIODS), required=False),
                     {"info": "period"})
        add_question("info:round", PATROL_FIELDS["round"],
                     choice_question(stable_id("question:info:round"), [round_label(n) for n in range(1, rounds + 1)],
                                     required=False),
                     {"info": "round"})
        add_question("info:time", PATROL_FIELDS["time"],
                     {"questionId": stable_id("question:info:time"), "required": False,
                      "textQuestion": {"paragraph": False}},
                     {"info": "time"}, "选填：例如 10:30。在现场提交的可不填，事后补录纸质表时照纸质表填写。")

    # one page per content section
    for section in standards.sections:
        section_items = [i for i in section.items if i.code in chosen]
        if not section_items:
            continue
        number, title = section.number, section.title
        total = sum(i.points for i in section_items)
        items.append({"itemId": stable_id(f"page:{number}"), "title": f"{number} {title}",
                      "description": f"本页 {len(section_items)} 个条目，共 {_num(total)} 分。",
                      "pageBreakItem": {}})
        for item in section_items:
            options = answer_options(item.points, item.deduction)
            answers.update(options)
            add_question(f"code:{item.code}", item_title(item.code, item.short),
                         choice_question(stable_id(f"question:code:{item.code}"), list(options)),
                         {"item": item.code}, _item_description(item))
        add_question(f"note:{number}", note_title(number, title),
                     {"questionId": stable_id(f"question:note:{number}"), "required": False,
                      "textQuestion": {"paragraph": True}},
                     {"section": number, "kind": NOTE}, NOTE_HELP)
        # one tick per finding, as the printed sheet's 当场纠正 column; a new question id, so a response sheet
        # keeps the first versions' 是/否 column beside it (their answers keep their meaning)
        add_question(f"corrected-items:{number}", corrected_items_title(number, title),
                     choice_question(stable_id(f"question:corrected-items:{number}"),
                                     [item_title(i.code, i.short) for i in section_items], "CHECKBOX",
                                     required=False),
                     {"section": number, "kind": CORRECTED_ITEMS, "items": [i.code for i in section_items]},
                     "勾选本页发现问题后已当场纠正、示范指导的条目（程序 4.1.4）。没有问题或未当场纠正的不勾选。")

    if rounds:   # 程序 4.6.3-a: penalties name the person at fault; optional, as on the paper sheet
        add_question("info:at_fault", PATROL_FIELDS["at_fault"],
                     {"questionId": stable_id("question:info:at_fault"), "required": False,
                      "textQuestion": {"paragraph": False}},
                     {"info": "at_fault"}, "选填：发现问题的当事人姓名（不要填写电子邮箱或电话）。没有可不填。")

    # what other instruments record on the checklist's form (random questioning 4.4.2.1: who was asked, a grid)
    context = standards_context(standards, instruments)
    for instrument in context.instruments:
        extra_items, extra_questions = instrument.checklist_items(context, checklist)
        items += extra_items
        questions.update(extra_questions)

    check_unique_ids(checklist_id, items)
    requests: list[dict] = [
        {"updateFormInfo": {"info": {"description": _form_description(standards, checklist)},
                            "updateMask": "description"}},
        # inspectors type their name; an e-mail address is never collected
        {"updateSettings": {"settings": {"emailCollectionType": "DO_NOT_COLLECT"},
                            "updateMask": "emailCollectionType"}},
    ]
    requests += [{"createItem": {"item": item, "location": {"index": i}}} for i, item in enumerate(items)]
    return FormSpec(
        checklist=checklist_id,
        title=checklist.title,
        version=standards.document.version,
        create={"info": {"title": checklist.title, "documentTitle": f"{checklist.title}（{checklist_id}）"}},
        batch_update={"includeFormInResponse": True, "requests": requests},
        publish={"publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": True}},
                 "updateMask": "publishState"},
        questions=questions,
        options=tuple(ordered_labels(answers)),
        answers=dict((label, answers[label]) for label in ordered_labels(answers)),
    )


def ordered_labels(answers: dict[str, int | None]) -> list[str]:
    """符合, then by findings (不符合 k 处 before 不符合 k 处及以上（扣完）), then 不适用."""
    return sorted(answers, key=lambda label: (answers[label] is None, answers[label] or 0, label != COMPLIANT,
                                              "扣完" in label))


def check_unique_ids(checklist_id: str, items: list[dict]) -> None:
    """Refuse a form whose generated item or question ids collide (`HandbookError`)."""
    seen: dict[str, str] = {}
    for item in items:
        ids = [item["itemId"]]
        if "questionItem" in item:
            ids.append(item["questionItem"]["question"]["questionId"])
        for i in ids:
            if i in seen:  # a 1-in-2^31 hash collision: say so rather than send a broken form
                raise HandbookError(Msg.FORM_ID_COLLISION, checklist=checklist_id, title=item["title"],
                                    other=seen[i], id=i)
            seen[i] = item["title"]


def form_ids(standards: Standards, instruments: Sequence) -> list[str]:
    """Every form's id, in the order of `instruments` (the checklists in the order of checklists.yaml first)."""
    out: list[str] = []
    for instrument in instruments:
        out += [f for f in instrument.form_ids(standards) if f not in out]
    return out


def build_any_form(standards: Standards, form_id: str, instruments: Sequence) -> FormSpec:
    """The form `form_id` of whichever instrument lists it (a checklist, the customer questionnaire …)."""
    for instrument in instruments:
        if form_id in instrument.form_ids(standards):
            return instrument.build_form(standards_context(standards, instruments), form_id)
    raise KeyError(form_id)


def build_forms(standards: Standards, instruments: Sequence) -> dict[str, FormSpec]:
    """Every form of `instruments`, keyed by id, in the order of `form_ids`."""
    return {fid: build_any_form(standards, fid, instruments) for fid in form_ids(standards, instruments)}


def write_forms(specs: dict[str, FormSpec], out_dir: Path | str) -> list[Path]:
    """Write forms/<checklist>.json for each spec; unchanged files are not rewritten."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for cid, spec in specs.items():
        path = out / f"{cid}.json"
        text = spec.to_json()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
