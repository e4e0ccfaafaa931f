"""Photos and files sent by MMS: download them from Twilio and keep them with the message.

Twilio media URLs need the account's credentials (HTTP basic auth), so a URL is only fetched when
it points at Twilio's API (or at ``TWILIO_API_BASE_URL``): the auth token never goes anywhere else,
whatever a payload says. A file that cannot be fetched, is too big or of a type we do not keep is
skipped and noted in the message's ``error``; the text itself is never lost.
"""

from __future__ import annotations

import logging
import mimetypes
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.files.base import ContentFile

from crm.inbox.models import Message, MessageAttachment
from integrations.credentials import TwilioCredentials, twilio_credentials

logger = logging.getLogger(__name__)

MAX_FILES = 10
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = (5.0, 10.0)  # connect, read (seconds)
CHUNK = 64 * 1024
# What carriers deliver by MMS and a browser can show safely. No SVG: it can carry script.
ALLOWED_TYPES = frozenset(
    {
        "application/pdf", "text/vcard", "text/x-vcard", "text/calendar",
        "video/3gpp", "video/mp4", "video/quicktime", "audio/amr", "audio/mpeg", "audio/mp4",
    }
)  # fmt: skip
BLOCKED_IMAGE_TYPES = frozenset({"image/svg+xml"})
EXTENSIONS = {"image/jpeg": ".jpg", "text/vcard": ".vcf", "text/x-vcard": ".vcf", "audio/amr": ".amr"}


class MediaRefused(Exception):
    """This file is not kept; the message says why."""


def store_media(message: Message, payload: dict[str, Any]) -> list[MessageAttachment]:
    """Download each ``MediaUrl{i}`` and attach it to ``message``; failures are noted, never raised."""
    try:
        count = int(_text(payload.get("NumMedia")) or 0)
    except ValueError:
        count = 0
    credentials = twilio_credentials(message.team)
    stored: list[MessageAttachment] = []
    problems: list[str] = []
    if count > MAX_FILES:
        problems.append(f"only the first {MAX_FILES} of {count} files were kept")
    for index in range(min(count, MAX_FILES)):
        url = _text(payload.get(f"MediaUrl{index}"))
        content_type = _text(payload.get(f"MediaContentType{index}")).lower().split(";")[0].strip()
        try:
            stored.append(_store_one(message, credentials, index, url, content_type))
        except MediaRefused as exc:
            problems.append(f"file {index + 1}: {exc}")
            logger.info(
                "mms media not stored", extra={"message_id": str(message.pk), "index": index, "reason": str(exc)}
            )
    if problems:
        note = "Some attachments could not be saved: " + "; ".join(problems) + "."
        message.error = f"{message.error}\n{note}".strip()[:2000] if message.error else note[:2000]
        Message.objects.filter(pk=message.pk).update(error=message.error)
    return stored


def _store_one(
    message: Message, credentials: TwilioCredentials | None, index: int, url: str, content_type: str
) -> MessageAttachment:
    if not url:
        raise MediaRefused("no download address")
    if not _allowed_type(content_type):
        raise MediaRefused(f"{content_type or 'unknown type'} files are not kept")
    if credentials is None:
        raise MediaRefused("Twilio is not configured, so the file cannot be downloaded")
    if not _twilio_url(url):
        raise MediaRefused("the download address is not Twilio's")
    content = _download(url, credentials)
    filename = f"{'photo' if content_type.startswith('image/') else 'attachment'}-{index + 1}{_extension(content_type)}"
    return MessageAttachment.objects.create(
        team_id=message.team_id, message=message, file=ContentFile(content, name=filename), filename=filename,
        content_type=content_type, size=len(content),
    )  # fmt: skip


def _download(url: str, credentials: TwilioCredentials) -> bytes:
    # Twilio answers with a redirect to its media store; requests drops the credentials when the
    # redirect leaves the host, so they are only ever sent to Twilio.
    try:
        with requests.get(
            url, auth=(credentials.account_sid, credentials.auth_token), timeout=TIMEOUT, stream=True
        ) as response:
            if response.status_code != 200:
                raise MediaRefused(f"download failed (HTTP {response.status_code})")
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > MAX_BYTES:
                raise MediaRefused(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
            content = bytearray()
            for chunk in response.iter_content(CHUNK):
                content.extend(chunk)
                if len(content) > MAX_BYTES:
                    raise MediaRefused(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    except requests.RequestException as exc:
        raise MediaRefused(f"download failed ({type(exc).__name__})") from exc
    return bytes(content)


def _allowed_type(content_type: str) -> bool:
    if content_type.startswith("image/"):
        return content_type not in BLOCKED_IMAGE_TYPES
    return content_type in ALLOWED_TYPES


def _twilio_url(url: str) -> bool:
    parts = urlsplit(url)
    base = urlsplit(settings.TWILIO_API_BASE_URL) if settings.TWILIO_API_BASE_URL else None
    if base is not None and (parts.scheme, parts.netloc) == (base.scheme, base.netloc):
        return True
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and (host == "twilio.com" or host.endswith(".twilio.com")) and not parts.username


def _extension(content_type: str) -> str:
    return EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ".bin"


def _text(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()
