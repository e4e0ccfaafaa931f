"""Inbound Parse: a prospect's reply, posted as SendGrid posts it (the SDK's sample payloads)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django_scopes import scopes_disabled

from crm.inbox.models import ConsentRecord, Conversation, InboundEvent, Message, MessageAttachment
from crm.inbox.signals import inbound_message_received
from crm.leads.models import Lead
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.fakes.sendgrid_api import FakeSendGrid
from tests.fakes.sendgrid_fixtures import INBOUND_DOMAIN
from tests.sendgrid.conftest import (
    post_inbound,
    reply_address,
    reply_fields,
    sample_fields,
    send_email,
)

Commit = Callable[[], AbstractContextManager[Any]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def thread(team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_on: FakeSendGrid) -> Conversation:
    """Ada got our email; her replies go to this conversation's reply address."""
    message = send_email(team_a, ada, commit)
    return message.conversation


@pytest.fixture
def received() -> Iterator[list[Message]]:
    """The messages ``inbound_message_received`` announced (what the AI auto-reply listens to)."""
    seen: list[Message] = []

    def listener(sender: Any, message: Message, **kwargs: Any) -> None:
        seen.append(message)

    inbound_message_received.connect(listener)
    yield seen
    inbound_message_received.disconnect(listener)


def inbound(world: TeamWorld, conversation: Conversation) -> list[Message]:
    with team_scope(world.team):
        return list(Message.objects.filter(conversation=conversation, direction="inbound").order_by("created_at"))


def events() -> list[InboundEvent]:
    return list(InboundEvent.objects.filter(provider="sendgrid").order_by("received_at"))


def test_a_reply_is_threaded_into_its_conversation_with_the_quote_stripped(
    team_a: TeamWorld, thread: Conversation, commit: Commit, received: list[Message]
) -> None:
    with commit():
        response = post_inbound(reply_fields(reply_address(thread)))

    assert response.status_code == 200
    [message] = inbound(team_a, thread)
    assert message.body == "Yes, Saturday at 10 works for me."
    assert message.subject == "Re: Your inquiry at Maple Court"
    assert message.transport == "sendgrid"
    assert message.provider_id == "<CAF=reply-1@mail.example.com>"
    assert message.from_address == "ada@example.com"
    assert message.to_address == reply_address(thread)
    [event] = events()
    assert (event.kind, event.event_id, event.team_id, event.status) == (
        "sendgrid.inbound", "<CAF=reply-1@mail.example.com>", team_a.team.pk, "processed",
    )  # fmt: skip
    assert "> Would you like to tour on Saturday?" in event.payload["text"]  # the full text is kept
    assert [m.pk for m in received] == [message.pk]
    with team_scope(team_a.team):
        assert Conversation.objects.get(pk=thread.pk).unread is True


def test_an_attachment_is_stored_under_a_generated_key_and_linked(
    team_a: TeamWorld, thread: Conversation, commit: Commit
) -> None:
    files = [("attachment1", "../../floor plan.png", "image/png", PNG)]
    with commit():
        response = post_inbound(reply_fields(reply_address(thread), attachments=files), files=files)

    assert response.status_code == 200
    [message] = inbound(team_a, thread)
    with team_scope(team_a.team):
        [attachment] = MessageAttachment.objects.filter(message=message)
    assert attachment.filename == "../../floor plan.png"  # kept as data only
    assert attachment.file.name.startswith(f"inbox/{team_a.team.pk}/")
    assert ".." not in attachment.file.name
    assert "floor" not in attachment.file.name
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    with default_storage.open(attachment.file.name) as stored:
        assert stored.read() == PNG


def test_oversized_attachments_are_skipped_but_recorded(
    team_a: TeamWorld, thread: Conversation, commit: Commit, monkeypatch: pytest.MonkeyPatch, media_root: Path
) -> None:
    monkeypatch.setattr("integrations.sendgrid.webhooks.MAX_ATTACHMENT_BYTES", 10)
    files = [("attachment1", "big.png", "image/png", PNG)]
    with commit():
        post_inbound(reply_fields(reply_address(thread), attachments=files), files=files)

    [event] = events()
    assert event.payload["attachments"] == []
    assert event.payload["skipped_attachments"][0]["reason"] == "larger than 5 MB"
    with team_scope(team_a.team):
        assert not MessageAttachment.objects.exists()
    assert not (media_root / "inbox").exists()


def test_the_raw_mime_sample_with_an_attachment_is_understood(
    team_a: TeamWorld, thread: Conversation, commit: Commit
) -> None:
    fields: dict[str, str | bytes] = dict(sample_fields("raw_data_with_attachments.txt"))
    to = reply_address(thread)
    fields["email"] = str(fields["email"]).replace("inbound@inbound.inbound.com", to)
    fields["to"] = to
    fields["envelope"] = f'{{"to":["{to}"],"from":"test@example.com"}}'
    with commit():
        response = post_inbound(fields)

    assert response.status_code == 200
    [message] = inbound(team_a, thread)
    assert message.body == "Hello Twilio SendGrid!"
    assert message.subject == "Inbound Parse Test Raw Data with Attachment"
    assert message.from_address == "test@example.com"  # not Ada's address: still threaded, sender kept
    with team_scope(team_a.team):
        [attachment] = MessageAttachment.objects.filter(message=message)
    assert (attachment.filename, attachment.content_type) == ("SendGrid.jpg", "image/jpeg")
    with default_storage.open(attachment.file.name) as stored:
        assert stored.read(3) == b"\xff\xd8\xff"  # a JPEG, decoded from base64


@pytest.mark.parametrize("key", [None, "", "wrong-secret"], ids=["missing", "empty", "wrong"])
def test_a_missing_or_wrong_key_is_refused_and_nothing_is_stored(
    team_a: TeamWorld, thread: Conversation, commit: Commit, key: str | None, media_root: Path
) -> None:
    files = [("attachment1", "plan.png", "image/png", PNG)]
    with commit():
        response = post_inbound(reply_fields(reply_address(thread), attachments=files), key=key, files=files)

    assert response.status_code == 403
    assert events() == []
    assert inbound(team_a, thread) == []
    assert not (media_root / "inbox").exists()


def test_without_a_configured_secret_every_post_is_refused(
    team_a: TeamWorld, thread: Conversation, settings: Any
) -> None:
    settings.SENDGRID_INBOUND_SECRET = ""
    assert post_inbound(reply_fields(reply_address(thread)), key="").status_code == 403
    assert events() == []


def test_the_same_message_id_twice_is_one_message(team_a: TeamWorld, thread: Conversation, commit: Commit) -> None:
    files = [("attachment1", "plan.png", "image/png", PNG)]
    fields = reply_fields(reply_address(thread), attachments=files)
    with commit():
        assert post_inbound(fields, files=files).status_code == 200
        assert post_inbound(fields, files=files).status_code == 200

    assert len(inbound(team_a, thread)) == 1
    [event] = events()
    assert event.deliveries == 2
    with team_scope(team_a.team):
        assert MessageAttachment.objects.count() == 1


def test_without_a_message_id_a_redelivery_is_still_recognised(
    team_a: TeamWorld, thread: Conversation, commit: Commit
) -> None:
    fields = reply_fields(reply_address(thread), message_id="")
    with commit():
        post_inbound(fields)
        post_inbound(fields)

    [event] = events()
    assert event.event_id.startswith("sha256:")
    assert len(inbound(team_a, thread)) == 1


def test_an_unknown_reply_address_is_kept_but_changes_nothing(
    team_a: TeamWorld, thread: Conversation, commit: Commit
) -> None:
    with commit():
        response = post_inbound(reply_fields(f"reply+0123456789abcdef01234567@{INBOUND_DOMAIN}"))

    assert response.status_code == 200
    [event] = events()
    assert (event.team_id, event.status) == (None, "ignored")
    assert inbound(team_a, thread) == []


def test_the_sdk_sample_as_is_is_stored_without_a_team(db: None, commit: Commit, sendgrid_on: FakeSendGrid) -> None:
    with commit():
        response = post_inbound(dict(sample_fields()))

    assert response.status_code == 200
    [event] = events()
    assert event.team_id is None
    assert event.payload["subject"] == "Testing non-raw"
    assert event.payload["text"].strip() == "Hello Twilio SendGrid!"


def test_unsubscribe_as_the_whole_reply_opts_out_of_email(
    team_a: TeamWorld, ada: Lead, thread: Conversation, commit: Commit, received: list[Message]
) -> None:
    with commit():
        post_inbound(reply_fields(reply_address(thread), text="UNSUBSCRIBE\n\nOn Tue wrote:\n> hi\n"))

    with team_scope(team_a.team):
        [record] = ConsentRecord.objects.filter(lead=ada, channel="email")
    assert (record.state, record.source) == ("opted_out", "keyword")
    assert received == []  # nobody answers an unsubscribe


def test_the_list_unsubscribe_mailto_opts_out(
    team_a: TeamWorld, ada: Lead, thread: Conversation, commit: Commit
) -> None:
    with commit():
        post_inbound(reply_fields(reply_address(thread), subject="unsubscribe", text="", message_id="<u1@x.example>"))

    with team_scope(team_a.team):
        assert ConsentRecord.objects.filter(lead=ada, channel="email", state="opted_out").count() == 1


def test_a_reply_to_another_teams_thread_lands_in_that_team_only(
    team_a: TeamWorld, team_b: TeamWorld, thread: Conversation, commit: Commit
) -> None:
    with commit():
        post_inbound(reply_fields(reply_address(thread)))

    [event] = events()
    assert event.team_id == team_a.team.pk
    with scopes_disabled():
        assert not Message.objects.filter(team=team_b.team).exists()
