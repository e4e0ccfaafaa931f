"""Forms for the guest card, adding a lead, tours and tasks.

They only parse and shape input; the rules (deduplication, office hours, double booking) live in
the services, whose ValidationErrors come back onto these forms with ``add_service_errors``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse

from crm.accounts.models import User
from crm.leads.models import Lead, LostReason, Source, Stage, TaskKind, TourStatus
from crm.properties.models import Property
from crm.teams.models import Team
from crm.teams.roles import Role, role_at_least

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def add_service_errors(form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: per field where the form has that field.

    ``rename`` maps a service's field name to the form's (``starts_at`` → ``time``); anything the
    form cannot show next to a field becomes a form-level error, so no message is lost.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = (rename or {}).get(name, name)
        form.add_error(target if target in form.fields else None, errors)


def working_members(team: Team) -> QuerySet[User]:
    """Users who may hold leads, tours and tasks: the team's agents and up."""
    roles = [role for role in Role if role_at_least(role, Role.AGENT)]
    return User.objects.filter(memberships__team=team, memberships__role__in=roles, is_active=True).order_by(
        "name", "email"
    )


def team_properties(current: Property | None = None) -> QuerySet[Property]:
    """The team's active properties, plus the one already chosen even if it was deactivated."""
    match = Q(is_active=True)
    if current is not None:
        match |= Q(pk=current.pk)
    return Property.objects.filter(match).order_by("name")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class LeadForm(forms.Form):
    """The guest card's fields; the same names as ``services.leads.EDITABLE_FIELDS``."""

    first_name = forms.CharField(max_length=80, required=False)
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(
        max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
    )
    source = forms.ChoiceField(choices=[("", "Choose…"), *Source.choices])
    source_detail = forms.CharField(
        label="Source detail", max_length=200, required=False, help_text="Campaign, listing or referrer."
    )
    property = forms.ModelChoiceField(queryset=Property.objects.none(), required=False, empty_label="No property yet")
    desired_beds = forms.IntegerField(
        label="Bedrooms", min_value=0, max_value=10, required=False, help_text="0 for a studio."
    )
    budget_min = forms.IntegerField(label="Budget from ($/month)", min_value=0, max_value=1_000_000, required=False)
    budget_max = forms.IntegerField(label="Budget to ($/month)", min_value=0, max_value=1_000_000, required=False)
    move_in_date = forms.DateField(label="Move-in date", required=False, widget=DATE_INPUT)
    pets = forms.CharField(max_length=120, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, lead: Lead | None = None, **kwargs: Any) -> None:
        if lead is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(lead, name) for name in self.base_fields if hasattr(lead, name)}
        super().__init__(*args, **kwargs)
        property_field: forms.ModelChoiceField = self.fields["property"]  # type: ignore[assignment]
        property_field.queryset = team_properties(lead.property if lead is not None else None)


class LeadAddForm(LeadForm):
    """A new lead: the guest card plus who takes it.

    "Add anyway" is not a field: it is the submit button shown with a duplicate, whose value is
    the id of the lead the person saw (``views.add``), so it confirms that match and no other.
    """

    assigned_to = MemberChoiceField(
        label="Assign to",
        queryset=User.objects.none(),
        required=False,
        empty_label="Next agent in the property's rotation",
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "add_%s")  # unique ids when the form sits in a dialog on another page
        super().__init__(*args, **kwargs)
        assignee: forms.ModelChoiceField = self.fields["assigned_to"]  # type: ignore[assignment]
        assignee.queryset = working_members(team)
        check = {
            "hx-get": reverse("leads:duplicates"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#duplicate-hint",
            "hx-swap": "innerHTML",
            "hx-include": "#add_email, #add_phone",
            "hx-sync": "closest form:abort",
            "aria-describedby": "duplicate-hint",
        }
        for name in ("email", "phone"):
            self.fields[name].widget.attrs.update(check)


AUTOSUBMIT = forms.Select(attrs={"data-autosubmit": ""})


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, widget=AUTOSUBMIT)
    lost_reason = forms.ChoiceField(
        label="Why lost", choices=[("", "—"), *LostReason.choices], required=False, widget=AUTOSUBMIT
    )


class AssignForm(forms.Form):
    assigned_to = MemberChoiceField(
        label="Assigned to", queryset=User.objects.none(), required=False, empty_label="Nobody", widget=AUTOSUBMIT
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["assigned_to"]  # type: ignore[assignment]
        field.queryset = working_members(team)


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note", max_length=5000, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What happened?"})
    )


class MergeForm(forms.Form):
    duplicate = forms.UUIDField()


class TourForm(forms.Form):
    """A tour's place, agent and local start. Date and time are in the property's time zone."""

    property = forms.ModelChoiceField(queryset=Property.objects.none(), empty_label=None)
    agent = MemberChoiceField(queryset=User.objects.none(), empty_label=None)
    date = forms.DateField(widget=DATE_INPUT)
    time = forms.TimeField(widget=TIME_INPUT)
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, team: Team, lead: Lead, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "tour_%s")
        super().__init__(*args, **kwargs)
        property_field: forms.ModelChoiceField = self.fields["property"]  # type: ignore[assignment]
        property_field.queryset = team_properties(lead.property)
        agent_field: forms.ModelChoiceField = self.fields["agent"]  # type: ignore[assignment]
        agent_field.queryset = working_members(team)

    def chosen(self, name: str) -> Any:
        """The value the form shows for ``name`` (submitted, else initial), parsed; None if unusable."""
        field = self.fields[name]
        raw = self[name].value()
        if raw in (None, ""):
            return None
        if isinstance(raw, Property | User | date | time):
            return raw
        try:
            return field.clean(raw)
        except ValidationError:
            return None

    def starts_at(self) -> datetime:
        """The start as an aware moment: the entered wall-clock time where the property is."""
        data = self.cleaned_data
        return datetime.combine(data["date"], data["time"], data["property"].tz)


class TourStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in TourStatus if s != TourStatus.SCHEDULED])


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"placeholder": "Call back about parking"}))
    due_at = forms.DateTimeField(label="Due", widget=DATETIME_INPUT)
    kind = forms.ChoiceField(choices=TaskKind.choices, initial=TaskKind.FOLLOW_UP)
    assigned_to = MemberChoiceField(
        label="For", queryset=User.objects.none(), required=False, empty_label="The lead's agent"
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "task_%s")
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["assigned_to"]  # type: ignore[assignment]
        field.queryset = working_members(team)
