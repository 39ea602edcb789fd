"""`forms push` against a fake Forms API on 127.0.0.1, through the real google-api-python-client.

The service-account key is real (fresh RSA key) and its token_uri points at the fake,
so google-auth signs a JWT and fetches a token over HTTP like it does with Google.
"""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.errors import HandbookError
from generator.forms.form_spec import build_any_form, build_form, form_ids
from generator.forms.google import FormsClient, RetryPolicy
from generator.forms.lock_file import read_lock
from generator.forms.push import push
from generator.standards import load_standards, require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT, edited, standards_texts
from fakegoogle.base import write_service_account_key
from fakegoogle.forms import FakeForms


class Clock:
    """A clock that advances only when the retry loop sleeps."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake():
    server = FakeForms().start()
    yield server
    server.stop()


@pytest.fixture
def key(tmp_path, fake):
    return write_service_account_key(tmp_path / "key.json", fake.url + "/token")


@pytest.fixture
def lock(tmp_path):
    return tmp_path / "forms" / "forms.lock.yaml"


@pytest.fixture
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def client_for(fake, key, deadline=30.0):
    clock = Clock()
    client = FormsClient(key, "--credentials", fake.url + "/",
                         RetryPolicy(deadline=deadline, base=0.5, sleep=clock.sleep, clock=lambda: clock.now))
    client.clock = clock
    return client


def run_push(standards, lock, fake, key, **kwargs):
    client = kwargs.pop("client", None) or client_for(fake, key)
    return push(standards, lock_path=lock, client=client, instruments=INSTRUMENTS, **kwargs), client


def cli(*args, env=None):
    return CliRunner().invoke(main, ["forms", *args], env=env, catch_exceptions=False)


def with_texts(texts):
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert result.standards is not None, [str(d) for d in result.errors]
    return result.standards


def qids(form):
    return {i["title"].split(" ")[0]: i["questionItem"]["question"]["questionId"]
            for i in form["items"] if "questionItem" in i}


# ---------------------------------------------------------------- create, then update in place

def test_first_push_creates_fills_and_publishes(standards, lock, fake, key):
    results, client = run_push(standards, lock, fake, key)
    # the checklists, then the customer questionnaire (methods.yaml), then the fix report (整改反馈),
    # the supervision loop's own form, then any later instrument's: each created, in the order of `form_ids`
    assert [r.checklist for r in results] == form_ids(standards, INSTRUMENTS)
    assert [r.checklist for r in results][:4] == ["daily-patrol", "crd-spot-check", "customer-survey", "fix-report"]
    assert {r.action for r in results} == {"created"}
    for r in results:
        assert r.api_calls == ["forms.create", "forms.batchUpdate", "forms.setPublishSettings"]
        form = fake.forms[r.form_id]
        assert form["publishSettings"]["publishState"] == {"isPublished": True, "isAcceptingResponses": True}
        spec = build_any_form(standards, r.checklist, INSTRUMENTS)
        assert [i["title"] for i in form["items"]] == [i["title"] for i in spec.items]
        assert form["info"]["description"] == spec.info["description"]
        assert form["settings"] == {"emailCollectionType": "DO_NOT_COLLECT"}
        assert r.needs_sheet
    # create carried only the title; the form was created unpublished and published at the end
    creates = [r for r in fake.api_requests() if r.path == "/v1/forms"]
    assert all(set(r.json()) == {"info"} and r.query["unpublished"] == ["true"] for r in creates)
    data = read_lock(lock)
    entry = data["checklists"]["daily-patrol"]
    assert entry["form_id"] == results[0].form_id
    assert entry["responder_url"].endswith("/viewform")
    version = entry["versions"][standards.document.version]
    # every item option of the form and what it means (the daily patrol's items empty at 1 to 5 findings)
    assert version["answers"] == {"符合": 0, "不符合 1 处": 1, "不符合 1 处及以上（扣完）": 1, "不符合 2 处": 2,
                                  "不符合 2 处及以上（扣完）": 2, "不符合 3 处": 3, "不符合 3 处及以上（扣完）": 3,
                                  "不符合 4 处": 4, "不符合 4 处及以上（扣完）": 4, "不符合 5 处及以上（扣完）": 5,
                                  "不适用": None}
    assert version["options"] == list(version["answers"])
    survey = data["checklists"]["customer-survey"]["versions"][standards.document.version]
    assert "answers" not in survey and survey["options"] == []   # no item answers on the questionnaire
    form = fake.forms[entry["form_id"]]
    assert set(version["questions"]) == set(qids(form).values())
    q = next(q for q in version["questions"].values() if q.get("item") == "4.2.1.1-a")
    assert q == {"item": "4.2.1.1-a", "title": "4.2.1.1-a 办公区物品与桌面整洁"}
    fields = sorted(q["field"] for q in version["questions"].values() if "field" in q)
    assert fields == ["date", "inspector", "project", "role"]
    kinds = {(q["section"], q["kind"]) for q in version["questions"].values() if "kind" in q}
    assert ("4.2.1", "note") in kinds and ("4.2.1", "corrected_items") in kinds
    # the checkbox's choices are recorded by item code, so ingest knows what a version's answer may name
    checkbox = next(q for q in version["questions"].values() if q.get("kind") == "corrected_items"
                    and q["section"] == "4.2.1")
    assert "4.2.1.1-a" in checkbox["items"] and "4.2.2.1-x1" not in checkbox["items"]


def test_second_push_changes_nothing(standards, lock, fake, key):
    run_push(standards, lock, fake, key)
    before = lock.read_bytes()
    forms_before = json.dumps(fake.forms, sort_keys=True)
    fake.log.clear()
    results, _ = run_push(standards, lock, fake, key)
    # every form of the first push (the four house forms among them), each read once and left alone
    assert len(results) == len(form_ids(standards, INSTRUMENTS)) >= 4
    assert [r.action for r in results] == ["unchanged"] * len(results)
    assert [r.api_calls for r in results] == [["forms.get"]] * len(results)
    assert all(r.method == "GET" for r in fake.api_requests())
    assert lock.read_bytes() == before
    assert json.dumps(fake.forms, sort_keys=True) == forms_before


def test_editing_the_yaml_updates_in_place_and_keeps_question_ids(standards, lock, fake, key):
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    form_id = results[0].form_id
    before = qids(fake.forms[form_id])
    texts = standards_texts()
    # reword one item, remove one, add one
    texts["procedure.yaml"] = texts["procedure.yaml"].replace("short: 办公区物品与桌面整洁", "short: 办公区整洁有序", 1)
    assert "code: 4.2.1.2-f" in texts["procedure.yaml"]
    texts["procedure.yaml"] = texts["procedure.yaml"].replace("code: 4.2.1.2-f", "code: 4.2.1.2-g", 1)
    edited_standards = with_texts(texts)
    fake.log.clear()
    results, _ = run_push(edited_standards, lock, fake, key, checklists=["daily-patrol"])
    r = results[0]
    assert r.action == "updated" and r.form_id == form_id
    assert r.api_calls == ["forms.get", "forms.batchUpdate"]          # already published: no publish call
    # the reworded item, and the page's 已当场纠正的条目 whose choices name the page's items
    assert sorted(r.changes) == ["createItem", "deleteItem", "updateItem", "updateItem"]
    checkbox = next(i for i in fake.forms[form_id]["items"] if i["title"] == "已当场纠正的条目（4.2.1 服务场景）")
    choices = [o["value"] for o in checkbox["questionItem"]["question"]["choiceQuestion"]["options"]]
    assert "4.2.1.1-a 办公区整洁有序" in choices and "4.2.1.2-g 保洁监督或卫生值日" in choices
    assert not any(c.startswith("4.2.1.2-f") for c in choices)
    after = qids(fake.forms[form_id])
    assert "4.2.1.2-f" not in after and "4.2.1.2-g" in after
    for code, qid in before.items():
        if code != "4.2.1.2-f":
            assert after[code] == qid, code                           # unchanged items keep their ids
    titles = [i["title"] for i in fake.forms[form_id]["items"]]
    assert titles == [i["title"] for i in build_form(edited_standards, "daily-patrol", instruments=INSTRUMENTS).items]
    assert "4.2.1.1-a 办公区整洁有序" in titles
    # the lock still knows the removed question (old responses) and the new one
    questions = read_lock(lock)["checklists"]["daily-patrol"]["versions"][standards.document.version]["questions"]
    assert questions[before["4.2.1.2-f"]]["item"] == "4.2.1.2-f"
    assert questions[after["4.2.1.2-g"]]["item"] == "4.2.1.2-g"
    assert questions[after["4.2.1.1-a"]]["title"] == "4.2.1.1-a 办公区整洁有序"
    # and pushing the edited standards again is a no-op
    results, _ = run_push(edited_standards, lock, fake, key, checklists=["daily-patrol"])
    assert results[0].action == "unchanged"


def test_reordering_moves_items_without_new_ids(lock, fake, key):
    texts = standards_texts()
    base = with_texts(texts)
    results, _ = run_push(base, lock, fake, key, checklists=["crd-spot-check"])
    form_id = results[0].form_id
    before = qids(fake.forms[form_id])
    # the checklist no longer includes 4.2.2, and 4.2.3 items move relative to others
    texts["checklists.yaml"] = texts["checklists.yaml"].replace('include: ["4.2.1", "4.2.2", "4.2.3", "4.2.4"]',
                                                                'include: ["4.2.1", "4.2.3", "4.2.4"]')
    narrowed = with_texts(texts)
    results, _ = run_push(narrowed, lock, fake, key, checklists=["crd-spot-check"])
    after = qids(fake.forms[form_id])
    assert not any(code.startswith("4.2.2.") for code in after)
    assert all(before[c] == q for c, q in after.items())
    assert [i["title"] for i in fake.forms[form_id]["items"]] == \
        [i["title"] for i in build_form(narrowed, "crd-spot-check", instruments=INSTRUMENTS).items]


def test_a_new_standards_version_adds_a_version_entry(standards, lock, fake, key):
    run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    texts = edited("procedure.yaml", 'version: "2026.11"\n  updated', 'version: "2027.01"\n  updated')
    newer = with_texts(texts)
    results, _ = run_push(newer, lock, fake, key, checklists=["daily-patrol"])
    assert results[0].action == "updated"                 # the description names the version
    assert results[0].changes == ["updateFormInfo"]
    versions = read_lock(lock)["checklists"]["daily-patrol"]["versions"]
    assert list(versions) == ["2026.11", "2027.01"]
    assert versions["2026.11"]["questions"] == versions["2027.01"]["questions"]
    assert versions["2026.11"]["revision_id"] != versions["2027.01"]["revision_id"]


def test_an_unpublished_form_gets_published_again(standards, lock, fake, key):
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    form = fake.forms[results[0].form_id]
    form["publishSettings"]["publishState"] = {"isPublished": False, "isAcceptingResponses": False}
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    assert results[0].api_calls == ["forms.get", "forms.setPublishSettings"] and results[0].published
    assert form["publishSettings"]["publishState"]["isAcceptingResponses"] is True


def test_a_form_changed_by_hand_is_put_back(standards, lock, fake, key):
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    form = fake.forms[results[0].form_id]
    ids = qids(form)
    form["items"][5]["title"] = "改过的标题"
    form["items"].insert(0, {"itemId": "00000001", "title": "手工加的", "textItem": {}})
    form["items"].append(form["items"].pop(2))
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    assert results[0].action == "updated"
    form = fake.forms[results[0].form_id]          # batchUpdate stores a new dict: read it again
    assert [i["title"] for i in form["items"]] == [i["title"] for i in build_form(standards, "daily-patrol",
                                                                                  instruments=INSTRUMENTS).items]
    assert qids(form) == ids


# ---------------------------------------------------------------- errors

def test_403_names_the_fix_and_leaves_the_lock_alone(standards, lock, fake, key):
    run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    before = lock.read_bytes()
    fake.fail_next(r":batchUpdate|/v1/forms/", 403, "The caller does not have permission")
    with pytest.raises(HandbookError) as info:
        run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    message = str(info.value)
    assert "403" in message and "Google Forms API" in message and "handbook@demo-project" in message
    assert "\n" not in message
    assert lock.read_bytes() == before


def test_404_says_the_form_is_gone_and_recreate_makes_a_new_one(standards, lock, fake, key, tmp_path):
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    old = results[0].form_id
    fake.delete_form(old)
    env = {"HANDBOOK_FORMS_ENDPOINT": fake.url + "/", "GOOGLE_APPLICATION_CREDENTIALS": str(key)}
    result = cli("push", "--lock", str(lock), "--checklist", "daily-patrol", env=env)
    assert result.exit_code == 1
    assert "404" in result.output and "--recreate --checklist daily-patrol" in result.output
    assert "Traceback" not in result.output
    result = cli("push", "--lock", str(lock), "--recreate", env=env)
    assert result.exit_code == 1 and "--checklist" in result.output
    result = cli("push", "--lock", str(lock), "--checklist", "daily-patrol", "--recreate", env=env)
    assert result.exit_code == 0, result.output
    entry = read_lock(lock)["checklists"]["daily-patrol"]
    assert entry["form_id"] != old and entry["form_id"] in fake.forms


def test_429_then_success_is_retried_with_backoff(standards, lock, fake, key):
    fake.fail_next(r"^/v1/forms$", 429, "Quota exceeded", times=2)
    fake.fail_next(r":batchUpdate", 503, times=1)
    client = client_for(fake, key)
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"], client=client)
    assert results[0].action == "created"
    assert results[0].api_calls == ["forms.create"] * 3 + ["forms.batchUpdate"] * 2 + ["forms.setPublishSettings"]
    assert len(client.clock.sleeps) == 3
    assert client.clock.sleeps[1] > client.clock.sleeps[0] * 0.9   # backoff grows (with jitter)
    assert len([r for r in fake.api_requests() if r.path == "/v1/forms"]) == 3
    assert len(fake.forms) == 1


def test_persistent_500_gives_up_at_the_deadline_with_a_clear_error(standards, lock, fake, key):
    fake.fail_next(r"^/v1/forms$", 500, "Internal error", times=100)
    client = client_for(fake, key, deadline=20)
    with pytest.raises(HandbookError) as info:
        run_push(standards, lock, fake, key, checklists=["daily-patrol"], client=client)
    message = str(info.value)
    assert "HTTP 500" in message and "稍后重新运行" in message and "\n" not in message
    assert sum(client.clock.sleeps) <= 20
    assert 3 <= len(client.clock.sleeps) < 100
    assert not lock.exists()


def test_500_through_the_cli_is_one_line_and_exit_1(lock, fake, key):
    fake.fail_next(r"^/v1/forms$", 500, times=100)
    env = {"HANDBOOK_FORMS_ENDPOINT": fake.url + "/", "HANDBOOK_FORMS_RETRY_DEADLINE": "0.2"}
    result = cli("push", "--lock", str(lock), "--credentials", str(key), env=env)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("错误：Google Forms API 暂时不可用")
    assert "Traceback" not in result.output


def test_failure_after_create_keeps_the_form_id_in_the_lock(standards, lock, fake, key):
    fake.fail_next(r":batchUpdate", 400, "Invalid request")
    with pytest.raises(HandbookError, match="400"):
        run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    entry = read_lock(lock)["checklists"]["daily-patrol"]
    assert entry["form_id"] in fake.forms and entry["versions"] == {}
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"])   # resumes in place
    assert results[0].action == "updated" and results[0].form_id == entry["form_id"]
    assert len(fake.forms) == 1


def test_401_says_the_credentials_were_refused(standards, lock, fake, key):
    fake.fail_next(r"^/v1/forms$", 401, "Request had invalid authentication credentials.", times=3)
    with pytest.raises(HandbookError, match="401"):
        run_push(standards, lock, fake, key, checklists=["daily-patrol"])


def test_token_endpoint_refusal_is_one_line(lock, fake, key):
    fake.fail_next(r"^/token$", 400, "invalid_grant", times=5)
    result = cli("push", "--lock", str(lock), "--credentials", str(key),
                 env={"HANDBOOK_FORMS_ENDPOINT": fake.url + "/"})
    assert result.exit_code == 1 and "访问令牌" in result.output and "Traceback" not in result.output
    assert "PRIVATE KEY" not in result.output


# ---------------------------------------------------------------- credentials and the lock file

def no_credentials_env(tmp_path):
    return {"GOOGLE_APPLICATION_CREDENTIALS": None, "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "HANDBOOK_FORMS_ENDPOINT": "http://127.0.0.1:9/"}


def test_missing_credentials_names_every_place_looked(lock, tmp_path):
    result = cli("push", "--lock", str(lock), env=no_credentials_env(tmp_path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：")
    assert "--credentials" in lines[0] and "GOOGLE_APPLICATION_CREDENTIALS" in lines[0]
    assert str(tmp_path / "config" / "handbook" / "google-credentials.json") in lines[0]
    assert not lock.exists()


def test_missing_file_named_by_flag_or_env(lock, tmp_path):
    env = no_credentials_env(tmp_path)
    result = cli("push", "--lock", str(lock), "--credentials", str(tmp_path / "nope.json"), env=env)
    assert result.exit_code == 1 and "nope.json" in result.output and "--credentials" in result.output
    env["GOOGLE_APPLICATION_CREDENTIALS"] = str(tmp_path / "gone.json")
    result = cli("push", "--lock", str(lock), env=env)
    assert result.exit_code == 1 and "gone.json" in result.output and "GOOGLE_APPLICATION_CREDENTIALS" in result.output


def test_default_credentials_file_is_used(lock, fake, tmp_path):
    config = tmp_path / "config" / "handbook"
    config.mkdir(parents=True)
    write_service_account_key(config / "google-credentials.json", fake.url + "/token")
    env = no_credentials_env(tmp_path) | {"HANDBOOK_FORMS_ENDPOINT": fake.url + "/"}
    result = cli("push", "--lock", str(lock), "--checklist", "daily-patrol", env=env)
    assert result.exit_code == 0, result.output
    assert "已新建并发布表单" in result.output


@pytest.mark.parametrize("content", [
    b"not json at all {",
    b'{"type": "service_account", "client_email": "x@y"}',
    b'{"type": "service_account", "client_email": "x@y", "token_uri": "http://127.0.0.1:9/token", '
    b'"private_key": "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"}',
    b'["a list"]',
    b'{"type": "something_else"}',
    b"\xff\xfe\x00\x00garbage",
])
def test_garbled_credentials_are_one_line_errors(standards, lock, fake, tmp_path, content):
    run_push(standards, lock, fake, write_service_account_key(tmp_path / "good.json", fake.url + "/token"))
    before = lock.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = cli("push", "--lock", str(lock), "--credentials", str(bad),
                 env={"HANDBOOK_FORMS_ENDPOINT": fake.url + "/"})
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "bad.json" in lines[0], result.output
    assert "AAAA" not in result.output and "Traceback" not in result.output
    assert lock.read_bytes() == before


@pytest.mark.parametrize("nonsense", [
    "checklists: [1, 2",
    "checklists:\n  daily-patrol: 3\n",
    "checklists:\n  daily-patrol:\n    form_id: ''\n",
    "- just\n- a list\n",
    "checklists:\n  daily-patrol:\n    form_id: abc\n    sheets: [{spreadsheet_id: x, gid: first}]\n",
    "checklists:\n  daily-patrol:\n    form_id: abc\n    versions: {2026.11: {questions: {}}}\n",
])
def test_a_lock_edited_into_nonsense_is_a_one_line_error(lock, fake, key, nonsense):
    lock.parent.mkdir(parents=True)
    lock.write_text(nonsense, encoding="utf-8")
    result = cli("push", "--lock", str(lock), "--credentials", str(key),
                 env={"HANDBOOK_FORMS_ENDPOINT": fake.url + "/"})
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "git checkout" in lines[0] and str(lock) in lines[0]
    assert lock.read_text(encoding="utf-8") == nonsense
    assert fake.api_requests() == []


# ---------------------------------------------------------------- the CLI around it

def test_cli_push_prints_the_manual_step_and_the_link_command(lock, fake, key):
    env = {"HANDBOOK_FORMS_ENDPOINT": fake.url + "/"}
    result = cli("push", "--lock", str(lock), "--credentials", str(key), env=env)
    assert result.exit_code == 0, result.output
    assert "关联到 Google 表格" in result.output and "Link to Sheets" in result.output
    assert "handbook forms link daily-patrol" in result.output
    assert "fake-token" not in result.output and "PRIVATE" not in result.output
    entry = read_lock(lock)["checklists"]["daily-patrol"]
    result = cli("link", "daily-patrol",
                 "https://docs.google.com/spreadsheets/d/1XyZabcdefghijklmnopqrstuvwxyz0123456789/edit#gid=0",
                 "--lock", str(lock))
    assert result.exit_code == 0, result.output
    result = cli("push", "--lock", str(lock), "--credentials", str(key), env=env)
    assert "表单 " + entry["form_id"] + " 已是最新" in result.output
    assert "daily-patrol <表格链接>" not in result.output          # the sheet is recorded now


def test_dry_run_calls_nothing_and_needs_no_credentials(lock, fake, tmp_path):
    result = cli("push", "--dry-run", "--lock", str(lock), env=no_credentials_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert "forms.create" in result.output and "createItem" in result.output and "未调用 Google" in result.output
    assert fake.log == [] and not lock.exists()


def test_push_reports_a_sheet_linked_on_googles_side(standards, lock, fake, key):
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    fake.forms[results[0].form_id]["linkedSheetId"] = "1LinkedSheetabcdefghijklmnopqrstuvwxyz"
    results, _ = run_push(standards, lock, fake, key, checklists=["daily-patrol"])
    assert results[0].linked_sheet_id == "1LinkedSheetabcdefghijklmnopqrstuvwxyz"


def test_lock_file_shape_matches_the_contract(standards, lock, fake, key):
    run_push(standards, lock, fake, key)
    text = lock.read_text(encoding="utf-8")
    assert text.startswith("# forms/forms.lock.yaml — written by handbook forms push / link; do not edit by hand\n")
    data = yaml.safe_load(text)
    entry = data["checklists"]["daily-patrol"]
    assert {"form_id", "responder_url", "sheets", "versions"} <= set(entry)
    version = entry["versions"]["2026.11"]
    assert {"revision_id", "pushed", "options", "questions"} <= set(version)
    assert version["pushed"].tzinfo is not None
    assert all(isinstance(k, str) for k in version["questions"])
