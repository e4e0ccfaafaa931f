"""SendGrid's webhook payloads, parsed into typed objects at the edge.

Inbound Parse posts multipart form fields (``headers``, ``from``, ``to``, ``subject``, ``text``,
``html``, ``envelope``, ``charsets``, ``attachment-info``, ``attachmentN``...), each in the
charset the sender used; ``charsets`` says which. The webhook view reads the form as Latin-1
(a lossless byte-to-character mapping) and ``decode_fields`` re-decodes every field with its own
charset. In "raw" mode the whole MIME message arrives in the ``email`` field instead.
"""

from __future__ import annotations

import codecs
import hashlib
import html as html_lib
import json
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parseaddr
from typing import Any

from django.core.files.base import ContentFile, File
from django.utils.html import strip_tags

# reply+<conversation token>@<inbound domain>: the token is ``new_reply_token()`` (hex).
REPLY_ADDRESS = re.compile(r"(?:^|[<\s,;:])reply\+([A-Za-z0-9]{8,64})@", re.IGNORECASE)
MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    size: int
    content: File[Any] = field(repr=False)


@dataclass(frozen=True)
class InboundEmail:
    message_id: str
    sender: str
    sender_name: str
    recipients: list[str]
    subject: str
    text: str
    html: str
    headers: str
    in_reply_to: str = ""
    spf: str = ""
    dkim: str = ""
    envelope: dict[str, Any] = field(default_factory=dict)
    attachments: list[InboundAttachment] = field(default_factory=list)

    @property
    def event_id(self) -> str:
        """The Message-ID; without one, a digest of what was received (a redelivery hashes the same)."""
        if self.message_id:
            return self.message_id
        raw = json.dumps([self.sender, self.recipients, self.subject, self.text, self.headers], ensure_ascii=False)
        return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()

    @property
    def reply_token(self) -> str:
        for address in self.recipients:
            match = REPLY_ADDRESS.search(" " + address)
            if match:
                return match.group(1).lower()
        return ""

    def payload(self, *, attachments: list[dict[str, Any]], skipped: list[dict[str, Any]]) -> dict[str, Any]:
        """The JSON stored with the event: the full text (quotes included) and where attachments went."""
        return {
            "message_id": self.message_id,
            "from": self.sender,
            "from_name": self.sender_name,
            "to": self.recipients,
            "reply_token": self.reply_token,
            "subject": self.subject,
            "text": self.text[:MAX_TEXT_CHARS],
            "html": self.html[:MAX_TEXT_CHARS],
            "headers": self.headers[:20_000],
            "in_reply_to": self.in_reply_to,
            "spf": self.spf,
            "dkim": self.dkim,
            "envelope": self.envelope,
            "attachments": attachments,
            "skipped_attachments": skipped,
        }


def decode_fields(form: Any) -> dict[str, str]:
    """Every form field as text in its declared charset (the form was read as Latin-1)."""
    raw = {name: form.get(name, "") for name in form}
    charsets = _json_object(raw.get("charsets", ""))
    fields = {}
    for name, value in raw.items():
        # The raw MIME source stays as read: MIME declares (and decodes) its own charsets.
        fields[name] = value if name == "email" else _recode(value, str(charsets.get(name) or "utf-8"))
    return fields


def _recode(value: str, charset: str) -> str:
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        codec = "utf-8"
    try:
        data = value.encode("latin-1")
    except UnicodeEncodeError:
        return value  # already real text (the form was not read as Latin-1)
    return data.decode(codec, errors="replace")


def parse_inbound(fields: dict[str, str], files: dict[str, File[Any]]) -> InboundEmail:
    if fields.get("email"):
        return _parse_raw(fields)
    headers = HeaderParser(policy=policy.default).parsestr(fields.get("headers", ""))
    envelope = _json_object(fields.get("envelope", ""))
    sender_name, sender = parseaddr(fields.get("from", "") or str(headers.get("From", "")))
    envelope_from = str(envelope.get("from") or "")
    info = _json_object(fields.get("attachment-info", ""))
    attachments = []
    for name in sorted(files, key=_attachment_number):
        upload = files[name]
        found = info.get(name)
        meta: dict[str, Any] = found if isinstance(found, dict) else {}
        attachments.append(
            InboundAttachment(
                filename=str(meta.get("filename") or meta.get("name") or getattr(upload, "name", "") or name)[:200],
                content_type=str(meta.get("type") or getattr(upload, "content_type", "") or "application/octet-stream"),
                size=int(upload.size or 0),
                content=upload,
            )
        )
    text = fields.get("text", "")
    html = fields.get("html", "")
    return InboundEmail(
        message_id=_message_id(headers.get("Message-ID")),
        sender=(sender or envelope_from).strip().lower(),
        sender_name=sender_name.strip(),
        recipients=_recipients(envelope, fields.get("to", ""), str(headers.get("To", "")), str(headers.get("Cc", ""))),
        subject=fields.get("subject", "") or str(headers.get("Subject", "")),
        text=text or html_to_text(html),
        html=html,
        headers=fields.get("headers", ""),
        in_reply_to=_message_id(headers.get("In-Reply-To")),
        spf=fields.get("SPF", ""),
        dkim=fields.get("dkim", ""),
        envelope=envelope,
        attachments=attachments,
    )


def _parse_raw(fields: dict[str, str]) -> InboundEmail:
    message = BytesParser(policy=policy.default).parsebytes(_source_bytes(fields["email"]))
    assert isinstance(message, EmailMessage)
    envelope = _json_object(fields.get("envelope", ""))
    sender_name, sender = parseaddr(str(message.get("From", "")))
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    html = html_part.get_content() if html_part is not None else ""
    attachments = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True) or b""
        if not isinstance(data, bytes):
            continue
        attachments.append(
            InboundAttachment(
                filename=(part.get_filename() or "attachment")[:200],
                content_type=part.get_content_type(),
                size=len(data),
                content=ContentFile(data),
            )
        )
    header_block = "".join(f"{name}: {value}\n" for name, value in message.items())
    return InboundEmail(
        message_id=_message_id(message.get("Message-ID")),
        sender=(sender or str(envelope.get("from") or "")).strip().lower(),
        sender_name=sender_name.strip(),
        recipients=_recipients(envelope, fields.get("to", ""), str(message.get("To", "")), str(message.get("Cc", ""))),
        subject=str(message.get("Subject", "")) or fields.get("subject", ""),
        text=(text_part.get_content() if text_part is not None else "") or html_to_text(html),
        html=html,
        headers=header_block,
        in_reply_to=_message_id(message.get("In-Reply-To")),
        spf=fields.get("SPF", ""),
        dkim=fields.get("dkim", ""),
        envelope=envelope,
        attachments=attachments,
    )


def _source_bytes(value: str) -> bytes:
    try:
        return value.encode("latin-1")  # the bytes as posted (see decode_fields)
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _recipients(envelope: dict[str, Any], *header_values: str) -> list[str]:
    """The SMTP envelope's recipients first (what the mail was really delivered to), then the headers'."""
    found: list[str] = []
    to = envelope.get("to")
    for address in to if isinstance(to, list) else [to] if isinstance(to, str) else []:
        found.append(str(address).strip().lower())
    for _, address in getaddresses([v for v in header_values if v]):
        if address:
            found.append(address.strip().lower())
    return list(dict.fromkeys(a for a in found if a))


def _message_id(value: object) -> str:
    text = str(value or "").strip()
    return text.split()[0] if text else ""


def _attachment_number(name: str) -> tuple[int, str]:
    digits = re.sub(r"\D", "", name)
    return (int(digits) if digits else 0, name)


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


BLOCK_BREAK = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|/tr|/h[1-6])\s*>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """A readable text version of an HTML-only email (never rendered as HTML anywhere)."""
    if not html:
        return ""
    text = BLOCK_BREAK.sub("\n", html)
    text = re.sub(r"<(script|style)\b.*?</\1\s*>", "", text, flags=re.IGNORECASE | re.DOTALL)
    text = html_lib.unescape(strip_tags(text))
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- Quoted replies -----------------------------------------------------------------------------

ATTRIBUTION = re.compile(r"^\s*On\b.*\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
ORIGINAL_MESSAGE = re.compile(r"^\s*-{2,}\s*(?:Original Message|Forwarded message)\s*-{2,}\s*$", re.IGNORECASE)
OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")
OUTLOOK_FROM = re.compile(r"^\s*\*?From:\*?\s", re.IGNORECASE)
OUTLOOK_NEXT = re.compile(r"^\s*\*?(?:Sent|Date|To|Subject):\*?\s", re.IGNORECASE)


def strip_quoted(text: str) -> str:
    """The new part of a reply: drops quoted lines (``>``) and everything after the quote's header
    ("On ... wrote:", "-----Original Message-----", Outlook's "From:/Sent:" block). Falls back to
    the whole text when nothing new is left, so a message is never stored empty."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if ORIGINAL_MESSAGE.match(line) or OUTLOOK_RULE.match(line):
            break
        if ATTRIBUTION.match(line) or (line.lstrip().startswith("On ") and ATTRIBUTION.match(f"{line} {following}")):
            break
        if OUTLOOK_FROM.match(line) and OUTLOOK_NEXT.match(following):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    result = "\n".join(kept).strip()
    return result or text.strip()
