"""Turn an outbound email ``Message`` into what a provider sends: addresses, both bodies, the
unsubscribe footer and headers, and the ids that map provider events back to the message.

Nothing here talks to a provider; ``integrations.sendgrid.client`` sends the result.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from crm.inbox.models import Direction, Message
from crm.inbox.unsubscribe import make_token
from integrations.credentials import sendgrid_credentials

logger = logging.getLogger(__name__)

# A Message-ID as mail clients thread on it: <local@domain>.
MESSAGE_ID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")


@dataclass(frozen=True)
class OutboundEmail:
    from_email: str  # the bare address; ``from_name`` is its display name
    to: str
    reply_to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    custom_args: dict[str, str]
    from_name: str = ""

    @property
    def from_header(self) -> str:
        return formataddr((self.from_name, self.from_email)) if self.from_name else self.from_email


def inbound_domain(message: Message) -> str:
    """Where replies come back (the team's own setting, else the environment's), or ""."""
    credentials = sendgrid_credentials(message.team)
    return (credentials.inbound_domain if credentials else "") or settings.SENDGRID_INBOUND_DOMAIN


def reply_address(message: Message, domain: str) -> str:
    return f"reply+{message.conversation.reply_token}@{domain}"


def unsubscribe_url(message: Message) -> str:
    token = make_token(message.lead, message.channel)
    return settings.SITE_URL + reverse("inbox:unsubscribe", kwargs={"token": token})


def postal_address(message: Message) -> str:
    """CAN-SPAM's physical address: the team's, else the property's."""
    address = (message.team.postal_address or "").strip()
    if address:
        return address
    property = message.conversation.property or message.lead.property
    return property.address if property else ""


def sender_name(message: Message) -> str:
    property = message.conversation.property or message.lead.property
    return property.name if property else message.team.name


def compose_email(message: Message, *, from_email: str) -> OutboundEmail:
    address = parseaddr(from_email)[1] or from_email
    name = sender_name(message)
    domain = inbound_domain(message)
    # Without an Inbound Parse domain replies reach the sender's mailbox, not the thread:
    # SENDGRID_INBOUND_DOMAIN (or the team's setting) is what threads them back.
    reply_to = reply_address(message, domain) if domain else address
    unsubscribe = unsubscribe_url(message)
    mailto = f"<mailto:{reply_address(message, domain)}?subject=unsubscribe>, " if domain else ""
    headers = {
        # RFC 2369 + RFC 8058: the mailbox provider's own "Unsubscribe" button POSTs to the URL.
        "List-Unsubscribe": f"{mailto}<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    headers.update(_threading_headers(message))
    footer = postal_address(message)
    if not footer:
        logger.warning("email sent without a postal address", extra={"team_id": str(message.team_id)})
    context = {
        "body": message.body,
        "subject": message.subject,
        "sender_name": name,
        "postal_address": footer,
        "unsubscribe_url": unsubscribe,
    }
    return OutboundEmail(
        from_email=address,
        from_name=name,
        to=message.to_address or message.lead.email,
        reply_to=reply_to,
        subject=_subject(message),
        text=render_to_string("inbox/email/message.txt", context).strip() + "\n",
        html=render_to_string("inbox/email/message.html", context),
        headers=headers,
        custom_args={"loriaa_message_id": str(message.pk), "loriaa_team_id": str(message.team_id)},
    )


def _earlier(message: Message) -> QuerySet[Message]:
    return Message.objects.filter(conversation_id=message.conversation_id, created_at__lt=message.created_at).exclude(
        pk=message.pk
    )


def _subject(message: Message) -> str:
    subject = (message.subject or "").strip()
    # A reply continues the thread's subject; a teammate who typed a new subject starts a new topic.
    continues_thread = subject == (message.conversation.subject or "").strip() and _earlier(message).exists()
    if continues_thread and not subject.lower().startswith("re:"):
        return f"Re: {subject}"
    return subject


def _threading_headers(message: Message) -> dict[str, str]:
    """In-Reply-To/References to the prospect's last email, so their mail client threads our answer."""
    last_inbound = (
        _earlier(message)
        .filter(direction=Direction.INBOUND)
        .order_by("-created_at")
        .values_list("provider_id", flat=True)
        .first()
    )
    if last_inbound and MESSAGE_ID.match(last_inbound):
        return {"In-Reply-To": last_inbound, "References": last_inbound}
    return {}
