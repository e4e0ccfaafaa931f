"""Parsing SendGrid's inbound posts: quoted replies, charsets, recipients."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from crm.inbox.models import Conversation, Message
from crm.teams.scoping import team_scope
from integrations.sendgrid.handlers import wants_unsubscribe
from integrations.sendgrid.parsing import html_to_text, parse_inbound, strip_quoted
from tests.conftest import TeamWorld
from tests.fakes.sendgrid_api import FakeSendGrid
from tests.sendgrid.conftest import post_inbound, reply_address, reply_fields, send_email

Commit = Callable[[], AbstractContextManager[Any]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sounds good!\n\nOn Mon, Nov 23, 2026 at 9:00 AM Maple <a@b.c> wrote:\n> Tour?\n> Thanks",
            "Sounds good!",
        ),
        # Gmail wraps a long attribution over two lines.
        (
            "Sure.\n\nOn Mon, Nov 23, 2026 at 9:00 AM Maple Court Leasing <\nleasing@m.example> wrote:\n> hi",
            "Sure.",
        ),
        ("Yes please\n\n-----Original Message-----\nFrom: Maple Court\nSent: Monday\n\nTour?", "Yes please"),
        ("Yes\n\n________________________________\nFrom: Maple Court <a@b.c>\nSent: Monday", "Yes"),
        ("Yes\n\nFrom: Maple Court <a@b.c>\nSent: Monday, November 23\nTo: Ada", "Yes"),
        ("Top\n> quoted line\nBottom", "Top\nBottom"),
        ("> only a quote\n> nothing new", "> only a quote\n> nothing new"),  # never stored empty
        ("On Saturday I can come at 10.\nThanks!", "On Saturday I can come at 10.\nThanks!"),
    ],
)
def test_strip_quoted_keeps_only_the_new_part(text: str, expected: str) -> None:
    assert strip_quoted(text) == expected


def test_html_only_mail_gets_a_text_version_without_markup() -> None:
    html = "<div>Hi&nbsp;there<br>Line two</div><script>alert(1)</script><p>Bye &amp; thanks</p>"
    assert html_to_text(html) == "Hi\xa0there\nLine two\nBye & thanks"


def test_the_reply_token_is_found_in_the_to_header_when_the_envelope_lacks_it() -> None:
    fields = {
        "headers": "To: Maple Court <reply+ABCDEF0123456789abcdef01@replies.example>\nMessage-ID: <m1@x>\n",
        "to": "Maple Court <reply+ABCDEF0123456789abcdef01@replies.example>",
        "envelope": json.dumps({"to": ["leasing@maple.example"], "from": "ada@example.com"}),
        "from": "Ada <ADA@Example.com>",
        "text": "hi",
    }
    email = parse_inbound(fields, {})
    assert email.reply_token == "abcdef0123456789abcdef01"
    assert email.recipients[0] == "leasing@maple.example"  # the envelope comes first
    assert (email.sender, email.sender_name, email.message_id) == ("ada@example.com", "Ada", "<m1@x>")


@pytest.mark.parametrize(
    ("body", "subject", "expected"),
    [
        ("Unsubscribe", "Re: Your inquiry", True),
        ("", "unsubscribe", True),
        ("unsubscribe me!", "", True),
        ("Please don't unsubscribe me, I want the tour", "Re: Tour", False),
        ("What does unsubscribe do?", "Re: Tour", False),
    ],
)
def test_unsubscribe_counts_only_as_the_whole_reply(body: str, subject: str, expected: bool) -> None:
    assert wants_unsubscribe(body, subject) is expected


def test_fields_in_another_charset_are_decoded_with_it(
    team_a: TeamWorld, ada: Any, commit: Commit, sendgrid_on: FakeSendGrid
) -> None:
    conversation: Conversation = send_email(team_a, ada, commit).conversation
    fields = reply_fields(reply_address(conversation), text="", subject="")
    fields["text"] = "Très bien, à samedi.".encode("iso-8859-1")
    fields["subject"] = "Re: Café".encode("iso-8859-1")
    fields["charsets"] = json.dumps({"text": "iso-8859-1", "subject": "iso-8859-1", "from": "UTF-8"})

    with commit():
        assert post_inbound(fields).status_code == 200

    with team_scope(team_a.team):
        message = Message.objects.get(conversation=conversation, direction="inbound")
    assert (message.body, message.subject) == ("Très bien, à samedi.", "Re: Café")
