"""One message to many leads, each through ``send_message``: a refusal skips that lead and is
counted, it never stops the batch (and an opted-out lead is never written to)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crm.inbox.models import Channel
from crm.inbox.services.canned import fill_canned, validate_canned_body
from crm.inbox.services.sending import SendRefused, default_channel, send_message

if TYPE_CHECKING:
    from collections.abc import Iterable

    from crm.accounts.models import User
    from crm.inbox.models import Message
    from crm.leads.models import Lead

BULK_MAX_LEADS = 500


@dataclass
class BulkReport:
    sent: list[Message] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        """ "12 sent, 3 skipped: opted out (2), no mobile number (1)"."""
        text = f"{len(self.sent)} sent"
        if self.skipped:
            reasons = ", ".join(f"{reason} ({count})" for reason, count in self.skipped.most_common())
            text += f", {self.skipped_count} skipped: {reasons}"
        return text


def _reason(exc: SendRefused, channel: str) -> str:
    if exc.code == "no_address":
        return "no mobile number" if channel == Channel.SMS else "no email address"
    return {
        "opted_out": "opted out",
        "fair_housing": "held for Fair Housing review",
        "too_long": "too long",
        "empty": "empty message",
    }.get(exc.code, exc.code.replace("_", " "))


def bulk_send(*, leads: Iterable[Lead], body: str, channel: str | None, user: User | None) -> BulkReport:
    """Send ``body`` (a canned text: its variables are filled per lead) to each lead.

    ``channel`` None lets each lead's own default decide (its latest thread, else text if it has a
    mobile number). ``ValidationError`` only for an unusable text, before anything is sent.
    """
    validate_canned_body(body)
    report = BulkReport()
    for lead in list(leads)[:BULK_MAX_LEADS]:
        target = channel or default_channel(lead)
        text = fill_canned(body, lead=lead, user=user)
        try:
            # Each send is its own transaction (send_message is atomic): one refusal stores
            # nothing for that lead and leaves the others untouched.
            report.sent.append(send_message(lead=lead, body=text, channel=target, user=user))
        except SendRefused as exc:
            report.skipped[_reason(exc, target)] += 1
    return report
