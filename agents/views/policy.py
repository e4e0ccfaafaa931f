"""Settings → AI agents: the team's auto-reply mode and what the agents may do without approval,
with per-property overrides. Admins and owners change it; everyone can see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from agents.models import AgentPolicy, AutoReply
from agents.services.policy import CAN_SET_POLICY, SIDE_EFFECT_TOOLS, policy_update
from crm.billing.services import usage_summary
from crm.properties.models import Property
from crm.teams.access import get_team_object, team_required
from crm.teams.types import TeamRequest

TEAM_DEFAULT = "default"
TOOL_LABELS = {
    "schedule_tour": "Book tours",
    "update_lead_stage": "Move leads between stages",
    "send_message": "Send messages to the lead in context",
}


class PolicyForm(forms.Form):
    auto_reply = forms.ChoiceField(label="Auto-reply to prospects", choices=AutoReply.choices)
    autonomous_tools = forms.MultipleChoiceField(
        label="The agents may, without a teammate's approval",
        choices=[(name, TOOL_LABELS[name]) for name in sorted(SIDE_EFFECT_TOOLS)],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only ever for the lead a conversation or page is about; consent and Fair Housing still apply.",
    )


class PropertyPolicyForm(forms.Form):
    auto_reply = forms.ChoiceField(label="Auto-reply", choices=[(TEAM_DEFAULT, "Team default"), *AutoReply.choices])


@dataclass
class PropertyRow:
    property: Property
    form: PropertyPolicyForm
    override: AgentPolicy | None


def policy_context(request: TeamRequest) -> dict[str, Any]:
    """The Settings page's "AI agents" panel."""
    rows = list(AgentPolicy.objects.all())
    team_row = next((row for row in rows if row.property_id is None), None)
    overrides = {row.property_id: row for row in rows if row.property_id is not None}
    team_form = PolicyForm(
        initial={
            "auto_reply": team_row.auto_reply if team_row else AutoReply.DRAFT,
            "autonomous_tools": team_row.autonomous_tools if team_row else [],
        }
    )
    properties = [
        PropertyRow(
            property=prop,
            override=overrides.get(prop.pk),
            form=PropertyPolicyForm(
                prefix=f"p{prop.pk.hex}",
                initial={"auto_reply": overrides[prop.pk].auto_reply if prop.pk in overrides else TEAM_DEFAULT},
            ),
        )
        for prop in Property.objects.filter(is_active=True).order_by("name")
    ]
    month = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return {
        "policy_form": team_form,
        "policy_properties": properties,
        "can_set_policy": request.membership.has_role(CAN_SET_POLICY),
        "ai_usage": usage_summary(team=request.team, since=month),
        "ai_usage_since": month,
        "ai_usage_recent": usage_summary(team=request.team, since=timezone.now() - timedelta(days=1)),
    }


@require_POST
@team_required(role=CAN_SET_POLICY)
def policy_save(request: TeamRequest) -> HttpResponse:
    form = PolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an auto-reply mode.")
        return redirect("/settings/#ai-agents")
    try:
        policy_update(
            membership=request.membership,
            auto_reply=form.cleaned_data["auto_reply"],
            autonomous_tools=form.cleaned_data["autonomous_tools"],
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("/settings/#ai-agents")
    messages.success(request, "AI agent settings saved.")
    return redirect("/settings/#ai-agents")


@require_POST
@team_required(role=CAN_SET_POLICY)
def property_policy_save(request: TeamRequest, property_id: str) -> HttpResponse:
    prop = get_team_object(Property, pk=property_id)
    form = PropertyPolicyForm(request.POST, prefix=f"p{prop.pk.hex}")
    if not form.is_valid():
        messages.error(request, f"Choose an auto-reply mode for {prop.name}.")
        return redirect("/settings/#ai-agents")
    choice = form.cleaned_data["auto_reply"]
    with transaction.atomic():
        if choice == TEAM_DEFAULT:
            AgentPolicy.objects.filter(property=prop).delete()
        else:
            policy_update(membership=request.membership, property=prop, auto_reply=choice)
    label = "the team default" if choice == TEAM_DEFAULT else AutoReply(choice).label.split(":")[0]
    messages.success(request, f"{prop.name}: auto-reply set to {label}.")
    return redirect("/settings/#ai-agents")
