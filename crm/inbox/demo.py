"""Demo inbox for ``seed_demo``: canned replies and a few conversations that went through the real
paths (a texted question through the webhook intake, a STOP, replies through the send service).

Idempotent: a team that already has the canned replies is left alone.
"""

from __future__ import annotations

from typing import Any

from crm.accounts.models import User
from crm.inbox.models import CannedReply, Channel
from crm.inbox.services import intake
from crm.inbox.services.sending import SendRefused, send_message
from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.models import Team

CANNED = [
    (
        "Tour invite",
        "Hi {first_name}, thanks for your interest in {property}! Would you like to tour this week? "
        "Reply with a day and time that suits you.",
    ),
    (
        "Application link",
        "Hi {first_name}, you can apply for {property} online in about 10 minutes. "
        "Let me know if you have any questions. - {agent_name}",
    ),
    (
        "Follow-up",
        "Hi {first_name}, just checking in: are you still looking for a new home? "
        "{property} has a few apartments opening up soon.",
    ),
]
INBOUND = [
    ("+15125550190", "Riverside Commons", "Hi! Do you allow dogs? I have a 40 lb lab."),
    ("+13035550191", "Maple Court", "Is there covered parking, and how much is it?"),
    ("+12065550192", "Harbor View Lofts", "Can I talk to a real person about a lease transfer?"),
    ("+15125550193", "Riverside Commons", "STOP"),
]


def seed(team: Team, stdout: Any) -> None:
    if CannedReply.objects.exists():
        stdout.write("Demo inbox already present.")
        return
    for title, body in CANNED:
        CannedReply.objects.create(team=team, title=title, body=body)
    # Texts in through the real intake (as the Twilio webhook stores them); processed after commit.
    for index, (phone, property_name, body) in enumerate(INBOUND):
        prop = Property.objects.filter(name=property_name).first()
        if prop is None or not prop.sms_number:
            continue
        sid = f"SMdemo{index:026d}"
        payload = {"MessageSid": sid, "From": phone, "To": prop.sms_number, "Body": body, "NumMedia": "0"}
        intake.store_event(provider="twilio", event_id=sid, kind="twilio.sms", payload=payload, team=team)
    # A teammate's replies to two existing leads, one text and one email, through the send service.
    agent = User.objects.filter(memberships__team=team, memberships__role="agent").first()
    sent = 0
    for lead, channel, body in _replies():
        try:
            send_message(lead=lead, body=body, channel=channel, user=agent)
            sent += 1
        except SendRefused:
            continue
    stdout.write(f"Added {len(CANNED)} canned replies, {len(INBOUND)} inbound texts and {sent} replies.")


def _replies() -> list[tuple[Lead, str, str]]:
    texted = Lead.objects.exclude(phone="").filter(stage="contacted").order_by("created_at").first()
    emailed = Lead.objects.exclude(email="").filter(stage="toured").order_by("created_at").first()
    replies: list[tuple[Lead, str, str]] = []
    if texted is not None:
        replies.append((texted, Channel.SMS, f"Hi {texted.first_name}, great to hear from you! Would Saturday at "
                                              "11 work for a tour?"))  # fmt: skip
    if emailed is not None:
        replies.append((emailed, Channel.EMAIL, f"Hi {emailed.first_name},\n\nThanks for touring with us! Tell me "
                                                "which floor plan you liked and I'll send current pricing.\n\n"
                                                "Best regards"))  # fmt: skip
    return replies
