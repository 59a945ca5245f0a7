"""A push service for tests: an HTTP server on loopback that holds the subscription's private
key, decrypts what Tandem sends (RFC 8291, aes128gcm, with `http_ece`) and checks the VAPID
JWT (RFC 8292) like a real push service would."""

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    payload: dict[str, Any] | None
    jwt_claims: dict[str, Any] | None
    jwt_valid: bool
    vapid_key: str


@dataclass
class PushReceiver:
    """`answer` is the status the receiver gives (201 accepted, 404/410 gone, 5xx)."""

    answer: int = 201
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.p256dh = b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        self.auth_secret = os.urandom(16)
        self.auth = b64url(self.auth_secret)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.record(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(receiver.answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoint(self, name: str = "subscription") -> str:
        return f"{self.origin}/push/{name}"

    def record(self, path: str, headers: dict[str, str], body: bytes) -> None:
        payload = None
        if headers.get("content-encoding") == "aes128gcm":
            plain = http_ece.decrypt(
                body,
                private_key=self.private_key,
                auth_secret=self.auth_secret,
                version="aes128gcm",
            )
            payload = json.loads(plain)
        claims, valid, vapid_key = self.check_vapid(headers.get("authorization", ""))
        self.received.append(Received(path, headers, payload, claims, valid, vapid_key))

    @staticmethod
    def check_vapid(authorization: str) -> tuple[dict[str, Any] | None, bool, str]:
        """RFC 8292: `vapid t=<JWT>, k=<public key>`; the JWT is ES256 over the key."""
        if not authorization.startswith("vapid "):
            return None, False, ""
        parts = dict(
            item.strip().split("=", 1) for item in authorization[len("vapid ") :].split(",")
        )
        token, key = parts["t"], parts["k"]
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(claims_b64))
        signature = b64url_decode(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
        try:
            public.verify(
                encode_dss_signature(
                    int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                ),
                f"{header_b64}.{claims_b64}".encode(),
                ec.ECDSA(hashes.SHA256()),
            )
            valid = header.get("alg") == "ES256"
        except InvalidSignature:
            valid = False
        return claims, valid, key

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
