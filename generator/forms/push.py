"""Create or update each checklist's Google Form, publish it and record it in the lock.

A checklist without a form in the lock gets `forms.create` (title only), one
`forms.batchUpdate` that fills it, and `forms.setPublishSettings`. A checklist
with a form is read with `forms.get` and updated in place (`plan.plan_update`),
so question ids and the response columns stay; nothing is sent when nothing
changed. The lock is written atomically after every step that changed Google's
side, so a failure half way never loses a form id.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ..errors import FormGone, HandbookError
from ..inspection import version_answers
from ..rulebook import rules_of
from ..messages import Msg
from ..standards import Standards
from . import lock_file as lockfile
from .form_spec import FormSpec, build_any_form, form_ids
from .plan import plan_update, question_map
from .validate import require_valid, validate_batch_update, validate_spec

PUBLISHED = {"isPublished": True, "isAcceptingResponses": True}


@dataclass
class PushResult:
    """What happened to one checklist's form."""

    checklist: str
    action: str                       # created | updated | unchanged | would-create | would-update | tencent
    form_id: str = ""
    responder_url: str = ""
    api_calls: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)   # request kinds sent in batchUpdate
    published: bool = False           # setPublishSettings was called
    needs_sheet: bool = False         # no response sheet recorded yet: the manual step is due
    linked_sheet_id: str = ""         # Google reports a linked sheet the lock does not have
    form: dict = field(default_factory=dict, repr=False)   # the live form after the push
    title: str = ""                   # the form's title


def _now(standards: Standards) -> dt.datetime:
    return dt.datetime.now(zoneinfo.ZoneInfo(standards.organisation.timezone)).replace(microsecond=0)


def _counts(requests: list[dict]) -> list[str]:
    return [next(iter(r)) for r in requests]


def push(standards: Standards, *, lock_path: Path | str = lockfile.DEFAULT_LOCK,
         credentials: Path | str | None = None, dry_run: bool = False, checklists: list[str] | None = None,
         recreate: bool = False, endpoint: str | None = None, client=None,
         progress: Callable[[str], None] | None = None, now: dt.datetime | None = None,
         specs: dict[str, FormSpec] | None = None, instruments: Sequence) -> list[PushResult]:
    """Push every checklist's form (or only `checklists`); returns one result per checklist.

    The forms are those of `instruments` (`generator.instruments.INSTRUMENTS`); `specs` pushes these
    ready-made forms instead (e.g. a quarterly exam quiz, keyed `exam-2026Q4`).
    """
    lock_path = Path(lock_path)
    data = lockfile.read_lock(lock_path)        # a broken lock stops everything before any API call
    if specs is None:
        known = form_ids(standards, instruments)   # the checklists, then the customer questionnaire
        wanted = checklists or known
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise HandbookError(Msg.UNKNOWN_FORMS, unknown="、".join(unknown), known="、".join(known))
        specs = {cid: build_any_form(standards, cid, instruments) for cid in wanted}
    for cid, spec in specs.items():
        require_valid(f"检查表 {cid} 的表单", validate_spec(spec))
    say = progress or (lambda _msg: None)

    results = []
    for cid, spec in specs.items():
        entry = data["checklists"].get(cid)
        if entry and entry.get("source") == "tencent" and not recreate:   # answered on 腾讯问卷: no Google form
            results.append(PushResult(cid, "tencent", form_id=entry.get("survey_id", ""), title=spec.title))
            continue
        if dry_run:
            results.append(PushResult(cid, "would-update" if entry and not recreate else "would-create",
                                      form_id=(entry or {}).get("form_id", ""),
                                      changes=_counts(spec.batch_update["requests"]), title=spec.title))
            continue
        if client is None:
            from .google import FormsClient
            client = FormsClient.from_flag(credentials, endpoint)
        first_call = len(client.calls)
        if entry is None or recreate:
            result = _create(client, spec, data, lock_path, say)
        else:
            result = _update(client, spec, entry, data, lock_path, say)
        result.api_calls = client.calls[first_call:]
        result.title = spec.title
        _record_version(data, spec, result, now or _now(standards), lock_path, _rules(standards, spec))
        entry = data["checklists"][cid]
        result.needs_sheet = not entry["sheets"]
        results.append(result)
    return results


def _create(client, spec: FormSpec, data: dict, lock_path: Path, say) -> PushResult:
    say(f"{spec.checklist}：新建表单“{spec.title}”…")
    form = client.create(spec.create, unpublished=True)
    previous = data["checklists"].get(spec.checklist, {})
    data["checklists"][spec.checklist] = {
        "form_id": form["formId"],
        "responder_url": form.get("responderUri", ""),
        "title": spec.title,
        "sheets": previous.get("sheets", []),      # a recreated form keeps the old sheets readable
        "versions": previous.get("versions", {}),
    }
    lockfile.write_lock(lock_path, data)            # the form exists now: never lose its id
    body = dict(spec.batch_update, writeControl={"requiredRevisionId": form["revisionId"]})
    require_valid(f"检查表 {spec.checklist} 的 batchUpdate", validate_batch_update(body))
    reply = client.batch_update(form["formId"], body)
    final = reply.get("form") or client.get(form["formId"])
    client.set_publish_settings(form["formId"], spec.publish)
    return PushResult(spec.checklist, "created", form["formId"], final.get("responderUri", ""),
                      changes=_counts(body["requests"]), published=True,
                      form=final)


def _update(client, spec: FormSpec, entry: dict, data: dict, lock_path: Path, say) -> PushResult:
    form_id = entry["form_id"]
    try:
        form = client.get(form_id)
    except FormGone:
        raise HandbookError(Msg.FORM_GONE, checklist=spec.checklist, form_id=form_id) from None
    requests = plan_update(form, spec)
    final = form
    if requests:
        say(f"{spec.checklist}：更新表单 {form_id}（{len(requests)} 处改动）…")
        body = {"includeFormInResponse": True, "requests": requests,
                "writeControl": {"requiredRevisionId": form["revisionId"]}}
        require_valid(f"检查表 {spec.checklist} 的 batchUpdate", validate_batch_update(body))
        final = client.batch_update(form_id, body).get("form") or client.get(form_id)
    state = form.get("publishSettings", {}).get("publishState")
    published = False
    # legacy forms have no publishSettings and are always published
    if state is not None and {k: state.get(k, False) for k in PUBLISHED} != PUBLISHED:
        client.set_publish_settings(form_id, spec.publish)
        published = True
    entry["responder_url"] = final.get("responderUri", entry.get("responder_url", ""))
    return PushResult(spec.checklist, "updated" if requests else "unchanged", form_id, entry["responder_url"],
                      changes=_counts(requests), published=published, form=final)


def _rules(standards, spec: FormSpec) -> dict:
    """What scoring needs of the standards for the form's items (none for a quiz or questionnaire)."""
    codes = {q["item"] for q in spec.questions.values() if q.get("item")}
    return rules_of(standards).only(codes).data() if codes else {}


def _record_version(data: dict, spec: FormSpec, result: PushResult, now: dt.datetime, lock_path: Path,
                    rules: dict | None = None) -> None:
    """Record the version pushed (questions of the live form, the standards' scoring rules of its items);
    write the lock only if it changed."""
    entry = data["checklists"][spec.checklist]
    form = result.form
    entry["responder_url"] = result.responder_url or entry.get("responder_url", "")
    sheet_ids = {s["spreadsheet_id"] for s in entry["sheets"]}
    linked = form.get("linkedSheetId", "")
    result.linked_sheet_id = linked if linked and linked not in sheet_ids else ""
    versions = entry.setdefault("versions", {})
    old = versions.get(spec.version)
    questions = dict(old["questions"]) if old else {}
    questions.update(question_map(form, spec))
    revision = form.get("revisionId", "")
    options, answers = list(spec.options), dict(spec.answers)
    if answers and old:
        # labels this version had before keep their meaning for the responses given with them
        answers = {**version_answers(old.get("options") or (), old.get("answers")), **answers}
        options = list(answers)
    if old and old.get("revision_id") == revision and old.get("questions") == questions \
            and old.get("options") == options and (old.get("answers") or {}) == answers \
            and old.get("form_id", entry["form_id"]) == entry["form_id"] and (old.get("rules") or {}) == (rules or {}):
        return
    versions[spec.version] = {
        "form_id": entry["form_id"],
        "revision_id": revision,
        "pushed": now,
        "options": options,
        **({"answers": answers} if answers else {}),
        "questions": questions,
        **({"rules": rules} if rules else {}),
    }
    lockfile.write_lock(lock_path, data)
