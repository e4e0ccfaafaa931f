"""SendGrid's v3 mail-send endpoint on loopback, for driving the real ``sendgrid`` SDK.

    with FakeSendGrid(api_key="SG.test") as fake:        # 127.0.0.1:<free port>; fake.host for SENDGRID_API_HOST
        fake.fail(429)                                   # the next request answers 429 (then 500, 400... in order)
        fake.fail(400, "The from address does not match a verified Sender Identity.")
        fake.sent                                        # the JSON bodies accepted (202), in order
        fake.requests                                    # every request received (accepted or not)

``POST /v3/mail/send`` checks ``Authorization: Bearer <api_key>`` (401 otherwise, in SendGrid's
error shape ``{"errors": [{"message": ...}]}``), records the JSON body and answers 202 with an
empty body and an ``X-Message-Id`` header, as SendGrid does. Anything else is a 404.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.loopback import LoopbackFake

SEND_PATH = "/v3/mail/send"
DEFAULT_MESSAGES = {
    400: "Bad Request",
    401: "The provided authorization grant is invalid, expired, or revoked",
    403: "You are not authorized to send from that email address",
    413: "Payload too large",
    429: "too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    status: int


@dataclass
class FakeSendGrid(LoopbackFake):
    api_key: str = "SG.fake-key.for-tests"
    requests: list[ReceivedRequest] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    message_ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._failures: deque[tuple[int, str]] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def fail(self, status: int, message: str = "") -> FakeSendGrid:
        """Answer the next request with ``status`` and SendGrid's error body (queued in order)."""
        with self._lock:
            self._failures.append((status, message or DEFAULT_MESSAGES.get(status, "error")))
        return self

    @property
    def host(self) -> str:
        return self.origin

    @property
    def last(self) -> dict[str, Any]:
        if not self.sent:
            raise AssertionError("The fake SendGrid accepted no email.")
        return self.sent[-1]

    def _answer(self, path: str, headers: dict[str, str], data: bytes) -> tuple[int, dict[str, str], bytes]:
        if path != SEND_PATH:
            return 404, {}, _errors(f"FakeSendGrid does not serve {path}")
        try:
            body = json.loads(data or b"null")
        except ValueError:
            body = None
        with self._lock:
            if headers.get("authorization") != f"Bearer {self.api_key}":
                status, answer = 401, _errors(DEFAULT_MESSAGES[401])
            elif not isinstance(body, dict):
                status, answer = 400, _errors("Invalid JSON")
            elif self._failures:
                status, message = self._failures.popleft()
                answer = _errors(message)
            else:
                status, answer = 202, b""
            self.requests.append(ReceivedRequest(path, headers, body if isinstance(body, dict) else None, status))
            if status != 202:
                return status, {"Content-Type": "application/json"}, answer
            message_id = f"fake-sg-{next(self._ids):06d}"
            self.sent.append(body)  # type: ignore[arg-type]
            self.message_ids.append(message_id)
        return 202, {"X-Message-Id": message_id}, b""

    def start(self) -> FakeSendGrid:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {key.lower(): value for key, value in self.headers.items()}
                status, extra, payload = fake._answer(self.path.split("?")[0], headers, data)
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

        self._serve(Handler, "fake-sendgrid")
        return self


def _errors(message: str) -> bytes:
    return json.dumps({"errors": [{"message": message, "field": None, "help": None}]}).encode()


# --- Signed Event Webhook ----------------------------------------------------------------------


@dataclass
class EventSigner:
    """An ECDSA P-256 key pair standing in for SendGrid's: signs ``timestamp + raw body`` as SendGrid does."""

    private_key: Any = None

    def __post_init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        if self.private_key is None:
            self.private_key = ec.generate_private_key(ec.SECP256R1())

    @property
    def public_key(self) -> str:
        """The base64 body of the public key, as SendGrid shows it under Mail Settings."""
        import base64

        from cryptography.hazmat.primitives import serialization

        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def sign(self, body: bytes, timestamp: str) -> str:
        import base64

        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        return base64.b64encode(self.private_key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()

    def headers(self, body: bytes, timestamp: str) -> dict[str, str]:
        """The request headers SendGrid sends with a signed batch (the test client's ``headers=``)."""
        return {
            "X-Twilio-Email-Event-Webhook-Signature": self.sign(body, timestamp),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        }
