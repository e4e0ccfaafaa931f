"""Composing an outbound email: addresses, subject, footer, unsubscribe headers and escaping."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from crm.inbox.models import Direction, Message, MessageStatus
from crm.inbox.services.email import compose_email
from crm.inbox.unsubscribe import read_token
from crm.leads.models import Lead
from crm.teams.models import Team
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.fakes.sendgrid_api import FakeSendGrid
from tests.fakes.sendgrid_fixtures import INBOUND_DOMAIN
from tests.sendgrid.conftest import conversation_of, reply_address, send_email

Commit = Callable[[], AbstractContextManager[Any]]


def compose(world: TeamWorld, message: Message, from_email: str = "Loriaa <leasing@loriaa.test>") -> Any:
    with team_scope(world.team):
        message = Message.objects.select_related("conversation", "lead", "team").get(pk=message.pk)
        return compose_email(message, from_email=from_email)


def test_the_reply_to_address_threads_replies_back_into_the_conversation(
    team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_on: FakeSendGrid
) -> None:
    message = send_email(team_a, ada, commit)
    email = compose(team_a, message)

    conversation = conversation_of(team_a, ada)
    assert email.reply_to == reply_address(conversation) == f"reply+{conversation.reply_token}@{INBOUND_DOMAIN}"
    assert email.from_email == "leasing@loriaa.test"
    assert email.from_name == "Maple Court"
    assert email.to == "ada@example.com"
    assert email.custom_args == {"loriaa_message_id": str(message.pk), "loriaa_team_id": str(team_a.team.pk)}


def test_without_an_inbound_domain_replies_go_to_the_sender_address(
    team_a: TeamWorld, ada: Lead, commit: Commit
) -> None:
    message = send_email(team_a, ada, commit)  # SendGrid off: the outbox, no inbound domain
    email = compose(team_a, message, from_email="Loriaa <no-reply@loriaa.localhost>")

    assert email.reply_to == "no-reply@loriaa.localhost"
    assert "mailto:" not in email.headers["List-Unsubscribe"]


def test_the_footer_carries_the_team_postal_address_and_falls_back_to_the_property(
    team_a: TeamWorld, ada: Lead, commit: Commit
) -> None:
    message = send_email(team_a, ada, commit)
    email = compose(team_a, message)
    assert "100 Maple Ct, Austin, TX 78701" in email.text
    assert "100 Maple Ct, Austin, TX 78701" in email.html

    Team.objects.filter(pk=team_a.team.pk).update(postal_address="Alpha Living\nPO Box 42\nAustin, TX 78767")
    team_a.team.refresh_from_db()
    email = compose(team_a, message)
    assert "PO Box 42\nAustin, TX 78767" in email.text
    assert "PO Box 42<br>Austin, TX 78767" in email.html
    assert "100 Maple Ct" not in email.text


def test_list_unsubscribe_headers_follow_rfc_8058(
    team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_on: FakeSendGrid
) -> None:
    message = send_email(team_a, ada, commit)
    email = compose(team_a, message)

    header = email.headers["List-Unsubscribe"]
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mailto, url = (part.strip().strip("<>") for part in header.split(","))
    assert mailto == f"mailto:{reply_address(conversation_of(team_a, ada))}?subject=unsubscribe"
    assert url.startswith("http://127.0.0.1:8000/inbox/unsubscribe/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    target = read_token(token)
    assert target is not None
    assert (target.lead.pk, target.channel) == (ada.pk, "email")
    # The same link is in both bodies.
    assert url in email.text
    assert f'href="{url}"' in email.html


def test_html_escapes_the_body_and_turns_line_breaks_into_br_without_making_links(
    team_a: TeamWorld, ada: Lead, commit: Commit
) -> None:
    body = 'Hello <script>alert("x")</script>\nSee https://evil.example/phish & "more"'
    message = send_email(team_a, ada, commit, body=body)
    email = compose(team_a, message)

    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>See https://evil.example/phish &amp;" in email.html
    assert 'href="https://evil.example' not in email.html
    assert email.text.startswith(body + "\n")


def test_a_reply_in_an_existing_thread_gets_re_and_in_reply_to(team_a: TeamWorld, ada: Lead, commit: Commit) -> None:
    first = send_email(team_a, ada, commit)
    assert compose(team_a, first).subject == "Your inquiry at Maple Court"
    with team_scope(team_a.team):
        Message.objects.create(
            team=team_a.team, conversation=first.conversation, lead=ada, direction=Direction.INBOUND, channel="email",
            body="Is it still available?", subject="Re: Your inquiry at Maple Court", status=MessageStatus.RECEIVED,
            transport="sendgrid", provider_id="<abc-123@mail.example.com>",
        )  # fmt: skip

    second = send_email(team_a, ada, commit, body="Yes it is.")
    email = compose(team_a, second)
    assert email.subject == "Re: Your inquiry at Maple Court"
    assert email.headers["In-Reply-To"] == "<abc-123@mail.example.com>"

    new_topic = send_email(team_a, ada, commit, body="A new special.", subject="December move-in special")
    assert compose(team_a, new_topic).subject == "December move-in special"
