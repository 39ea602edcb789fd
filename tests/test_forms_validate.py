"""The validator built from Google's discovery document rejects broken bodies with clear paths."""

from __future__ import annotations

import copy

import pytest

from generator.errors import HandbookError
from generator.forms.form_spec import build_form
from generator.forms.validate import (discovery, require_valid, validate, validate_batch_update,
                                      validate_create, validate_publish)
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT


@pytest.fixture(scope="module")
def spec():
    return build_form(require_standards(ROOT / "standards", instruments=INSTRUMENTS), "daily-patrol",
                      instruments=INSTRUMENTS)


def radio(**question):
    return {"createItem": {"item": {"title": "4.2.1.1-a 办公区", "questionItem": {"question": {
        "required": True, "choiceQuestion": {"type": "RADIO", "options": [{"value": "符合"}]}, **question}}},
        "location": {"index": 0}}}


def body(*requests):
    return {"requests": list(requests)}


def only(problems):
    assert len(problems) == 1, problems
    return problems[0]


def test_uses_the_discovery_document_shipped_with_the_client():
    doc = discovery()
    assert doc["name"] == "forms" and doc["version"] == "v1"
    assert "Request" in doc["schemas"] and "Item" in doc["schemas"]


def test_a_good_body_passes():
    assert validate_batch_update(body(radio())) == []


def test_unknown_field_with_suggestion():
    broken = radio()
    broken["createItem"]["item"]["questionItem"]["question"]["requried"] = True
    p = only(validate_batch_update(body(broken)))
    assert p.path == "batchUpdate.requests[0].createItem.item.questionItem.question.requried"
    assert "未知字段" in p.message and "required" in p.message


def test_read_only_fields_are_rejected():
    p = only(validate_create({"info": {"title": "t"}, "responderUri": "https://x"}, path="create")[:1])
    assert p.path == "create.responderUri" and "只读" in p.message
    problems = validate_batch_update(body({"updateFormInfo": {"info": {"documentTitle": "x"},
                                                              "updateMask": "documentTitle"}}))
    assert any(p.path == "batchUpdate.requests[0].updateFormInfo.info.documentTitle" and "只读" in p.message
               for p in problems)
    image = {"createItem": {"item": {"imageItem": {"image": {"contentUri": "https://x", "sourceUri": "https://y"}}},
                            "location": {"index": 0}}}
    p = only(validate_batch_update(body(image)))
    assert p.path.endswith("imageItem.image.contentUri") and "只读" in p.message


def test_document_title_is_allowed_on_create_and_question_ids_on_createitem():
    assert validate_create({"info": {"title": "t", "documentTitle": "d"}}) == []
    assert validate_batch_update(body(radio(questionId="0493eb34"))) == []


def test_create_refuses_anything_but_the_title():
    problems = validate_create({"info": {"title": "t", "description": "d"}, "items": []})
    paths = {p.path for p in problems}
    assert {"create.info.description", "create.items"} <= paths
    assert any("forms.batchUpdate" in p.message for p in problems)
    assert any(p.path == "create.info.title" for p in validate_create({"info": {}}))


def test_wrong_enum_and_placeholder_enum():
    broken = radio()
    broken["createItem"]["item"]["questionItem"]["question"]["choiceQuestion"]["type"] = "RADIOS"
    p = only(validate_batch_update(body(broken)))
    assert p.path.endswith("choiceQuestion.type") and "RADIOS" in p.message and "RADIO" in p.message
    broken["createItem"]["item"]["questionItem"]["question"]["choiceQuestion"]["type"] = "CHOICE_TYPE_UNSPECIFIED"
    assert "占位值" in only(validate_batch_update(body(broken))).message


def test_wrong_types():
    broken = radio(required="yes")
    p = only(validate_batch_update(body(broken)))
    assert p.path.endswith("question.required") and "布尔值" in p.message
    p = only(validate_batch_update({"requests": {"createItem": {}}}))
    assert p.path == "batchUpdate.requests" and "数组" in p.message
    p = only(validate_batch_update(body({"deleteItem": {"location": {"index": "3"}}})))
    assert p.path.endswith("location.index") and "整数" in p.message
    p = only(validate_batch_update(body({"deleteItem": {"location": {"index": True}}})))
    assert "整数" in p.message
    p = only(validate_batch_update(body({"deleteItem": {"location": {"index": 2 ** 31}}})))
    assert "int32" in p.message


def test_two_item_kinds_and_no_item_kind():
    broken = radio()
    broken["createItem"]["item"]["pageBreakItem"] = {}
    p = only(validate_batch_update(body(broken)))
    assert p.path == "batchUpdate.requests[0].createItem.item"
    assert "恰好有一种" in p.message and "questionItem、pageBreakItem" in p.message
    empty = {"createItem": {"item": {"title": "x"}, "location": {"index": 0}}}
    assert "一个也没有" in only(validate_batch_update(body(empty))).message


def test_two_question_kinds_and_two_request_kinds():
    p = only(validate_batch_update(body(radio(textQuestion={}))))
    assert p.path.endswith("questionItem.question") and "Question" in p.message
    two = {"deleteItem": {"location": {"index": 0}}, "moveItem": {"originalLocation": {"index": 0},
                                                                  "newLocation": {"index": 1}}}
    p = only(validate_batch_update(body(two)))
    assert p.path == "batchUpdate.requests[0]" and "Request" in p.message


def test_missing_required_fields():
    no_location = radio()
    del no_location["createItem"]["location"]
    p = only(validate_batch_update(body(no_location)))
    assert p.path == "batchUpdate.requests[0].createItem.location" and "缺少必填字段" in p.message
    no_mask = {"updateItem": {"item": radio()["createItem"]["item"], "location": {"index": 0}}}
    p = only(validate_batch_update(body(no_mask)))
    assert p.path == "batchUpdate.requests[0].updateItem.updateMask"
    no_options = radio()
    no_options["createItem"]["item"]["questionItem"]["question"]["choiceQuestion"]["options"] = []
    assert "不能为空" in only(validate_batch_update(body(no_options))).message
    assert only(validate_batch_update({})).path == "batchUpdate.requests"
    p = only(validate_publish({"publishSettings": {"publishState": {"isPublished": True}}}))
    assert p.path == "setPublishSettings.publishSettings.publishState.isAcceptingResponses"


def test_field_masks_must_name_fields():
    request = {"updateItem": {"item": radio()["createItem"]["item"], "location": {"index": 0},
                              "updateMask": "title,questionItem.question.choiceQuestion,descripton"}}
    p = only(validate_batch_update(body(request)))
    assert p.path.endswith("updateItem.updateMask") and "descripton" in p.message
    good = copy.deepcopy(request)
    good["updateItem"]["updateMask"] = "*"
    assert validate_batch_update(body(good)) == []


def test_collects_every_problem_at_once(spec):
    broken = copy.deepcopy(spec.batch_update)
    broken["requests"][2]["createItem"]["item"]["questionItem"]["question"]["choiceQuestion"]["type"] = "LIST"
    broken["requests"][5]["createItem"]["item"]["textItem"] = {}
    broken["requests"][7]["createItem"]["location"]["idx"] = 1
    problems = validate_batch_update(broken)
    assert [p.path for p in problems] == [
        "batchUpdate.requests[2].createItem.item.questionItem.question.choiceQuestion.type",
        "batchUpdate.requests[5].createItem.item",
        "batchUpdate.requests[7].createItem.location.idx",
    ]
    with pytest.raises(HandbookError, match="共 3 处"):
        require_valid("测试", problems)


def test_the_walker_knows_every_schema_it_references():
    for name, schema in discovery()["schemas"].items():
        for prop in schema.get("properties", {}).values():
            ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
            assert ref is None or ref in discovery()["schemas"], (name, ref)
    assert validate({"index": 1}, "Location") == []
