"""A real webhook receiver for the tests: an HTTP server on loopback, in a thread, that
verifies every call's signature with the standardwebhooks library's verifier (as a customer's
receiver would) and records what arrived."""

import collections
import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified_by: list[str]

    @property
    def event(self) -> Any:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """Answers `fail_first` calls with `fail_status`, then `status`. `secrets` are the
    secrets it verifies with (each call records which of them verified it)."""

    secrets: list[str] = field(default_factory=list)
    status: int = 204
    fail_first: int = 0
    fail_status: int = 503
    delay: float = 0.0
    calls: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    _server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/tandem"

    def ids(self) -> list[str]:
        with self.lock:
            return [call.webhook_id for call in self.calls]

    def duplicates(self) -> list[str]:
        return [key for key, count in collections.Counter(self.ids()).items() if count > 1]

    def __enter__(self) -> "Receiver":
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # a request cut short is never processed
                headers = {name.lower(): value for name, value in self.headers.items()}
                verified = []
                for secret in receiver.secrets:
                    try:
                        Webhook(secret).verify(body, headers)
                    except WebhookVerificationError:
                        continue
                    verified.append(secret)
                with receiver.lock:
                    receiver.calls.append(Received(headers, body, verified))
                    failing = len(receiver.calls) <= receiver.fail_first
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.fail_status if failing else receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
