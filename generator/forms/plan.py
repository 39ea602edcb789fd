"""Update a live form in place: the batchUpdate requests that turn it into the generated one.

Pure: takes the form as `forms.get` returned it and a `FormSpec`, returns requests.
Items are matched by item id (derived from codes), so unchanged items keep their
question ids and the response sheet keeps its columns. Order of requests:
deletions from the bottom up, then for each wanted position a move, an update
and/or a create, simulating Google's index semantics as it goes.
"""

from __future__ import annotations

from .form_spec import ITEM_KINDS, FormSpec

# Settings Google leaves out of forms.get when they have their default value.
SETTING_DEFAULTS = {"emailCollectionType": "DO_NOT_COLLECT"}


def _clean(value):
    """Drop false/empty leaves, which Google omits when it echoes a form back."""
    if isinstance(value, dict):
        out = {k: _clean(v) for k, v in value.items() if v not in (False, "", None, [])}
        return out
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _kind(item: dict) -> str | None:
    return next((k for k in ITEM_KINDS if k in item), None)


def _without_ids(item: dict) -> dict:
    item = {k: v for k, v in item.items() if k != "itemId"}
    if "questionItem" in item:
        question = {k: v for k, v in item["questionItem"]["question"].items() if k != "questionId"}
        item["questionItem"] = {**item["questionItem"], "question": question}
    return _clean(item)


def changed_paths(current: dict, wanted: dict) -> list[str]:
    """Field-mask paths (relative to Item) where `wanted` differs from `current`, ids excluded."""
    a, b = _without_ids(current), _without_ids(wanted)
    paths = []
    for key in sorted(set(a) | set(b)):
        if key == "questionItem" and key in a and key in b:
            qa, qb = a[key].get("question", {}), b[key].get("question", {})
            paths += [f"questionItem.question.{k}" for k in sorted(set(qa) | set(qb)) if qa.get(k) != qb.get(k)]
            paths += [f"questionItem.{k}" for k in sorted(set(a[key]) | set(b[key]))
                      if k != "question" and a[key].get(k) != b[key].get(k)]
        elif a.get(key) != b.get(key):
            paths.append(key)
    return paths


def _with_ids_of(current: dict, wanted: dict) -> dict:
    """`wanted` carrying the live item's ids, so an update never changes a question id."""
    item = dict(wanted, itemId=current["itemId"])
    if "questionItem" in item and "questionItem" in current:
        question = dict(item["questionItem"]["question"])
        live_id = current["questionItem"]["question"].get("questionId")
        if live_id:
            question["questionId"] = live_id
        item["questionItem"] = {**item["questionItem"], "question": question}
    return item


def plan_update(form: dict, spec: FormSpec) -> list[dict]:
    """The requests that make the live `form` match `spec`; empty when nothing changed."""
    requests: list[dict] = []

    wanted_info, info = spec.info, form.get("info", {})
    info_paths = [k for k in ("title", "description") if (info.get(k) or "") != (wanted_info.get(k) or "")]
    if info_paths:
        requests.append({"updateFormInfo": {"info": {k: wanted_info.get(k, "") for k in info_paths},
                                            "updateMask": ",".join(info_paths)}})

    settings = form.get("settings", {})
    setting_paths = [k for k, v in spec.settings.items() if settings.get(k, SETTING_DEFAULTS.get(k)) != v]
    if setting_paths:
        requests.append({"updateSettings": {"settings": {k: spec.settings[k] for k in setting_paths},
                                            "updateMask": ",".join(setting_paths)}})

    wanted = spec.items
    wanted_by_id = {i["itemId"]: i for i in wanted}
    live = list(form.get("items", []))

    # 1. delete what is no longer wanted (or changed kind), bottom up so indices stay valid
    for index in range(len(live) - 1, -1, -1):
        item = live[index]
        target = wanted_by_id.get(item.get("itemId"))
        if target is None or _kind(target) != _kind(item):
            requests.append({"deleteItem": {"location": {"index": index}}})
            del live[index]

    # 2. walk the wanted order: move into place, update content, or create
    for index, target in enumerate(wanted):
        position = next((j for j, item in enumerate(live) if item.get("itemId") == target["itemId"]), None)
        if position is None:
            requests.append({"createItem": {"item": target, "location": {"index": index}}})
            live.insert(index, target)
            continue
        if position != index:
            requests.append({"moveItem": {"originalLocation": {"index": position}, "newLocation": {"index": index}}})
            live.insert(index, live.pop(position))
        paths = changed_paths(live[index], target)
        if paths:
            requests.append({"updateItem": {"item": _with_ids_of(live[index], target),
                                            "location": {"index": index}, "updateMask": ",".join(paths)}})
    return requests


def question_map(form: dict, spec: FormSpec) -> dict[str, dict]:
    """Live question id -> lock entry, for the items of `form` that `spec` generated."""
    wanted_qid = {i["itemId"]: i["questionItem"]["question"]["questionId"] for i in spec.items if "questionItem" in i}
    out = {}
    for item in form.get("items", []):
        qid = wanted_qid.get(item.get("itemId"))
        live = item.get("questionItem", {}).get("question", {}).get("questionId")
        if qid and live:
            out[live] = spec.questions[qid]
    return out
