"""Shared by the SendGrid tests: a property with an address, a prospect with an email address,
and Inbound Parse posts built from the SDK's own sample payloads."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import sendgrid
from django.test import Client
from django.urls import reverse

from crm.inbox.models import Conversation, Message
from crm.inbox.services.sending import send_message
from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.fakes.sendgrid_fixtures import INBOUND_DOMAIN, INBOUND_SECRET
from tests.leads.lead_pages import make_lead, make_property

SAMPLE_DATA = Path(sendgrid.__file__).parent / "helpers" / "inbound" / "sample_data"
BOUNDARY = "xYzZY"  # the SDK samples' boundary


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """``with commit(): ...`` runs what the block enqueued on commit (webhook processing, delivery)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def place(team_a: TeamWorld) -> Property:
    return make_property(
        team_a, name="Maple Court", street="100 Maple Ct", city="Austin", state="TX", postal_code="78701",
        email="leasing@maplecourt.example",
    )  # fmt: skip


@pytest.fixture
def ada(team_a: TeamWorld, place: Property) -> Lead:
    return make_lead(team_a, first_name="Ada", last_name="Lovelace", email="ada@example.com", property=place)


def send_email(
    world: TeamWorld, lead: Lead, commit: Callable[[], AbstractContextManager[Any]], body: str = "Hi Ada!", **kw: Any
) -> Message:
    """Send through the real ``send_message`` and run its delivery; returns the reloaded message."""
    with team_scope(world.team), commit():
        message = send_message(lead=lead, body=body, channel="email", **kw)
    with team_scope(world.team):
        return Message.objects.select_related("conversation").get(pk=message.pk)


def conversation_of(world: TeamWorld, lead: Lead) -> Conversation:
    with team_scope(world.team):
        return Conversation.objects.get(lead=lead, channel="email")


def reply_address(conversation: Conversation) -> str:
    return f"reply+{conversation.reply_token}@{INBOUND_DOMAIN}"


# --- Inbound Parse posts -----------------------------------------------------------------------


def sample_fields(name: str = "default_data.txt") -> dict[str, str]:
    """The form fields of one of the SDK's sample Inbound Parse posts, in order."""
    text = (SAMPLE_DATA / name).read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    for part in text.split(f"--{BOUNDARY}"):
        part = part.strip("\n")
        if not part or part == "--":
            continue
        head, _, value = part.partition("\n\n")
        field = head.split('name="', 1)[1].split('"', 1)[0]
        fields[field] = value.rstrip("\n") if field not in {"text", "html"} else value
    return fields


REPLY_TEXT = (
    "Yes, Saturday at 10 works for me.\n\n"
    "On Tue, Nov 24, 2026 at 9:00 AM Maple Court <leasing@loriaa.test> wrote:\n"
    "> Would you like to tour on Saturday?\n"
)
Attachment = tuple[str, str, str, bytes]  # field name, file name, content type, data


def multipart(fields: dict[str, str | bytes], files: Sequence[Attachment] = ()) -> bytes:
    """Encode as SendGrid does: CRLF lines, one part per field, attachments as file parts."""
    chunks: list[bytes] = []
    for name, value in fields.items():
        data = value if isinstance(value, bytes) else value.encode("utf-8")
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        chunks.append(head.encode() + data + b"\r\n")
    for name, filename, content_type, data in files:
        chunks.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def reply_fields(
    to: str,
    *,
    text: str = REPLY_TEXT,
    subject: str = "Re: Your inquiry at Maple Court",
    message_id: str = "<CAF=reply-1@mail.example.com>",
    sender: str = "Ada Lovelace <ada@example.com>",
    attachments: Sequence[Attachment] = (),
) -> dict[str, str | bytes]:
    """The SDK's default sample adapted into a prospect's reply to ``to``."""
    fields: dict[str, str | bytes] = dict(sample_fields())
    headers = str(fields["headers"]).replace("inbound@inbound.example.com", to)
    headers = headers.replace("Example User <test@example.com>", sender)
    headers = headers.replace("Subject: Inbound Parse Test Data", f"Subject: {subject}")
    if message_id:
        headers = headers.replace("MIME-Version: 1.0\n", f"MIME-Version: 1.0\nMessage-ID: {message_id}\n")
    fields["headers"] = headers
    fields["to"] = to
    fields["from"] = sender
    fields["subject"] = subject
    fields["text"] = text
    fields["html"] = "<p>" + text.replace("\n", "<br>") + "</p>"
    fields["envelope"] = json.dumps({"to": [to], "from": sender.split("<")[-1].rstrip(">")})
    fields["attachments"] = str(len(attachments))
    if attachments:
        fields["attachment-info"] = json.dumps(
            {name: {"filename": filename, "name": filename, "type": ctype} for name, filename, ctype, _ in attachments}
        )
    return fields


def post_inbound(
    fields: dict[str, str | bytes], *, key: str | None = INBOUND_SECRET, files: Sequence[Attachment] = ()
) -> Any:
    path = reverse("webhooks:sendgrid-inbound")
    if key is not None:
        path += f"?key={key}"
    return Client().post(path, multipart(fields, files), content_type=f"multipart/form-data; boundary={BOUNDARY}")
