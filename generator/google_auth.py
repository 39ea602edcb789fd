"""Why Google refused a sign-in, in Chinese: shared by `forms push` and the Sheets ingest.

google-auth's `RefreshError` carries ("<error>: <description>", <Google's JSON answer>); printed as it is,
that is a raw English tuple. `refusal` names the cause in Chinese and keeps Google's own code and words
in brackets, for searching. Neither part ever holds the key.
"""

from __future__ import annotations

# OAuth 2.0 token endpoint errors (RFC 6749 section 5.2) as Google uses them for service accounts
CAUSES = {
    "invalid_grant": "密钥已被删除或停用、不属于该服务账号，或本机时钟不准",
    "invalid_client": "凭据无效（服务账号或 OAuth 客户端不存在或已被停用）",
    "unauthorized_client": "该账号不允许这种登录方式",
    "access_denied": "Google 拒绝了访问",
    "invalid_scope": "请求的权限范围无效",
    "invalid_request": "登录请求无效（凭据文件可能不完整）",
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
        return f"{cause}（Google：{google}）"
    return f"Google 拒绝了登录（{google}）" if google else "Google 拒绝了登录"
