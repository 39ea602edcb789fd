"""Validate Forms API request bodies against Google's own discovery document.

The Forms API v1 discovery document ships inside google-api-python-client
(`googleapiclient/discovery_cache/documents/forms.v1.json`). This walker follows
its schemas and reports every problem with a path such as
`batchUpdate.requests[3].createItem.item.questionItem.question.choiceQuestion.type`:
unknown fields (with "did you mean"), read-only (output-only) fields, wrong JSON
types, enum values, unions with other than exactly one member, field masks that
name no field, and the required fields kept by hand below (the "Required." words
in the descriptions are not reliable: `Form.items` says Required yet
`forms.create` refuses it).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import HandbookError
from ..messages import Msg

DISCOVERY = ("googleapiclient", "discovery_cache/documents/forms.v1.json")

# Schemas that are unions: exactly one of these members must be set.
UNIONS: dict[str, tuple[str, ...]] = {
    "Request": ("createItem", "deleteItem", "moveItem", "updateFormInfo", "updateItem", "updateSettings"),
    "Item": ("questionItem", "questionGroupItem", "pageBreakItem", "textItem", "imageItem", "videoItem"),
    "Question": ("choiceQuestion", "dateQuestion", "fileUploadQuestion", "ratingQuestion", "rowQuestion",
                 "scaleQuestion", "textQuestion", "timeQuestion"),
}

# Hand-kept required fields per schema (request kinds first).
REQUIRED: dict[str, tuple[str, ...]] = {
    "BatchUpdateFormRequest": ("requests",),
    "CreateItemRequest": ("item", "location"),
    "UpdateItemRequest": ("item", "location", "updateMask"),
    "DeleteItemRequest": ("location",),
    "MoveItemRequest": ("originalLocation", "newLocation"),
    "UpdateFormInfoRequest": ("info", "updateMask"),
    "UpdateSettingsRequest": ("settings", "updateMask"),
    "Location": ("index",),
    "QuestionItem": ("question",),
    "ChoiceQuestion": ("type", "options"),
    "Option": ("value",),            # unless isOther
    "SetPublishSettingsRequest": ("publishSettings",),
    "PublishState": ("isPublished", "isAcceptingResponses"),
    # quizzes: the descriptions say "Required." and Google refuses grading without them
    "Grading": ("pointValue", "correctAnswers"),
    "CorrectAnswer": ("value",),
    "Feedback": ("text",),
}

# Field masks and the schema their paths are relative to.
MASKS: dict[str, str] = {
    "UpdateItemRequest": "Item",
    "UpdateFormInfoRequest": "Info",
    "UpdateSettingsRequest": "FormSettings",
    "SetPublishSettingsRequest": "PublishSettings",
}

# `forms.create` copies only these fields (Google's own words); everything else is refused.
CREATE_FIELDS = {"info": {"title", "documentTitle"}}

# Output-only fields that a context accepts anyway: documentTitle is "Output only" in the
# schema yet forms.create copies it. (questionId is "Read only" in prose but not flagged
# readOnly, and Google accepts it on creation: that is how ids stay stable.)
READ_ONLY_ALLOWED = {("Info", "documentTitle"): {"create"}}

INT32 = (-(2 ** 31), 2 ** 31 - 1)
TYPE_NAMES = {"string": "字符串", "boolean": "布尔值（true/false）", "integer": "整数", "number": "数字",
              "object": "对象", "array": "数组"}


@dataclass(frozen=True)
class Problem:
    """One thing Google would refuse, at a path inside a body."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@lru_cache(maxsize=1)
def discovery() -> dict:
    """The Forms API v1 discovery document shipped with google-api-python-client."""
    package, name = DISCOVERY
    return json.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))


def schemas() -> dict:
    return discovery()["schemas"]


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class _Walker:
    def __init__(self, context: str):
        self.context = context
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path or "(根)", message))

    def check(self, value, prop: dict, path: str) -> None:
        """Check `value` against a property schema (`$ref` or `type`)."""
        if "$ref" in prop:
            self.check_object(value, prop["$ref"], path)
            return
        expected = prop.get("type", "any")
        actual = _json_type(value)
        if expected == "any":
            return
        if expected == "array":
            if actual != "array":
                self.add(path, f"类型错误：应为数组，实际为{TYPE_NAMES.get(actual, actual)}")
                return
            for i, element in enumerate(value):
                self.check(element, prop.get("items", {}), f"{path}[{i}]")
            return
        if expected == "object":
            if actual != "object":
                self.add(path, f"类型错误：应为对象，实际为{TYPE_NAMES.get(actual, actual)}")
            elif "additionalProperties" in prop:
                for key, element in value.items():
                    self.check(element, prop["additionalProperties"], f"{path}.{key}")
            return
        fmt = prop.get("format")
        if expected == "integer" and fmt in ("int64", "uint64"):
            ok = actual == "integer" or (actual == "string" and value.lstrip("-").isdigit())
        elif expected == "number":
            ok = actual in ("integer", "number")
        else:
            ok = actual == expected
        if not ok:
            self.add(path, f"类型错误：应为{TYPE_NAMES.get(expected, expected)}，"
                           f"实际为{TYPE_NAMES.get(actual, actual)} {json.dumps(value, ensure_ascii=False)}")
            return
        if expected == "integer" and fmt == "int32" and not INT32[0] <= value <= INT32[1]:
            self.add(path, f"超出 int32 范围：{value}")
        enum = prop.get("enum")
        if enum is not None:
            if value not in enum:
                near = difflib.get_close_matches(value, enum, n=1)
                hint = f"（是不是 {near[0]}？）" if near else ""
                self.add(path,
                         f"无效的枚举值 “{value}”{hint}，可选："
                         f"{', '.join(e for e in enum if not e.endswith('_UNSPECIFIED'))}")
            elif value.endswith("_UNSPECIFIED"):
                self.add(path,
                         f"“{value}”是占位值，Google 不接受；可选："
                         f"{', '.join(e for e in enum if not e.endswith('_UNSPECIFIED'))}")

    def check_object(self, value, name: str, path: str) -> None:
        schema = schemas()[name]
        if not isinstance(value, dict):
            self.add(path,
                     f"类型错误：应为对象（{name}），实际为{TYPE_NAMES.get(_json_type(value), _json_type(value))}")
            return
        props = schema.get("properties", {})
        for key, element in value.items():
            here = f"{path}.{key}" if path else key
            if key not in props:
                near = difflib.get_close_matches(key, props, n=1)
                hint = f"（是不是 {near[0]}？）" if near else ""
                self.add(here, f"未知字段 “{key}”{hint}：{name} 只有 {', '.join(sorted(props))}")
                continue
            prop = props[key]
            if prop.get("readOnly") and self.context not in READ_ONLY_ALLOWED.get((name, key), ()):
                self.add(here, f"只读字段（Output only）：{name}.{key} 由 Google 生成，请求中不能带")
                continue
            self.check(element, prop, here)
        self.check_rules(value, name, path)

    def check_rules(self, value: dict, name: str, path: str) -> None:
        prefix = f"{path}." if path else ""
        members = UNIONS.get(name)
        if members:
            present = [m for m in members if m in value]
            if len(present) != 1:
                got = "、".join(present) if present else "一个也没有"
                self.add(path, f"{name} 必须恰好有一种：{' / '.join(members)}；实际为 {got}")
        for key in REQUIRED.get(name, ()):
            if name == "Option" and value.get("isOther"):
                continue
            if key not in value:
                self.add(f"{prefix}{key}", f"缺少必填字段 {name}.{key}")
            elif value[key] in ([], ""):
                self.add(f"{prefix}{key}", f"必填字段 {name}.{key} 不能为空")
        target = MASKS.get(name)
        if target and isinstance(value.get("updateMask"), str):
            for field_path in (p.strip() for p in value["updateMask"].split(",")):
                if field_path != "*" and not _mask_path_exists(target, field_path):
                    self.add(f"{prefix}updateMask", f"字段掩码中的 “{field_path}” 不是 {target} 的字段")


def _mask_path_exists(schema_name: str, field_path: str) -> bool:
    name: str | None = schema_name
    for part in field_path.split("."):
        if name is None:
            return False
        prop = schemas()[name].get("properties", {}).get(part)
        if prop is None:
            return False
        name = prop.get("$ref") or prop.get("items", {}).get("$ref")
    return True


def validate(body, schema: str, *, context: str = "", path: str = "") -> list[Problem]:
    """Every problem of `body` as an instance of the discovery schema `schema`."""
    walker = _Walker(context)
    walker.check_object(body, schema, path)
    return walker.problems


def validate_create(body, path: str = "create") -> list[Problem]:
    """A forms.create body: a Form with only info.title (required) and info.documentTitle."""
    problems = validate(body, "Form", context="create", path=path)
    if isinstance(body, dict):
        for key, value in body.items():
            if key not in CREATE_FIELDS:
                problems.append(Problem(f"{path}.{key}", "forms.create 只复制 info.title 和 info.documentTitle，"
                                                         "其余内容要用 forms.batchUpdate 添加"))
            elif isinstance(value, dict):
                for sub in value:
                    if sub not in CREATE_FIELDS[key]:
                        problems.append(Problem(f"{path}.{key}.{sub}", "forms.create 只复制 info.title 和 "
                                                                       "info.documentTitle，请改用 updateFormInfo"))
        if not (isinstance(body.get("info"), dict) and body["info"].get("title")):
            problems.append(Problem(f"{path}.info.title", "缺少必填字段 Info.title"))
    return _dedupe(problems)


def validate_batch_update(body, path: str = "batchUpdate") -> list[Problem]:
    return validate(body, "BatchUpdateFormRequest", path=path)


def validate_publish(body, path: str = "setPublishSettings") -> list[Problem]:
    return validate(body, "SetPublishSettingsRequest", path=path)


def validate_spec(spec) -> list[Problem]:
    """Every problem of a generated form (`build.FormSpec`)."""
    return (validate_create(spec.create) + validate_batch_update(spec.batch_update)
            + validate_publish(spec.publish))


def require_valid(label: str, problems: list[Problem]) -> None:
    """Raise a HandbookError naming the first problems when there are any."""
    if problems:
        shown = "；".join(str(p) for p in problems[:5])
        more = f"（另有 {len(problems) - 5} 处）" if len(problems) > 5 else ""
        raise HandbookError(Msg.FORM_INVALID(label=label, count=len(problems), shown=shown, more=more))


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            out.append(p)
    return out
