"""A Slack Web API for tests: an HTTP server on loopback the real `slack_sdk.WebClient` talks
to (its base_url is `SLACK_API_BASE_URL`). It checks what Slack checks: the method's HTTP verb
and encoding, `Authorization: Bearer <the organisation's token>`, and the payload's shape
(a Block Kit message with a plain-text fallback and an absolute link back). It can answer the
errors Slack answers: `users_not_found`, `ratelimited` (HTTP 429 with Retry-After), HTTP 500."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    verb: str
    token: str
    payload: dict[str, Any]


@dataclass
class SlackServer:
    token: str
    # email -> Slack user id of the people the workspace knows.
    people: dict[str, str] = field(default_factory=dict)
    # method -> what to answer next time (then normal): "ratelimited", "500", or an error code.
    failures: dict[str, str] = field(default_factory=dict)
    retry_after: int = 30
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.handle(self, "GET")

            def do_POST(self) -> None:
                server.handle(self, "POST")

            def log_message(self, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    # --- the server ---------------------------------------------------------------------

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any] | str,
        headers: dict[str, str] | None = None,
    ) -> None:
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        handler.send_response(status)
        content_type = "text/html" if isinstance(body, str) else "application/json"
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(raw)

    def handle(self, handler: BaseHTTPRequestHandler, verb: str) -> None:
        parts = urlsplit(handler.path)
        method = parts.path.removeprefix("/api/")
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        content_type = handler.headers.get("Content-Type") or ""
        if "application/json" in content_type:
            payload = json.loads(raw or b"{}")
        else:
            query = parse_qs(parts.query) | parse_qs(raw.decode())
            payload = {key: values[0] for key, values in query.items()}
        authorization = handler.headers.get("Authorization") or ""
        token = authorization.removeprefix("Bearer ")
        self.calls.append(Call(method=method, verb=verb, token=token, payload=payload))
        if authorization != f"Bearer {self.token}":
            self._answer(handler, 200, {"ok": False, "error": "invalid_auth"})
            return
        failure = self.failures.pop(method, None)
        if failure == "ratelimited":
            self._answer(
                handler,
                429,
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(self.retry_after)},
            )
            return
        if failure == "500":
            self._answer(handler, 500, "<html>Internal Server Error</html>")
            return
        if failure:
            self._answer(handler, 200, {"ok": False, "error": failure})
            return
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            self.problems.append(f"unknown method {method}")
            self._answer(handler, 404, {"ok": False, "error": "unknown_method"})
            return
        self._answer(handler, 200, answer(verb, content_type, payload))

    def _problem(self, text: str) -> dict[str, Any]:
        self.problems.append(text)
        return {"ok": False, "error": "invalid_arguments"}

    def _users_lookupByEmail(self, verb: str, _type: str, payload: dict[str, Any]) -> dict:
        # Slack takes GET with a query or POST with a form (the SDK's urllib client posts).
        user_id = self.people.get(payload.get("email", ""))
        if user_id is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": {"id": user_id, "profile": {"email": payload["email"]}}}

    def _conversations_open(self, verb: str, _type: str, payload: dict[str, Any]) -> dict:
        if verb != "POST":
            return self._problem(f"conversations.open by {verb}")
        users = payload.get("users", "")
        if users not in self.people.values():
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": f"D{users}"}}

    def _chat_postMessage(self, verb: str, content_type: str, payload: dict[str, Any]) -> dict:
        if verb != "POST" or "application/json" not in content_type:
            return self._problem(f"chat.postMessage by {verb} as {content_type}")
        channel = payload.get("channel", "")
        if not channel.startswith("D") or channel[1:] not in self.people.values():
            return self._problem(f"chat.postMessage to {channel!r}")
        if not str(payload.get("text") or "").strip():
            return self._problem("chat.postMessage without a fallback text")
        blocks = payload.get("blocks")
        if not isinstance(blocks, list) or not blocks or len(blocks) > 50:
            return self._problem("chat.postMessage without blocks")
        for block in blocks:
            if block.get("type") not in ("header", "section", "actions"):
                return self._problem(f"unexpected block {block.get('type')!r}")
            if block["type"] in ("header", "section"):
                text = block.get("text") or {}
                limit = 150 if block["type"] == "header" else 3000
                if text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= limit:
                    return self._problem(f"bad {block['type']} text")
            else:
                for element in block.get("elements") or []:
                    url = str(element.get("url", ""))
                    if element.get("type") != "button" or not url.startswith(
                        ("http://", "https://")
                    ):
                        return self._problem(f"bad button {element!r}")
        return {"ok": True, "channel": channel, "ts": "1700000000.000100"}
