"""Why Google refused a sign-in, in Chinese: shared by `forms push` and the Sheets ingest.

google-auth's `RefreshError` carries ("<error>: <description>", <Google's JSON answer>); printed as it is,
that is a raw English tuple. `refusal` names the cause in Chinese and keeps Google's own code and words
in brackets, for searching. Neither part ever holds the key.
"""

from __future__ import annotations

from .messages import Msg

# OAuth 2.0 token endpoint errors (RFC 6749 section 5.2) as Google uses them for service accounts
CAUSES = {
    "invalid_grant": Msg.SIGN_IN_INVALID_GRANT,
    "invalid_client": Msg.SIGN_IN_INVALID_CLIENT,
    "unauthorized_client": Msg.SIGN_IN_UNAUTHORIZED_CLIENT,
    "access_denied": Msg.SIGN_IN_ACCESS_DENIED,
    "invalid_scope": Msg.SIGN_IN_INVALID_SCOPE,
    "invalid_request": Msg.SIGN_IN_INVALID_REQUEST,
}


def refusal(exc: BaseException, limit: int = 160) -> str:
    """One Chinese phrase for a refused sign-in, with Google's code and words in brackets."""
    first = str(exc.args[0]) if exc.args else ""
    code, sep, detail = first.partition(":")
    code = code.strip()
    said = " ".join((detail if sep else "").split())
    google = f"{code}：{said}" if said else code
    if len(google) > limit:
        google = google[:limit - 1] + "…"
    cause = CAUSES.get(code)
    if cause:
        return cause(google=google)
    return Msg.SIGN_IN_REFUSED(google=google) if google else Msg.SIGN_IN_REFUSED_SILENTLY()
