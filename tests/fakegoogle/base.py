"""A threaded HTTP server on 127.0.0.1 with an OAuth token endpoint and a request log.

Fakes of Google's APIs subclass `FakeGoogle` and register routes. The real client
libraries (google-auth, gspread, google-api-python-client) talk to it over HTTP.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class Request:
    method: str
    path: str
    query: dict
    body: bytes
    headers: dict

    def json(self):
        return json.loads(self.body or b"{}")


@dataclass
class Response:
    status: int = 200
    body: object = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


class FakeGoogle:
    """Routes are (method, regex) -> handler(request, match) -> Response."""

    def __init__(self):
        self.routes: list[tuple[str, re.Pattern, callable]] = []
        self.log: list[Request] = []
        # queue of forced failures: (path regex, status, body) consumed in order
        self.failures: list[tuple[str, int, dict]] = []
        self.route("POST", r"/token", self._token)
        self._server: ThreadingHTTPServer | None = None

    def route(self, method: str, pattern: str, handler) -> None:
        self.routes.append((method, re.compile(pattern + r"$"), handler))

    def fail_next(self, pattern: str, status: int, message: str = "", times: int = 1) -> None:
        """Make the next `times` requests whose path matches `pattern` fail with `status`."""
        body = {"error": {"code": status, "message": message or f"HTTP {status}",
                          "status": {403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
                                     500: "INTERNAL", 503: "UNAVAILABLE"}.get(status, "UNKNOWN")}}
        self.failures.extend([(pattern, status, body)] * times)

    def _token(self, request: Request, match) -> Response:
        return Response(200, {"access_token": "fake-token", "expires_in": 3599, "token_type": "Bearer"})

    def dispatch(self, request: Request) -> Response:
        self.log.append(request)
        for i, (pattern, status, body) in enumerate(self.failures):
            if re.search(pattern, request.path):
                del self.failures[i]
                return Response(status, body)
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                return handler(request, match)
        return Response(404, {"error": {"code": 404, "message": f"no route {request.method} {request.path}",
                                        "status": "NOT_FOUND"}})

    def api_requests(self) -> list[Request]:
        """Logged requests other than token fetches."""
        return [r for r in self.log if r.path != "/token"]

    # ---- server lifecycle
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeGoogle":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True   # headers, then body: else each answer waits ~40 ms for an ACK

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, parts.path, parse_qs(parts.query), body, dict(self.headers))
                response = fake.dispatch(request)
                payload = response.body if isinstance(response.body, bytes) else \
                    json.dumps(response.body, ensure_ascii=False).encode("utf-8")
                self.send_response(response.status)
                self.send_header("Content-Type", response.headers.get("Content-Type",
                                                                      "application/json; charset=UTF-8"))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args):  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True,
                     kwargs={"poll_interval": 0.05}).start()   # shutdown() waits out one poll: 0.5 s by default
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def write_service_account_key(path: Path, token_uri: str,
                              email: str = "handbook@demo-project.iam.gserviceaccount.com") -> Path:
    """Write a real-looking service-account key (fresh RSA key) whose token_uri is the fake."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "demo-project", "private_key_id": "0123456789abcdef",
        "private_key": pem, "client_email": email, "client_id": "1234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    }))
    return path
