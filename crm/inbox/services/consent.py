"""The consent ledger and the SMS keywords that change it.

No record means the prospect gave us this number or address themselves (guest card, listing
inquiry, their own text): messages may go out. An opt-out is final until the prospect opts back in
(START by text, or a new consent a teammate records with evidence); nothing else lifts it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from crm.inbox.models import Channel, ConsentRecord, ConsentSource, ConsentState

if TYPE_CHECKING:
    from crm.accounts.models import User
    from crm.leads.models import Lead

UNKNOWN = "unknown"

# The CTIA/carrier standard opt-out and opt-in keywords (Twilio's Advanced Opt-Out set). A message
# that is only the keyword, in any case, with trailing punctuation, counts.
STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "opt out"})
START_WORDS = frozenset({"start", "unstop", "yes"})
HELP_WORDS = frozenset({"help", "info"})
# Plain-language opt-outs a carrier keyword filter misses but a person clearly means.
PLAIN_STOP = re.compile(
    r"\b(?:stop|quit|don'?t|do not|no more)\s+(?:texting|messaging|contacting|txting|sending)(?:\s+me)?\b"
    r"|\b(?:take|remove)\s+me\s+off\b|\bunsubscribe\s+me\b|\bleave\s+me\s+alone\b|\blose\s+my\s+number\b",
    re.IGNORECASE,
)


def sms_keyword(body: str) -> str | None:
    """ "stop", "start" or "help" when the text is that request, else None."""
    word = re.sub(r"[\s.!]+$", "", body.strip()).lower()
    word = re.sub(r"\s+", " ", word)
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    if PLAIN_STOP.search(body):
        return "stop"
    return None


def consent_state(lead: Lead, channel: str) -> str:
    latest = (
        ConsentRecord.objects.filter(lead=lead, channel=channel).order_by("-created_at").values_list("state", flat=True)
    ).first()
    return latest or UNKNOWN


def is_opted_out(lead: Lead, channel: str) -> bool:
    return consent_state(lead, channel) == ConsentState.OPTED_OUT


def record_consent(
    lead: Lead, channel: str, state: str, *, source: str, evidence: str = "", user: User | None = None
) -> ConsentRecord:
    from crm.leads.models import ActivityKind
    from crm.leads.services.activity import record

    if channel not in Channel.values or state not in ConsentState.values or source not in ConsentSource.values:
        raise ValueError(f"Unknown consent change {channel}/{state}/{source}")
    entry = ConsentRecord.objects.create(
        team_id=lead.team_id, lead=lead, channel=channel, state=state, source=source,
        evidence=evidence[:2000], recorded_by=user,
    )  # fmt: skip
    verb = "opted out of" if state == ConsentState.OPTED_OUT else "opted in to"
    record(
        lead=lead,
        kind=ActivityKind.UPDATED,
        actor=user,
        summary=f"{lead.full_name or 'The prospect'} {verb} {Channel(channel).label} ({ConsentSource(source).label})",
        data={"consent": {"channel": channel, "state": state, "source": source}},
    )
    return entry
