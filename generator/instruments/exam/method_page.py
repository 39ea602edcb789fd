"""The 监督方式 page of the quarterly exam (季度综合考试, method `exam`)."""

from __future__ import annotations

import re

from ...results.scoring import quarter_label
from ...site.method_pages import TRAINING, MethodLinks, MethodPage
from ...standards import Standards

METHOD = "exam"
RESULTS = ("results/exam.md", "results/exam/index.md")
HOW = ["客户关系部每季度组织一次综合考试，题目来自手册的考试题库，"
       "涉及服务礼仪、沟通技巧、法律法规、行业知识。",
       "在线考试用 Google 表单测验（链接见下方“表单”）；也可以打印试卷（见下方“打印”）。",
       "参考答案另成一页，由手册维护人员生成（见维护说明），仅供客户关系部阅卷，"
       "不发布到网站，考试结束前不得外传。",
       "考试前先安排培训，见[培训记录](training.md)。"]
OFTEN = "每季度一次。"


def exam_name(quarter: str) -> str:
    """'2026Q4' -> '2026 年第四季度' (a form id's tail that is not a quarter is shown as it is)."""
    return quarter_label(quarter) if re.fullmatch(r"\d{4}Q[1-4]", quarter) else quarter


def paper_title(path: str) -> str:
    """print/exam-2026Q4.pdf -> 2026 年第四季度试卷; print/exam-2026Q4-key.pdf -> … 答案."""
    stem = path[len("print/exam-"):-len(".pdf")]
    quarter, _, rest = stem.partition("-")
    return exam_name(quarter) + ("试卷答案" if rest == "key" else "试卷" if not rest else f"试卷（{rest}）")


def exam_method_page(s: Standards, links: MethodLinks) -> dict[str, MethodPage]:
    """Each quarter's quiz in the lock (or the note that none is published), the papers the build wrote
    (found by name: print/exam-…), the exam results, and the training record to read with it."""
    if METHOD not in s.method_clause:
        return {}
    forms = [(f"{exam_name(fid[5:])}季度考试", entry.get("responder_url", ""))
             for fid, entry in sorted(links.forms.items()) if fid.startswith("exam-")]
    forms = forms or [("季度考试（Google 表单测验）", "")]   # not yet published: the page says so
    printables = [(paper_title(f), f) for f in links.print_files("print/exam-")]
    results = [("考试结果", p) for p in RESULTS if links.exists(p)]
    return {METHOD: MethodPage(how=HOW, often=[OFTEN], forms=forms, printables=printables, results=results,
                               see=[("培训记录", TRAINING)])}
