"""Prefilled responder links (the project already chosen) and their QR codes.

Google's prefill parameter is `entry.<n>` where n is the question id read as a
hexadecimal number: `https://…/viewform?usp=pp_url&entry.1243726046=梧桐苑`.
Pure functions: the site and the printed sheets call them with the lock's data.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..standards import Standards


def entry_name(question_id: str) -> str:
    """The prefill parameter of a question: `entry.` + the id as a decimal number."""
    return f"entry.{int(question_id, 16)}"


def prefill_url(responder_url: str, values: dict[str, str]) -> str:
    """The responder URL with questions (id -> answer) already filled in."""
    params = "&".join(f"{entry_name(qid)}={quote(value, safe='')}" for qid, value in values.items())
    return f"{responder_url}?usp=pp_url&{params}" if params else responder_url


def custom_param_url(url: str, name: str, value: str) -> str:
    """`url` with the custom link parameter `name=value` added (腾讯问卷 returns it with each answer)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name] + [(name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _current_questions(entry: dict, version: str) -> dict:
    versions = entry.get("versions", {})
    chosen = versions.get(version) or (list(versions.values())[-1] if versions else {})
    return chosen.get("questions", {})


def project_links(lock: dict, standards: Standards, checklist_id: str) -> dict[str, str]:
    """Project id -> link that opens the checklist's form with that project chosen ({} before a push)."""
    entry = lock.get("checklists", {}).get(checklist_id)
    if not entry or not entry.get("responder_url"):
        return {}
    checklist = standards.checklists[checklist_id]
    if entry.get("source") == "tencent":   # 腾讯问卷: the project rides as a custom link parameter
        project_ids = checklist.projects or [p.id for p in standards.organisation.projects if p.active]
        return {pid: custom_param_url(entry["responder_url"], "project", pid) for pid in project_ids}
    questions = _current_questions(entry, standards.document.version)
    project_qid = next((qid for qid, q in questions.items() if q.get("field") == "project"), None)
    checklist = standards.checklists[checklist_id]
    project_ids = checklist.projects or [p.id for p in standards.organisation.projects if p.active]
    if project_qid is None:
        return {}
    return {pid: prefill_url(entry["responder_url"], {project_qid: standards.projects[pid].name})
            for pid in project_ids}


def qr_svg(url: str, *, scale: int = 4) -> str:
    """An SVG QR code of `url` (no XML declaration, so it can be inlined in HTML)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=scale, xmldecl=False, svgns=True, border=2)
    return out.getvalue().decode("utf-8")
