"""腾讯问卷 (wj.qq.com) as a live source, through its OpenAPI: the only module that talks to it.

Shaped on the platform's documentation (https://wj.qq.com/docs/openapi/…: oauth2/client_authorize,
survey/get_survey, survey/list_answer, survey/get_answer; webhook/):

- credentials: App ID and App Secret from `HANDBOOK_TENCENT_APPID` / `HANDBOOK_TENCENT_SECRET`, else a file
  outside the repository (`HANDBOOK_TENCENT_CREDENTIALS`, default ~/.config/handbook/tencent.env, lines
  `NAME=value`); never printed, never in a message (a request's URL carries them, so failures are named by
  the exception's class only);
- `GET /api/oauth2/access_token?appid&secret&grant_type=client_credential` -> `data.access_token`,
  `expires_in` (7200 s): kept for its lifetime in this process (one per App ID: a new token invalidates
  the old one, so it is fetched once, not per request) and fetched again once when the API rejects it;
- the envelope `{code: "OK", error: {type: ""}, data, request_id}`; each documented error type is one
  Chinese line with the fix; `request_rate_limited` / `resource_exhausted`, HTTP 429 and 5xx and dropped
  connections are retried with doubling backoff;
- `GET /api/surveys/{id}/legacy` (the definition: pages -> questions -> options with ids) and
  `GET /api/surveys/{id}/answers?per_page&last_answer_id` paged with the returned `last_answer_id` until
  the list is empty.

Answers are mapped by question and option *ids* through the definition (never by splitting text), the
definition's item questions are checked against the standards first (titles start with the item code,
options are the standards' labels), and each answer is kept in the store under (platform, survey, answer
id) with the respondent's identity fields left out. A weekly run reads only the answers after the survey's
high-water mark less a re-read window (edits and deletions of recent answers are seen); every kept answer
is handed to the run, so the ingest's identity, quarantine and scoring are those of any other source.
Everything is written inside the run's one transaction: a failure leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NoReturn, Sequence
from urllib.parse import parse_qs, urlsplit

import requests

from ...context import standards_context
from ...errors import HandbookError
from ...messages import Msg
from ...forms.form_spec import FormSpec, build_form
from ..columns import CODE_AT_START, norm
from ...store import migrate_instruments
from ..table import SourceRef, Table

API = "https://open.wj.qq.com"
ENDPOINT_ENV = "HANDBOOK_TENCENT_API"          # another API address (tests, a proxy)
APPID_ENV, SECRET_ENV = "HANDBOOK_TENCENT_APPID", "HANDBOOK_TENCENT_SECRET"
CREDENTIALS_ENV = "HANDBOOK_TENCENT_CREDENTIALS"
DEFAULT_CREDENTIALS = Path("~/.config/handbook/tencent.env")
PLATFORM = "tencent"
PER_PAGE = 100           # answers per page (one public client uses 100; the documented maximum is not known)
REREAD = 200             # answers below the high-water mark read again each run (edits, deletions)
PROJECT_PARAM = "project"  # the custom link parameter that names the project (QR codes, site links)
RETRY_STATUSES = {429, 500, 502, 503, 504}
RATE_ERRORS = {"request_rate_limited", "resource_exhausted"}
# the documentation names no error type for an expired token: these and HTTP 401 are taken as one
TOKEN_ERRORS = {"invalid_access_token", "access_token_expired", "expired_access_token", "invalid_token",
                "token_expired", "access_token_invalid"}
TOKEN_CODES = {"Unauthenticated", "Unauthorized", "InvalidAccessToken", "TokenExpired"}
# fields of an answer that say who answered: never stored
IDENTITY_FIELDS = ("qq", "openid", "wechat_work_user", "third_party_user", "respondent_id", "ip", "ua",
                   "country", "province", "city", "referrer", "nickname")
UNKNOWN_OPTION = "〔未知选项 {id}〕"     # an option id the definition lacks: the row is quarantined (不是选项)
UNKNOWN_QUESTIONS = "〔问卷中已没有的题目〕"
_TAGS = re.compile(r"<[^>]+>")
_NUMBERING = re.compile(r"^\d+[.．、]\s*(?=\D)")   # "3.项目" as a platform may number questions


@dataclass(frozen=True)
class Retry:
    """Backoff for rate limits, 5xx and dropped connections: `tries` attempts, doubling from `backoff`."""

    tries: int = 6
    backoff: float = 1.0
    max_backoff: float = 30.0
    timeout: float = 30.0


RETRY = Retry()


# ---------------------------------------------------------------- credentials

@dataclass(frozen=True)
class Credentials:
    appid: str
    secret: str = field(repr=False)


def read_credentials(environ=None) -> Credentials:
    """App ID and secret: the environment variables, else the credentials file (outside the repository)."""
    environ = os.environ if environ is None else environ
    appid, secret = environ.get(APPID_ENV, "").strip(), environ.get(SECRET_ENV, "").strip()
    if appid and secret:
        return Credentials(appid, secret)
    path = Path(environ.get(CREDENTIALS_ENV) or DEFAULT_CREDENTIALS).expanduser()
    if not path.is_file():
        raise HandbookError(Msg.TENCENT_NO_CREDENTIALS, env_id=APPID_ENV, env_secret=SECRET_ENV, file=path)
    values = {}
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise HandbookError(Msg.TENCENT_CREDENTIALS_UNREADABLE, path=path, reason=type(exc).__name__,
                            env_id=APPID_ENV, env_secret=SECRET_ENV) from None
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise HandbookError(Msg.TENCENT_CREDENTIALS_UNREADABLE, path=path, reason=f"第 {number} 行不是“名称=值”",
                                env_id=APPID_ENV, env_secret=SECRET_ENV)
        values[name.strip()] = value.strip().strip('"')
    appid, secret = appid or values.get(APPID_ENV, ""), secret or values.get(SECRET_ENV, "")
    if not (appid and secret):
        raise HandbookError(Msg.TENCENT_CREDENTIALS_UNREADABLE, path=path,
                            reason=f"缺少 {APPID_ENV if not appid else SECRET_ENV}",
                            env_id=APPID_ENV, env_secret=SECRET_ENV)
    return Credentials(appid, secret)


# ---------------------------------------------------------------- the client

_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}   # (endpoint, appid) -> (token, monotonic expiry)


def forget_tokens() -> None:
    """Drop the cached access tokens (tests; a changed secret)."""
    _TOKENS.clear()


class Client:
    """The 腾讯问卷 OpenAPI over `requests`: the token, a survey's definition, its answers page by page."""

    def __init__(self, credentials: Credentials, *, endpoint: str | None = None, retry: Retry | None = None,
                 per_page: int | None = None, sleep=time.sleep, clock=time.monotonic):
        self.credentials = credentials
        self.endpoint = (endpoint or os.environ.get(ENDPOINT_ENV) or API).rstrip("/")
        self.retry = retry or RETRY
        self.per_page, self.sleep, self.clock = per_page or PER_PAGE, sleep, clock
        self.session = requests.Session()
        self.requests = 0
        self.checklist = ""        # the checklist being read (messages name it)

    # -- transport

    def _call(self, path: str, params: dict, what: str) -> tuple[int, dict | None]:
        """(HTTP status, parsed body) of one GET, retrying rate limits, 5xx and dropped connections."""
        delay, waited = self.retry.backoff, 0.0
        problem = ""
        for attempt in range(1, self.retry.tries + 1):
            self.requests += 1
            try:
                response = self.session.get(self.endpoint + path, params=params, timeout=self.retry.timeout)
            except requests.RequestException as exc:   # never the message: the URL carries the secret
                problem = type(exc).__name__
            else:
                try:
                    body = response.json()
                except ValueError:
                    body = None
                rate = isinstance(body, dict) and _error_type(body) in RATE_ERRORS
                if response.status_code not in RETRY_STATUSES and not rate:
                    return response.status_code, body
                if rate:
                    problem = _error_type(body)
                    if attempt == self.retry.tries:
                        raise HandbookError(Msg.TENCENT_RATE_LIMITED, type=problem, tries=attempt,
                                            seconds=round(waited, 1))
                else:
                    problem = f"HTTP {response.status_code}"
            if attempt < self.retry.tries:
                self.sleep(delay)
                waited += delay
                delay = min(delay * 2, self.retry.max_backoff)
        raise HandbookError(Msg.TENCENT_UNAVAILABLE, what=what, problem=problem, tries=self.retry.tries,
                            seconds=round(waited, 1))

    def _token(self, fresh: bool = False) -> str:
        key = (self.endpoint, self.credentials.appid)
        cached = _TOKENS.get(key)
        if cached and not fresh and self.clock() < cached[1]:
            return cached[0]
        _TOKENS.pop(key, None)
        status, body = self._call("/api/oauth2/access_token", {
            "appid": self.credentials.appid, "secret": self.credentials.secret,
            "grant_type": "client_credential"}, "取访问令牌")
        if isinstance(body, dict) and body.get("code") == "OK":
            data = body.get("data")
            token = data.get("access_token") if isinstance(data, dict) else None
            if not isinstance(data, dict) or not isinstance(token, str) or not token:
                raise HandbookError(Msg.TENCENT_MALFORMED, what="访问令牌", detail="data.access_token 缺失")
            expires = data.get("expires_in", 7200)
            expires = expires if isinstance(expires, (int, float)) and expires > 0 else 7200
            _TOKENS[key] = (token, self.clock() + max(expires - 60, expires / 2))   # a margin before it ends
            return token
        kind = _error_type(body) if isinstance(body, dict) else ""
        if kind == "invalid_org_subscription":
            raise HandbookError(Msg.TENCENT_NO_PLAN, checklist=self.checklist or "检查表代号")
        if isinstance(body, dict) and (kind.startswith("invalid_argument") or body.get("code") == "InvalidArgument"
                                       or kind in ("permission_denied", "user_not_found")):
            raise HandbookError(Msg.TENCENT_BAD_SECRET, type=kind or body.get("code"))
        if status in (401, 403):
            raise HandbookError(Msg.TENCENT_BAD_SECRET, type=f"HTTP {status}")
        self._refuse(status, body, "取访问令牌", "", self.checklist)

    def _refuse(self, status: int, body, what: str, survey: str, checklist: str = "") -> NoReturn:
        if not isinstance(body, dict):
            raise HandbookError(Msg.TENCENT_MALFORMED, what=what, detail=f"HTTP {status}，不是 JSON")
        kind, code = _error_type(body), str(body.get("code") or "")
        if kind == "invalid_org_subscription":
            raise HandbookError(Msg.TENCENT_NO_PLAN, checklist=checklist or "<检查表>")
        if kind == "permission_denied" or code == "PermissionDenied" or status == 403:
            raise HandbookError(Msg.TENCENT_FORBIDDEN, survey=survey, type=kind or code or f"HTTP {status}")
        if kind.startswith("invalid_argument") or code == "InvalidArgument" or status == 404:
            raise HandbookError(Msg.TENCENT_BAD_ARGUMENT, survey=survey, type=kind or code or f"HTTP {status}")
        raise HandbookError(Msg.TENCENT_ERROR, what=what, code=code or f"HTTP {status}", type=kind or "-")

    def get(self, path: str, params: dict, what: str, survey: str, checklist: str = "") -> dict:
        """`data` of a successful answer; the token refreshed once when the API rejects it."""
        self.checklist = checklist
        for fresh in (False, True):
            token = self._token(fresh)
            status, body = self._call(path, {"appid": self.credentials.appid, "access_token": token, **params},
                                      what)
            if isinstance(body, dict) and body.get("code") == "OK":
                data = body.get("data")
                if not isinstance(data, dict):
                    raise HandbookError(Msg.TENCENT_MALFORMED, what=what, detail="data 不是对象")
                return data
            if _token_rejected(status, body):
                if fresh:
                    raise HandbookError(Msg.TENCENT_TOKEN_REJECTED, type=_error_type(body) or f"HTTP {status}")
                continue
            self._refuse(status, body, what, survey, checklist)
        raise AssertionError("unreachable")

    # -- the survey

    def definition(self, survey: str, checklist: str = "") -> dict:
        data = self.get(f"/api/surveys/{survey}/legacy", {}, f"问卷 {survey} 的题目", survey, checklist)
        if not isinstance(data.get("pages"), list):
            raise HandbookError(Msg.TENCENT_MALFORMED, what=f"问卷 {survey} 的题目", detail="pages 不是列表")
        return data

    def answers(self, survey: str, after: int, checklist: str = "") -> Iterator[dict]:
        """Every answer after the answer id `after`, page by page until a page comes back empty."""
        cursor = after
        while True:
            data = self.get(f"/api/surveys/{survey}/answers", {"per_page": self.per_page, "last_answer_id": cursor},
                            f"问卷 {survey} 的答卷", survey, checklist)
            page = data.get("list")
            if not isinstance(page, list) or not all(isinstance(a, dict) and _answer_id(a) is not None
                                                     for a in page):
                raise HandbookError(Msg.TENCENT_MALFORMED, what=f"问卷 {survey} 的答卷", detail="list 不是答卷列表")
            if not page:
                return
            yield from page
            following = data.get("last_answer_id")
            following = following if isinstance(following, int) else max(_kept_id(a) for a in page)
            if following <= cursor:    # a cursor that does not move would page forever
                raise HandbookError(Msg.TENCENT_MALFORMED, what=f"问卷 {survey} 的答卷",
                                    detail="last_answer_id 没有前进")
            cursor = following


def _error_type(body: object) -> str:
    err = body.get("error") if isinstance(body, dict) else None
    return str(err.get("type") or "") if isinstance(err, dict) else ""


def _token_rejected(status: int, body) -> bool:
    if status == 401:
        return True
    if not isinstance(body, dict):
        return False
    return _error_type(body) in TOKEN_ERRORS or str(body.get("code") or "") in TOKEN_CODES


def _answer_id(answer: dict) -> int | None:
    value = answer.get("answer_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _kept_id(answer: dict) -> int:
    """The id of an answer `answers` gave (it gives only answers that have one)."""
    n = _answer_id(answer)
    assert n is not None, "an answer without an id got past answers()"
    return n


# ---------------------------------------------------------------- the definition

@dataclass(frozen=True)
class Column:
    """One column of the table made from the survey: a question (or one row of a matrix question)."""

    header: str
    question: str
    group: str | None = None
    options: dict = field(default_factory=dict)   # option id -> text


def clean_title(text) -> str:
    """A question's title as the ingest maps it: markup and the platform's numbering taken off."""
    return _NUMBERING.sub("", norm(_TAGS.sub("", str(text or ""))))


def _options(q: dict) -> dict:
    return {str(o.get("id")): _TAGS.sub("", str(o.get("text") or "")).strip()
            for o in q.get("options") or [] if isinstance(o, dict)}


def definition_columns(definition: dict) -> list[Column]:
    """The survey's questions in order, as columns (a matrix question gives one column per row)."""
    columns = []
    for page in definition.get("pages") or []:
        for q in (page or {}).get("questions") or [] if isinstance(page, dict) else []:
            if not isinstance(q, dict) or q.get("id") is None:
                continue
            title, qid = clean_title(q.get("title")), str(q["id"])
            groups = [g for g in q.get("groups") or [] if isinstance(g, dict)]
            if groups:
                for g in groups:
                    columns.append(Column(f"{title} [{clean_title(g.get('text'))}]", qid, str(g.get("id")),
                                          _options(g) or _options(q)))
            else:
                columns.append(Column(title, qid, None, _options(q)))
    return columns


def snapshot(definition: dict) -> dict:
    """What the lock keeps of a definition (`handbook check` compares it with the standards)."""
    return {"title": clean_title(definition.get("title")),
            "questions": [{"title": c.header, **({"options": list(c.options.values())} if c.options else {})}
                          for c in definition_columns(definition)]}


def scale_options(question: dict) -> list[str]:
    """The options of a rating (a Google scale question) on 腾讯问卷: its numbers, low to high."""
    scale = question.get("scaleQuestion") or {}
    return [str(n) for n in range(int(scale.get("low", 1)), int(scale.get("high", 5)) + 1)]


def _expected(spec: FormSpec) -> list[tuple[str, dict, list[str]]]:
    """(title, lock entry, option labels) of each question of the form, grid rows expanded; a rating's
    options are its numbers."""
    out = []
    for item in spec.items:
        question = item.get("questionItem", {}).get("question")
        if question is not None:
            entry = spec.questions.get(question["questionId"], {})
            options = [o["value"] for o in question.get("choiceQuestion", {}).get("options", [])]
            if "scaleQuestion" in question:
                options = scale_options(question)
            out.append((item["title"], entry, options))
        group = item.get("questionGroupItem")
        if group is not None:
            options = [o["value"] for o in group.get("grid", {}).get("columns", {}).get("options", [])]
            for row in group.get("questions", []):
                title = f"{item['title']} [{row.get('rowQuestion', {}).get('title', '')}]"
                out.append((title, spec.questions.get(row.get("questionId"), {}), options))
    return out


# what makes a question one of the form's own (an item, a rating, an exam question, a fix report's), not a field
_OWN = ("item", "survey", "exam_question", "fix_report")   # a form's own questions (not project, time …)
# what a question's entry in the form's map names when it is not the form's own: a field every form shares
# (project, date …), an optional detail (`info`), a section's note or checkbox (`kind`)
_NOT_OWN = ("field", "info", "kind")


def _own(entry: dict) -> bool:
    """Whether a question is one of the form's own: named so (`_OWN`), or by any key but the shared ones, as a
    new instrument names its questions (`{"callback": "solved"}`), so no list here grows with the instruments."""
    return any(entry.get(k) for k in _OWN) or not any(k in entry for k in _NOT_OWN)


def compare(questions: list[dict], spec: FormSpec) -> tuple[int, list[str]]:
    """(the form's own questions found, problems) of a survey's questions (`snapshot` shape: title, options)
    against the form as the standards make it: a checklist's items by their code, the questionnaire's
    ratings and an exam's questions by their text (a platform's numbering taken off). The project question
    may be left out: the survey's link carries the project."""
    by_code: dict[str, dict] = {}
    by_title: dict[str, dict] = {}
    q: dict | None
    for q in questions:
        title = norm(q.get("title"))
        by_title.setdefault(clean_title(title), q)
        m = CODE_AT_START.match(title)
        if m:
            by_code.setdefault(m.group(1), q)
    problems, found = [], 0
    for title, entry, options in _expected(spec):
        if entry.get("field") == "project":
            continue
        code = entry.get("item")
        q = by_code.get(code) if code else by_title.get(clean_title(title))
        if entry.get("exam_question"):   # named as the setup sheet writes it: without its number
            title = _NUMBERING.sub("", title.strip())
        if q is None:
            # a daily patrol's optional round, time, person at fault; the questionnaire's 填写日期
            if entry.get("info") or entry.get("kind") == "filled":
                continue
            problems.append(f"缺少题目“{title}”")
            continue
        found += _own(entry)
        have = [str(o) for o in q.get("options") or []]
        if options:
            wanted = {norm(x) for x in options}
            extra = [o for o in have if norm(o) not in wanted]
            lacking = [o for o in options if norm(o) not in {norm(x) for x in have}]
            if extra:
                problems.append(f"题目“{title}”的选项“{'”“'.join(extra)}”不在标准中")
            if lacking:
                problems.append(f"题目“{title}”缺少选项“{'”“'.join(lacking)}”")
    return found, problems


def _listed(problems: list[str], limit: int = 5) -> str:
    more = f" 等 {len(problems)} 处" if len(problems) > limit else ""
    return "；".join(problems[:limit]) + more


def not_ours(spec: FormSpec) -> str:
    """Why a survey with none of the form's own questions is not its survey."""
    if any(entry.get("item") for entry in spec.questions.values()):
        return "没有一道题以本检查表的条目代码开头"
    return "没有一道题与表单的题目相同"


def check_definition(definition: dict, survey: str, spec: FormSpec) -> None:
    """Refuse a survey that is not the form's (none of its own questions), or whose questions or options
    no longer match the standards."""
    found, problems = compare(snapshot(definition)["questions"], spec)
    if not found:
        raise HandbookError(Msg.TENCENT_NOT_OURS, survey=survey, title=clean_title(definition.get("title")),
                            checklist=spec.checklist, problem=not_ours(spec))
    if problems:
        raise HandbookError(Msg.TENCENT_DEFINITION_CHANGED, survey=survey, problems=_listed(problems),
                            checklist=spec.checklist)


# ---------------------------------------------------------------- answers -> table

def _project_param(answer: dict) -> str:
    """The project the survey link carried: a custom link parameter (`custom_args`, shape not documented:
    a mapping or a list of {key, value}), else the `project=` of the address the answer came from."""
    args = answer.get("custom_args")
    if isinstance(args, dict) and args.get(PROJECT_PARAM):
        return str(args[PROJECT_PARAM])
    if isinstance(args, list):
        for a in args:
            if isinstance(a, dict) and a.get("key") == PROJECT_PARAM and a.get("value"):
                return str(a["value"])
    referrer = answer.get("referrer")
    if isinstance(referrer, str) and referrer:
        values = parse_qs(urlsplit(referrer).query).get(PROJECT_PARAM)
        if values:
            return values[0]
    return ""


def kept(answer: dict) -> dict:
    """The answer as stored: its id, times, answers and the project of its link; who answered left out."""
    out = {k: v for k, v in answer.items() if k not in IDENTITY_FIELDS}
    project = _project_param(answer)
    if project:
        out["link_project"] = project
    return out


def _chosen(options: list, known: dict) -> str:
    texts = []
    for o in options or []:
        if not isinstance(o, dict) or o.get("checked", 1) in (0, False, "0"):
            continue
        oid = str(o.get("id"))
        texts.append(known[oid] if oid in known else UNKNOWN_OPTION.format(id=oid))
    return "┋".join(texts)


def answer_cells(answer: dict, columns: list[Column], project_column: int | None) -> tuple[list, dict]:
    """(cells in the columns' order, answers to questions the definition no longer has)."""
    where = {(c.question, c.group): i for i, c in enumerate(columns)}
    cells: list = [""] * len(columns)
    unknown = {}
    for page in answer.get("answer") or []:
        for q in (page or {}).get("questions") or [] if isinstance(page, dict) else []:
            if not isinstance(q, dict):
                continue
            qid = str(q.get("id"))
            groups = q.get("groups")
            if isinstance(groups, list) and groups:
                for g in groups:
                    i = where.get((qid, str((g or {}).get("id"))))
                    if i is None:
                        unknown[f"{qid}/{(g or {}).get('id')}"] = g
                        continue
                    cells[i] = _chosen(g.get("options"), columns[i].options)
                continue
            i = where.get((qid, None))
            if i is None:
                unknown[qid] = q
                continue
            if isinstance(q.get("options"), list) and q["options"]:
                cells[i] = _chosen(q["options"], columns[i].options)
            elif q.get("text") is not None:
                cells[i] = str(q["text"])
    if project_column is not None and not str(cells[project_column]).strip():
        cells[project_column] = answer.get("link_project", "")
    return cells, unknown


def to_table(ref: SourceRef, definition: dict, answers: list[dict], fetched_at: dt.datetime,
             requests_made: int | None = None, notes: list[str] | None = None) -> Table:
    """The survey's kept answers as the ingest's table: 时间戳记 (the time the answer was submitted, naive
    local time: read in the organisation's zone), the project (from the link when the survey asks none),
    then one column per question; rows numbered by answer id."""
    columns = definition_columns(definition)
    project_column = next((i for i, c in enumerate(columns) if c.header == "项目"), None)
    if project_column is None:
        columns.append(Column("项目", "\0project"))
        project_column = len(columns) - 1
    rows, strays = [], {}
    for answer in answers:
        cells, unknown = answer_cells(answer, columns, project_column)
        cells = [answer.get("ended_at") or answer.get("started_at") or ""] + cells
        strays[_kept_id(answer)] = unknown
        rows.append((_kept_id(answer), cells))
    header = ["时间戳记"] + [c.header for c in columns]
    if any(strays.values()):   # answers to questions no longer in the survey: kept, never dropped
        header.append(UNKNOWN_QUESTIONS)
        rows = [(n, cells + [json.dumps(strays[n], ensure_ascii=False) if strays[n] else ""]) for n, cells in rows]
    return Table(ref, header, rows, fetched_at, timezone=None, title=clean_title(definition.get("title")),
                 requests=requests_made, notes=list(notes or []))


# ---------------------------------------------------------------- the store

SCHEMA = """
CREATE TABLE platform_answers (
    platform   TEXT NOT NULL,              -- tencent
    survey     TEXT NOT NULL,              -- the survey id
    answer_id  INTEGER NOT NULL,
    answer     TEXT NOT NULL,              -- JSON: the answer as the API gave it, who answered left out
    fetched_at TEXT NOT NULL,
    deleted_at TEXT,                       -- when a re-read no longer found it on the platform (kept)
    PRIMARY KEY (platform, survey, answer_id)
);
CREATE TABLE platform_surveys (
    platform       TEXT NOT NULL,
    survey         TEXT NOT NULL,
    last_answer_id INTEGER NOT NULL,       -- the high-water mark: the largest answer id read
    title          TEXT NOT NULL,
    read_at        TEXT NOT NULL,
    PRIMARY KEY (platform, survey)
)
"""


class _PlatformTables:
    """The store part of the instrument protocol for the platforms' answers (`migrate_instruments`)."""

    id = "platforms"
    store_tables = ("platform_answers", "platform_surveys")
    store_schema = SCHEMA
    store_migrations: dict[int, str] = {}


PLATFORM_TABLES = _PlatformTables()


def form_spec(standards, form_id: str, instruments: Sequence) -> FormSpec:
    """The form as the standards make it: a checklist's, else that of the instrument that reads `form_id`
    (the customer questionnaire, a quarter's exam)."""
    if form_id in standards.checklists:
        return build_form(standards, form_id, instruments=instruments)
    for instrument in instruments:
        if instrument.reads_form(standards, form_id):
            return instrument.build_form(standards_context(standards, instruments), form_id)
    raise KeyError(form_id)


def high_water_mark(conn: sqlite3.Connection, survey: str) -> int:
    row = conn.execute("SELECT last_answer_id FROM platform_surveys WHERE platform = ? AND survey = ?",
                       (PLATFORM, survey)).fetchone()
    return row[0] if row else 0


def read_survey(ref: SourceRef, *, conn: sqlite3.Connection, db_path, standards, instruments: Sequence,
                client: Client | None = None, reread: int | None = None) -> Table:
    """Pull a survey's new (and recently read) answers into the store, inside the run's transaction, and
    give every answer kept for it as a table."""
    survey = ref.locator
    client = client or Client(read_credentials())
    migrate_instruments(conn, db_path, [PLATFORM_TABLES])
    before = client.requests
    definition = client.definition(survey, ref.checklist)
    check_definition(definition, survey, form_spec(standards, ref.checklist, instruments))
    mark = high_water_mark(conn, survey)
    start = max(0, mark - (REREAD if reread is None else reread))
    now = dt.datetime.now(dt.timezone.utc)
    stamp = now.isoformat(timespec="seconds")
    seen: set[int] = set()
    for answer in client.answers(survey, start, ref.checklist):
        aid = _kept_id(answer)
        seen.add(aid)
        conn.execute("""INSERT INTO platform_answers (platform, survey, answer_id, answer, fetched_at, deleted_at)
                        VALUES (?, ?, ?, ?, ?, NULL)
                        ON CONFLICT (platform, survey, answer_id)
                        DO UPDATE SET answer = excluded.answer, fetched_at = excluded.fetched_at, deleted_at = NULL""",
                     (PLATFORM, survey, aid, json.dumps(kept(answer), ensure_ascii=False), stamp))
    # answers read before, inside the re-read range, that the platform no longer has: deleted there
    stored = [aid for (aid,) in conn.execute(
        "SELECT answer_id FROM platform_answers WHERE platform = ? AND survey = ? AND answer_id > ? "
        "AND deleted_at IS NULL", (PLATFORM, survey, start))]
    deleted = [aid for aid in stored if aid not in seen]
    conn.executemany("UPDATE platform_answers SET deleted_at = ? WHERE platform = ? AND survey = ? AND answer_id = ?",
                     [(stamp, PLATFORM, survey, aid) for aid in deleted])
    conn.execute("""INSERT INTO platform_surveys (platform, survey, last_answer_id, title, read_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (platform, survey) DO UPDATE SET last_answer_id = excluded.last_answer_id,
                    title = excluded.title, read_at = excluded.read_at""",
                 (PLATFORM, survey, max([mark, *seen]), clean_title(definition.get("title")), stamp))
    answers = [json.loads(text) for (text,) in conn.execute(
        "SELECT answer FROM platform_answers WHERE platform = ? AND survey = ? AND deleted_at IS NULL "
        "ORDER BY answer_id", (PLATFORM, survey))]
    notes = ([Msg.TENCENT_ANSWERS_DELETED(count=len(deleted), ids="、".join(map(str, deleted[:10])))]
             if deleted else [])
    return to_table(ref, definition, answers, now, client.requests - before, notes)


def survey_id(text: str) -> str:
    """The survey id from an id or a survey link (https://wj.qq.com/s2/<id>/<hash>/)."""
    text = str(text).strip()
    m = re.search(r"/s\d?/(\d+)", text)
    value = m.group(1) if m else text
    if not value.isdigit():
        raise HandbookError(Msg.TENCENT_BAD_SURVEY_ID, value=text)
    return value
