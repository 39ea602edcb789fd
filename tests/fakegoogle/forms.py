"""A fake Google Forms API v1 that keeps forms in memory and answers like Google.

Shaped after Google's documented behaviour:
- forms.create copies only info.title and info.documentTitle (anything else is a 400),
  assigns formId, revisionId and responderUri; new API forms are unpublished unless
  `unpublished=false` is passed (Google's default since 2026).
- forms.batchUpdate applies every request or none (400 and no change on any error);
  checks writeControl.requiredRevisionId; accepts client-chosen item/question ids only
  as 8 hex digits <= 7fffffff that are not already used; replies 1:1 with requests;
  returns the form when includeFormInResponse; an empty request list is a 400.
- updateItem applies only the paths of its updateMask; ids in the mask are kept.
- forms.setPublishSettings needs both publishState booleans; unpublished forms never
  accept responses.
- every call needs the bearer token issued by /token (else 401).
"""

from __future__ import annotations

import copy
import itertools
import json
import re

from .base import FakeGoogle, Request, Response

ITEM_KINDS = ("questionItem", "questionGroupItem", "pageBreakItem", "textItem", "imageItem", "videoItem")
QUESTION_KINDS = ("choiceQuestion", "dateQuestion", "fileUploadQuestion", "ratingQuestion", "rowQuestion",
                  "scaleQuestion", "textQuestion", "timeQuestion")
ID = re.compile(r"^[0-9a-f]{8}$")


class BadRequest(Exception):
    def __init__(self, message: str, status: str = "INVALID_ARGUMENT", code: int = 400):
        super().__init__(message)
        self.status, self.code = status, code


def _error(code: int, message: str, status: str) -> Response:
    return Response(code, {"error": {"code": code, "message": message, "status": status}})


class FakeForms(FakeGoogle):
    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self._ids = itertools.count(0x1000)
        self._revisions = itertools.count(1)
        self.route("POST", r"/v1/forms", self._create)
        self.route("GET", r"/v1/forms/([^/:]+)", self._get)
        self.route("POST", r"/v1/forms/([^/:]+):batchUpdate", self._batch_update)
        self.route("POST", r"/v1/forms/([^/:]+):setPublishSettings", self._set_publish)

    # ---- helpers for tests
    def delete_form(self, form_id: str) -> None:
        del self.forms[form_id]

    def calls(self) -> list[str]:
        """API calls made, as 'METHOD path' without the host."""
        return [f"{r.method} {r.path}" for r in self.api_requests()]

    def dispatch(self, request: Request) -> Response:
        if request.path != "/token" and _header(request, "authorization") != "Bearer fake-token":
            self.log.append(request)
            return _error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
        return super().dispatch(request)

    def _new_id(self) -> str:
        return f"{next(self._ids) * 2654435761 % 0x7FFFFFFF:08x}"

    def _revision(self) -> str:
        return f"00000{next(self._revisions):03d}"

    def _form(self, form_id: str) -> dict:
        if form_id not in self.forms:
            raise BadRequest("Requested entity was not found.", "NOT_FOUND", 404)
        return self.forms[form_id]

    @staticmethod
    def _view(form: dict) -> dict:
        out = copy.deepcopy(form)
        if not out.get("items"):
            out.pop("items", None)          # Google omits empty lists
        return out

    def _wrap(self, handler, request, match) -> Response:
        try:
            return handler(request, match)
        except BadRequest as exc:
            return _error(exc.code, str(exc), exc.status)

    # ---- forms.create
    def _create(self, request: Request, match) -> Response:
        return self._wrap(self._do_create, request, match)

    def _do_create(self, request: Request, match) -> Response:
        body = request.json()
        for key, value in body.items():
            if key != "info" or not isinstance(value, dict) or set(value) - {"title", "documentTitle"}:
                raise BadRequest("Only info.title and info.document_title may be set when creating a form; "
                                 "use batchUpdate for everything else.")
        info = body.get("info", {})
        if not info.get("title"):
            raise BadRequest("info.title is required.")
        form_id = "1FAKE" + "".join(f"{next(self._ids):x}" for _ in range(6)).ljust(39, "x")
        unpublished = request.query.get("unpublished", ["true"])[0] != "false"
        form = {
            "formId": form_id,
            "info": {"title": info["title"], "documentTitle": info.get("documentTitle") or info["title"]},
            "settings": {},
            "items": [],
            "revisionId": self._revision(),
            "responderUri": f"https://docs.google.com/forms/d/e/1FAIpQL{form_id[5:25]}/viewform",
            "publishSettings": {"publishState": {"isPublished": not unpublished,
                                                 "isAcceptingResponses": not unpublished}},
        }
        self.forms[form_id] = form
        return Response(200, self._view(form))

    # ---- forms.get
    def _get(self, request: Request, match) -> Response:
        return self._wrap(lambda r, m: Response(200, self._view(self._form(m.group(1)))), request, match)

    # ---- forms.setPublishSettings
    def _set_publish(self, request: Request, match) -> Response:
        def handle(r, m):
            form = self._form(m.group(1))
            state = r.json().get("publishSettings", {}).get("publishState")
            if not isinstance(state, dict) or not {"isPublished", "isAcceptingResponses"} <= set(state):
                raise BadRequest("publish_state must set both is_published and is_accepting_responses.")
            published = bool(state["isPublished"])
            form["publishSettings"] = {"publishState": {
                "isPublished": published, "isAcceptingResponses": published and bool(state["isAcceptingResponses"])}}
            return Response(200, {"formId": form["formId"], "publishSettings": copy.deepcopy(form["publishSettings"])})
        return self._wrap(handle, request, match)

    # ---- forms.batchUpdate
    def _batch_update(self, request: Request, match) -> Response:
        return self._wrap(self._do_batch_update, request, match)

    def _do_batch_update(self, request: Request, match) -> Response:
        live = self._form(match.group(1))
        body = request.json()
        requests = body.get("requests") or []
        if not requests:
            raise BadRequest("Must specify at least one request.")
        required = body.get("writeControl", {}).get("requiredRevisionId")
        if required is not None and required != live["revisionId"]:
            raise BadRequest(f"The required revision ID '{required}' does not match the latest revision "
                             f"'{live['revisionId']}'.", "FAILED_PRECONDITION")
        form = copy.deepcopy(live)           # all or nothing
        replies = []
        for n, req in enumerate(requests):
            if len(req) != 1:
                raise BadRequest(f"requests[{n}]: exactly one kind of request must be set.")
            (kind, args), = req.items()
            handler = getattr(self, f"_req_{kind}", None)
            if handler is None:
                raise BadRequest(f"requests[{n}]: unknown request {kind}.")
            replies.append(handler(form, args, n))
        form["revisionId"] = self._revision()
        self.forms[form["formId"]] = form
        out = {"replies": replies, "writeControl": {"requiredRevisionId": form["revisionId"]}}
        if body.get("includeFormInResponse"):
            out["form"] = self._view(form)
        return Response(200, out)

    def _used_ids(self, form: dict) -> set[str]:
        ids = set()
        for item in form["items"]:
            ids.add(item["itemId"])
            question = item.get("questionItem", {}).get("question", {})
            if "questionId" in question:
                ids.add(question["questionId"])
        return ids

    def _check_item(self, item: dict, n: int) -> None:
        kinds = [k for k in ITEM_KINDS if k in item]
        if len(kinds) != 1:
            raise BadRequest(f"requests[{n}]: an item must have exactly one kind, got {kinds or 'none'}.")
        if "questionItem" in item:
            question = item["questionItem"].get("question", {})
            qkinds = [k for k in QUESTION_KINDS if k in question]
            if len(qkinds) != 1:
                raise BadRequest(f"requests[{n}]: a question must have exactly one kind.")
            choice = question.get("choiceQuestion")
            if choice is not None:
                values = [o.get("value") for o in choice.get("options", [])]
                if not values or choice.get("type") not in ("RADIO", "CHECKBOX", "DROP_DOWN"):
                    raise BadRequest(f"requests[{n}]: a choice question needs a type and options.")
                if len(set(values)) != len(values):
                    raise BadRequest(f"requests[{n}]: duplicate option values are not allowed.")
        if "\n" in item.get("title", ""):
            raise BadRequest(f"requests[{n}]: item titles cannot contain line breaks.")

    def _assign_id(self, holder: dict, key: str, used: set[str], n: int) -> None:
        value = holder.get(key)
        if not value:
            value = self._new_id()
            while value in used:
                value = self._new_id()
        elif not ID.match(value) or int(value, 16) > 0x7FFFFFFF:
            raise BadRequest(f"requests[{n}]: Invalid ID '{value}'.")
        elif value in used:
            raise BadRequest(f"requests[{n}]: ID '{value}' is already used in the form.")
        holder[key] = value
        used.add(value)

    @staticmethod
    def _index(form: dict, location: dict, n: int, *, inclusive: bool = False) -> int:
        index = (location or {}).get("index", 0)
        limit = len(form["items"]) + (1 if inclusive else 0)
        if not isinstance(index, int) or not 0 <= index < limit:
            raise BadRequest(f"requests[{n}]: index {index} out of range [0, {limit}).")
        return index

    def _req_createItem(self, form: dict, args: dict, n: int) -> dict:
        item = copy.deepcopy(args.get("item") or {})
        self._check_item(item, n)
        index = self._index(form, args.get("location"), n, inclusive=True)
        used = self._used_ids(form)
        self._assign_id(item, "itemId", used, n)
        reply: dict = {"itemId": item["itemId"]}
        if "questionItem" in item:
            question = item["questionItem"]["question"]
            self._assign_id(question, "questionId", used, n)
            reply["questionId"] = [question["questionId"]]
        form["items"].insert(index, item)
        return {"createItem": reply}

    def _req_deleteItem(self, form: dict, args: dict, n: int) -> dict:
        del form["items"][self._index(form, args.get("location"), n)]
        return {}

    def _req_moveItem(self, form: dict, args: dict, n: int) -> dict:
        old = self._index(form, args.get("originalLocation"), n)
        new = self._index(form, args.get("newLocation"), n)
        form["items"].insert(new, form["items"].pop(old))
        return {}

    def _req_updateItem(self, form: dict, args: dict, n: int) -> dict:
        index = self._index(form, args.get("location"), n)
        mask = args.get("updateMask")
        if not mask:
            raise BadRequest(f"requests[{n}]: update_mask is required.")
        current, given = form["items"][index], args.get("item") or {}
        updated = copy.deepcopy(current)
        paths = [p.strip() for p in mask.split(",")]
        for path in (list(given) if paths == ["*"] else paths):
            _set_path(updated, given, path.split("."))
        if [k for k in ITEM_KINDS if k in updated] != [k for k in ITEM_KINDS if k in current]:
            raise BadRequest(f"requests[{n}]: the kind of an item cannot be changed.")
        self._check_item(updated, n)
        others = self._used_ids({"items": form["items"][:index] + form["items"][index + 1:]})
        for holder, key in ((updated, "itemId"),
                            (updated.get("questionItem", {}).get("question", {}), "questionId")):
            if holder is not None and key in holder and holder[key] in others:
                raise BadRequest(f"requests[{n}]: ID '{holder[key]}' is already used in the form.")
        if not updated.get("itemId"):
            updated["itemId"] = self._new_id()
        question = updated.get("questionItem", {}).get("question")
        if question is not None and not question.get("questionId"):
            question["questionId"] = self._new_id()
        form["items"][index] = updated
        return {}

    def _req_updateFormInfo(self, form: dict, args: dict, n: int) -> dict:
        mask = args.get("updateMask")
        if not mask:
            raise BadRequest(f"requests[{n}]: update_mask is required.")
        for path in (p.strip() for p in mask.split(",")):
            if path not in ("title", "description", "*"):
                raise BadRequest(f"requests[{n}]: cannot update info.{path}.")
            for key in (("title", "description") if path == "*" else (path,)):
                value = (args.get("info") or {}).get(key)
                if value:
                    form["info"][key] = value
                else:
                    form["info"].pop(key, None)
        return {}

    def _req_updateSettings(self, form: dict, args: dict, n: int) -> dict:
        mask = args.get("updateMask")
        if not mask:
            raise BadRequest(f"requests[{n}]: update_mask is required.")
        for path in (p.strip() for p in mask.split(",")):
            _set_path(form["settings"], args.get("settings") or {}, path.split("."))
        return {}


def _header(request: Request, name: str) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == name), None)


def _set_path(target: dict, source: dict, parts: list[str]) -> None:
    """Copy `source` at a field path onto `target` (absent in source = cleared)."""
    head, rest = parts[0], parts[1:]
    if not rest:
        if head in source:
            target[head] = copy.deepcopy(source[head])
        else:
            target.pop(head, None)
        return
    _set_path(target.setdefault(head, {}), source.get(head, {}), rest)


def dump(form: dict) -> str:
    return json.dumps(form, ensure_ascii=False, indent=1)
