"""The exam quiz pushed to the fake Forms API; the paper and answer-key PDFs; the site page generators."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.forms.google import FormsClient, RetryPolicy
from generator.forms.lock_file import read_lock
from generator.forms.push import push
from generator.instruments.exam import quiz as ex
from generator.instruments.exam.paper import exam_print_generator, paper_path, write_papers
from generator.instruments.exam.results_page import exam_results_generator
from generator.site.site_build import SiteContext
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT
from fakegoogle.base import write_service_account_key
from fakegoogle.forms import FakeForms

QUARTER, FORM = "2026Q4", "exam-2026Q4"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


@pytest.fixture
def fake():
    server = FakeForms().start()
    yield server
    server.stop()


def client(fake, key):
    return FormsClient(key, "--credentials", fake.url + "/",
                       RetryPolicy(deadline=10, base=0.01, sleep=lambda s: None, clock=lambda: 0.0))


# ---------------------------------------------------------------- push

def test_push_quiz_to_the_fake_forms_api(standards, fake, tmp_path):
    key = write_service_account_key(tmp_path / "key.json", fake.url + "/token")
    lock = tmp_path / "forms.lock.yaml"
    spec = ex.build_quiz(standards, QUARTER)
    (r,) = push(standards, lock_path=lock, client=client(fake, key), specs={FORM: spec}, instruments=INSTRUMENTS)
    assert r.action == "created"
    assert r.api_calls == ["forms.create", "forms.batchUpdate", "forms.setPublishSettings"]
    form = fake.forms[r.form_id]
    assert form["settings"]["quizSettings"] == {"isQuiz": True}
    graded = [i for i in form["items"] if "grading" in i.get("questionItem", {}).get("question", {})]
    assert len(graded) == len(standards.methods_file.exam.questions)
    first = graded[0]["questionItem"]["question"]
    assert first["grading"]["correctAnswers"] == {"answers": [{"value": "起身微笑问候"}]}

    entry = read_lock(lock)["checklists"][FORM]
    assert entry["form_id"] == r.form_id and entry["sheets"] == []
    version = entry["versions"][standards.document.version]
    assert version["options"] == []                       # no checklist answer labels on a quiz
    exam_entries = [q for q in version["questions"].values() if "exam_question" in q]
    assert {q["exam_question"] for q in exam_entries} == {q.id for q in standards.methods_file.exam.questions}
    assert next(q for q in exam_entries if q["exam_question"] == "etiquette-2")["answer"] == ["错误"]

    # a second push sends nothing but forms.get and leaves the lock as it was
    before = lock.read_bytes()
    (again,) = push(standards, lock_path=lock, client=client(fake, key), specs={FORM: spec}, instruments=INSTRUMENTS)
    assert again.action == "unchanged" and again.api_calls == ["forms.get"]
    assert lock.read_bytes() == before

    # the checklists' own push ignores the exam entry and the exam push touched no checklist
    assert set(read_lock(lock)["checklists"]) == {FORM}


def test_push_cli_dry_run(tmp_path):
    result = CliRunner().invoke(main, ["exam", "push", "--quarter", QUARTER, "--dry-run",
                                       "--standards", str(ROOT / "standards"), "--lock", str(tmp_path / "l.yaml")])
    assert result.exit_code == 0, result.output
    assert "exam-2026Q4：将新建测验" in result.output and not (tmp_path / "l.yaml").exists()


# ---------------------------------------------------------------- paper and key

def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def papers(standards, tmp_path_factory):
    out = tmp_path_factory.mktemp("papers")
    return write_papers(standards, QUARTER, out, cache_dir=None)


def page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.slow   # renders the exam paper and its key as PDFs (no cache)
def test_paper_and_key_pdfs(standards, papers):
    paper, key = papers
    assert paper.name == "exam-2026Q4.pdf" and key.name == "exam-2026Q4-key.pdf"
    assert page_count(paper) == 2 and page_count(key) == 3
    paper_text, key_text = squash(pdf_text(paper)), squash(pdf_text(key))
    exam = standards.methods_file.exam
    for q in exam.questions:
        assert squash(q.text) in paper_text and squash(q.text) in key_text, q.id
        assert squash(ex.key_text(q)) in key_text, q.id
    for n in (1, 2):
        assert f"第{n}页/共2页" in paper_text
    assert "第3页/共3页" in key_text
    for words in ("项目：", "姓名：", "得分：", "2026年第四季度", "满分31分"):
        assert words in paper_text
    # the paper gives nothing away; the key carries answers and explanations
    assert "答案：" not in paper_text and "解析" not in paper_text and "✓" not in paper_text
    feedback = [squash(q.feedback) for q in exam.questions if q.feedback]
    assert not any(f in paper_text for f in feedback)
    assert "答案：B.起身微笑问候" in key_text and "答案：错误" in key_text
    assert all(f in key_text for f in feedback)
    assert "仅供客户关系部阅卷使用" in key_text


@pytest.mark.slow   # renders the exam paper and its key as PDFs (no cache), as the test above
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_first_pages_render_to_png(papers, tmp_path):
    for pdf in papers:
        prefix = tmp_path / pdf.stem
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(prefix)], check=True)
        png = next(tmp_path.glob(f"{pdf.stem}-1.png"))
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


# ---------------------------------------------------------------- page generators

@pytest.mark.slow   # renders the exam paper and its key as PDFs (no cache)
def test_site_generators_write_paper_and_results_but_not_the_key(standards, tmp_path):
    from generator.ingest import run_ingest
    from generator.ingest.run import file_source

    db = tmp_path / "s.sqlite"
    run_ingest([file_source(ROOT / "tests" / "data" / "exam" / "quiz-zh-CN.csv", FORM)], standards=standards,
               instruments=INSTRUMENTS,
               db_path=db)
    ctx = SiteContext(standards, tmp_path / "docs", nav=[{"检查结果": [{"概览": "results/index.md"}]}])
    exam_print_generator(QUARTER, cache_dir=tmp_path / "cache")(ctx)
    exam_results_generator(db)(ctx)
    assert (ctx.docs_dir / paper_path(QUARTER)).read_bytes()[:5] == b"%PDF-"
    assert not (ctx.docs_dir / paper_path(QUARTER, key=True)).exists()
    page = (ctx.docs_dir / "results" / "exam.md").read_text(encoding="utf-8")
    assert "[试卷（PDF）](../print/exam-2026Q4.pdf)" in page and "key" not in page
    assert ctx.nav[0]["检查结果"][-1] == {"季度考试": "results/exam.md"}

    # after the exam the department may publish the key: written, linked from the results page, not in nav
    ctx2 = SiteContext(standards, tmp_path / "docs2", nav=[])
    exam_print_generator(QUARTER, publish_key=True, cache_dir=tmp_path / "cache")(ctx2)
    exam_results_generator(db, key_published=True)(ctx2)
    assert (ctx2.docs_dir / paper_path(QUARTER, key=True)).is_file()
    assert "[参考答案（PDF）](../print/exam-2026Q4-key.pdf)" in (ctx2.docs_dir / "results/exam.md").read_text()
    assert ctx2.nav == [{"季度考试": "results/exam.md"}]
    assert "key" not in str(ctx2.nav)
