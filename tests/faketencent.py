"""A fake 腾讯问卷 OpenAPI on 127.0.0.1, shaped on the documented endpoints and envelope
(wj.qq.com/docs/openapi: oauth2/client_authorize, survey/get_survey (legacy), survey/list_answer).

- `GET /api/oauth2/access_token?appid&secret&grant_type=client_credential` -> a new token; the previous
  one stops working ("仅有最新一个有效"); a wrong secret -> InvalidArgument / invalid_argument_url;
- `GET /api/surveys/{id}/legacy` -> the definition; `GET /api/surveys/{id}/answers?per_page&last_answer_id`
  -> the answers with an id above last_answer_id, `per_page` at most, and the page's last id;
- `fail` queues scripted answers (HTTP status, error type) for the next requests of a path kind
  ("token", "legacy", "answers"); `plan=False` answers invalid_org_subscription everywhere;
  `expire()` makes the current token invalid (an expired token mid-run).
"""

from __future__ import annotations

import contextlib

import itertools
import json
import re
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from generator.forms.tencent_setup import setup_questions
from generator.ingest.files import read_file
from generator.instruments.patrol.mapping import CHOICES
from generator.ingest.values import parse_datetime

APPID, SECRET = "app-1", "s3cret-value"


def definition_from_spec(spec, survey_id: int, title: str | None = None) -> dict:
    """A survey made by following the setup sheet: question ids q-1…, option ids o-1… (platform-assigned)."""
    qn, on = itertools.count(1), itertools.count(1)
    pages, page = [], None
    for q in setup_questions(spec):
        if "page" in q or page is None:
            page = {"id": f"p-{len(pages) + 1}", "index": len(pages), "questions": []}
            pages.append(page)
            if "page" in q:
                continue
        kind = {"单选题": "radio", "下拉题": "select", "多选题": "checkbox", "矩阵单选题": "matrix_radio",
                "量表题": "star"}.get(
            q["type"], "text")
        question = {"id": f"q-{next(qn)}", "type": kind, "sub_type": "", "title": q["title"],
                    "required": q["required"],
                    "options": [{"id": f"o-{next(on)}", "text": o} for o in q["options"]]}
        if q.get("rows"):
            question["groups"] = [{"id": f"g-{i + 1}", "text": r} for i, r in enumerate(q["rows"])]
        page["questions"].append(question)
    return {"id": survey_id, "title": title or spec.title, "state": 2, "pages": pages}


def make_answer(definition: dict, answer_id: int, ended_at: str, values: dict, project: str | None = None) -> dict:
    """An answer as list_answer gives it: `values` title -> option text (by its id), or text for text questions,
    ("id", option id) to give a raw option id, or {row: option text} for a matrix; questions not in `values`
    are left unanswered."""
    pages = []
    for page in definition["pages"]:
        qs = []
        for q in page["questions"]:
            if q["title"] not in values:
                continue
            value = values[q["title"]]
            if isinstance(value, dict):    # a matrix question: row text -> option text
                groups = []
                for g in q["groups"]:
                    if g["text"] in value:
                        option = next(o for o in q["options"] if o["text"] == value[g["text"]])
                        groups.append({"id": g["id"], "text": g["text"], "options": [{**option, "checked": 1}]})
                qs.append({"id": q["id"], "type": q["type"], "groups": groups})
            elif isinstance(value, tuple):
                qs.append({"id": q["id"], "type": q["type"], "options": [{"id": value[1], "checked": 1, "text": "?"}]})
            elif q["type"] == "checkbox":   # choices as a Google sheet joins them
                chosen = [c.strip() for c in CHOICES.split(value) if c.strip()]
                qs.append({"id": q["id"], "type": q["type"],
                           "options": [{**o, "checked": 1} for o in q["options"] if o["text"] in chosen]})
            elif q["options"]:
                option = next(o for o in q["options"] if o["text"] == value)
                qs.append({"id": q["id"], "type": q["type"], "options": [{**option, "checked": 1}]})
            else:
                qs.append({"id": q["id"], "type": q["type"], "text": value})
        pages.append({"id": page["id"], "questions": qs})
    answer = {"answer_id": answer_id, "started_at": ended_at, "ended_at": ended_at, "score": None,
              "qq": "", "openid": "", "wechat_work_user": {"userid": "zhangsan"}, "ip": "10.1.2.3",
              "answer": pages}
    if project:
        answer["custom_args"] = {"project": project}
    return answer


class FakeTencent:
    def __init__(self):
        self.surveys: dict[str, dict] = {}
        self.answers: dict[str, list[dict]] = {}
        self.token = None
        self.tokens_issued = 0
        self.plan = True
        self.queued: dict[str, list[tuple[int, str]]] = {}
        self.log: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True   # headers, then body: else an answer may wait ~40 ms for an ACK

            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, body = fake.handle(parts.path, query)
                # a str body is a page that is not JSON (a proxy's or a gateway's)
                data = body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8" if isinstance(body, str)
                                 else "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                     kwargs={"poll_interval": 0.05})   # shutdown() waits out one poll: 0.5 s by default

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # -- scripting

    def fail(self, kind: str, *answers: tuple[int, str]) -> None:
        self.queued.setdefault(kind, []).extend(answers)

    def expire(self) -> None:
        self.token = "expired-" + (self.token or "")

    def requests(self, kind: str) -> int:
        return sum(1 for k, _ in self.log if k == kind)

    # -- the API

    @staticmethod
    def envelope(data=None, code="OK", kind=""):
        return {"code": code, "error": {"type": kind}, "data": data if data is not None else {},
                "request_id": str(uuid.uuid4())}

    def handle(self, path: str, query: dict):
        kind = "token" if path == "/api/oauth2/access_token" else (
            "legacy" if path.endswith("/legacy") else "answers" if path.endswith("/answers") else "other")
        with self.lock:
            self.log.append((kind, {k: v for k, v in query.items() if k != "secret"}))
            queued = self.queued.get(kind)
            if queued:
                status, error_type = queued.pop(0)
                if error_type == "html":
                    return status, "<html><body>401 Authorization Required</body></html>"
                code = {"request_rate_limited": "RateLimited", "invalid_org_subscription": "FailedPrecondition",
                        "permission_denied": "PermissionDenied"}.get(error_type, "InvalidArgument")
                return status, (self.envelope(code=code, kind=error_type) if error_type else {"message": "busy"})
            if not self.plan:
                return 200, self.envelope(code="FailedPrecondition", kind="invalid_org_subscription")
            if kind == "token":
                if query.get("appid") != APPID or query.get("secret") != SECRET:
                    return 200, self.envelope(code="InvalidArgument", kind="invalid_argument_url")
                self.tokens_issued += 1
                self.token = f"t{self.tokens_issued}"
                return 200, self.envelope({"access_token": self.token, "expires_in": 7200})
            if query.get("appid") != APPID or query.get("access_token") != self.token:
                return 200, self.envelope(code="Unauthenticated", kind="invalid_access_token")
            survey = path.split("/")[3]
            if survey not in self.surveys:
                return 200, self.envelope(code="PermissionDenied", kind="permission_denied")
            if kind == "legacy":
                return 200, self.envelope(self.surveys[survey])
            if kind == "answers":
                after = int(query.get("last_answer_id", 0))
                per_page = int(query.get("per_page", 20))
                rest = sorted((a for a in self.answers.get(survey, []) if a["answer_id"] > after),
                              key=lambda a: a["answer_id"])
                page = rest[:per_page]
                last = page[-1]["answer_id"] if page else after
                return 200, self.envelope({"total": len(self.answers.get(survey, [])), "last_answer_id": last,
                                           "list": page})
            return 404, self.envelope(code="NotFound", kind="not_found")


# ---------------------------------------------------------------- the demo on 腾讯问卷

_GRID = re.compile(r"^(?P<question>.*?)\s*\[(?P<row>[^\[\]]+)\]$")


@contextlib.contextmanager
def serving(monkeypatch, per_page: int):
    """A FakeTencent the real client talks to: its address and the credentials in the environment, short
    retries, `per_page` answers a page, and no token cached from another test."""
    from generator.ingest.platforms import tencent

    tencent.forget_tokens()
    monkeypatch.setattr(tencent, "RETRY", tencent.Retry(tries=3, backoff=0.01, max_backoff=0.02, timeout=5))
    monkeypatch.setattr(tencent, "PER_PAGE", per_page)
    with FakeTencent() as server:
        monkeypatch.setenv("HANDBOOK_TENCENT_API", server.url)
        monkeypatch.setenv("HANDBOOK_TENCENT_APPID", APPID)
        monkeypatch.setenv("HANDBOOK_TENCENT_SECRET", SECRET)
        yield server
    tencent.forget_tokens()


def answers_from_export(definition: dict, path, form_id: str, standards) -> list[dict]:
    """A Google export's rows as the answers of the survey `definition` (made from the same form): the
    same time, each answer by its option's id, grid columns as matrix rows, the project from the link."""
    table = read_file(path, form_id)
    tz = ZoneInfo(standards.organisation.timezone)
    titles = {q["title"]: q for p in definition["pages"] for q in p["questions"]}
    ids = {p.name: p.id for p in standards.organisation.projects}
    header = [str(h) for h in table.header]
    project = header.index("项目")
    out = []
    for n, (_, cells) in enumerate(table.rows, 1):
        values: dict = {}
        for title, cell in zip(header[1:], cells[1:]):
            cell = "" if cell is None else str(cell)
            if not cell or title == "项目":
                continue
            m = _GRID.match(title)
            if title not in titles and m and m["question"] in titles:
                values.setdefault(m["question"], {})[m["row"]] = cell
            else:
                values[title] = cell
        when = parse_datetime(cells[0], tz, tz).strftime("%Y-%m-%d %H:%M:%S")
        out.append(make_answer(definition, n, when, values, project=ids.get(cells[project], cells[project])))
    return out


def load_demo(fake: "FakeTencent", standards_dir, *, instruments) -> dict[str, int]:
    """Serve `handbook demo --platform tencent`'s surveys: the demo's forms made on 腾讯问卷 from the setup
    sheet, holding the answers the demo simulates (the same dates and seed). Returns answers per form."""
    from generator.demo import END, SEED, START, demo_surveys
    from generator.forms.form_spec import build_any_form
    from generator.standards import require_standards

    standards = require_standards(standards_dir, instruments=instruments)
    counts = {}
    with tempfile.TemporaryDirectory() as folder:
        exports = {}
        for instrument in instruments:
            exports.update(instrument.simulate_responses(standards, Path(folder), start=START, end=END, seed=SEED))
        for form_id, sid in demo_surveys(standards, instruments).items():
            definition = definition_from_spec(build_any_form(standards, form_id, instruments), int(sid))
            fake.surveys[sid] = definition
            # a form no instrument simulates answers for is a survey without answers yet
            fake.answers[sid] = (answers_from_export(definition, exports[form_id], form_id, standards)
                                 if form_id in exports else [])
            counts[form_id] = len(fake.answers[sid])
    return counts


if __name__ == "__main__":   # PYTHONPATH=. python tests/faketencent.py [standards]: the demo's fake 腾讯问卷
    from generator.instruments import INSTRUMENTS

    server = FakeTencent()
    loaded = load_demo(server, sys.argv[1] if len(sys.argv) > 1 else "standards", instruments=INSTRUMENTS)
    print(f"HANDBOOK_TENCENT_API={server.url} HANDBOOK_TENCENT_APPID={APPID} HANDBOOK_TENCENT_SECRET={SECRET} "
          f"handbook demo --platform tencent   # {loaded}", flush=True)
    server.server.serve_forever()
