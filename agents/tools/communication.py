"""Message tools: draft a message (nothing is sent) and send one (with approval).

``send_message`` reaches only the lead the conversation or page is about (``ctx.lead_id``), never
an address the model writes: the lead's own phone or email on file is used, after the consent,
address and Fair Housing checks of ``crm.inbox.services.sending``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agents.tools.base import Proposal, ToolArgs, ToolContext, ToolRefused, get_in_team, parse_id, tool
from agents.tools.lead import active_leads
from crm.compliance.fair_housing import check_outbound
from crm.leads.models import Lead
from crm.leads.permissions import CAN_WORK

MAX_BODY = 1600  # one SMS at most (Twilio's limit); longer belongs in an email a person writes


def _findings(body: str, lead: Lead) -> list[str]:
    decision = check_outbound(body, team=lead.team, sender="agent", property=lead.property)
    return sorted({finding.phrase for finding in decision.findings})


class DraftArgs(ToolArgs):
    lead_id: str = Field(max_length=64, description="The lead's id.")
    body: str = Field(min_length=1, max_length=MAX_BODY, description="The message text.")


@tool(
    "draft_message",
    group="communication",
    args_model=DraftArgs,
    min_role=CAN_WORK,
    description="Draft a message to a lead for a teammate to review. Nothing is sent.",
)
def draft_message(ctx: ToolContext, args: DraftArgs) -> dict[str, Any]:
    from crm.inbox.services.sending import can_send, default_channel

    lead = get_in_team(active_leads(), args.lead_id, ctx, label="Lead")
    channel = default_channel(lead)
    return {
        "lead_id": str(lead.pk),
        "to": lead.full_name,
        "channel": channel,
        "body": args.body,
        "fair_housing_concerns": _findings(args.body, lead),
        "cannot_send_because": can_send(lead, channel),
        "sent": False,
    }


class SendArgs(ToolArgs):
    lead_id: str = Field(max_length=64, description="The lead in this conversation (the only one a message can go to).")
    body: str = Field(min_length=1, max_length=MAX_BODY, description="The message text.")
    channel: Literal["sms", "email"] | None = Field(None, description="Default: the lead's current conversation.")


def _lead_in_context(ctx: ToolContext, raw_id: Any) -> Lead:
    if ctx.lead_id is None:
        raise ToolRefused("Messages can go only to the lead this conversation is about, and there is none.")
    if parse_id(raw_id) != ctx.lead_id:
        raise ToolRefused("Messages can go only to the lead this conversation is about.")
    return get_in_team(active_leads(), raw_id, ctx, label="Lead")


def _check_sendable(lead: Lead, channel: str, body: str) -> None:
    from crm.inbox.services.sending import can_send

    reason = can_send(lead, channel)
    if reason:
        raise ToolRefused(reason)
    concerns = _findings(body, lead)
    if concerns:
        raise ToolRefused(f"Held for review: possible Fair Housing issue ({', '.join(concerns)}).")


@tool(
    "send_message",
    group="communication",
    args_model=SendArgs,
    side_effect=True,
    min_role=CAN_WORK,
    description="Send a message to the lead this conversation is about, on file (their own phone or email). "
    "A teammate approves it unless the team's policy allows it without approval.",
)
def send_message(ctx: ToolContext, args: SendArgs) -> Proposal:
    from crm.inbox.services.sending import default_channel

    lead = _lead_in_context(ctx, args.lead_id)
    channel = args.channel or default_channel(lead)
    _check_sendable(lead, channel, args.body)
    preview = args.body if len(args.body) <= 160 else args.body[:159] + "…"
    return Proposal(
        summary=f"Send {'a text' if channel == 'sms' else 'an email'} to {lead.full_name}: “{preview}”",
        arguments={"lead_id": str(lead.pk), "channel": channel, "body": args.body},
        lead=lead,
        property_id=lead.property_id,
    )


@send_message.rechecks
def _recheck(ctx: ToolContext, arguments: dict[str, Any]) -> None:
    lead = _lead_in_context(ctx, arguments["lead_id"])
    _check_sendable(lead, arguments["channel"], arguments["body"])


@send_message.perform
def _send(ctx: ToolContext, arguments: dict[str, Any]) -> dict[str, Any]:
    from crm.inbox.services.sending import SendRefused
    from crm.inbox.services.sending import send_message as inbox_send

    lead = _lead_in_context(ctx, arguments["lead_id"])
    try:
        message = inbox_send(
            lead=lead,
            body=arguments["body"],
            channel=arguments["channel"],
            user=ctx.user,
            agent=ctx.agent,
            automated=ctx.user is None,
        )
    except SendRefused as exc:
        raise ToolRefused(str(exc)) from exc
    return {
        "message_id": str(message.pk),
        "lead_id": str(lead.pk),
        "channel": message.channel,
        "status": message.status,
    }
