"""MMS media: downloaded from Twilio with the account's credentials and kept with the message; a
file that cannot be kept is noted on the message, and the text itself is never lost."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage

from crm.inbox.models import EventStatus, Message, MessageAttachment
from crm.properties.models import Property
from crm.teams.scoping import team_scope
from integrations.twilio.media import MAX_BYTES, MAX_FILES
from tests.conftest import TeamWorld
from tests.fakes.twilio_api import FakeTwilio
from tests.fakes.twilio_fixtures import TWILIO_TEST_ACCOUNT_SID
from tests.twilio.conftest import events, post_signed, sms_params

JPEG = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"png-bytes" * 50


def read(attachment: MessageAttachment) -> bytes:
    with default_storage.open(attachment.file.name) as stored:
        return stored.read()


def mms_in(commit: Any, media: list[tuple[str, str]], body: str = "Here are photos of my dog") -> Message:
    with commit():
        assert post_signed("twilio-sms", sms_params(body=body, media=media)).status_code == 200
    assert events()[0].status == EventStatus.PROCESSED
    return Message.objects.get(body=body)


def test_an_mms_with_two_images_stores_both_files(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    media = [(twilio_on.add_media("ME1", JPEG, "image/jpeg"), "image/jpeg"),
             (twilio_on.add_media("ME2", PNG, "image/png"), "image/png")]  # fmt: skip

    with team_scope(team_a.team):
        message = mms_in(commit, media)
        attachments = list(MessageAttachment.objects.filter(message=message).order_by("filename"))

        assert [(a.filename, a.content_type, a.size) for a in attachments] == [
            ("photo-1.jpg", "image/jpeg", len(JPEG)), ("photo-2.png", "image/png", len(PNG)),
        ]  # fmt: skip
        assert [read(a) for a in attachments] == [JPEG, PNG]
        # Stored under generated keys, never under a name taken from the sender.
        assert all(a.file.name.startswith(f"inbox/{team_a.team.pk}/") for a in attachments)
        assert message.error == ""
    assert twilio_on.media_requests == [("ME1", TWILIO_TEST_ACCOUNT_SID), ("ME2", TWILIO_TEST_ACCOUNT_SID)]


def test_a_failed_download_keeps_the_message_and_notes_the_missing_file(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    media = [
        (twilio_on.fail_media("ME1", 500), "image/jpeg"),
        (twilio_on.add_media("ME2", PNG, "image/png"), "image/png"),
    ]

    with team_scope(team_a.team):
        message = mms_in(commit, media, body="Lease question, photo attached")
        assert [a.filename for a in message.attachments.all()] == ["photo-2.png"]
        assert "file 1: download failed (HTTP 500)" in message.error


def test_when_every_download_fails_the_text_still_arrives(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    media = [(twilio_on.media_url("missing"), "image/jpeg")]
    twilio_on.stop()  # Twilio unreachable

    with team_scope(team_a.team):
        message = mms_in(commit, media, body="Photo of the leak")
        assert message.attachments.count() == 0
        assert "download failed (ConnectionError)" in message.error


def test_unsafe_types_and_oversized_files_are_not_kept(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    media = [
        (twilio_on.add_media("ME1", b"<svg onload='alert(1)'/>", "image/svg+xml"), "image/svg+xml"),
        (twilio_on.add_media("ME2", b"MZ...", "application/x-msdownload"), "application/x-msdownload"),
        (twilio_on.add_media("ME3", b"\0" * (MAX_BYTES + 1), "image/jpeg"), "image/jpeg"),
        (twilio_on.add_media("ME4", b"%PDF-1.4 pay stub", "application/pdf"), "application/pdf"),
    ]

    with team_scope(team_a.team):
        message = mms_in(commit, media, body="My documents")
        assert [(a.filename, a.content_type) for a in message.attachments.all()] == [
            ("attachment-4.pdf", "application/pdf")
        ]
        assert "file 1: image/svg+xml files are not kept" in message.error
        assert "file 2: application/x-msdownload files are not kept" in message.error
        assert "file 3: larger than 5 MB" in message.error
    assert [name for name, _ in twilio_on.media_requests] == ["ME3", "ME4"]  # refused types are not even fetched


def test_credentials_are_never_sent_to_a_media_url_that_is_not_twilios(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    with FakeTwilio(accounts={TWILIO_TEST_ACCOUNT_SID: "whatever"}) as elsewhere:
        url = elsewhere.add_media("ME1", JPEG, "image/jpeg")
        with team_scope(team_a.team):
            message = mms_in(commit, [(url, "image/jpeg")], body="photo")
            assert message.attachments.count() == 0
            assert "the download address is not Twilio's" in message.error
        assert elsewhere.media_requests == []


def test_at_most_ten_files_are_kept(twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any) -> None:
    media = [(twilio_on.add_media(f"ME{i}", JPEG, "image/jpeg"), "image/jpeg") for i in range(MAX_FILES + 2)]

    with team_scope(team_a.team):
        message = mms_in(commit, media, body="so many photos")
        assert message.attachments.count() == MAX_FILES
        assert f"only the first {MAX_FILES} of {MAX_FILES + 2} files were kept" in message.error
    assert len(twilio_on.media_requests) == MAX_FILES
