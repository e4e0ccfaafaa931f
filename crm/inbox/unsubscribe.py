"""Unsubscribe links: a signed token names the lead, the team and the channel.

The token is the capability: whoever holds it (the prospect, or the mail provider acting for them
through RFC 8058 one-click) may change that one lead's consent on that one channel, and nothing
else. It is signed with ``SECRET_KEY`` (rotate through ``SECRET_KEY_FALLBACKS`` so old links keep
working) and never expires: CAN-SPAM wants an unsubscribe link to work for as long as the email
can be read, and an old email is exactly when people look for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django_scopes import scopes_disabled

from crm.inbox.models import Channel, ConsentSource, ConsentState
from crm.inbox.services.consent import consent_state, record_consent
from crm.leads.models import Lead
from crm.teams.models import Team

SALT = "loriaa.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeTarget:
    team: Team
    lead: Lead
    channel: str


def make_token(lead: Lead, channel: str = Channel.EMAIL) -> str:
    return signing.dumps({"l": str(lead.pk), "t": str(lead.team_id), "c": str(channel)}, salt=SALT)


def read_token(token: str) -> UnsubscribeTarget | None:
    """The lead a token names, or None for a tampered, foreign or stale (deleted lead) token."""
    try:
        data = signing.loads(token, salt=SALT)  # no max_age: the link works forever
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") not in Channel.values:
        return None
    with scopes_disabled():
        # The team check is part of the lookup: a token can only ever reach its own team's lead.
        lead = Lead.objects.select_related("team").filter(pk=data.get("l"), team_id=data.get("t")).first()
        # A prospect merged into another record keeps their consent on the surviving one.
        hops = 0
        while lead is not None and lead.merged_into_id and hops < 5:
            lead = Lead.objects.select_related("team").filter(pk=lead.merged_into_id, team_id=lead.team_id).first()
            hops += 1
    if lead is None:
        return None
    return UnsubscribeTarget(team=lead.team, lead=lead, channel=data["c"])


def is_unsubscribed(target: UnsubscribeTarget) -> bool:
    return consent_state(target.lead, target.channel) == ConsentState.OPTED_OUT


def unsubscribe(target: UnsubscribeTarget, *, evidence: str) -> bool:
    """Record the opt-out; True when it changed something (a second click adds no record)."""
    if is_unsubscribed(target):
        return False
    record_consent(
        target.lead, target.channel, ConsentState.OPTED_OUT, source=ConsentSource.UNSUBSCRIBE_LINK, evidence=evidence
    )
    return True


def resubscribe(target: UnsubscribeTarget, *, evidence: str) -> bool:
    """Undo an opt-out from the same link (the "I clicked by mistake" button)."""
    if not is_unsubscribed(target):
        return False
    record_consent(
        target.lead, target.channel, ConsentState.OPTED_IN, source=ConsentSource.UNSUBSCRIBE_LINK, evidence=evidence
    )
    return True


def mask_email(address: str) -> str:
    """``a•••@example.com``: enough for the prospect to recognise, little for anyone else."""
    local, at, domain = address.partition("@")
    if not at:
        return "your address"
    return f"{local[:1]}•••@{domain}"
