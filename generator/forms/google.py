"""The only module that talks to the Google Forms API.

Credentials come from `--credentials`, then `GOOGLE_APPLICATION_CREDENTIALS`, then
a default file in the user's config folder. A service-account key or an OAuth
client (installed-app flow) both work. Nothing here runs at import: the client
is built on first use. Credentials are never printed, logged or copied; the only
file written is the OAuth token cache of the installed-app flow (mode 0600, in
the config folder, next to the default credentials file).

HTTP errors become one-line `HandbookError`s that say what to fix; 429, 5xx and
connection failures are retried with exponential backoff until a deadline.
"""

from __future__ import annotations

import json
import os
import random
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import FormGone, HandbookError
from ..google_auth import refusal
from ..messages import Msg

ENDPOINT_ENV = "HANDBOOK_FORMS_ENDPOINT"          # e.g. http://127.0.0.1:8080/ in tests
DEADLINE_ENV = "HANDBOOK_FORMS_RETRY_DEADLINE"    # seconds to keep retrying 429/5xx
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
SCOPES = ["https://www.googleapis.com/auth/forms.body"]
RETRY_STATUSES = {429, 500, 502, 503, 504}


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "handbook"


def default_credentials_path() -> Path:
    return config_dir() / "google-credentials.json"


def token_cache_path() -> Path:
    return config_dir() / "google-oauth-token.json"


# ---------------------------------------------------------------- credentials

def find_credentials(flag: Path | str | None = None) -> tuple[Path, str]:
    """(path, where it came from): the flag, then the environment variable, then the default file."""
    if flag:
        path = Path(flag).expanduser()
        if not path.is_file():
            raise HandbookError(Msg.CREDENTIALS_FLAG_MISSING, path=path)
        return path, "--credentials"
    env = os.environ.get(CREDENTIALS_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise HandbookError(Msg.CREDENTIALS_ENV_MISSING, path=path, env=CREDENTIALS_ENV)
        return path, CREDENTIALS_ENV
    default = default_credentials_path()
    if default.is_file():
        return default, "默认位置"
    raise HandbookError(Msg.NO_FORMS_CREDENTIALS, env=CREDENTIALS_ENV, default=default)


def load_credentials(path: Path, source: str = ""):
    """Credentials from a service-account key, an authorized-user file or an OAuth client JSON."""
    where = f"{path}（{source}）" if source else str(path)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise HandbookError(Msg.CREDENTIALS_NOT_JSON, where=where) from None
    if not isinstance(info, dict):
        raise HandbookError(Msg.CREDENTIALS_NOT_GOOGLE, where=where)
    try:
        if info.get("type") == "service_account":
            from google.oauth2 import service_account
            return service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        if info.get("type") == "authorized_user":
            from google.oauth2.credentials import Credentials
            return Credentials.from_authorized_user_info(info, scopes=SCOPES)
        if "installed" in info or "web" in info:
            return _installed_app_credentials(info)
    except (ValueError, KeyError, TypeError):
        # the message of these errors can quote key material: never show it
        raise HandbookError(Msg.CREDENTIALS_DAMAGED, where=where) from None
    raise HandbookError(Msg.CREDENTIALS_KIND, where=where)


def _installed_app_credentials(client_config: dict):
    """OAuth installed-app flow, with the refresh token cached in the config folder (0600)."""
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials
    from google_auth_oauthlib.flow import InstalledAppFlow

    cache = token_cache_path()
    creds = None
    if cache.is_file():
        try:
            creds = Credentials.from_authorized_user_file(str(cache), SCOPES)
        except (ValueError, KeyError):
            creds = None
    if creds and creds.valid:
        return creds
    if creds and creds.expired and creds.refresh_token:
        try:
            creds.refresh(Request())
            _save_token(cache, creds)
            return creds
        except Exception:  # noqa: BLE001 - any refresh failure: ask the user again
            creds = None
    flow = InstalledAppFlow.from_client_config(client_config, SCOPES)
    creds = flow.run_local_server(port=0, open_browser=True)
    _save_token(cache, creds)
    return creds


def _save_token(path: Path, creds) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(creds.to_json())


# ---------------------------------------------------------------- retries

@dataclass
class RetryPolicy:
    """Exponential backoff with jitter for 429, 5xx and connection failures, up to a deadline."""

    deadline: float = 60.0
    base: float = 1.0
    cap: float = 16.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def from_env(cls) -> "RetryPolicy":
        value = os.environ.get(DEADLINE_ENV)
        try:
            return cls(deadline=float(value)) if value else cls()
        except ValueError:
            return cls()

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.base * 2 ** attempt) * (0.5 + random.random() / 2)


# ---------------------------------------------------------------- client

@dataclass
class FormsClient:
    """Thin wrapper over the discovery-based client: one method per API call, errors translated."""

    credentials_path: Path
    credentials_source: str = ""
    endpoint: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy.from_env)
    timeout: float = 60.0
    calls: list[str] = field(default_factory=list)     # every API call made, for reporting
    _service: object = None
    _account: str = ""

    @classmethod
    def from_flag(cls, credentials: Path | str | None = None, endpoint: str | None = None,
                  retry: RetryPolicy | None = None) -> "FormsClient":
        path, source = find_credentials(credentials)
        return cls(path, source, endpoint or os.environ.get(ENDPOINT_ENV) or None,
                   retry or RetryPolicy.from_env())

    def service(self):
        if self._service is None:
            import google_auth_httplib2
            import httplib2
            from googleapiclient.discovery import build

            creds = load_credentials(self.credentials_path, self.credentials_source)
            self._account = getattr(creds, "service_account_email", "") or ""
            http = google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http(timeout=self.timeout))
            options = {"api_endpoint": self.endpoint} if self.endpoint else None
            self._service = build("forms", "v1", http=http, client_options=options,
                                  static_discovery=True, cache_discovery=False)
        return self._service

    # one method per API call -------------------------------------------------
    def create(self, body: dict, *, unpublished: bool = True) -> dict:
        def request(s):
            try:
                return s.forms().create(body=body, unpublished=unpublished)
            except TypeError:  # discovery documents before the 2025 publish settings lack the parameter
                return s.forms().create(body=body)
        return self._execute("forms.create", request)

    def get(self, form_id: str) -> dict:
        return self._execute("forms.get", lambda s: s.forms().get(formId=form_id), form_id)

    def batch_update(self, form_id: str, body: dict) -> dict:
        return self._execute("forms.batchUpdate", lambda s: s.forms().batchUpdate(formId=form_id, body=body), form_id)

    def set_publish_settings(self, form_id: str, body: dict) -> dict:
        return self._execute("forms.setPublishSettings",
                             lambda s: s.forms().setPublishSettings(formId=form_id, body=body), form_id)

    # -------------------------------------------------------------------------
    def _execute(self, what: str, make_request, form_id: str = "") -> dict:
        import google.auth.exceptions
        import httplib2
        from googleapiclient.errors import HttpError

        service = self.service()
        start, attempt = self.retry.clock(), 0
        target = f"表单 {form_id}" if form_id else "新表单"
        while True:
            self.calls.append(what)
            try:
                return make_request(service).execute(num_retries=0)
            except HttpError as exc:
                status = exc.status_code
                if status not in RETRY_STATUSES:
                    raise self._http_error(what, target, form_id, status, exc.reason) from None
                failure = f"HTTP {status}（{_short(exc.reason)}）"
            except google.auth.exceptions.RefreshError as exc:
                if not getattr(exc, "retryable", False):
                    raise HandbookError(Msg.TOKEN_REFUSED, path=self.credentials_path,
                                        reason=refusal(exc)) from None
                failure = "换取访问令牌失败"
            except google.auth.exceptions.TransportError as exc:
                failure = f"连接失败（{_short(str(exc))}）"
            except (OSError, socket.timeout, httplib2.HttpLib2Error) as exc:
                failure = f"连接失败（{type(exc).__name__}）"
            elapsed = self.retry.clock() - start
            pause = self.retry.delay(attempt)
            attempt += 1
            if elapsed + pause > self.retry.deadline:
                raise HandbookError(Msg.FORMS_UNAVAILABLE, what=what, target=target, attempts=attempt, seconds=elapsed,
                                    failure=failure) from None
            self.retry.sleep(pause)

    def _http_error(self, what: str, target: str, form_id: str, status: int, reason: str) -> HandbookError:
        reason = _short(reason)
        account = f" {self._account}" if self._account else "所用的 Google 账号"
        if status == 404 and form_id:
            return FormGone(form_id, Msg.FORM_404, target=target)
        if status == 401:
            return HandbookError(Msg.FORMS_401, what=what, reason=reason, path=self.credentials_path)
        if status == 403:
            return HandbookError(Msg.FORMS_403, target=target, what=what, reason=reason, account=account)
        return HandbookError(Msg.FORMS_HTTP, what=what, target=target, status=status, reason=reason)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

