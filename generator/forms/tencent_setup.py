"""What a form owner needs to create a checklist's survey on 腾讯问卷 by hand: a one-page setup sheet.

腾讯问卷 has no documented import format that this program could verify (its OpenAPI reads surveys, it
does not create them), so the sheet lists every question in order with its type, whether it is required and
its options, exactly as the Google form has them: the item code starts each item's title and the options
are the standards' labels, so answers map exactly (`handbook check` and `handbook ingest` compare the
survey with the standards). The project is not a question: each project's link and QR code carry it as the
custom link parameter `project`.
"""

from __future__ import annotations

import re

from .form_spec import FormSpec

PROJECT_PARAM = "project"
_NUMBERED = re.compile(r"^\s*\d+\s*[.、．]\s*")


def setup_questions(spec: FormSpec) -> list[dict]:
    """The survey's questions in order: {title, type, required, options, rows (matrix), description}."""
    out = []
    # an exam is answered through one link for every project (its method page lists one): it keeps its
    # 项目 question; the forms with a link per project get the project from the link instead
    shared_link = any(e.get("exam_question") for e in spec.questions.values())
    for item in spec.items:
        if "pageBreakItem" in item:
            out.append({"page": item["title"]})
            continue
        question = item.get("questionItem", {}).get("question")
        if question is not None:
            entry = spec.questions.get(question["questionId"], {})
            if entry.get("field") == "project" and not shared_link:
                continue
            choice = question.get("choiceQuestion")
            title = item["title"]
            if entry.get("exam_question"):   # 腾讯问卷 numbers the questions itself
                title = _NUMBERED.sub("", title, count=1)
            if choice:
                kind = {"CHECKBOX": "多选题", "DROP_DOWN": "下拉题"}.get(choice.get("type"), "单选题")
            elif "scaleQuestion" in question:   # a rating: its numbers are the options, low to high
                scale = question["scaleQuestion"]
                out.append({"title": title, "type": "量表题", "required": bool(question.get("required")),
                            "options": [str(n) for n in range(int(scale["low"]), int(scale["high"]) + 1)],
                            "labels": (scale.get("lowLabel", ""), scale.get("highLabel", "")),
                            "description": item.get("description", "")})
                continue
            elif "dateQuestion" in question:
                kind = "日期题"
            else:
                kind = "多行文本题" if question.get("textQuestion", {}).get("paragraph") else "单行文本题"
            out.append({"title": title, "type": kind, "required": bool(question.get("required")),
                        "options": [o["value"] for o in (choice or {}).get("options", [])],
                        "description": item.get("description", "")})
        group = item.get("questionGroupItem")
        if group is not None:
            out.append({"title": item["title"], "type": "矩阵单选题", "required": False,
                        "rows": [q.get("rowQuestion", {}).get("title", "") for q in group.get("questions", [])],
                        "options": [o["value"] for o in group.get("grid", {}).get("columns", {}).get("options", [])],
                        "description": item.get("description", "")})
    return out


def setup_sheet(spec: FormSpec, version: str) -> str:
    """The setup sheet as plain text (UTF-8), one question after another."""
    questions = setup_questions(spec)
    lines = [f"腾讯问卷建题说明：{spec.title}（{spec.checklist}），标准版本 {version}", "",
             "1. 在腾讯问卷新建空白问卷，问卷标题写：" + spec.title,
             "2. 按下面的顺序逐题添加：题目文字、题型、选项一字不改"
             + ("（条目题开头的条目代码用于对应答案，不能删改）。"
                if any(e.get("item") for e in spec.questions.values()) else "（答案按题目和选项文字对应，不能删改）。"),
             (f"3. 不要添加“项目”题：在“问卷设置 › 自定义参数”中添加参数 {PROJECT_PARAM}，"
              "各项目的二维码和链接会带上项目代号。" if not any(q.get("title") == "项目" for q in questions)
              else "3. 各项目共用一个链接：“项目”题的选项是各项目的名称，一字不改。"),
             "4. 发布后运行 handbook forms tencent-link --checklist " + spec.checklist
             + " --survey 问卷链接，登记问卷并核对题目。", ""]
    number = 0
    for q in questions:
        if "page" in q:
            lines += [f"—— 分页：{q['page']} ——", ""]
            continue
        number += 1
        lines.append(f"第 {number} 题  {q['type']}  {'必答' if q['required'] else '选答'}")
        lines.append(q["title"])
        for row in q.get("rows", []):
            lines.append(f"  行：{row}")
        if q.get("labels"):
            low, high = q["labels"]
            lines.append(f"  量表 {q['options'][0]}–{q['options'][-1]}，{q['options'][0]} = {low}，"
                         f"{q['options'][-1]} = {high}（选项文字只写数字）")
        for option in q["options"]:   # no letters: the option's text is exactly this
            lines.append(f"  ○ {option}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
