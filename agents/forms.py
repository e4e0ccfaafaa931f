"""The chat composer and the audit log's filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict

from agents.models import ActivityKind, ActivityStatus, AgentActivity, AgentName
from agents.runtime import MAX_MESSAGE_CHARS
from crm.leads.forms import team_properties
from crm.leads.models import Lead
from crm.properties.models import Property
from loriaa.ids import parse_uuid


class ChatForm(forms.Form):
    """One message to an agent, with the lead and property it is about (both optional).

    The lead is a plain id rather than a model choice: a team can have thousands of leads, so the
    page lists a few and a search fills in the rest; any active lead of the team is accepted.
    """

    message = forms.CharField(
        label="Message",
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "data-chat-input": "", "autocomplete": "off"}),
        error_messages={"required": "Type a message first."},
    )
    lead = forms.UUIDField(required=False, label="Lead")
    property = forms.ModelChoiceField(
        queryset=Property.objects.none(), required=False, label="Property", empty_label="Any property"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = team_properties()  # type: ignore[attr-defined]

    def clean_lead(self) -> Lead | None:
        pk = self.cleaned_data.get("lead")
        if pk is None:
            return None
        lead: Lead | None = Lead.objects.active().select_related("property").filter(pk=pk).first()
        if lead is None:
            raise ValidationError("That lead was not found.")
        return lead

    def turn_context(self) -> dict[str, str]:
        """What the turn is about, as ``run_turn``'s context."""
        data = self.cleaned_data
        context = {}
        if data.get("lead") is not None:
            context["lead_id"] = str(data["lead"].pk)
        if data.get("property") is not None:
            context["property_id"] = str(data["property"].pk)
        return context


@dataclass(frozen=True)
class ActivityFilters:
    """The audit log's filters; they live in the query string (and carry over to the CSV)."""

    agent: str = ""
    status: str = ""
    kind: str = ""
    lead: UUID | None = None

    @classmethod
    def from_query(cls, query: QueryDict) -> ActivityFilters:
        def pick(name: str, allowed: list[str]) -> str:
            value = query.get(name, "")
            return value if value in allowed else ""

        return cls(
            agent=pick("agent", AgentName.values),
            status=pick("status", ActivityStatus.values),
            kind=pick("kind", ActivityKind.values),
            lead=parse_uuid(query.get("lead", "")[:64]),
        )

    def as_query(self) -> dict[str, str]:
        values = {"agent": self.agent, "status": self.status, "kind": self.kind, "lead": str(self.lead or "")}
        return {key: value for key, value in values.items() if value}

    def apply(self, rows: QuerySet[AgentActivity]) -> QuerySet[AgentActivity]:
        if self.agent:
            rows = rows.filter(agent=self.agent)
        if self.status:
            rows = rows.filter(status=self.status)
        if self.kind:
            rows = rows.filter(kind=self.kind)
        if self.lead:
            rows = rows.filter(lead_id=self.lead)
        return rows
