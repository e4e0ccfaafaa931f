"""A loopback stand-in for Twilio's REST API, for driving the real ``twilio`` SDK.

    with FakeTwilio(accounts={"AC...": "token"}) as fake:     # 127.0.0.1:<free port>; fake.url
        fake.fail_next(429, code=20429, message="Too Many Requests")   # next send answers 429
        fake.add_media("photo.jpg", b"...", "image/jpeg")              # → fake.media_url("photo.jpg")
        fake.sent                                                      # the SmsRequest each send made

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` takes Twilio's form-encoded fields (``To``,
``From`` or ``MessagingServiceSid``, ``Body``, ``StatusCallback``), checks HTTP basic auth against
``accounts`` (401 with error 20003 otherwise, as Twilio does) and answers 201 with a message resource
(``sid`` "SM" + 32 hex). Scripted failures answer with Twilio's error JSON
``{code, message, more_info, status}``. ``GET /media/<name>`` serves stored media behind the same
basic auth; ``fail_media(name, status)`` makes one file fail to download.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.loopback import LoopbackFake

API_VERSION = "2010-04-01"


@dataclass(frozen=True)
class SmsRequest:
    """One ``Messages.json`` POST as the fake received it."""

    auth_account: str  # the basic-auth user: which account's credentials the client used
    path_account: str  # the AccountSid in the URL
    to: str
    from_: str
    body: str
    status_callback: str
    messaging_service_sid: str
    form: dict[str, list[str]]
    sid: str = ""  # the sid the fake answered with ("" when it answered an error)


@dataclass(frozen=True)
class Failure:
    status: int
    code: int
    message: str

    def payload(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


@dataclass
class FakeTwilio(LoopbackFake):
    accounts: dict[str, str] = field(default_factory=dict)
    sent: list[SmsRequest] = field(default_factory=list)  # every Messages.json POST, failed ones too
    media_requests: list[tuple[str, str]] = field(default_factory=list)  # (name, basic-auth user)

    def __post_init__(self) -> None:
        self._failures: deque[Failure] = deque()
        self._media: dict[str, tuple[str, bytes]] = {}
        self._media_failures: dict[str, int] = {}
        self._lock = threading.Lock()

    # --- scripting -----------------------------------------------------------------------

    def fail_next(self, status: int, *, code: int | None = None, message: str = "", times: int = 1) -> FakeTwilio:
        """The next ``times`` sends answer ``status`` with Twilio's error JSON."""
        failure = Failure(status, code if code is not None else status, message or f"Error {status}")
        with self._lock:
            self._failures.extend([failure] * times)
        return self

    def add_media(self, name: str, content: bytes, content_type: str) -> str:
        with self._lock:
            self._media[name] = (content_type, content)
        return self.media_url(name)

    def fail_media(self, name: str, status: int = 500) -> str:
        with self._lock:
            self._media_failures[name] = status
        return self.media_url(name)

    def media_url(self, name: str) -> str:
        return f"{self.url}/media/{name}"

    @property
    def delivered(self) -> list[SmsRequest]:
        """The sends the fake accepted (answered 201)."""
        return [request for request in self.sent if request.sid]

    # --- server --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.origin

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                status, payload = fake._handle_post(self.path, self.headers.get("Authorization", ""), raw)
                self._send(status, "application/json", json.dumps(payload).encode())

            def do_GET(self) -> None:
                status, content_type, content = fake._handle_get(self.path, self.headers.get("Authorization", ""))
                self._send(status, content_type, content)

            def _send(self, status: int, content_type: str, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

        self._serve(Handler, "fake-twilio")
        return self

    # --- wire format ---------------------------------------------------------------------

    def _authorised(self, header: str) -> str | None:
        """The account whose basic-auth credentials ``header`` carries, if they are right."""
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user if user in self.accounts and self.accounts[user] == password else None

    def _handle_post(self, path: str, authorization: str, raw: str) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(path).path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != API_VERSION or parts[1] != "Accounts" or parts[3] != "Messages.json":
            return 404, Failure(404, 20404, f"The requested resource {path} was not found").payload()
        path_account = parts[2]
        form = parse_qs(raw, keep_blank_values=True)
        first = {name: values[0] for name, values in form.items()}
        auth_account = self._authorised(authorization)
        request = SmsRequest(
            auth_account=auth_account or "", path_account=path_account, to=first.get("To", ""),
            from_=first.get("From", ""), body=first.get("Body", ""), status_callback=first.get("StatusCallback", ""),
            messaging_service_sid=first.get("MessagingServiceSid", ""), form=form,
        )  # fmt: skip
        if auth_account is None or auth_account != path_account:
            self._record(request)
            return 401, Failure(401, 20003, "Authenticate").payload()
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            self._record(request)
            return failure.status, failure.payload()
        if not request.to or not (request.from_ or request.messaging_service_sid):
            self._record(request)
            return 400, Failure(400, 21604, "A 'To' phone number and a 'From' number are required.").payload()
        sid = "SM" + uuid.uuid4().hex
        self._record(SmsRequest(**{**request.__dict__, "sid": sid}))
        now = formatdate(usegmt=True)
        return 201, {
            "account_sid": path_account, "api_version": API_VERSION, "body": request.body,
            "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": request.from_ or None,
            "messaging_service_sid": request.messaging_service_sid or None, "num_media": "0",
            "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid,
            "status": "accepted" if request.messaging_service_sid else "queued",
            "subresource_uris": {"media": f"/{API_VERSION}/Accounts/{path_account}/Messages/{sid}/Media.json"},
            "to": request.to, "uri": f"/{API_VERSION}/Accounts/{path_account}/Messages/{sid}.json",
        }  # fmt: skip

    def _record(self, request: SmsRequest) -> None:
        with self._lock:
            self.sent.append(request)

    def _handle_get(self, path: str, authorization: str) -> tuple[int, str, bytes]:
        route = urlsplit(path).path
        if not route.startswith("/media/"):
            return 404, "application/json", json.dumps(Failure(404, 20404, "Not found").payload()).encode()
        name = route.removeprefix("/media/")
        account = self._authorised(authorization)
        with self._lock:
            self.media_requests.append((name, account or ""))
            stored = self._media.get(name)
            failing = self._media_failures.get(name)
        if account is None:
            return 401, "application/json", json.dumps(Failure(401, 20003, "Authenticate").payload()).encode()
        if failing:
            return failing, "text/plain", b"media store unavailable"
        if stored is None:
            return 404, "application/json", json.dumps(Failure(404, 20404, "Not found").payload()).encode()
        content_type, content = stored
        return 200, content_type, content
